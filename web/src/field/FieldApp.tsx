import type { Feature } from 'geojson';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, csrfToken } from '../api/client.ts';
import type { ServerConfig, User } from '../api/types.ts';
import { LanguageSelect } from '../components/LanguageSelect.tsx';
import { formatLatLon } from '../geo/coords.ts';
import { useI18n } from '../i18n/index.tsx';
import { useAuth } from '../lib/auth.tsx';
import { useProgrammeExtent } from '../lib/extent.ts';
import { loadOptions, type Option } from '../lib/options.ts';
import { roleCan } from '../lib/permissions.ts';
import { matchPath, useRouter } from '../lib/router.tsx';
import type { BasemapArchive } from '../map/style.ts';
import { fieldRequest, onRevoked } from './api.ts';
import {
  AREA_REGISTERS,
  areaFeatures,
  bboxOfFeatures,
  cacheMap,
  downloadRecords,
  keptBasemap,
  type Progress,
} from './area.ts';
import { DraftForm } from './DraftForm.tsx';
import { FIELD_KINDS, type FieldDraft, type FieldKind, fieldKindLabel, newDraft } from './drafts.ts';
import { type AreaLayers, FieldMap } from './FieldMap.tsx';
import { deviceId, type FieldArea, fieldDb, getMeta, setMeta, wipeDevice } from './store.ts';
import { APP_VERSION, draftCounts, syncQueue } from './sync.ts';
import type { Bbox } from './tiles.ts';
import { localPlane } from './within.ts';
import './field.css';

/**
 * The installable field app at /field: signs in once online, downloads a chosen area, then works
 * with no network (the service worker keeps the app; IndexedDB keeps the area, drafts, photos and
 * the queue) and sends the queue when the network returns.
 */

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** The app's files are kept by the service worker (built by vite-plugin-pwa) once /field has been opened online. */
function useServiceWorker(): void {
  useEffect(() => {
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  }, []);
}

function deviceLabel(): string {
  const ua = navigator.userAgent;
  const kind = /Android/i.test(ua)
    ? 'Android'
    : /iPhone|iPad/i.test(ua)
      ? 'iOS'
      : /Windows/i.test(ua)
        ? 'Windows'
        : /Linux/i.test(ua)
          ? 'Linux'
          : 'Device';
  return `${kind} · ${new Date().toISOString().slice(0, 10)}`;
}

interface Loaded {
  area: FieldArea | null;
  layers: AreaLayers;
  drafts: FieldDraft[];
  config: ServerConfig | null;
  archive: BasemapArchive | null;
}

async function loadDevice(): Promise<Loaded> {
  const area = (await getMeta('area')) ?? null;
  const layers: AreaLayers = {};
  for (const r of AREA_REGISTERS) layers[r] = await areaFeatures(r);
  const drafts = (await (await fieldDb()).getAll('drafts')).sort((a, b) =>
    b.updatedAt.localeCompare(a.updatedAt),
  );
  const { config, archive } = await keptBasemap();
  return { area, layers, drafts, config, archive };
}

export function FieldApp() {
  const { t } = useI18n();
  const auth = useAuth();
  const { path, navigate } = useRouter();
  const online = useOnline();
  useServiceWorker();
  const [stored, setStored] = useState<User | null | undefined>(undefined);
  const [revoked, setRevoked] = useState(false);
  const [device, setDevice] = useState<Loaded | null>(null);
  const [syncing, setSyncing] = useState(false);
  // The key and parameters, so that the note follows a change of language.
  const [syncNote, setSyncNote] = useState<{ key: string; params?: Record<string, unknown> } | null>(null);
  const syncLock = useRef(false);

  useEffect(() => {
    void getMeta('user').then((u) => setStored(u ?? null));
  }, []);

  // The server's word on who is signed in wins when there is one; another user on this device
  // first clears what the previous one kept.
  useEffect(() => {
    const u = auth.user;
    if (!u || stored === undefined) return;
    if (stored && stored.id !== u.id) {
      void wipeDevice()
        .then(() => setMeta('user', u))
        .then(() => setStored(u));
    } else if (!stored || JSON.stringify(stored) !== JSON.stringify(u)) {
      void setMeta('user', u).then(() => setStored(u));
    }
  }, [auth.user, stored]);

  // Offline the session cannot be asked for; the device's record of it stands while the session cookie does.
  const user: User | null = auth.user ?? (stored && csrfToken() ? stored : null);

  const reload = useCallback(async () => setDevice(await loadDevice()), []);
  const userId = user?.id;
  useEffect(() => {
    if (userId) void reload();
  }, [userId, reload]);

  const signOut = useCallback(async () => {
    await wipeDevice();
    setStored(null);
    setDevice(null);
    await auth.signOut();
    navigate('/field', { replace: true });
  }, [auth, navigate]);

  useEffect(
    () =>
      onRevoked(() => {
        setRevoked(true);
        void signOut();
      }),
    [signOut],
  );

  const sync = useCallback(async () => {
    if (!user || syncLock.current || !navigator.onLine) return;
    syncLock.current = true;
    setSyncing(true);
    setSyncNote(null);
    try {
      const area = await getMeta('area');
      const queued = (await draftCounts()).pending;
      const outcome = await syncQueue(user, !!area, () => void reload());
      if (!outcome.stopped && area?.cursor) await downloadRecords(area, () => undefined);
      if (queued > 0 || outcome.stopped)
        setSyncNote(
          outcome.stopped
            ? { key: 'fieldApp.sync.stopped' }
            : outcome.refused > 0
              ? { key: 'fieldApp.sync.someRefused', params: { count: outcome.refused } }
              : { key: 'fieldApp.sync.done' },
        );
    } catch (err) {
      setSyncNote({
        key:
          err instanceof ApiError && err.status === 401
            ? 'fieldApp.sync.signInAgain'
            : 'fieldApp.sync.stopped',
      });
    } finally {
      syncLock.current = false;
      setSyncing(false);
      await reload();
    }
  }, [user, reload]);

  // The queue goes as soon as the network is back (or the user is known), not on each new `sync`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the network or the user changes
  useEffect(() => {
    if (online && userId) void sync();
  }, [online, userId]);

  if (stored === undefined || (auth.loading && !stored))
    return <div className="page-status">{t('app.loading')}</div>;

  const header = (
    <header className="field-top">
      <a
        href="/field"
        onClick={(e) => {
          e.preventDefault();
          navigate('/field');
        }}
        className="field-brand"
      >
        {t('fieldApp.title')}
      </a>
      <span className={`field-net ${online ? 'on' : 'off'}`} data-testid="field-network">
        {online ? t('fieldApp.online') : t('fieldApp.offline')}
      </span>
      <LanguageSelect />
    </header>
  );

  if (!user)
    return (
      <div className="field-app">
        {header}
        <main className="field-main">
          <FieldSignIn revoked={revoked} online={online} />
        </main>
      </div>
    );

  let page = null;
  const draftMatch = matchPath('/field/drafts/:id', path);
  const newMatch = matchPath('/field/new/:kind', path);
  if (!device) page = <p className="page-status">{t('app.loading')}</p>;
  else if (path === '/field/area')
    page = (
      <AreaScreen
        user={user}
        online={online}
        device={device}
        onDone={async () => {
          await reload();
          navigate('/field');
        }}
      />
    );
  else if (path === '/field/map')
    page = (
      <FieldMap
        config={device.config}
        archive={device.archive}
        layers={device.layers}
        fitTo={device.area?.bbox ?? bboxOfFeatures(device.layers.hazards ?? [])}
        label={t('fieldApp.map.label')}
      />
    );
  else if (newMatch && (FIELD_KINDS as readonly string[]).includes(newMatch.kind))
    page = <NewDraft kind={newMatch.kind as FieldKind} onCreated={reload} />;
  else if (draftMatch) {
    const draft = device.drafts.find((d) => d.clientId === draftMatch.id);
    page = draft ? (
      <DraftForm
        key={draft.clientId}
        initial={draft}
        user={user}
        layers={device.layers}
        config={device.config}
        archive={device.archive}
        onQueued={async () => {
          await reload();
          navigate('/field');
          if (navigator.onLine) void sync();
        }}
        onClose={async () => {
          await reload();
          navigate('/field');
        }}
      />
    ) : (
      <p className="page-status">{t('app.notFound')}</p>
    );
  } else
    page = (
      <Home
        user={user}
        device={device}
        online={online}
        syncing={syncing}
        syncNote={syncNote}
        onSync={sync}
        onSignOut={signOut}
      />
    );

  return (
    <div className="field-app">
      {header}
      <main className="field-main" id="main">
        {page}
      </main>
    </div>
  );
}

function NewDraft({ kind, onCreated }: { kind: FieldKind; onCreated: () => Promise<void> }) {
  const { navigate } = useRouter();
  const made = useRef(false);
  useEffect(() => {
    // Once, even when React runs the effect twice in development.
    if (made.current) return;
    made.current = true;
    const d = newDraft(kind);
    void fieldDb()
      .then((db) => db.put('drafts', d))
      .then(onCreated)
      .then(() => navigate(`/field/drafts/${d.clientId}`, { replace: true }));
  }, [kind, navigate, onCreated]);
  return null;
}

function FieldSignIn({ revoked, online }: { revoked: boolean; online: boolean }) {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const u = await signIn(email, password);
      await setMeta('user', u);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401 ? t('auth.invalidCredentials') : t('error.network'),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="field-card field-signin" onSubmit={submit}>
      <h1>{t('fieldApp.title')}</h1>
      {revoked && (
        <p className="error" role="alert">
          {t('fieldApp.revoked')}
        </p>
      )}
      {!online && <p className="warning">{t('fieldApp.signInOnline')}</p>}
      <label htmlFor="f-email">{t('auth.email')}</label>
      <input
        id="f-email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        required
      />
      <label htmlFor="f-password">{t('auth.password')}</label>
      <input
        id="f-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
      />
      {error && <p className="error">{error}</p>}
      <button type="submit" className="primary" disabled={busy || !online}>
        {t('auth.signIn')}
      </button>
    </form>
  );
}

function Home({
  user,
  device,
  online,
  syncing,
  syncNote,
  onSync,
  onSignOut,
}: {
  user: User;
  device: Loaded;
  online: boolean;
  syncing: boolean;
  syncNote: { key: string; params?: Record<string, unknown> } | null;
  onSync: () => void;
  onSignOut: () => void;
}) {
  const { t, tk, dateTime } = useI18n();
  const { navigate } = useRouter();
  const { area, drafts } = device;
  const counts = {
    pending: drafts.filter((d) => d.state === 'pending').length,
    sent: drafts.filter((d) => d.state === 'sent').length,
    refused: drafts.filter((d) => d.state === 'refused').length,
  };
  const mayReport = roleCan(user.role, 'report.create');
  return (
    <div className="field-home">
      <section className="field-card" aria-labelledby="f-area-h">
        <h2 id="f-area-h">{t('fieldApp.area.title')}</h2>
        {area ? (
          <>
            <p data-testid="field-area-label">
              {area.adminAreaId || !area.bbox ? <bdi>{area.label}</bdi> : <ViewLabel bbox={area.bbox} />}
            </p>
            <p className="field-hint">
              {t('fieldApp.area.held', {
                hazards: area.counts.hazards ?? 0,
                findings: area.counts.findings ?? 0,
                tiles: area.tiles,
              })}
              {area.syncedAt ? ` · ${t('fieldApp.area.syncedAt', { when: dateTime(area.syncedAt) })}` : ''}
            </p>
          </>
        ) : (
          <p>{t('fieldApp.area.none')}</p>
        )}
        <div className="field-buttons">
          <button type="button" onClick={() => navigate('/field/area')} disabled={!online}>
            {area ? t('fieldApp.area.change') : t('fieldApp.area.choose')}
          </button>
          {area && (
            <button type="button" onClick={() => navigate('/field/map')}>
              {t('fieldApp.map.open')}
            </button>
          )}
        </div>
      </section>

      {mayReport && (
        <section className="field-card" aria-labelledby="f-new-h">
          <h2 id="f-new-h">{t('fieldApp.new')}</h2>
          <div className="field-kinds">
            {FIELD_KINDS.map((k) => (
              <button key={k} type="button" className="field-big" onClick={() => navigate(`/field/new/${k}`)}>
                {t(fieldKindLabel(k))}
              </button>
            ))}
          </div>
        </section>
      )}

      <section className="field-card" aria-labelledby="f-sync-h">
        <h2 id="f-sync-h">{t('fieldApp.sync.title')}</h2>
        <p className="field-counts" data-testid="field-counts">
          <span className="state-pending">{t('fieldApp.sync.pending', { count: counts.pending })}</span>
          <span className="state-sent">{t('fieldApp.sync.sent', { count: counts.sent })}</span>
          <span className="state-refused">{t('fieldApp.sync.refused', { count: counts.refused })}</span>
        </p>
        <button
          type="button"
          className="primary field-big"
          onClick={onSync}
          disabled={!online || syncing}
          data-testid="field-sync"
        >
          {syncing ? t('fieldApp.sync.sending') : t('fieldApp.sync.now')}
        </button>
        {syncNote && (
          <p role="status" data-testid="field-sync-note">
            {t(syncNote.key, syncNote.params)}
          </p>
        )}
      </section>

      <section className="field-card" aria-labelledby="f-drafts-h">
        <h2 id="f-drafts-h">{t('fieldApp.drafts')}</h2>
        {drafts.length === 0 && <p>{t('fieldApp.noDrafts')}</p>}
        <ul className="field-drafts">
          {drafts.map((d) => (
            <li key={d.clientId} data-testid="field-draft">
              <a
                href={`/field/drafts/${d.clientId}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/field/drafts/${d.clientId}`);
                }}
              >
                <strong>{t(fieldKindLabel(d.kind))}</strong>
                {d.reportCode && (
                  <>
                    {' · '}
                    <bdi>{d.reportCode}</bdi>
                  </>
                )}
                {' · '}
                <bdi>{dateTime(d.updatedAt)}</bdi>
                <span className={`field-badge state-${d.state}`}>
                  {tk(`fieldApp.state.${d.state}`, d.state)}
                </span>
              </a>
              {d.problem && (
                <p className="error" data-testid="field-draft-problem">
                  {d.problem.detail} <code>{d.problem.code}</code>
                </p>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="field-card">
        <p className="field-hint" data-testid="field-account">
          <bdi>{user.name || user.email}</bdi> · {t('fieldApp.version', { version: APP_VERSION })} ·{' '}
          {t('fieldApp.draftCount', { count: drafts.length })}
        </p>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (
              counts.pending === 0 ||
              window.confirm(t('fieldApp.signOutPending', { count: counts.pending }))
            )
              onSignOut();
          }}
        >
          {t('fieldApp.signOut')}
        </button>
      </section>
    </div>
  );
}

function AreaScreen({
  user,
  online,
  device,
  onDone,
}: {
  user: User;
  online: boolean;
  device: Loaded;
  onDone: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [areas, setAreas] = useState<Option[]>([]);
  const [chosen, setChosen] = useState('');
  const [view, setView] = useState<Bbox | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [config, setConfig] = useState<ServerConfig | null>(device.config);
  // With no area on the device yet, the map opens on the programme, not on the whole region.
  const programme = useProgrammeExtent();
  useEffect(() => {
    loadOptions('admin-areas').then(setAreas, () => setAreas([]));
    fieldRequest<ServerConfig>('/api/v1/config').then(
      (r) => setConfig(r.data),
      () => undefined,
    );
  }, []);

  const download = async (area: Pick<FieldArea, 'adminAreaId' | 'bbox' | 'label'>) => {
    setError(null);
    setProgress({ phase: 'records', done: 0, total: null });
    try {
      await fieldRequest('/api/v1/devices', {
        method: 'POST',
        body: {
          id: await deviceId(),
          label: deviceLabel(),
          appVersion: APP_VERSION,
          area: area.adminAreaId ? { adminAreaId: area.adminAreaId } : { bbox: area.bbox },
        },
      });
      const previous = await getMeta('area');
      const same =
        previous &&
        previous.adminAreaId === area.adminAreaId &&
        JSON.stringify(previous.bbox) === JSON.stringify(area.bbox);
      const start: FieldArea = {
        ...area,
        cursor: same ? previous.cursor : null,
        syncedAt: null,
        counts: {},
        tiles: 0,
      };
      const loaded = await downloadRecords(start, setProgress);
      const box =
        area.bbox ??
        bboxOfFeatures(await areaFeatures('hazards')) ??
        bboxOfFeatures(await areaFeatures('settlements'));
      const tiles = box ? await cacheMap(box, setProgress) : 0;
      await setMeta('area', { ...loaded, bbox: area.bbox ?? box, tiles });
      const counts = await draftCounts();
      await fieldRequest(`/api/v1/devices/${await deviceId()}/status`, {
        method: 'PUT',
        body: { appVersion: APP_VERSION, ...counts },
      }).catch(() => undefined);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? (err.problem.detail ?? err.code) : t('error.unexpected'));
    } finally {
      setProgress(null);
    }
  };
  const hazards = device.layers.hazards ?? [];
  const label = areas.find((a) => a.id === chosen)?.label ?? '';
  return (
    <div className="field-area">
      <section className="field-card">
        <h2>{t('fieldApp.area.choose')}</h2>
        {!online && <p className="warning">{t('fieldApp.area.online')}</p>}
        <label htmlFor="f-admin-area">{t('fieldApp.area.adminArea')}</label>
        <select id="f-admin-area" value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="">{t('fieldApp.choose')}</option>
          {areas.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="primary field-big"
          disabled={!chosen || !online || !!progress}
          onClick={() => download({ adminAreaId: chosen, bbox: null, label })}
          data-testid="download-admin-area"
        >
          {t('fieldApp.area.download')}
        </button>
      </section>
      <section className="field-card">
        <h2>{t('fieldApp.area.byView')}</h2>
        <FieldMap
          config={config}
          archive={device.archive}
          layers={{}}
          fitTo={device.area?.bbox ?? bboxOfFeatures(hazards as Feature[]) ?? programme}
          onMove={setView}
          label={t('fieldApp.map.label')}
        />
        <button
          type="button"
          className="field-big"
          disabled={!view || !online || !!progress}
          onClick={() =>
            view &&
            download({
              adminAreaId: null,
              bbox: view.map((x) => Math.round(x * 1e5) / 1e5) as Bbox,
              label: viewLabel(i18n, view),
            })
          }
          data-testid="download-view"
        >
          {t('fieldApp.area.downloadView')}
        </button>
      </section>
      {progress && (
        <section className="field-card" role="status" data-testid="field-progress">
          <p>
            {progress.phase === 'records'
              ? t('fieldApp.area.progressRecords', { count: progress.done })
              : t('fieldApp.area.progressMap', { done: progress.done, total: progress.total ?? 0 })}
          </p>
          <progress max={progress.total ?? undefined} value={progress.total ? progress.done : undefined} />
        </section>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="field-hint">{t('fieldApp.area.scope', { name: user.name || user.email })}</p>
    </div>
  );
}

/**
 * A map view's area in words: its centre (latitude first, read left to right in every language)
 * and its size on the ground. Made when shown, so it follows the language.
 */
function viewLabel({ t, num }: Pick<ReturnType<typeof useI18n>, 't' | 'num'>, [w, s, e, n]: Bbox): string {
  const [lon, lat] = [(w + e) / 2, (s + n) / 2];
  const plane = localPlane(lon, lat);
  const size = (metres: number) =>
    metres >= 1000
      ? t('unit.km', { value: num(metres / 1000, { maximumFractionDigits: 1 }) })
      : t('unit.m', { value: num(Math.round(metres)) });
  return t('fieldApp.area.viewLabel', {
    centre: `\u2066${formatLatLon(lon, lat)}\u2069`,
    width: size(plane.toLocal(e, lat)[0] - plane.toLocal(w, lat)[0]),
    height: size(plane.toLocal(lon, n)[1] - plane.toLocal(lon, s)[1]),
  });
}

function ViewLabel({ bbox }: { bbox: Bbox }) {
  return <>{viewLabel(useI18n(), bbox)}</>;
}
