import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Settings } from '../../config.ts';
import type { Database } from '../../db/connect.ts';
import { Problem } from '../../domain/problem.ts';
import { t } from '../../i18n/catalogue.ts';
import {
  actorOf,
  authenticate,
  checkDigest,
  checkPassword,
  OPENROSA_REALM,
  rememberDigest,
} from '../../services/auth.ts';
import {
  DigestNonces,
  digestMatches,
  MAX_SUBMISSION_XML_BYTES,
  type OpenRosaService,
  parseDigest,
  type SubmissionPart,
} from '../../services/openrosa.ts';
import { requireActor } from '../plugins/auth.ts';
import { problemStatus, requestLocale, toProblem } from '../problems.ts';
import type { TypedRequests } from '../schemas.ts';

export { OPENROSA_REALM };

/** The OpenRosa paths, as given (`<base>/openrosa`) and under an OpenRosa key (`<base>/openrosa/key/<key>`). */
const PREFIXES = ['/openrosa', '/openrosa/key/:key'] as const;

/** The `opaque` of the Digest challenge (echoed by the client; nothing rests on it). */
const OPAQUE = 'c2FmZWdyb3VuZC1vcGVucm9zYQ';

/** The OpenRosa key in the request's path, if it came by one. */
function keyOf(request: FastifyRequest): string | undefined {
  return (request.params as { key?: string } | undefined)?.key;
}

/** HTTP status of the OpenRosa problems that are not 400. */
const OPENROSA_STATUS: Record<string, number> = {
  'openrosa.instance_conflict': 409,
  'openrosa.form_unknown': 404,
  'openrosa.key_invalid': 403,
};

/** The most files one submission POST may carry. */
const MAX_FILES_PER_POST = 200;

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * OpenRosa 1.0 for ODK Collect and KoboCollect, under `/openrosa` (the server URL a phone is
 * given): the form list, the forms, and submissions. Phones sign in with HTTP Basic (the user's
 * email and password, or an API token as the password) after a 401 challenge; every answer
 * carries the OpenRosa headers, and problems are OpenRosa responses whose message the phone
 * shows, with our problem code alongside.
 */
export async function openRosaRoutes(
  app: FastifyInstance,
  opts: { openrosa: OpenRosaService; database: Database; settings: Settings },
) {
  const acceptLength = Math.min(opts.settings.maxUploadBytes, 64 * 1024 * 1024);
  const openRosaHeaders = (reply: FastifyReply) =>
    reply
      .header('X-OpenRosa-Version', '1.0')
      .header('X-OpenRosa-Accept-Content-Length', String(acceptLength))
      .header('Date', new Date().toUTCString());
  // The server URL the phone was given: with the OpenRosa key when it signs in by one, so the
  // form list's download URLs and the submission URL keep it.
  const base = (request: FastifyRequest) => {
    const key = keyOf(request);
    return `${request.protocol}://${request.host}/openrosa${key !== undefined ? `/key/${encodeURIComponent(key)}` : ''}`;
  };
  const nonces = new DigestNonces(
    opts.settings.secret
      ? createHmac('sha256', opts.settings.secret).update('openrosa-digest-nonce').digest()
      : randomBytes(32),
  );
  const staleNonce = new WeakSet<FastifyRequest>();

  const respond = (reply: FastifyReply, status: number, message: string, extra = '') =>
    openRosaHeaders(reply)
      .status(status)
      .type('text/xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0"><message nature="${status < 300 ? 'submit_success' : 'error'}">${esc(message)}</message>${extra}</OpenRosaResponse>\n`,
      );

  app.setErrorHandler((err, request, reply) => {
    const p = toProblem(err);
    const status = OPENROSA_STATUS[p.code] ?? problemStatus(p.code);
    if (status >= 500) request.log.error({ err }, 'OpenRosa request failed');
    if (status === 401) {
      const basic = `Basic realm="${OPENROSA_REALM}", charset="UTF-8"`;
      // Digest first: a client that speaks both (ODK Collect) takes the first it knows.
      reply.header(
        'WWW-Authenticate',
        opts.settings.openrosaDigest
          ? [
              `Digest realm="${OPENROSA_REALM}", qop="auth", algorithm=MD5, nonce="${nonces.make()}", opaque="${OPAQUE}"${staleNonce.has(request) ? ', stale=true' : ''}`,
              basic,
            ]
          : basic,
      );
    }
    const locale = requestLocale(request);
    return respond(
      reply,
      status,
      t(p.code, { ...p.params, ...p.where }, locale),
      `<problem xmlns="https://safeground.org/problems" code="${esc(p.code)}"${p.where?.pointer !== undefined ? ` pointer="${esc(p.where.pointer)}"` : ''}/>`,
    );
  });

  // Who is asking: an OpenRosa key in the URL; else a session or bearer token the core already
  // read; else HTTP Digest (when turned on) or HTTP Basic.
  app.addHook('onRequest', async (request) => {
    const key = keyOf(request);
    if (key !== undefined) {
      const user = await opts.openrosa.keyUser(key);
      if (!user) throw new Problem('openrosa.key_invalid', {}, { pointer: '' });
      request.actor = actorOf(user);
      if (!request.headers['accept-language']) request.locale = user.locale;
      return;
    }
    if (request.actor) return;
    const header = request.headers.authorization ?? '';
    if (opts.settings.openrosaDigest && /^Digest\s/i.test(header)) {
      const p = parseDigest(header);
      if (!p?.username || !p.nonce) throw new Problem('auth.invalid_credentials', {}, { pointer: '' });
      const fresh = nonces.check(p.nonce);
      if (fresh === 'stale') staleNonce.add(request);
      if (fresh !== 'ok') throw new Problem('auth.required', {}, { pointer: '' });
      const user = await checkDigest(opts.database, p.username, request.ip, (ha1) =>
        digestMatches(ha1, p, request.method, request.url),
      );
      request.actor = actorOf(user);
      if (!request.headers['accept-language']) request.locale = user.locale;
      return;
    }
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m) throw new Problem('auth.required', {}, { pointer: '' });
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Problem('auth.invalid_credentials', {}, { pointer: '' });
    const username = decoded.slice(0, colon).trim();
    const password = decoded.slice(colon + 1);
    // An API token (or session token) given as the password, for the user it belongs to.
    const byToken = password.length >= 32 ? await authenticate(opts.database, password) : undefined;
    const user =
      byToken && byToken.user.email.toLowerCase() === username.toLowerCase()
        ? byToken.user
        : await checkPassword(opts.database, username, password, request.ip);
    // The password was right: keep its Digest HA1 for phones that sign in over plain HTTP.
    if (opts.settings.openrosaDigest && !byToken) await rememberDigest(opts.database, user, password);
    request.actor = actorOf(user);
    if (!request.headers['accept-language']) request.locale = user.locale;
  });

  for (const prefix of PREFIXES) {
    app.get(`${prefix}/formList`, { schema: { hide: true } }, async (request, reply) => {
      const actor = request.actor!;
      const forms = await opts.openrosa.forms(actor);
      const locale = request.headers['accept-language'] ? requestLocale(request) : request.locale;
      const query = request.query as Record<string, string | undefined>;
      const only = query.formID;
      const xforms = forms
        .filter((f) => !only || f.formId === only)
        .map(
          (f) =>
            `<xform><formID>${esc(f.formId)}</formID><name>${esc(opts.openrosa.formName(f.formId, locale))}</name><version>${esc(f.version)}</version><hash>${esc(f.hash)}</hash><downloadUrl>${esc(`${base(request)}/forms/${encodeURIComponent(f.formId)}`)}</downloadUrl></xform>`,
        )
        .join('');
      return openRosaHeaders(reply)
        .type('text/xml; charset=utf-8')
        .send(
          `<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="http://openrosa.org/xforms/xformsList">${xforms}</xforms>\n`,
        );
    });

    app.get(`${prefix}/forms/:formId`, { schema: { hide: true } }, async (request, reply) => {
      const { formId } = request.params as { formId: string };
      const form = await opts.openrosa.form(request.actor!, formId);
      return openRosaHeaders(reply)
        .type('text/xml; charset=utf-8')
        .header('ETag', `"${form.hash.slice(4)}"`)
        .send(form.xml);
    });

    // ODK Collect asks HEAD first, to be challenged for credentials before it sends the files.
    app.head(`${prefix}/submission`, { schema: { hide: true } }, async (request, reply) =>
      openRosaHeaders(reply)
        .header('Location', `${base(request)}/submission`)
        .status(204)
        .send(),
    );

    app.post(`${prefix}/submission`, { schema: { hide: true } }, async (request, reply) => {
      if (!request.isMultipart()) throw new Problem('request.media_type', {}, { pointer: '' });
      const actor = request.actor!;
      const parts = request.parts({
        limits: {
          files: MAX_FILES_PER_POST,
          fileSize: opts.settings.maxUploadBytes,
          fieldSize: MAX_SUBMISSION_XML_BYTES,
        },
      });
      async function* submissionParts(): AsyncGenerator<SubmissionPart> {
        for await (const part of parts) {
          if (part.type === 'field')
            yield { kind: 'field', name: part.fieldname, value: String(part.value ?? '') };
          else
            yield {
              kind: 'file',
              name: part.fieldname,
              filename: part.filename,
              mediaType: part.mimetype,
              content: part.file,
            };
        }
      }
      const outcome = await opts.openrosa.submit(actor, submissionParts());
      const locale = request.headers['accept-language'] ? requestLocale(request) : request.locale;
      const key = outcome.incomplete
        ? 'openrosa.submission_partial'
        : outcome.status === 201
          ? 'openrosa.submission_received'
          : 'openrosa.submission_duplicate';
      return respond(reply, outcome.status, t(key, { code: outcome.reportCode }, locale));
    });
  }
}

const KeySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  userEmail: Type.String(),
  userName: Type.Union([Type.String(), Type.Null()]),
  label: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String({ format: 'uuid' }),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  revokedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});

/**
 * OpenRosa keys in the API: a user makes one for a phone (shown once, with the phone's server URL
 * and the QR code ODK Collect scans), lists and revokes their own; administrators list and revoke
 * everyone's and may make one for another user.
 */
export async function openRosaKeyRoutes(instance: FastifyInstance, opts: { openrosa: OpenRosaService }) {
  const app = instance.withTypeProvider<TypedRequests>();
  const tags = ['openrosa'];
  app.get(
    '/api/v1/openrosa/keys',
    {
      schema: {
        tags,
        summary: "OpenRosa keys: mine, or every user's (all=true, administrators); never the keys themselves",
        querystring: Type.Object({
          all: Type.Optional(Type.Enum(['true', 'false'], { description: "true: every user's keys" })),
        }),
        response: { 200: Type.Object({ items: Type.Array(KeySchema) }) },
      },
    },
    async (request) => ({
      items: await opts.openrosa.keys(requireActor(request), request.query.all === 'true'),
    }),
  );
  app.post(
    '/api/v1/openrosa/keys',
    {
      schema: {
        tags,
        summary:
          'Make an OpenRosa key for a phone (ODK Collect, KoboCollect); the key, server URL and QR code are shown only in this answer',
        body: Type.Object({
          label: Type.String({ minLength: 1, maxLength: 100 }),
          userId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: {
          201: Type.Object({
            key: KeySchema,
            secret: Type.String(),
            serverUrl: Type.String(),
            settings: Type.String({
              description: 'ODK Collect settings: zlib-deflated JSON in base64, as in its QR code',
            }),
            qrSvg: Type.String(),
          }),
        },
      },
    },
    async (request, reply) => {
      const made = await opts.openrosa.createKey(
        requireActor(request),
        request.body,
        `${request.protocol}://${request.host}`,
      );
      return reply.status(201).send(made);
    },
  );
  app.delete(
    '/api/v1/openrosa/keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an OpenRosa key (mine, or any for administrators); the phone is refused at once',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      await opts.openrosa.revokeKey(requireActor(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
