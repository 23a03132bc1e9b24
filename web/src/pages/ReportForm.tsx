import type { Geometry, Point } from 'geojson';
import { type FormEvent, useState } from 'react';
import { ApiError, request } from '../api/client.ts';
import type { ProblemItem, Report } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FormField } from '../components/FormField.tsx';
import { type AreaGeometry, GeometryEditor } from '../components/GeometryEditor.tsx';
import { PointInput } from '../components/PointInput.tsx';
import { RecordPicker } from '../components/RecordPicker.tsx';
import { VocabOptions } from '../components/VocabOptions.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAuth } from '../lib/auth.tsx';
import { fieldsOf, registerDef } from '../lib/registers.ts';
import { formChanges, formOfChanges, type ReportFormContent } from '../lib/report-changes.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { loadRecord } from './RecordPage.tsx';
import { changeOfPointer } from './Reports.tsx';

/** The code list of a register field, read from the one schema source. */
function codes(slug: string, field: string): string[] {
  const def = registerDef(slug);
  return (def && fieldsOf(def).find((f) => f.name === field)?.enumValues) || [];
}

/** The options of a register field's code list, labelled in the user's language. */
function CodeOptions({ slug, field }: { slug: string; field: string }) {
  return <VocabOptions values={codes(slug, field)} />;
}

/** The list with one item (found by its key) changed. */
function updateByKey<T extends { key: number }>(all: T[], key: number, change: Partial<T>): T[] {
  return all.map((x) => (x.key === key ? { ...x, ...change } : x));
}

interface Released {
  key: number;
  outcome: string;
  geometry: AreaGeometry | null;
}
interface Found {
  key: number;
  category: string;
  quantity: string;
  point: Point | null;
}

let nextKey = 1;

/** The edit page of a draft or rejected report: the report form, filled from the report. */
export function ReportEdit({ id }: { id: string }) {
  const { t } = useI18n();
  const loaded = useAsync((signal) => request<Report>(`/api/v1/reports/${id}`, { signal }), [id]);
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data)
    return (
      <p className="page-status" role="status">
        {t('app.loading')}
      </p>
    );
  const report = loaded.data.data;
  const content = formOfChanges(report.kind, report.payload.changes);
  if (!['draft', 'rejected'].includes(report.status) || !content)
    return (
      <div className="page">
        <p className="page-status" data-testid="not-editable">
          {!content ? t('reportForm.notEditable', { id: report.id }) : t('reportForm.notEditableStatus')}
        </p>
        <p>
          <Link to={`/reports/${report.id}`}>{report.code}</Link>
        </p>
      </div>
    );
  return <ReportForm key={`${report.id}-${report.version}`} existing={{ report, content }} />;
}

/** The report form: a new draft, or (with `existing`) the edit of a draft or rejected report. */
export function ReportForm({ existing }: { existing?: { report: Report; content: ReportFormContent } } = {}) {
  const { t } = useI18n();
  const { user } = useAuth();
  const { navigate, search } = useRouter();
  const initial = existing?.content;
  const activity = initial?.kind === 'activity' ? initial.activity : null;
  const [kind, setKind] = useState(
    initial?.kind ?? (search.get('kind') === 'hazard_status_change' ? 'hazard_status_change' : 'activity'),
  );
  const [dateOfInformation, setDate] = useState(
    existing?.report.dateOfInformation ?? new Date().toISOString().slice(0, 10),
  );
  const [organisationId, setOrganisationId] = useState(
    activity?.organisationId ?? user?.organisationId ?? '',
  );
  const [hazardId, setHazardId] = useState(
    activity?.hazardId ??
      (initial?.kind === 'hazard_status_change' ? initial.hazardId : (search.get('hazard') ?? '')),
  );
  const [activityKind, setActivityKind] = useState(activity?.kind || 'clearance');
  const [method, setMethod] = useState(activity?.method ?? '');
  const [startDate, setStartDate] = useState(activity?.startDate ?? '');
  const [endDate, setEndDate] = useState(activity?.endDate ?? '');
  const [released, setReleased] = useState<Released[]>(
    activity
      ? activity.released.map((r) => ({
          key: nextKey++,
          outcome: r.outcome,
          geometry: r.geometry as AreaGeometry,
        }))
      : [{ key: nextKey++, outcome: 'cleared', geometry: null }],
  );
  const [found, setFound] = useState<Found[]>(
    activity
      ? activity.found.map((f) => ({
          key: nextKey++,
          category: f.category,
          quantity: String(f.quantity),
          point: f.point,
        }))
      : [],
  );
  const [status, setStatus] = useState(initial?.kind === 'hazard_status_change' ? initial.status : '');
  const [reason, setReason] = useState(existing?.report.reason ?? '');
  const [conflict, setConflict] = useState(false);
  const [problems, setProblems] = useState<ProblemItem[]>([]);
  const [saving, setSaving] = useState(false);

  // The chosen hazard's outline, drawn behind the land released from it (the latest choice wins).
  const hazard = useAsync(
    (signal) => (hazardId ? loadRecord('hazards', hazardId, signal) : Promise.resolve(null)),
    [hazardId],
  );
  const hazardGeometry = hazard.data?.geometry ?? null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    setConflict(false);
    const content: ReportFormContent =
      kind === 'activity'
        ? {
            kind,
            activity: {
              organisationId,
              hazardId,
              kind: activityKind,
              method,
              startDate,
              endDate,
              released: released
                .filter((r) => r.geometry)
                .map((r) => ({ outcome: r.outcome, geometry: r.geometry as Geometry })),
              found: found
                .filter((f) => f.point)
                .map((f) => ({
                  category: f.category,
                  quantity: Number(f.quantity) || 1,
                  point: f.point as Point,
                })),
            },
          }
        : { kind: 'hazard_status_change', hazardId, status };
    setSaving(true);
    try {
      const body = {
        kind,
        dateOfInformation,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        payload: { changes: formChanges(content) },
      };
      const r = existing
        ? await request<Report>(`/api/v1/reports/${existing.report.id}`, {
            method: 'PUT',
            body,
            headers: { 'If-Match': `"${existing.report.version}"` },
          })
        : await request<Report>('/api/v1/reports', { method: 'POST', body });
      navigate(`/reports/${r.data.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setConflict(true);
      else
        setProblems(
          err instanceof ApiError ? err.items : [{ code: 'error.unexpected', detail: t('error.unexpected') }],
        );
    } finally {
      setSaving(false);
    }
  };

  const problemText = (p: ProblemItem) => {
    const i = changeOfPointer(p.pointer);
    const text = p.detail ?? p.code;
    return i === null ? text : t('reportForm.atChange', { change: i + 1, message: text });
  };

  return (
    <div className="page record-form report-form">
      <p className="muted">
        <Link to="/reports/drafts">{t('reports.myDrafts')}</Link>
      </p>
      <h1>{existing ? t('reportForm.editTitle', { code: existing.report.code }) : t('reports.new')}</h1>
      {existing?.report.rejectionReason && (
        <div className="note" data-testid="edit-rejection-reason">
          <strong>{t('report.rejectionReason')}</strong> {existing.report.rejectionReason}
        </div>
      )}
      {conflict && existing && (
        <div className="conflict" role="alert" data-testid="conflict">
          <h2>{t('form.conflictTitle')}</h2>
          <p>{t('reportForm.conflictBody')}</p>
          <Link to={`/reports/${existing.report.id}`} className="button primary">
            {t('reportForm.conflictOpen')}
          </Link>
        </div>
      )}
      {problems.length > 0 && (
        <div className="error-summary" role="alert" data-testid="error-summary">
          <h2>{t('form.problemsTitle', { count: problems.length })}</h2>
          <ul>
            {problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
              <li key={i}>{problemText(p)}</li>
            ))}
          </ul>
        </div>
      )}
      <form onSubmit={submit} className="form-grid">
        <FormField id="r-kind" label={t('report.kind')}>
          <select
            id="r-kind"
            value={kind}
            disabled={!!existing}
            onChange={(e) => setKind(e.target.value as ReportFormContent['kind'])}
          >
            <option value="activity">{t('report.kind.activity')}</option>
            <option value="hazard_status_change">{t('report.kind.hazard_status_change')}</option>
          </select>
        </FormField>
        <FormField id="r-date" label={t('field.dateOfInformation')}>
          <input
            id="r-date"
            type="date"
            required
            value={dateOfInformation}
            onChange={(e) => setDate(e.target.value)}
          />
        </FormField>
        <FormField id="r-hazard" label={t('reportForm.hazard')}>
          <RecordPicker slug="hazards" id="r-hazard" required value={hazardId} onChange={setHazardId} />
        </FormField>
        {kind === 'activity' && (
          <>
            <FormField id="r-org" label={t('field.organisationId')}>
              <RecordPicker
                slug="organisations"
                id="r-org"
                required
                value={organisationId}
                onChange={setOrganisationId}
              />
            </FormField>
            <FormField id="r-akind" label={t('reportForm.activityKind')}>
              <select id="r-akind" value={activityKind} onChange={(e) => setActivityKind(e.target.value)}>
                <CodeOptions slug="activities" field="kind" />
              </select>
            </FormField>
            <FormField id="r-method" label={t('field.method')}>
              <select id="r-method" value={method} onChange={(e) => setMethod(e.target.value)}>
                <option value="">{t('form.choose')}</option>
                <CodeOptions slug="activities" field="method" />
              </select>
            </FormField>
            <FormField id="r-start" label={t('field.startDate')}>
              <input
                id="r-start"
                type="date"
                value={startDate}
                onChange={(e) => setStartDate(e.target.value)}
              />
            </FormField>
            <FormField id="r-end" label={t('field.endDate')}>
              <input id="r-end" type="date" value={endDate} onChange={(e) => setEndDate(e.target.value)} />
            </FormField>
            <fieldset className="report-part">
              <legend>{t('reportForm.released')}</legend>
              <p className="hint">{t('reportForm.releasedHint')}</p>
              {released.map((r, i) => (
                <div key={r.key} className="report-item" data-testid={`released-${i}`}>
                  <label>
                    {t('field.outcome')}
                    <select
                      value={r.outcome}
                      onChange={(e) =>
                        setReleased((all) => updateByKey(all, r.key, { outcome: e.target.value }))
                      }
                    >
                      <CodeOptions slug="land-release" field="outcome" />
                    </select>
                  </label>
                  <GeometryEditor
                    id={`r-released-${r.key}`}
                    value={r.geometry}
                    onChange={(g) => setReleased((all) => updateByKey(all, r.key, { geometry: g }))}
                    problems={[]}
                    context={hazardGeometry}
                  />
                  <button
                    type="button"
                    onClick={() => setReleased((all) => all.filter((x) => x.key !== r.key))}
                  >
                    {t('reportForm.remove')}
                  </button>
                </div>
              ))}
              <button
                type="button"
                onClick={() =>
                  setReleased((all) => [...all, { key: nextKey++, outcome: 'cleared', geometry: null }])
                }
              >
                {t('reportForm.addReleased')}
              </button>
            </fieldset>
            <fieldset className="report-part">
              <legend>{t('reportForm.found')}</legend>
              {found.map((f, i) => (
                <div key={f.key} className="report-item" data-testid={`found-${i}`}>
                  <label>
                    {t('field.category')}
                    <select
                      value={f.category}
                      onChange={(e) =>
                        setFound((all) => updateByKey(all, f.key, { category: e.target.value }))
                      }
                    >
                      <CodeOptions slug="findings" field="category" />
                    </select>
                  </label>
                  <label>
                    {t('field.quantity')}
                    <input
                      type="number"
                      min={1}
                      step={1}
                      value={f.quantity}
                      onChange={(e) =>
                        setFound((all) => updateByKey(all, f.key, { quantity: e.target.value }))
                      }
                    />
                  </label>
                  <PointInput
                    id={`r-found-${f.key}`}
                    value={f.point}
                    onChange={(p) => setFound((all) => updateByKey(all, f.key, { point: p }))}
                    withMap={true}
                  />
                  <button type="button" onClick={() => setFound((all) => all.filter((x) => x.key !== f.key))}>
                    {t('reportForm.remove')}
                  </button>
                </div>
              ))}
              <button
                type="button"
                onClick={() =>
                  setFound((all) => [
                    ...all,
                    {
                      key: nextKey++,
                      category: codes('findings', 'category')[0] ?? 'AP',
                      quantity: '1',
                      point: null,
                    },
                  ])
                }
              >
                {t('reportForm.addFound')}
              </button>
            </fieldset>
          </>
        )}
        {kind === 'hazard_status_change' && (
          <FormField id="r-status" label={t('field.status')}>
            <select id="r-status" required value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('form.choose')}</option>
              <CodeOptions slug="hazards" field="status" />
            </select>
          </FormField>
        )}
        <FormField id="r-reason" label={t('report.reason')} required={kind === 'hazard_status_change'} wide>
          <textarea
            id="r-reason"
            rows={2}
            value={reason}
            required={kind === 'hazard_status_change'}
            onChange={(e) => setReason(e.target.value)}
          />
        </FormField>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving} data-testid="save-report">
            {saving
              ? t('reportForm.saving')
              : existing
                ? t('reportForm.saveChanges')
                : t('reportForm.saveDraft')}
          </button>
        </div>
      </form>
    </div>
  );
}
