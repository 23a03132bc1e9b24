import type { Feature } from 'geojson';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import * as V from '../../../src/domain/vocabularies.ts';
import type { ServerConfig, User } from '../api/types.ts';
import { CountsInput } from '../components/ListInputs.tsx';
import { VocabOptions } from '../components/VocabOptions.tsx';
import { useI18n } from '../i18n/index.tsx';
import { roleCan } from '../lib/permissions.ts';
import { recordLabel } from '../lib/registers.ts';
import type { BasemapArchive } from '../map/style.ts';
import { bboxOfFeatures } from './area.ts';
import { checkDraft, type Finding } from './checks.ts';
import { encryptIdentity } from './crypto.ts';
import {
  type DraftCasualty,
  type DraftContent,
  type DraftFinding,
  type DraftRelease,
  draftChanges,
  type FieldDraft,
  fieldKindLabel,
  newKey,
  polygonOf,
} from './drafts.ts';
import { type AreaLayers, FieldMap } from './FieldMap.tsx';
import { CornersInput, PhotosInput, PositionInput } from './inputs.tsx';
import { type FieldPhoto, fieldDb } from './store.ts';

/**
 * A draft report on the device: the fields of its kind, positions and polygons on the area's
 * map, photos, and the checks that can be made offline shown as the draft is made. It is saved on
 * the device at every change; *Send* puts it in the queue that the sync sends in order.
 */

/** What a tap on the map places: a finding's position, a polygon's next corner … */
type Placing =
  | { what: 'found'; key: string }
  | { what: 'released'; key: string }
  | { what: 'corners' }
  | { what: 'benchmark' }
  | { what: 'accident' }
  | { what: 'session' }
  | null;

/** The problems of one place of the form, one line each. */
/** What the checks say of one place: its text, and whether it blocks sending (`error`) or not (`warning`). */
interface Said {
  text: string;
  level: 'error' | 'warning';
}

/** The problems of one place, each in its level's colour (an error red, a warning amber). */
function Problems({ items }: { items: Said[] }) {
  return (
    <>
      {items.map((p) => (
        <p key={p.text} className={p.level}>
          {p.text}
        </p>
      ))}
    </>
  );
}

function Field({
  label,
  htmlFor,
  children,
  problems,
}: {
  label: string;
  htmlFor: string;
  children: ReactNode;
  problems?: Said[];
}) {
  return (
    <div className={`field-field ${problems?.some((p) => p.level === 'error') ? 'invalid' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      <Problems items={problems ?? []} />
    </div>
  );
}

export function DraftForm({
  initial,
  user,
  layers,
  config,
  archive,
  onQueued,
  onClose,
}: {
  initial: FieldDraft;
  user: User;
  layers: AreaLayers;
  config: ServerConfig | null;
  archive: BasemapArchive | null;
  onQueued: (d: FieldDraft) => void;
  onClose: () => void;
}) {
  const { t, tk, locale } = useI18n();
  const [draft, setDraft] = useState(initial);
  const [photos, setPhotos] = useState<FieldPhoto[]>([]);
  const [placing, setPlacing] = useState<Placing>(null);
  const [tried, setTried] = useState(false);
  const readOnly = draft.state === 'pending' || draft.state === 'sent';
  const c = draft.content;
  const mayReadIdentity = roleCan(user.role, 'identity.read');

  const loadPhotos = useCallback(async () => {
    setPhotos(await (await fieldDb()).getAllFromIndex('photos', 'draftId', initial.clientId));
  }, [initial.clientId]);
  useEffect(() => {
    void loadPhotos();
  }, [loadPhotos]);

  // Every change is kept on the device at once: a phone may be put away at any moment.
  useEffect(() => {
    if (readOnly) return;
    void fieldDb().then((db) => db.put('drafts', { ...draft, updatedAt: new Date().toISOString() }));
  }, [draft, readOnly]);

  const set = (change: Partial<DraftContent>) =>
    setDraft((d) => ({ ...d, content: { ...d.content, ...change } }));
  const setRelease = (key: string, change: Partial<DraftRelease>) =>
    set({ released: c.released.map((r) => (r.key === key ? { ...r, ...change } : r)) });
  const setFinding = (key: string, change: Partial<DraftFinding>) =>
    set({ found: c.found.map((f) => (f.key === key ? { ...f, ...change } : f)) });
  const setCasualty = (key: string, change: Partial<DraftCasualty>) =>
    set({ casualties: c.casualties.map((k) => (k.key === key ? { ...k, ...change } : k)) });

  const hazards = layers.hazards ?? [];
  const hazard = hazards.find((h) => String(h.id) === c.hazardId) ?? null;
  const changes = useMemo(() => draftChanges(draft, user.organisationId ?? ''), [draft, user.organisationId]);
  const findings = useMemo(
    () => checkDraft(draft, changes, hazard, locale),
    [draft, changes, hazard, locale],
  );
  const errors = findings.filter((f) => f.level === 'error');
  // What the server refused, shown at the places it points at until the draft is sent again.
  const refusal: Finding[] = (draft.state === 'refused' ? (draft.problem?.items ?? []) : []).map((i) => ({
    level: 'error',
    at: i.at,
    code: i.code,
    text: i.detail,
    server: true,
  }));
  const at = (where: string): Said[] =>
    [...refusal, ...findings]
      .filter((f) => f.at === where && (f.server || tried || f.level === 'warning' || f.text))
      .map((f) => ({ text: f.text ?? tk(f.key ?? '', f.key ?? '', f.params), level: f.level }));

  const onMapClick = (lon: number, lat: number) => {
    if (!placing || readOnly) return;
    const point = { type: 'Point' as const, coordinates: [lon, lat] };
    const pos = { point, source: 'map' as const, accuracyM: null, fixes: 0 };
    if (placing.what === 'found') setFinding(placing.key, { position: pos });
    else if (placing.what === 'released') {
      const r = c.released.find((x) => x.key === placing.key);
      if (r) setRelease(placing.key, { corners: [...r.corners, [lon, lat]] });
      return;
    } else if (placing.what === 'corners') {
      set({ corners: [...c.corners, [lon, lat]] });
      return;
    } else if (placing.what === 'benchmark') set({ benchmark: pos });
    else if (placing.what === 'session') set({ sessionPosition: pos });
    else set({ accidentPosition: pos });
    setPlacing(null);
  };
  const toggle = (p: NonNullable<Placing>) =>
    setPlacing((cur) => (JSON.stringify(cur) === JSON.stringify(p) ? null : p));

  const drawn: Feature[] = useMemo(() => {
    const out: Feature[] = [];
    const poly = (corners: Array<[number, number]>) => {
      const g = corners.length >= 3 ? polygonOf(corners) : null;
      if (g) out.push({ type: 'Feature', geometry: g, properties: {} });
      else if (corners.length === 2)
        out.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: corners }, properties: {} });
      for (const p of corners)
        out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} });
    };
    for (const r of c.released) poly(r.corners);
    if (draft.kind === 'new_hazard') poly(c.corners);
    for (const p of [c.benchmark, c.accidentPosition, c.sessionPosition, ...c.found.map((f) => f.position)])
      if (p) out.push({ type: 'Feature', geometry: p.point, properties: {} });
    return out;
  }, [c, draft.kind]);
  const fit = useMemo(
    () => bboxOfFeatures(hazard ? [hazard] : drawn.length ? drawn : hazards),
    [hazard, drawn, hazards],
  );

  const queue = async () => {
    setTried(true);
    if (errors.length > 0) return;
    const queued: FieldDraft = {
      ...draft,
      state: 'pending',
      problem: null,
      resend: !!draft.reportId,
      queuedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    await (await fieldDb()).put('drafts', queued);
    setDraft(queued);
    onQueued(queued);
  };

  const remove = async () => {
    if (!window.confirm(t('fieldApp.draft.confirmDelete'))) return;
    const db = await fieldDb();
    for (const p of photos) await db.delete('photos', p.id);
    await db.delete('drafts', draft.clientId);
    onClose();
  };

  const hazardSelect = (
    <Field label={t('fieldApp.draft.hazard')} htmlFor="f-hazard" problems={at('hazard')}>
      <select
        id="f-hazard"
        value={c.hazardId}
        disabled={readOnly}
        onChange={(e) => set({ hazardId: e.target.value })}
      >
        <option value="">{t('fieldApp.choose')}</option>
        {hazards.map((h) => (
          <option key={String(h.id)} value={String(h.id)}>
            {recordLabel({ ...h.properties, id: h.id })}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <form
      className="field-draft"
      onSubmit={(e) => e.preventDefault()}
      aria-label={t(fieldKindLabel(draft.kind))}
    >
      <h2>
        {t(fieldKindLabel(draft.kind))}
        {draft.reportCode ? ` · ${draft.reportCode}` : ''}
      </h2>
      <p className={`field-state state-${draft.state}`} data-testid="draft-state">
        {t(`fieldApp.state.${draft.state}`)}
        {draft.problem && !draft.problem.items?.length ? ` — ${draft.problem.detail}` : ''}
      </p>
      {refusal.length > 0 && (
        <section className="field-refusal" role="alert" data-testid="draft-refusal">
          <h3>{t('fieldApp.refusal.title')}</h3>
          <ul>
            {refusal.map((f) => (
              <li key={`${f.at}-${f.code}-${f.text}`}>
                <strong>{placeOf(f.at, t)}:</strong> {f.text} <code>{f.code}</code>
              </li>
            ))}
          </ul>
          <p className="field-hint">{t('fieldApp.refusal.hint')}</p>
        </section>
      )}
      <FieldMap
        config={config}
        archive={archive}
        layers={layers}
        draft={drawn}
        fitTo={fit}
        onMapClick={onMapClick}
        label={t('fieldApp.map.label')}
      />
      {placing && (
        <p className="field-placing" role="status">
          {t('fieldApp.map.placingHint')}
        </p>
      )}
      <fieldset disabled={readOnly}>
        <Field
          label={t('fieldApp.draft.dateOfInformation')}
          htmlFor="f-doi"
          problems={at('dateOfInformation')}
        >
          <input
            id="f-doi"
            type="date"
            value={draft.dateOfInformation}
            onChange={(e) => setDraft((d) => ({ ...d, dateOfInformation: e.target.value }))}
          />
        </Field>

        {draft.kind === 'activity' && (
          <>
            {hazardSelect}
            <Field label={t('fieldApp.draft.activityKind')} htmlFor="f-kind">
              <select
                id="f-kind"
                value={c.activityKind}
                onChange={(e) => set({ activityKind: e.target.value })}
              >
                <VocabOptions values={V.ACTIVITY_KINDS} />
              </select>
            </Field>
            <Field label={t('fieldApp.draft.method')} htmlFor="f-method">
              <select id="f-method" value={c.method} onChange={(e) => set({ method: e.target.value })}>
                <VocabOptions values={V.ACTIVITY_METHODS} />
              </select>
            </Field>
            <div className="field-row">
              <Field label={t('fieldApp.draft.startDate')} htmlFor="f-start">
                <input
                  id="f-start"
                  type="date"
                  value={c.startDate}
                  onChange={(e) => set({ startDate: e.target.value })}
                />
              </Field>
              <Field label={t('fieldApp.draft.endDate')} htmlFor="f-end">
                <input
                  id="f-end"
                  type="date"
                  value={c.endDate}
                  onChange={(e) => set({ endDate: e.target.value })}
                />
              </Field>
            </div>
            <h3>{t('fieldApp.draft.released')}</h3>
            <Problems items={at('released')} />
            {c.released.map((r, i) => (
              <div key={r.key} className="field-item" data-testid={`released-${i}`}>
                <Field
                  label={t('fieldApp.draft.outcome', { n: i + 1 })}
                  htmlFor={`f-outcome-${r.key}`}
                  problems={at(`released.${i}`)}
                >
                  <select
                    id={`f-outcome-${r.key}`}
                    value={r.outcome}
                    onChange={(e) => setRelease(r.key, { outcome: e.target.value })}
                  >
                    <VocabOptions values={V.LAND_RELEASE_OUTCOMES} />
                  </select>
                </Field>
                <CornersInput
                  id={`f-released-${i}`}
                  corners={r.corners}
                  onChange={(corners) => setRelease(r.key, { corners })}
                  placing={placing?.what === 'released' && placing.key === r.key}
                  onPlace={() => toggle({ what: 'released', key: r.key })}
                />
                <button
                  type="button"
                  onClick={() => set({ released: c.released.filter((x) => x.key !== r.key) })}
                >
                  {t('fieldApp.remove')}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="field-add"
              onClick={() =>
                set({ released: [...c.released, { key: newKey(), outcome: 'cleared', corners: [] }] })
              }
            >
              {t('fieldApp.draft.addReleased')}
            </button>
            <h3>{t('fieldApp.draft.found')}</h3>
            {c.found.map((f, i) => (
              <div key={f.key} className="field-item" data-testid={`found-${i}`}>
                <h4>{t('fieldApp.draft.findingN', { n: i + 1 })}</h4>
                <Problems items={at(`found.${i}`)} />
                <div className="field-row">
                  <Field label={t('field.category')} htmlFor={`f-cat-${f.key}`}>
                    <select
                      id={`f-cat-${f.key}`}
                      value={f.category}
                      onChange={(e) => setFinding(f.key, { category: e.target.value })}
                    >
                      <VocabOptions values={V.DEVICE_CATEGORIES} />
                    </select>
                  </Field>
                  <Field label={t('field.quantity')} htmlFor={`f-qty-${f.key}`}>
                    <input
                      id={`f-qty-${f.key}`}
                      type="number"
                      min={1}
                      inputMode="numeric"
                      value={f.quantity}
                      onChange={(e) =>
                        setFinding(f.key, { quantity: Math.max(0, Math.round(Number(e.target.value) || 0)) })
                      }
                    />
                  </Field>
                </div>
                <PositionInput
                  id={`f-pos-${i}`}
                  value={f.position}
                  onChange={(position) => setFinding(f.key, { position })}
                  placing={placing?.what === 'found' && placing.key === f.key}
                  onPlace={() => toggle({ what: 'found', key: f.key })}
                />
                <div className="field-row">
                  <Field label={t('field.condition')} htmlFor={`f-cond-${f.key}`}>
                    <select
                      id={`f-cond-${f.key}`}
                      value={f.condition}
                      onChange={(e) => setFinding(f.key, { condition: e.target.value })}
                    >
                      <option value="" />
                      <VocabOptions values={V.FINDING_CONDITIONS} />
                    </select>
                  </Field>
                  <Field label={t('field.depthCm')} htmlFor={`f-depth-${f.key}`}>
                    <input
                      id={`f-depth-${f.key}`}
                      type="number"
                      min={0}
                      inputMode="numeric"
                      value={f.depthCm}
                      onChange={(e) => setFinding(f.key, { depthCm: e.target.value })}
                    />
                  </Field>
                </div>
                <button type="button" onClick={() => set({ found: c.found.filter((x) => x.key !== f.key) })}>
                  {t('fieldApp.remove')}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="field-add"
              onClick={() =>
                set({
                  found: [
                    ...c.found,
                    {
                      key: newKey(),
                      category: 'AP',
                      quantity: 1,
                      position: null,
                      condition: '',
                      depthCm: '',
                      modelText: '',
                    },
                  ],
                })
              }
            >
              {t('fieldApp.draft.addFinding')}
            </button>
          </>
        )}

        {draft.kind === 'new_hazard' && (
          <>
            <Field label={t('fieldApp.draft.hazardName')} htmlFor="f-hname">
              <input
                id="f-hname"
                value={c.hazardName}
                onChange={(e) => set({ hazardName: e.target.value })}
              />
            </Field>
            <Field label={t('fieldApp.draft.hazardType')} htmlFor="f-htype" problems={at('hazardType')}>
              <select id="f-htype" value={c.hazardType} onChange={(e) => set({ hazardType: e.target.value })}>
                <VocabOptions values={V.HAZARD_TYPES} />
              </select>
            </Field>
            <fieldset className="field-checks">
              <legend>{t('fieldApp.draft.deviceCategories')}</legend>
              {V.DEVICE_CATEGORIES.map((d) => (
                <label key={d}>
                  <input
                    type="checkbox"
                    checked={c.deviceCategories.includes(d)}
                    onChange={(e) =>
                      set({
                        deviceCategories: e.target.checked
                          ? [...c.deviceCategories, d]
                          : c.deviceCategories.filter((x) => x !== d),
                      })
                    }
                  />
                  {tk(`vocab.${d}`, d)}
                </label>
              ))}
            </fieldset>
            <h3>{t('fieldApp.draft.benchmark')}</h3>
            <PositionInput
              id="f-benchmark"
              value={c.benchmark}
              averaging={10}
              onChange={(benchmark) => set({ benchmark })}
              placing={placing?.what === 'benchmark'}
              onPlace={() => toggle({ what: 'benchmark' })}
            />
            <h3>{t('fieldApp.draft.perimeter')}</h3>
            <Problems items={at('corners')} />
            <CornersInput
              id="f-corners"
              corners={c.corners}
              onChange={(corners) => set({ corners })}
              placing={placing?.what === 'corners'}
              onPlace={() => toggle({ what: 'corners' })}
            />
          </>
        )}

        {draft.kind === 'accident' && (
          <>
            <h3>{t('fieldApp.draft.accidentPosition')}</h3>
            <Problems items={at('position')} />
            <PositionInput
              id="f-accident"
              value={c.accidentPosition}
              onChange={(accidentPosition) => set({ accidentPosition })}
              placing={placing?.what === 'accident'}
              onPlace={() => toggle({ what: 'accident' })}
            />
            <Field label={t('fieldApp.draft.occurredOn')} htmlFor="f-occurred" problems={at('occurredOn')}>
              <input
                id="f-occurred"
                type="date"
                value={c.occurredOn}
                onChange={(e) => set({ occurredOn: e.target.value })}
              />
            </Field>
            <Field label={t('field.category')} htmlFor="f-devcat">
              <select
                id="f-devcat"
                value={c.deviceCategory}
                onChange={(e) => set({ deviceCategory: e.target.value })}
              >
                <VocabOptions values={V.DEVICE_CATEGORIES} />
              </select>
            </Field>
            <Field label={t('fieldApp.draft.demining')} htmlFor="f-demining">
              <select id="f-demining" value={c.demining} onChange={(e) => set({ demining: e.target.value })}>
                <VocabOptions values={V.TRI_STATE} />
              </select>
            </Field>
            {hazards.length > 0 && hazardSelect}
            <h3>{t('fieldApp.draft.casualties')}</h3>
            {c.casualties.map((k, i) => (
              <CasualtyItem
                key={k.key}
                n={i + 1}
                casualty={k}
                mayReadIdentity={mayReadIdentity}
                onChange={(change) => setCasualty(k.key, change)}
                onRemove={() => set({ casualties: c.casualties.filter((x) => x.key !== k.key) })}
              />
            ))}
            <button
              type="button"
              className="field-add"
              onClick={() =>
                set({
                  casualties: [
                    ...c.casualties,
                    {
                      key: newKey(),
                      sex: 'unknown',
                      ageBand: 'unknown',
                      casualtyStatus: 'civilian',
                      outcome: 'injured',
                      identity: null,
                    },
                  ],
                })
              }
            >
              {t('fieldApp.draft.addCasualty')}
            </button>
            {!mayReadIdentity && <p className="field-hint">{t('fieldApp.draft.identityNotKept')}</p>}
          </>
        )}

        {draft.kind === 'hazard_status_change' && (
          <>
            {hazardSelect}
            <Field label={t('fieldApp.draft.status')} htmlFor="f-status" problems={at('status')}>
              <select id="f-status" value={c.status} onChange={(e) => set({ status: e.target.value })}>
                <VocabOptions values={V.HAZARD_STATUSES} />
              </select>
            </Field>
          </>
        )}

        {draft.kind === 'other_records' && (
          <>
            <h3>{t('fieldApp.draft.sessionPosition')}</h3>
            <Problems items={at('sessionPosition')} />
            <PositionInput
              id="f-session"
              value={c.sessionPosition}
              onChange={(sessionPosition) => set({ sessionPosition })}
              placing={placing?.what === 'session'}
              onPlace={() => toggle({ what: 'session' })}
            />
            <Field label={t('field.heldOn')} htmlFor="f-held" problems={at('heldOn')}>
              <input
                id="f-held"
                type="date"
                value={c.heldOn}
                onChange={(e) => set({ heldOn: e.target.value })}
              />
            </Field>
            <Field label={t('field.deliveryMethod')} htmlFor="f-delivery" problems={at('deliveryMethod')}>
              <select
                id="f-delivery"
                value={c.deliveryMethod}
                onChange={(e) => set({ deliveryMethod: e.target.value })}
              >
                <VocabOptions values={V.RE_DELIVERY_METHODS} />
              </select>
            </Field>
            <h3>{t('field.beneficiaries')}</h3>
            <Problems items={at('beneficiaries')} />
            <CountsInput
              id="f-beneficiaries"
              name="beneficiaries"
              rows={V.SEXES}
              value={c.beneficiaries}
              onChange={(beneficiaries) => set({ beneficiaries })}
            />
            <Field label={t('field.description')} htmlFor="f-session-notes">
              <textarea
                id="f-session-notes"
                rows={3}
                value={c.sessionNotes}
                onChange={(e) => set({ sessionNotes: e.target.value })}
              />
            </Field>
          </>
        )}

        {(draft.kind === 'hazard_status_change' || draft.reason) && (
          <Field label={t('fieldApp.draft.reason')} htmlFor="f-reason" problems={at('reason')}>
            <textarea
              id="f-reason"
              rows={3}
              value={draft.reason}
              onChange={(e) => setDraft((d) => ({ ...d, reason: e.target.value }))}
            />
          </Field>
        )}
      </fieldset>

      <h3>{t('fieldApp.photos.title')}</h3>
      <PhotosInput
        draftId={draft.clientId}
        photos={photos}
        onChange={loadPhotos}
        readOnly={draft.state === 'sent'}
      />

      <CheckList findings={tried ? findings : findings.filter((f) => f.level === 'warning' || f.text)} />

      <div className="field-actions">
        {!readOnly && (
          <button type="button" className="primary" onClick={queue} data-testid="queue-draft">
            {draft.state === 'refused' ? t('fieldApp.draft.sendAgain') : t('fieldApp.draft.send')}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {t('fieldApp.back')}
        </button>
        {draft.state !== 'sent' && draft.state !== 'pending' && !draft.reportId && (
          <button type="button" className="danger" onClick={remove}>
            {t('fieldApp.draft.delete')}
          </button>
        )}
      </div>
    </form>
  );
}

/** Where in the form a check points, in words: `found.2` → "Finding 3". */
function placeOf(at: string, t: (k: string, p?: Record<string, unknown>) => string): string {
  const [part, index] = at.split('.');
  const n = Number(index) + 1;
  if (part === 'found') return t('fieldApp.draft.findingN', { n });
  if (part === 'released') return t('fieldApp.draft.releasedN', { n });
  const labels: Record<string, string> = {
    hazard: 'fieldApp.draft.hazard',
    dateOfInformation: 'fieldApp.draft.dateOfInformation',
    corners: 'fieldApp.draft.perimeter',
    position: 'fieldApp.draft.accidentPosition',
    occurredOn: 'fieldApp.draft.occurredOn',
    hazardType: 'fieldApp.draft.hazardType',
    status: 'fieldApp.draft.status',
    reason: 'fieldApp.draft.reason',
    sessionPosition: 'fieldApp.draft.sessionPosition',
    heldOn: 'field.heldOn',
    deliveryMethod: 'field.deliveryMethod',
    beneficiaries: 'field.beneficiaries',
  };
  return labels[part] ? t(labels[part]) : t('fieldApp.draft.report');
}

function CheckList({ findings }: { findings: Finding[] }) {
  const { t, tk } = useI18n();
  if (findings.length === 0) return null;
  return (
    <section className="field-checklist" aria-label={t('fieldApp.check.title')} data-testid="field-checks">
      <h3>{t('fieldApp.check.title')}</h3>
      <ul>
        {findings.map((f) => (
          <li key={`${f.at}-${f.key ?? ''}-${f.text ?? ''}`} className={f.level}>
            <strong>{placeOf(f.at, t)}:</strong> {f.text ?? tk(f.key ?? '', f.key ?? '', f.params)}
            {f.code && (
              <>
                {' '}
                <code>{f.code}</code>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CasualtyItem({
  n,
  casualty,
  mayReadIdentity,
  onChange,
  onRemove,
}: {
  n: number;
  casualty: DraftCasualty;
  mayReadIdentity: boolean;
  onChange: (c: Partial<DraftCasualty>) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [dateOfBirth, setDateOfBirth] = useState('');
  const [address, setAddress] = useState('');
  const id = `f-cas-${casualty.key}`;
  const keep = async () => {
    // Only the ciphertext is kept: the plain identity lives in this form until it is encrypted.
    onChange({ identity: await encryptIdentity({ name, dateOfBirth, address }) });
    setName('');
    setDateOfBirth('');
    setAddress('');
  };
  return (
    <div className="field-item">
      <h4>{t('fieldApp.draft.casualtyN', { n })}</h4>
      <div className="field-row">
        <Field label={t('field.sex')} htmlFor={`${id}-sex`}>
          <select id={`${id}-sex`} value={casualty.sex} onChange={(e) => onChange({ sex: e.target.value })}>
            <VocabOptions values={V.SEXES} />
          </select>
        </Field>
        <Field label={t('field.ageBand')} htmlFor={`${id}-age`}>
          <select
            id={`${id}-age`}
            value={casualty.ageBand}
            onChange={(e) => onChange({ ageBand: e.target.value })}
          >
            <VocabOptions values={V.AGE_BANDS} />
          </select>
        </Field>
      </div>
      <div className="field-row">
        <Field label={t('field.casualtyStatus')} htmlFor={`${id}-status`}>
          <select
            id={`${id}-status`}
            value={casualty.casualtyStatus}
            onChange={(e) => onChange({ casualtyStatus: e.target.value })}
          >
            <VocabOptions values={V.CASUALTY_STATUSES} />
          </select>
        </Field>
        <Field label={t('field.outcome')} htmlFor={`${id}-outcome`}>
          <select
            id={`${id}-outcome`}
            value={casualty.outcome}
            onChange={(e) => onChange({ outcome: e.target.value })}
          >
            <VocabOptions values={V.CASUALTY_OUTCOMES} />
          </select>
        </Field>
      </div>
      {mayReadIdentity &&
        (casualty.identity ? (
          <p className="field-hint">
            {t('fieldApp.draft.identityEncrypted')}{' '}
            <button type="button" onClick={() => onChange({ identity: null })}>
              {t('fieldApp.clear')}
            </button>
          </p>
        ) : (
          <fieldset className="field-identity">
            <legend>{t('fieldApp.draft.identity')}</legend>
            <Field label={t('field.name')} htmlFor={`${id}-name`}>
              <input
                id={`${id}-name`}
                autoComplete="off"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </Field>
            <Field label={t('fieldApp.dateOfBirth')} htmlFor={`${id}-dob`}>
              <input
                id={`${id}-dob`}
                type="date"
                value={dateOfBirth}
                onChange={(e) => setDateOfBirth(e.target.value)}
              />
            </Field>
            <Field label={t('fieldApp.address')} htmlFor={`${id}-addr`}>
              <input
                id={`${id}-addr`}
                autoComplete="off"
                value={address}
                onChange={(e) => setAddress(e.target.value)}
              />
            </Field>
            <button type="button" onClick={keep} disabled={!name.trim() && !dateOfBirth && !address.trim()}>
              {t('fieldApp.draft.keepIdentity')}
            </button>
          </fieldset>
        ))}
      <button type="button" onClick={onRemove}>
        {t('fieldApp.remove')}
      </button>
    </div>
  );
}
