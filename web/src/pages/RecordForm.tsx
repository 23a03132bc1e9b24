import type { Geometry, Point } from 'geojson';
import {
  type ChangeEvent,
  type FormEvent,
  type ReactNode,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { ApiError, request } from '../api/client.ts';
import type { ProblemItem, RecordFeature, RecordProps } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { RequiredMark } from '../components/FormField.tsx';
import { type AreaGeometry, GeometryEditor } from '../components/GeometryEditor.tsx';
import {
  CountsInput,
  GroupInput,
  IdListInput,
  ObjectListInput,
  TextListInput,
} from '../components/ListInputs.tsx';
import { PointInput } from '../components/PointInput.tsx';
import { RecordPicker } from '../components/RecordPicker.tsx';
import { VocabOptions } from '../components/VocabOptions.tsx';
import { useI18n } from '../i18n/index.tsx';
import { invalidateExtent } from '../lib/extent.ts';
import {
  type CountsValue,
  countsInput,
  countsValue,
  itemInput,
  itemValue,
  type ListItem,
  listItems,
  TEXT_MAP_PARTS,
  textMapInput,
  textMapValue,
} from '../lib/form-values.ts';
import { invalidateOptions } from '../lib/options.ts';
import { useCan } from '../lib/permissions.ts';
import { placeProblems } from '../lib/problems.ts';
import { type FieldDesc, fieldsOf, recordLabel, registerDef } from '../lib/registers.ts';
import { Link, useRouter } from '../lib/router.tsx';
import { useAsync } from '../lib/useAsync.ts';
import { loadRecord } from './RecordPage.tsx';

type Values = Record<string, unknown>;

/** Form text of a value and back; empty inputs mean "not given" (null on edit). */
function toInput(f: FieldDesc, v: unknown): unknown {
  if (f.kind === 'counts') return countsInput(v);
  if (f.kind === 'textMap') return textMapInput(v);
  if (f.kind === 'group') return v && typeof v === 'object' ? itemInput(v) : {};
  if (v === undefined || v === null)
    return f.kind === 'enumArray' || f.kind === 'idList' || f.kind === 'objectList' || f.kind === 'textList'
      ? []
      : f.kind === 'point'
        ? null
        : '';
  if (f.kind === 'idList' || f.kind === 'textList') return Array.isArray(v) ? v.map(String) : [];
  if (f.kind === 'objectList') return Array.isArray(v) ? v.map(itemInput) : [];
  if (f.kind === 'json') return JSON.stringify(v, null, 2);
  if (f.kind === 'integer' || f.kind === 'number') return String(v);
  return v;
}

/** A value given in the address (?hazardId=…); a JSON field's is JSON (?hazardIds=["…"]). */
function prefill(f: FieldDesc, v: string | null): unknown {
  if (v === null) return undefined;
  if (!['json', 'idList', 'objectList', 'textList'].includes(f.kind)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * One object's parts as a change sends them: a part that was stored and is now blank is sent as
 * null (cleared), since a part left out keeps what is stored (a casualty's identity).
 */
function withClearedParts(before: unknown, value: unknown): unknown {
  if (!before || typeof before !== 'object') return value;
  const cleared = Object.entries(before as Record<string, unknown>)
    .filter(([k, v]) => v !== null && v !== undefined && !(value && k in (value as object)))
    .map(([k]) => [k, null]);
  return { ...Object.fromEntries(cleared), ...((value as object | null) ?? {}) };
}

/** An empty list or object: nothing given. */
function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : !!v && typeof v === 'object' && Object.keys(v).length === 0;
}

function fromInput(f: FieldDesc, v: unknown): { value: unknown; error?: string } {
  if (f.kind === 'enumArray') return { value: v };
  if (f.kind === 'idList') return { value: (v as string[] | undefined) ?? [] };
  if (f.kind === 'objectList') return listItems((v as ListItem[] | undefined) ?? [], f.subfields ?? []);
  if (f.kind === 'group') return itemValue((v as ListItem | undefined) ?? {}, f.subfields ?? []);
  if (f.kind === 'counts') return countsValue(v as CountsValue);
  if (f.kind === 'textMap') return textMapValue((v as ListItem[] | undefined) ?? []);
  if (f.kind === 'textList')
    return { value: ((v as string[] | undefined) ?? []).map((x) => x.trim()).filter((x) => x !== '') };
  if (f.kind === 'point') return { value: v ?? null };
  if (f.kind === 'boolean') return { value: !!v };
  if (v === '' || v === undefined || v === null) return { value: null };
  if (f.kind === 'integer' || f.kind === 'number') {
    const n = Number(String(v).replace(',', '.'));
    if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n)))
      return { value: v, error: 'form.notANumber' };
    return { value: n };
  }
  if (f.kind === 'json') {
    try {
      return { value: JSON.parse(String(v)) };
    } catch {
      return { value: v, error: 'form.badJson' };
    }
  }
  return { value: v };
}

/**
 * A register's new-record or edit form. A role that may not write the register directly (the
 * server would refuse the save) is told so, and where its changes go instead, without the form
 * or the record being loaded.
 */
export function RecordForm({ slug, id }: { slug: string; id?: string }) {
  const { t } = useI18n();
  const { can, mayWrite } = useCan();
  if (!registerDef(slug) || mayWrite(slug)) return <RecordEditor slug={slug} id={id} />;
  return (
    <div className="page-status" role="alert">
      {can('report.create') ? (
        <>
          <p>{t('record.writeThroughReport')}</p>
          <Link to="/reports/new">{t('reports.new')}</Link>
        </>
      ) : (
        <p>{t('record.writeNotForRole')}</p>
      )}
    </div>
  );
}

function RecordEditor({ slug, id }: { slug: string; id?: string }) {
  const { t, tk } = useI18n();
  const { navigate, search } = useRouter();
  const def = registerDef(slug);
  const fields = useMemo(() => (def ? fieldsOf(def) : []), [def]);
  const geometryKind = def?.geometry?.kind;
  const [values, setValues] = useState<Values>({});
  const [original, setOriginal] = useState<{
    props: RecordProps;
    geometry: Geometry | null;
    version: number;
  } | null>(null);
  const [geometry, setGeometry] = useState<Geometry | null>(null);
  const [loading, setLoading] = useState(!!id);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [problems, setProblems] = useState<ProblemItem[]>([]);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const [formKey, setFormKey] = useState(0);
  /** The stored identity was read into the form (by a role allowed to, when the user asked). */
  const [identityLoaded, setIdentityLoaded] = useState(false);
  const { can } = useCan();
  const summaryRef = useRef<HTMLDivElement>(null);

  const fill = (props: Values) => {
    const v: Values = {};
    for (const f of fields) v[f.name] = toInput(f, props[f.name]);
    setValues(v);
  };

  const load = async () => {
    if (!id) {
      // New record: links from a parent page pass its id (?hazardId=…).
      const v: Values = {};
      for (const f of fields) v[f.name] = toInput(f, prefill(f, search.get(f.name)));
      setValues(v);
      return;
    }
    setLoading(true);
    setLoadError(null);
    try {
      const r = await loadRecord(slug, id);
      setOriginal({ props: r.props, geometry: r.geometry, version: r.version });
      setIdentityLoaded(false);
      fill(r.props);
      setGeometry(r.geometry);
      setFormKey((k) => k + 1);
    } catch (err) {
      setLoadError(err);
    } finally {
      setLoading(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once per record
  useEffect(() => {
    load();
  }, [slug, id]);

  // Land released from a hazard is drawn inside it: show the hazard's outline while drawing.
  const hazardId = (values.hazardId as string) || '';
  const activityId = (values.activityId as string) || '';
  useEffect(() => {
    if (slug !== 'land-release' || hazardId || !activityId) return;
    loadRecord('activities', activityId)
      .then(
        (a) => a.props.hazardId && setValues((v) => (v.hazardId ? v : { ...v, hazardId: a.props.hazardId })),
      )
      .catch(() => {});
  }, [slug, hazardId, activityId]);
  const parentHazard = useAsync(
    (signal) =>
      slug !== 'hazards' && hazardId && geometryKind === 'MultiPolygon'
        ? loadRecord('hazards', hazardId, signal)
        : Promise.resolve(null),
    [slug, hazardId, geometryKind],
  );
  const context = parentHazard.data?.geometry ?? null;

  if (!def) return <p className="page-status">{t('app.notFound')}</p>;
  if (loading)
    return (
      <p className="page-status" role="status">
        {t('app.loading')}
      </p>
    );
  if (loadError) return <ErrorNote error={loadError} onRetry={load} />;

  const placed = placeProblems(
    problems,
    fields.map((f) => f.name),
    def.pointFields,
  );
  const set = (name: string, v: unknown) => setValues((cur) => ({ ...cur, [name]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblems([]);
    setConflict(false);
    const errs: Record<string, string> = {};
    const props: Values = {};
    for (const f of fields) {
      const { value, error } = fromInput(f, values[f.name]);
      if (error) errs[f.name] = error;
      if (id) {
        // Edits send only what changed, so a field someone else changed is not overwritten by accident.
        const stored = original?.props[f.name] ?? null;
        // The stored value as this form would send it (blank parts left out, numbers as numbers),
        // so only what the user changed differs; an empty list or map is a value not given, and
        // keys are compared in any order.
        const before = stored === null ? null : fromInput(f, toInput(f, stored)).value;
        const blank = (v: unknown) => v === null || isEmpty(v);
        const same = (blank(value) && blank(before)) || canonicalJson(value) === canonicalJson(before);
        if (!same) props[f.name] = f.kind === 'group' ? withClearedParts(stored, value) : value;
      } else if (value !== null && !isEmpty(value)) props[f.name] = value;
    }
    setLocalErrors(errs);
    if (Object.keys(errs).length > 0) {
      summaryRef.current?.focus();
      return;
    }
    const geometryChanged = JSON.stringify(geometry) !== JSON.stringify(original?.geometry ?? null);
    let body: unknown = props;
    if (geometryKind) {
      body = { type: 'Feature', properties: props, ...(id && !geometryChanged ? {} : { geometry }) };
    }
    setSaving(true);
    try {
      const r = id
        ? await request<RecordFeature | RecordProps>(`/api/v1/${slug}/${id}`, {
            method: 'PATCH',
            body,
            headers: { 'If-Match': `"${original?.version}"` },
          })
        : await request<RecordFeature | RecordProps>(`/api/v1/${slug}`, { method: 'POST', body });
      const saved =
        (r.data as RecordFeature).type === 'Feature'
          ? (r.data as RecordFeature).properties
          : (r.data as RecordProps);
      invalidateOptions(slug);
      if (geometryKind) invalidateExtent();
      navigate(`/registers/${slug}/${saved.id ?? id}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setConflict(true);
      else if (err instanceof ApiError) setProblems(err.items);
      else setProblems([{ code: 'error.unexpected', detail: t('error.unexpected') }]);
      setTimeout(() => summaryRef.current?.focus(), 0);
    } finally {
      setSaving(false);
    }
  };

  /** Reads the stored identity into the form, so its parts can be corrected or cleared. */
  const loadIdentity = async () => {
    if (!id) return;
    try {
      const r = await loadRecord(slug, id, undefined, true);
      const stored = (r.props.identity as Record<string, unknown> | undefined) ?? null;
      setOriginal((o) => (o ? { ...o, props: { ...o.props, identity: stored } } : o));
      setValues((v) => ({ ...v, identity: stored ? itemInput(stored) : {} }));
      setIdentityLoaded(true);
    } catch (err) {
      setProblems(
        err instanceof ApiError ? err.items : [{ code: 'error.unexpected', detail: t('error.unexpected') }],
      );
    }
  };

  const reloadAfterConflict = async () => {
    setConflict(false);
    setProblems([]);
    await load();
  };

  const fieldId = (name: string) => `f-${name}`;
  const errorId = (name: string) => `f-${name}-error`;
  const hasSummary = problems.length > 0 || Object.keys(localErrors).length > 0;

  const renderField = (f: FieldDesc) => {
    const fid = fieldId(f.name);
    const fieldProblems = placed.byField[f.name] ?? [];
    const local = localErrors[f.name];
    const invalid = fieldProblems.length > 0 || !!local;
    const describedBy = invalid ? errorId(f.name) : undefined;
    const label = tk(`field.${f.name}`, f.name);
    const v = values[f.name];
    // What every text-valued control of the field carries: its value, its problems, whether it must be filled.
    const textControl = {
      id: fid,
      value: String(v ?? ''),
      onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
        set(f.name, e.target.value),
      'aria-invalid': invalid || undefined,
      'aria-describedby': describedBy,
      required: f.required,
    };
    let input: ReactNode;
    switch (f.kind) {
      case 'enum':
        input = (
          <select {...textControl}>
            <option value="">{t('form.choose')}</option>
            <VocabOptions values={f.enumValues} />
          </select>
        );
        break;
      case 'enumArray': {
        const arr = (v as string[]) ?? [];
        input = (
          <fieldset className="checks" aria-describedby={describedBy} id={fid}>
            <legend className="visually-hidden">{label}</legend>
            {f.enumValues?.map((x) => (
              <label key={x} className="check">
                <input
                  type="checkbox"
                  checked={arr.includes(x)}
                  onChange={(e) => set(f.name, e.target.checked ? [...arr, x] : arr.filter((y) => y !== x))}
                />
                {tk(`vocab.${x}`, x)}
              </label>
            ))}
          </fieldset>
        );
        break;
      }
      case 'ref':
        input = (
          <RecordPicker
            slug={f.refSlug ?? ''}
            id={fid}
            value={String(v ?? '')}
            onChange={(x) => set(f.name, x)}
            required={f.required}
            invalid={invalid}
            describedBy={describedBy}
          />
        );
        break;
      case 'idList':
        input = (
          <IdListInput
            slug={f.refSlug ?? ''}
            id={fid}
            value={(v as string[]) ?? []}
            onChange={(x) => set(f.name, x)}
            invalid={invalid}
            describedBy={describedBy}
          />
        );
        break;
      case 'objectList':
        input = (
          <ObjectListInput
            id={fid}
            name={f.name}
            parts={f.subfields ?? []}
            value={(v as ListItem[]) ?? []}
            onChange={(x) => set(f.name, x)}
            describedBy={describedBy}
          />
        );
        break;
      case 'group':
        input = (
          <GroupInput
            id={fid}
            parts={f.subfields ?? []}
            value={(v as ListItem) ?? {}}
            onChange={(x) => set(f.name, x)}
            describedBy={describedBy}
          />
        );
        break;
      case 'counts':
        input = (
          <CountsInput
            id={fid}
            name={f.name}
            rows={f.rows ?? []}
            value={(v as CountsValue | undefined) ?? countsInput(undefined)}
            onChange={(x) => set(f.name, x)}
            describedBy={describedBy}
          />
        );
        break;
      case 'textList':
        input = (
          <TextListInput
            id={fid}
            name={f.name}
            value={(v as string[]) ?? []}
            maxLength={f.maxLength}
            onChange={(x) => set(f.name, x)}
            describedBy={describedBy}
          />
        );
        break;
      case 'textMap':
        input = (
          <ObjectListInput
            id={fid}
            name={f.name}
            parts={TEXT_MAP_PARTS}
            value={(v as ListItem[]) ?? []}
            onChange={(x) => set(f.name, x)}
            describedBy={describedBy}
          />
        );
        break;
      case 'point':
        input = (
          <PointInput
            key={formKey}
            id={fid}
            value={(v as Point | null) ?? null}
            onChange={(p) => set(f.name, p)}
            withMap={false}
            invalid={invalid}
            describedBy={describedBy}
          />
        );
        break;
      case 'date':
        input = <input {...textControl} type="date" />;
        break;
      case 'integer':
      case 'number':
        input = (
          <input
            {...textControl}
            type="number"
            inputMode="decimal"
            step={f.kind === 'integer' ? 1 : 'any'}
            min={f.minimum}
            max={f.maximum}
          />
        );
        break;
      case 'text':
      case 'json':
        input = (
          <textarea
            {...textControl}
            rows={f.kind === 'json' ? 4 : 3}
            dir={f.kind === 'json' ? 'ltr' : undefined}
            className={f.kind === 'json' ? 'mono' : undefined}
          />
        );
        break;
      case 'boolean':
        input = (
          <input id={fid} type="checkbox" checked={!!v} onChange={(e) => set(f.name, e.target.checked)} />
        );
        break;
      default:
        input = <input {...textControl} type={f.name === 'url' ? 'url' : 'text'} maxLength={f.maxLength} />;
    }
    return (
      <div
        key={f.name}
        className={`form-field kind-${f.kind} ${invalid ? 'invalid' : ''}`}
        data-field={f.name}
      >
        <label htmlFor={fid}>
          {label}
          {f.required && <RequiredMark />}
          {f.kind === 'json' && <span className="muted"> ({t('form.jsonHint')})</span>}
        </label>
        {input}
        {f.kind === 'group' && f.name === 'identity' && id && !identityLoaded && (
          <p className="muted" data-testid="identity-kept">
            {t('form.identityKept')}{' '}
            {can('identity.read') && (
              <>
                <button
                  type="button"
                  className="link-button"
                  onClick={loadIdentity}
                  data-testid="identity-load"
                >
                  {t('form.identityLoad')}
                </button>{' '}
                {t('record.identityLogged')}
              </>
            )}
          </p>
        )}
        {invalid && (
          <p id={errorId(f.name)} className="error" data-testid={`problem-${f.name}`}>
            {local && t(local)}
            {fieldProblems.map((p) => p.detail ?? p.code).join(' ')}
          </p>
        )}
      </div>
    );
  };

  const title = id
    ? t('form.editTitle', { record: original ? recordLabel(original.props) : '' })
    : t('form.newTitle', { register: tk(`register.${slug}`, slug) });

  return (
    <div className="page record-form">
      <p className="muted">
        <Link to={`/registers/${slug}`}>{tk(`register.${slug}`, slug)}</Link>
      </p>
      <h1>{title}</h1>
      {conflict && (
        <div className="conflict" role="alert" data-testid="conflict">
          <h2>{t('form.conflictTitle')}</h2>
          <p>{t('form.conflictBody')}</p>
          <button
            type="button"
            className="primary"
            onClick={reloadAfterConflict}
            data-testid="conflict-reload"
          >
            {t('form.conflictReload')}
          </button>
        </div>
      )}
      <div ref={summaryRef} tabIndex={-1} className="summary-anchor">
        {hasSummary && (
          <div className="error-summary" role="alert" data-testid="error-summary">
            <h2>{t('form.problemsTitle', { count: problems.length + Object.keys(localErrors).length })}</h2>
            <ul>
              {placed.general.map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                <li key={`g${i}`}>{p.detail ?? p.code}</li>
              ))}
              {Object.entries(placed.byField).map(([name, ps]) => (
                <li key={name}>
                  <a href={`#${fieldId(name)}`}>{tk(`field.${name}`, name)}</a>:{' '}
                  {ps.map((p) => p.detail ?? p.code).join(' ')}
                </li>
              ))}
              {placed.geometry.length > 0 && (
                <li>
                  <a href="#f-geometry">{t('record.geometry')}</a>:{' '}
                  {t('form.seeGeometry', { count: placed.geometry.length })}
                </li>
              )}
              {Object.entries(localErrors).map(([name, code]) => (
                <li key={`l${name}`}>
                  <a href={`#${fieldId(name)}`}>{tk(`field.${name}`, name)}</a>: {t(code)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <form onSubmit={submit} noValidate>
        {geometryKind && (
          <fieldset className="geometry-fieldset">
            <legend>
              {t('record.geometry')}
              {def.geometry?.required && <RequiredMark />}
            </legend>
            {geometryKind === 'MultiPolygon' ? (
              <GeometryEditor
                key={formKey}
                id="f-geometry"
                value={geometry as AreaGeometry | null}
                onChange={setGeometry}
                problems={placed.geometry}
                context={context}
              />
            ) : (
              <>
                <PointInput
                  key={formKey}
                  id="f-geometry"
                  value={geometry as Point | null}
                  onChange={setGeometry}
                  withMap
                />
                {placed.geometry.length > 0 && (
                  <p className="error">{placed.geometry.map((p) => p.detail ?? p.code).join(' ')}</p>
                )}
              </>
            )}
          </fieldset>
        )}
        <div className="form-grid">{fields.map(renderField)}</div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving} data-testid="save">
            {saving ? t('form.saving') : t('action.save')}
          </button>
          <Link to={id ? `/registers/${slug}/${id}` : `/registers/${slug}`} className="button">
            {t('action.cancel')}
          </Link>
        </div>
      </form>
    </div>
  );
}
