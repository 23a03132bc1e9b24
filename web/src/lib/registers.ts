import { REFERENCE_TARGETS, REGISTERS, type RegisterDef } from '../../../src/domain/records.ts';

/**
 * What the pages need to know of each register, read from the one schema source
 * (src/domain/records.ts): field kinds for forms, reference targets, list columns.
 */
export type FieldKind =
  | 'string'
  | 'text'
  | 'integer'
  | 'number'
  | 'date'
  | 'enum'
  | 'enumArray'
  | 'ref'
  | 'point'
  | 'json'
  | 'boolean'
  | 'idList'
  | 'objectList'
  | 'group'
  | 'counts'
  | 'textList'
  | 'textMap';

/** One part of each item of a list of objects (a visitor's name, a manufacturer's factory code). */
export interface SubfieldDesc {
  name: string;
  /** The register an id part points to (a visitor's organisationId). */
  refSlug?: string;
  maxLength?: number;
  /** A part from a code list (a non-conformity's severity, an asset's kind). */
  enumValues?: string[];
  /** A date part (YYYY-MM-DD). */
  date?: boolean;
  /** A number part (a donor's contribution): 'integer' or 'number', with its least value. */
  number?: 'integer' | 'number';
  minimum?: number;
  /** A position part (where a piece of evidence was seen): a GeoJSON Point. */
  point?: boolean;
}

export interface FieldDesc {
  name: string;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  enumValues?: string[];
  refSlug?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  /** For an objectList: the parts of each item; for a group: the parts of the one object. */
  subfields?: SubfieldDesc[];
  /** For counts: the rows (a session's beneficiaries by sex: female, male, unknown). */
  rows?: string[];
}

/** Reference fields → the slug of the register they point to (from src/domain/records.ts). */
export const REF_TARGETS: Record<string, string> = Object.fromEntries(
  Object.entries(REFERENCE_TARGETS).map(([field, target]) => [field, target.slug]),
);

/** Fields holding lists of record ids → the slug of the register the ids point to. */
export const ID_LIST_TARGETS: Record<string, string> = {
  adminAreaIds: 'admin-areas',
  organisationIds: 'organisations',
  hazardIds: 'hazards',
  findingIds: 'findings',
};

const LONG_TEXT = new Set(['description', 'notes', 'measuresTaken', 'referral', 'observations']);

export type Schema = Record<string, unknown> & {
  anyOf?: Schema[];
  enum?: string[];
  type?: string;
  items?: Schema;
};

function unwrapNullable(s: Schema): { schema: Schema; nullable: boolean } {
  if (Array.isArray(s.anyOf)) {
    const nonNull = s.anyOf.filter((x) => x.type !== 'null');
    if (nonNull.length === 1) return { schema: nonNull[0], nullable: nonNull.length < s.anyOf.length };
  }
  return { schema: s, nullable: false };
}

export function describeField(def: RegisterDef, name: string, raw: Schema): FieldDesc {
  const required = ((def.fields.required as string[] | undefined) ?? []).includes(name);
  const { schema, nullable } = unwrapNullable(raw);
  const base = { name, required, nullable };
  if (REF_TARGETS[name]) return { ...base, kind: 'ref', refSlug: REF_TARGETS[name] };
  if (def.pointFields?.includes(name)) return { ...base, kind: 'point' };
  if (ID_LIST_TARGETS[name] && schema.type === 'array')
    return { ...base, kind: 'idList', refSlug: ID_LIST_TARGETS[name] };
  const subfields = objectListParts(schema);
  if (subfields) return { ...base, kind: 'objectList', subfields };
  const group = schema.type === 'object' ? objectParts(schema) : null;
  if (group) return { ...base, kind: 'group', subfields: group };
  const rows = countRows(schema);
  if (rows) return { ...base, kind: 'counts', rows };
  if (schema.type === 'array' && schema.items?.type === 'string' && !schema.items.enum)
    return { ...base, kind: 'textList', maxLength: schema.items.maxLength as number | undefined };
  if (mapValues(schema)?.type === 'string') return { ...base, kind: 'textMap' };
  if (def.jsonFields?.includes(name) && !(schema.type === 'array' && schema.items?.enum))
    return { ...base, kind: 'json' };
  if (Array.isArray(schema.enum)) return { ...base, kind: 'enum', enumValues: schema.enum };
  if (schema.type === 'array' && schema.items?.enum)
    return { ...base, kind: 'enumArray', enumValues: schema.items.enum };
  if (schema.type === 'array' || schema.type === 'object') return { ...base, kind: 'json' };
  if (schema.type === 'integer' || schema.type === 'number')
    return {
      ...base,
      kind: schema.type,
      minimum: schema.minimum as number | undefined,
      maximum: schema.maximum as number | undefined,
    };
  if (schema.type === 'boolean') return { ...base, kind: 'boolean' };
  if (schema.format === 'date') return { ...base, kind: 'date' };
  return {
    ...base,
    kind: LONG_TEXT.has(name) ? 'text' : 'string',
    maxLength: schema.maxLength as number | undefined,
    pattern: schema.pattern as string | undefined,
  };
}

/**
 * The parts of a list of objects whose every part is text, a number, a date, a position, a
 * code-list value or an id of a known register, else null (the field is then edited as JSON).
 */
function objectListParts(schema: Schema): SubfieldDesc[] | null {
  const items = schema.type === 'array' ? schema.items : undefined;
  return items?.type === 'object' ? objectParts(items) : null;
}

/** The parts of an object, as objectListParts describes them, else null. */
function objectParts(schema: Schema): SubfieldDesc[] | null {
  const props = schema.properties as Record<string, Schema> | undefined;
  if (!props) return null;
  const out: SubfieldDesc[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const part = unwrapNullable(raw).schema;
    const refSlug = REF_TARGETS[name];
    const properties = part.properties as Record<string, Schema> | undefined;
    if (Array.isArray(part.enum)) out.push({ name, enumValues: part.enum });
    else if (part.type === 'integer' || part.type === 'number')
      out.push({ name, number: part.type, minimum: part.minimum as number | undefined });
    else if (part.type === 'object' && properties?.type?.const === 'Point') out.push({ name, point: true });
    else if (part.type !== 'string') return null;
    else if (refSlug) out.push({ name, refSlug });
    else if (part.format === 'date') out.push({ name, date: true });
    else out.push({ name, maxLength: part.maxLength as number | undefined });
  }
  return out;
}

/** The schema of the values of a map (`Type.Record`: names by language, counts by age band). */
function mapValues(schema: Schema): Schema | undefined {
  const pattern = schema.type === 'object' ? (schema.patternProperties as Record<string, Schema>) : undefined;
  return pattern ? Object.values(pattern)[0] : undefined;
}

/**
 * The rows of a table of counts (an object whose every part maps names to whole numbers: a
 * session's beneficiaries by sex, then by age band), else null.
 */
function countRows(schema: Schema): string[] | null {
  const props = schema.type === 'object' ? (schema.properties as Record<string, Schema>) : undefined;
  if (!props) return null;
  const rows = Object.entries(props);
  return rows.length > 0 && rows.every(([, s]) => mapValues(s)?.type === 'integer')
    ? rows.map(([name]) => name)
    : null;
}

export function fieldsOf(def: RegisterDef): FieldDesc[] {
  const props = def.fields.properties as Record<string, Schema>;
  return Object.entries(props).map(([name, s]) => describeField(def, name, s));
}

/** The parts of a register's list or object field (a hazard's evidence), for forms outside the register form. */
export function partsOf(slug: string, field: string): SubfieldDesc[] {
  const def = registerDef(slug);
  return (def && fieldsOf(def).find((f) => f.name === field)?.subfields) ?? [];
}

/**
 * Fields of a minefield record its page's own section shows in its own way (the record as tables,
 * the readings in words), so the page leaves them out of its field list.
 */
export const MINEFIELD_OWN_FIELDS = ['record', 'adoptedHypothesis', 'geometryHypothesis'];

/** Columns shown in a register's list, after the code. */
export const LIST_COLUMNS: Record<string, string[]> = {
  hazards: ['name', 'type', 'status', 'areaM2', 'dateOfInformation'],
  activities: ['kind', 'status', 'method', 'startDate', 'endDate'],
  'land-release': ['outcome', 'method', 'areaM2', 'releasedOn'],
  'task-orders': ['reference', 'state', 'activityKind', 'plannedStart', 'plannedEnd'],
  findings: ['category', 'modelText', 'quantity', 'condition', 'foundOn'],
  accidents: ['occurredOn', 'deviceCategory', 'demining', 'pointPrecision'],
  casualties: ['sex', 'ageBand', 'casualtyStatus', 'outcome'],
  'risk-education': ['heldOn', 'deliveryMethod', 'beneficiariesTotal'],
  'qa-visits': ['visitedOn'],
  'site-visits': ['visitedOn', 'title'],
  settlements: ['name', 'kind', 'population', 'displacedHouseholds'],
  'admin-areas': ['pcode', 'name', 'level', 'areaM2'],
  organisations: ['name', 'acronym', 'kind', 'country'],
  ordnance: ['model', 'category', 'countryOfOrigin'],
  sources: ['title', 'kind', 'issuingBody', 'publishedOn'],
  'minefield-records': ['name', 'layingDate', 'layingUnit', 'areaM2'],
  'control-periods': ['name', 'kind', 'controlledBy', 'startDate', 'endDate', 'accessibleFrom'],
  teams: ['name', 'kind', 'organisationId', 'size', 'activeFrom'],
  accreditations: ['organisationId', 'activityKinds', 'validFrom', 'validTo', 'suspended'],
  projects: ['name', 'fundsAmount', 'fundsCurrency', 'periodFrom', 'periodTo'],
};

/** The equality filter offered in a register's list, with the code list it takes values from. */
export function listFilters(def: RegisterDef): { param: string; values: string[] }[] {
  const out: { param: string; values: string[] }[] = [];
  const fields = fieldsOf(def);
  const seen = new Set<string>();
  for (const [param, column] of Object.entries(def.filters.equals)) {
    if (seen.has(column)) continue;
    seen.add(column);
    const camel = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const f = fields.find((x) => x.name === camel);
    if (f?.enumValues) out.push({ param, values: f.enumValues });
  }
  return out;
}

/** Registers people enter data into from the web application (others are read and edited). */
export const ENTRY_REGISTERS = new Set([
  'hazards',
  'activities',
  'land-release',
  'findings',
  'accidents',
  'casualties',
  'settlements',
  'sources',
  'organisations',
  'risk-education',
  'qa-visits',
  'site-visits',
  'ordnance',
  'admin-areas',
  'control-periods',
  'teams',
  'accreditations',
  'projects',
  'task-orders',
]);

export function registerDef(slug: string): RegisterDef | undefined {
  return REGISTERS.find((r) => r.slug === slug);
}

export type { RegisterDef };
export { REGISTERS };

/** Children shown on a record page: register slug and the filter naming the parent. */
export const LINKED: Record<string, { slug: string; param: string }[]> = {
  hazards: [
    { slug: 'activities', param: 'hazard' },
    { slug: 'land-release', param: 'hazard' },
    { slug: 'findings', param: 'hazard' },
    { slug: 'accidents', param: 'hazard' },
  ],
  accidents: [{ slug: 'casualties', param: 'accident' }],
  teams: [{ slug: 'activities', param: 'team' }],
  projects: [
    { slug: 'activities', param: 'project' },
    { slug: 'risk-education', param: 'project' },
  ],
  'task-orders': [{ slug: 'activities', param: 'taskOrder' }],
  activities: [
    { slug: 'land-release', param: 'activity' },
    { slug: 'findings', param: 'activity' },
  ],
};

/** A record's label for lists and links: its code, else its name or title. */
export function recordLabel(p: Record<string, unknown>): string {
  const code = p.code as string | undefined;
  const name = (p.name ?? p.title ?? p.model ?? p.pcode) as string | undefined;
  if (code && name) return `${code} · ${name}`;
  return code ?? name ?? String(p.id ?? '').slice(0, 8);
}

/** Fields whose values are codes from a code list (translated for display). */
export const ENUM_FIELDS: ReadonlySet<string> = new Set([
  ...REGISTERS.flatMap((r) =>
    fieldsOf(r)
      .filter((f) => f.kind === 'enum' || f.kind === 'enumArray')
      .map((f) => f.name),
  ),
  // Code lists inside structured values (a QA visit's non-conformities by severity), shown the same way.
  ...REGISTERS.flatMap((r) =>
    Object.values(r.fields.properties as Record<string, Schema>)
      .flatMap(subfields)
      .filter(([, raw]) => {
        const part = unwrapNullable(raw).schema;
        return Array.isArray(part.enum) || Array.isArray(part.items?.enum);
      })
      .map(([name]) => name),
  ),
]);

/** Fields holding tables of counts (a session's beneficiaries) → their rows, shown as a table. */
export const COUNT_ROWS: ReadonlyMap<string, string[]> = new Map(
  REGISTERS.flatMap((r) => fieldsOf(r).flatMap((f) => (f.rows ? [[f.name, f.rows] as const] : []))),
);

/**
 * The parts inside a field's objects and lists, at any depth, as `[name, schema]`: what a record
 * page shows as labelled sub-fields. A point has none (it is shown as its coordinates).
 */
export function subfields(schema: Schema): [string, Schema][] {
  const parts = (schema.properties ?? {}) as Record<string, Schema>;
  if (parts.coordinates) return [];
  return [
    ...Object.entries(parts).flatMap(([name, part]) => [
      [name, part] as [string, Schema],
      ...subfields(part),
    ]),
    ...(schema.items ? subfields(schema.items) : []),
    ...(schema.anyOf ?? []).flatMap(subfields),
  ];
}
