import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testApp, testDatabase, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let viewer: Record<string, string>;
let operatorA: Record<string, string>;
let operatorA2: Record<string, string>;
let orgA: string;

// A region of its own, far from other test data: 0.1° × 0.1° with an admin area over its west half.
const W = 70.0;
const S = -20.0;
const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});
const square = (lon: number, lat: number, d = 0.001) => box(lon - d, lat - d, lon + d, lat + d);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function hazard(name: string, lon: number, lat: number) {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: square(lon, lat),
    properties: { type: 'CHA', deviceCategories: ['AP'], name },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

// Today, as the office's direct writes are dated: a field report of the same day follows them.
const today = new Date().toISOString().slice(0, 10);

function statusDraft(hazardId: string, status: string, clientId?: string, baseVersion?: number) {
  return {
    kind: 'hazard_status_change',
    dateOfInformation: today,
    reason: 'survey in the field',
    ...(clientId ? { clientId } : {}),
    payload: {
      changes: [
        {
          op: 'update',
          register: 'hazards',
          id: hazardId,
          ...(baseVersion !== undefined ? { baseVersion } : {}),
          record: { type: 'Feature', properties: { status } },
        },
      ],
    },
  };
}

async function patchChunk(who: Record<string, string>, id: string, offset: number, chunk: Buffer) {
  const app = await testApp();
  return app.inject({
    method: 'PATCH',
    url: `/api/v1/uploads/${id}`,
    headers: { ...who, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    payload: chunk,
  });
}

beforeAll(async () => {
  admin = await login('admin');
  approver = await login('approver');
  viewer = await login('viewer');
  const a = await call('POST', '/api/v1/organisations', admin, { name: unique('Sync A '), kind: 'ngo' });
  orgA = a.json().id;
  operatorA = await login('operator_data_entry', { organisationId: orgA, name: 'syncA' });
  operatorA2 = await login('operator_data_entry', { organisationId: orgA, name: 'syncA2' });
});

describe(`field sync on ${testDatabaseKind()}`, () => {
  it('makes one report per clientId, however often and however concurrently it is posted', async () => {
    const h = await hazard(unique('Idem '), W + 0.09, S + 0.09);
    const clientId = randomUUID();
    const first = await call(
      'POST',
      '/api/v1/reports',
      operatorA,
      statusDraft(h.id, 'in_progress', clientId),
    );
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replay']).toBeUndefined();
    expect(first.json().clientId).toBe(clientId);

    const again = await call(
      'POST',
      '/api/v1/reports',
      operatorA,
      statusDraft(h.id, 'in_progress', clientId),
    );
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.json().id).toBe(first.json().id);

    // Racing retries of another draft: still one report.
    const racing = randomUUID();
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        call('POST', '/api/v1/reports', operatorA, statusDraft(h.id, 'in_progress', racing)),
      ),
    );
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
    const db = await testDatabase();
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from reports
      where client_id in (${clientId}, ${racing})`.execute(db.db);
    expect(rows[0]!.n).toBe(2);

    // The clientId is the author's: another user with the same id makes a report of their own.
    const other = await call(
      'POST',
      '/api/v1/reports',
      operatorA2,
      statusDraft(h.id, 'in_progress', clientId),
    );
    expect(other.statusCode, other.body).toBe(201);
    expect(other.json().id).not.toBe(first.json().id);

    // Found by clientId, by its author only.
    const found = await call('GET', `/api/v1/reports?clientId=${clientId}`, operatorA);
    expect(found.json().items.map((r: { id: string }) => r.id)).toEqual([first.json().id]);
    const byOther = await call('GET', `/api/v1/reports?clientId=${clientId}`, operatorA2);
    expect(byOther.json().items.map((r: { id: string }) => r.id)).toEqual([other.json().id]);

    // Submitting twice answers the submitted report both times, with one submit in the audit log.
    const s1 = await call('POST', `/api/v1/reports/${first.json().id}/submit`, operatorA);
    expect(s1.statusCode, s1.body).toBe(200);
    const s2 = await call('POST', `/api/v1/reports/${first.json().id}/submit`, operatorA);
    expect(s2.statusCode, s2.body).toBe(200);
    expect(s2.json()).toMatchObject({ id: first.json().id, status: 'submitted', version: s1.json().version });
    const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log
      where action = 'report.submit' and record_id = ${first.json().id}`.execute(db.db);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('takes a file in chunks, resumes at the offset it holds, checks the hash and attaches it once', async () => {
    const h = await hazard(unique('Upload '), W + 0.08, S + 0.09);
    const draft = await call(
      'POST',
      '/api/v1/reports',
      operatorA,
      statusDraft(h.id, 'in_progress', randomUUID()),
    );
    const reportId = draft.json().id as string;
    const content = Buffer.concat([
      Buffer.from('89504e470d0a1a0a', 'hex'),
      Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251)),
    ]);
    const clientId = randomUUID();
    const declare = {
      clientId,
      fileName: 'marking.png',
      contentType: 'image/png',
      size: content.length,
      sha256: sha(content),
    };
    const begun = await call('POST', '/api/v1/uploads', operatorA, declare);
    expect(begun.statusCode, begun.body).toBe(201);
    expect(begun.json()).toMatchObject({ offset: 0, complete: false, size: content.length });
    const id = begun.json().id as string;

    expect((await patchChunk(operatorA, id, 0, content.subarray(0, 1000))).headers['upload-offset']).toBe(
      '1000',
    );
    // The connection was cut: the device asks where it stands, by HEAD or by declaring again.
    const app = await testApp();
    const head = await app.inject({ method: 'HEAD', url: `/api/v1/uploads/${id}`, headers: operatorA });
    expect(head.statusCode).toBe(200);
    expect(head.headers['upload-offset']).toBe('1000');
    const redeclared = await call('POST', '/api/v1/uploads', operatorA, declare);
    expect(redeclared.statusCode).toBe(200);
    expect(redeclared.json()).toMatchObject({ id, offset: 1000 });

    // A chunk at the wrong offset is refused with the current one.
    const wrong = await patchChunk(operatorA, id, 500, content.subarray(500, 1500));
    expect(wrong.statusCode, wrong.body).toBe(409);
    expect(wrong.json().code).toBe('upload.offset');
    // Someone else's upload does not exist for them.
    expect((await patchChunk(operatorA2, id, 1000, content.subarray(1000))).statusCode).toBe(404);

    const second = await patchChunk(operatorA, id, 1000, content.subarray(1000, 2000));
    expect(second.statusCode, second.body).toBe(204);
    // Not complete yet: it cannot be attached.
    const early = await call('POST', `/api/v1/reports/${reportId}/attachments`, operatorA, { uploadId: id });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json().code).toBe('upload.incomplete');
    const last = await patchChunk(operatorA, id, 2000, content.subarray(2000));
    expect(last.statusCode, last.body).toBe(204);
    expect(last.headers['upload-offset']).toBe(String(content.length));
    expect(last.headers['upload-complete']).toBe('true');

    const attached = await call('POST', `/api/v1/reports/${reportId}/attachments`, operatorA, {
      uploadId: id,
    });
    expect(attached.statusCode, attached.body).toBe(201);
    expect(attached.json()).toMatchObject({
      filename: 'marking.png',
      sizeBytes: content.length,
      sha256: sha(content),
    });
    const replay = await call('POST', `/api/v1/reports/${reportId}/attachments`, operatorA, { uploadId: id });
    expect(replay.statusCode, replay.body).toBe(200);
    expect(replay.json().id).toBe(attached.json().id);
    const list = await call('GET', `/api/v1/reports/${reportId}/attachments`, operatorA);
    expect(list.json().items).toHaveLength(1);
    const got = await call(
      'GET',
      `/api/v1/reports/${reportId}/attachments/${attached.json().id}/content`,
      operatorA,
    );
    expect(got.rawPayload.equals(content)).toBe(true);
  });

  it('refuses a file whose bytes do not have the declared SHA-256 and starts it over', async () => {
    const content = Buffer.from('a photo of a marker post');
    const begun = await call('POST', '/api/v1/uploads', operatorA, {
      clientId: randomUUID(),
      fileName: 'post.jpg',
      contentType: 'image/jpeg',
      size: content.length,
      sha256: sha(Buffer.from('something else entirely!')),
    });
    const id = begun.json().id as string;
    const r = await patchChunk(operatorA, id, 0, content);
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().code).toBe('upload.hash');
    expect((await call('GET', `/api/v1/uploads/${id}`, operatorA)).json()).toMatchObject({
      offset: 0,
      complete: false,
    });
    // Stale incomplete uploads go after their days.
    const db = await testDatabase();
    await sql`update uploads set updated_at = now() - interval '30 days' where id = ${id}`.execute(db.db);
    const app = await testApp();
    expect(await app.services.uploads.cleanStale(true)).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/api/v1/uploads/${id}`, operatorA)).statusCode).toBe(404);
  });

  it("registers devices, records their syncs, lists them and refuses a revoked one's requests", async () => {
    const id = randomUUID();
    const device = {
      id,
      label: 'Team 3 tablet',
      appVersion: '1.4.0',
      area: { bbox: [W, S, W + 0.1, S + 0.1] },
    };
    const reg = await call('POST', '/api/v1/devices', operatorA, device);
    expect(reg.statusCode, reg.body).toBe(201);
    const again = await call('POST', '/api/v1/devices', operatorA, { ...device, label: 'Team 3 tablet (B)' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().label).toBe('Team 3 tablet (B)');
    // Another user cannot take the device over.
    expect((await call('POST', '/api/v1/devices', operatorA2, device)).statusCode).toBe(409);
    const bad = await call('POST', '/api/v1/devices', operatorA, { ...device, area: { bbox: [1, 2] } });
    expect(bad.statusCode).toBe(400);

    const status = await call('PUT', `/api/v1/devices/${id}/status`, operatorA, {
      appVersion: '1.4.1',
      pending: 3,
      sent: 12,
      refused: 1,
    });
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json()).toMatchObject({ appVersion: '1.4.1', pending: 3, sent: 12, refused: 1 });
    expect(status.json().lastSyncAt).not.toBeNull();

    const mine = await call('GET', '/api/v1/devices', operatorA);
    expect(mine.json().items.map((d: { id: string }) => d.id)).toEqual([id]);
    expect((await call('GET', '/api/v1/devices', operatorA2)).json().items).toEqual([]);
    const all = await call('GET', '/api/v1/devices', admin);
    const listed = all.json().items.find((d: { id: string }) => d.id === id);
    expect(listed).toMatchObject({
      pending: 3,
      appVersion: '1.4.1',
      userEmail: expect.stringMatching(/^synca/i),
    });

    expect((await call('POST', `/api/v1/devices/${id}/revoke`, operatorA)).statusCode).toBe(403);
    const revoked = await call('POST', `/api/v1/devices/${id}/revoke`, admin);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();

    // Every request naming the device is refused, signed in or not; without the header the user is not.
    const refused = await call('GET', '/api/v1/reports', { ...operatorA, 'x-safeground-device': id });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('device.revoked');
    expect((await call('GET', '/api/v1/health', { 'x-safeground-device': id })).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/reports', operatorA)).statusCode).toBe(200);
    expect(
      (await call('GET', '/api/v1/reports', { ...operatorA, 'x-safeground-device': randomUUID() }))
        .statusCode,
    ).toBe(200);

    const db = await testDatabase();
    const audit = await sql<{ action: string }>`select action from audit_log
      where entity = 'device' and record_id = ${id} order by seq`.execute(db.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['device.register', 'device.revoke']);
  });

  it('sends the area, page by page, and then only what changed: upserts, archived and moved-out records removed', async () => {
    const areaRes = await call('POST', '/api/v1/admin-areas', admin, {
      type: 'Feature',
      geometry: { type: 'MultiPolygon', coordinates: [box(W, S, W + 0.05, S + 0.05).coordinates] },
      properties: { pcode: unique('SY'), name: unique('Sync district '), level: 2, parentId: null },
    });
    expect(areaRes.statusCode, areaRes.body).toBe(201);
    const adminAreaId = areaRes.json().id as string;
    const inside: Array<{ id: string; properties: { version: number } }> = [];
    for (let i = 0; i < 5; i++) inside.push(await hazard(unique('In '), W + 0.005 + i * 0.005, S + 0.01));
    const outside = await hazard(unique('Out '), W + 0.07, S + 0.07);

    // Everything in the area, two hazards a page.
    const all: Array<{ id: string; properties: Record<string, unknown> }> = [];
    let since: string | undefined;
    let cursor = '';
    let pages = 0;
    for (;;) {
      const r = await call(
        'GET',
        `/api/v1/sync/area?adminAreaId=${adminAreaId}&limit=2${since ? `&since=${since}` : ''}`,
        viewer,
      );
      expect(r.statusCode, r.body).toBe(200);
      const page = r.json();
      expect(Object.keys(page.registers)).toEqual([
        'hazards',
        'land-release',
        'findings',
        'minefield-records',
        'settlements',
        'accidents',
      ]);
      all.push(...page.registers.hazards.upserts);
      pages++;
      if (!page.next) {
        cursor = page.cursor;
        break;
      }
      since = page.next;
    }
    expect(pages).toBe(3);
    expect(all.map((f) => f.id).sort()).toEqual(inside.map((h) => h.id).sort());
    expect(all.some((f) => f.id === outside.id)).toBe(false);

    // Nothing changed: nothing new (the margin may resend the fresh records; never the outside one).
    const quiet = (
      await call('GET', `/api/v1/sync/area?adminAreaId=${adminAreaId}&since=${cursor}`, viewer)
    ).json();
    expect(quiet.registers.hazards.upserts.some((f: { id: string }) => f.id === outside.id)).toBe(false);

    // One renamed, one archived, one moved out of the area, one new.
    const rename = await call(
      'PATCH',
      `/api/v1/hazards/${inside[0].id}`,
      { ...admin, 'if-match': `"${inside[0].properties.version}"` },
      { type: 'Feature', properties: { name: 'Renamed in the office' } },
    );
    expect(rename.statusCode, rename.body).toBe(200);
    const archive = await call('DELETE', `/api/v1/hazards/${inside[1].id}`, {
      ...admin,
      'if-match': `"${inside[1].properties.version}"`,
    });
    expect(archive.statusCode, archive.body).toBeLessThan(300);
    const move = await call(
      'PATCH',
      `/api/v1/hazards/${inside[2].id}`,
      { ...admin, 'if-match': `"${inside[2].properties.version}"` },
      { type: 'Feature', geometry: square(W + 0.08, S + 0.08) },
    );
    expect(move.statusCode, move.body).toBe(200);
    const added = await hazard(unique('New '), W + 0.03, S + 0.03);

    const changed = (
      await call('GET', `/api/v1/sync/area?adminAreaId=${adminAreaId}&since=${cursor}`, viewer)
    ).json();
    const upserts = changed.registers.hazards.upserts as Array<{ id: string; properties: { name: string } }>;
    expect(upserts.find((f) => f.id === inside[0].id)?.properties.name).toBe('Renamed in the office');
    expect(upserts.some((f) => f.id === added.id)).toBe(true);
    expect(upserts.some((f) => f.id === inside[1].id || f.id === inside[2].id)).toBe(false);
    expect(changed.registers.hazards.removed).toEqual(expect.arrayContaining([inside[1].id, inside[2].id]));
    expect(changed.next).toBeUndefined();

    // A box works the same; bad areas and cursors are problems.
    const byBox = await call('GET', `/api/v1/sync/area?bbox=${W},${S},${W + 0.05},${S + 0.05}`, viewer);
    expect(byBox.json().registers.hazards.upserts.map((f: { id: string }) => f.id)).toContain(added.id);
    expect((await call('GET', '/api/v1/sync/area', viewer)).json().code).toBe('sync.area');
    expect((await call('GET', `/api/v1/sync/area?bbox=1,2,3,4&since=nonsense`, viewer)).json().code).toBe(
      'sync.cursor',
    );
    expect((await call('GET', `/api/v1/sync/area?bbox=1,2,3,4`, {})).statusCode).toBe(401);
  });

  it('never sends casualties and sends minefield records without their content', async () => {
    const r = await call('GET', `/api/v1/sync/area?bbox=-180,-90,180,90&limit=5000`, viewer);
    expect(r.statusCode, r.body).toBe(200);
    const page = r.json();
    expect(page.registers.casualties).toBeUndefined();
    for (const f of page.registers['minefield-records'].upserts) expect(f.properties.record).toBeUndefined();
    expect(JSON.stringify(page)).not.toContain('"identity"');
  });

  it('accepts a report written against an older version and shows the approver the conflict', async () => {
    const h = await hazard(unique('Conflict '), W + 0.06, S + 0.09);
    expect(h.properties.version).toBe(1);
    const draft = await call(
      'POST',
      '/api/v1/reports',
      operatorA,
      statusDraft(h.id, 'in_progress', randomUUID(), 1),
    );
    expect(draft.statusCode, draft.body).toBe(201);
    const reportId = draft.json().id as string;
    // Meanwhile the office renamed the hazard.
    const moved = await call(
      'PATCH',
      `/api/v1/hazards/${h.id}`,
      { ...admin, 'if-match': '"1"' },
      { type: 'Feature', properties: { name: 'Renamed meanwhile' } },
    );
    expect(moved.statusCode, moved.body).toBe(200);
    const sub = await call('POST', `/api/v1/reports/${reportId}/submit`, operatorA);
    expect(sub.statusCode, sub.body).toBe(200);

    const warnings = (await call('GET', `/api/v1/reports/${reportId}/warnings`, approver)).json().items;
    const conflict = warnings.find((w: { code: string }) => w.code === 'report.conflict');
    expect(conflict).toMatchObject({
      change: 0,
      other: { id: h.id, code: h.properties.code },
      params: { register: 'hazards', record: h.properties.code, baseVersion: 1, currentVersion: 2 },
    });
    const check = (await call('POST', `/api/v1/reports/${reportId}/check`, approver)).json();
    expect(check.warnings.map((w: { code: string }) => w.code)).toContain('report.conflict');

    // Not merged silently: approval waits for the approver to confirm the conflict.
    const blind = await call('POST', `/api/v1/reports/${reportId}/approve`, approver, {});
    expect(blind.statusCode, blind.body).toBe(409);
    expect(blind.json().code).toBe('report.warnings_unconfirmed');
    const stillRenamed = (await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json();
    expect(stillRenamed.properties).toMatchObject({ version: 2, status: 'open' });
    const ok = await call('POST', `/api/v1/reports/${reportId}/approve`, approver, {
      confirmWarnings: warnings.map((w: { id: string }) => w.id),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = (await call('GET', `/api/v1/hazards/${h.id}`, viewer)).json();
    expect(after.properties).toMatchObject({ name: 'Renamed meanwhile', status: 'in_progress' });

    // A draft based on the current version raises no conflict.
    const fresh = await call(
      'POST',
      '/api/v1/reports',
      operatorA,
      statusDraft(h.id, 'open', randomUUID(), after.properties.version),
    );
    const freshWarnings = (await call('GET', `/api/v1/reports/${fresh.json().id}/warnings`, approver)).json()
      .items;
    expect(freshWarnings.map((w: { code: string }) => w.code)).not.toContain('report.conflict');
  });
});
