import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiCall,
  createHazard,
  DEMO_ADMIN,
  DEMO_USERS,
  type DemoUser,
  launch,
  newSession,
  type Session,
  screenshot,
  tokenOf,
} from './browser.ts';

// What a phone shows of each draft: waiting, sent, refused with the server's problems placed in
// the form; a refused draft corrected and sent again into the same report; the inside-hazard
// check of a drawn polygon; and casualty identities kept on the device, encrypted, only for a
// role that may read them.
const baseUrl = inject('baseUrl');
const C = { lon: 46.91, lat: 40.19 };
let browser: Browser;
const sessions: Session[] = [];

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

const square = (lon: number, lat: number, w: number, e: number, s: number, n: number) => [
  [lon + w, lat + s],
  [lon + e, lat + s],
  [lon + e, lat + n],
  [lon + w, lat + n],
  [lon + w, lat + s],
];

async function signInOnPhone(p: Page, who: DemoUser): Promise<void> {
  await p.goto('/field');
  await p.locator('#f-email').fill(who.email);
  await p.locator('#f-password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('button', { name: /Choose an area|Change or update the area/ }).waitFor();
}

async function downloadArea(p: Page, centre: { lon: number; lat: number }): Promise<void> {
  await p.getByRole('button', { name: /Choose an area|Change or update the area/ }).click();
  const map = p.getByTestId('field-map');
  await map.and(p.locator('[data-loaded="true"]')).waitFor({ timeout: 60_000 });
  // The map opens on the programme (or the device's area), not on the whole default region.
  const width = () =>
    map.evaluate((el) => {
      const b = (
        el as HTMLElement & { maplibre: { getBounds: () => { getEast(): number; getWest(): number } } }
      ).maplibre.getBounds();
      return b.getEast() - b.getWest();
    });
  await expect.poll(width, { timeout: 15_000 }).toBeLessThan(3);
  await map.evaluate((el, c) => {
    const m = (el as HTMLElement & { maplibre: { jumpTo: (o: unknown) => void } }).maplibre;
    m.jumpTo({ center: [c.lon, c.lat], zoom: 14 });
  }, centre);
  await p.waitForTimeout(300);
  await p.getByTestId('download-view').click();
  await p.getByTestId('field-area-label').waitFor({ timeout: 90_000 });
  // The area in words: its centre, latitude first, isolated left to right, and its size.
  expect(await p.getByTestId('field-area-label').textContent()).toMatch(
    /^Map view around \u2066\d+\.\d{6}, \d+\.\d{6}\u2069, [\d.,]+ k?m × [\d.,]+ k?m$/,
  );
  await p.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

const corners = (lon: number, lat: number, w: number, e: number, s: number, n: number) =>
  [
    `${lat + s}, ${lon + w}`,
    `${lat + s}, ${lon + e}`,
    `${lat + n}, ${lon + e}`,
    `${lat + n}, ${lon + w}`,
  ].join('\n');

/** Everything the field app keeps of its drafts, as text (buffers decoded), for looking into. */
function draftsOnDevice(p: Page) {
  return p.evaluate(
    () =>
      new Promise<{ text: string; identities: Array<{ iv: boolean; bytes: number } | null> }>(
        (resolve, reject) => {
          const open = indexedDB.open('safeground-field');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('drafts').objectStore('drafts').getAll();
            all.onsuccess = () => {
              const drafts = all.result as Array<{
                content: { casualties: Array<{ identity: { iv: Uint8Array; data: ArrayBuffer } | null }> };
              }>;
              const text = JSON.stringify(drafts, (_k, v) =>
                v instanceof ArrayBuffer || ArrayBuffer.isView(v)
                  ? new TextDecoder().decode(v as ArrayBuffer)
                  : v,
              );
              const identities = drafts.flatMap((d) =>
                d.content.casualties.map((c) =>
                  c.identity
                    ? { iv: c.identity.iv instanceof Uint8Array, bytes: c.identity.data.byteLength }
                    : null,
                ),
              );
              open.result.close();
              resolve({ text, identities });
            };
          };
        },
      ),
  );
}

describe('the field app: refused drafts, the inside-hazard check and identities', () => {
  it('shows waiting, sent and refused; a refused draft is corrected and sent into the same report', async () => {
    const hazardName = `E2E field refusal ${Date.now()}`;
    const h = 0.002;
    const hazardId = await createHazard(baseUrl, hazardName, C, h);
    // Most of the hazard is already released: a draft releasing all of it again is too much.
    const admin = await tokenOf(baseUrl, DEMO_ADMIN);
    const released = await apiCall(baseUrl, admin, 'POST', '/api/v1/land-release', {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [square(C.lon, C.lat, -h, 0.0005, -h, h)] },
      properties: { outcome: 'cleared', hazardId },
    });
    expect(released.status).toBe(201);

    // B: on a U-shaped hazard, a polygon whose corners all lie in its two arms but whose edges
    // cross the gap between them: the device finds it outside, with the server's words.
    const u = { lon: C.lon, lat: C.lat + 0.006 };
    const uName = `E2E field U ${Date.now()}`;
    const U = await apiCall(baseUrl, admin, 'POST', '/api/v1/hazards', {
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [u.lon - 0.002, u.lat - 0.002],
            [u.lon + 0.002, u.lat - 0.002],
            [u.lon + 0.002, u.lat + 0.002],
            [u.lon + 0.0005, u.lat + 0.002],
            [u.lon + 0.0005, u.lat - 0.001],
            [u.lon - 0.0005, u.lat - 0.001],
            [u.lon - 0.0005, u.lat + 0.002],
            [u.lon - 0.002, u.lat + 0.002],
            [u.lon - 0.002, u.lat - 0.002],
          ],
        ],
      },
      properties: { type: 'CHA', name: uName, deviceCategories: ['AP'] },
    });
    expect(U.status).toBe(201);

    const s = await newSession(browser, baseUrl, 390, 844);
    sessions.push(s);
    const { page: p, context } = s;
    await signInOnPhone(p, DEMO_USERS.operator);
    await downloadArea(p, C);
    await context.setOffline(true);
    await expect.poll(() => p.getByTestId('field-network').textContent()).toBe('Offline');

    const chooseHazard = async (which = hazardName) => {
      const option = p.locator('#f-hazard option', { hasText: which });
      await expect.poll(() => option.count(), { timeout: 15_000 }).toBe(1);
      await p.locator('#f-hazard').selectOption({ label: (await option.textContent()) ?? '' });
    };
    // A: the whole hazard released again (inside it, so the device lets it go; the server refuses it).
    await p.getByRole('button', { name: 'Clearance / activity report' }).click();
    await chooseHazard();
    await p.getByRole('button', { name: 'Add a released polygon' }).click();
    await p.getByTestId('f-released-0-text').fill(corners(C.lon, C.lat, -h, h, -h, h));
    await p.getByTestId('queue-draft').click();
    await p.getByTestId('field-counts').waitFor();

    // B: on the U-shaped hazard, a polygon whose corners all lie in its two arms but whose edges
    // cross the gap between them: the device finds it outside, in the server's words.
    await p.getByRole('button', { name: 'Clearance / activity report' }).click();
    await chooseHazard(uName);
    await p.getByRole('button', { name: 'Add a released polygon' }).click();
    await p.getByTestId('f-released-0-text').fill(corners(u.lon, u.lat, -0.0015, 0.0015, 0, 0.001));
    await p.getByTestId('queue-draft').click();
    const outside = p.getByTestId('field-checks').getByText('land_release.outside_hazard');
    await expect.poll(() => outside.count()).toBe(1);
    expect(await p.getByTestId('field-checks').textContent()).toMatch(
      /Polygon 1: This land-release polygon lies [\d,.]+ m² outside hazard [A-Z]+-\d+ \(up to 0 m from it; 1 m are tolerated\)/,
    );
    await p.getByTestId('field-checks').scrollIntoViewIfNeeded();
    await screenshot(p, '65-field-draft-outside-hazard-390');
    await p.setViewportSize({ width: 1280, height: 800 });
    await p.getByTestId('field-checks').scrollIntoViewIfNeeded();
    await screenshot(p, '65-field-draft-outside-hazard-1280');
    await p.setViewportSize({ width: 390, height: 844 });
    await p.getByRole('button', { name: 'Back' }).click();

    // C: an accident, which the server takes.
    await p.getByRole('button', { name: 'Accident', exact: true }).click();
    await p.locator('#f-accident').fill(`${C.lat - 0.01}, ${C.lon - 0.01}`);
    await p.locator('#f-accident').press('Enter');
    await expect.poll(() => p.getByTestId('f-accident-value').textContent()).toContain('typed');
    // Coordinates read left to right in every language: the typed box and the position shown.
    expect(await p.locator('#f-accident').getAttribute('dir')).toBe('ltr');
    expect(await p.getByTestId('f-accident-value').locator('bdi[dir="ltr"]').textContent()).toMatch(
      /^-?\d+\.\d+, -?\d+\.\d+$/,
    );
    await p.getByTestId('queue-draft').click();
    await expect.poll(() => p.getByTestId('field-counts').textContent()).toContain('2 waiting');
    // The footer counts the reports on the device in words, as many as the list shows.
    const onDevice = await p.getByTestId('field-draft').count();
    expect(onDevice).toBeGreaterThanOrEqual(2);
    expect(await p.getByTestId('field-account').textContent()).toMatch(
      new RegExp(` · ${onDevice} reports on this device$`),
    );

    // Online: A is refused with the server's problem, C is sent.
    await context.setOffline(false);
    const counts = p.getByTestId('field-counts');
    await expect.poll(() => counts.textContent(), { timeout: 60_000 }).toContain('1 refused');
    await expect.poll(() => counts.textContent(), { timeout: 60_000 }).toContain('1 sent');
    const problem = p.getByTestId('field-draft-problem');
    await expect.poll(() => problem.textContent()).toContain('land_release.area_exceeds_hazard');

    // B corrected (its bulge removed) and queued while offline: waiting, sent and refused at once.
    await context.setOffline(true);
    await p.getByTestId('field-draft').filter({ hasText: 'Draft' }).getByRole('link').click();
    await p.getByTestId('f-released-0-text').fill(corners(u.lon, u.lat, -0.0015, -0.0007, 0, 0.001));
    await p.getByTestId('queue-draft').click();
    await expect.poll(() => counts.textContent()).toContain('1 waiting');
    await p.locator('#f-sync-h').evaluate((el) => el.scrollIntoView());
    await screenshot(p, '66-field-queue-states-390');
    await p.setViewportSize({ width: 1280, height: 800 });
    await p.locator('#f-sync-h').evaluate((el) => el.scrollIntoView());
    await screenshot(p, '66-field-queue-states-1280');
    await p.setViewportSize({ width: 390, height: 844 });

    // The refused draft names each problem at its place, with the code.
    await p.getByTestId('field-draft').filter({ hasText: 'Refused' }).getByRole('link').click();
    const refusal = p.getByTestId('draft-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Polygon 1:.*land_release\.area_exceeds_hazard/);
    expect(await p.getByTestId('released-0').textContent()).toContain('more than its area');
    await screenshot(p, '67-field-refused-draft-390');
    const reportCode = ((await p.locator('h2').first().textContent()) ?? '').split(' · ')[1];
    expect(reportCode).toMatch(/^[A-Z]+-\d+/);

    // Corrected: only the east part, which is not yet released; sent again, into the same report.
    await p.getByTestId('f-released-0-text').fill(corners(C.lon, C.lat, 0.001, 0.0019, -0.0019, -0.001));
    await p.getByTestId('queue-draft').click();
    await context.setOffline(false);
    await expect.poll(() => counts.textContent(), { timeout: 60_000 }).toContain('3 sent');
    expect(await counts.textContent()).toContain('0 refused');

    const operator = await tokenOf(baseUrl, DEMO_USERS.operator);
    const mine = (await apiCall(baseUrl, operator, 'GET', '/api/v1/reports?mine=true&limit=500')).body
      .items as Array<{ id: string; code: string; status: string; hazardCodes?: string[] }>;
    const hazard = await apiCall(baseUrl, admin, 'GET', `/api/v1/hazards/${hazardId}`);
    const code = String((hazard.body.properties as { code: string }).code);
    // The refused draft, corrected, is the one report on its hazard: the same report, submitted.
    const onHazard = mine.filter((r) => r.hazardCodes?.includes(code));
    expect(onHazard.map((r) => [r.code, r.status])).toEqual([[reportCode, 'submitted']]);
    const uHazard = await apiCall(baseUrl, admin, 'GET', `/api/v1/hazards/${String(U.body.id)}`);
    const uCode = String((uHazard.body.properties as { code: string }).code);
    expect(mine.filter((r) => r.hazardCodes?.includes(uCode)).map((r) => r.status)).toEqual(['submitted']);

    // Arabic, right to left.
    await p.locator('[data-testid="language"]:visible').selectOption('ar');
    await expect.poll(() => p.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await p.locator('#f-sync-h').evaluate((el) => el.scrollIntoView());
    await screenshot(p, '68-field-queue-ar-390');
    await p.locator('[data-testid="language"]:visible').selectOption('en');
  }, 300_000);

  it('keeps a casualty identity on the device, encrypted, only for a role that may read it', async () => {
    const name = 'Zarina Testova';
    // The approver may read identities: the form takes it and the device keeps only ciphertext.
    const a = await newSession(browser, baseUrl, 390, 844);
    sessions.push(a);
    await signInOnPhone(a.page, DEMO_USERS.approver);
    await a.context.setOffline(true);
    await a.page.getByRole('button', { name: 'Accident', exact: true }).click();
    await a.page.locator('#f-accident').fill(`${C.lat - 0.02}, ${C.lon}`);
    await a.page.locator('#f-accident').press('Enter');
    await a.page.getByRole('button', { name: 'Add a casualty' }).click();
    await a.page.getByLabel('Name', { exact: true }).fill(name);
    await a.page.getByRole('button', { name: 'Encrypt and keep' }).click();
    await a.page
      .getByText(/encrypted/i)
      .first()
      .waitFor();
    const held = await draftsOnDevice(a.page);
    expect(held.identities).toEqual([{ iv: true, bytes: expect.any(Number) }]);
    expect(held.identities[0]!.bytes).toBeGreaterThan(name.length);
    expect(held.text).not.toContain(name);
    expect(held.text).not.toContain('Zarina');
    await a.page.getByTestId('queue-draft').click();
    await a.context.setOffline(false);
    await expect
      .poll(() => a.page.getByTestId('field-counts').textContent(), { timeout: 60_000 })
      .toContain('1 sent');
    // It reached the server whole: the approver reads it back from the report, asking for it.
    const approver = await tokenOf(baseUrl, DEMO_USERS.approver);
    const mine = (await apiCall(baseUrl, approver, 'GET', '/api/v1/reports?mine=true&limit=500')).body
      .items as Array<{ id: string; kind: string }>;
    let found = false;
    for (const r of mine.filter((x) => x.kind === 'accident')) {
      const full = await apiCall(baseUrl, approver, 'GET', `/api/v1/reports/${r.id}?identity=true`);
      if (JSON.stringify(full.body.payload).includes(name)) found = true;
    }
    expect(found).toBe(true);

    // The operator may not: no identity fields, nothing kept.
    const o = await newSession(browser, baseUrl, 390, 844);
    sessions.push(o);
    await signInOnPhone(o.page, DEMO_USERS.operator);
    await o.page.getByRole('button', { name: 'Accident', exact: true }).click();
    await o.page.getByRole('button', { name: 'Add a casualty' }).click();
    await o.page
      .getByText(/may not read casualties/)
      .first()
      .waitFor();
    expect(await o.page.getByLabel('Name', { exact: true }).count()).toBe(0);
    const none = await draftsOnDevice(o.page);
    expect(none.identities).toEqual([null]);
  }, 300_000);

  it('logs no page errors', () => {
    expect(
      sessions.flatMap((s) => s.errors).filter((e) => !/Failed to load resource|net::ERR/.test(e)),
    ).toEqual([]);
  });
});
