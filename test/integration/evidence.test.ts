import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { SYSTEM_ACTOR } from '../../src/services/actor.ts';
import { AttachmentService, verifyAttachments } from '../../src/services/attachments.ts';
import { type PhotoFacts, photo, uploadBody } from '../fixtures/evidence/photos.ts';
import { login, testApp, testDatabaseKind, testDataDir } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';

let app: FastifyInstance;
let admin: Record<string, string>;
let findingId: string;
let hazardId: string;

/** The finding every photo below is attached to: found on 2025-05-20 at 46.9015 E, 39.9015 N. */
const FOUND_AT: [number, number] = [46.9015, 39.9015];

async function upload(
  recordType: string,
  recordId: string,
  file: { filename: string; mediaType: string; bytes: Buffer },
  headers: Record<string, string> = admin,
) {
  const body = uploadBody({ recordType, recordId }, file);
  return app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    payload: body.payload,
    headers: { ...headers, ...body.headers },
  });
}

async function uploadPhoto(facts: PhotoFacts, recordId = findingId, recordType = 'findings') {
  const bytes = await photo(facts);
  const r = await upload(recordType, recordId, { filename: 'photo.jpg', mediaType: 'image/jpeg', bytes });
  expect(r.statusCode, r.body).toBe(201);
  return { bytes, body: r.json() };
}

type Finding = { code: string; status: string; params: Record<string, unknown>; message: string };
const finding = (body: { evidence: { findings: Finding[] } }, prefix: string) =>
  body.evidence.findings.find((f) => f.code.startsWith(prefix));

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
  const hazard = await app.inject({
    method: 'POST',
    url: '/api/v1/hazards',
    headers: admin,
    payload: {
      type: 'Feature',
      geometry: square(46.9, 39.9, 0.01),
      properties: { type: 'CHA', deviceCategories: ['AP'] },
    },
  });
  hazardId = hazard.json().id;
  const f = await app.inject({
    method: 'POST',
    url: '/api/v1/findings',
    headers: admin,
    payload: {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: FOUND_AT },
      properties: { category: 'AP', modelText: 'PMN-2', foundOn: '2025-05-20', hazardId },
    },
  });
  expect(f.statusCode, f.body).toBe(201);
  findingId = f.json().id;
});

describe(`photo evidence on ${testDatabaseKind()}`, () => {
  it('reads a photo near its record in place and time and keeps it byte for byte', async () => {
    const { bytes, body } = await uploadPhoto({
      position: [46.9016, 39.9016],
      horizontalErrorM: 4,
      taken: '2025:05:21 10:00:00',
      offset: '+04:00',
      make: 'Canon',
      model: 'EOS 90D',
      orientation: 6,
    });
    expect(body.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(body.metadata).toMatchObject({
      takenLocal: '2025-05-21T10:00:00',
      takenOffset: '+04:00',
      horizontalErrorM: 4,
      cameraMake: 'Canon',
      cameraModel: 'EOS 90D',
      orientation: 6,
      widthPx: 640,
      heightPx: 480,
    });
    expect(body.metadata.readWith).toMatch(/^exifr \d/);
    expect(body.metadata.position.coordinates[0]).toBeCloseTo(46.9016, 6);
    expect(body.metadata.position.coordinates[1]).toBeCloseTo(39.9016, 6);
    expect(body.evidence.recordDate).toBe('2025-05-20');
    expect(body.evidence.recordDateField).toBe('foundOn');
    // 0.0001° of latitude and of longitude at 39.9° N: about 11.1 m and 8.5 m, 14 m apart.
    expect(body.evidence.distanceM).toBeGreaterThan(13);
    expect(body.evidence.distanceM).toBeLessThan(15);
    expect(body.evidence.days).toBe(1);
    expect(body.evidence.limits).toEqual({ distanceM: 500, days: 7 });
    expect(body.evidence.clockOffset).toEqual({ offset: '+04:00', source: 'file' });
    expect(body.evidence.findings.map((f: Finding) => [f.code, f.status])).toEqual([
      ['evidence.place.within', 'consistent'],
      ['evidence.time.within', 'consistent'],
      ['evidence.clock.stated', 'note'],
      ['evidence.accuracy.stated', 'note'],
    ]);
    expect(finding(body, 'evidence.accuracy')!.message).toBe(
      'The receiver stated a horizontal error of 4 m.',
    );

    const content = await app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${body.id}/content`,
      headers: admin,
    });
    expect(content.rawPayload.equals(bytes)).toBe(true);

    const thumb = await app.inject({ method: 'GET', url: body.thumbnailUrl, headers: admin });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    const size = await sharp(thumb.rawPayload).metadata();
    // Orientation 6 (turn 90° clockwise): the 640 × 480 frame stands upright, 320 high.
    expect([size.width, size.height]).toEqual([240, 320]);
  });

  it('says how far a photo taken far from its record is, and the clock offset from the GPS time', async () => {
    const { body } = await uploadPhoto({
      position: [46.95, 39.95],
      dop: 2.5,
      taken: '2025:05:20 08:30:00',
      gpsTime: ['2025:05:20', [4, 30, 5]],
    });
    expect(body.evidence.distanceM).toBeGreaterThan(6500);
    expect(body.evidence.distanceM).toBeLessThan(7000);
    expect(body.evidence.days).toBe(0);
    expect(body.evidence.clockOffset).toEqual({ offset: '+04:00', source: 'gps' });
    expect(body.evidence.findings.map((f: Finding) => [f.code, f.status])).toEqual([
      ['evidence.place.beyond', 'inconsistent'],
      ['evidence.time.within', 'consistent'],
      ['evidence.clock.from_gps', 'note'],
      ['evidence.accuracy.dop_only', 'note'],
    ]);
  });

  it('says plainly what a photo without position or time zone does not tell', async () => {
    const late = (await uploadPhoto({ taken: '2025:06:15 12:00:00' })).body;
    expect(late.metadata.position).toBeNull();
    expect(late.evidence.distanceM).toBeNull();
    expect(late.evidence.days).toBe(26);
    expect(late.evidence.findings.map((f: Finding) => [f.code, f.status])).toEqual([
      ['evidence.place.no_position', 'undetermined'],
      ['evidence.time.after', 'inconsistent'],
      ['evidence.clock.no_zone', 'note'],
    ]);
    expect(finding(late, 'evidence.place')!.message).toBe(
      'No position in the file: where the photo was taken cannot be compared with the record.',
    );
    expect(finding(late, 'evidence.clock')!.message).toContain('No time zone in the file');

    // Eight days before, with no time zone: the camera's date may be a day off.
    const early = (await uploadPhoto({ taken: '2025:05:12 23:30:00' })).body;
    expect(early.evidence.days).toBe(-8);
    expect(finding(early, 'evidence.time')).toMatchObject({
      code: 'evidence.time.borderline',
      status: 'undetermined',
    });
    const earlier = (await uploadPhoto({ taken: '2025:05:12 23:30:00', offset: '+04:00' })).body;
    expect(finding(earlier, 'evidence.time')).toMatchObject({
      code: 'evidence.time.before',
      status: 'inconsistent',
    });

    const bare = (await uploadPhoto({})).body;
    expect(bare.metadata).toMatchObject({ takenLocal: null, position: null, cameraMake: null, widthPx: 640 });
    expect(bare.evidence.findings.map((f: Finding) => f.code)).toEqual([
      'evidence.place.no_position',
      'evidence.time.no_time',
    ]);
    expect(bare.thumbnailUrl).toMatch(/\/thumbnail$/);
  });

  it('names a PDF a document, not a photo, in every language', async () => {
    const bytes = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );
    const messages: Record<string, string[]> = {};
    for (const locale of ['en', 'ru', 'ar']) {
      const body = uploadBody(
        { recordType: 'findings', recordId: findingId },
        { filename: 'letter.pdf', mediaType: 'application/pdf', bytes },
      );
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/attachments',
        payload: body.payload,
        headers: { ...admin, ...body.headers, 'accept-language': locale },
      });
      expect(r.statusCode, r.body).toBe(201);
      messages[locale] = r.json().evidence.findings.map((f: Finding) => f.message);
    }
    expect(messages.en).toEqual([
      'No position in the file: where the document was made cannot be compared with the record.',
      'No date or time of making in the file: when the document was made cannot be compared with the record.',
    ]);
    expect(messages.ru!.join(' ')).toContain('документ');
    expect(messages.ar!.join(' ')).toContain('المستند');
    for (const m of Object.values(messages).flat()) expect(m).not.toMatch(/photo|снимок|صورة/);
  });

  it('gives the messages in the language asked for', async () => {
    const bytes = await photo({ taken: '2025:06:15 12:00:00' });
    const body = uploadBody(
      { recordType: 'findings', recordId: findingId },
      { filename: 'ru.jpg', mediaType: 'image/jpeg', bytes },
    );
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      payload: body.payload,
      headers: { ...admin, ...body.headers, 'accept-language': 'ru' },
    });
    expect(finding(r.json(), 'evidence.place')!.message).toBe(
      'В файле нет координат: место съёмки нельзя сравнить с записью.',
    );
  });

  it('measures 0 m for a photo taken inside an area record', async () => {
    const { body } = await uploadPhoto(
      { position: [46.905, 39.905], taken: '2025:05:20 09:00:00' },
      hazardId,
      'hazards',
    );
    expect(body.evidence.distanceM).toBe(0);
    expect(finding(body, 'evidence.place')!.code).toBe('evidence.place.within');
  });

  it('keeps a document that is not a photo, with no metadata to read and no thumbnail', async () => {
    const bytes = Buffer.from('Handover certificate, page 1\n');
    const r = await upload('findings', findingId, { filename: 'note.txt', mediaType: 'text/plain', bytes });
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body.thumbnailUrl).toBeNull();
    expect(body.metadata).toMatchObject({ takenLocal: null, position: null, widthPx: null });
    const thumb = await app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${body.id}/thumbnail`,
      headers: admin,
    });
    expect(thumb.statusCode).toBe(404);
    expect(thumb.json().code).toBe('attachment.no_thumbnail');
  });

  it('recomputes the check from the record as it stands when the record moves', async () => {
    const f = await app.inject({
      method: 'POST',
      url: '/api/v1/findings',
      headers: admin,
      payload: {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: FOUND_AT },
        properties: { category: 'AP', foundOn: '2025-05-20' },
      },
    });
    const id = f.json().id as string;
    await uploadPhoto({ position: [46.95, 39.95], taken: '2025:05:20 09:00:00' }, id);
    const list = async () =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/v1/attachments?recordType=findings&recordId=${id}`,
          headers: admin,
        })
      ).json().items;
    expect((await list())[0].evidence.findings[0].code).toBe('evidence.place.beyond');
    const moved = await app.inject({
      method: 'PATCH',
      url: `/api/v1/findings/${id}`,
      headers: { ...admin, 'if-match': '"1"' },
      payload: {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [46.9501, 39.9501] },
        properties: {},
      },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const [after] = await list();
    expect(after.evidence.findings[0].code).toBe('evidence.place.within');
    expect(after.evidence.distanceM).toBeLessThan(20);
  });
});

describe('verifying stored attachments against their hashes', () => {
  let home: string;
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('names missing and altered files, and the command exits 1 until they are put back', {
    timeout: 300_000,
  }, async () => {
    home = mkdtempSync(join(tmpdir(), 'safeground-verify-'));
    const dataDir = testDataDir();
    const attachmentsDir = join(home, 'attachments');
    const database = await connect({ dataDir });
    const attachments = new AttachmentService(database, attachmentsDir);
    const organisation = await database.db
      .insertInto('organisations')
      .values({ name: 'Verify org', kind: 'ngo' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const stored = [];
    for (const text of ['kept', 'altered', 'removed']) {
      stored.push(
        await attachments.store(SYSTEM_ACTOR, {
          recordType: 'organisations',
          recordId: organisation.id,
          filename: `${text}.txt`,
          mediaType: 'text/plain',
          content: Readable.from([Buffer.from(text)]),
        }),
      );
    }
    const path = (sha: string) => join(attachmentsDir, sha);
    writeFileSync(path(stored[1]!.sha256), 'altered!');
    unlinkSync(path(stored[2]!.sha256));
    const seen: number[] = [];
    const r = await verifyAttachments(database, attachmentsDir, (done) => seen.push(done));
    expect(r.checked).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(r.faults.map((f) => [f.filename, f.fault])).toEqual([
      ['altered.txt', 'altered'],
      ['removed.txt', 'missing'],
    ]);
    expect(r.faults[0]!.foundSha256).toBe(createHash('sha256').update('altered!').digest('hex'));
    await database.close();

    const cli = () =>
      spawnSync(
        process.execPath,
        [new URL('../../bin/safeground.js', import.meta.url).pathname, 'attachments', 'verify'],
        {
          env: {
            ...process.env,
            SAFEGROUND_DATA_DIR: dataDir,
            SAFEGROUND_ATTACHMENTS_DIR: attachmentsDir,
            SAFEGROUND_KEY_FILE: join(home, 'safeground.key'),
            DATABASE_URL: '',
            SAFEGROUND_LOCALE: 'en',
          },
          encoding: 'utf8',
          timeout: 240_000,
        },
      );
    const broken = cli();
    expect(broken.status, broken.stderr).toBe(1);
    expect(broken.stdout).toContain(`ALTERED: attachment ${stored[1]!.id} "altered.txt"`);
    expect(broken.stdout).toContain(`MISSING: attachment ${stored[2]!.id} "removed.txt"`);
    expect(broken.stdout).toContain('2 of 3 attachments are missing or altered.');

    writeFileSync(path(stored[1]!.sha256), 'altered');
    writeFileSync(path(stored[2]!.sha256), 'removed');
    const mended = cli();
    expect(mended.status, mended.stderr).toBe(0);
    expect(mended.stdout).toContain('All 3 attachments match their SHA-256.');
    expect(readdirSync(join(attachmentsDir, 'thumbnails'))).toEqual([]);
  });
});
