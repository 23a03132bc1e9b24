import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../domain/problem.ts';
import { VERSION } from '../../version.ts';
import { requireActor } from '../plugins/auth.ts';
import { parseId } from '../routes/registers.ts';
import {
  CONFORMANCE,
  collectionDocument,
  collectionRegisters,
  collectionTitle,
  featureSchema,
  geojsonFeatureSchema,
  type Link,
  landingPage,
  MEDIA,
  openApiDocument,
  queryables,
} from './documents.ts';
import { FeatureSource } from './features.ts';
import { checkPlainQuery, parseItemQuery, parseItemsQuery } from './query.ts';

/** Nothing to choose yet: the collections are the registers with a geometry, read through their services. */
export type OgcOptions = Record<string, never>;

type Query = Record<string, unknown>;
interface CollectionRoute {
  Params: { collectionId: string };
  Querystring: Query;
}

const PREFIX = '/ogc';

/**
 * OGC API - Features (Part 1 core, GeoJSON, OpenAPI 3.0) under /ogc, so QGIS, ArcGIS and GDAL
 * read the registers that have a geometry. Reading needs a signed-in user (bearer token);
 * the landing page, conformance and API definition are open so clients can discover the service.
 */
export async function ogcPlugin(app: FastifyInstance, _opts: OgcOptions = {}): Promise<void> {
  const sources = new Map(
    collectionRegisters().map((def) => [def.slug, new FeatureSource(app.services.registers.get(def.slug)!)]),
  );
  const hide = { schema: { hide: true } };

  // Links are made from the request's own address (behind a proxy, SAFEGROUND_TRUST_PROXY=1
  // makes Fastify read it from X-Forwarded-Proto and X-Forwarded-Host).
  const rootOf = (request: FastifyRequest) => `${request.protocol}://${request.host}${PREFIX}`;
  const sourceOf = (id: string) => {
    const source = sources.get(id);
    if (!source)
      throw new Problem(
        'ogc.collection_unknown',
        { id, known: [...sources.keys()].join(', ') },
        { pointer: '' },
      );
    return source;
  };
  // Sent as bytes so Fastify leaves the media type as written: it would rewrite a string
  // answer's type to `…; version="3.0"; charset=utf-8`, which GDAL does not recognise.
  const send = (reply: FastifyReply, type: string, body: unknown) =>
    reply.header('content-type', type).send(Buffer.from(JSON.stringify(body), 'utf8'));

  // A client that met 401 should be told how to authenticate (RFC 9110 §11.6.1).
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && request.url.startsWith(PREFIX))
      reply.header('www-authenticate', 'Bearer realm="safeground"');
    return payload;
  });

  const landing = async (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    checkPlainQuery(request.query);
    return send(reply, MEDIA.json, landingPage(rootOf(request), request.locale));
  };
  app.get(PREFIX, hide, landing);
  app.get(`${PREFIX}/`, hide, landing);

  app.get<{ Querystring: Query }>(`${PREFIX}/conformance`, hide, async (request, reply) => {
    checkPlainQuery(request.query);
    return send(reply, MEDIA.json, { conformsTo: CONFORMANCE });
  });

  app.get<{ Querystring: Query }>(`${PREFIX}/api`, hide, async (request, reply) => {
    checkPlainQuery(request.query);
    return send(reply, MEDIA.openapi, openApiDocument(rootOf(request), VERSION, request.locale));
  });

  app.get<{ Querystring: Query }>(`${PREFIX}/collections`, hide, async (request, reply) => {
    const actor = requireActor(request);
    checkPlainQuery(request.query);
    const root = rootOf(request);
    const collections = [];
    for (const source of sources.values()) {
      collections.push(collectionDocument(source.def, root, await source.extent(actor), request.locale));
    }
    const links: Link[] = [{ href: `${root}/collections`, rel: 'self', type: MEDIA.json }];
    return send(reply, MEDIA.json, { links, collections });
  });

  app.get<CollectionRoute>(`${PREFIX}/collections/:collectionId`, hide, async (request, reply) => {
    const actor = requireActor(request);
    const source = sourceOf(request.params.collectionId);
    checkPlainQuery(request.query);
    return send(
      reply,
      MEDIA.json,
      collectionDocument(source.def, rootOf(request), await source.extent(actor), request.locale),
    );
  });

  app.get<CollectionRoute>(`${PREFIX}/collections/:collectionId/schema`, hide, async (request, reply) => {
    requireActor(request);
    const source = sourceOf(request.params.collectionId);
    checkPlainQuery(request.query);
    return send(reply, MEDIA.schema, featureSchema(source.def, rootOf(request), request.locale));
  });

  app.get<CollectionRoute>(
    `${PREFIX}/collections/:collectionId/feature-schema`,
    hide,
    async (request, reply) => {
      requireActor(request);
      const source = sourceOf(request.params.collectionId);
      checkPlainQuery(request.query);
      return send(reply, MEDIA.schema, geojsonFeatureSchema(source.def, rootOf(request), request.locale));
    },
  );

  app.get<CollectionRoute>(`${PREFIX}/collections/:collectionId/queryables`, hide, async (request, reply) => {
    requireActor(request);
    const source = sourceOf(request.params.collectionId);
    checkPlainQuery(request.query);
    return send(reply, MEDIA.schema, queryables(source.def, rootOf(request), request.locale));
  });

  app.get<CollectionRoute>(`${PREFIX}/collections/:collectionId/items`, hide, async (request, reply) => {
    const actor = requireActor(request);
    const source = sourceOf(request.params.collectionId);
    const rawQuery = request.query;
    const query = parseItemsQuery(source.def, rawQuery);
    const { features, numberMatched } = await source.page(actor, query);
    const root = rootOf(request);
    const itemsUrl = `${root}/collections/${source.def.slug}/items`;
    const pageUrl = (offset: number) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(rawQuery))
        if (k !== 'offset' && k !== 'limit') params.set(k, String(Array.isArray(v) ? v.at(-1) : v));
      params.set('limit', String(query.limit));
      if (offset > 0) params.set('offset', String(offset));
      return `${itemsUrl}?${params.toString()}`;
    };
    const links: Link[] = [
      {
        href: pageUrl(query.offset),
        rel: 'self',
        type: MEDIA.geojson,
        title: collectionTitle(source.def, request.locale),
      },
      { href: `${root}/collections/${source.def.slug}`, rel: 'collection', type: MEDIA.json },
    ];
    if (query.offset + features.length < numberMatched) {
      links.push({ href: pageUrl(query.offset + query.limit), rel: 'next', type: MEDIA.geojson });
    }
    if (query.offset > 0)
      links.push({
        href: pageUrl(Math.max(0, query.offset - query.limit)),
        rel: 'prev',
        type: MEDIA.geojson,
      });
    if (query.asAt) reply.header('as-at', query.asAt);
    return send(reply, MEDIA.geojson, {
      type: 'FeatureCollection',
      features,
      links,
      ...(query.asAt ? { asAt: query.asAt } : {}),
      timeStamp: new Date().toISOString(),
      numberMatched,
      numberReturned: features.length,
    });
  });

  app.get<{ Params: { collectionId: string; featureId: string }; Querystring: Query }>(
    `${PREFIX}/collections/:collectionId/items/:featureId`,
    hide,
    async (request, reply) => {
      const actor = requireActor(request);
      const { collectionId, featureId } = request.params;
      const source = sourceOf(collectionId);
      const { asAt } = parseItemQuery(request.query);
      const feature = await source.one(actor, parseId(featureId, source.def), asAt);
      const root = rootOf(request);
      const links: Link[] = [
        {
          href: `${root}/collections/${source.def.slug}/items/${featureId}${asAt ? `?asAt=${asAt}` : ''}`,
          rel: 'self',
          type: MEDIA.geojson,
        },
        { href: `${root}/collections/${source.def.slug}`, rel: 'collection', type: MEDIA.json },
      ];
      reply.header('etag', `"${feature.properties.version}"`);
      if (asAt) reply.header('as-at', asAt);
      return send(reply, MEDIA.geojson, { ...feature, links, ...(asAt ? { asAt } : {}) });
    },
  );
}
