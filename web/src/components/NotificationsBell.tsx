import { useEffect, useState } from 'react';
import { get } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link } from '../lib/router.tsx';

/** How often the bell asks again while a page stays open. */
const REFRESH_MS = 60_000;

/**
 * The bell in the navigation: a link to the notifications page with the number of unread
 * notifications, asked again on each page change and every minute.
 */
export function NotificationsBell({ path }: { path: string }) {
  const { t } = useI18n();
  const [unread, setUnread] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked again on each page change and tick
  useEffect(() => {
    const ctl = new AbortController();
    get<{ unread: number }>('/api/v1/notifications?unread=true&limit=1', ctl.signal).then(
      (r) => !ctl.signal.aborted && setUnread(r.unread),
      () => {},
    );
    return () => ctl.abort();
  }, [path, tick]);
  const label = t('notifications.bell', { count: unread ?? 0 });
  return (
    <Link
      to="/notifications"
      className={`notifications-bell${path === '/notifications' ? ' active' : ''}`}
      aria-label={label}
      title={label}
      data-testid="notifications-bell"
    >
      <span aria-hidden="true">🔔</span>
      {unread ? (
        <span className="nav-count" data-testid="notifications-unread">
          {unread}
        </span>
      ) : null}
    </Link>
  );
}
