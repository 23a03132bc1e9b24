import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiCall,
  createHazard,
  DEMO_USERS,
  encodePng,
  launch,
  newSession,
  type Session,
  screenshot,
  signIn,
  tokenOf,
} from './browser.ts';

// Photos and documents on a report: an operator attaches them to a draft on the report page
// (thumbnail, type, size, SHA-256), and once the report is approved they are on the pages of
// the records it created.
const baseUrl = inject('baseUrl');
const C = { lon: 46.81, lat: 40.11 };
const hazardName = `E2E attachments hazard ${Date.now()}`;
let browser: Browser;
let hazardId = '';
const sessions: Session[] = [];
let approvedId = '';

/** A 48×32 PNG in two colours, made here so that the browser has a real picture to draw. */
function png(): Buffer {
  const half = (rgb: number[]) => Array.from({ length: 24 }, () => rgb).flat();
  return encodePng(48, 32, () => Buffer.from([...half([217, 72, 15]), ...half([250, 204, 21])]));
}
const PHOTO = png();
const PDF = Buffer.from('%PDF-1.4\n% clearance certificate\n%%EOF\n');

beforeAll(async () => {
  hazardId = await createHazard(baseUrl, hazardName, C);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('attachments on reports', () => {
  it('an operator attaches a photo and a document to a draft; after approval they are on the records', async () => {
    const op = await tokenOf(baseUrl, DEMO_USERS.operator);
    await apiCall(baseUrl, op, 'PATCH', '/api/v1/auth/me', { locale: 'en' });
    const me = await apiCall(baseUrl, op, 'GET', '/api/v1/auth/me');
    const date = '2025-07-05';
    const created = await apiCall(baseUrl, op, 'POST', '/api/v1/reports', {
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
                organisationId: me.body.organisationId,
                hazardId,
                endDate: date,
              },
            },
          },
          {
            op: 'create',
            register: 'findings',
            record: {
              type: 'Feature',
              geometry: { type: 'Point', coordinates: [C.lon, C.lat] },
              properties: { category: 'AP', quantity: 1, foundOn: date, hazardId, activityId: '@ref:act' },
            },
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);

    const s = await newSession(browser, baseUrl, 1280, 800);
    sessions.push(s);
    const p = s.page;
    await signIn(p, DEMO_USERS.operator);
    await p.goto(`/reports/${id}`);
    await p.getByTestId('report-title').waitFor();
    const section = p.getByTestId('report-attachments');
    await section.waitFor();
    await section.getByTestId('attachment-input').setInputFiles([
      { name: 'marking.png', mimeType: 'image/png', buffer: PHOTO },
      { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: PDF },
    ]);
    await section.getByTestId('attachment-upload').click();
    await expect.poll(() => section.getByTestId('attachment-row').count(), { timeout: 20_000 }).toBe(2);
    const text = (await section.textContent()) ?? '';
    expect(text).toContain('marking.png');
    expect(text).toContain('application/pdf');
    expect(text).toContain(createHash('sha256').update(PHOTO).digest('hex'));
    // The picture is drawn as a thumbnail (a document gets none).
    const thumb = section.getByTestId('attachment-thumb');
    expect(await thumb.count()).toBe(1);
    await expect
      .poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 })
      .toBe(48);
    await section.scrollIntoViewIfNeeded();
    await screenshot(p, '40-report-attachments-1280');

    // A file attached by mistake can be removed while the report is a draft.
    await section
      .getByTestId('attachment-input')
      .setInputFiles([
        { name: 'wrong.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') },
      ]);
    await section.getByTestId('attachment-upload').click();
    await expect.poll(() => section.getByTestId('attachment-row').count()).toBe(3);
    await section.getByTestId('attachment-row').nth(2).getByTestId('attachment-remove').click();
    await expect.poll(() => section.getByTestId('attachment-row').count()).toBe(2);

    await p.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(async () => (await p.getByTestId('report-title').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/submitted/);
    // Submitted, the files are shown but can no longer be changed.
    expect(await section.getByTestId('attachment-input').count()).toBe(0);
    expect(await section.getByTestId('attachment-remove').count()).toBe(0);

    const approver = await tokenOf(baseUrl, DEMO_USERS.approver);
    const approved = await apiCall(baseUrl, approver, 'POST', `/api/v1/reports/${id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    approvedId = id;
    const finding = (approved.body.applied as Array<{ register: string; id: string }>).find(
      (a) => a.register === 'findings',
    );
    expect(finding).toBeTruthy();

    // The finding's page lists the report's files, with the thumbnail the server made of the picture.
    await p.goto(`/registers/findings/${finding!.id}`);
    await p.getByTestId('record-title').waitFor();
    const onRecord = p.getByTestId('attachments');
    await onRecord.waitFor();
    await expect.poll(() => onRecord.getByTestId('attachment-row').count()).toBe(2);
    await expect
      .poll(() =>
        onRecord.getByTestId('attachment-thumb').evaluate((img) => (img as HTMLImageElement).naturalWidth),
      )
      .toBeGreaterThan(0);
    await onRecord.scrollIntoViewIfNeeded();
    await screenshot(p, '41-finding-attachments-1280');
  });

  it('on a phone (390×844) the attachments of a report fit the width', async () => {
    const s = await newSession(browser, baseUrl, 390, 844);
    sessions.push(s);
    const p = s.page;
    await signIn(p, DEMO_USERS.operator);
    expect(approvedId).not.toBe('');
    await p.goto(`/reports/${approvedId}`);
    const section = p.getByTestId('report-attachments');
    await section.waitFor();
    await expect.poll(() => section.getByTestId('attachment-row').count()).toBeGreaterThan(0);
    expect(
      await p.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await section.scrollIntoViewIfNeeded();
    await screenshot(p, '42-report-attachments-390');
  });

  it('logs no console errors and no failed request', () => {
    expect(sessions.flatMap((s) => s.errors)).toEqual([]);
    expect(sessions.flatMap((s) => s.failedResponses)).toEqual([]);
  });
});
