import type { Geometry } from 'geojson';
import { type FormEvent, memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, get, query, request } from '../api/client.ts';
import type { ProblemItem, Report, ReportChange, ReportWarning } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FieldValue } from '../components/FieldValue.tsx';
import { LatLon } from '../components/LatLon.tsx';
import { bboxOf } from '../components/MapView.tsx';
import { type Identity, ProtectedIdentity } from '../components/ProtectedIdentity.tsx';
import { ReportAttachments } from '../components/ReportAttachments.tsx';
import { evidencePoints, type MapItem, ReportMap } from '../components/ReportMap.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useApiPaths } from '../lib/api-paths.ts';
import { useAuth } from '../lib/auth.tsx';
import { invalidateExtent } from '../lib/extent.ts';
import { useLabel } from '../lib/options.ts';
import { roleCan, useCan } from '../lib/permissions.ts';
import { recordLabel } from '../lib/registers.ts';
import { changeBlocks, formOfChanges, runFields } from '../lib/report-changes.ts';
import { Link } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { loadRecord } from './RecordPage.tsx';

/** Colours of the report map: the record as the register holds it, and as the report would leave it. */
export const BEFORE_COLOUR = '#6b7280';
export const AFTER_COLOUR = '#d9480f';

/** What the signed-in role may do with a report in its present state (src/domain/permissions.ts). */
export function reportActions(
  role: string,
  status: string,
): Array<'submit' | 'review' | 'approve' | 'reject'> {
  const out: Array<'submit' | 'review' | 'approve' | 'reject'> = [];
  if ((status === 'draft' || status === 'rejected') && roleCan(role, 'report.submit')) out.push('submit');
  if (status === 'submitted' && roleCan(role, 'report.review')) out.push('review');
  if ((status === 'submitted' || status === 'reviewed') && roleCan(role, 'report.approve'))
    out.push('approve', 'reject');
  return out;
}

/** Index of the change a problem pointer names: `/payload/changes/2/record/geometry` → 2. */
export function changeOfPointer(pointer: string | undefined): number | null {
  const m = /^\/payload\/changes\/(\d+)(\/|$)/.exec(pointer ?? '');
  return m ? Number(m[1]) : null;
}

function StatusBadge({ status }: { status: string }) {
  const { tk } = useI18n();
  return <span className={`badge status-${status}`}>{tk(`report.status.${status}`, status)}</span>;
}

/** The hazards a report is about: those its changes name (hazardId) or change themselves. */
export function hazardsOf(report: Report): string[] {
  const ids = new Set<string>();
  for (const c of report.payload.changes) {
    if (c.op !== 'create' && c.register === 'hazards') ids.add(c.id);
    const { props } = changeParts(c);
    if (typeof props.hazardId === 'string' && /^[0-9a-f-]{36}$/.test(props.hazardId)) ids.add(props.hazardId);
  }
  return [...ids];
}

function Label({ slug, id }: { slug: string; id: string }) {
  const label = useLabel(slug, id);
  return <Link to={`/registers/${slug}/${id}`}>{label ?? id.slice(0, 8)}</Link>;
}

/** How long a report has waited, in the user's language ("3 days ago"). */
function useAge(): (iso: string | null) => string {
  const { locale } = useI18n();
  const rtf = useMemo(() => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }), [locale]);
  return (iso) => {
    if (!iso) return '—';
    const hours = (Date.now() - new Date(iso).getTime()) / 3_600_000;
    return hours < 24 ? rtf.format(-Math.round(hours), 'hour') : rtf.format(-Math.round(hours / 24), 'day');
  };
}

function ReportTable({ items, mode }: { items: Report[]; mode: ListMode }) {
  const { t, tk, date } = useI18n();
  const { user } = useAuth();
  const age = useAge();
  const users = useUserNames();
  if (items.length === 0) return <p className="empty">{t('reports.empty')}</p>;
  const queue = mode === 'review' || mode === 'approve';
  const submitter = (r: Report) =>
    r.createdBy === user?.id
      ? t('reports.you')
      : r.createdBy
        ? (r.createdByName ?? users?.get(r.createdBy) ?? t('reports.otherUser'))
        : '—';
  return (
    <div className="table-wrap">
      <table className="records" data-testid="report-table">
        <thead>
          <tr>
            <th scope="col">{t('field.code')}</th>
            <th scope="col">{t('report.kind')}</th>
            <th scope="col">{t('report.status')}</th>
            <th scope="col">{t('field.organisationId')}</th>
            <th scope="col">{t('reports.hazards')}</th>
            {queue && <th scope="col">{t('reports.submitter')}</th>}
            <th scope="col">{t('field.dateOfInformation')}</th>
            <th scope="col">{queue ? t('reports.waiting') : t('field.updatedAt')}</th>
            <th scope="col">{t('report.changes')}</th>
            {mode === 'drafts' && <th scope="col">{t('report.rejectionReason')}</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/reports/${r.id}`} className="record-code">
                  {r.code}
                </Link>
              </td>
              <td>{tk(`report.kind.${r.kind}`, r.kind)}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.organisationId ? <Label slug="organisations" id={r.organisationId} /> : '—'}</td>
              <td>
                <ul className="plain-list">
                  {hazardsOf(r).map((h) => (
                    <li key={h}>
                      <Label slug="hazards" id={h} />
                    </li>
                  ))}
                </ul>
              </td>
              {queue && <td>{submitter(r)}</td>}
              <td>{date(r.dateOfInformation)}</td>
              <td>{queue ? age(r.submittedAt ?? r.createdAt) : age(r.updatedAt)}</td>
              <td>{r.payload.changes.length}</td>
              {mode === 'drafts' && <td data-testid="list-rejection-reason">{r.rejectionReason ?? ''}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Names of users by id, for those who may read them (administrators); null otherwise. */
function useUserNames(): Map<string, string> | null {
  const { user } = useAuth();
  const may = roleCan(user?.role, 'user.manage');
  const list = useAsync(
    async (signal) =>
      may
        ? (
            await get<{ items: Array<{ id: string; name: string | null; email: string }> }>(
              '/api/v1/users',
              signal,
            )
          ).items
        : [],
    [may],
  );
  if (!may || !list.data) return null;
  return new Map(list.data.map((u) => [u.id, u.name || u.email]));
}

/** The lists of the Reports page: what waits for the signed-in role, and all reports. */
export type ListMode = 'drafts' | 'review' | 'approve' | 'all';

/** The tabs a role has, first what waits for it. */
export function reportTabs(role: string): ListMode[] {
  const tabs: ListMode[] = [];
  if (roleCan(role, 'report.approve')) tabs.push('approve');
  if (roleCan(role, 'report.review') && !roleCan(role, 'report.approve')) tabs.push('review');
  if (roleCan(role, 'report.create')) tabs.push('drafts');
  tabs.push('all');
  return tabs;
}

/** Where the Reports entry of the navigation takes a role: its first tab. */
export function reportsHome(role: string): string {
  const first = reportTabs(role)[0];
  return first === 'all' ? '/reports' : `/reports/${first}`;
}

/** The statuses of each list, and whether it holds only the user's own reports. */
function listQueries(mode: ListMode): Array<Record<string, string | boolean>> {
  if (mode === 'drafts')
    return [
      { mine: true, status: 'draft' },
      { mine: true, status: 'rejected' },
    ];
  if (mode === 'review') return [{ status: 'submitted' }];
  if (mode === 'approve') return [{ status: 'submitted' }, { status: 'reviewed' }];
  return [{}];
}

export async function loadReportList(mode: ListMode, signal?: AbortSignal): Promise<Report[]> {
  const pages = await Promise.all(
    listQueries(mode).map((q) =>
      get<{ items: Report[] }>(`/api/v1/reports${query({ ...q, limit: 500 })}`, signal),
    ),
  );
  return pages.flatMap((p) => p.items).sort((a, b) => (a.code < b.code ? 1 : -1));
}

/** How many reports wait in each of a role's lists (all reports not counted). */
export function useReportCounts(role: string, refresh: unknown): Partial<Record<ListMode, number>> | null {
  const tabs = reportTabs(role).filter((m) => m !== 'all');
  const counts = useAsync(
    async (signal) => {
      const out: Partial<Record<ListMode, number>> = {};
      await Promise.all(
        tabs.map(async (m) => {
          out[m] = (await loadReportList(m, signal)).length;
        }),
      );
      return out;
    },
    [tabs.join(','), refresh],
  );
  return counts.data;
}

const TAB_TITLE: Record<ListMode, string> = {
  drafts: 'reports.myDrafts',
  review: 'reports.toReview',
  approve: 'reports.toApprove',
  all: 'reports.all',
};

export function ReportList({ mode }: { mode: ListMode }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const role = user?.role ?? 'viewer';
  const list = useAsync((signal) => loadReportList(mode, signal), [mode, role]);
  const counts = useReportCounts(role, mode);
  const tabs = reportTabs(role);
  return (
    <div className="page report-list">
      <div className="page-head">
        <h1>{t(TAB_TITLE[mode])}</h1>
        <div className="actions">
          {roleCan(role, 'report.create') && (
            <Link to="/reports/new" className="button primary">
              {t('reports.new')}
            </Link>
          )}
        </div>
      </div>
      <nav className="tabs" aria-label={t('nav.reports')}>
        <ul>
          {tabs.map((m) => (
            <li key={m}>
              <Link
                to={m === 'all' ? '/reports' : `/reports/${m}`}
                className={mode === m ? 'active' : undefined}
                aria-current={mode === m ? 'page' : undefined}
                data-testid={`tab-${m}`}
              >
                {t(TAB_TITLE[m])}
                {counts?.[m] !== undefined && (
                  <span className={`tab-count ${counts[m] === 0 ? 'zero' : ''}`}>{counts[m]}</span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {mode === 'drafts' && <p className="hint">{t('reports.draftsHint')}</p>}
      {list.loading && <p className="muted">{t('app.loading')}</p>}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.data && <ReportTable items={list.data} mode={mode} />}
    </div>
  );
}

interface FeatureLike {
  type?: string;
  geometry?: Geometry | null;
  properties?: Record<string, unknown>;
}

/** The fields and geometry a change carries, whether given as a Feature or as plain fields. */
function changeParts(change: ReportChange): {
  props: Record<string, unknown>;
  geometry: Geometry | null | undefined;
} {
  if (change.op === 'archive') return { props: {}, geometry: undefined };
  const r = (change.record ?? {}) as FeatureLike & Record<string, unknown>;
  if (r.type === 'Feature') return { props: r.properties ?? {}, geometry: r.geometry };
  return { props: r, geometry: undefined };
}

/** Fields of a change that differ from the current record: [field, before, after]. */
export function fieldDifferences(
  current: Record<string, unknown> | null,
  after: Record<string, unknown>,
): Array<[string, unknown, unknown]> {
  return Object.keys(after)
    .filter((k) => JSON.stringify(current?.[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .map((k) => [k, current?.[k] ?? null, after[k]]);
}

/** The record a change is seen against: the record itself (update, archive), or the hazard a new record lies in. */
function contextOf(
  change: ReportChange,
  props: Record<string, unknown>,
): { slug: string; id: string } | null {
  if (change.op !== 'create') return { slug: change.register, id: change.id };
  return typeof props.hazardId === 'string' &&
    /^[0-9a-f-]{36}$/.test(props.hazardId) &&
    change.register !== 'hazards'
    ? { slug: 'hazards', id: props.hazardId }
    : null;
}

type Loaded = Awaited<ReturnType<typeof loadRecord>>;

/** The geometry a change leaves on the map (null: none of its own; an update's shape is then its record's). */
function afterGeometryOf(change: ReportChange): Geometry | null {
  if (change.op === 'archive') return null;
  return changeParts(change).geometry ?? null;
}

const ChangeView = memo(function ChangeView({
  change,
  index,
  problems,
  before,
  beforeError,
  selected,
  onSelect,
  identityOf,
}: {
  change: ReportChange;
  index: number;
  problems: ProblemItem[];
  before: Loaded | null | undefined;
  beforeError: unknown;
  selected: boolean;
  onSelect: (key: string | null) => void;
  /** The report's id when this change holds a casualty's identity, read only on request. */
  identityOf: string | null;
}) {
  const { t, tk } = useI18n();
  const { props } = changeParts(change);
  const ctx = contextOf(change, props);
  const isCurrent = change.op !== 'create';
  const diffs = fieldDifferences(isCurrent ? (before?.props ?? null) : null, props);
  const title = `${index + 1}. ${tk(`report.op.${change.op}`, change.op)} · ${tk(`register.${change.register}`, change.register)}`;
  const key = `c${index}`;
  return (
    <section
      className={`report-change ${selected ? 'selected' : ''}`}
      data-testid={`change-${index}`}
      data-key={key}
      aria-label={title}
    >
      <h3>
        <button
          type="button"
          className="link-button change-title"
          aria-pressed={selected}
          onClick={() => onSelect(selected ? null : key)}
        >
          {title}
        </button>
        {isCurrent && before && (
          <>
            {' · '}
            <Link to={`/registers/${change.register}/${ctx?.id ?? ''}`}>{recordLabel(before.props)}</Link>
          </>
        )}
        {change.op === 'create' && change.ref && (
          <span className="muted"> ({t('report.refNamed', { ref: change.ref })})</span>
        )}
      </h3>
      <ChangeProblems problems={problems} />
      {beforeError ? <ErrorNote error={beforeError} /> : null}
      {change.op !== 'archive' && diffs.length > 0 && (
        <div className="table-wrap">
          <table className="records diff" data-testid="diff-table">
            <thead>
              <tr>
                <th scope="col">{t('report.field')}</th>
                {isCurrent && <th scope="col">{t('report.before')}</th>}
                <th scope="col">{isCurrent ? t('report.after') : t('report.value')}</th>
              </tr>
            </thead>
            <tbody>
              {diffs.map(([k, b, a]) => (
                <tr key={k}>
                  <th scope="row">{tk(`field.${k}`, k)}</th>
                  {isCurrent && (
                    <td>
                      <FieldValue name={k} value={b} />
                    </td>
                  )}
                  <td>
                    <ChangeValue name={k} value={a} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {identityOf && (
        <p data-testid="change-identity">
          <strong>{t('field.identity')}</strong> <ChangeIdentity reportId={identityOf} index={index} />
        </p>
      )}
      {change.op === 'archive' && <p>{t('report.archives')}</p>}
    </section>
  );
});

function ChangeProblems({ problems }: { problems: ProblemItem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems" data-testid="change-problems">
      {problems.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
        <li key={i} className="error">
          {p.detail ?? p.code}
        </li>
      ))}
    </ul>
  );
}

/** A field's value in a change: a reference to a record made by the same report said in words. */
function ChangeValue({ name, value }: { name: string; value: unknown }) {
  const { t } = useI18n();
  if (typeof value === 'string' && value.startsWith('@ref:'))
    return (
      <span className="muted" data-testid="ref-value">
        {name === 'activityId'
          ? t('report.refActivity')
          : t('report.refRecord', { ref: value.slice('@ref:'.length) })}
      </span>
    );
  return <FieldValue name={name} value={value} />;
}

/** Where a new record lies, in words short enough for a table cell. */
function PlaceCell({ geometry }: { geometry: Geometry | null | undefined }) {
  const { tk } = useI18n();
  if (!geometry) return <span className="muted">–</span>;
  if (geometry.type === 'Point')
    return <LatLon lon={geometry.coordinates[0]} lat={geometry.coordinates[1]} />;
  return <>{tk(`geometryType.${geometry.type}`, geometry.type)}</>;
}

/**
 * The identity a change of a report holds (a casualty's), read on request by a role that may:
 * the report is read again with `?identity=true`, which the server records in the audit log.
 */
function ChangeIdentity({
  reportId,
  index,
  compact,
}: {
  reportId: string;
  index: number;
  compact?: boolean;
}) {
  return (
    <ProtectedIdentity
      compact={compact}
      load={async () => {
        const full = await get<Report>(`/api/v1/reports/${reportId}?identity=true`);
        return (changeParts(full.payload.changes[index]!).props.identity as Identity | undefined) ?? null;
      }}
    />
  );
}

/** A run of new records of one register as one table: a row each, selectable like a change. */
const ChangeRun = memo(function ChangeRun({
  changes,
  start,
  problemsAt,
  selected,
  onSelect,
  identityOf,
}: {
  changes: ReportChange[];
  start: number;
  problemsAt: (index: number) => ProblemItem[];
  selected: string | null;
  onSelect: (key: string | null) => void;
  /** The report's id for the changes holding a casualty's identity (read on request), else null. */
  identityOf: (index: number) => string | null;
}) {
  const { t, tk } = useI18n();
  const parts = useMemo(() => changes.map(changeParts), [changes]);
  const { common, varying } = useMemo(() => runFields(parts.map((p) => p.props)), [parts]);
  const hasPlace = parts.some((p) => p.geometry);
  const register = changes[0].register;
  const title = t('report.runTitle', {
    from: start + 1,
    to: start + changes.length,
    op: tk('report.op.create', 'create'),
    register: tk(`register.${register}`, register),
    count: changes.length,
  });
  const { can } = useCan();
  const withIdentity = changes.some((_, n) => identityOf(start + n) !== null);
  const columns = varying.length + (hasPlace ? 1 : 0) + (withIdentity ? 1 : 0) + 1;
  return (
    <section className="report-change report-run" aria-label={title} data-testid={`run-${start}`}>
      <h3>{title}</h3>
      {common.length > 0 && (
        <dl className="run-common" data-testid="run-common">
          <dt className="muted">{t('report.runCommon', { count: changes.length })}</dt>
          {common.map((k) => (
            <dd key={k}>
              <strong>{tk(`field.${k}`, k)}</strong>: <ChangeValue name={k} value={parts[0].props[k]} />
            </dd>
          ))}
        </dl>
      )}
      {withIdentity && can('identity.read') && <p className="muted">{t('record.identityLogged')}</p>}
      <div className="table-wrap run-table">
        <table className="records">
          <thead>
            <tr>
              <th scope="col">{t('report.changeNumber')}</th>
              {hasPlace && <th scope="col">{t('report.place')}</th>}
              {varying.map((k) => (
                <th scope="col" key={k}>
                  {tk(`field.${k}`, k)}
                </th>
              ))}
              {withIdentity && <th scope="col">{t('field.identity')}</th>}
            </tr>
          </thead>
          <tbody>
            {changes.map((c, n) => {
              const index = start + n;
              const key = `c${index}`;
              const isSelected = selected === key;
              const problems = problemsAt(index);
              const held = identityOf(index);
              return [
                <tr
                  key={key}
                  className={isSelected ? 'selected' : ''}
                  data-testid={`change-${index}`}
                  data-key={key}
                >
                  <th scope="row">
                    <button
                      type="button"
                      className="link-button change-title"
                      aria-pressed={isSelected}
                      aria-label={`${index + 1}. ${tk('report.op.create', 'create')} · ${tk(`register.${c.register}`, c.register)}`}
                      onClick={() => onSelect(isSelected ? null : key)}
                    >
                      {index + 1}
                    </button>
                  </th>
                  {hasPlace && (
                    <td>
                      <PlaceCell geometry={parts[n].geometry} />
                    </td>
                  )}
                  {varying.map((k) => (
                    <td key={k}>
                      <ChangeValue name={k} value={parts[n].props[k]} />
                    </td>
                  ))}
                  {withIdentity && (
                    <td data-testid="change-identity">
                      {held ? <ChangeIdentity reportId={held} index={index} compact /> : '—'}
                    </td>
                  )}
                </tr>,
                problems.length > 0 && (
                  <tr key={`${key}-problems`} className="run-problems">
                    <td colSpan={columns}>
                      <ChangeProblems problems={problems} />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
});

function WarningsBox({
  warnings,
  confirmed,
  setConfirmed,
  onConfirm,
  busy,
}: {
  warnings: ReportWarning[];
  confirmed: Set<string>;
  setConfirmed: (s: Set<string>) => void;
  onConfirm: () => void;
  busy: boolean;
}) {
  const { t, tk, num } = useI18n();
  return (
    <div className="warnings" role="alert" data-testid="warnings">
      <h2>{t('report.warningsTitle', { count: warnings.length })}</h2>
      <ul>
        {warnings.map((w) => {
          const params: Record<string, unknown> = { ...w.params, other: w.other.code, change: w.change + 1 };
          for (const [k, v] of Object.entries(w.params)) if (typeof v === 'number') params[k] = num(v);
          // An activity kind named by an accreditation warning reads as its label.
          if (typeof w.params.kind === 'string') params.kind = tk(`vocab.${w.params.kind}`, w.params.kind);
          return (
            <li key={w.id}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={confirmed.has(w.id)}
                  onChange={(e) => {
                    const next = new Set(confirmed);
                    if (e.target.checked) next.add(w.id);
                    else next.delete(w.id);
                    setConfirmed(next);
                  }}
                />
                {tk(`warning.${w.code}`, w.code, params)}
              </label>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="primary"
        disabled={busy || warnings.some((w) => !confirmed.has(w.id))}
        onClick={onConfirm}
        data-testid="confirm-approve"
      >
        {t('report.confirmApprove')}
      </button>
    </div>
  );
}

export function ReportPage({ id }: { id: string }) {
  const { t, tk, date, dateTime } = useI18n();
  const { user } = useAuth();
  const rep = useAsync((signal) => get<Report>(`/api/v1/reports/${id}`, signal), [id]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [warnings, setWarnings] = useState<ReportWarning[] | null>(null);
  const [confirmed, setConfirmed] = useState<Set<string>>(new Set());
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  // A dry run of the approval rules, once the server offers it (POST /api/v1/reports/{id}/check).
  const paths = useApiPaths();
  const canCheck = !!paths?.has('/api/v1/reports/{id}/check');
  const hasReportAttachments = !!paths?.has('/api/v1/reports/{id}/attachments');
  const [check, setCheck] = useState<{ problems: ProblemItem[]; warnings: ReportWarning[] } | null>(null);
  const runCheck = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await request<{ problems?: ProblemItem[]; warnings?: ReportWarning[] }>(
        `/api/v1/reports/${id}/check`,
        { method: 'POST', body: {} },
      );
      setCheck({ problems: r.data.problems ?? [], warnings: r.data.warnings ?? [] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const changes = rep.data?.payload.changes;
  // Each record the changes are seen against, loaded once however many changes name it.
  const contexts = useAsync(
    async (signal) => {
      const wanted = new Map<string, { slug: string; id: string }>();
      for (const c of changes ?? []) {
        const ctx = contextOf(c, changeParts(c).props);
        if (ctx) wanted.set(`${ctx.slug}/${ctx.id}`, ctx);
      }
      const out = new Map<string, { data?: Loaded; error?: unknown }>();
      await Promise.all(
        [...wanted].map(async ([k, ctx]) => {
          try {
            out.set(k, { data: await loadRecord(ctx.slug, ctx.id, signal) });
          } catch (error) {
            out.set(k, { error });
          }
        }),
      );
      return out;
    },
    [changes],
  );
  const items = useMemo<MapItem[]>(() => {
    const out: MapItem[] = [];
    const seen = new Set<string>();
    (changes ?? []).forEach((c, i) => {
      const ctx = contextOf(c, changeParts(c).props);
      const loaded = ctx ? contexts.data?.get(`${ctx.slug}/${ctx.id}`)?.data : undefined;
      if (ctx && loaded?.geometry) {
        if (c.op === 'create') {
          if (!seen.has(ctx.id))
            out.push({ key: `ctx:${ctx.id}`, geometry: loaded.geometry, role: 'hazard' });
          seen.add(ctx.id);
        } else out.push({ key: `c${i}`, geometry: loaded.geometry, role: 'before' });
      }
      const after = afterGeometryOf(c);
      if (after) out.push({ key: `c${i}`, geometry: after, role: 'after' });
      if (c.op !== 'archive')
        for (const at of evidencePoints(changeParts(c).props))
          out.push({ key: `c${i}`, geometry: at, role: 'evidence' });
    });
    return out;
  }, [changes, contexts.data]);
  const fit = useMemo(() => bboxOf(items.map((i) => i.geometry)), [items]);
  const onSelect = useCallback((key: string | null) => setSelected(key), []);
  // A change chosen on the map comes into view in the list.
  const fromMap = useRef(false);
  const selectOnMap = useCallback((key: string) => {
    fromMap.current = true;
    setSelected(key);
  }, []);
  useEffect(() => {
    if (!selected || !fromMap.current) return;
    fromMap.current = false;
    document.querySelector(`[data-key="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  if (rep.loading && !rep.data)
    return (
      <p className="page-status" role="status">
        {t('app.loading')}
      </p>
    );
  if (rep.error) return <ErrorNote error={rep.error} onRetry={rep.reload} />;
  if (!rep.data) return null;
  const report = rep.data;
  const actions = reportActions(user?.role ?? 'viewer', report.status);

  const act = async (action: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const r = await request<Report>(`/api/v1/reports/${id}/${action}`, {
        method: 'POST',
        body: body ?? {},
      });
      rep.setData(r.data);
      setWarnings(null);
      setCheck(null);
      setRejecting(false);
      if (action === 'approve') invalidateExtent();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'report.warnings_unconfirmed') {
        setWarnings(
          ((err.problem as unknown as { warnings?: ReportWarning[] }).warnings ?? []) as ReportWarning[],
        );
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  /** Submission runs the approval's check first: a report it would refuse is not sent, its problems are shown. */
  const submitChecked = async () => {
    if (canCheck) {
      setBusy(true);
      setError(null);
      try {
        const r = await request<{ problems?: ProblemItem[]; warnings?: ReportWarning[] }>(
          `/api/v1/reports/${id}/check`,
          { method: 'POST', body: {} },
        );
        const found = { problems: r.data.problems ?? [], warnings: r.data.warnings ?? [] };
        if (found.problems.length > 0) {
          setCheck(found);
          return;
        }
      } catch (err) {
        setError(err);
        return;
      } finally {
        setBusy(false);
      }
    }
    await act('submit');
  };

  const reject = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setReasonMissing(true);
      return;
    }
    setReasonMissing(false);
    act('reject', { reason: reason.trim() });
  };

  const problems = error instanceof ApiError ? error.items : [];
  const checked = check?.problems ?? [];
  const atChange = (i: number) => [...problems, ...checked].filter((p) => changeOfPointer(p.pointer) === i);
  // A change holding a casualty's identity shows it on request; the report says which do.
  const identityOf = (i: number) => (report.hiddenIdentities?.includes(i) ? report.id : null);
  const general = problems.filter((p) => changeOfPointer(p.pointer) === null);

  return (
    <div className="page report-page">
      <div className="page-head">
        <div>
          <p className="muted">
            <Link to="/reports">{t('nav.reports')}</Link>
          </p>
          <h1 data-testid="report-title">
            {report.code} · {tk(`report.kind.${report.kind}`, report.kind)}{' '}
            <StatusBadge status={report.status} />
          </h1>
        </div>
        <div className="actions">
          {actions.includes('submit') && formOfChanges(report.kind, report.payload.changes) && (
            <Link to={`/reports/${report.id}/edit`} className="button" data-testid="edit-report">
              {t('report.edit')}
            </Link>
          )}
          {actions.includes('submit') && (
            <button type="button" className="primary" disabled={busy} onClick={submitChecked}>
              {t('report.submit')}
            </button>
          )}
          {actions.includes('review') && (
            <button type="button" className="primary" disabled={busy} onClick={() => act('review')}>
              {t('report.review')}
            </button>
          )}
          {canCheck && actions.length > 0 && (
            <button type="button" disabled={busy} onClick={runCheck} data-testid="check-report">
              {t('report.check')}
            </button>
          )}
          {actions.includes('approve') && (
            <button type="button" className="primary" disabled={busy} onClick={() => act('approve')}>
              {t('report.approve')}
            </button>
          )}
          {actions.includes('reject') && (
            <button type="button" className="danger" disabled={busy} onClick={() => setRejecting(true)}>
              {t('report.reject')}
            </button>
          )}
        </div>
      </div>
      <dl className="fields">
        <div>
          <dt>{t('field.dateOfInformation')}</dt>
          <dd>{date(report.dateOfInformation)}</dd>
        </div>
        {report.reason && (
          <div>
            <dt>{t('report.reason')}</dt>
            <dd>{report.reason}</dd>
          </div>
        )}
        {report.submittedAt && (
          <div>
            <dt>{t('report.submittedAt')}</dt>
            <dd>{dateTime(report.submittedAt)}</dd>
          </div>
        )}
        {report.decidedAt && (
          <div>
            <dt>{t('report.decidedAt')}</dt>
            <dd>{dateTime(report.decidedAt)}</dd>
          </div>
        )}
        {report.rejectionReason && (
          <div>
            <dt>{t('report.rejectionReason')}</dt>
            <dd data-testid="rejection-reason">{report.rejectionReason}</dd>
          </div>
        )}
      </dl>
      {rejecting && (
        <form className="inline-form reject-form" onSubmit={reject} data-testid="reject-form">
          <label>
            {t('report.rejectReason')}
            <textarea
              rows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={reasonMissing || undefined}
            />
          </label>
          {reasonMissing && (
            <p className="error" role="alert">
              {t('report.reasonRequired')}
            </p>
          )}
          <button type="submit" className="danger" disabled={busy} data-testid="confirm-reject">
            {t('report.confirmReject')}
          </button>
          <button type="button" onClick={() => setRejecting(false)}>
            {t('action.cancel')}
          </button>
        </form>
      )}
      {warnings && warnings.length > 0 && (
        <WarningsBox
          warnings={warnings}
          confirmed={confirmed}
          setConfirmed={setConfirmed}
          busy={busy}
          onConfirm={() => act('approve', { confirmWarnings: [...confirmed] })}
        />
      )}
      {check && (
        <div className="check-result" role="status" data-testid="check-result">
          {check.problems.length === 0 && check.warnings.length === 0 ? (
            <p>{t('report.checkClean')}</p>
          ) : (
            <>
              {check.problems.length > 0 && (
                <>
                  <h2>{t('form.problemsTitle', { count: check.problems.length })}</h2>
                  <ul>
                    {check.problems.map((p, i) => {
                      const at = changeOfPointer(p.pointer);
                      const text = p.detail ?? p.code;
                      return (
                        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                        <li key={i} className="error">
                          {at === null ? text : t('reportForm.atChange', { change: at + 1, message: text })}
                        </li>
                      );
                    })}
                  </ul>
                </>
              )}
              {check.warnings.length > 0 && (
                <>
                  <h2>{t('report.checkWarnings', { count: check.warnings.length })}</h2>
                  <ul>
                    {check.warnings.map((w) => (
                      <li key={w.id}>
                        {tk(`warning.${w.code}`, w.code, {
                          ...w.params,
                          ...(typeof w.params.kind === 'string'
                            ? { kind: tk(`vocab.${w.params.kind}`, w.params.kind) }
                            : {}),
                          other: w.other.code,
                          change: w.change + 1,
                        })}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
        </div>
      )}
      {error ? (
        general.length > 0 || problems.length === 0 ? (
          <ErrorNote error={error} />
        ) : (
          <p className="error" role="alert">
            {t('report.problemsAtChanges')}
          </p>
        )
      ) : null}
      <div className="report-layout">
        <div className="report-layout-main">
          <h2>
            {t('report.changes')} <span className="count">{report.payload.changes.length}</span>
          </h2>
          {changeBlocks(report.payload.changes).map((b) => {
            if (b.kind === 'run')
              return (
                <ChangeRun
                  key={`run${b.start}`}
                  changes={report.payload.changes.slice(b.start, b.end)}
                  start={b.start}
                  problemsAt={atChange}
                  selected={selected}
                  onSelect={onSelect}
                  identityOf={identityOf}
                />
              );
            const i = b.index;
            const c = report.payload.changes[i];
            const ctx = contextOf(c, changeParts(c).props);
            const loaded = ctx ? contexts.data?.get(`${ctx.slug}/${ctx.id}`) : undefined;
            return (
              <ChangeView
                // biome-ignore lint/suspicious/noArrayIndexKey: changes are addressed by their index in the report
                key={i}
                change={c}
                index={i}
                problems={atChange(i)}
                before={loaded?.data ?? (ctx ? undefined : null)}
                beforeError={loaded?.error}
                selected={selected === `c${i}`}
                onSelect={onSelect}
                identityOf={identityOf(i)}
              />
            );
          })}
        </div>
        {items.length > 0 && (
          <div className="report-layout-map">
            <ReportMap
              label={t('report.mapLabel')}
              items={items}
              selected={selected}
              onSelect={selectOnMap}
              fitTo={fit}
            />
          </div>
        )}
      </div>
      {hasReportAttachments && (
        <ReportAttachments
          key={`${report.id}:${report.status}`}
          reportId={report.id}
          editable={
            (report.status === 'draft' || report.status === 'rejected') &&
            roleCan(user?.role, 'report.create')
          }
        />
      )}
      <ReportTimeline id={report.id} refresh={`${report.status}:${report.version}`} />
    </div>
  );
}

interface TimelineEntry {
  at: string;
  type: 'event' | 'comment';
  action?: string;
  actor: { id: string; name: string } | null;
  reason?: string | null;
  comment?: { id: string; text: string };
}

/** Who did what to the report and when, with the comments, oldest first; and a box to comment. */
function ReportTimeline({ id, refresh }: { id: string; refresh: string }) {
  const { t, tk, dateTime } = useI18n();
  const { user } = useAuth();
  const paths = useApiPaths();
  const available = !!paths?.has('/api/v1/reports/{id}/timeline');
  const timeline = useAsync(
    async (signal) =>
      available ? get<{ items: TimelineEntry[] }>(`/api/v1/reports/${id}/timeline`, signal) : { items: [] },
    [id, refresh, available],
  );
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const role = user?.role ?? 'viewer';
  const mayComment =
    roleCan(role, 'report.create') || roleCan(role, 'report.review') || roleCan(role, 'report.approve');
  if (!available) return null;

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await request(`/api/v1/reports/${id}/comments`, { method: 'POST', body: { text: text.trim() } });
      setText('');
      timeline.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const items = timeline.data?.items ?? [];
  return (
    <section className="report-timeline" aria-labelledby="timeline-h" data-testid="report-timeline">
      <h2 id="timeline-h">{t('report.timeline')}</h2>
      {timeline.error ? <ErrorNote error={timeline.error} onRetry={timeline.reload} /> : null}
      {items.length > 0 && (
        <ol className="history">
          {items.map((entry, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the timeline is shown in its order, whole
            <li key={i} className={entry.type} data-testid={`timeline-${entry.type}`}>
              <strong>{entry.actor?.name ?? t('history.system')}</strong>{' '}
              {entry.type === 'comment'
                ? t('report.timelineCommented')
                : tk(`report.timeline.${entry.action}`, entry.action ?? '')}{' '}
              · <span className="muted">{dateTime(entry.at)}</span>
              {entry.type === 'comment' && entry.comment && (
                <p className="comment-text">{entry.comment.text}</p>
              )}
              {entry.reason && <p className="comment-text">{entry.reason}</p>}
            </li>
          ))}
        </ol>
      )}
      {mayComment && (
        <form className="inline-form comment-form" onSubmit={send}>
          <label>
            {t('report.comment')}
            <textarea
              rows={2}
              maxLength={4000}
              value={text}
              onChange={(e) => setText(e.target.value)}
              data-testid="comment-text"
            />
          </label>
          <button type="submit" disabled={busy || !text.trim()} data-testid="comment-send">
            {t('report.commentSend')}
          </button>
          {error ? <ErrorNote error={error} /> : null}
        </form>
      )}
    </section>
  );
}
