import { get, query } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { ErrorNote } from './ErrorNote.tsx';

export interface AreaProgress {
  totalM2: number;
  releasedM2: number;
  remainingM2: number;
  releasedShare: number;
}
export interface DatesProgress {
  plannedStart: string;
  plannedEnd: string;
  actualStart: string | null;
  lastEnd: string | null;
  startDaysLate: number;
  daysLate: number;
}
export interface Effort {
  days: number;
  low: number;
  high: number;
}
interface ProgressAnswer {
  asAt: string;
  state: string;
  area: AreaProgress;
  hazards: Array<{
    id: string;
    code: string;
    status: string;
    areaM2: number;
    releasedM2: number;
    remainingM2: number;
  }>;
  dates: DatesProgress;
  activities: number;
  effort: Effort | null;
}

/** A bar of the share of land released (0 to 1), with the share in words for screen readers. */
export function ReleasedBar({ share }: { share: number }) {
  const { num } = useI18n();
  const pct = Math.max(0, Math.min(100, Math.round(share * 100)));
  return (
    <span className="released-bar" role="img" aria-label={`${num(pct)}%`}>
      <span className="released-fill" style={{ inlineSize: `${pct}%` }} />
    </span>
  );
}

/** On a task order's page: its progress against plan, as at a date (today when none). */
export function TaskOrderProgress({ id, asAt }: { id: string; asAt?: string }) {
  const { t, tk, num, area, date } = useI18n();
  const answer = useAsync(
    (signal) =>
      get<ProgressAnswer>(`/api/v1/task-orders/${id}/progress${query({ asAt: asAt ?? '' })}`, signal),
    [id, asAt],
  );
  const p = answer.data;
  return (
    <section className="linked" aria-labelledby="progress-h" data-testid="task-order-progress">
      <div className="section-head">
        <h2 id="progress-h">{t('tasking.progress')}</h2>
        <Link to="/planning/board">{t('tasking.board')}</Link>
      </div>
      {answer.loading && (
        <p className="muted" role="status">
          {t('app.loading')}
        </p>
      )}
      {answer.error ? <ErrorNote error={answer.error} onRetry={answer.reload} /> : null}
      {p && (
        <>
          <p className="muted">{t('tasking.asAt', { asAt: date(p.asAt) })}</p>
          <dl className="fields">
            <div>
              <dt>{t('tasking.released')}</dt>
              <dd>
                <ReleasedBar share={p.area.releasedShare} />{' '}
                {t('tasking.releasedOf', {
                  released: area(p.area.releasedM2),
                  total: area(p.area.totalM2),
                  pct: num(Math.round(p.area.releasedShare * 100)),
                })}
              </dd>
            </div>
            <div>
              <dt>{t('tasking.remaining')}</dt>
              <dd>{area(p.area.remainingM2)}</dd>
            </div>
            <div>
              <dt>{t('tasking.planned')}</dt>
              <dd>
                {t('tasking.range', { from: date(p.dates.plannedStart), to: date(p.dates.plannedEnd) })}
              </dd>
            </div>
            <div>
              <dt>{t('tasking.actual')}</dt>
              <dd>
                {p.dates.actualStart
                  ? t('tasking.range', {
                      from: date(p.dates.actualStart),
                      to: p.dates.lastEnd ? date(p.dates.lastEnd) : '…',
                    })
                  : t('tasking.notStarted')}
              </dd>
            </div>
            <div>
              <dt>{t('tasking.daysLate')}</dt>
              <dd className={p.dates.daysLate > 0 ? 'late' : undefined}>
                {t('tasking.lateDays', { late: num(p.dates.daysLate), start: num(p.dates.startDaysLate) })}
              </dd>
            </div>
            <div>
              <dt>{t('tasking.activities')}</dt>
              <dd>{num(p.activities)}</dd>
            </div>
            <div>
              <dt>{t('tasking.effortLeft')}</dt>
              <dd>
                {p.effort
                  ? t('priorities.daysRange', {
                      d: num(p.effort.days),
                      lo: num(p.effort.low),
                      hi: num(p.effort.high),
                    })
                  : t('priorities.unknown')}
              </dd>
            </div>
          </dl>
          <div className="table-wrap">
            <table className="records">
              <thead>
                <tr>
                  <th scope="col">{t('priorities.hazard')}</th>
                  <th scope="col">{tk('field.status', 'status')}</th>
                  <th scope="col">{t('tasking.area')}</th>
                  <th scope="col">{t('tasking.released')}</th>
                  <th scope="col">{t('tasking.remaining')}</th>
                </tr>
              </thead>
              <tbody>
                {p.hazards.map((h) => (
                  <tr key={h.id}>
                    <td>
                      <Link to={`/registers/hazards/${h.id}`} className="record-code">
                        {h.code}
                      </Link>
                    </td>
                    <td>{tk(`vocab.${h.status}`, h.status)}</td>
                    <td className="num">{area(h.areaM2)}</td>
                    <td className="num">{area(h.releasedM2)}</td>
                    <td className="num">{area(h.remainingM2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
