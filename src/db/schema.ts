import type { ColumnType } from 'kysely';

/**
 * The database's tables as the query builder sees them (Kysely with the CamelCasePlugin: table
 * and column names in camelCase), written from the migrations in src/db/migrations/*.sql.
 *
 * Each column is given as a string a test can read at run time (test/integration/db-schema.test.ts
 * compares this object with information_schema.columns after migrating, so a migration that adds,
 * drops, renames or changes the nullability or default of a column fails until this file says
 * the same): `<udt>` is the PostgreSQL type (information_schema's udt_name), a trailing `?` means
 * nullable, a trailing `=` means the column has a default and may be left out of an insert.
 * The TypeScript type of each table is derived from it (DB below), with the JS forms connect.ts
 * gives: int8 and numeric as numbers, dates and timestamps as ISO strings.
 *
 * The register tables (hazards, activities, findings …) are listed like the others, so even the
 * repositories that address a register's table by its name (`def.table`, through the `sql` tag)
 * need no escape from these types.
 */
export const TABLE_COLUMNS = {
  accidents: {
    id: 'uuid=',
    code: 'text=',
    occurredOn: 'date',
    datePrecision: 'text=',
    pointPrecision: 'text=',
    deviceCategory: 'text=',
    ordnanceId: 'uuid?',
    demining: 'text=',
    hazardId: 'uuid?',
    geom: 'geometry',
    description: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  activities: {
    id: 'uuid=',
    code: 'text=',
    kind: 'text',
    organisationId: 'uuid',
    hazardId: 'uuid?',
    method: 'text=',
    status: 'text=',
    startDate: 'date?',
    endDate: 'date?',
    geom: 'geometry?',
    description: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  adminAreas: {
    id: 'uuid=',
    pcode: 'text',
    name: 'text',
    names: 'jsonb=',
    level: 'int4',
    parentId: 'uuid?',
    geom: 'geometry',
    areaM2: 'float8=',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  attachments: {
    id: 'uuid=',
    recordType: 'text',
    recordId: 'uuid',
    filename: 'text',
    mediaType: 'text',
    sizeBytes: 'int8',
    sha256: 'text',
    storageKey: 'text',
    createdAt: 'timestamptz=',
    createdBy: 'uuid?',
  },
  auditLog: {
    seq: 'int8',
    at: 'timestamptz',
    actorId: 'uuid?',
    action: 'text',
    entity: 'text',
    recordId: 'uuid?',
    reportId: 'uuid?',
    before: 'jsonb?',
    after: 'jsonb?',
    prevHash: 'text',
    hash: 'text',
  },
  casualties: {
    id: 'uuid=',
    code: 'text=',
    accidentId: 'uuid',
    sex: 'text',
    age: 'int4?',
    ageBand: 'text=',
    casualtyStatus: 'text',
    outcome: 'text',
    activityAtTime: 'text=',
    tamperedWithDevice: 'text=',
    displacementStatus: 'text=',
    referral: 'text?',
    identityName: 'text?',
    identityDateOfBirth: 'text?',
    identityAddress: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  findings: {
    id: 'uuid=',
    code: 'text=',
    category: 'text',
    ordnanceId: 'uuid?',
    modelText: 'text?',
    quantity: 'int4=',
    condition: 'text=',
    depthCm: 'int4?',
    disposition: 'text=',
    foundOn: 'date',
    hazardId: 'uuid?',
    activityId: 'uuid?',
    marking: 'text?',
    manufacturer: 'text?',
    lot: 'text?',
    yearOfManufacture: 'int4?',
    geom: 'geometry',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  generatedOutputs: {
    id: 'uuid=',
    definitionId: 'uuid?',
    output: 'text',
    params: 'jsonb',
    format: 'text',
    locale: 'text',
    contentSha256: 'text',
    fileSha256: 'text',
    sizeBytes: 'int8',
    content: 'bytea',
    generatedBy: 'uuid?',
    generatedAt: 'timestamptz=',
  },
  hazardTransitions: {
    field: 'text',
    fromValue: 'text',
    toValue: 'text',
    reasonRequired: 'bool',
  },
  hazards: {
    id: 'uuid=',
    code: 'text=',
    name: 'text?',
    type: 'text',
    status: 'text=',
    geom: 'geometry',
    areaM2: 'float8=',
    releasedAreaM2: 'float8=',
    remainingAreaM2: 'float8?',
    remainingGeom: 'geometry?',
    benchmark: 'geometry?',
    deviceCategories: 'jsonb=',
    evidence: 'jsonb=',
    blockedLandUse: 'jsonb=',
    beneficiaries: 'int4?',
    organisationId: 'uuid?',
    dateOfInformation: 'date?',
    description: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  importJobs: {
    id: 'uuid=',
    register: 'text',
    filename: 'text',
    options: 'jsonb=',
    status: 'text=',
    progress: 'jsonb=',
    result: 'jsonb?',
    error: 'jsonb?',
    rejectsCsv: 'text?',
    locale: 'text=',
    createdBy: 'uuid?',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
  },
  landRelease: {
    id: 'uuid=',
    code: 'text=',
    outcome: 'text',
    hazardId: 'uuid',
    activityId: 'uuid?',
    method: 'text=',
    depthCm: 'int4?',
    geom: 'geometry',
    areaM2: 'float8=',
    benchmark: 'geometry?',
    releasedOn: 'date?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  loginFailures: {
    id: 'int8=',
    email: 'text',
    ip: 'text',
    at: 'timestamptz=',
  },
  minefieldRecords: {
    id: 'uuid=',
    code: 'text=',
    name: 'text?',
    hazardId: 'uuid?',
    sourceId: 'uuid?',
    layingDate: 'date?',
    layingUnit: 'text?',
    record: 'jsonb',
    geom: 'geometry?',
    geometryHypothesis: 'text?',
    areaM2: 'float8=',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  notifications: {
    id: 'uuid=',
    recipientId: 'uuid',
    kind: 'text',
    reportId: 'uuid',
    actorId: 'uuid?',
    commentId: 'uuid?',
    createdAt: 'timestamptz=',
    readAt: 'timestamptz?',
  },
  ordnanceModels: {
    id: 'uuid=',
    model: 'text',
    category: 'text',
    countryOfOrigin: 'text?',
    description: 'text?',
    aliases: 'jsonb=',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  outputDefinitions: {
    id: 'uuid=',
    name: 'text',
    output: 'text',
    params: 'jsonb=',
    periodRule: 'text=',
    locale: 'text=',
    createdBy: 'uuid?',
    createdAt: 'timestamptz=',
    archivedAt: 'timestamptz?',
  },
  organisations: {
    id: 'uuid=',
    name: 'text',
    acronym: 'text?',
    kind: 'text',
    country: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  qaVisits: {
    id: 'uuid=',
    code: 'text=',
    visitedOn: 'date',
    activityId: 'uuid?',
    inspectedOrganisationId: 'uuid',
    inspectingOrganisationId: 'uuid',
    nonConformities: 'jsonb=',
    measuresTaken: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  recordChanges: {
    seq: 'int8=',
    entity: 'text',
    recordId: 'uuid',
    reportId: 'uuid?',
    dateOfInformation: 'date',
    op: 'text',
    patch: 'jsonb',
    createdAt: 'timestamptz=',
  },
  recordSources: {
    recordType: 'text',
    recordId: 'uuid',
    sourceId: 'uuid',
    createdAt: 'timestamptz=',
    createdBy: 'uuid?',
  },
  reportComments: {
    id: 'uuid=',
    reportId: 'uuid',
    authorId: 'uuid',
    text: 'text',
    createdAt: 'timestamptz=',
  },
  reports: {
    id: 'uuid=',
    code: 'text=',
    kind: 'text',
    status: 'text=',
    organisationId: 'uuid?',
    dateOfInformation: 'date',
    payload: 'jsonb',
    reason: 'text?',
    warnings: 'jsonb=',
    applied: 'jsonb=',
    rejectionReason: 'text?',
    submittedAt: 'timestamptz?',
    submittedBy: 'uuid?',
    reviewedAt: 'timestamptz?',
    reviewedBy: 'uuid?',
    decidedAt: 'timestamptz?',
    decidedBy: 'uuid?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  riskEducationSessions: {
    id: 'uuid=',
    code: 'text=',
    organisationId: 'uuid',
    heldOn: 'date',
    deliveryMethod: 'text',
    settlementId: 'uuid?',
    beneficiaries: 'jsonb=',
    beneficiariesTotal: 'int4=',
    geom: 'geometry',
    description: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  schemaMigrations: {
    version: 'int4',
    name: 'text',
    checksum: 'text',
    appliedAt: 'timestamptz=',
  },
  sessions: {
    id: 'uuid=',
    userId: 'uuid',
    tokenHash: 'text',
    kind: 'text=',
    name: 'text?',
    createdAt: 'timestamptz=',
    expiresAt: 'timestamptz?',
    lastUsedAt: 'timestamptz?',
    revokedAt: 'timestamptz?',
  },
  settlements: {
    id: 'uuid=',
    name: 'text',
    names: 'jsonb=',
    pcode: 'text?',
    kind: 'text=',
    adminAreaId: 'uuid?',
    geom: 'geometry',
    population: 'int4?',
    households: 'int4?',
    displacedHouseholds: 'int4?',
    returnedHouseholds: 'int4?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  sources: {
    id: 'uuid=',
    code: 'text=',
    kind: 'text',
    title: 'text',
    issuingBody: 'text?',
    documentSymbol: 'text?',
    url: 'text?',
    publishedOn: 'date?',
    language: 'text?',
    notes: 'text?',
    externalId: 'text?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
  users: {
    id: 'uuid=',
    email: 'text',
    name: 'text?',
    role: 'text',
    organisationId: 'uuid?',
    passwordHash: 'text',
    locale: 'text=',
    disabledAt: 'timestamptz?',
    version: 'int4=',
    createdAt: 'timestamptz=',
    updatedAt: 'timestamptz=',
    createdBy: 'uuid?',
    updatedBy: 'uuid?',
    archivedAt: 'timestamptz?',
  },
} as const satisfies Record<string, Record<string, ColumnSpec>>;

/** PostgreSQL types (udt_name) that occur in the migrations. */
export type PgType =
  | 'uuid'
  | 'text'
  | 'varchar'
  | 'name'
  | 'date'
  | 'timestamptz'
  | 'int4'
  | 'int8'
  | 'float8'
  | 'numeric'
  | 'bool'
  | 'jsonb'
  | 'bytea'
  | 'geometry'
  | '_text';

export type ColumnSpec = PgType | `${PgType}?` | `${PgType}=` | `${PgType}?=`;

/** A JSON value as the drivers return jsonb. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The JS form of a PostgreSQL type as connect.ts's parsers give it. */
type JsOf<T extends PgType> = T extends 'int4' | 'int8' | 'float8' | 'numeric'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'jsonb'
      ? Json
      : T extends '_text'
        ? string[]
        : T extends 'bytea'
          ? Uint8Array
          : // uuid, text, dates and timestamps (ISO strings), geometry (hex EWKB, read as GeoJSON
            // through ST_AsGeoJSON in the repositories)
            string;

/** The Kysely column type of a spec: nullable `?`, defaulted `=` (optional in inserts). */
export type Column<S extends ColumnSpec> = S extends `${infer T extends PgType}?=`
  ? ColumnType<JsOf<T> | null, JsOf<T> | null | undefined, JsOf<T> | null>
  : S extends `${infer T extends PgType}?`
    ? JsOf<T> | null
    : S extends `${infer T extends PgType}=`
      ? ColumnType<JsOf<T>, JsOf<T> | undefined, JsOf<T>>
      : S extends PgType
        ? JsOf<S>
        : never;

type Tables = typeof TABLE_COLUMNS;

/** The database, for `Kysely<DB>`. */
export type DB = {
  [Table in keyof Tables]: { [C in keyof Tables[Table]]: Column<Tables[Table][C] & ColumnSpec> };
};

/** The names of the tables (camelCase), e.g. for a repository that picks a register's table. */
export type TableName = keyof DB;
