import { type TObject, type TSchema, Type } from 'typebox';
import { MinefieldRecord } from './minefield-record.ts';
import * as V from './vocabularies.ts';

/**
 * The registers and their fields: the single source of the record schemas. Each register's
 * TypeBox schema feeds request validation, the OpenAPI document, the OGC API queryables and
 * the importers. JSON field names are camelCase; database columns are the snake_case of them.
 *
 * Geometry travels as GeoJSON in WGS 84 (lon, lat). A register with a main geometry is sent
 * as a GeoJSON Feature whose `properties` hold the fields below.
 */

const date = (description: string) => Type.String({ format: 'date', description });
const nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const enumOf = <T extends readonly string[]>(values: T, description: string) =>
  Type.Enum([...values] as string[], { description });
const uuid = (description: string) => Type.String({ format: 'uuid', description });
const count = (description: string) => Type.Integer({ minimum: 0, description });

/** GeoJSON geometry shapes, as far as JSON Schema can say; topology is checked by geo/validate.ts. */
const position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 });
export const PointGeometry = Type.Object(
  { type: Type.Literal('Point'), coordinates: position },
  { description: 'GeoJSON Point, WGS 84 longitude, latitude' },
);
export const AreaGeometry = Type.Object(
  {
    type: Type.Enum(['Polygon', 'MultiPolygon']),
    coordinates: Type.Array(Type.Array(Type.Unknown())),
  },
  { description: 'GeoJSON Polygon or MultiPolygon, WGS 84; stored as MultiPolygon' },
);

export type GeometryKind = 'Point' | 'MultiPolygon';

export interface RegisterFilters {
  /** Query parameter name → column, for equality filters (status, kind, category …). */
  equals: Record<string, string>;
  /** Column of the date a record is filtered on by `from`/`to`. */
  date?: string;
  /** Columns searched by the free-text `q`. */
  text: string[];
  /**
   * A reference field whose record's date and place stand for this record's (a casualty is
   * filtered by `from`/`to`/`adminArea`/`bbox` through its accident).
   */
  through?: string;
  /** Query parameter name → integer column, for "at least" filters (`manufacturedFrom=2021`). */
  atLeast?: Record<string, string>;
}

export interface RegisterDef {
  /** URL segment under /api/v1 and the OGC collection id, e.g. `land-release`. */
  slug: string;
  /** Table name. */
  table: string;
  /** Singular, used in audit entries and messages (`vocab.register.<entity>`). */
  entity: string;
  /** Prefix of the human-readable code (`HA-000123`). */
  codePrefix?: string;
  geometry?: { kind: GeometryKind; required: boolean };
  /** Writable fields; `required` lists those a create must have. */
  fields: TObject;
  /** Fields computed by the server, returned but never written by clients. */
  readOnly: Record<string, TSchema>;
  /** Secondary geometry columns (Point) carried in properties as GeoJSON Points. */
  pointFields?: string[];
  /** Fields holding JSON (arrays or objects) rather than scalars. */
  jsonFields?: string[];
  /**
   * Fields never sent in lists or exports (personal data), encrypted at rest, and write-only for
   * roles that may not read them: a change that leaves one out keeps it (writeOnlyAfter).
   */
  protectedFields?: string[];
  /**
   * Field naming the organisation a record belongs to, when operators may see only their own
   * organisation's records (task orders); the register service scopes every read by it.
   */
  organisationScope?: string;
  filters: RegisterFilters;
  sortable: string[];
  defaultSort: string;
}

const common = {
  id: uuid('Record identifier'),
  version: Type.Integer({
    minimum: 1,
    description: 'Optimistic concurrency version; send it back in If-Match',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  createdBy: nullable(uuid('User who created the record')),
  updatedBy: nullable(uuid('User who last changed the record')),
  archived: Type.Boolean(),
};

const externalId = Type.Optional(
  nullable(Type.String({ maxLength: 200, description: 'Identifier in the source system (imports)' })),
);

export const organisations: RegisterDef = {
  slug: 'organisations',
  table: 'organisations',
  entity: 'organisation',
  fields: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 300 }),
      acronym: Type.Optional(nullable(Type.String({ maxLength: 40 }))),
      kind: enumOf(V.ORGANISATION_KINDS, 'Kind of organisation'),
      country: Type.Optional(
        nullable(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' })),
      ),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {},
  filters: { equals: { kind: 'kind' }, text: ['name', 'acronym'] },
  sortable: ['name', 'createdAt'],
  defaultSort: 'name',
};

export const adminAreas: RegisterDef = {
  slug: 'admin-areas',
  table: 'admin_areas',
  entity: 'admin_area',
  geometry: { kind: 'MultiPolygon', required: true },
  fields: Type.Object(
    {
      pcode: Type.String({ minLength: 1, maxLength: 40, description: 'Place code (p-code), unique' }),
      name: Type.String({ minLength: 1, maxLength: 300, description: 'Name in the default language' }),
      names: Type.Optional(
        Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String(), {
          description: 'Names by language code, e.g. {"en": "…", "ru": "…", "ar": "…"}',
        }),
      ),
      level: Type.Integer({
        minimum: 0,
        maximum: 5,
        description: '0 = country, 1 = province/region, 2 = district …',
      }),
      parentId: Type.Optional(nullable(uuid('Admin area one level up'))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { areaM2: Type.Number({ description: 'Area on the WGS 84 ellipsoid, m²' }) },
  jsonFields: ['names'],
  filters: { equals: { level: 'level', parent: 'parent_id' }, text: ['name', 'pcode'] },
  sortable: ['name', 'pcode', 'level'],
  defaultSort: 'pcode',
};

export const settlements: RegisterDef = {
  slug: 'settlements',
  table: 'settlements',
  entity: 'settlement',
  geometry: { kind: 'Point', required: true },
  fields: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 300 }),
      names: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z]{2,3}$' }), Type.String())),
      pcode: Type.Optional(nullable(Type.String({ maxLength: 40 }))),
      kind: Type.Optional(enumOf(V.SETTLEMENT_KINDS, 'Kind of settlement')),
      adminAreaId: Type.Optional(nullable(uuid('Lowest admin area containing it'))),
      population: Type.Optional(nullable(count('Population before displacement'))),
      households: Type.Optional(nullable(count('Households before displacement'))),
      displacedHouseholds: Type.Optional(nullable(count('Households displaced and not yet returned'))),
      returnedHouseholds: Type.Optional(nullable(count('Households returned'))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {},
  jsonFields: ['names'],
  filters: { equals: { kind: 'kind' }, text: ['name', 'pcode'] },
  sortable: ['name', 'population', 'displacedHouseholds'],
  defaultSort: 'name',
};

const evidence = Type.Object(
  {
    type: enumOf(V.EVIDENCE_TYPES, 'Type of evidence'),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    location: Type.Optional(nullable(PointGeometry)),
  },
  { additionalProperties: false },
);

export const hazards: RegisterDef = {
  slug: 'hazards',
  table: 'hazards',
  entity: 'hazard',
  codePrefix: 'HA',
  geometry: { kind: 'MultiPolygon', required: true },
  fields: Type.Object(
    {
      name: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
      type: enumOf(V.HAZARD_TYPES, 'SHA (suspected) or CHA (confirmed)'),
      status: Type.Optional(enumOf(V.HAZARD_STATUSES, 'open, in_progress or closed')),
      benchmark: Type.Optional(nullable(PointGeometry)),
      deviceCategories: Type.Optional(
        Type.Array(enumOf(V.DEVICE_CATEGORIES, 'Device category'), { uniqueItems: true }),
      ),
      evidence: Type.Optional(Type.Array(evidence)),
      blockedLandUse: Type.Optional(
        Type.Array(enumOf(V.LAND_USES, 'Land use blocked'), { uniqueItems: true }),
      ),
      beneficiaries: Type.Optional(nullable(count('Expected beneficiaries of release'))),
      terrain: Type.Optional(nullable(enumOf(V.TERRAINS, 'Terrain of the area (for productivity)'))),
      organisationId: Type.Optional(nullable(uuid('Reporting organisation'))),
      dateOfInformation: Type.Optional(nullable(date('When the reported facts were true on the ground'))),
      description: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {
    code: Type.String(),
    areaM2: Type.Number({ description: 'Area on the WGS 84 ellipsoid, m²' }),
    releasedAreaM2: Type.Number({ description: 'Cancelled + reduced + cleared area, m²' }),
    remainingAreaM2: Type.Number({ description: 'Area still hazardous, m²' }),
  },
  pointFields: ['benchmark'],
  jsonFields: ['deviceCategories', 'evidence', 'blockedLandUse'],
  filters: {
    equals: {
      status: 'status',
      type: 'type',
      kind: 'type',
      organisation: 'organisation_id',
      terrain: 'terrain',
    },
    date: 'date_of_information',
    text: ['code', 'name', 'description'],
  },
  sortable: ['code', 'name', 'areaM2', 'status', 'createdAt', 'dateOfInformation'],
  defaultSort: 'code',
};

export const activities: RegisterDef = {
  slug: 'activities',
  table: 'activities',
  entity: 'activity',
  codePrefix: 'AC',
  geometry: { kind: 'Point', required: false },
  fields: Type.Object(
    {
      kind: enumOf(V.ACTIVITY_KINDS, 'Kind of activity'),
      organisationId: uuid('Implementing organisation'),
      hazardId: Type.Optional(nullable(uuid('Hazard worked on'))),
      method: Type.Optional(enumOf(V.ACTIVITY_METHODS, 'Method')),
      status: Type.Optional(enumOf(V.ACTIVITY_STATUSES, 'Status')),
      startDate: Type.Optional(nullable(date('Start date'))),
      endDate: Type.Optional(nullable(date('End date'))),
      description: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      teamId: Type.Optional(nullable(uuid('Team that did the work'))),
      teams: Type.Optional(
        nullable(
          Type.Integer({
            minimum: 1,
            maximum: 1000,
            description: 'Number of teams that did the work (none: one); team-days = teams × days',
          }),
        ),
      ),
      projectId: Type.Optional(nullable(uuid('Project the work was done for'))),
      taskOrderId: Type.Optional(nullable(uuid('Task order the activity was done under'))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  filters: {
    equals: {
      kind: 'kind',
      status: 'status',
      organisation: 'organisation_id',
      hazard: 'hazard_id',
      team: 'team_id',
      project: 'project_id',
      taskOrder: 'task_order_id',
    },
    date: 'start_date',
    text: ['code', 'description'],
  },
  sortable: ['code', 'startDate', 'endDate', 'kind', 'status'],
  defaultSort: 'code',
};

export const landRelease: RegisterDef = {
  slug: 'land-release',
  table: 'land_release',
  entity: 'land_release',
  codePrefix: 'LR',
  geometry: { kind: 'MultiPolygon', required: true },
  fields: Type.Object(
    {
      outcome: enumOf(V.LAND_RELEASE_OUTCOMES, 'cancelled (NTS), reduced (TS) or cleared (clearance)'),
      hazardId: uuid('Hazard the land was released from'),
      activityId: Type.Optional(nullable(uuid('Activity that released it'))),
      method: Type.Optional(enumOf(V.ACTIVITY_METHODS, 'Method')),
      depthCm: Type.Optional(
        nullable(Type.Integer({ minimum: 0, maximum: 1000, description: 'Clearance depth, cm' })),
      ),
      benchmark: Type.Optional(nullable(PointGeometry)),
      releasedOn: Type.Optional(nullable(date('Date of release'))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String(), areaM2: Type.Number({ description: 'Area on the WGS 84 ellipsoid, m²' }) },
  pointFields: ['benchmark'],
  filters: {
    equals: { outcome: 'outcome', kind: 'outcome', hazard: 'hazard_id', activity: 'activity_id' },
    date: 'released_on',
    text: ['code'],
  },
  sortable: ['code', 'releasedOn', 'areaM2', 'outcome'],
  defaultSort: 'code',
};

export const ordnance: RegisterDef = {
  slug: 'ordnance',
  table: 'ordnance_models',
  entity: 'ordnance_model',
  fields: Type.Object(
    {
      model: Type.String({ minLength: 1, maxLength: 100, description: 'Model designation, e.g. PMN-2' }),
      category: enumOf(V.DEVICE_CATEGORIES, 'Device category'),
      countryOfOrigin: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
      description: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
      aliases: Type.Optional(Type.Array(Type.String({ maxLength: 100 }))),
      manufacturers: Type.Optional(
        Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 200 }),
              factoryCode: Type.Optional(
                nullable(Type.String({ maxLength: 50, description: 'Code marked on its products' })),
              ),
              country: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
            },
            { additionalProperties: false },
          ),
          { description: 'Known manufacturers of the model' },
        ),
      ),
      productionStartYear: Type.Optional(
        nullable(
          Type.Integer({ minimum: 1850, maximum: 2100, description: 'First known year of production' }),
        ),
      ),
      productionEndYear: Type.Optional(
        nullable(
          Type.Integer({ minimum: 1850, maximum: 2100, description: 'Last known year of production' }),
        ),
      ),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {},
  jsonFields: ['aliases', 'manufacturers'],
  filters: { equals: { category: 'category' }, text: ['model', 'country_of_origin', 'description'] },
  sortable: ['model', 'category', 'countryOfOrigin'],
  defaultSort: 'model',
};

export const findings: RegisterDef = {
  slug: 'findings',
  table: 'findings',
  entity: 'finding',
  codePrefix: 'EO',
  geometry: { kind: 'Point', required: true },
  fields: Type.Object(
    {
      category: enumOf(V.DEVICE_CATEGORIES, 'Device category'),
      ordnanceId: Type.Optional(nullable(uuid('Model from the ordnance catalogue'))),
      modelText: Type.Optional(
        nullable(Type.String({ maxLength: 200, description: 'Model as reported, if not catalogued' })),
      ),
      quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
      condition: Type.Optional(enumOf(V.FINDING_CONDITIONS, 'Condition')),
      depthCm: Type.Optional(
        nullable(Type.Integer({ minimum: 0, maximum: 1000, description: 'Depth found, cm' })),
      ),
      disposition: Type.Optional(enumOf(V.FINDING_DISPOSITIONS, 'Disposition')),
      foundOn: date('Date found'),
      hazardId: Type.Optional(nullable(uuid('Hazard'))),
      activityId: Type.Optional(nullable(uuid('Activity'))),
      marking: Type.Optional(nullable(Type.String({ maxLength: 500 }))),
      manufacturer: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
      lot: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
      yearOfManufacture: Type.Optional(
        nullable(
          Type.Integer({
            minimum: 1850,
            maximum: 2100,
            description:
              'Year of manufacture from the markings (the year of manufacturedOn when that is given)',
          }),
        ),
      ),
      factoryCode: Type.Optional(
        nullable(Type.String({ maxLength: 50, description: 'Factory code marked on the device' })),
      ),
      manufacturedOn: Type.Optional(
        nullable(date('Date of manufacture, when the markings give one (month: its first day)')),
      ),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  filters: {
    equals: {
      category: 'category',
      kind: 'category',
      hazard: 'hazard_id',
      activity: 'activity_id',
      status: 'disposition',
      ordnance: 'ordnance_id',
    },
    date: 'found_on',
    text: ['code', 'model_text', 'marking', 'manufacturer', 'lot', 'factory_code'],
    atLeast: { manufacturedFrom: 'year_of_manufacture' },
  },
  sortable: ['code', 'foundOn', 'category', 'depthCm', 'yearOfManufacture'],
  defaultSort: 'code',
};

export const accidents: RegisterDef = {
  slug: 'accidents',
  table: 'accidents',
  entity: 'accident',
  codePrefix: 'AX',
  geometry: { kind: 'Point', required: true },
  fields: Type.Object(
    {
      occurredOn: date('Date of the accident (first day of the month/year when less precise)'),
      datePrecision: Type.Optional(enumOf(V.DATE_PRECISIONS, 'How precisely the date is known')),
      pointPrecision: Type.Optional(enumOf(V.POINT_PRECISIONS, 'How precisely the place is known')),
      deviceCategory: Type.Optional(enumOf(V.DEVICE_CATEGORIES, 'Device category')),
      ordnanceId: Type.Optional(nullable(uuid('Model from the ordnance catalogue'))),
      demining: Type.Optional(enumOf(V.TRI_STATE, 'Demining accident: yes, no or unknown')),
      hazardId: Type.Optional(nullable(uuid('Hazard, if known'))),
      description: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  filters: {
    equals: {
      category: 'device_category',
      kind: 'device_category',
      hazard: 'hazard_id',
      demining: 'demining',
    },
    date: 'occurred_on',
    text: ['code', 'description'],
  },
  sortable: ['code', 'occurredOn', 'deviceCategory'],
  defaultSort: 'code',
};

export const IDENTITY_FIELDS = ['name', 'dateOfBirth', 'address'] as const;

/**
 * A write-only field (one of a register's `protectedFields`, an object of sub-fields such as a
 * casualty's identity) after a change, given what is stored: KEPT when the change leaves it out
 * (`undefined`), REPLACED sub-field by sub-field where the change gives a value, CLEARED where it
 * gives null; `null` for the whole field clears every sub-field. Writers who may not read the
 * field send it back without it, so leaving it out can never erase it.
 * Example: writeOnlyAfter({ name: 'A', address: 'B' }, { address: null }, IDENTITY_FIELDS)
 *   → { name: 'A', address: null }
 */
export function writeOnlyAfter(
  stored: unknown,
  given: unknown,
  subFields: readonly string[],
): Record<string, unknown> | undefined {
  const kept = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : undefined;
  if (given === undefined) return kept;
  if (given === null) return Object.fromEntries(subFields.map((f) => [f, null]));
  return { ...kept, ...(given as Record<string, unknown>) };
}

/** The sub-fields of a register's write-only field, from its schema: `['name', 'dateOfBirth', 'address']` for identity. */
export function writeOnlySubFields(def: RegisterDef, field: string): string[] {
  const schema = (def.fields.properties as Record<string, TSchema>)[field] as
    | { properties?: object; anyOf?: Array<{ properties?: object }> }
    | undefined;
  const object = schema?.properties ? schema : schema?.anyOf?.find((b) => b.properties);
  return Object.keys(object?.properties ?? {});
}

export const casualties: RegisterDef = {
  slug: 'casualties',
  table: 'casualties',
  entity: 'casualty',
  codePrefix: 'CS',
  fields: Type.Object(
    {
      accidentId: uuid('Accident'),
      sex: enumOf(V.SEXES, 'Sex'),
      age: Type.Optional(nullable(Type.Integer({ minimum: 0, maximum: 120, description: 'Age in years' }))),
      ageBand: Type.Optional(enumOf(V.AGE_BANDS, 'Age band (derived from age when given)')),
      casualtyStatus: enumOf(V.CASUALTY_STATUSES, 'civilian, military, deminer or unknown'),
      outcome: enumOf(V.CASUALTY_OUTCOMES, 'killed, injured or unknown'),
      activityAtTime: Type.Optional(enumOf(V.CASUALTY_ACTIVITIES, 'What the person was doing')),
      tamperedWithDevice: Type.Optional(enumOf(V.TRI_STATE, 'Tampered with the device')),
      displacementStatus: Type.Optional(enumOf(V.DISPLACEMENT_STATUSES, 'Displacement status')),
      referral: Type.Optional(
        nullable(Type.String({ maxLength: 500, description: 'Victim assistance referral' })),
      ),
      identity: Type.Optional(
        Type.Union(
          [
            Type.Object(
              {
                name: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
                dateOfBirth: Type.Optional(nullable(date('Date of birth'))),
                address: Type.Optional(nullable(Type.String({ maxLength: 1000 }))),
              },
              { additionalProperties: false },
            ),
            Type.Null(),
          ],
          {
            description:
              'Protected personal data, write-only for roles that may not read it. A change that ' +
              'leaves `identity` out keeps the stored values; a field given replaces that field and ' +
              'keeps the others; a field set to null clears that field; `"identity": null` clears them all.',
          },
        ),
      ),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  protectedFields: ['identity'],
  filters: {
    equals: {
      accident: 'accident_id',
      sex: 'sex',
      status: 'casualty_status',
      kind: 'casualty_status',
      outcome: 'outcome',
      ageBand: 'age_band',
    },
    through: 'accidentId',
    text: ['code'],
  },
  sortable: ['code', 'age', 'createdAt'],
  defaultSort: 'code',
};

const bandCounts = Type.Record(Type.String({ minLength: 1, maxLength: 20 }), Type.Integer({ minimum: 0 }));
export const riskEducation: RegisterDef = {
  slug: 'risk-education',
  table: 'risk_education_sessions',
  entity: 'risk_education_session',
  codePrefix: 'RE',
  geometry: { kind: 'Point', required: true },
  fields: Type.Object(
    {
      organisationId: uuid('Delivering organisation'),
      heldOn: date('Date of the session'),
      deliveryMethod: enumOf(V.RE_DELIVERY_METHODS, 'Delivery method'),
      settlementId: Type.Optional(nullable(uuid('Settlement'))),
      projectId: Type.Optional(nullable(uuid('Project the session was held for'))),
      beneficiaries: Type.Object(
        {
          female: Type.Optional(bandCounts),
          male: Type.Optional(bandCounts),
          unknown: Type.Optional(bandCounts),
        },
        {
          additionalProperties: false,
          description:
            'Beneficiaries by sex, then by age band (bands configurable, e.g. "5-12", "13-17", "18+")',
        },
      ),
      description: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String(), beneficiariesTotal: Type.Integer() },
  jsonFields: ['beneficiaries'],
  filters: {
    equals: {
      organisation: 'organisation_id',
      kind: 'delivery_method',
      settlement: 'settlement_id',
      project: 'project_id',
    },
    date: 'held_on',
    text: ['code', 'description'],
  },
  sortable: ['code', 'heldOn', 'beneficiariesTotal'],
  defaultSort: 'code',
};

export const qaVisits: RegisterDef = {
  slug: 'qa-visits',
  table: 'qa_visits',
  entity: 'qa_visit',
  codePrefix: 'QA',
  fields: Type.Object(
    {
      visitedOn: date('Date of the visit'),
      activityId: Type.Optional(nullable(uuid('Activity inspected'))),
      inspectedOrganisationId: uuid('Organisation inspected'),
      inspectingOrganisationId: uuid('Inspecting organisation'),
      nonConformities: Type.Optional(
        Type.Array(
          Type.Object(
            {
              description: Type.String({ minLength: 1, maxLength: 2000 }),
              severity: enumOf(V.QA_SEVERITIES, 'Severity'),
            },
            { additionalProperties: false },
          ),
        ),
      ),
      measuresTaken: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  jsonFields: ['nonConformities'],
  filters: {
    equals: { activity: 'activity_id', organisation: 'inspected_organisation_id' },
    date: 'visited_on',
    text: ['code', 'measures_taken'],
  },
  sortable: ['code', 'visitedOn'],
  defaultSort: 'code',
};

/**
 * Visits to sites (a diplomatic corps shown a minefield, a donor's field visit): who visited and
 * for which organisation, when, the places (drawn) and hazards visited, what was observed and
 * which findings were shown, with the source that reports it. Attachments (photos of what was
 * shown) and further sources link to a visit like to any record.
 */
export const siteVisits: RegisterDef = {
  slug: 'site-visits',
  table: 'site_visits',
  entity: 'site_visit',
  codePrefix: 'SV',
  geometry: { kind: 'MultiPolygon', required: false },
  fields: Type.Object(
    {
      visitedOn: date('Date of the visit'),
      title: Type.String({ minLength: 1, maxLength: 300, description: 'What the visit was, in a line' }),
      hostOrganisationId: Type.Optional(nullable(uuid('Organisation that hosted or led the visit'))),
      visitors: Type.Optional(
        Type.Array(
          Type.Object(
            {
              name: Type.Optional(nullable(Type.String({ maxLength: 300, description: 'Name or group' }))),
              role: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
              organisation: Type.Optional(
                nullable(Type.String({ maxLength: 300, description: 'Organisation, as stated' })),
              ),
              organisationId: Type.Optional(nullable(uuid('Organisation in the register'))),
            },
            { additionalProperties: false },
          ),
          { maxItems: 500, description: 'Visitors and the organisations they came for' },
        ),
      ),
      hazardIds: Type.Optional(
        Type.Array(uuid('Hazard'), { maxItems: 500, uniqueItems: true, description: 'Hazards visited' }),
      ),
      findingIds: Type.Optional(
        Type.Array(uuid('Finding'), {
          maxItems: 5000,
          uniqueItems: true,
          description: 'Findings (devices) shown to the visitors',
        }),
      ),
      observations: Type.Optional(
        nullable(Type.String({ maxLength: 10000, description: 'What was observed and shown' })),
      ),
      sourceId: Type.Optional(nullable(uuid('Source document reporting the visit'))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  jsonFields: ['visitors', 'hazardIds', 'findingIds'],
  filters: {
    equals: { organisation: 'host_organisation_id', source: 'source_id' },
    date: 'visited_on',
    text: ['code', 'title', 'observations'],
  },
  sortable: ['code', 'visitedOn', 'title'],
  defaultSort: 'code',
};

export const sources: RegisterDef = {
  slug: 'sources',
  table: 'sources',
  entity: 'source',
  codePrefix: 'SRC',
  fields: Type.Object(
    {
      kind: enumOf(V.SOURCE_KINDS, 'Kind of document'),
      title: Type.String({ minLength: 1, maxLength: 1000 }),
      issuingBody: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
      documentSymbol: Type.Optional(
        nullable(
          Type.String({
            maxLength: 100,
            pattern: '^[A-Z][A-Z0-9.]*(/[A-Za-z0-9.()]+)+(-[A-Z](/[A-Za-z0-9.()]+)+)*$',
            description: 'UN document symbol, e.g. A/77/686-S/2023/22',
          }),
        ),
      ),
      url: Type.Optional(nullable(Type.String({ format: 'uri', maxLength: 2000 }))),
      publishedOn: Type.Optional(nullable(date('Date of the document'))),
      language: Type.Optional(nullable(Type.String({ maxLength: 10 }))),
      notes: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  filters: {
    equals: { kind: 'kind' },
    date: 'published_on',
    text: ['code', 'title', 'issuing_body', 'document_symbol'],
  },
  sortable: ['code', 'title', 'publishedOn'],
  defaultSort: 'code',
};

/**
 * Legacy minefield laying records: the record as written (src/domain/minefield-record.ts) and
 * the document and hazard it belongs to. The geometry is never sent: the server decodes the
 * record on every write and keeps the perimeter of its first decoded hypothesis for maps;
 * laying date and unit are copied from the record.
 */
export const minefieldRecords: RegisterDef = {
  slug: 'minefield-records',
  table: 'minefield_records',
  entity: 'minefield_record',
  codePrefix: 'MR',
  geometry: { kind: 'MultiPolygon', required: false },
  fields: Type.Object(
    {
      name: Type.Optional(
        nullable(Type.String({ maxLength: 300, description: 'Name; the record title when left out' })),
      ),
      hazardId: Type.Optional(nullable(uuid('Hazard the record describes'))),
      sourceId: Type.Optional(nullable(uuid('Source document the record was handed over in'))),
      record: MinefieldRecord,
      adoptedHypothesis: Type.Optional(
        nullable(
          Type.String({
            maxLength: 200,
            description:
              'Hypothesis adopted as the reading of the record (POST …/{id}/adopt); sent with `record`, as a write of `record` without it clears it',
          }),
        ),
      ),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {
    code: Type.String(),
    layingDate: nullable(Type.String({ format: 'date', description: "The record's layingDate" })),
    layingUnit: nullable(Type.String({ description: "The record's layingUnit" })),
    geometryHypothesis: nullable(
      Type.String({
        description:
          'Hypothesis whose perimeter is the geometry: the adopted one, else the first that decodes',
      }),
    ),
    areaM2: Type.Number({ description: 'Area of that perimeter on the WGS 84 ellipsoid, m²' }),
  },
  jsonFields: ['record'],
  filters: {
    equals: { hazard: 'hazard_id', source: 'source_id' },
    date: 'laying_date',
    text: ['code', 'name', 'laying_unit'],
  },
  sortable: ['code', 'name', 'layingDate', 'areaM2', 'createdAt'],
  defaultSort: 'code',
};

/**
 * Periods during which an area was controlled by a given administration or was not accessible
 * to the authority (docs/provenance.md): the area is a polygon, or an admin area when no
 * polygon is given. Wording stays neutral: "controlled by", "accessible to the authority from".
 */
export const controlPeriods: RegisterDef = {
  slug: 'control-periods',
  table: 'control_periods',
  entity: 'control_period',
  codePrefix: 'CP',
  geometry: { kind: 'MultiPolygon', required: false },
  fields: Type.Object(
    {
      name: Type.Optional(nullable(Type.String({ maxLength: 300 }))),
      kind: enumOf(
        V.CONTROL_PERIOD_KINDS,
        'controlled_by: under the administration named in controlledBy; inaccessible: not accessible to the authority',
      ),
      controlledBy: Type.Optional(
        nullable(Type.String({ maxLength: 300, description: 'Administration controlling the area' })),
      ),
      adminAreaId: Type.Optional(nullable(uuid('Admin area the period covers, when no polygon is given'))),
      startDate: Type.Optional(nullable(date('First day of the period (unknown: empty)'))),
      endDate: Type.Optional(nullable(date('Last day of the period (still running: empty)'))),
      accessibleFrom: Type.Optional(
        nullable(date('Date from which the area was accessible to the authority, when known')),
      ),
      sourceId: Type.Optional(nullable(uuid('Source document stating the period'))),
      description: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {
    code: Type.String(),
    areaM2: Type.Number({
      description: 'Area of the polygon on the WGS 84 ellipsoid, m² (0 for an admin area)',
    }),
  },
  filters: {
    equals: { kind: 'kind', source: 'source_id' },
    date: 'start_date',
    text: ['code', 'name', 'controlled_by', 'description'],
  },
  sortable: ['code', 'name', 'startDate', 'endDate', 'accessibleFrom'],
  defaultSort: 'code',
};

/**
 * Teams an organisation fields (manual, mechanical, mine detection dog, EOD, NTS, EORE), with
 * their machines and dogs as a list on the team: assets are few per team, are accredited and
 * deployed with it, and their changes (a dog retired, a machine moved) are the team's history.
 */
export const teams: RegisterDef = {
  slug: 'teams',
  table: 'teams',
  entity: 'team',
  codePrefix: 'TM',
  fields: Type.Object(
    {
      organisationId: uuid('Organisation the team belongs to'),
      name: Type.String({ minLength: 1, maxLength: 300, description: 'Name or call sign of the team' }),
      kind: enumOf(V.TEAM_KINDS, 'Kind of team'),
      size: Type.Optional(
        nullable(Type.Integer({ minimum: 1, maximum: 1000, description: 'People in the team' })),
      ),
      activeFrom: Type.Optional(nullable(date('First day the team works'))),
      activeTo: Type.Optional(nullable(date('Last day the team works (still working: empty)'))),
      assets: Type.Optional(
        Type.Array(
          Type.Object(
            {
              kind: enumOf(V.ASSET_KINDS, 'machine or dog'),
              name: Type.Optional(nullable(Type.String({ maxLength: 200, description: 'Name' }))),
              model: Type.Optional(
                nullable(Type.String({ maxLength: 200, description: 'Machine model or dog breed' })),
              ),
              serial: Type.Optional(
                nullable(Type.String({ maxLength: 100, description: 'Serial or registration number' })),
              ),
              from: Type.Optional(nullable(date('With the team from'))),
              to: Type.Optional(nullable(date('With the team until'))),
            },
            { additionalProperties: false },
          ),
          { maxItems: 200, description: 'Machines and dogs of the team' },
        ),
      ),
      notes: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  jsonFields: ['assets'],
  filters: {
    equals: { kind: 'kind', organisation: 'organisation_id' },
    date: 'active_from',
    text: ['code', 'name', 'notes'],
  },
  sortable: ['code', 'name', 'kind', 'activeFrom'],
  defaultSort: 'code',
};

/**
 * An organisation's accreditation (IMAS 07.30): the activity kinds and admin areas it covers
 * (no areas: the whole country), from when to when, and whether it is suspended. A report or
 * task order for work outside it gets the warning `accreditation.outside` (docs/planning.md).
 */
export const accreditations: RegisterDef = {
  slug: 'accreditations',
  table: 'accreditations',
  entity: 'accreditation',
  codePrefix: 'ACR',
  fields: Type.Object(
    {
      organisationId: uuid('Accredited organisation'),
      activityKinds: Type.Array(enumOf(V.ACTIVITY_KINDS, 'Activity kind in scope'), {
        minItems: 1,
        uniqueItems: true,
        description: 'Activity kinds the accreditation covers',
      }),
      adminAreaIds: Type.Optional(
        Type.Array(uuid('Admin area in scope'), {
          maxItems: 500,
          uniqueItems: true,
          description: 'Admin areas the accreditation covers; empty: the whole country',
        }),
      ),
      validFrom: date('First day of validity'),
      validTo: Type.Optional(nullable(date('Last day of validity (open-ended: empty)'))),
      suspended: Type.Optional(Type.Boolean({ description: 'Suspended by the authority' })),
      suspendedFrom: Type.Optional(nullable(date('First day of the suspension (empty: the whole validity)'))),
      suspendedReason: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
      sourceId: Type.Optional(nullable(uuid('Document granting or suspending the accreditation'))),
      notes: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  jsonFields: ['activityKinds', 'adminAreaIds'],
  filters: {
    equals: { organisation: 'organisation_id', source: 'source_id' },
    date: 'valid_from',
    text: ['code', 'suspended_reason', 'notes'],
  },
  sortable: ['code', 'validFrom', 'validTo'],
  defaultSort: 'code',
};

/**
 * Funded projects: donors (an organisation in the register or a name, each with its
 * contribution), total funds, period, admin areas and implementing organisations. Activities
 * and risk education sessions name the project they were done for; the `project` output sums
 * what they achieved.
 */
export const projects: RegisterDef = {
  slug: 'projects',
  table: 'projects',
  entity: 'project',
  codePrefix: 'PJ',
  fields: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 300 }),
      donors: Type.Optional(
        Type.Array(
          Type.Object(
            {
              organisationId: Type.Optional(nullable(uuid('Donor in the organisations register'))),
              name: Type.Optional(
                nullable(Type.String({ maxLength: 300, description: 'Donor, when not in the register' })),
              ),
              amount: Type.Optional(
                nullable(Type.Number({ minimum: 0, description: 'Contribution, in `currency`' })),
              ),
              currency: Type.Optional(
                nullable(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })),
              ),
            },
            { additionalProperties: false },
          ),
          { maxItems: 100, description: 'Donors and their contributions' },
        ),
      ),
      fundsAmount: Type.Optional(
        nullable(Type.Number({ minimum: 0, description: 'Total funds of the project, in fundsCurrency' })),
      ),
      fundsCurrency: Type.Optional(
        nullable(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. USD' })),
      ),
      periodFrom: Type.Optional(nullable(date('Start of the project'))),
      periodTo: Type.Optional(nullable(date('End of the project'))),
      adminAreaIds: Type.Optional(
        Type.Array(uuid('Admin area'), {
          maxItems: 500,
          uniqueItems: true,
          description: 'Admin areas the project works in',
        }),
      ),
      organisationIds: Type.Optional(
        Type.Array(uuid('Organisation'), {
          maxItems: 100,
          uniqueItems: true,
          description: 'Implementing organisations',
        }),
      ),
      notes: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: { code: Type.String() },
  jsonFields: ['donors', 'adminAreaIds', 'organisationIds'],
  filters: {
    equals: {},
    date: 'period_from',
    text: ['code', 'name', 'notes'],
  },
  sortable: ['code', 'name', 'periodFrom', 'periodTo', 'fundsAmount'],
  defaultSort: 'code',
};

/**
 * Task orders: the work plan a national authority issues to operators (docs/planning.md,
 * "Tasking"). The priority at issue is copied from the priorities service when the order is
 * created and never changes; the state is moved by linked activities and by the release of the
 * hazards (src/services/register-hooks/task-orders.ts). Operators see their own organisation's.
 */
export const taskOrders: RegisterDef = {
  slug: 'task-orders',
  table: 'task_orders',
  entity: 'task_order',
  codePrefix: 'TO',
  fields: Type.Object(
    {
      reference: Type.Optional(
        nullable(Type.String({ maxLength: 100, description: "The authority's own reference" })),
      ),
      hazardIds: Type.Array(uuid('Hazard'), {
        minItems: 1,
        maxItems: 200,
        uniqueItems: true,
        description: 'Hazards the order tasks',
      }),
      organisationId: uuid('Organisation tasked'),
      activityKind: enumOf(V.ACTIVITY_KINDS, 'Kind of activity ordered'),
      issuedOn: Type.Optional(nullable(date('Date the order was issued'))),
      plannedStart: date('Planned start'),
      plannedEnd: date('Planned end'),
      teamId: Type.Optional(nullable(uuid('Team tasked'))),
      projectId: Type.Optional(nullable(uuid('Project the work is funded under'))),
      state: Type.Optional(enumOf(V.TASK_ORDER_STATES, 'issued, started, suspended, completed or cancelled')),
      notes: Type.Optional(nullable(Type.String({ maxLength: 5000 }))),
      externalId,
    },
    { additionalProperties: false },
  ),
  readOnly: {
    code: Type.String(),
    priorityAtIssue: nullable(
      Type.Object(
        {
          asAt: Type.String({ format: 'date' }),
          weightsVersion: Type.Integer(),
          score: nullable(Type.Number()),
          rank: nullable(Type.Integer()),
          of: Type.Integer({ description: 'Number of hazards ranked' }),
          hazards: Type.Array(
            Type.Object({
              hazardId: Type.String(),
              code: Type.String(),
              score: nullable(Type.Number()),
              rank: nullable(Type.Integer()),
            }),
          ),
        },
        {
          description:
            'Score and rank of its best-ranked hazard (and of each) when the order was issued, with the weights version',
        },
      ),
    ),
  },
  jsonFields: ['hazardIds', 'priorityAtIssue'],
  organisationScope: 'organisationId',
  filters: {
    equals: { organisation: 'organisation_id', state: 'state', status: 'state', kind: 'activity_kind' },
    date: 'planned_start',
    text: ['code', 'reference', 'notes'],
  },
  sortable: ['code', 'plannedStart', 'plannedEnd', 'state', 'createdAt'],
  defaultSort: 'code',
};

/** Every register served under /api/v1/{slug}, in menu order. */
export const REGISTERS: RegisterDef[] = [
  hazards,
  activities,
  landRelease,
  taskOrders,
  findings,
  accidents,
  casualties,
  riskEducation,
  qaVisits,
  siteVisits,
  settlements,
  adminAreas,
  organisations,
  ordnance,
  sources,
  minefieldRecords,
  controlPeriods,
  teams,
  accreditations,
  projects,
];

export function registerBySlug(slug: string): RegisterDef | undefined {
  return REGISTERS.find((r) => r.slug === slug);
}

/** Reference fields, whichever register holds them → the register they point to. */
export const REFERENCE_TARGETS: Readonly<Record<string, RegisterDef>> = {
  organisationId: organisations,
  inspectedOrganisationId: organisations,
  inspectingOrganisationId: organisations,
  hostOrganisationId: organisations,
  hazardId: hazards,
  activityId: activities,
  accidentId: accidents,
  ordnanceId: ordnance,
  settlementId: settlements,
  adminAreaId: adminAreas,
  parentId: adminAreas,
  sourceId: sources,
  teamId: teams,
  projectId: projects,
  taskOrderId: taskOrders,
};

/** Fields that say when a record's facts were true on the ground, one per register at most. */
const FACT_DATE_FIELDS = [
  'dateOfInformation',
  'issuedOn',
  'releasedOn',
  'foundOn',
  'occurredOn',
  'heldOn',
  'visitedOn',
  'startDate',
  'publishedOn',
  'activeFrom',
  'validFrom',
  'periodFrom',
];

/** The field of a register that dates its facts (its history is dated by it): `foundOn` for findings. */
export function factDateField(def: RegisterDef): string | undefined {
  return FACT_DATE_FIELDS.find((f) => f in def.fields.properties);
}

/** The date of information a record's fields give, e.g. `'2024-05-01'`; null when they give none. */
export function factDate(def: RegisterDef, properties: Record<string, unknown>): string | null {
  const field = factDateField(def);
  const v = field ? properties[field] : undefined;
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
}

export const commonFields = common;
