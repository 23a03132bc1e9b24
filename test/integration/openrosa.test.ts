import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/services/auth.ts';
import { login, testApp, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { collectBody, instanceTemplate, recorded } from './helpers/openrosa.ts';

const fixtures = new URL('../fixtures/openrosa/', import.meta.url);
const PHOTO_A = { name: '1765016073591.jpg', content: readFileSync(new URL('1765016073591.jpg', fixtures)) };
const PHOTO_B = { name: '1765016102244.jpg', content: readFileSync(new URL('1765016102244.jpg', fixtures)) };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const PASSWORD = 'Field-phone-2026';
let admin: Record<string, string>;
let approver: Record<string, string>;
let orgId: string;
let hazard: { id: string; code: string };

/** A user of the given role and their Basic credentials, as typed into the phone's settings. */
async function fieldUser(role: 'operator_data_entry' | 'viewer' = 'operator_data_entry') {
  const email = `${unique('phone')}@test.safeground.org`;
  const user = await createUser(await testDatabase(), {
    email,
    password: PASSWORD,
    role,
    organisationId: orgId,
  });
  return {
    id: user.id,
    email,
    basic: { authorization: `Basic ${Buffer.from(`${email}:${PASSWORD}`).toString('base64')}` },
  };
}

/** Replays a recorded request of ODK Collect with the phone's credentials. */
async function replay(
  name: string,
  auth: Record<string, string>,
  over: { url?: string; payload?: Buffer; headers?: Record<string, string> } = {},
) {
  const r = recorded[name]!;
  const app = await testApp();
  return app.inject({
    method: r.method,
    url: over.url ?? r.url,
    headers: { ...r.headers, ...auth, ...over.headers },
    ...(over.payload ? { payload: over.payload } : {}),
  });
}

async function formVersion(auth: Record<string, string>, formId: string) {
  const list = new DOMParser().parseFromString((await replay('formList', auth)).body, 'text/xml');
  const xform = Array.from(list.getElementsByTagName('xform')).find(
    (x) => x.getElementsByTagName('formID')[0]?.textContent === formId,
  )!;
  return xform.getElementsByTagName('version')[0]!.textContent!;
}

function activityXml(instanceId: string, version: string, hazardCode = hazard.code) {
  return instanceTemplate
    .replace('{{instanceId}}', instanceId)
    .replace('{{version}}', version)
    .replace('{{hazardCode}}', hazardCode);
}

function openRosaMessage(body: string) {
  const doc = new DOMParser().parseFromString(body, 'text/xml');
  const root = doc.documentElement!;
  return {
    root: root.localName,
    namespace: root.namespaceURI,
    message: root.getElementsByTagName('message')[0]?.textContent ?? '',
    code: root.getElementsByTagName('problem')[0]?.getAttribute('code') ?? null,
    pointer: root.getElementsByTagName('problem')[0]?.getAttribute('pointer') ?? null,
  };
}

async function reportsBy(userId: string) {
  const r = await call('GET', '/api/v1/reports?limit=500', approver);
  return (
    r.json().items as Array<{ id: string; createdBy: string; kind: string; status: string; code: string }>
  ).filter((x) => x.createdBy === userId);
}

async function photosOf(reportId: string) {
  const r = await call('GET', `/api/v1/reports/${reportId}/attachments`, approver);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as Array<{ filename: string; sha256: string; mediaType: string }>;
}

beforeAll(async () => {
  admin = await login('admin');
  approver = await login('approver');
  orgId = (
    await call('POST', '/api/v1/organisations', admin, { name: unique('Field team '), kind: 'ngo' })
  ).json().id;
  const h = await call('POST', '/api/v1/hazards', admin, {
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
  });
  expect(h.statusCode, h.body).toBe(201);
  hazard = { id: h.json().id, code: h.json().properties.code };
});

describe(`OpenRosa for ODK Collect and KoboCollect on ${testDatabaseKind()}`, () => {
  it('challenges a phone without credentials with HTTP Basic, and refuses a wrong password', async () => {
    for (const name of ['formList', 'submissionHead']) {
      const r = await replay(name, {});
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Basic realm="Safeground"/);
      expect(r.headers['x-openrosa-version']).toBe('1.0');
    }
    const phone = await fieldUser();
    const wrong = await replay('formList', {
      authorization: `Basic ${Buffer.from(`${phone.email}:not-the-password`).toString('base64')}`,
    });
    expect(wrong.statusCode).toBe(401);
    expect(openRosaMessage(wrong.body).code).toBe('auth.invalid_credentials');
  });

  it('lists the forms a data-entry user may submit, with hashes of the forms it serves, and none to a viewer', async () => {
    const phone = await fieldUser();
    const r = await replay('formList', phone.basic);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['x-openrosa-version']).toBe('1.0');
    expect(r.headers['x-openrosa-accept-content-length']).toMatch(/^\d+$/);
    expect(r.headers.date).toBeTruthy();
    expect(r.headers['content-type']).toContain('text/xml');
    const doc = new DOMParser().parseFromString(r.body, 'text/xml');
    expect(doc.documentElement!.namespaceURI).toBe('http://openrosa.org/xforms/xformsList');
    const forms = Array.from(doc.getElementsByTagName('xform')).map((x) => ({
      formID: x.getElementsByTagName('formID')[0]!.textContent!,
      name: x.getElementsByTagName('name')[0]!.textContent!,
      hash: x.getElementsByTagName('hash')[0]!.textContent!,
      downloadUrl: x.getElementsByTagName('downloadUrl')[0]!.textContent!,
    }));
    expect(forms.map((f) => f.formID).sort()).toEqual([
      'safeground_accident',
      'safeground_activity',
      'safeground_hazard_status',
      'safeground_new_hazard',
    ]);
    for (const f of forms) {
      expect(f.downloadUrl).toMatch(/^http:\/\/[^/]+\/openrosa\/forms\/safeground_/);
      const download = await replay('formDownload', phone.basic, { url: new URL(f.downloadUrl).pathname });
      expect(download.statusCode, download.body).toBe(200);
      expect(download.headers['x-openrosa-version']).toBe('1.0');
      expect(`md5:${createHash('md5').update(download.rawPayload).digest('hex')}`).toBe(f.hash);
      expect(download.body).toContain(`<data id="${f.formID}"`);
    }
    // The names follow the language the phone asks for.
    const ru = await replay('formList', phone.basic, { headers: { 'accept-language': 'ru-RU' } });
    expect(ru.body).toContain('Safeground: несчастный случай и пострадавшие');

    const viewer = await fieldUser('viewer');
    const none = await replay('formList', viewer.basic);
    expect(none.statusCode).toBe(200);
    expect(none.body).not.toContain('<xform>');
    expect(
      (await replay('formDownload', viewer.basic, { url: '/openrosa/forms/safeground_activity' })).statusCode,
    ).toBe(404);
  });

  it('answers HEAD of the submission URL with 204 and the OpenRosa headers', async () => {
    const phone = await fieldUser();
    const r = await replay('submissionHead', phone.basic);
    expect(r.statusCode).toBe(204);
    expect(r.headers['x-openrosa-version']).toBe('1.0');
    expect(Number(r.headers['x-openrosa-accept-content-length'])).toBeGreaterThan(1_000_000);
    expect(r.headers.date).toBeTruthy();
  });

  it('makes one submitted report with its photos from a submission, however often it is sent', async () => {
    const phone = await fieldUser();
    const version = await formVersion(phone.basic, 'safeground_activity');
    const xml = activityXml(`uuid:${randomUUID()}`, version);
    const first = await replay('submissionPost', phone.basic, collectBody(xml, [PHOTO_A, PHOTO_B]));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['x-openrosa-version']).toBe('1.0');
    const message = openRosaMessage(first.body);
    expect(message.root).toBe('OpenRosaResponse');
    expect(message.namespace).toBe('http://openrosa.org/http/response');
    expect(message.message).toMatch(/RP-\d+/);

    // The phone did not hear the answer and sends it again, twice.
    for (let i = 0; i < 2; i++) {
      const again = await replay('submissionPost', phone.basic, collectBody(xml, [PHOTO_A, PHOTO_B]));
      expect([201, 202]).toContain(again.statusCode);
    }
    const reports = await reportsBy(phone.id);
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    expect(report).toMatchObject({ kind: 'activity', status: 'submitted' });
    const full = (await call('GET', `/api/v1/reports/${report.id}`, approver)).json();
    expect(full.organisationId).toBe(orgId);
    const changes = full.payload.changes as Array<{
      register: string;
      record: { properties: Record<string, unknown> };
    }>;
    expect(changes.map((c) => c.register)).toEqual(['activities', 'land-release', 'findings', 'findings']);
    expect(changes[0]!.record.properties).toMatchObject({
      kind: 'clearance',
      hazardId: hazard.id,
      organisationId: orgId,
    });
    expect(changes[2]!.record.properties).toMatchObject({
      hazardId: hazard.id,
      activityId: '@ref:activity',
      quantity: 1,
    });
    const photos = await photosOf(report.id);
    expect(photos.map((p) => [p.filename, p.sha256, p.mediaType]).sort()).toEqual(
      [
        [PHOTO_A.name, sha(PHOTO_A.content), 'image/jpeg'],
        [PHOTO_B.name, sha(PHOTO_B.content), 'image/jpeg'],
      ].sort(),
    );

    // The approver approves it as any report; the records it made carry the photos.
    const approved = await call('POST', `/api/v1/reports/${report.id}/approve`, approver, {
      confirmWarnings: [],
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const finding = approved.json().applied.find((a: { register: string }) => a.register === 'findings');
    const files = await call(
      'GET',
      `/api/v1/attachments?recordType=findings&recordId=${finding.id}`,
      approver,
    );
    expect(
      files
        .json()
        .items.map((f: { filename: string }) => f.filename)
        .sort(),
    ).toEqual([PHOTO_A.name, PHOTO_B.name].sort());
  });

  it('puts the photos of a submission split over several POSTs (*isIncomplete*) on one report', async () => {
    const phone = await fieldUser();
    const version = await formVersion(phone.basic, 'safeground_activity');
    const xml = activityXml(`uuid:${randomUUID()}`, version);
    const part1 = await replay('submissionPost', phone.basic, collectBody(xml, [PHOTO_A], true));
    expect(part1.statusCode, part1.body).toBe(201);
    const part2 = await replay('submissionPost', phone.basic, collectBody(xml, [PHOTO_B]));
    expect([201, 202]).toContain(part2.statusCode);
    const reports = await reportsBy(phone.id);
    expect(reports).toHaveLength(1);
    expect((await photosOf(reports[0]!.id)).map((p) => p.filename).sort()).toEqual(
      [PHOTO_A.name, PHOTO_B.name].sort(),
    );
  });

  it('refuses a truncated or malformed body with our problem code and stores nothing', async () => {
    const phone = await fieldUser();
    const version = await formVersion(phone.basic, 'safeground_activity');
    const xml = activityXml(`uuid:${randomUUID()}`, version);
    const whole = collectBody(xml, [PHOTO_A, PHOTO_B]);
    for (const cut of [whole.payload.length - 20, Math.floor(whole.payload.length / 2), 300]) {
      const r = await replay('submissionPost', phone.basic, {
        ...whole,
        payload: whole.payload.subarray(0, cut),
      });
      expect(r.statusCode, r.body).toBe(400);
      expect(openRosaMessage(r.body).code).toBe('request.multipart');
    }
    const notXml = await replay(
      'submissionPost',
      phone.basic,
      collectBody('<data id="safeground_activity"><report>', []),
    );
    expect(notXml.statusCode).toBe(400);
    expect(openRosaMessage(notXml.body).code).toBe('openrosa.submission_invalid');
    const noForm = await replay('submissionPost', phone.basic, {
      ...collectBody(xml, []),
      payload: Buffer.from(`--${recorded.submissionPost!.boundary}--\r\n`),
    });
    expect(noForm.statusCode).toBe(400);
    expect(await reportsBy(phone.id)).toEqual([]);

    // The same instance sent whole afterwards is received as new.
    const after = await replay('submissionPost', phone.basic, whole);
    expect(after.statusCode, after.body).toBe(201);
    expect(await reportsBy(phone.id)).toHaveLength(1);
  });

  it('names the field of a value it cannot take', async () => {
    const phone = await fieldUser();
    const version = await formVersion(phone.basic, 'safeground_activity');
    const badDate = activityXml(`uuid:${randomUUID()}`, version).replace(
      '<startDate>2026-11-20</startDate>',
      '<startDate>20/11/2026</startDate>',
    );
    const r = await replay('submissionPost', phone.basic, collectBody(badDate, []));
    expect(r.statusCode).toBe(400);
    expect(openRosaMessage(r.body)).toMatchObject({
      code: 'validation.format',
      pointer: '/activity/startDate',
    });
    const badEnum = activityXml(`uuid:${randomUUID()}`, version).replace(
      '<condition>armed</condition>',
      '<condition>shiny</condition>',
    );
    const e = await replay('submissionPost', phone.basic, collectBody(badEnum, []));
    expect(e.statusCode).toBe(400);
    expect(openRosaMessage(e.body).pointer).toContain('/condition');
    const unknownHazard = await replay(
      'submissionPost',
      phone.basic,
      collectBody(activityXml(`uuid:${randomUUID()}`, version, 'HA-999999'), []),
    );
    expect(unknownHazard.statusCode).toBe(400);
    expect(openRosaMessage(unknownHazard.body)).toMatchObject({
      code: 'openrosa.hazard_not_found',
      pointer: '/activity/hazardId',
    });
    expect(await reportsBy(phone.id)).toEqual([]);
  });

  it('accepts an API token as the Basic password, and keeps one instance ID to its sender', async () => {
    const phone = await fieldUser();
    const app = await testApp();
    const signedIn = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: phone.email, password: PASSWORD },
    });
    const token = await call(
      'POST',
      '/api/v1/auth/tokens',
      { authorization: `Bearer ${signedIn.json().token}` },
      {
        name: 'Phone 3',
      },
    );
    expect(token.statusCode, token.body).toBe(201);
    const byToken = {
      authorization: `Basic ${Buffer.from(`${phone.email}:${token.json().token}`).toString('base64')}`,
    };
    const version = await formVersion(byToken, 'safeground_activity');
    const instanceId = `uuid:${randomUUID()}`;
    const r = await replay(
      'submissionPost',
      byToken,
      collectBody(activityXml(instanceId, version), [PHOTO_A]),
    );
    expect(r.statusCode, r.body).toBe(201);

    const other = await fieldUser();
    const stolen = await replay(
      'submissionPost',
      other.basic,
      collectBody(activityXml(instanceId, version), [PHOTO_B]),
    );
    expect(stolen.statusCode).toBe(409);
    expect(openRosaMessage(stolen.body).code).toBe('openrosa.instance_conflict');
    expect(await reportsBy(other.id)).toEqual([]);
  });
  it('makes an accident report with its casualties, and a hazard status change with its reason', async () => {
    const phone = await fieldUser();
    const accidentVersion = await formVersion(phone.basic, 'safeground_accident');
    const accident = `<?xml version='1.0' ?><data id="safeground_accident" version="${accidentVersion}"><report><dateOfInformation>2026-12-04</dateOfInformation></report><accident><geometry>39.6003 47.3507 0 6</geometry><occurredOn>2026-12-03</occurredOn><datePrecision>day</datePrecision><pointPrecision>within_100m</pointPrecision><deviceCategory>AP</deviceCategory><ordnanceId /><demining>no</demining><hazardId>${hazard.code.toLowerCase()}</hazardId><description>Shepherd stepped on a mine</description></accident><casualty><sex>male</sex><age>34</age><casualtyStatus>civilian</casualtyStatus><outcome>injured</outcome><activityAtTime>herding</activityAtTime><tamperedWithDevice>no</tamperedWithDevice><displacementStatus>returnee</displacementStatus><referral /></casualty><casualty><sex>female</sex><age /><casualtyStatus>civilian</casualtyStatus><outcome>injured</outcome><activityAtTime>herding</activityAtTime><tamperedWithDevice>unknown</tamperedWithDevice><displacementStatus>unknown</displacementStatus><referral /></casualty><meta><instanceID>uuid:${randomUUID()}</instanceID></meta></data>`;
    const a = await replay('submissionPost', phone.basic, collectBody(accident, []));
    expect(a.statusCode, a.body).toBe(201);

    const statusVersion = await formVersion(phone.basic, 'safeground_hazard_status');
    const status = (reason: string) =>
      `<?xml version='1.0' ?><data id="safeground_hazard_status" version="${statusVersion}"><report><dateOfInformation>2026-12-05</dateOfInformation><reason>${reason}</reason></report><hazard><id>${hazard.code}</id><status>in_progress</status></hazard><photos><photo /></photos><meta><instanceID>uuid:${randomUUID()}</instanceID></meta></data>`;
    const noReason = await replay('submissionPost', phone.basic, collectBody(status(''), []));
    expect(noReason.statusCode).toBe(400);
    expect(openRosaMessage(noReason.body).code).toBe('report.reason_required');
    const s = await replay(
      'submissionPost',
      phone.basic,
      collectBody(status('Clearance started on 5 December'), []),
    );
    expect(s.statusCode, s.body).toBe(201);

    const reports = await reportsBy(phone.id);
    expect(reports.map((r) => r.kind).sort()).toEqual(['accident', 'hazard_status_change']);
    const byKind = Object.fromEntries(
      await Promise.all(
        reports.map(async (r) => [r.kind, (await call('GET', `/api/v1/reports/${r.id}`, approver)).json()]),
      ),
    );
    const accidentChanges = byKind.accident.payload.changes;
    expect(accidentChanges.map((c: { register: string }) => c.register)).toEqual([
      'accidents',
      'casualties',
      'casualties',
    ]);
    expect(accidentChanges[0].record.properties.hazardId).toBe(hazard.id);
    expect(accidentChanges[1].record).toMatchObject({ accidentId: '@ref:accident', sex: 'male', age: 34 });
    expect(byKind.hazard_status_change.payload.changes).toEqual([
      { op: 'update', register: 'hazards', id: hazard.id, record: { properties: { status: 'in_progress' } } },
    ]);
    expect(byKind.hazard_status_change.reason).toBe('Clearance started on 5 December');
  });
});
