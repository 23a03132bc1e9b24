import type { Feature } from 'geojson';
import { type FormEvent, useState } from 'react';
import { ApiError, get, query, request, versionFromEtag } from '../api/client.ts';
import type { HistoryEntry, RecordPage as Page, RecordFeature, RecordProps } from '../api/types.ts';
import { Attachments } from '../components/Attachments.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FieldValue } from '../components/FieldValue.tsx';
import { HazardPriority } from '../components/HazardPriority.tsx';
import { bboxOf, MapView } from '../components/MapView.tsx';
import type { LayingRecord } from '../components/minefield/types.ts';
import { type Identity, ProtectedIdentity } from '../components/ProtectedIdentity.tsx';
import { RecordPicker } from '../components/RecordPicker.tsx';
import { evidencePoints, LegendItem, ROLE_COLOURS } from '../components/ReportMap.tsx';
import { TaskOrderProgress } from '../components/TaskOrderProgress.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useApiPaths } from '../lib/api-paths.ts';
import { useAuth } from '../lib/auth.tsx';
import { rowsOf, useLabel } from '../lib/options.ts';
import { roleCan, useCan } from '../lib/permissions.ts';
import {
  ENTRY_REGISTERS,
  fieldsOf,
  LINKED,
  LIST_COLUMNS,
  MINEFIELD_OWN_FIELDS,
  recordLabel,
  registerDef,
} from '../lib/registers.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { MinefieldDecode } from './MinefieldDecode.tsx';

interface Loaded {
  props: RecordProps;
  geometry: Feature['geometry'] | null;
  version: number;
}

/**
 * One record as its page and form show it. `identity` asks for a casualty's protected identity
 * too (only roles allowed `identity.read`; the page asks only when the user does).
 */
export async function loadRecord(
  slug: string,
  id: string,
  signal?: AbortSignal,
  identity = false,
): Promise<Loaded> {
  const r = await request<RecordFeature | RecordProps>(
    `/api/v1/${slug}/${id}${identity ? '?identity=true' : ''}`,
    { signal },
  );
  const body = r.data;
  const isFeature = (body as RecordFeature).type === 'Feature';
  const props = isFeature ? (body as RecordFeature).properties : (body as RecordProps);
  return {
    props,
    geometry: isFeature ? (body as RecordFeature).geometry : null,
    version: versionFromEtag(r.etag) ?? props.version,
  };
}

const SYSTEM_FIELDS = ['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'archived'];

export function RecordPage({ slug, id }: { slug: string; id: string }) {
  const { t, tk } = useI18n();
  const { navigate } = useRouter();
  const def = registerDef(slug);
  const rec = useAsync((signal) => loadRecord(slug, id, signal), [slug, id]);
  const [archiveError, setArchiveError] = useState<unknown>(null);
  /** Identity reads made on this page: each is a new history entry, so the history is read again. */
  const [identityReads, setIdentityReads] = useState(0);
  const paths = useApiPaths();
  const { mayWrite } = useCan();

  if (rec.loading && !rec.data)
    return (
      <p className="page-status" role="status">
        {t('app.loading')}
      </p>
    );
  if (rec.error) return <ErrorNote error={rec.error} onRetry={rec.reload} />;
  if (!rec.data) return null;
  const { props, geometry, version } = rec.data;
  // A minefield record's section shows the record, its readings and its one map itself.
  const minefield = slug === 'minefield-records';
  const shownElsewhere = minefield ? MINEFIELD_OWN_FIELDS : [];
  const fieldNames = (
    def ? fieldsOf(def).map((f) => f.name) : Object.keys(props).filter((k) => !SYSTEM_FIELDS.includes(k))
  ).filter((f) => !shownElsewhere.includes(f));
  const readOnly = def
    ? Object.keys(def.readOnly).filter((k) => k !== 'code' && !shownElsewhere.includes(k))
    : [];
  // Where its evidence was seen (a hazard's), drawn with the record's shape.
  const evidenceAt = geometry ? evidencePoints(props) : [];
  const bbox = geometry ? bboxOf([geometry, ...evidenceAt]) : null;

  const archive = async () => {
    if (!window.confirm(t('record.archiveConfirm'))) return;
    setArchiveError(null);
    try {
      await request(`/api/v1/${slug}/${id}`, { method: 'DELETE', headers: { 'If-Match': `"${version}"` } });
      rec.reload();
    } catch (err) {
      setArchiveError(err);
    }
  };

  return (
    <div className="page record-page">
      <div className="page-head">
        <div>
          <p className="muted">
            <Link to={`/registers/${slug}`}>{tk(`register.${slug}`, slug)}</Link>
          </p>
          <h1 data-testid="record-title">
            {recordLabel(props)} {props.archived && <span className="badge">{t('record.archived')}</span>}
          </h1>
        </div>
        <div className="actions">
          {geometry && (
            <button type="button" onClick={() => navigate(`/map?select=${slug}:${id}`)}>
              {t('record.showOnMap')}
            </button>
          )}
          {(slug === 'hazards' || slug === 'admin-areas') && (
            <Link to={`/provenance/${slug}/${id}`} className="button" data-testid="provenance-link">
              {t('provenance.open')}
            </Link>
          )}
          {ENTRY_REGISTERS.has(slug) && mayWrite(slug) && !props.archived && (
            <>
              <Link to={`/registers/${slug}/${id}/edit`} className="button primary">
                {t('action.edit')}
              </Link>
              <button type="button" className="danger" onClick={archive}>
                {t('action.archive')}
              </button>
            </>
          )}
        </div>
      </div>
      {archiveError ? <ErrorNote error={archiveError} /> : null}
      <div className="record-grid">
        <section aria-labelledby="fields-h">
          <h2 id="fields-h">{t('record.fields')}</h2>
          <dl className="fields">
            {[...fieldNames, ...readOnly].map((f) => (
              <div key={f}>
                <dt>{tk(`field.${f}`, f)}</dt>
                <dd>
                  {f === 'identity' ? (
                    <ProtectedIdentity
                      load={async () =>
                        ((await loadRecord(slug, id, undefined, true)).props.identity as
                          | Identity
                          | undefined) ?? null
                      }
                      onRead={() => setIdentityReads((n) => n + 1)}
                    />
                  ) : (
                    <FieldValue name={f} value={props[f]} />
                  )}
                </dd>
              </div>
            ))}
            <div>
              <dt>{t('field.version')}</dt>
              <dd>{version}</dd>
            </div>
            <div>
              <dt>{t('field.updatedAt')}</dt>
              <dd>
                <FieldValue name="updatedAt" value={props.updatedAt} />
              </dd>
            </div>
          </dl>
        </section>
        {geometry && !minefield && (
          <section aria-labelledby="geom-h">
            <h2 id="geom-h">{t('record.geometry')}</h2>
            <MapView
              className="small-map"
              label={t('record.geometry')}
              thematic={false}
              overlay={{
                type: 'FeatureCollection',
                features: [
                  { type: 'Feature', geometry, properties: {} },
                  ...evidenceAt.map(
                    (at): Feature => ({
                      type: 'Feature',
                      geometry: at,
                      properties: { colour: ROLE_COLOURS.evidence, radius: 5 },
                    }),
                  ),
                ],
              }}
              fitTo={bbox}
            />
            {evidenceAt.length > 0 && (
              <ul className="legend-inline">
                <LegendItem
                  colour={ROLE_COLOURS.evidence}
                  label={t('reportMap.evidence')}
                  testId="legend-evidence"
                />
              </ul>
            )}
          </section>
        )}
      </div>
      {minefield && props.record ? (
        <MinefieldDecode
          id={id}
          record={props.record as unknown as LayingRecord}
          version={version}
          onChanged={rec.reload}
        />
      ) : null}
      <HazardPriority slug={slug} id={id} />
      {slug === 'task-orders' && <TaskOrderProgress id={id} />}
      {(LINKED[slug] ?? []).map((l) => (
        <LinkedList key={l.slug} slug={l.slug} param={l.param} parentId={id} />
      ))}
      {slug !== 'sources' && paths?.has(`/api/v1/${slug}/{id}/sources`) && <Sources slug={slug} id={id} />}
      <Attachments slug={slug} id={id} />
      <History slug={slug} id={id} version={version} reads={identityReads} />
    </div>
  );
}

function LinkedList({ slug, param, parentId }: { slug: string; param: string; parentId: string }) {
  const { t, tk } = useI18n();
  const list = useAsync(
    (signal) => get<Page>(`/api/v1/${slug}${query({ [param]: parentId, limit: 100 })}`, signal),
    [slug, param, parentId],
  );
  const rows = list.data ? rowsOf(list.data) : [];
  const title = tk(`register.${slug}`, slug);
  const { mayWrite } = useCan();
  return (
    <section className="linked" aria-label={title}>
      <div className="section-head">
        <h2>
          {title} {list.data && <span className="count">{rows.length}</span>}
        </h2>
        {ENTRY_REGISTERS.has(slug) && mayWrite(slug) && (
          <Link to={`/registers/${slug}/new?${param}Id=${parentId}`}>{t('record.addLinked')}</Link>
        )}
      </div>
      {list.loading && <p className="muted">{t('app.loading')}</p>}
      {list.error ? <ErrorNote error={list.error} /> : null}
      {list.data && rows.length === 0 && <p className="muted">{t('record.noneLinked')}</p>}
      {rows.length > 0 && (
        <ul className="linked-list">
          {rows.map((r) => (
            <li key={r.id}>
              <Link to={`/registers/${slug}/${r.id}`}>{recordLabel(r)}</Link>
              {(LIST_COLUMNS[slug] ?? [])
                .filter((c) => c !== 'name' && r[c] !== null && r[c] !== undefined && r[c] !== '')
                .slice(0, 2)
                .map((c) => (
                  <span key={c} className="muted">
                    {' · '}
                    <FieldValue name={c} value={r[c]} />
                  </span>
                ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Sources({ slug, id }: { slug: string; id: string }) {
  const { t } = useI18n();
  const linked = useAsync(
    async (signal) => {
      const r = await get<Page | RecordProps[]>(`/api/v1/${slug}/${id}/sources`, signal);
      return Array.isArray(r) ? r : rowsOf(r);
    },
    [slug, id],
  );
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const mayLink = useCan().mayWrite(slug);
  const link = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice) return;
    setError(null);
    try {
      await request(`/api/v1/${slug}/${id}/sources`, { method: 'POST', body: { sourceId: choice } });
      setChoice('');
      linked.reload();
    } catch (err) {
      setError(err);
    }
  };
  const unlink = async (sourceId: string) => {
    setError(null);
    try {
      await request(`/api/v1/${slug}/${id}/sources/${sourceId}`, { method: 'DELETE' });
      linked.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="linked" aria-labelledby="sources-h">
      <h2 id="sources-h">{t('record.sources')}</h2>
      {linked.loading && <p className="muted">{t('app.loading')}</p>}
      {linked.data && linked.data.length === 0 && <p className="muted">{t('record.noSources')}</p>}
      {linked.data && linked.data.length > 0 && (
        <ul className="linked-list">
          {linked.data.map((s) => (
            <li key={s.id}>
              <Link to={`/registers/sources/${s.id}`}>{recordLabel(s)}</Link>{' '}
              {mayLink && (
                <button type="button" className="link-button no-print" onClick={() => unlink(s.id)}>
                  {t('record.unlink')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayLink && (
        <form className="inline-form no-print" onSubmit={link}>
          <label htmlFor="link-source">{t('record.linkSource')}</label>
          <RecordPicker slug="sources" id="link-source" value={choice} onChange={setChoice} />
          <button type="submit" disabled={!choice}>
            {t('record.link')}
          </button>
        </form>
      )}
      {error ? <ErrorNote error={error} /> : null}
    </section>
  );
}

function changedKeys(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter(
    (k) =>
      !['version', 'updatedAt', 'updatedBy'].includes(k) &&
      JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]),
  );
}

/** A history entry with the approval of the report that made the change, when there is one. */
type ApprovedHistoryEntry = HistoryEntry & {
  approval?: {
    reportId: string;
    reportCode: string;
    kind: string;
    approvedAt: string | null;
    approver: { id: string; name: string | null } | null;
  } | null;
};

/** A record's history; `reads` counts the identity reads made on the page, each a new entry. */
function History({ slug, id, version, reads }: { slug: string; id: string; version: number; reads: number }) {
  const { t, tk, dateTime } = useI18n();
  const { user } = useAuth();
  // History comes from the audit log (permission audit.read): other roles are told so, not refused.
  const mayRead = roleCan(user?.role, 'audit.read');
  const hist = useAsync(
    async (signal) =>
      mayRead
        ? get<{ items: ApprovedHistoryEntry[] }>(`/api/v1/${slug}/${id}/history`, signal)
        : { items: [] },
    [slug, id, version, mayRead, reads],
  );
  const items = hist.data?.items ?? [];
  return (
    <section className="linked" aria-labelledby="hist-h">
      <h2 id="hist-h">{t('record.history')}</h2>
      {hist.loading && <p className="muted">{t('app.loading')}</p>}
      {!mayRead || (hist.error instanceof ApiError && hist.error.status === 403) ? (
        <p className="muted" data-testid="history-not-available">
          {t('record.historyNotForRole')}
        </p>
      ) : hist.error ? (
        <ErrorNote error={hist.error} />
      ) : null}
      {mayRead && hist.data && items.length === 0 && <p className="muted">{t('record.noHistory')}</p>}
      {items.length > 0 && (
        <ol className="history">
          {[...items].reverse().map((h) => {
            const changed = h.action === 'update' ? changedKeys(h.before, h.after) : [];
            return (
              <li key={h.seq}>
                <strong>{tk(`history.${h.action}`, h.action)}</strong> · {dateTime(h.at)} ·{' '}
                {h.actor?.email ?? t('history.system')}
                {h.approval && (
                  <span className="history-approval" data-testid="history-approval">
                    {' — '}
                    {t('history.approval', {
                      kind: tk(`report.kind.${h.approval.kind}`, h.approval.kind),
                      approver: h.approval.approver?.name ?? t('history.system'),
                      at: h.approval.approvedAt ? dateTime(h.approval.approvedAt) : '',
                    })}{' '}
                    <Link to={`/reports/${h.approval.reportId}`}>{h.approval.reportCode}</Link>
                  </span>
                )}
                {h.action === 'attach' && typeof h.after?.filename === 'string' && (
                  <span className="muted"> — {h.after.filename}</span>
                )}
                {(h.action === 'link_source' || h.action === 'unlink_source') && (
                  <>
                    {' — '}
                    <RefLink slug="sources" id={String((h.after ?? h.before)?.sourceId ?? '')} />
                  </>
                )}
                {h.action === 'read_identity' && Array.isArray(h.after?.fields) && (
                  <span className="muted">
                    {' — '}
                    {(h.after.fields as string[]).map((k) => tk(`field.${k}`, k)).join(', ')}
                  </span>
                )}
                {changed.length > 0 && (
                  <span className="muted"> — {changed.map((k) => tk(`field.${k}`, k)).join(', ')}</span>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** A linked record by its code and name, as a link to its page. */
function RefLink({ slug, id }: { slug: string; id: string }) {
  const label = useLabel(slug, id || null);
  if (!id) return null;
  return <Link to={`/registers/${slug}/${id}`}>{label ?? id.slice(0, 8)}</Link>;
}
