import { createHash } from 'node:crypto';
import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiCall,
  createHazard,
  DEMO_USERS,
  launch,
  newSession,
  noisePng,
  type Session,
  screenshot,
  signIn,
  tokenOf,
} from './browser.ts';

// The offline field app (/field): an operator signs in on a phone, downloads an area, goes
// offline, opens the app again from the service worker, drafts a clearance report (a released
// polygon, three findings, a photo), comes back online and sends it through cuts at the create,
// in the middle of the photo's upload and at the submit; the approver then sees exactly one
// report, with its photo.
const baseUrl = inject('baseUrl');
const C = { lon: 46.83, lat: 40.13 };
const hazardName = `E2E field hazard ${Date.now()}`;
let browser: Browser;
let hazardId = '';
const sessions: Session[] = [];

const PHOTO = noisePng(450);

beforeAll(async () => {
  hazardId = await createHazard(baseUrl, hazardName, C, 0.004);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

/** Lets the request reach the server, then tells the page it failed: the answer is lost on the way back. */
async function loseAnswer(route: Route): Promise<void> {
  await route.fetch();
  await route.abort('connectionreset');
}

describe('the offline field app', () => {
  it('drafts a clearance report offline and sends it once through cut syncs', async () => {
    const s = await newSession(browser, baseUrl, 390, 844);
    sessions.push(s);
    const { page: p, context } = s;

    await p.goto('/field');
    await p.locator('#f-email').fill(DEMO_USERS.operator.email);
    await p.locator('#f-password').fill(DEMO_USERS.operator.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('button', { name: 'Choose an area' }).click();

    // The area: the map's view around the hazard, with its records and basemap kept on the device.
    const map = p.getByTestId('field-map');
    await map.and(p.locator('[data-loaded="true"]')).waitFor({ timeout: 60_000 });
    await map.evaluate((el, c) => {
      const m = (el as HTMLElement & { maplibre: { jumpTo: (o: unknown) => void } }).maplibre;
      m.jumpTo({ center: [c.lon, c.lat], zoom: 14 });
    }, C);
    await p.waitForTimeout(300);
    await p.getByTestId('download-view').click();
    await p.getByTestId('field-area-label').waitFor({ timeout: 60_000 });
    await screenshot(p, '60-field-home-390');
    // The service worker holds the app before the network goes.
    await p.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

    await context.setOffline(true);
    await p.reload();
    await expect.poll(() => p.getByTestId('field-network').textContent()).toBe('Offline');

    await p.getByRole('button', { name: 'Clearance / activity report' }).click();
    const hazardOption = p.locator('#f-hazard option', { hasText: hazardName });
    await expect.poll(() => hazardOption.count(), { timeout: 15_000 }).toBe(1);
    await p.locator('#f-hazard').selectOption({ label: (await hazardOption.textContent()) ?? '' });
    await p.getByRole('button', { name: 'Add a released polygon' }).click();
    const d = 0.002;
    await p
      .getByTestId('f-released-0-text')
      .fill(
        [
          `${C.lat - d}, ${C.lon - d}`,
          `${C.lat - d}, ${C.lon + d}`,
          `${C.lat + d}, ${C.lon + d}`,
          `${C.lat + d}, ${C.lon - d}`,
        ].join('\n'),
      );
    for (let i = 0; i < 3; i++) {
      await p.getByRole('button', { name: 'Add a finding' }).click();
      await p.locator(`#f-pos-${i}`).fill(`${C.lat + (i - 1) * 0.001}, ${C.lon + 0.0005}`);
      await p.locator(`#f-pos-${i}`).press('Enter');
      await expect.poll(() => p.getByTestId(`f-pos-${i}-value`).textContent()).toContain('typed');
    }
    await p
      .getByTestId('field-photo-input')
      .setInputFiles([{ name: 'clearance-site.png', mimeType: 'image/png', buffer: PHOTO }]);
    await expect.poll(() => p.getByTestId('field-photo').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(p, '61-field-draft-offline-390');
    await p.getByTestId('queue-draft').click();
    await expect.poll(() => p.getByTestId('field-counts').textContent()).toContain('1 waiting');

    // Back online, each sync is cut somewhere new; the retries carry the same ids.
    let reportsCut = 0;
    let patches = 0;
    let submitsCut = 0;
    await context.route('**/api/v1/reports', (route) =>
      route.request().method() === 'POST' && reportsCut++ === 0 ? loseAnswer(route) : route.continue(),
    );
    await context.route('**/api/v1/uploads/*', (route) =>
      route.request().method() === 'PATCH' && ++patches === 2 ? loseAnswer(route) : route.continue(),
    );
    await context.route('**/api/v1/reports/*/submit', (route) =>
      submitsCut++ === 0 ? loseAnswer(route) : route.continue(),
    );
    await context.setOffline(false);
    const syncButton = p.getByTestId('field-sync');
    const note = p.getByTestId('field-sync-note');
    for (let attempt = 0; attempt < 6; attempt++) {
      await expect.poll(() => syncButton.textContent(), { timeout: 30_000 }).toBe('Send now');
      if ((await p.getByTestId('field-counts').textContent())?.includes('1 sent')) break;
      await syncButton.click();
      await note.waitFor();
    }
    await expect
      .poll(() => p.getByTestId('field-counts').textContent(), { timeout: 30_000 })
      .toContain('1 sent');
    expect(reportsCut).toBeGreaterThanOrEqual(2);
    expect(patches).toBeGreaterThanOrEqual(3);
    // The first submit reached the server though its answer was lost: the next try finds the
    // report submitted and does not submit it again.
    expect(submitsCut).toBeGreaterThanOrEqual(1);
    await screenshot(p, '62-field-sent-390');

    // The approver sees exactly one report on the hazard, with the photo as it was taken.
    const approver = await tokenOf(baseUrl, DEMO_USERS.approver);
    const hazard = await apiCall(baseUrl, approver, 'GET', `/api/v1/hazards/${hazardId}`);
    const code = String((hazard.body.properties as { code: string }).code);
    const list = await apiCall(baseUrl, approver, 'GET', '/api/v1/reports?status=submitted&limit=500');
    const mine = (list.body.items as Array<{ id: string; hazardCodes?: string[] }>).filter((r) =>
      r.hazardCodes?.includes(code),
    );
    expect(mine).toHaveLength(1);
    const report = await apiCall(baseUrl, approver, 'GET', `/api/v1/reports/${mine[0]!.id}`);
    const changes = (report.body.payload as { changes: Array<{ register: string }> }).changes;
    expect(changes.filter((c) => c.register === 'land-release')).toHaveLength(1);
    expect(changes.filter((c) => c.register === 'findings')).toHaveLength(3);
    const files = await apiCall(baseUrl, approver, 'GET', `/api/v1/reports/${mine[0]!.id}/attachments`);
    const items = files.body.items as Array<{ sha256: string; fileName?: string; filename?: string }>;
    expect(items).toHaveLength(1);
    expect(items[0]!.sha256).toBe(createHash('sha256').update(PHOTO).digest('hex'));

    const a = await newSession(browser, baseUrl, 1280, 800);
    sessions.push(a);
    await signIn(a.page, DEMO_USERS.approver);
    await a.page.goto(`/reports/${mine[0]!.id}`);
    const section = a.page.getByTestId('report-attachments');
    await section.waitFor();
    await expect.poll(() => section.getByTestId('attachment-row').count()).toBe(1);
    expect(await section.textContent()).toContain('clearance-site.png');
    await screenshot(a.page, '63-field-report-approver-1280');
  }, 300_000);

  it('records a risk education session offline: where it was held, and the beneficiaries by sex and age band', async () => {
    const { page: p, context } = sessions[0]!;
    await p.goto('/field');
    await p.getByTestId('field-area-label').waitFor({ timeout: 60_000 });
    await context.setOffline(true);
    await p.getByRole('button', { name: 'Risk education session' }).click();
    await p.locator('#f-session').fill(`${C.lat}, ${C.lon}`);
    await p.locator('#f-session').press('Enter');
    await expect.poll(() => p.getByTestId('f-session-value').textContent()).toContain('typed');
    await p.locator('#f-delivery').selectOption({ label: 'Community focal point' });
    // On a phone the table has a row per age band, a column per sex.
    const table = p.getByTestId('beneficiaries-table');
    expect(await table.locator('tbody th').first().textContent()).toBe('0–4');
    // Nobody counted yet: said at the table as a warning (amber), not as an error that blocks sending.
    await p.locator('p.warning', { hasText: 'No one is counted' }).waitFor();
    expect(await p.locator('p.error', { hasText: 'No one is counted' }).count()).toBe(0);
    await table.getByLabel('Female, 5–12', { exact: true }).fill('14');
    await table.getByLabel('Male, 13–17', { exact: true }).fill('9');
    await expect.poll(() => p.getByTestId('beneficiaries-total').textContent()).toBe('23');
    await screenshot(p, '64-field-risk-education-390');
    await p.getByTestId('queue-draft').click();
    await expect.poll(() => p.getByTestId('field-counts').textContent()).toContain('1 waiting');
    await context.setOffline(false);
    await expect
      .poll(
        async () => {
          if ((await p.getByTestId('field-sync').textContent()) === 'Send now')
            await p.getByTestId('field-sync').click();
          return p.getByTestId('field-counts').textContent();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toContain('2 sent');

    const operator = await tokenOf(baseUrl, DEMO_USERS.operator);
    const list = await apiCall(baseUrl, operator, 'GET', '/api/v1/reports?status=submitted&limit=500');
    const sessionsSent = (list.body.items as Array<{ id: string; kind: string }>).filter(
      (r) => r.kind === 'other_records',
    );
    const reports = await Promise.all(
      sessionsSent.map((r) => apiCall(baseUrl, operator, 'GET', `/api/v1/reports/${r.id}`)),
    );
    type Change = {
      register: string;
      record: { geometry: { coordinates: number[] }; properties: Record<string, unknown> };
    };
    const mine = reports
      .map((r) => (r.body.payload as { changes: Change[] }).changes[0]!)
      .filter((c) => c.register === 'risk-education' && c.record.geometry.coordinates[0] === C.lon);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.record.properties).toMatchObject({
      deliveryMethod: 'community_focal_point',
      beneficiaries: { female: { '5-12': 14 }, male: { '13-17': 9 } },
    });
  }, 180_000);

  it('logs no console errors and no failed request', () => {
    // The cuts above are the test's own (aborted requests); the pages themselves reported no fault.
    expect(
      sessions.flatMap((s) => s.errors).filter((e) => !/Failed to load resource|net::ERR/.test(e)),
    ).toEqual([]);
    expect(sessions.flatMap((s) => s.failedResponses)).toEqual([]);
  });
});
