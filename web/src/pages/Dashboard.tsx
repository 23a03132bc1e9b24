import { get, query } from '../api/client.ts';
import type { StatsSummary } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FilterSelect } from '../components/Filters.tsx';
import { MapView } from '../components/MapView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { useOptions } from '../lib/options.ts';
import { Link, useRouter, useSetSearchParam } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

export function Dashboard() {
  const { t, tk, num, area } = useI18n();
  const { search } = useRouter();
  const setParam = useSetSearchParam();
  // The period is a year: by default the server's latest year with data, not the clock's.
  const year = search.get('year') ?? '';
  const adminArea = search.get('adminArea') ?? '';
  const organisation = search.get('organisation') ?? '';
  const adminAreas = useOptions('admin-areas');
  const organisations = useOptions('organisations');
  const extent = useProgrammeExtent();
  const stats = useAsync(
    (signal) => get<StatsSummary>(`/api/v1/stats/summary${query({ year, adminArea, organisation })}`, signal),
    [year, adminArea, organisation],
  );
  const s = stats.data;
  const shownYear = s?.year ?? Number(year || new Date().getFullYear());
  const years = Array.from({ length: 15 }, (_, i) =>
    String(Math.max(shownYear, new Date().getFullYear()) - i),
  );
  // The lists behind the cards, with the same filters.
  const listQuery = (extra: Record<string, string>) => query({ adminArea, organisation, ...extra });
  const released = s ? s.releasedM2.cancelled + s.releasedM2.reduced + s.releasedM2.cleared : 0;
  const categories = s ? Object.entries(s.findingsByCategory).sort((a, b) => b[1] - a[1]) : [];
  const devicesTotal = categories.reduce((sum, [, n]) => sum + n, 0);

  return (
    <div className="page dashboard">
      <h1>{t('dashboard.title')}</h1>
      <form className="filter-bar" aria-label={t('list.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('dashboard.year')}
          <select
            value={year || String(shownYear)}
            data-testid="dashboard-year"
            onChange={(e) => setParam('year', e.target.value)}
          >
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </label>
        <FilterSelect
          label={t('filter.adminArea')}
          value={adminArea}
          onChange={(v) => setParam('adminArea', v)}
          options={adminAreas}
        />
        <FilterSelect
          label={t('filter.organisation')}
          value={organisation}
          onChange={(v) => setParam('organisation', v)}
          options={organisations}
        />
      </form>
      {stats.loading && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {stats.error ? <ErrorNote error={stats.error} onRetry={stats.reload} /> : null}
      {s && (
        <section className="cards" aria-label={t('dashboard.figures')}>
          <article className="card" data-testid="card-open-hazards">
            <h2>{t('dashboard.openHazardArea')}</h2>
            <p className="figure">{area(s.openHazardAreaM2)}</p>
            <p className="muted">{t('dashboard.notClosedCount', { count: s.openHazardCount })}</p>
            <ul className="plain-list">
              {Object.entries(s.openHazardsByStatus ?? {}).map(([status, n]) => (
                <li key={status}>
                  <Link to={`/registers/hazards${listQuery({ status })}`} data-testid={`card-link-${status}`}>
                    {tk(`vocab.${status}`, status)}: {num(n)}
                  </Link>
                </li>
              ))}
            </ul>
          </article>
          <article className="card">
            <h2>{t('dashboard.releasedThisYear', { year: s.year })}</h2>
            <p className="figure">{area(released)}</p>
            <dl className="breakdown">
              {(['cancelled', 'reduced', 'cleared'] as const).map((o) => (
                <div key={o}>
                  <dt>
                    <span className={`swatch swatch-${o}`} aria-hidden="true" />
                    {tk(`vocab.${o}`, o)}
                  </dt>
                  <dd>{area(s.releasedM2[o])}</dd>
                </div>
              ))}
            </dl>
          </article>
          <article className="card">
            <h2>{t('dashboard.devicesFound')}</h2>
            <p className="figure">{num(devicesTotal)}</p>
            {categories.length === 0 ? (
              <p className="muted">{t('dashboard.noDevices')}</p>
            ) : (
              <dl className="breakdown">
                {categories.map(([c, n]) => (
                  <div key={c}>
                    <dt>{tk(`vocab.${c}`, c)}</dt>
                    <dd>{num(n)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </article>
          <article className="card">
            <h2>{t('dashboard.casualtiesThisYear', { year: s.year })}</h2>
            <p className="figure">{num(s.casualtiesThisYear.total)}</p>
            <dl className="breakdown">
              <div>
                <dt>{tk('vocab.killed', 'killed')}</dt>
                <dd>{num(s.casualtiesThisYear.killed)}</dd>
              </div>
              <div>
                <dt>{tk('vocab.injured', 'injured')}</dt>
                <dd>{num(s.casualtiesThisYear.injured)}</dd>
              </div>
            </dl>
          </article>
        </section>
      )}
      <section className="dashboard-map">
        <div className="section-head">
          <h2>{t('dashboard.map')}</h2>
          <Link to="/map">{t('dashboard.openMap')}</Link>
        </div>
        <MapView className="small-map" label={t('dashboard.map')} fitTo={extent} />
      </section>
    </div>
  );
}
