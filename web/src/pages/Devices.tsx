import { useState } from 'react';
import { request } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useCan } from '../lib/permissions.ts';
import { useAsync } from '../lib/useAsync.ts';

/** A device as GET /api/v1/devices answers it (docs/field-sync.md). */
export interface Device {
  id: string;
  userId: string;
  userEmail?: string;
  userName?: string | null;
  label: string;
  appVersion: string;
  area: { adminAreaId: string } | { bbox: number[] };
  pending: number;
  sent: number;
  refused: number;
  registeredAt: string;
  lastSyncAt: string | null;
  revokedAt: string | null;
}

/**
 * The devices that hold area data offline, per user, with their last sync, app version and
 * pending reports; an administrator revokes one after confirming (its next request is refused
 * and it wipes its data).
 */
export function Devices() {
  const { t, locale } = useI18n();
  // Others see their own devices; only an administrator revokes one.
  const mayRevoke = useCan().can('user.manage');
  const list = useAsync(
    async (signal) => (await request<{ items: Device[] }>('/api/v1/devices', { signal })).data,
    [],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const when = (iso: string | null) =>
    iso
      ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
      : t('devices.never');

  const revoke = async (d: Device) => {
    if (
      !window.confirm(t('devices.revokeConfirm', { label: d.label, user: d.userName || d.userEmail || '' }))
    )
      return;
    setBusy(d.id);
    setError(null);
    try {
      await request(`/api/v1/devices/${d.id}/revoke`, { method: 'POST' });
      list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const revokeCell = (d: Device) =>
    d.revokedAt ? (
      <span>{t('devices.revokedOn', { date: when(d.revokedAt) })}</span>
    ) : !mayRevoke ? (
      <span>{t('devices.active')}</span>
    ) : (
      <button type="button" className="danger" disabled={busy === d.id} onClick={() => revoke(d)}>
        {t('devices.revoke')}
      </button>
    );

  const byUser = new Map<string, Device[]>();
  for (const d of list.data?.items ?? []) byUser.set(d.userId, [...(byUser.get(d.userId) ?? []), d]);

  return (
    <section aria-labelledby="devices-h" className="page devices-page">
      <h1 id="devices-h">{t('devices.title')}</h1>
      <p className="muted">{t(mayRevoke ? 'devices.intro' : 'devices.introOwn')}</p>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {error ? <ErrorNote error={error} /> : null}
      {list.loading && !list.data ? <p role="status">{t('app.loading')}</p> : null}
      {list.data && list.data.items.length === 0 ? (
        <p className="muted">{t(mayRevoke ? 'devices.none' : 'devices.noneOwn')}</p>
      ) : null}
      {[...byUser.values()].map((devices) => {
        const first = devices[0]!;
        return (
          <section key={first.userId} className="devices-user" aria-label={first.userName || first.userEmail}>
            <h2>
              {first.userName || first.userEmail}
              {first.userName && first.userEmail ? <span className="muted"> · {first.userEmail}</span> : null}
            </h2>
            <div className="table-wrap">
              <table className="records" data-testid="devices">
                <thead>
                  <tr>
                    <th>{t('devices.label')}</th>
                    <th>{t('devices.lastSync')}</th>
                    <th>{t('devices.appVersion')}</th>
                    <th>{t('devices.pending')}</th>
                    <th>{t('devices.sentRefused')}</th>
                    <th>{t('devices.state')}</th>
                  </tr>
                </thead>
                <tbody>
                  {devices.map((d) => (
                    <tr key={d.id}>
                      <td>{d.label}</td>
                      <td>{when(d.lastSyncAt)}</td>
                      <td>{d.appVersion}</td>
                      <td>{d.pending}</td>
                      <td>
                        {d.sent} / {d.refused}
                      </td>
                      <td>{revokeCell(d)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ul className="device-cards">
              {devices.map((d) => (
                <li key={d.id} className="card">
                  <h3>{d.label}</h3>
                  <dl className="fields compact">
                    <div>
                      <dt>{t('devices.lastSync')}</dt>
                      <dd>{when(d.lastSyncAt)}</dd>
                    </div>
                    <div>
                      <dt>{t('devices.appVersion')}</dt>
                      <dd>{d.appVersion}</dd>
                    </div>
                    <div>
                      <dt>{t('devices.pending')}</dt>
                      <dd>{d.pending}</dd>
                    </div>
                    <div>
                      <dt>{t('devices.sentRefused')}</dt>
                      <dd>
                        {d.sent} / {d.refused}
                      </dd>
                    </div>
                  </dl>
                  {revokeCell(d)}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
