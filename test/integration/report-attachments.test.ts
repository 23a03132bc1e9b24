import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testApp, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let viewer: Record<string, string>;
let operatorA: Record<string, string>;
let operatorB: Record<string, string>;
let orgA: string;

const W = 47.35;
const S = 39.6;
const DLON = 0.0011731;
const DLAT = 0.0009006;
const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [W + x0 * DLON, S + y0 * DLAT],
      [W + x1 * DLON, S + y0 * DLAT],
      [W + x1 * DLON, S + y1 * DLAT],
      [W + x0 * DLON, S + y1 * DLAT],
      [W + x0 * DLON, S + y0 * DLAT],
    ],
  ],
});

// The eight-byte PNG signature and an IHDR chunk: enough for a file that says it is a picture.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const PDF = Buffer.from('%PDF-1.4\n% a clearance certificate\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Uploads one file as multipart/form-data, as the browser's form does. */
async function upload(
  reportId: string,
  who: Record<string, string>,
  file: { name: string; type: string; content: Buffer },
) {
  const boundary = `----sg${randomUUID()}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const app = await testApp();
  return app.inject({
    method: 'POST',
    url: `/api/v1/reports/${reportId}/attachments`,
    headers: { ...who, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
}

async function hazard(offset: number) {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: rect(offset, 0, offset + 1, 1),
    properties: { type: 'CHA', deviceCategories: ['AP'], name: unique('Attachment field ') },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

/** A clearance report: the activity, a released polygon and a finding inside the hazard. */
async function draft(hazardId: string, offset: number) {
  const date = '2025-08-01';
  const r = await call('POST', '/api/v1/reports', operatorA, {
    kind: 'activity',
    dateOfInformation: date,
    payload: {
      changes: [
        {
          op: 'create',
          register: 'activities',
          ref: 'act',
          record: {
            type: 'Feature',
            geometry: null,
            properties: {
              kind: 'clearance',
              organisationId: orgA,
              hazardId,
              method: 'manual',
              startDate: date,
            },
          },
        },
        {
          op: 'create',
          register: 'land-release',
          record: {
            type: 'Feature',
            geometry: rect(offset, 0, offset + 1, 0.5),
            properties: { outcome: 'cleared', hazardId, activityId: '@ref:act', releasedOn: date },
          },
        },
        {
          op: 'create',
          register: 'findings',
          record: {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [W + (offset + 0.5) * DLON, S + 0.25 * DLAT] },
            properties: { category: 'AP', quantity: 1, foundOn: date, hazardId, activityId: '@ref:act' },
          },
        },
      ],
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

beforeAll(async () => {
  admin = await login('admin');
  const a = await call('POST', '/api/v1/organisations', admin, { name: unique('Attach A '), kind: 'ngo' });
  const b = await call('POST', '/api/v1/organisations', admin, { name: unique('Attach B '), kind: 'ngo' });
  orgA = a.json().id;
  approver = await login('approver');
  viewer = await login('viewer');
  operatorA = await login('operator_data_entry', { organisationId: orgA, name: 'attachA' });
  operatorB = await login('operator_data_entry', { organisationId: b.json().id, name: 'attachB' });
});

describe(`attachments on reports on ${testDatabaseKind()}`, () => {
  it('keeps photos and documents on a draft with their name, size, type and SHA-256, for its organisation only', async () => {
    const h = await hazard(0);
    const d = await draft(h.id, 0);
    const photo = await upload(d.id, operatorA, { name: 'marking.png', type: 'image/png', content: PNG });
    expect(photo.statusCode, photo.body).toBe(201);
    expect(photo.json()).toMatchObject({
      reportId: d.id,
      filename: 'marking.png',
      mediaType: 'image/png',
      sizeBytes: PNG.length,
      sha256: sha(PNG),
    });
    const doc = await upload(d.id, operatorA, {
      name: 'certificate.pdf',
      type: 'application/pdf',
      content: PDF,
    });
    expect(doc.statusCode, doc.body).toBe(201);

    const list = await call('GET', `/api/v1/reports/${d.id}/attachments`, operatorA);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((a: { filename: string }) => a.filename)).toEqual([
      'marking.png',
      'certificate.pdf',
    ]);
    const content = await call(
      'GET',
      `/api/v1/reports/${d.id}/attachments/${doc.json().id}/content`,
      operatorA,
    );
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toContain('application/pdf');
    expect(content.rawPayload.equals(PDF)).toBe(true);

    // Another organisation and a viewer do not learn that the draft or its files exist.
    for (const who of [operatorB, viewer]) {
      expect((await call('GET', `/api/v1/reports/${d.id}/attachments`, who)).statusCode).toBe(404);
      expect(
        (await call('GET', `/api/v1/reports/${d.id}/attachments/${doc.json().id}/content`, who)).statusCode,
      ).toBe(404);
    }
    expect(
      (await upload(d.id, operatorB, { name: 'x.pdf', type: 'application/pdf', content: PDF })).statusCode,
    ).toBe(404);
    // Nor through the attachments of records.
    const generic = await call('GET', `/api/v1/attachments?recordType=report&recordId=${d.id}`, viewer);
    expect(generic.json().items ?? []).toEqual([]);
    expect((await call('GET', `/api/v1/attachments/${doc.json().id}/content`, viewer)).statusCode).toBe(404);
  });

  it('adds and removes files only while the report may be edited', async () => {
    const h = await hazard(3);
    const d = await draft(h.id, 3);
    const a = (
      await upload(d.id, operatorA, { name: 'wrong.pdf', type: 'application/pdf', content: PDF })
    ).json();
    const removed = await call('DELETE', `/api/v1/reports/${d.id}/attachments/${a.id}`, operatorA);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await call('GET', `/api/v1/reports/${d.id}/attachments`, operatorA)).json().items).toEqual([]);
    expect((await call('DELETE', `/api/v1/reports/${d.id}/attachments/${a.id}`, operatorA)).statusCode).toBe(
      404,
    );

    const kept = (
      await upload(d.id, operatorA, { name: 'site.png', type: 'image/png', content: PNG })
    ).json();
    expect((await call('POST', `/api/v1/reports/${d.id}/submit`, operatorA)).statusCode).toBe(200);
    const late = await upload(d.id, operatorA, { name: 'late.pdf', type: 'application/pdf', content: PDF });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('report.state_conflict');
    expect(
      (await call('DELETE', `/api/v1/reports/${d.id}/attachments/${kept.id}`, operatorA)).statusCode,
    ).toBe(409);
    // The approver reads what was submitted.
    const seen = await call('GET', `/api/v1/reports/${d.id}/attachments`, approver);
    expect(seen.json().items.map((x: { sha256: string }) => x.sha256)).toEqual([sha(PNG)]);

    // Sent back, the report takes files again.
    expect(
      (await call('POST', `/api/v1/reports/${d.id}/reject`, approver, { reason: 'Add the certificate' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await upload(d.id, operatorA, { name: 'certificate.pdf', type: 'application/pdf', content: PDF }))
        .statusCode,
    ).toBe(201);
  });

  it('links the files to every record the approved report created, with an entry in their history', async () => {
    const h = await hazard(6);
    const d = await draft(h.id, 6);
    await upload(d.id, operatorA, { name: 'marking.png', type: 'image/png', content: PNG });
    await upload(d.id, operatorA, { name: 'certificate.pdf', type: 'application/pdf', content: PDF });
    expect((await call('POST', `/api/v1/reports/${d.id}/submit`, operatorA)).statusCode).toBe(200);
    const ok = await call('POST', `/api/v1/reports/${d.id}/approve`, approver, {});
    expect(ok.statusCode, ok.body).toBe(200);
    const applied = ok.json().applied as Array<{ register: string; id: string }>;
    expect(applied.map((a) => a.register)).toEqual(['activities', 'land-release', 'findings']);
    for (const a of applied) {
      const r = await call('GET', `/api/v1/attachments?recordType=${a.register}&recordId=${a.id}`, viewer);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().items.map((x: { filename: string; sha256: string }) => [x.filename, x.sha256])).toEqual(
        [
          ['marking.png', sha(PNG)],
          ['certificate.pdf', sha(PDF)],
        ],
      );
      const file = r.json().items[1];
      const got = await call('GET', `/api/v1/attachments/${file.id}/content`, viewer);
      expect(got.rawPayload.equals(PDF)).toBe(true);
      const history = (await call('GET', `/api/v1/${a.register}/${a.id}/history`, admin)).json()
        .items as Array<{
        action: string;
        reportId?: string | null;
        after: { filename?: string } | null;
      }>;
      expect(history.filter((e) => e.action === 'attach').map((e) => e.after?.filename)).toEqual([
        'marking.png',
        'certificate.pdf',
      ]);
    }
    // The hazard itself was not changed by the report and gets nothing.
    const onHazard = await call('GET', `/api/v1/attachments?recordType=hazards&recordId=${h.id}`, viewer);
    expect(onHazard.json().items).toEqual([]);
    // Once approved, whoever may read the report may read its files.
    expect((await call('GET', `/api/v1/reports/${d.id}/attachments`, viewer)).json().items).toHaveLength(2);
  });
});
