import { createHash } from 'node:crypto';
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import type { TSchema } from 'typebox';
import { Problem } from '../domain/problem.ts';
import {
  accidents,
  activities,
  casualties,
  findings,
  hazards,
  landRelease,
  type RegisterDef,
} from '../domain/records.ts';
import type { Change, ReportKind } from '../domain/reports.ts';

/**
 * XForms (ODK XForms 1.0, https://getodk.github.io/xforms-spec/) for the report kinds, generated
 * from the register schemas in src/domain/records.ts, and the reading of the submissions ODK
 * Collect and KoboCollect send back. A form is a list of sections, each the fields of one
 * register: the form and the reading of its submissions both come from the same description, so
 * what a phone can send is exactly what the form asks. Pure: labels come in through `Labels`,
 * the ordnance catalogue through `FormContext`.
 */

/** The form languages, as ODK shows them (`Name (code)`, so Collect can match the device's language). */
export const FORM_LANGUAGES = [
  { code: 'en', name: 'English (en)' },
  { code: 'ru', name: 'Русский (ru)' },
  { code: 'ar', name: 'العربية (ar)' },
] as const;

/** A field of a section: a register field, or a reference typed as a record's code. */
interface FieldSpec {
  name: string;
  /** A reference to a hazard typed as its code (HA-000123); the server finds the hazard. */
  hazardCode?: boolean;
  required?: boolean;
}

export interface SectionSpec {
  /** Element name in the instance, e.g. `landRelease`. */
  name: string;
  register: RegisterDef;
  op: 'create' | 'update';
  /** A repeat: any number of records (at least `min`). */
  repeat?: { min: number };
  /** Name other changes refer to as `@ref:<ref>`. */
  ref?: string;
  /**
   * The main geometry: a point, or an area drawn as a shape (or, with `walked`, a perimeter
   * walked as a trace, closed into the area).
   */
  geometry?: { kind: 'geopoint' | 'geoshape'; required: boolean; walked?: boolean };
  fields: FieldSpec[];
  /** Items of a list field of another section's record (a hazard's evidence), not records of their own. */
  listOf?: { section: string; field: string };
  /** Fields the server fills: `@ref:` of another section, another section's field, the submitter's organisation. */
  fixed?: Record<string, { ref: string } | { from: string; field: string } | 'organisation'>;
}

export interface FormSpec {
  formId: string;
  kind: ReportKind;
  /** The report's reason is asked (and required). */
  reason?: boolean;
  sections: SectionSpec[];
}

/** The forms a phone can fill, one per report kind that fits a form in the field. */
export const FORMS: readonly FormSpec[] = [
  {
    formId: 'safeground_new_hazard',
    kind: 'new_hazard',
    sections: [
      {
        name: 'hazard',
        register: hazards,
        op: 'create',
        geometry: { kind: 'geoshape', required: true, walked: true },
        fields: [
          { name: 'name' },
          { name: 'type' },
          { name: 'deviceCategories' },
          { name: 'blockedLandUse' },
          { name: 'beneficiaries' },
          { name: 'benchmark' },
          { name: 'description' },
        ],
      },
      {
        name: 'evidence',
        register: hazards,
        op: 'create',
        repeat: { min: 0 },
        listOf: { section: 'hazard', field: 'evidence' },
        fields: [{ name: 'type' }, { name: 'description' }, { name: 'location' }],
      },
    ],
  },
  {
    formId: 'safeground_activity',
    kind: 'activity',
    sections: [
      {
        name: 'activity',
        register: activities,
        op: 'create',
        ref: 'activity',
        geometry: { kind: 'geopoint', required: false },
        fields: [
          { name: 'kind' },
          { name: 'hazardId', hazardCode: true },
          { name: 'method' },
          { name: 'status' },
          { name: 'startDate' },
          { name: 'endDate' },
          { name: 'description' },
        ],
        fixed: { organisationId: 'organisation' },
      },
      {
        name: 'landRelease',
        register: landRelease,
        op: 'create',
        repeat: { min: 0 },
        geometry: { kind: 'geoshape', required: true },
        fields: [
          { name: 'outcome' },
          { name: 'method' },
          { name: 'depthCm' },
          { name: 'releasedOn' },
          { name: 'benchmark' },
        ],
        fixed: {
          activityId: { ref: 'activity' },
          hazardId: { from: 'activity', field: 'hazardId' },
        },
      },
      {
        name: 'finding',
        register: findings,
        op: 'create',
        repeat: { min: 0 },
        geometry: { kind: 'geopoint', required: true },
        fields: [
          { name: 'category' },
          { name: 'ordnanceId' },
          { name: 'modelText' },
          { name: 'quantity' },
          { name: 'condition' },
          { name: 'depthCm' },
          { name: 'disposition' },
          { name: 'foundOn' },
          { name: 'marking' },
        ],
        fixed: {
          activityId: { ref: 'activity' },
          hazardId: { from: 'activity', field: 'hazardId' },
        },
      },
    ],
  },
  {
    formId: 'safeground_accident',
    kind: 'accident',
    sections: [
      {
        name: 'accident',
        register: accidents,
        op: 'create',
        ref: 'accident',
        geometry: { kind: 'geopoint', required: true },
        fields: [
          { name: 'occurredOn' },
          { name: 'datePrecision' },
          { name: 'pointPrecision' },
          { name: 'deviceCategory' },
          { name: 'ordnanceId' },
          { name: 'demining' },
          { name: 'hazardId', hazardCode: true },
          { name: 'description' },
        ],
      },
      {
        // A casualty's identity is never asked: ODK Collect keeps finalised forms unencrypted on the phone.
        name: 'casualty',
        register: casualties,
        op: 'create',
        repeat: { min: 0 },
        fields: [
          { name: 'sex' },
          { name: 'age' },
          { name: 'casualtyStatus' },
          { name: 'outcome' },
          { name: 'activityAtTime' },
          { name: 'tamperedWithDevice' },
          { name: 'displacementStatus' },
          { name: 'referral' },
        ],
        fixed: { accidentId: { ref: 'accident' } },
      },
    ],
  },
  {
    formId: 'safeground_hazard_status',
    kind: 'hazard_status_change',
    reason: true,
    sections: [
      {
        name: 'hazard',
        register: hazards,
        op: 'update',
        fields: [
          { name: 'id', hazardCode: true, required: true },
          { name: 'status', required: true },
        ],
      },
    ],
  },
];

export function formById(formId: string): FormSpec | undefined {
  return FORMS.find((f) => f.formId === formId);
}

/** One text in the three form languages. */
export type Labels = (
  key: string,
  params?: Record<string, string | number>,
) => Record<(typeof FORM_LANGUAGES)[number]['code'], string>;

export interface FormContext {
  /** The ordnance catalogue, offered where a register field refers to a model. */
  ordnance: Array<{ id: string; model: string; category: string }>;
  labels: Labels;
}

// ---- what a field is in XForms, from its TypeBox schema ----

type XType =
  | { type: 'string'; maxLength?: number }
  | { type: 'int'; min?: number; max?: number }
  | { type: 'decimal' }
  | { type: 'date' }
  | { type: 'geopoint' }
  | { type: 'select1'; values: string[] }
  | { type: 'select'; values: string[] }
  | { type: 'ordnance' };

/** The schema without its `null` branch (`nullable(x)` is `anyOf [x, null]`). */
function bare(schema: TSchema): TSchema & Record<string, unknown> {
  const s = schema as TSchema & { anyOf?: TSchema[] };
  if (s.anyOf) return bare(s.anyOf.find((b) => (b as { type?: string }).type !== 'null') ?? s.anyOf[0]!);
  return s as TSchema & Record<string, unknown>;
}

/** The object schema of the items of a list field (a hazard's `evidence`). */
function listItems(section: SectionSpec, list: string) {
  const schema = bare((section.register.fields.properties as Record<string, TSchema>)[list]!);
  return (schema as unknown as { items: { properties: Record<string, TSchema>; required?: string[] } }).items;
}

function schemaOf(section: SectionSpec, field: string): TSchema | undefined {
  if (section.listOf) return listItems(section, section.listOf.field).properties[field];
  return (section.register.fields.properties as Record<string, TSchema>)[field];
}

function xtype(section: SectionSpec, field: FieldSpec): XType {
  if (field.hazardCode) return { type: 'string', maxLength: 40 };
  if (field.name === 'ordnanceId') return { type: 'ordnance' };
  const s = bare(schemaOf(section, field.name) ?? ({} as TSchema));
  if (Array.isArray(s.enum)) return { type: 'select1', values: s.enum as string[] };
  if (s.type === 'array') {
    const items = bare(s.items as TSchema);
    if (Array.isArray(items.enum)) return { type: 'select', values: items.enum as string[] };
  }
  if (s.type === 'integer')
    return { type: 'int', min: s.minimum as number | undefined, max: s.maximum as number | undefined };
  if (s.type === 'number') return { type: 'decimal' };
  if (s.type === 'string' && s.format === 'date') return { type: 'date' };
  if (s.type === 'object' && (s.properties as Record<string, unknown> | undefined)?.coordinates)
    return { type: 'geopoint' };
  return { type: 'string', maxLength: s.maxLength as number | undefined };
}

function isRequired(section: SectionSpec, field: FieldSpec): boolean {
  if (field.required !== undefined) return field.required;
  if (section.op !== 'create') return false;
  if (section.listOf) return listItems(section, section.listOf.field).required?.includes(field.name) ?? false;
  return (section.register.fields.required ?? []).includes(field.name);
}

// ---- the form ----

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface GeneratedForm {
  formId: string;
  version: string;
  xml: string;
  /** `md5:<hex>` of the XML, as the OpenRosa form list gives it. */
  hash: string;
}

/**
 * The XForm of one report kind, with labels in English, Russian and Arabic (itext), select lists
 * from the vocabularies and the ordnance catalogue, and its version derived from its content (a
 * change of a label or of the catalogue is a new version the phone downloads).
 */
export function generateXForm(form: FormSpec, ctx: FormContext): GeneratedForm {
  const body = xformXml(form, ctx, '');
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const xml = xformXml(form, ctx, version);
  return { formId: form.formId, version, xml, hash: `md5:${createHash('md5').update(xml).digest('hex')}` };
}

function xformXml(form: FormSpec, ctx: FormContext, version: string): string {
  const texts = new Map<string, Record<string, string>>();
  const itext = (id: string, key: string | Record<string, string>) => {
    texts.set(id, typeof key === 'string' ? ctx.labels(key) : key);
    return `<label ref="jr:itext('${esc(id)}')"/>`;
  };
  const instance: string[] = [];
  const binds: string[] = [];
  const controls: string[] = [];
  const root = '/data';

  const bind = (nodeset: string, attrs: Record<string, string>) =>
    binds.push(
      `<bind nodeset="${nodeset}" ${Object.entries(attrs)
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(' ')}/>`,
    );

  // The report itself: when the facts were true (today by default) and, for some kinds, why.
  instance.push('<report><dateOfInformation/>', form.reason ? '<reason/>' : '', '</report>');
  bind(`${root}/report/dateOfInformation`, {
    type: 'date',
    required: 'true()',
    'jr:preload': 'date',
    'jr:preloadParams': 'today',
  });
  const reportControls = [
    `<input ref="${root}/report/dateOfInformation">${itext(`${root}/report/dateOfInformation:label`, 'openrosa.field.dateOfInformation')}</input>`,
  ];
  if (form.reason) {
    bind(`${root}/report/reason`, {
      type: 'string',
      required: 'true()',
      constraint: 'string-length(.) <= 2000',
    });
    reportControls.push(
      `<input ref="${root}/report/reason" appearance="multiline">${itext(`${root}/report/reason:label`, 'openrosa.field.reason')}</input>`,
    );
  }
  controls.push(
    `<group ref="${root}/report">${itext(`${root}/report:label`, 'openrosa.group.report')}${reportControls.join('')}</group>`,
  );

  for (const section of form.sections) {
    const path = `${root}/${section.name}`;
    const fields: string[] = [];
    const inner: string[] = [];
    if (section.geometry) {
      fields.push('<geometry/>');
      const walked = section.geometry.walked;
      bind(`${path}/geometry`, {
        type: section.geometry.kind,
        required: !section.geometry.required
          ? 'false()'
          : walked
            ? 'string-length(../perimeter) = 0'
            : 'true()',
      });
      inner.push(
        `<input ref="${path}/geometry">${itext(`${path}/geometry:label`, `openrosa.geometry.${section.name}`)}</input>`,
      );
      if (walked) {
        fields.push('<perimeter/>');
        bind(`${path}/perimeter`, { type: 'geotrace', required: 'false()' });
        inner.push(
          `<input ref="${path}/perimeter">${itext(`${path}/perimeter:label`, `openrosa.perimeter.${section.name}`)}</input>`,
        );
      }
    }
    for (const field of section.fields) {
      const ref = `${path}/${field.name}`;
      const t = xtype(section, field);
      fields.push(`<${field.name}/>`);
      const required = isRequired(section, field) ? 'true()' : 'false()';
      const label = itext(
        `${ref}:label`,
        field.hazardCode ? 'openrosa.field.hazardCode' : `openrosa.field.${field.name}`,
      );
      const choices = (values: string[]) =>
        values
          .map((v) => `<item>${itext(`${ref}/${v}:label`, `vocab.${v}`)}<value>${esc(v)}</value></item>`)
          .join('');
      switch (t.type) {
        case 'select1':
          bind(ref, { type: 'string', required });
          inner.push(`<select1 ref="${ref}">${label}${choices(t.values)}</select1>`);
          break;
        case 'select':
          bind(ref, { type: 'string', required });
          inner.push(`<select ref="${ref}">${label}${choices(t.values)}</select>`);
          break;
        case 'ordnance':
          bind(ref, { type: 'string', required });
          inner.push(
            `<select1 ref="${ref}" appearance="autocomplete">${label}${ctx.ordnance
              .map(
                (o) =>
                  `<item>${itext(`${ref}/${o.id}:label`, { en: o.model, ru: o.model, ar: o.model })}<value>${esc(o.id)}</value></item>`,
              )
              .join('')}</select1>`,
          );
          break;
        case 'int': {
          const rules = [
            t.min !== undefined ? `. >= ${t.min}` : '',
            t.max !== undefined ? `. <= ${t.max}` : '',
          ].filter(Boolean);
          const attrs: Record<string, string> = { type: 'int', required };
          if (rules.length) {
            attrs.constraint = rules.join(' and ');
            attrs['jr:constraintMsg'] = `jr:itext('${ref}:constraint')`;
            texts.set(
              `${ref}:constraint`,
              ctx.labels('openrosa.constraint.range', { min: t.min ?? '', max: t.max ?? '' }),
            );
          }
          bind(ref, attrs);
          inner.push(`<input ref="${ref}">${label}</input>`);
          break;
        }
        case 'string': {
          const attrs: Record<string, string> = { type: 'string', required };
          if (t.maxLength) attrs.constraint = `string-length(.) <= ${t.maxLength}`;
          bind(ref, attrs);
          inner.push(
            `<input ref="${ref}"${t.maxLength && t.maxLength > 300 ? ' appearance="multiline"' : ''}>${label}</input>`,
          );
          break;
        }
        default:
          bind(ref, { type: t.type, required });
          inner.push(`<input ref="${ref}">${label}</input>`);
      }
    }
    const groupLabel = itext(`${path}:label`, `openrosa.group.${section.name}`);
    if (section.repeat) {
      // The template (jr:template) is what a new repeat starts from; the form opens with none.
      instance.push(`<${section.name} jr:template="">${fields.join('')}</${section.name}>`);
      controls.push(
        `<group ref="${path}">${groupLabel}<repeat nodeset="${path}">${inner.join('')}</repeat></group>`,
      );
    } else {
      instance.push(`<${section.name}>${fields.join('')}</${section.name}>`);
      controls.push(`<group ref="${path}">${groupLabel}${inner.join('')}</group>`);
    }
  }

  // Photos: any number, each sent as an attachment of the submission.
  instance.push('<photos jr:template=""><photo/></photos>');
  bind(`${root}/photos/photo`, { type: 'binary' });
  controls.push(
    `<group ref="${root}/photos">${itext(`${root}/photos:label`, 'openrosa.group.photos')}<repeat nodeset="${root}/photos"><upload ref="${root}/photos/photo" mediatype="image/*">${itext(`${root}/photos/photo:label`, 'openrosa.field.photo')}</upload></repeat></group>`,
  );

  instance.push('<meta><instanceID/><instanceName/></meta>');
  bind(`${root}/meta/instanceID`, {
    type: 'string',
    readonly: 'true()',
    required: 'true()',
    calculate: "concat('uuid:', uuid())",
  });
  bind(`${root}/meta/instanceName`, {
    type: 'string',
    calculate: `concat(${xpathString(ctx.labels(`openrosa.form.${form.formId}`).en)}, ' ', ${root}/report/dateOfInformation)`,
  });

  const title = ctx.labels(`openrosa.form.${form.formId}`);
  const translations = FORM_LANGUAGES.map(
    (lang, i) =>
      `<translation lang="${esc(lang.name)}"${i === 0 ? ' default="true()"' : ''}>${[...texts]
        .map(
          ([id, values]) =>
            `<text id="${esc(id)}"><value>${esc(values[lang.code] ?? values.en ?? id)}</value></text>`,
        )
        .join('')}</translation>`,
  ).join('');

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"',
    ' xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"',
    ' xmlns:odk="http://www.opendatakit.org/xforms">',
    `<h:head><h:title>${esc(title.en)}</h:title>`,
    '<model odk:xforms-version="1.0.0">',
    `<itext>${translations}</itext>`,
    `<instance><data id="${esc(form.formId)}" version="${esc(version)}">${instance.join('')}</data></instance>`,
    binds.join(''),
    '</model></h:head>',
    `<h:body>${controls.join('')}</h:body>`,
    '</h:html>',
    '',
  ].join('\n');
}

function xpathString(s: string): string {
  return s.includes("'") ? `"${s.replace(/"/g, '')}"` : `'${s}'`;
}

// ---- submissions ----

/** A submission read against its form: the report it makes, and the files it names. */
export interface ParsedSubmission {
  form: FormSpec;
  formId: string;
  version: string | null;
  instanceId: string;
  dateOfInformation: string;
  reason: string | null;
  changes: Change[];
  /** The path in the submission of each change's section (`/finding[2]`), for problems that name a field. */
  paths: string[];
  /** File names the submission's photo fields name (sent as parts of the same or a later POST). */
  photos: string[];
}

/** The form id, version and instance id of a submission, before it is read against its form. */
export function submissionHeader(xml: string): {
  formId: string;
  version: string | null;
  instanceId: string;
} {
  const root = parseXml(xml);
  const formId = root.getAttribute('id') ?? '';
  if (!formId) throw new Problem('openrosa.submission_invalid', { reason: 'no form id' }, { pointer: '/' });
  const instanceId = text(child(child(root, 'meta'), 'instanceID')) || root.getAttribute('instanceID') || '';
  if (!instanceId) throw new Problem('openrosa.instance_id_missing', {}, { pointer: '/meta/instanceID' });
  if (instanceId.length > 200)
    throw new Problem(
      'openrosa.submission_invalid',
      { reason: 'instanceID too long' },
      { pointer: '/meta/instanceID' },
    );
  return { formId, version: root.getAttribute('version') || null, instanceId };
}

/**
 * Reads a submission's XML against its form: each section's fields converted by their type
 * (numbers, dates, multiple choices, ODK geopoint/geoshape/geotrace "lat lon alt acc;…" to GeoJSON
 * in longitude, latitude order). A value that cannot be read is a problem whose pointer names the
 * field in the submission (`/activity/startDate`); the register checks come after, when the
 * report is made. Hazard codes are left for the caller to find (`hazardId`, or `id` of an update).
 */
export function readSubmission(xml: string, organisationId: string | null): ParsedSubmission {
  const header = submissionHeader(xml);
  const form = formById(header.formId);
  if (!form) throw new Problem('openrosa.form_unknown', { formId: header.formId }, { pointer: '/' });
  const root = parseXml(xml);
  const report = child(root, 'report');
  const dateOfInformation = text(child(report, 'dateOfInformation'));
  if (!dateOfInformation)
    throw new Problem(
      'validation.required',
      { field: 'dateOfInformation' },
      { pointer: '/report/dateOfInformation' },
    );
  const date = readDate(dateOfInformation, '/report/dateOfInformation', 'dateOfInformation');
  const reason = form.reason ? text(child(report, 'reason')) || null : null;

  const changes: Change[] = [];
  const paths: string[] = [];
  const values = new Map<string, Record<string, unknown>>();
  for (const section of form.sections) {
    if (section.listOf) continue;
    const elements = section.repeat ? children(root, section.name) : [child(root, section.name)];
    elements.forEach((el, index) => {
      if (!el) return;
      const at = section.repeat ? `/${section.name}[${index + 1}]` : `/${section.name}`;
      if (section.repeat && isEmpty(el)) return;
      const props: Record<string, unknown> = {};
      for (const field of section.fields) {
        const raw = text(child(el, field.name));
        if (raw === '') continue;
        props[field.name] = readValue(section, field, raw, `${at}/${field.name}`);
      }
      for (const list of form.sections.filter((s) => s.listOf?.section === section.name)) {
        const items = children(root, list.name)
          .filter((e) => !isEmpty(e))
          .map((e, i) => {
            const item: Record<string, unknown> = {};
            for (const field of list.fields) {
              const raw = text(child(e, field.name));
              if (raw !== '')
                item[field.name] = readValue(list, field, raw, `/${list.name}[${i + 1}]/${field.name}`);
            }
            return item;
          });
        if (items.length) props[list.listOf!.field] = items;
      }
      values.set(section.name, props);
      for (const [name, rule] of Object.entries(section.fixed ?? {})) {
        if (rule === 'organisation') props[name] = organisationId;
        else if ('ref' in rule) props[name] = `@ref:${rule.ref}`;
        else {
          const v = values.get(rule.from)?.[rule.field];
          if (v !== undefined) props[name] = v;
        }
      }
      let geometry: unknown = null;
      if (section.geometry) {
        const shape = text(child(el, 'geometry'));
        const walked = section.geometry.walked ? text(child(el, 'perimeter')) : '';
        if (shape) geometry = readGeometry(section.geometry.kind, shape, `${at}/geometry`);
        else if (walked) geometry = readGeometry('geotrace', walked, `${at}/perimeter`);
        else if (section.geometry.required)
          throw new Problem(
            'validation.required',
            { field: `${section.name}.geometry` },
            { pointer: `${at}/geometry` },
          );
      }
      if (section.op === 'update') {
        const { id, ...fields } = props;
        if (typeof id !== 'string')
          throw new Problem('validation.required', { field: `${section.name}.id` }, { pointer: `${at}/id` });
        changes.push({ op: 'update', register: section.register.slug, id, record: { properties: fields } });
        paths.push(at);
        return;
      }
      const record = section.register.geometry ? { type: 'Feature', geometry, properties: props } : props;
      changes.push({
        op: 'create',
        register: section.register.slug,
        ...(section.ref ? { ref: section.ref } : {}),
        record,
      });
      paths.push(at);
    });
  }
  const photos = children(root, 'photos')
    .map((p) => text(child(p, 'photo')))
    .filter(Boolean);
  return { form, ...header, dateOfInformation: date, reason, changes, paths, photos };
}

function readValue(section: SectionSpec, field: FieldSpec, raw: string, pointer: string): unknown {
  const t = xtype(section, field);
  const name = `${section.name}.${field.name}`;
  switch (t.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw))
        throw new Problem('validation.type', { field: name, value: raw, expected: 'integer' }, { pointer });
      return Number(raw);
    }
    case 'decimal': {
      const n = Number(raw);
      if (!Number.isFinite(n))
        throw new Problem('validation.type', { field: name, value: raw, expected: 'number' }, { pointer });
      return n;
    }
    case 'date':
      return readDate(raw, pointer, name);
    case 'select1':
    case 'select': {
      const chosen = t.type === 'select' ? raw.split(/\s+/).filter(Boolean) : [raw];
      const wrong = chosen.find((v) => !t.values.includes(v));
      if (wrong !== undefined)
        throw new Problem(
          'validation.enum',
          { field: name, value: wrong, allowed: t.values.join(', ') },
          { pointer },
        );
      return t.type === 'select' ? chosen : raw;
    }
    case 'geopoint':
      return readGeometry('geopoint', raw, pointer);
    default:
      return raw;
  }
}

function readDate(raw: string, pointer: string, field: string): string {
  // ODK sends dates as YYYY-MM-DD; a date-time value keeps its day.
  const m = /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(raw);
  if (!m) throw new Problem('validation.format', { field, value: raw, format: 'date' }, { pointer });
  return m[1]!;
}

/**
 * An ODK geometry ("lat lon [alt [accuracy]]", points separated by ";") as GeoJSON: a geopoint
 * as a Point, a geoshape as a Polygon (ODK repeats the first point at the end), a geotrace
 * walked round an area as the Polygon it encloses (closed when its ends differ).
 */
export function readGeometry(kind: 'geopoint' | 'geoshape' | 'geotrace', raw: string, pointer: string) {
  const points = raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [lat, lon] = p.split(/\s+/).map(Number);
      if (
        lat === undefined ||
        lon === undefined ||
        !Number.isFinite(lat) ||
        !Number.isFinite(lon) ||
        Math.abs(lat) > 90 ||
        Math.abs(lon) > 180
      )
        throw new Problem('openrosa.geometry_invalid', { kind, value: raw.slice(0, 100) }, { pointer });
      return [lon, lat] as [number, number];
    });
  if (kind === 'geopoint') {
    if (points.length !== 1)
      throw new Problem('openrosa.geometry_invalid', { kind, value: raw.slice(0, 100) }, { pointer });
    return { type: 'Point', coordinates: points[0] };
  }
  const first = points[0];
  const last = points[points.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) points.push([first[0], first[1]]);
  if (points.length < 4)
    throw new Problem('openrosa.geometry_invalid', { kind, value: raw.slice(0, 100) }, { pointer });
  return { type: 'Polygon', coordinates: [points] };
}

function parseXml(xml: string): XmlElement {
  let failed = false;
  let root: XmlElement | null = null;
  try {
    root = new DOMParser({
      onError: (level) => {
        if (level !== 'warning') failed = true;
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch {
    // xmldom throws on a fatal error (an element left open, a document cut short).
    failed = true;
  }
  if (failed || !root)
    throw new Problem('openrosa.submission_invalid', { reason: 'not well-formed XML' }, { pointer: '/' });
  return root;
}

function children(el: XmlElement | undefined, name: string): XmlElement[] {
  if (!el) return [];
  const out: XmlElement[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && ((n as XmlElement).localName ?? n.nodeName) === name) out.push(n as XmlElement);
  }
  return out;
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(el, name)[0];
}

function text(el: XmlElement | undefined): string {
  return (el?.textContent ?? '').trim();
}

function isEmpty(el: XmlElement): boolean {
  return text(el) === '';
}
