import { ApiError, get } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { FactorTable, type PriorityItem } from '../pages/Priorities.tsx';

interface HazardPriorityAnswer {
  asAt: string;
  weights: { version: number };
  of: number;
  item: PriorityItem;
}

/** On a hazard's page: where it is ranked among the open hazards today, and every factor of why. */
export function HazardPriority({ slug, id }: { slug: string; id: string }) {
  const { t, num, date } = useI18n();
  const answer = useAsync(
    (signal) =>
      slug === 'hazards'
        ? get<HazardPriorityAnswer>(`/api/v1/priorities/${id}`, signal).catch((err) => {
            // A hazard that is not open is not ranked: nothing to explain.
            if (err instanceof ApiError && err.status === 404) return null;
            throw err;
          })
        : Promise.resolve(null),
    [slug, id],
  );
  const a = answer.data;
  if (slug !== 'hazards' || !a) return null;
  return (
    <section className="linked" aria-labelledby="priority-h" data-testid="hazard-priority">
      <div className="section-head">
        <h2 id="priority-h">{t('priorities.why')}</h2>
        <Link to="/priorities">{t('priorities.title')}</Link>
      </div>
      <p>
        {t('priorities.ranked', {
          rank: num(a.item.rank),
          of: num(a.of),
          score: num(a.item.score, { maximumFractionDigits: 3 }),
          version: a.weights.version,
          asAt: date(a.asAt),
        })}
      </p>
      <FactorTable factors={a.item.factors} />
    </section>
  );
}
