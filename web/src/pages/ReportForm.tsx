import type { Geometry, Point } from 'geojson';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, request } from '../api/client.ts';
import type { ProblemItem, Report, ReportChange } from '../api/types.ts';
import { type AreaGeometry, GeometryEditor } from '../components/GeometryEditor.tsx';
import { PointInput } from '../components/PointInput.tsx';
import { VocabOptions } from '../components/VocabOptions.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAuth } from '../lib/auth.tsx';
import { useOptions } from '../lib/options.ts';
import { fieldsOf, registerDef } from '../lib/registers.ts';
import { Link, useRouter } from '../lib/router.tsx';
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

export interface ActivityInput {
  organisationId: string;
  hazardId: string;
  kind: string;
  method: string;
  startDate: string;
  endDate: string;
  released: Array<{ outcome: string; geometry: Geometry }>;
  found: Array<{ category: string; quantity: number; point: Point }>;
}

/**
 * The changes of a clearance/activity report: the activity first (named "act"), then its
 * land-release polygons and findings, which point at it as "@ref:act".
 */
export function activityChanges(a: ActivityInput): ReportChange[] {
  const activity: Record<string, unknown> = {
    kind: a.kind,
    organisationId: a.organisationId,
    hazardId: a.hazardId,
  };
  if (a.method) activity.method = a.method;
  if (a.startDate) activity.startDate = a.startDate;
  if (a.endDate) activity.endDate = a.endDate;
  const releasedOn = a.endDate || a.startDate || undefined;
  return [
    {
      op: 'create',
      register: 'activities',
      ref: 'act',
      record: { type: 'Feature', geometry: null, properties: activity },
    },
    ...a.released.map(
      (r): ReportChange => ({
        op: 'create',
        register: 'land-release',
        record: {
          type: 'Feature',
          geometry: r.geometry,
          properties: {
            outcome: r.outcome,
            hazardId: a.hazardId,
            activityId: '@ref:act',
            ...(a.method ? { method: a.method } : {}),
            ...(releasedOn ? { releasedOn } : {}),
          },
        },
      }),
    ),
    ...a.found.map(
      (f): ReportChange => ({
        op: 'create',
        register: 'findings',
        record: {
          type: 'Feature',
          geometry: f.point,
          properties: {
            category: f.category,
            quantity: f.quantity,
            foundOn: releasedOn ?? new Date().toISOString().slice(0, 10),
            hazardId: a.hazardId,
            activityId: '@ref:act',
          },
        },
      }),
    ),
  ];
}

let nextKey = 1;

export function ReportForm() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { navigate, search } = useRouter();
  const [kind, setKind] = useState(
    search.get('kind') === 'hazard_status_change' ? 'hazard_status_change' : 'activity',
  );
  const [dateOfInformation, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [organisationId, setOrganisationId] = useState(user?.organisationId ?? '');
  const [hazardId, setHazardId] = useState(search.get('hazard') ?? '');
  const [activityKind, setActivityKind] = useState('clearance');
  const [method, setMethod] = useState('');
  const [startDate, setStartDate] = useState('');
  const [endDate, setEndDate] = useState('');
  const [released, setReleased] = useState<Released[]>([
    { key: nextKey++, outcome: 'cleared', geometry: null },
  ]);
  const [found, setFound] = useState<Found[]>([]);
  const [status, setStatus] = useState('');
  const [reason, setReason] = useState('');
  const [hazardGeometry, setHazardGeometry] = useState<Geometry | null>(null);
  const [problems, setProblems] = useState<ProblemItem[]>([]);
  const [saving, setSaving] = useState(false);
  const hazards = useOptions('hazards');
  const organisations = useOptions('organisations');

  useEffect(() => {
    if (!hazardId) {
      setHazardGeometry(null);
      return;
    }
    loadRecord('hazards', hazardId)
      .then((h) => setHazardGeometry(h.geometry))
      .catch(() => setHazardGeometry(null));
  }, [hazardId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    let changes: ReportChange[];
    if (kind === 'activity') {
      changes = activityChanges({
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
          .map((f) => ({ category: f.category, quantity: Number(f.quantity) || 1, point: f.point as Point })),
      });
    } else {
      changes = [
        {
          op: 'update',
          register: 'hazards',
          id: hazardId,
          record: { type: 'Feature', properties: { status } },
        },
      ];
    }
    setSaving(true);
    try {
      const r = await request<Report>('/api/v1/reports', {
        method: 'POST',
        body: {
          kind,
          dateOfInformation,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          payload: { changes },
        },
      });
      navigate(`/reports/${r.data.id}`);
    } catch (err) {
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
      <h1>{t('reports.new')}</h1>
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
        <div className="form-field">
          <label htmlFor="r-kind">{t('report.kind')}</label>
          <select id="r-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="activity">{t('report.kind.activity')}</option>
            <option value="hazard_status_change">{t('report.kind.hazard_status_change')}</option>
          </select>
        </div>
        <div className="form-field">
          <label htmlFor="r-date">{t('field.dateOfInformation')}</label>
          <input
            id="r-date"
            type="date"
            required
            value={dateOfInformation}
            onChange={(e) => setDate(e.target.value)}
          />
        </div>
        <div className="form-field">
          <label htmlFor="r-hazard">{t('reportForm.hazard')}</label>
          <select id="r-hazard" required value={hazardId} onChange={(e) => setHazardId(e.target.value)}>
            <option value="">{hazards === null ? t('app.loading') : t('form.choose')}</option>
            {hazards?.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {kind === 'activity' && (
          <>
            <div className="form-field">
              <label htmlFor="r-org">{t('field.organisationId')}</label>
              <select
                id="r-org"
                required
                value={organisationId}
                onChange={(e) => setOrganisationId(e.target.value)}
              >
                <option value="">{organisations === null ? t('app.loading') : t('form.choose')}</option>
                {organisations?.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="form-field">
              <label htmlFor="r-akind">{t('reportForm.activityKind')}</label>
              <select id="r-akind" value={activityKind} onChange={(e) => setActivityKind(e.target.value)}>
                <CodeOptions slug="activities" field="kind" />
              </select>
            </div>
            <div className="form-field">
              <label htmlFor="r-method">{t('field.method')}</label>
              <select id="r-method" value={method} onChange={(e) => setMethod(e.target.value)}>
                <option value="">{t('form.choose')}</option>
                <CodeOptions slug="activities" field="method" />
              </select>
            </div>
            <div className="form-field">
              <label htmlFor="r-start">{t('field.startDate')}</label>
              <input
                id="r-start"
                type="date"
                value={startDate}
                onChange={(e) => setStartDate(e.target.value)}
              />
            </div>
            <div className="form-field">
              <label htmlFor="r-end">{t('field.endDate')}</label>
              <input id="r-end" type="date" value={endDate} onChange={(e) => setEndDate(e.target.value)} />
            </div>
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
          <div className="form-field">
            <label htmlFor="r-status">{t('field.status')}</label>
            <select id="r-status" required value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('form.choose')}</option>
              <CodeOptions slug="hazards" field="status" />
            </select>
          </div>
        )}
        <div className="form-field">
          <label htmlFor="r-reason">
            {t('report.reason')}
            {kind === 'hazard_status_change' && (
              <span className="required" aria-hidden="true">
                {' '}
                *
              </span>
            )}
          </label>
          <textarea
            id="r-reason"
            rows={2}
            value={reason}
            required={kind === 'hazard_status_change'}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving} data-testid="save-report">
            {saving ? t('reportForm.saving') : t('reportForm.saveDraft')}
          </button>
        </div>
      </form>
    </div>
  );
}
