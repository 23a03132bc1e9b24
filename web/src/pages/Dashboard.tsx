import { useCallback, useMemo } from 'react';
import { get, query } from '../api/client.ts';
import type { StatsSummary } from '../api/types.ts';
import { Chart, type Datum } from '../components/charts/Chart.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FilterSelect } from '../components/Filters.tsx';
import { MapView } from '../components/MapView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { useOptions } from '../lib/options.ts';
import { Link, useRouter, useSetSearchParam } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

type PeriodKind = 'year' | 'quarter' | 'month' | 'custom';
const PERIODS: PeriodKind[] = ['year', 'quarter', 'month', 'custom'];

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The period asked for, as the summary's parameters: a year (the server's latest year with data
 * when none is chosen), a quarter or a month of a year, or any from/to.
 */
export function periodParams(
  kind: PeriodKind,
  year: string,
  part: string,
  from: string,
  to: string,
): Record<string, string> {
  if (kind === 'custom') return { from, to };
  if (!year) return {};
  const y = Number(year);
  if (kind === 'quarter' && part) {
    const q = Number(part);
    return { from: `${y}-${pad(q * 3 - 2)}-01`, to: `${y}-${pad(q * 3)}-${lastDay(y, q * 3)}` };
  }
  if (kind === 'month' && part) {
    const m = Number(part);
    return { from: `${y}-${pad(m)}-01`, to: `${y}-${pad(m)}-${lastDay(y, m)}` };
  }
  return { year };
}

export function Dashboard() {
  const { t, tk, num, area, date, locale } = useI18n();
  const { search } = useRouter();
  const setParam = useSetSearchParam();
  const kind = (PERIODS as string[]).includes(search.get('period') ?? '')
    ? (search.get('period') as PeriodKind)
    : 'year';
  const year = search.get('year') ?? '';
  const part = search.get('part') ?? '';
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const adminArea = search.get('adminArea') ?? '';
  const organisation = search.get('organisation') ?? '';
  const asAt = search.get('asAt') ?? '';
  const adminAreas = useOptions('admin-areas');
  const organisations = useOptions('organisations');
  const extent = useProgrammeExtent();
  const period = periodParams(kind, year, part, from, to);
  const periodKey = JSON.stringify(period);
  const stats = useAsync(
    (signal) =>
      get<StatsSummary>(
        `/api/v1/stats/summary${query({ ...period, adminArea, organisation, asAt })}`,
        signal,
      ),
    [periodKey, adminArea, organisation, asAt],
  );
  const s = stats.data;
  const shownYear = s?.year ?? Number((s?.from ?? '').slice(0, 4) || year || new Date().getFullYear());
  const years = Array.from({ length: 15 }, (_, i) =>
    String(Math.max(shownYear, new Date().getFullYear()) - i),
  );
  const today = new Date().toISOString().slice(0, 10);

  // The lists behind the figures, with the same filters (the counts match: see README).
  const place = { adminArea, organisation, asAt };
  const inPeriod = { from: s?.from ?? '', to: s?.to ?? '', ...place };
  const list = (slug: string, extra: Record<string, string>) => `/registers/${slug}${query(extra)}`;
  const released = s ? s.releasedM2.cancelled + s.releasedM2.reduced + s.releasedM2.cleared : 0;
  const categories = s ? Object.entries(s.findingsByCategory).sort((a, b) => b[1] - a[1]) : [];
  const devicesTotal = categories.reduce((sum, [, n]) => sum + n, 0);
  const areaFormat = useCallback((n: number) => area(n), [area]);
  const countFormat = useCallback((n: number) => num(n), [num]);
  const monthLabel = useCallback(
    (m: string) =>
      new Intl.DateTimeFormat(locale, { month: 'short', year: '2-digit', timeZone: 'UTC' }).format(
        new Date(`${m}-01T00:00:00Z`),
      ),
    [locale],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: the figures change with s and the locale only
  const charts = useMemo(() => {
    if (!s) return null;
    const trend: Datum[] = (s.hazardAreaTrend ?? []).map((r) => ({
      key: r.month,
      label: monthLabel(r.month),
      value: r.areaM2,
    }));
    const releasedByMonth: Datum[] = (s.releasedByMonth ?? []).map((r) => ({
      key: r.month,
      label: monthLabel(r.month),
      series: r.outcome,
      seriesLabel: tk(`vocab.${r.outcome}`, r.outcome),
      value: r.areaM2,
      href: list('land-release', {
        ...inPeriod,
        outcome: r.outcome,
        from: maxDate(`${r.month}-01`, inPeriod.from),
        to: minDate(
          `${r.month}-${lastDay(Number(r.month.slice(0, 4)), Number(r.month.slice(5)))}`,
          inPeriod.to,
        ),
      }),
    }));
    const devices: Datum[] = categories.map(([c, n]) => ({
      key: c,
      label: tk(`vocab.${c}`, c),
      value: n,
      href: list('findings', { ...inPeriod, category: c }),
    }));
    const models: Datum[] = (s.findingsByModel ?? []).map((m) => ({
      key: `${m.model ?? ''}\u0000${m.category}`,
      label: m.model ?? t('dashboard.modelUnknown'),
      series: m.category,
      seriesLabel: tk(`vocab.${m.category}`, m.category),
      value: m.quantity,
      // The findings behind the bar: by catalogue record, or by the model text as reported.
      href: list('findings', {
        ...inPeriod,
        category: m.category,
        ...(m.ordnanceId ? { ordnance: m.ordnanceId } : m.model ? { q: m.model } : {}),
      }),
    }));
    const casualtyPeriod = { from: inPeriod.from, to: inPeriod.to, adminArea, asAt };
    const by = (field: 'status' | 'sex' | 'ageBand', values: Record<string, number> | undefined) =>
      Object.entries(values ?? {}).map(([k, n]) => ({
        key: `${field}:${k}`,
        label: tk(`vocab.${k}`, k),
        series: field === 'sex' ? k : undefined,
        seriesLabel: field === 'sex' ? tk(`vocab.${k}`, k) : undefined,
        value: n,
        href: list('casualties', { ...casualtyPeriod, [field]: k }),
      }));
    const beneficiaries: Datum[] = Object.entries(s.riskEducation?.beneficiariesBySex ?? {}).map(
      ([k, n]) => ({
        key: k,
        label: tk(`vocab.${k}`, k),
        series: k,
        seriesLabel: tk(`vocab.${k}`, k),
        value: n,
      }),
    );
    const ageBands: Datum[] = Object.entries(s.riskEducation?.beneficiariesByAgeBand ?? {}).map(([k, n]) => ({
      key: k,
      label: k,
      value: n,
    }));
    return {
      trend,
      releasedByMonth,
      devices,
      models,
      casualtiesByStatus: by('status', s.casualties?.byStatus),
      casualtiesBySex: by('sex', s.casualties?.bySex),
      casualtiesByAge: by('ageBand', s.casualties?.byAgeBand),
      beneficiaries,
      ageBands,
    };
  }, [s, locale]);

  return (
    <div className="page dashboard">
      <h1>{t('dashboard.title')}</h1>
      <form className="filter-bar" aria-label={t('list.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('dashboard.period')}
          <select
            value={kind}
            data-testid="dashboard-period"
            onChange={(e) => setParam('period', e.target.value)}
          >
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`dashboard.period.${p}`)}
              </option>
            ))}
          </select>
        </label>
        {kind !== 'custom' && (
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
        )}
        {kind === 'quarter' && (
          <label>
            {t('dashboard.quarter')}
            <select
              value={part}
              data-testid="dashboard-part"
              onChange={(e) => setParam('part', e.target.value)}
            >
              <option value="">—</option>
              {[1, 2, 3, 4].map((q) => (
                <option key={q} value={String(q)}>
                  {t('dashboard.quarterN', { n: q })}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'month' && (
          <label>
            {t('dashboard.month')}
            <select
              value={part}
              data-testid="dashboard-part"
              onChange={(e) => setParam('part', e.target.value)}
            >
              <option value="">—</option>
              {[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => (
                <option key={m} value={String(m)}>
                  {new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' }).format(
                    new Date(Date.UTC(2000, m - 1, 1)),
                  )}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'custom' && (
          <>
            <label>
              {t('filter.from')}
              <input
                type="date"
                value={from}
                data-testid="dashboard-from"
                onChange={(e) => setParam('from', e.target.value)}
              />
            </label>
            <label>
              {t('filter.to')}
              <input
                type="date"
                value={to}
                data-testid="dashboard-to"
                onChange={(e) => setParam('to', e.target.value)}
              />
            </label>
          </>
        )}
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
        <label>
          {t('dashboard.asAt')}
          <input
            type="date"
            value={asAt}
            max={today}
            data-testid="dashboard-as-at"
            onChange={(e) => setParam('asAt', e.target.value)}
          />
        </label>
      </form>
      {s && (
        <p className="muted" data-testid="dashboard-scope">
          {t('dashboard.scope', { from: date(s.from), to: date(s.to) })}{' '}
          {s.asAt ? t('dashboard.asAtDate', { date: date(s.asAt) }) : t('dashboard.asAtNow')}
        </p>
      )}
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
                  <Link to={list('hazards', { ...place, status })} data-testid={`card-link-${status}`}>
                    {tk(`vocab.${status}`, status)}: {num(n)}
                  </Link>
                </li>
              ))}
            </ul>
          </article>
          <article className="card" data-testid="card-released">
            <h2>{t('dashboard.released')}</h2>
            <p className="figure">{area(released)}</p>
            <dl className="breakdown">
              {(['cancelled', 'reduced', 'cleared'] as const).map((o) => (
                <div key={o}>
                  <dt>
                    <span className={`swatch swatch-${o}`} aria-hidden="true" />
                    <Link
                      to={list('land-release', { ...inPeriod, outcome: o })}
                      data-testid={`card-link-${o}`}
                    >
                      {tk(`vocab.${o}`, o)}
                    </Link>
                  </dt>
                  <dd>
                    {area(s.releasedM2[o])}
                    {s.releasedCount ? (
                      <span className="muted">
                        {' '}
                        · {t('dashboard.records', { count: s.releasedCount[o] ?? 0 })}
                      </span>
                    ) : null}
                  </dd>
                </div>
              ))}
            </dl>
          </article>
          <article className="card" data-testid="card-devices">
            <h2>{t('dashboard.devicesFound')}</h2>
            <p className="figure">{num(devicesTotal)}</p>
            {categories.length === 0 ? (
              <p className="muted">{t('dashboard.noDevices')}</p>
            ) : (
              <dl className="breakdown">
                {categories.map(([c, n]) => (
                  <div key={c}>
                    <dt>
                      <Link
                        to={list('findings', { ...inPeriod, category: c })}
                        data-testid={`card-link-finding-${c}`}
                      >
                        {tk(`vocab.${c}`, c)}
                      </Link>
                    </dt>
                    <dd>{num(n)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </article>
          <article className="card" data-testid="card-casualties">
            <h2>{t('dashboard.casualties')}</h2>
            <p className="figure">
              <Link
                to={list('casualties', { from: s.from, to: s.to, adminArea, asAt })}
                data-testid="card-link-casualties"
              >
                {num(s.casualtiesThisYear.total)}
              </Link>
            </p>
            <dl className="breakdown">
              {(['killed', 'injured'] as const).map((o) => (
                <div key={o}>
                  <dt>
                    <Link to={list('casualties', { from: s.from, to: s.to, adminArea, asAt, outcome: o })}>
                      {tk(`vocab.${o}`, o)}
                    </Link>
                  </dt>
                  <dd>{num(s.casualtiesThisYear[o])}</dd>
                </div>
              ))}
              {s.accidentCount !== undefined && (
                <div>
                  <dt>
                    <Link to={list('accidents', { from: s.from, to: s.to, adminArea, asAt })}>
                      {t('dashboard.accidents')}
                    </Link>
                  </dt>
                  <dd>{num(s.accidentCount)}</dd>
                </div>
              )}
            </dl>
          </article>
          {s.riskEducation && (
            <article className="card" data-testid="card-risk-education">
              <h2>{t('dashboard.riskEducation')}</h2>
              <p className="figure">{num(s.riskEducation.beneficiaries)}</p>
              <p className="muted">
                <Link to={list('risk-education', inPeriod)} data-testid="card-link-sessions">
                  {t('dashboard.sessions', { count: s.riskEducation.sessions })}
                </Link>
              </p>
            </article>
          )}
        </section>
      )}
      {charts && (
        <section className="charts" aria-label={t('dashboard.charts')}>
          <Chart
            title={t('dashboard.chart.trend')}
            data={charts.trend}
            kind="line"
            format={areaFormat}
            testId="chart-trend"
          />
          <Chart
            title={t('dashboard.chart.releasedByMonth')}
            data={charts.releasedByMonth}
            kind="stacked"
            format={areaFormat}
            testId="chart-released"
          />
          <Chart
            title={t('dashboard.chart.devicesByCategory')}
            data={charts.devices}
            kind="bars"
            format={countFormat}
            testId="chart-devices"
          />
          <Chart
            title={t('dashboard.chart.devicesByModel')}
            data={charts.models}
            kind="bars"
            format={countFormat}
            testId="chart-models"
          />
          <Chart
            title={t('dashboard.chart.casualtiesByStatus')}
            data={charts.casualtiesByStatus}
            kind="bars"
            format={countFormat}
            testId="chart-casualty-status"
          />
          <Chart
            title={t('dashboard.chart.casualtiesBySex')}
            data={charts.casualtiesBySex}
            kind="bars"
            format={countFormat}
            testId="chart-casualty-sex"
          />
          <Chart
            title={t('dashboard.chart.casualtiesByAge')}
            data={charts.casualtiesByAge}
            kind="bars"
            format={countFormat}
            testId="chart-casualty-age"
          />
          <Chart
            title={t('dashboard.chart.beneficiariesBySex')}
            data={charts.beneficiaries}
            kind="bars"
            format={countFormat}
            testId="chart-beneficiaries"
          />
          <Chart
            title={t('dashboard.chart.beneficiariesByAge')}
            data={charts.ageBands}
            kind="bars"
            format={countFormat}
            testId="chart-beneficiaries-age"
          />
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

const maxDate = (a: string, b: string) => (b && b > a ? b : a);
const minDate = (a: string, b: string) => (b && b < a ? b : a);
