import { get, query } from '../api/client.ts';
import type { RecordPage } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import {
  type AreaProgress,
  type DatesProgress,
  type Effort,
  ReleasedBar,
} from '../components/TaskOrderProgress.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAuth } from '../lib/auth.tsx';
import { rowsOf } from '../lib/options.ts';
import { useCan } from '../lib/permissions.ts';
import { Link, useRouter, useSetSearchParam } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';

interface BoardOrder {
  id: string;
  code: string;
  reference: string | null;
  state: string;
  activityKind: string;
  plannedStart: string;
  plannedEnd: string;
  hazards: string[];
  progress: { area: AreaProgress; dates: DatesProgress; activities: number };
  effort: Effort | null;
}
interface Board {
  asAt: string;
  from: string;
  to: string;
  months: string[];
  rows: Array<{
    organisation: { id: string; name: string };
    cells: Array<{ month: string; orders: BoardOrder[] }>;
  }>;
}

/** The month `offset` months from today's, YYYY-MM. */
function monthFromNow(offset: number): string {
  const d = new Date();
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
  return m.toISOString().slice(0, 7);
}

/** The month `offset` months from `month` (YYYY-MM). */
function shiftMonth(month: string, offset: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + offset, 1)).toISOString().slice(0, 7);
}

/** An estimate of days as people say it: whole days from ten on, one decimal below. */
function roughDays(days: number): number {
  return days >= 10 ? Math.round(days) : Math.round(days * 10) / 10;
}

/** One order on the board: a link to its page with its state, progress, lateness and effort. */
function OrderCard({ o }: { o: BoardOrder }) {
  const { t, tk, num, date } = useI18n();
  return (
    <Link to={`/registers/task-orders/${o.id}`} className={`board-order state-${o.state}`}>
      <span className="board-order-head">
        <strong>{o.code}</strong>
        <span className={`state-badge state-${o.state}`}>{tk(`vocab.${o.state}`, o.state)}</span>
      </span>
      {o.reference && <span className="muted">{o.reference}</span>}
      <span className="muted">
        {tk(`vocab.${o.activityKind}`, o.activityKind)} · {o.hazards.join(', ')}
      </span>
      <span className="muted">
        {t('tasking.range', { from: date(o.plannedStart), to: date(o.plannedEnd) })}
      </span>
      <span>
        <ReleasedBar share={o.progress.area.releasedShare} />{' '}
        {num(Math.round(o.progress.area.releasedShare * 100))}%
      </span>
      {o.progress.dates.daysLate > 0 && (
        <span className="late">{t('tasking.late', { days: num(o.progress.dates.daysLate) })}</span>
      )}
      <span className="muted">
        {o.effort
          ? t('tasking.daysLeft', { days: num(roughDays(o.effort.days)) })
          : t('tasking.effortUnknown')}
      </span>
    </Link>
  );
}

/**
 * The planning board: organisations down, months across, in each cell the task orders planned to
 * be under way that month, with state, land released, lateness and the estimated days left.
 */
export function PlanningBoard() {
  const { t, locale, date } = useI18n();
  const { search, path, navigate } = useRouter();
  const setParam = useSetSearchParam();
  const { mayWrite } = useCan();
  const { user } = useAuth();
  const from = search.get('from') || monthFromNow(-1);
  const to = search.get('to') || monthFromNow(4);
  const asAt = search.get('asAt') ?? '';
  // Operators see their own organisation's orders only (the server scopes every read): the
  // picker offers theirs alone.
  const own = user?.role.startsWith('operator') ? user.organisationId : null;
  const organisationId = own ?? search.get('organisationId') ?? '';
  const board = useAsync(
    (signal) => get<Board>(`/api/v1/planning/board${query({ from, to, asAt, organisationId })}`, signal),
    [from, to, asAt, organisationId],
  );
  const organisations = useAsync(
    async (signal) =>
      own
        ? [await get<{ id: string; name: string }>(`/api/v1/organisations/${own}`, signal)]
        : rowsOf(await get<RecordPage>(`/api/v1/organisations${query({ limit: 500 })}`, signal))
            .map((r) => ({ id: r.id, name: String(r.name ?? r.id) }))
            .sort((a, b) => a.name.localeCompare(b.name, locale)),
    [own, locale],
  );
  const shift = (offset: number) => {
    const sp = new URLSearchParams(search);
    sp.set('from', shiftMonth(from, offset));
    sp.set('to', shiftMonth(to, offset));
    navigate(`${path}?${sp}`, { replace: true });
  };
  const monthName = (m: string) =>
    new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${m}-01T00:00:00Z`),
    );
  const b = board.data;
  return (
    <div className="page planning-page">
      <div className="page-head">
        <h1>{t('tasking.board')}</h1>
        {mayWrite('task-orders') && (
          <div className="actions">
            <Link to="/registers/task-orders/new" className="button primary">
              {t('tasking.issue')}
            </Link>
          </div>
        )}
      </div>
      <form className="filter-bar" aria-label={t('list.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('tasking.organisation')}
          <select
            value={organisationId}
            disabled={Boolean(own)}
            onChange={(e) => setParam('organisationId', e.target.value)}
            data-testid="board-organisation"
          >
            {!own && <option value="">{t('tasking.allOrganisations')}</option>}
            {(organisations.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        <span className="board-months">
          <button type="button" onClick={() => shift(-1)} aria-label={t('tasking.earlier')}>
            {t('tasking.earlierShort')}
          </button>
          <button type="button" onClick={() => shift(1)} aria-label={t('tasking.later')}>
            {t('tasking.laterShort')}
          </button>
        </span>
        <label>
          {t('tasking.from')}
          <input type="month" value={from} onChange={(e) => setParam('from', e.target.value)} />
        </label>
        <label>
          {t('tasking.to')}
          <input type="month" value={to} onChange={(e) => setParam('to', e.target.value)} />
        </label>
        <label>
          {t('planning.asAt')}
          <input type="date" value={asAt} onChange={(e) => setParam('asAt', e.target.value)} />
        </label>
        {b && (
          <p className="muted">{t('tasking.boardSummary', { asAt: date(b.asAt), count: b.rows.length })}</p>
        )}
      </form>
      {board.loading && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {board.error ? <ErrorNote error={board.error} onRetry={board.reload} /> : null}
      {b && b.rows.length === 0 && (
        <p className="empty" data-testid="board-empty">
          {t('tasking.empty')}
        </p>
      )}
      {b && b.rows.length > 0 && (
        <div className="board-cards" data-testid="planning-board-cards">
          {b.rows.map((row) => (
            <section key={row.organisation.id} className="board-card-org">
              <h2>{row.organisation.name}</h2>
              {row.cells
                .filter((c) => c.orders.length > 0)
                .map((c) => (
                  <div key={c.month} className="board-card-month">
                    <h3>{monthName(c.month)}</h3>
                    {c.orders.map((o) => (
                      <OrderCard key={o.id} o={o} />
                    ))}
                  </div>
                ))}
            </section>
          ))}
        </div>
      )}
      {b && b.rows.length > 0 && (
        <div className="table-wrap board-table">
          <table className="records planning-board" data-testid="planning-board">
            <thead>
              <tr>
                <th scope="col">{t('tasking.organisation')}</th>
                {b.months.map((m) => (
                  <th scope="col" key={m}>
                    {monthName(m)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {b.rows.map((row) => (
                <tr key={row.organisation.id}>
                  <th scope="row">{row.organisation.name}</th>
                  {row.cells.map((c) => (
                    <td key={c.month} className="board-cell">
                      {c.orders.map((o) => (
                        <OrderCard key={o.id} o={o} />
                      ))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
