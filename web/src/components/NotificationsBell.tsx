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
      {/* Drawn, not an emoji: not every system font has a bell (Debian's Chromium showed a box). */}
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
      </svg>
      {unread ? (
        <span className="nav-count" data-testid="notifications-unread">
          {unread}
        </span>
      ) : null}
    </Link>
  );
}
