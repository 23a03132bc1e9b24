import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../../config.ts';
import type { Database } from '../../db/connect.ts';
import { Problem } from '../../domain/problem.ts';
import { t } from '../../i18n/catalogue.ts';
import { actorOf, authenticate, checkPassword } from '../../services/auth.ts';
import {
  MAX_SUBMISSION_XML_BYTES,
  type OpenRosaService,
  type SubmissionPart,
} from '../../services/openrosa.ts';
import { problemStatus, requestLocale, toProblem } from '../problems.ts';

/** The realm of the HTTP Basic challenge phones are answered with. */
export const OPENROSA_REALM = 'Safeground';

/** HTTP status of the OpenRosa problems that are not 400. */
const OPENROSA_STATUS: Record<string, number> = {
  'openrosa.instance_conflict': 409,
  'openrosa.form_unknown': 404,
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
  const base = (request: FastifyRequest) => `${request.protocol}://${request.host}/openrosa`;

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
    if (status === 401) reply.header('WWW-Authenticate', `Basic realm="${OPENROSA_REALM}", charset="UTF-8"`);
    const locale = requestLocale(request);
    return respond(
      reply,
      status,
      t(p.code, { ...p.params, ...p.where }, locale),
      `<problem xmlns="https://safeground.org/problems" code="${esc(p.code)}"${p.where?.pointer !== undefined ? ` pointer="${esc(p.where.pointer)}"` : ''}/>`,
    );
  });

  // Who is asking: a session or bearer token the core already read, else HTTP Basic.
  app.addHook('onRequest', async (request) => {
    if (request.actor) return;
    const header = request.headers.authorization ?? '';
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
    request.actor = actorOf(user);
    if (!request.headers['accept-language']) request.locale = user.locale;
  });

  app.get('/openrosa/formList', { schema: { hide: true } }, async (request, reply) => {
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

  app.get('/openrosa/forms/:formId', { schema: { hide: true } }, async (request, reply) => {
    const { formId } = request.params as { formId: string };
    const form = await opts.openrosa.form(request.actor!, formId);
    return openRosaHeaders(reply)
      .type('text/xml; charset=utf-8')
      .header('ETag', `"${form.hash.slice(4)}"`)
      .send(form.xml);
  });

  // ODK Collect asks HEAD first, to be challenged for credentials before it sends the files.
  app.head('/openrosa/submission', { schema: { hide: true } }, async (request, reply) =>
    openRosaHeaders(reply)
      .header('Location', `${base(request)}/submission`)
      .status(204)
      .send(),
  );

  app.post('/openrosa/submission', { schema: { hide: true } }, async (request, reply) => {
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
