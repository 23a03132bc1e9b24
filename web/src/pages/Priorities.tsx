import { get, query } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useCan } from '../lib/permissions.ts';
import { Link, useRouter, useSetSearchParam } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

export interface FactorPart {
  factor: string;
  value: number | null;
  share: number;
  weight: number;
  contribution: number;
}
export interface PriorityItem {
  rank: number;
  score: number;
  hazard: { id: string; code: string; name: string | null; remainingAreaM2: number; settlements: number };
  factors: FactorPart[];
  /** Days to release and the productivity group used (method or `all`, terrain or null, samples). */
  effort: {
    method: string;
    terrain: string | null;
    samples: number;
    days: number;
    low: number;
    high: number;
  } | null;
}
interface PrioritiesAnswer {
  asAt: string;
  weights: { version: number };
  items: PriorityItem[];
}

const SHOWN = 200;

/** Every factor of one score: value, weight, share and contribution, none left out. */
export function FactorTable({ factors }: { factors: FactorPart[] }) {
  const { t, tk, num } = useI18n();
  return (
    <div className="table-wrap">
      <table className="records factor-table">
        <thead>
          <tr>
            <th scope="col">{t('priorities.factor')}</th>
            <th scope="col">{t('priorities.value')}</th>
            <th scope="col">{t('priorities.share')}</th>
            <th scope="col">{t('priorities.weight')}</th>
            <th scope="col">{t('priorities.contribution')}</th>
          </tr>
        </thead>
        <tbody>
          {factors.map((f) => (
            <tr key={f.factor}>
              <th scope="row">{tk(`planning.factor.${f.factor}`, f.factor)}</th>
              <td className="num">{f.value === null ? t('priorities.unknown') : num(f.value)}</td>
              <td className="num">{num(f.share, { maximumFractionDigits: 3 })}</td>
              <td className="num">{num(f.weight)}</td>
              <td className="num">{num(f.contribution, { maximumFractionDigits: 3 })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Priorities() {
  const { t, tk, num, area, date } = useI18n();
  const { search } = useRouter();
  const setParam = useSetSearchParam();
  const { mayWrite } = useCan();
  const mayIssue = mayWrite('task-orders');
  const asAt = search.get('asAt') ?? '';
  const answer = useAsync(
    (signal) => get<PrioritiesAnswer>(`/api/v1/priorities${query({ asAt })}`, signal),
    [asAt],
  );
  const items = answer.data?.items;
  return (
    <div className="page planning-page">
      <h1>{t('priorities.title')}</h1>
      <form className="filter-bar" aria-label={t('list.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('planning.asAt')}
          <input type="date" value={asAt} onChange={(e) => setParam('asAt', e.target.value)} />
        </label>
        {answer.data && (
          <p className="muted">
            {t('priorities.summary', {
              asAt: date(answer.data.asAt),
              version: answer.data.weights.version,
              count: answer.data.items.length,
            })}
          </p>
        )}
      </form>
      {answer.loading && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {answer.error ? <ErrorNote error={answer.error} onRetry={answer.reload} /> : null}
      {items && (
        <div className="table-wrap">
          <table className="records" data-testid="priorities-table">
            <thead>
              <tr>
                <th scope="col">{t('priorities.rank')}</th>
                <th scope="col">{t('priorities.hazard')}</th>
                <th scope="col">{t('priorities.score')}</th>
                <th scope="col">{t('priorities.remaining')}</th>
                <th scope="col">{t('priorities.days')}</th>
                <th scope="col">{t('priorities.factors')}</th>
              </tr>
            </thead>
            <tbody>
              {items.slice(0, SHOWN).map((i) => {
                const top = [...i.factors]
                  .filter((f) => f.contribution > 0)
                  .sort((a, b) => b.contribution - a.contribution);
                return (
                  <tr key={i.hazard.id}>
                    <td className="num">{num(i.rank)}</td>
                    <td>
                      <Link to={`/registers/hazards/${i.hazard.id}`} className="record-code">
                        {i.hazard.code}
                      </Link>
                      {i.hazard.name && <div className="muted">{i.hazard.name}</div>}
                      {mayIssue && (
                        <Link
                          to={`/registers/task-orders/new?hazardIds=${encodeURIComponent(JSON.stringify([i.hazard.id]))}`}
                          className="button small"
                          data-testid="issue-task-order"
                        >
                          {t('tasking.issue')}
                        </Link>
                      )}
                    </td>
                    <td className="num">{num(i.score, { maximumFractionDigits: 3 })}</td>
                    <td className="num">{area(i.hazard.remainingAreaM2)}</td>
                    <td className="num">
                      {i.effort ? (
                        <>
                          {t('priorities.daysRange', {
                            d: num(i.effort.days),
                            lo: num(i.effort.low),
                            hi: num(i.effort.high),
                          })}
                          <br />
                          <small className="muted" data-testid="effort-group">
                            {t('priorities.effortGroup', {
                              method:
                                i.effort.method === 'all'
                                  ? t('priorities.allMethods')
                                  : tk(`vocab.${i.effort.method}`, i.effort.method),
                              terrain: i.effort.terrain
                                ? tk(`vocab.${i.effort.terrain}`, i.effort.terrain)
                                : t('priorities.allTerrains'),
                              n: num(i.effort.samples),
                            })}
                          </small>
                        </>
                      ) : (
                        t('priorities.unknown')
                      )}
                    </td>
                    <td>
                      <details>
                        <summary>
                          {top
                            .slice(0, 3)
                            .map(
                              (f) => `${tk(`planning.factor.${f.factor}`, f.factor)} ${num(f.contribution)}`,
                            )
                            .join(' · ')}
                        </summary>
                        <FactorTable factors={i.factors} />
                      </details>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {items.length > SHOWN && (
            <p className="muted">{t('priorities.more', { count: items.length - SHOWN })}</p>
          )}
        </div>
      )}
    </div>
  );
}
