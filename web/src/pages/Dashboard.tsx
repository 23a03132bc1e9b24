import { get, query } from '../api/client.ts';
import type { StatsSummary } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { MapView } from '../components/MapView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { Link } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

export function Dashboard() {
  const { t, tk, num, area } = useI18n();
  const year = new Date().getFullYear();
  const extent = useProgrammeExtent();
  const stats = useAsync(
    (signal) => get<StatsSummary>(`/api/v1/stats/summary${query({ year })}`, signal),
    [year],
  );
  const s = stats.data;
  const released = s ? s.releasedM2.cancelled + s.releasedM2.reduced + s.releasedM2.cleared : 0;
  const categories = s ? Object.entries(s.findingsByCategory).sort((a, b) => b[1] - a[1]) : [];
  const devicesTotal = categories.reduce((sum, [, n]) => sum + n, 0);

  return (
    <div className="page dashboard">
      <h1>{t('dashboard.title')}</h1>
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
            <p className="muted">{t('dashboard.openHazardCount', { count: s.openHazardCount })}</p>
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
