import { type FormEvent, useState } from 'react';
import { request } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { ForbiddenPage } from '../components/ForbiddenPage.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAuth } from '../lib/auth.tsx';
import { roleCan, useCan } from '../lib/permissions.ts';
import { useAsync } from '../lib/useAsync.ts';

/** An OpenRosa key as GET /api/v1/openrosa/keys answers it (never the key itself). */
interface OpenRosaKey {
  id: string;
  userId: string;
  userEmail: string;
  userName: string | null;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface MadeKey {
  key: OpenRosaKey;
  secret: string;
  serverUrl: string;
  settings: string;
  qrSvg: string;
}

/**
 * Connect ODK Collect or KoboCollect: makes an OpenRosa key for a phone and shows, once, the
 * server URL with the key and the QR code the app scans (its settings); lists the user's keys
 * (an administrator: everyone's) and revokes one after confirming.
 */
export function OdkConnect() {
  const { t } = useI18n();
  const { can } = useCan();
  // Keys send reports: a role that may not enter them has none (an administrator makes them for others).
  if (!can('report.create') && !can('user.manage'))
    return <ForbiddenPage title={t('odk.title')} className="odk-page" />;
  return <OdkKeys />;
}

function OdkKeys() {
  const { t, locale } = useI18n();
  const { user } = useAuth();
  const isAdmin = roleCan(user?.role ?? 'viewer', 'user.manage');
  const [all, setAll] = useState(false);
  const list = useAsync(
    async (signal) =>
      (await request<{ items: OpenRosaKey[] }>(`/api/v1/openrosa/keys${all ? '?all=true' : ''}`, { signal }))
        .data,
    [all],
  );
  const [label, setLabel] = useState('');
  const [made, setMade] = useState<MadeKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const when = (iso: string | null) =>
    iso
      ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
      : t('devices.never');

  const make = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await request<MadeKey>('/api/v1/openrosa/keys', {
        method: 'POST',
        body: { label: label.trim() },
      });
      setMade(r.data);
      setLabel('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: OpenRosaKey) => {
    if (!window.confirm(t('odk.revokeConfirm', { label: k.label, user: k.userName || k.userEmail }))) return;
    setError(null);
    try {
      await request(`/api/v1/openrosa/keys/${k.id}`, { method: 'DELETE' });
      if (made?.key.id === k.id) setMade(null);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="odk-h" className="page odk-page">
      <h1 id="odk-h">{t('odk.title')}</h1>
      <p className="muted">{t('odk.intro')}</p>
      {error ? <ErrorNote error={error} /> : null}
      <form className="card odk-make" onSubmit={make}>
        <label>
          {t('odk.label')}
          <input
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            maxLength={100}
            required
            placeholder={t('odk.labelPlaceholder')}
            data-testid="odk-label"
          />
        </label>
        <button type="submit" disabled={busy || !label.trim()} data-testid="odk-make">
          {t('odk.make')}
        </button>
      </form>
      {made ? (
        <section className="card odk-made" aria-labelledby="odk-made-h" data-testid="odk-made">
          <h2 id="odk-made-h">{t('odk.madeTitle', { label: made.key.label })}</h2>
          <p role="status">{t('odk.shownOnce')}</p>
          <div className="odk-qr-row">
            <img
              className="odk-qr"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(made.qrSvg)}`}
              alt={t('odk.qrAlt')}
              width={240}
              height={240}
              data-testid="odk-qr"
            />
            <dl className="fields compact">
              <div>
                <dt>{t('odk.serverUrl')}</dt>
                <dd>
                  <code className="odk-url" data-testid="odk-url">
                    {made.serverUrl}
                  </code>
                </dd>
              </div>
              <div>
                <dt>{t('odk.username')}</dt>
                <dd>{made.key.userEmail}</dd>
              </div>
            </dl>
          </div>
          <p className="muted">{t('odk.manual')}</p>
        </section>
      ) : null}
      <h2>{t('odk.keys')}</h2>
      {isAdmin ? (
        <label className="check">
          <input
            type="checkbox"
            checked={all}
            onChange={(e) => setAll(e.target.checked)}
            data-testid="odk-all"
          />{' '}
          {t('odk.allUsers')}
        </label>
      ) : null}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.data && list.data.items.length === 0 ? <p className="muted">{t('odk.none')}</p> : null}
      <ul className="device-cards odk-keys" data-testid="odk-keys">
        {(list.data?.items ?? []).map((k) => (
          <li key={k.id} className="card">
            <h3>{k.label}</h3>
            <dl className="fields compact">
              {all ? (
                <div>
                  <dt>{t('odk.user')}</dt>
                  <dd>{k.userName || k.userEmail}</dd>
                </div>
              ) : null}
              <div>
                <dt>{t('odk.created')}</dt>
                <dd>{when(k.createdAt)}</dd>
              </div>
              <div>
                <dt>{t('odk.lastUsed')}</dt>
                <dd>{when(k.lastUsedAt)}</dd>
              </div>
            </dl>
            {k.revokedAt ? (
              <span>{t('devices.revokedOn', { date: when(k.revokedAt) })}</span>
            ) : (
              <button type="button" className="danger" onClick={() => revoke(k)}>
                {t('devices.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
