import type { FeatureCollection, Point } from 'geojson';
import { useMemo } from 'react';
import { get, query } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { bboxOf, MapView } from '../components/MapView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { Link, useRouter, useSetSearchParam } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

/** Colours of the readiness levels on the map and in the table. */
export const LEVEL_COLOURS: Record<string, string> = {
  ready: '#1a7f37',
  conditional: '#9a6700',
  not_ready: '#c62828',
};

interface Condition {
  condition: string;
  met: boolean;
  because: string[];
  statement: string;
}
interface ReadinessItem {
  settlement: {
    id: string;
    name: string;
    displacedHouseholds: number | null;
    geometry: { type: 'Point'; coordinates: number[] };
  };
  level: string;
  rule: { version: number; statement: string };
  checks: Array<{ level: string; met: boolean; conditions: Condition[] }>;
  bands: Array<{ fromM: number; toM: number; hazards: string[]; remainingAreaM2: number }>;
  blockedLandUse: string[];
  accidents: { count: number; casualties: number };
  riskEducation: { sessions: number; beneficiaries: number };
}
interface ReadinessAnswer {
  asAt: string;
  rules: { version: number };
  items: ReadinessItem[];
}

function LevelBadge({ level }: { level: string }) {
  const { tk } = useI18n();
  return (
    <span className="level-badge" style={{ borderColor: LEVEL_COLOURS[level], color: LEVEL_COLOURS[level] }}>
      <span className="level-dot" style={{ background: LEVEL_COLOURS[level] }} aria-hidden="true" />
      {tk(`planning.level.${level}`, level)}
    </span>
  );
}

export function Readiness() {
  const { t, tk, num, area, date } = useI18n();
  const { search } = useRouter();
  const setParam = useSetSearchParam();
  const asAt = search.get('asAt') ?? '';
  const answer = useAsync(
    (signal) => get<ReadinessAnswer>(`/api/v1/readiness${query({ asAt })}`, signal),
    [asAt],
  );
  const items = answer.data?.items;
  // The settlements drawn on top of the basemap, each in its level's colour.
  const overlay = useMemo<FeatureCollection | null>(
    () =>
      items
        ? {
            type: 'FeatureCollection',
            features: items.map((i) => ({
              type: 'Feature',
              geometry: i.settlement.geometry as Point,
              properties: { colour: LEVEL_COLOURS[i.level], radius: 7 },
            })),
          }
        : null,
    [items],
  );
  const counts = new Map<string, number>();
  for (const i of items ?? []) counts.set(i.level, (counts.get(i.level) ?? 0) + 1);
  const bbox = items?.length ? bboxOf(items.map((i) => i.settlement.geometry as Point)) : null;

  return (
    <div className="page planning-page">
      <h1>{t('readiness.title')}</h1>
      <form className="filter-bar" aria-label={t('list.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('planning.asAt')}
          <input
            type="date"
            value={asAt}
            data-testid="readiness-as-at"
            onChange={(e) => setParam('asAt', e.target.value)}
          />
        </label>
        {answer.data && (
          <p className="muted">
            {t('readiness.summary', { asAt: date(answer.data.asAt), version: answer.data.rules.version })}
          </p>
        )}
      </form>
      {answer.loading && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {answer.error ? <ErrorNote error={answer.error} onRetry={answer.reload} /> : null}
      <section className="planning-map" aria-label={t('readiness.map')}>
        <MapView
          className="small-map"
          label={t('readiness.map')}
          thematic={false}
          fitTo={bbox}
          overlay={overlay}
        />
        <ul className="legend-inline" aria-label={t('readiness.legend')}>
          {Object.keys(LEVEL_COLOURS).map((level) => (
            <li key={level}>
              <LevelBadge level={level} /> {num(counts.get(level) ?? 0)}
            </li>
          ))}
        </ul>
      </section>
      {items && (
        <div className="table-wrap">
          <table className="records" data-testid="readiness-table">
            <thead>
              <tr>
                <th scope="col">{t('readiness.settlement')}</th>
                <th scope="col">{t('readiness.level')}</th>
                {answer.data!.items[0]?.bands.map((b) => (
                  <th scope="col" key={b.toM}>
                    {t('readiness.band', { from: num(b.fromM / 1000), to: num(b.toM / 1000) })}
                  </th>
                ))}
                <th scope="col">{t('readiness.blocked')}</th>
                <th scope="col">{t('readiness.displaced')}</th>
                <th scope="col">{t('readiness.accidents')}</th>
                <th scope="col">{t('readiness.riskEducation')}</th>
                <th scope="col">{t('readiness.why')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const unmet = i.checks
                  .filter((c) => !c.met)
                  .slice(0, 1)
                  .flatMap((c) => c.conditions.filter((x) => !x.met));
                return (
                  <tr key={i.settlement.id}>
                    <td>
                      <Link to={`/registers/settlements/${i.settlement.id}`}>{i.settlement.name}</Link>
                    </td>
                    <td>
                      <LevelBadge level={i.level} />
                    </td>
                    {i.bands.map((b) => (
                      <td key={b.toM} className="num">
                        {num(b.hazards.length)}
                        {b.hazards.length > 0 && <span className="muted"> · {area(b.remainingAreaM2)}</span>}
                      </td>
                    ))}
                    <td>{i.blockedLandUse.map((u) => tk(`vocab.${u}`, u)).join(', ')}</td>
                    <td className="num">{num(i.settlement.displacedHouseholds)}</td>
                    <td className="num">
                      {num(i.accidents.count)} / {num(i.accidents.casualties)}
                    </td>
                    <td className="num">{num(i.riskEducation.sessions)}</td>
                    <td className="rule-cell">
                      <div>{i.rule.statement}</div>
                      {unmet.map((c) => (
                        <div key={c.condition} className="muted">
                          {t('readiness.unmet', { condition: c.statement })}
                          {c.because.length > 0 && ` (${c.because.slice(0, 5).join(', ')})`}
                        </div>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
