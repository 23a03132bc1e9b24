import type { TSchema } from 'typebox';
import { commonFields, REGISTERS, type RegisterDef } from '../../domain/records.ts';
import { t } from '../../i18n/catalogue.ts';
import type { RegisterExtent } from '../../services/list-query.ts';
import { CRS84, DEFAULT_LIMIT, MAX_LIMIT, nonNull, propertyFilters } from './query.ts';

/**
 * The documents of the OGC API - Features service: landing page, conformance, collections,
 * JSON Schemas (Part 5 roles) and queryables (Part 3), and the OpenAPI 3.0 definition.
 * Links are absolute because GIS clients resolve relative links differently (GDAL prefixes a
 * link starting with `/` with the service root, not the host).
 */

export const MEDIA = {
  json: 'application/json',
  geojson: 'application/geo+json',
  openapi: 'application/vnd.oai.openapi+json;version=3.0',
  schema: 'application/schema+json',
} as const;

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

export const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';
const GREGORIAN = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian';

/** Registers served as collections: those with a geometry, in menu order. */
export function collectionRegisters(): RegisterDef[] {
  return REGISTERS.filter((d) => d.geometry);
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** A catalogue message; `fallback` only for keys a new register may not have yet (its title). */
function text(key: string, locale: string, fallback?: string, params: Record<string, unknown> = {}): string {
  const s = t(key, params, locale);
  return s === key && fallback !== undefined ? fallback : s;
}

export function collectionTitle(def: RegisterDef, locale: string): string {
  return text(`ogc.collection.${def.slug}.title`, locale, def.slug);
}

export function landingPage(root: string, locale: string) {
  return {
    title: text('ogc.landing.title', locale),
    description: text('ogc.landing.description', locale),
    links: [
      { href: root, rel: 'self', type: MEDIA.json, title: text('ogc.link.self', locale) },
      {
        href: `${root}/api`,
        rel: 'service-desc',
        type: MEDIA.openapi,
        title: text('ogc.link.api', locale),
      },
      {
        href: `${root}/conformance`,
        rel: 'conformance',
        type: MEDIA.json,
        title: text('ogc.link.conformance', locale),
      },
      {
        href: `${root}/collections`,
        rel: 'data',
        type: MEDIA.json,
        title: text('ogc.link.collections', locale),
      },
    ] satisfies Link[],
  };
}

/** The temporal extent of a register from its first and last date: whole days, as instants. */
function temporalInterval(dates: [string | null, string | null]): [string | null, string | null] {
  return [dates[0] ? `${dates[0]}T00:00:00Z` : null, dates[1] ? `${dates[1]}T23:59:59Z` : null];
}

export function collectionDocument(def: RegisterDef, root: string, extent: RegisterExtent, locale: string) {
  const base = `${root}/collections/${def.slug}`;
  const spatial = extent.bbox ? { spatial: { bbox: [extent.bbox], crs: CRS84 } } : {};
  const temporal = extent.dates
    ? { temporal: { interval: [temporalInterval(extent.dates)], trs: GREGORIAN } }
    : {};
  return {
    id: def.slug,
    title: collectionTitle(def, locale),
    description: text(`ogc.collection.${def.slug}.description`, locale, ''),
    itemType: 'feature',
    crs: [CRS84],
    ...(extent.bbox || extent.dates ? { extent: { ...spatial, ...temporal } } : {}),
    links: [
      { href: base, rel: 'self', type: MEDIA.json, title: collectionTitle(def, locale) },
      {
        href: `${base}/items`,
        rel: 'items',
        type: MEDIA.geojson,
        title: text('ogc.link.items', locale),
      },
      {
        href: `${base}/schema`,
        rel: 'describedby',
        type: MEDIA.schema,
        title: text('ogc.link.schema', locale),
      },
      // The same relation (link relations are case-insensitive, RFC 8288 §2.1.1) in the
      // spelling and schema shape older GDAL releases look for; see geojsonFeatureSchema.
      {
        href: `${base}/feature-schema`,
        rel: 'describedBy',
        type: MEDIA.schema,
        title: text('ogc.link.feature_schema', locale),
      },
      {
        href: `${base}/queryables`,
        rel: QUERYABLES_REL,
        type: MEDIA.schema,
        title: text('ogc.link.queryables', locale),
      },
    ] satisfies Link[],
  };
}

/**
 * A plain JSON Schema from a TypeBox one: TypeBox keeps its own data under symbol keys, a
 * nullable field is `anyOf [X, null]` (shown as X: absence of a value is not a type of its
 * own to a GIS), and an enum of strings gets its `type` so clients can type the field.
 */
function plain(schema: TSchema | Record<string, unknown>): Record<string, unknown> {
  return simplify(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>);
}

function simplify(schema: Record<string, unknown>): Record<string, unknown> {
  const out = nonNull(schema);
  if (Array.isArray(out.enum) && out.type === undefined && out.enum.every((v) => typeof v === 'string'))
    out.type = 'string';
  if (out.items && typeof out.items === 'object') out.items = simplify(out.items as Record<string, unknown>);
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, Record<string, unknown>>).map(([k, v]) => [
        k,
        simplify(v),
      ]),
    );
  }
  return out;
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The property whose date places a record in time (the `datetime` filter compares it). */
export function primaryInstant(def: RegisterDef): string | undefined {
  return def.filters.date ? camel(def.filters.date) : undefined;
}

/**
 * JSON Schema of a collection's features (OGC API - Features Part 5): every property served,
 * with `x-ogc-role` on the identifier, the geometry and the primary date.
 */
export function featureSchema(def: RegisterDef, root: string, locale: string) {
  const instant = primaryInstant(def);
  const properties: Record<string, Record<string, unknown>> = {
    geometry: {
      format: def.geometry?.kind === 'Point' ? 'geometry-point' : 'geometry-multipolygon',
      'x-ogc-role': 'primary-geometry',
    },
  };
  for (const [name, schema] of Object.entries(servedProperties(def))) {
    const role = name === 'id' ? 'id' : name === instant ? 'primary-instant' : undefined;
    properties[name] = role ? { ...schema, 'x-ogc-role': role } : schema;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${root}/collections/${def.slug}/schema`,
    type: 'object',
    title: collectionTitle(def, locale),
    properties,
  };
}

/** The properties of a collection's features with their schemas, in the order they are served. */
function servedProperties(def: RegisterDef): Record<string, Record<string, unknown>> {
  const hidden = new Set(def.protectedFields ?? []);
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of Object.entries(commonFields))
    properties[name] = { ...plain(schema), readOnly: true };
  for (const [name, schema] of Object.entries(def.fields.properties))
    if (!hidden.has(name)) properties[name] = plain(schema);
  for (const [name, schema] of Object.entries(def.readOnly))
    properties[name] = { ...plain(schema), readOnly: true };
  return properties;
}

/**
 * The properties for GDAL's schema reader. GDAL turns every comparison on a date field into the
 * one `datetime` parameter, which this service compares with the register's own date; so only
 * that date is typed as a date, and other dates and timestamps are plain ISO text, which GDAL
 * then filters itself, correctly.
 */
function gdalProperties(def: RegisterDef): Record<string, Record<string, unknown>> {
  const instant = primaryInstant(def);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of Object.entries(servedProperties(def))) {
    // GDAL takes `id` from the features themselves and would list it twice.
    if (name === 'id') continue;
    const { format, ...rest } = schema;
    out[name] = (format === 'date' || format === 'date-time') && name !== instant ? rest : schema;
  }
  return out;
}

/**
 * JSON Schema of a whole GeoJSON Feature of the collection. GDAL's OAPIF driver up to at least
 * 3.6 (Debian 12) reads field types only from such a schema, behind a link spelt `describedBy`;
 * without it GDAL guesses types from the first page and can, for example, make an area an
 * integer field because the first ten areas happened to be whole numbers.
 */
export function geojsonFeatureSchema(def: RegisterDef, root: string, locale: string) {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${root}/collections/${def.slug}/feature-schema`,
    type: 'object',
    title: collectionTitle(def, locale),
    required: ['type', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: plain(commonFields.id),
      geometry: {
        type: 'object',
        description: def.geometry?.kind === 'Point' ? 'GeoJSON Point' : 'GeoJSON MultiPolygon',
      },
      properties: { type: 'object', properties: gdalProperties(def) },
    },
  };
}

/** The properties a client may filter on with `?name=value` (Part 3 queryables). */
export function queryables(def: RegisterDef, root: string, locale: string) {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const f of propertyFilters(def)) {
    const field = def.fields.properties[f.name] ?? def.readOnly[f.name];
    const s = plain(field ?? f.schema);
    if (!field) s.description = text('ogc.queryable.alias', locale, undefined, { column: camel(f.column) });
    properties[f.name] = { title: f.name, ...s };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${root}/collections/${def.slug}/queryables`,
    type: 'object',
    title: collectionTitle(def, locale),
    properties,
    additionalProperties: false,
  };
}

/** OpenAPI 3.0 definition of the OGC API, with each collection's items path and its filters. */
export function openApiDocument(root: string, version: string, locale: string) {
  const ref = (name: string) => ({ $ref: `#/components/parameters/${name}` });
  const json = (schema: string, media: string = MEDIA.json) => ({
    content: { [media]: { schema: { $ref: `#/components/schemas/${schema}` } } },
  });
  const problem = {
    description: text('ogc.api.problem', locale),
    content: { 'application/problem+json': { schema: { type: 'object' } } },
  };
  const errors = { '400': problem, '401': problem, '404': problem };
  const jsonSchemaDoc = {
    description: 'JSON Schema',
    content: { [MEDIA.schema]: { schema: { type: 'object' } } },
  };
  const paths: Record<string, unknown> = {
    '/': {
      get: {
        summary: 'Landing page',
        operationId: 'getLandingPage',
        parameters: [ref('f')],
        responses: { '200': { description: 'Landing page', ...json('landingPage') }, ...errors },
      },
    },
    '/conformance': {
      get: {
        summary: 'Conformance classes',
        operationId: 'getConformance',
        parameters: [ref('f')],
        responses: { '200': { description: 'Conformance', ...json('confClasses') }, ...errors },
      },
    },
    '/api': {
      get: {
        summary: 'This API definition',
        operationId: 'getApi',
        parameters: [ref('f')],
        responses: {
          '200': { description: 'OpenAPI 3.0', content: { [MEDIA.openapi]: { schema: { type: 'object' } } } },
        },
      },
    },
    '/collections': {
      get: {
        summary: 'Collections',
        operationId: 'getCollections',
        parameters: [ref('f')],
        responses: { '200': { description: 'Collections', ...json('collections') }, ...errors },
      },
    },
    '/collections/{collectionId}': {
      get: {
        summary: 'One collection',
        operationId: 'describeCollection',
        parameters: [ref('collectionId'), ref('f')],
        responses: { '200': { description: 'Collection', ...json('collection') }, ...errors },
      },
    },
    '/collections/{collectionId}/items': {
      get: {
        summary: 'Features of a collection',
        operationId: 'getFeatures',
        parameters: [
          ref('collectionId'),
          ref('limit'),
          ref('offset'),
          ref('bbox'),
          ref('bbox-crs'),
          ref('datetime'),
          ref('f'),
        ],
        responses: {
          '200': { description: 'Features', ...json('featureCollectionGeoJSON', MEDIA.geojson) },
          ...errors,
        },
      },
    },
    '/collections/{collectionId}/items/{featureId}': {
      get: {
        summary: 'One feature',
        operationId: 'getFeature',
        parameters: [ref('collectionId'), ref('featureId'), ref('f')],
        responses: { '200': { description: 'Feature', ...json('featureGeoJSON', MEDIA.geojson) }, ...errors },
      },
    },
    '/collections/{collectionId}/schema': {
      get: {
        summary: 'JSON Schema of the features',
        operationId: 'getSchema',
        parameters: [ref('collectionId'), ref('f')],
        responses: { '200': jsonSchemaDoc, ...errors },
      },
    },
    '/collections/{collectionId}/feature-schema': {
      get: {
        summary: 'JSON Schema of a whole GeoJSON Feature',
        operationId: 'getFeatureSchema',
        parameters: [ref('collectionId'), ref('f')],
        responses: { '200': jsonSchemaDoc, ...errors },
      },
    },
    '/collections/{collectionId}/queryables': {
      get: {
        summary: 'Queryables',
        operationId: 'getQueryables',
        parameters: [ref('collectionId'), ref('f')],
        responses: { '200': jsonSchemaDoc, ...errors },
      },
    },
  };
  // One items path per collection so clients (GDAL among them) learn its property filters.
  for (const def of collectionRegisters()) {
    const filters = propertyFilters(def).map((f) => ({
      name: f.name,
      in: 'query',
      required: false,
      style: 'form',
      explode: false,
      schema: plain(f.schema),
    }));
    const id = def.slug.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    paths[`/collections/${def.slug}/items`] = {
      get: {
        summary: collectionTitle(def, locale),
        operationId: `getFeatures_${id}`,
        parameters: [
          ref('limit'),
          ref('offset'),
          ref('bbox'),
          ref('bbox-crs'),
          ...(def.filters.date ? [ref('datetime')] : []),
          {
            name: 'q',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: text('ogc.api.q', locale),
          },
          ...filters,
          ref('f'),
        ],
        responses: {
          '200': { description: 'Features', ...json('featureCollectionGeoJSON', MEDIA.geojson) },
          ...errors,
        },
      },
    };
    paths[`/collections/${def.slug}/items/{featureId}`] = {
      get: {
        summary: collectionTitle(def, locale),
        operationId: `getFeature_${id}`,
        parameters: [ref('featureId'), ref('f')],
        responses: { '200': { description: 'Feature', ...json('featureGeoJSON', MEDIA.geojson) }, ...errors },
      },
    };
  }
  const link = {
    type: 'object',
    required: ['href', 'rel'],
    properties: {
      href: { type: 'string' },
      rel: { type: 'string' },
      type: { type: 'string' },
      title: { type: 'string' },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: text('ogc.landing.title', locale),
      description: text('ogc.landing.description', locale),
      version,
      license: { name: 'Apache-2.0' },
    },
    servers: [{ url: root }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      parameters: {
        collectionId: {
          name: 'collectionId',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: collectionRegisters().map((d) => d.slug) },
        },
        featureId: {
          name: 'featureId',
          in: 'path',
          required: true,
          schema: { type: 'string', format: 'uuid' },
        },
        limit: {
          name: 'limit',
          in: 'query',
          required: false,
          style: 'form',
          explode: false,
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
        },
        offset: {
          name: 'offset',
          in: 'query',
          required: false,
          style: 'form',
          explode: false,
          schema: { type: 'integer', minimum: 0, default: 0 },
        },
        bbox: {
          name: 'bbox',
          in: 'query',
          required: false,
          style: 'form',
          explode: false,
          schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
        },
        'bbox-crs': {
          name: 'bbox-crs',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: [CRS84], default: CRS84 },
        },
        datetime: {
          name: 'datetime',
          in: 'query',
          required: false,
          style: 'form',
          explode: false,
          schema: { type: 'string' },
        },
        f: {
          name: 'f',
          in: 'query',
          required: false,
          style: 'form',
          explode: false,
          schema: { type: 'string', enum: ['json'], default: 'json' },
        },
      },
      schemas: {
        link,
        landingPage: {
          type: 'object',
          required: ['links'],
          properties: {
            title: { type: 'string' },
            description: { type: 'string' },
            links: { type: 'array', items: { $ref: '#/components/schemas/link' } },
          },
        },
        confClasses: {
          type: 'object',
          required: ['conformsTo'],
          properties: { conformsTo: { type: 'array', items: { type: 'string' } } },
        },
        collection: {
          type: 'object',
          required: ['id', 'links'],
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            description: { type: 'string' },
            itemType: { type: 'string' },
            crs: { type: 'array', items: { type: 'string' } },
            extent: { type: 'object' },
            links: { type: 'array', items: { $ref: '#/components/schemas/link' } },
          },
        },
        collections: {
          type: 'object',
          required: ['links', 'collections'],
          properties: {
            links: { type: 'array', items: { $ref: '#/components/schemas/link' } },
            collections: { type: 'array', items: { $ref: '#/components/schemas/collection' } },
          },
        },
        featureGeoJSON: {
          type: 'object',
          required: ['type', 'geometry', 'properties'],
          properties: {
            type: { type: 'string', enum: ['Feature'] },
            id: { type: 'string', format: 'uuid' },
            geometry: { type: 'object', nullable: true },
            properties: { type: 'object', nullable: true },
            links: { type: 'array', items: { $ref: '#/components/schemas/link' } },
          },
        },
        featureCollectionGeoJSON: {
          type: 'object',
          required: ['type', 'features'],
          properties: {
            type: { type: 'string', enum: ['FeatureCollection'] },
            features: { type: 'array', items: { $ref: '#/components/schemas/featureGeoJSON' } },
            links: { type: 'array', items: { $ref: '#/components/schemas/link' } },
            timeStamp: { type: 'string', format: 'date-time' },
            numberMatched: { type: 'integer', minimum: 0 },
            numberReturned: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
  };
}
