import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/demo-programme.ts';
import { buildApp } from '../../src/http/app.ts';
import { createUser } from '../../src/services/auth.ts';
import { DigestNonces, digestResponse, readCollectSettings } from '../../src/services/openrosa.ts';
import { login, testDatabase, testDatabaseKind, testKeyFile, unique } from './helpers/db.ts';
import { collectBody, instanceTemplate, recorded } from './helpers/openrosa.ts';

/**
 * OpenRosa sign-in that phones on plain HTTP can use (OpenRosa keys, HTTP Digest), and
 * submissions that leave nothing behind when they are refused, replayed as ODK Collect sends them.
 */
const fixtures = new URL('../fixtures/openrosa/', import.meta.url);
const SECRET = 'openrosa-test-secret-0123456789';
const PASSWORD = 'Field-phone-2026';
const COLLECT = recorded.submissionPost!.headers;

let app: FastifyInstance;
let attachmentsDir: string;
let admin: Record<string, string>;
let approver: Record<string, string>;
let orgId: string;
let hazardCode: string;

async function fieldUser() {
  const email = `${unique('phone')}@test.safeground.org`;
  const user = await createUser(await testDatabase(), {
    email,
    password: PASSWORD,
    role: 'operator_data_entry',
    organisationId: orgId,
  });
  const signIn = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: PASSWORD },
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
  return { id: user.id, email, bearer: { authorization: `Bearer ${signIn.json().token}` } };
}

/** Every file under the attachments folder (stored files, thumbnails, anything left behind). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

function post(
  url: string,
  auth: Record<string, string>,
  body: { payload: Buffer; headers: Record<string, string> },
) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...COLLECT, ...auth, ...body.headers },
    payload: body.payload,
  });
}

function activityXml(instanceId: string, version: string, code = hazardCode) {
  return instanceTemplate
    .replace('{{instanceId}}', instanceId)
    .replace('{{version}}', version)
    .replace('{{hazardCode}}', code);
}

async function activityVersion(prefix: string, auth: Record<string, string>) {
  const r = await app.inject({
    method: 'GET',
    url: `${prefix}/formList`,
    headers: { ...recorded.formList!.headers, ...auth },
  });
  expect(r.statusCode, r.body).toBe(200);
  const doc = new DOMParser().parseFromString(r.body, 'text/xml');
  const xform = Array.from(doc.getElementsByTagName('xform')).find(
    (x) => x.getElementsByTagName('formID')[0]?.textContent === 'safeground_activity',
  )!;
  return {
    version: xform.getElementsByTagName('version')[0]!.textContent!,
    downloadUrls: Array.from(doc.getElementsByTagName('downloadUrl')).map((d) => d.textContent!),
  };
}

function problemCode(body: string) {
  return (
    new DOMParser()
      .parseFromString(body, 'text/xml')
      .getElementsByTagName('problem')[0]
      ?.getAttribute('code') ?? null
  );
}

async function reportsBy(userId: string) {
  const r = await app.inject({ method: 'GET', url: '/api/v1/reports?limit=500', headers: approver });
  return (r.json().items as Array<{ id: string; createdBy: string; status: string }>).filter(
    (x) => x.createdBy === userId,
  );
}

async function photosOf(reportId: string) {
  const r = await app.inject({
    method: 'GET',
    url: `/api/v1/reports/${reportId}/attachments`,
    headers: approver,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as Array<{ filename: string; sha256: string }>;
}

/** A photo of random bytes (not an image, so no thumbnail is made): one stored file. */
function photo(random: () => number, size = 2000 + Math.floor(random() * 6000)) {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i++) content[i] = Math.floor(random() * 256);
  return { name: `${Math.floor(random() * 1e12)}.jpg`, content };
}

/** The Authorization header ODK Collect's digest authenticator sends after a challenge. */
function digestAuthorization(challenge: string, user: string, password: string, method: string, uri: string) {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const opaque = /opaque="([^"]+)"/.exec(challenge)?.[1];
  const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
  const ha1 = createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');
  const cnonce = randomUUID().replace(/-/g, '');
  const response = digestResponse(ha1, { nonce, nc: '00000001', cnonce, qop: 'auth', method, uri });
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="${cnonce}", algorithm=MD5${opaque ? `, opaque="${opaque}"` : ''}`;
}

beforeAll(async () => {
  attachmentsDir = mkdtempSync(join(tmpdir(), 'safeground-openrosa-att-'));
  app = await buildApp({
    database: await testDatabase(),
    settings: { attachmentsDir, keyFile: testKeyFile(), openrosaDigest: true, secret: SECRET },
  });
  await app.ready();
  admin = await login('admin');
  approver = await login('approver');
  orgId = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: admin,
      payload: { name: unique('Team '), kind: 'ngo' },
    })
  ).json().id;
  const h = await app.inject({
    method: 'POST',
    url: '/api/v1/hazards',
    headers: admin,
    payload: {
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [47.35, 39.6],
            [47.351, 39.6],
            [47.351, 39.6005],
            [47.35, 39.6005],
            [47.35, 39.6],
          ],
        ],
      },
      properties: { type: 'CHA', deviceCategories: ['AP'], name: unique('Orchard ') },
    },
  });
  expect(h.statusCode, h.body).toBe(201);
  hazardCode = h.json().properties.code;
  return () => app.close();
});

describe(`OpenRosa keys, HTTP Digest and submissions without debris on ${testDatabaseKind()}`, () => {
  it('serves every OpenRosa path under an OpenRosa key, with the key in the URLs it gives, until it is revoked', async () => {
    const phone = await fieldUser();
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/openrosa/keys',
      headers: phone.bearer,
      payload: { label: 'Tablet 3' },
    });
    expect(made.statusCode, made.body).toBe(201);
    const { secret, serverUrl, settings, key } = made.json();
    expect(serverUrl).toMatch(new RegExp(`/openrosa/key/${secret}$`));
    // What ODK Collect reads from the QR code.
    expect(readCollectSettings(settings)).toMatchObject({
      general: { server_url: serverUrl, username: phone.email },
      admin: {},
    });
    const prefix = new URL(serverUrl).pathname;

    const { version, downloadUrls } = await activityVersion(prefix, {});
    expect(downloadUrls.length).toBe(4);
    for (const url of downloadUrls) {
      expect(url).toContain(`${prefix}/forms/`);
      const form = await app.inject({
        method: 'GET',
        url: new URL(url).pathname,
        headers: recorded.formDownload!.headers,
      });
      expect(form.statusCode, form.body).toBe(200);
      expect(form.body).toContain('<h:html');
    }
    const head = await app.inject({
      method: 'HEAD',
      url: `${prefix}/submission?deviceID=collect%3Ax`,
      headers: recorded.submissionHead!.headers,
    });
    expect(head.statusCode).toBe(204);
    expect(head.headers.location).toContain(`${prefix}/submission`);
    const sent = await post(
      `${prefix}/submission`,
      {},
      collectBody(activityXml(`uuid:${randomUUID()}`, version), []),
    );
    expect(sent.statusCode, sent.body).toBe(201);
    const reports = await reportsBy(phone.id);
    expect(reports.map((r) => r.status)).toEqual(['submitted']);

    // The key reaches only /openrosa, never the API.
    const asBearer = await app.inject({
      method: 'GET',
      url: '/api/v1/reports?limit=10',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(asBearer.statusCode).not.toBe(200);
    expect(asBearer.json().code).toBe('auth.invalid_token');
    // The user sees their key (never the secret); another user does not; an administrator sees all.
    const mine = await app.inject({ method: 'GET', url: '/api/v1/openrosa/keys', headers: phone.bearer });
    expect(mine.json().items.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(mine.body).not.toContain(secret);
    const other = await fieldUser();
    const theirs = await app.inject({ method: 'GET', url: '/api/v1/openrosa/keys', headers: other.bearer });
    expect(theirs.json().items).toEqual([]);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/openrosa/keys?all=true', headers: other.bearer }))
        .statusCode,
    ).toBe(403);
    const all = await app.inject({ method: 'GET', url: '/api/v1/openrosa/keys?all=true', headers: admin });
    expect(all.json().items.map((k: { id: string }) => k.id)).toContain(key.id);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/openrosa/keys/${key.id}`, headers: other.bearer }))
        .statusCode,
    ).toBe(404);

    // Revoked by an administrator: the phone is refused at once, with a message it shows.
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/openrosa/keys/${key.id}`, headers: admin }))
        .statusCode,
    ).toBe(204);
    const refused = await app.inject({
      method: 'GET',
      url: `${prefix}/formList`,
      headers: recorded.formList!.headers,
    });
    expect(refused.statusCode).toBe(403);
    expect(problemCode(refused.body)).toBe('openrosa.key_invalid');
    const wrong = await app.inject({ method: 'GET', url: `/openrosa/key/${'x'.repeat(43)}/formList` });
    expect(wrong.statusCode).toBe(403);
  });

  it('signs a phone in over HTTP Digest (MD5, qop=auth) once the password has been used, with stale nonces renewed', async () => {
    const phone = await fieldUser();
    const first = await app.inject({
      method: 'GET',
      url: '/openrosa/formList',
      headers: recorded.formList!.headers,
    });
    expect(first.statusCode).toBe(401);
    const challenges = ([] as string[]).concat(first.headers['www-authenticate'] as string | string[]);
    expect(challenges[0]).toMatch(/^Digest realm="Safeground", qop="auth", algorithm=MD5, nonce="[^"]+"/);
    expect(challenges[1]).toMatch(/^Basic realm="Safeground"/);

    const uri = '/openrosa/formList';
    const ok = await app.inject({
      method: 'GET',
      url: uri,
      headers: {
        ...recorded.formList!.headers,
        authorization: digestAuthorization(challenges[0]!, phone.email, PASSWORD, 'GET', uri),
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.body).toContain('safeground_activity');

    const bad = await app.inject({
      method: 'GET',
      url: uri,
      headers: {
        authorization: digestAuthorization(challenges[0]!, phone.email, 'not-the-password', 'GET', uri),
      },
    });
    expect(bad.statusCode).toBe(401);
    expect(problemCode(bad.body)).toBe('auth.invalid_credentials');
    // Signed for another URI: refused.
    const moved = await app.inject({
      method: 'GET',
      url: uri,
      headers: {
        authorization: digestAuthorization(challenges[0]!, phone.email, PASSWORD, 'GET', '/openrosa/forms/x'),
      },
    });
    expect(moved.statusCode).toBe(401);

    // A nonce made (with the server's secret) long ago: stale=true, and the renewed one works.
    const { createHmac } = await import('node:crypto');
    const old = new DigestNonces(createHmac('sha256', SECRET).update('openrosa-digest-nonce').digest()).make(
      Date.now() - 3600_000,
    );
    const stale = await app.inject({
      method: 'GET',
      url: uri,
      headers: {
        authorization: digestAuthorization(
          `Digest realm="Safeground", nonce="${old}"`,
          phone.email,
          PASSWORD,
          'GET',
          uri,
        ),
      },
    });
    expect(stale.statusCode).toBe(401);
    const renewed = ([] as string[]).concat(stale.headers['www-authenticate'] as string | string[])[0]!;
    expect(renewed).toContain('stale=true');
    const again = await app.inject({
      method: 'GET',
      url: uri,
      headers: { authorization: digestAuthorization(renewed, phone.email, PASSWORD, 'GET', uri) },
    });
    expect(again.statusCode, again.body).toBe(200);

    // A user who never signed in since Digest was turned on has no HA1 yet: refused.
    const email = `${unique('never')}@test.safeground.org`;
    await createUser(await testDatabase(), {
      email,
      password: PASSWORD,
      role: 'operator_data_entry',
      organisationId: orgId,
    });
    const none = await app.inject({
      method: 'GET',
      url: uri,
      headers: { authorization: digestAuthorization(challenges[0]!, email, PASSWORD, 'GET', uri) },
    });
    expect(none.statusCode).toBe(401);
  });

  it('leaves no report, attachment or stored file for a truncated, malformed, unknown or refused submission', async () => {
    const phone = await fieldUser();
    const basic = { authorization: `Basic ${Buffer.from(`${phone.email}:${PASSWORD}`).toString('base64')}` };
    const { version } = await activityVersion('/openrosa', basic);
    const random = mulberry32(7);
    const before = filesUnder(attachmentsDir);
    const cases: Array<[string, { payload: Buffer; headers: Record<string, string> }, string]> = [];
    const whole = collectBody(activityXml(`uuid:${randomUUID()}`, version), [photo(random), photo(random)]);
    for (const cut of [whole.payload.length - 10, Math.floor(whole.payload.length * 0.75), 400])
      cases.push([
        `cut at ${cut}`,
        { ...whole, payload: whole.payload.subarray(0, cut) },
        'request.multipart',
      ]);
    cases.push([
      'bad XML',
      collectBody('<data id="safeground_activity"><report>', [photo(random)]),
      'openrosa.submission_invalid',
    ]);
    cases.push([
      'unknown form',
      collectBody(readFileSync(new URL('debris/unknown-form.xml', fixtures), 'utf8'), [photo(random)]),
      'openrosa.form_unknown',
    ]);
    cases.push([
      'unknown hazard',
      collectBody(activityXml(`uuid:${randomUUID()}`, version, 'HA-999999'), [photo(random)]),
      'openrosa.hazard_not_found',
    ]);
    cases.push([
      'value refused',
      collectBody(
        activityXml(`uuid:${randomUUID()}`, version).replace(
          '<startDate>2026-11-20</startDate>',
          '<startDate>20/11/2026</startDate>',
        ),
        [photo(random)],
      ),
      'validation.format',
    ]);
    for (const [name, body, code] of cases) {
      const r = await post('/openrosa/submission', basic, body);
      expect(r.statusCode, `${name}: ${r.body}`).toBeGreaterThanOrEqual(400);
      expect(problemCode(r.body), name).toBe(code);
      expect(filesUnder(attachmentsDir), name).toEqual(before);
    }
    expect(await reportsBy(phone.id)).toEqual([]);
  });

  it('makes nothing twice from 20 submissions sent with random cuts, duplicates and split parts (seeded)', async () => {
    const phone = await fieldUser();
    const basic = { authorization: `Basic ${Buffer.from(`${phone.email}:${PASSWORD}`).toString('base64')}` };
    const { version } = await activityVersion('/openrosa', basic);
    const random = mulberry32(20261206);
    const before = new Set(filesUnder(attachmentsDir));
    const expected = new Map<string, Set<string>>();
    const contents = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const instanceId = `uuid:${randomUUID()}`;
      const xml = activityXml(instanceId, version);
      const photos = Array.from({ length: 1 + Math.floor(random() * 3) }, () => photo(random));
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expected.set(instanceId, new Set(photos.map((p) => `${p.name}:${sha(p.content)}`)));
      for (const p of photos) contents.add(sha(p.content));
      const split = photos.length > 1 && random() < 0.3;
      const posts = split
        ? [collectBody(xml, photos.slice(0, 1), true), collectBody(xml, photos.slice(1))]
        : [collectBody(xml, photos)];
      for (const body of posts) {
        // Cut in the middle first (a network lost mid-upload), sometimes twice; then sent whole.
        while (random() < 0.5) {
          const cut = 1 + Math.floor(random() * (body.payload.length - 2));
          const r = await post('/openrosa/submission', basic, {
            ...body,
            payload: body.payload.subarray(0, cut),
          });
          expect(r.statusCode, r.body).toBe(400);
        }
        const r = await post('/openrosa/submission', basic, body);
        expect([201, 202], r.body).toContain(r.statusCode);
        // The phone did not hear the answer and sends the same again.
        if (random() < 0.4) expect((await post('/openrosa/submission', basic, body)).statusCode).toBe(202);
      }
    }
    const reports = await reportsBy(phone.id);
    expect(reports).toHaveLength(20);
    const got = new Map<string, Set<string>>();
    for (const r of reports) {
      const photos = await photosOf(r.id);
      expect(new Set(photos.map((p) => `${p.filename}:${p.sha256}`)).size).toBe(photos.length);
      got.set(r.id, new Set(photos.map((p) => `${p.filename}:${p.sha256}`)));
    }
    expect([...got.values()].map((s) => [...s].sort().join()).sort()).toEqual(
      [...expected.values()].map((s) => [...s].sort().join()).sort(),
    );
    // One stored file (named by its hash) per distinct content; nothing left of the cut uploads.
    expect(
      filesUnder(attachmentsDir)
        .filter((f) => !before.has(f))
        .map((f) => basename(f))
        .sort(),
    ).toEqual([...contents].sort());
  });
});
