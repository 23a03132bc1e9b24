import { useState } from 'react';
import { get, request } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, useRouter } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { ErrorNote } from './ErrorNote.tsx';

export interface Notification {
  id: string;
  kind: 'report.submitted' | 'report.reviewed' | 'report.approved' | 'report.rejected' | 'report.commented';
  reportId: string;
  reportCode: string;
  reportKind: string;
  reportStatus: string;
  actor: { id: string; name: string } | null;
  commentId: string | null;
  createdAt: string;
  readAt: string | null;
}

/** The signed-in user's notifications: each links to its report; mark one or all read. */
export function NotificationsPanel() {
  const { t, tk, dateTime } = useI18n();
  const { navigate } = useRouter();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const list = useAsync(
    (signal) =>
      get<{ items: Notification[]; unread: number }>(
        `/api/v1/notifications${unreadOnly ? '?unread=true' : ''}`,
        signal,
      ),
    [unreadOnly],
  );

  const markRead = async (n: Notification) => {
    if (n.readAt) return;
    await request(`/api/v1/notifications/${n.id}/read`, { method: 'POST', body: {} });
  };
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const open = async (n: Notification) => {
    try {
      await markRead(n);
    } catch {
      // Reading the report matters more than the read mark.
    }
    navigate(`/reports/${n.reportId}`);
  };

  const items = list.data?.items ?? [];
  return (
    <div className="page notifications-page">
      <div className="page-head">
        <h1>{t('notifications.title')}</h1>
        <div className="actions">
          <label className="check">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />{' '}
            {t('notifications.unreadOnly')}
          </label>
          <button
            type="button"
            disabled={busy || !list.data?.unread}
            onClick={() => run(() => request('/api/v1/notifications/read-all', { method: 'POST', body: {} }))}
            data-testid="notifications-read-all"
          >
            {t('notifications.markAllRead')}
          </button>
        </div>
      </div>
      {list.loading && !list.data && (
        <p className="page-status" role="status">
          {t('app.loading')}
        </p>
      )}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {error ? <ErrorNote error={error} /> : null}
      {list.data && items.length === 0 && <p className="muted">{t('notifications.none')}</p>}
      {items.length > 0 && (
        <ul className="notifications" data-testid="notifications-list">
          {items.map((n) => (
            <li key={n.id} className={n.readAt ? 'read' : 'unread'} data-testid="notification">
              <Link
                to={`/reports/${n.reportId}`}
                onClick={(e) => {
                  e.preventDefault();
                  open(n);
                }}
              >
                {tk(`notifications.kind.${n.kind}`, n.kind, {
                  actor: n.actor?.name ?? t('history.system'),
                  report: n.reportCode,
                  reportKind: tk(`report.kind.${n.reportKind}`, n.reportKind),
                })}
              </Link>{' '}
              <span className="muted">{dateTime(n.createdAt)}</span>
              {!n.readAt && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="link-button"
                    disabled={busy}
                    onClick={() => run(() => markRead(n))}
                    data-testid="notification-read"
                  >
                    {t('notifications.markRead')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
