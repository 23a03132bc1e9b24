import { createHash } from 'node:crypto';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mulberry32 } from '../../src/domain/demo-programme.ts';
import {
  apiCall,
  createHazard,
  DEMO_USERS,
  launch,
  newSession,
  noisePng,
  type Session,
  screenshot,
  tokenOf,
} from './browser.ts';

// The offline journey with the network failing at random points. For each seed, an operator's
// phone makes three drafts offline (a clearance with a released polygon, findings and a photo;
// a new hazard; an accident), then sends them while a seeded random cuts the Nth API request of
// each try (the request never reaches the server, or its answer is lost on the way back), takes
// the network away in the middle of the photo's upload, and once reloads the page in the middle of
// the sending. The phone tries again until everything is sent. Then the server holds each draft
// as exactly one submitted report, the clearance with its photo once and byte for byte.
const baseUrl = inject('baseUrl');
const SEEDS = (process.env.FIELD_CHAOS_SEEDS ?? '11,23,37')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isFinite(n));
const C = { lon: 46.87, lat: 40.16 };
let browser: Browser;
const sessions: Session[] = [];

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

type Cut = 'drop' | 'lose-answer' | 'offline' | 'reload';

interface ReportItem {
  id: string;
  kind: string;
  status: string;
  clientId?: string | null;
}

async function reportsOf(token: string): Promise<ReportItem[]> {
  const r = await apiCall(baseUrl, token, 'GET', '/api/v1/reports?mine=true&limit=500');
  return r.body.items as ReportItem[];
}

async function signInOnPhone(p: Page): Promise<void> {
  await p.goto('/field');
  await p.locator('#f-email').fill(DEMO_USERS.operator.email);
  await p.locator('#f-password').fill(DEMO_USERS.operator.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('button', { name: /Choose an area|Change or update the area/ }).waitFor();
}

/** Downloads the map's view round C as the device's area (with the hazards made for the seeds). */
async function downloadArea(p: Page): Promise<void> {
  await p.getByRole('button', { name: /Choose an area|Change or update the area/ }).click();
  const map = p.getByTestId('field-map');
  await map.and(p.locator('[data-loaded="true"]')).waitFor({ timeout: 60_000 });
  await map.evaluate((el, c) => {
    const m = (el as HTMLElement & { maplibre: { jumpTo: (o: unknown) => void } }).maplibre;
    m.jumpTo({ center: [c.lon, c.lat], zoom: 13 });
  }, C);
  await p.waitForTimeout(300);
  await p.getByTestId('download-view').click();
  await p.getByTestId('field-area-label').waitFor({ timeout: 90_000 });
  await p.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

/** The three drafts of one seed, made offline through the form. */
async function makeDrafts(
  p: Page,
  seed: number,
  hazardName: string,
  centre: { lon: number; lat: number },
  photo: Buffer,
): Promise<void> {
  // 1. Clearance: a released polygon, two findings, a photo.
  await p.getByRole('button', { name: 'Clearance / activity report' }).click();
  const hazardOption = p.locator('#f-hazard option', { hasText: hazardName });
  await expect.poll(() => hazardOption.count(), { timeout: 15_000 }).toBe(1);
  await p.locator('#f-hazard').selectOption({ label: (await hazardOption.textContent()) ?? '' });
  await p.getByRole('button', { name: 'Add a released polygon' }).click();
  const d = 0.0015;
  const { lon, lat } = centre;
  await p
    .getByTestId('f-released-0-text')
    .fill(
      [
        `${lat - d}, ${lon - d}`,
        `${lat - d}, ${lon + d}`,
        `${lat + d}, ${lon + d}`,
        `${lat + d}, ${lon - d}`,
      ].join('\n'),
    );
  for (let i = 0; i < 2; i++) {
    await p.getByRole('button', { name: 'Add a finding' }).click();
    await p.locator(`#f-pos-${i}`).fill(`${lat + (i - 0.5) * 0.001}, ${lon + 0.0005}`);
    await p.locator(`#f-pos-${i}`).press('Enter');
    await expect.poll(() => p.getByTestId(`f-pos-${i}-value`).textContent()).toContain('typed');
  }
  await p
    .getByTestId('field-photo-input')
    .setInputFiles([{ name: `site-${seed}.png`, mimeType: 'image/png', buffer: photo }]);
  await expect.poll(() => p.getByTestId('field-photo').count(), { timeout: 15_000 }).toBe(1);
  await p.getByTestId('queue-draft').click();
  await p.getByTestId('field-counts').waitFor();

  // 2. A new hazard next to it.
  await p.getByRole('button', { name: 'New hazard', exact: true }).click();
  await p.locator('#f-hname').fill(`Chaos ${seed} new hazard`);
  await p
    .getByTestId('f-corners-text')
    .fill(
      [
        `${lat + 0.01}, ${lon + 0.01}`,
        `${lat + 0.01}, ${lon + 0.012}`,
        `${lat + 0.012}, ${lon + 0.012}`,
        `${lat + 0.012}, ${lon + 0.01}`,
      ].join('\n'),
    );
  await p.getByTestId('queue-draft').click();
  await p.getByTestId('field-counts').waitFor();

  // 3. An accident.
  await p.getByRole('button', { name: 'Accident', exact: true }).click();
  await p.locator('#f-accident').fill(`${lat - 0.01}, ${lon - 0.01}`);
  await p.locator('#f-accident').press('Enter');
  await expect.poll(() => p.getByTestId('f-accident-value').textContent()).toContain('typed');
  await p.getByRole('button', { name: 'Add a casualty' }).click();
  await p.getByTestId('queue-draft').click();
  await p.getByTestId('field-counts').waitFor();
}

describe('the field app under a failing network', () => {
  for (const seed of SEEDS) {
    it(`sends three offline drafts exactly once through random cuts (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      const centre = { lon: C.lon + (seed % 7) * 0.004 - 0.012, lat: C.lat + (seed % 5) * 0.003 - 0.006 };
      const hazardName = `E2E chaos hazard ${seed} ${Date.now()}`;
      await createHazard(baseUrl, hazardName, centre, 0.003);
      const operator = await tokenOf(baseUrl, DEMO_USERS.operator);
      const before = new Set((await reportsOf(operator)).map((r) => r.id));
      const photo = noisePng(400 + Math.floor(random() * 200));
      const photoSha = createHash('sha256').update(photo).digest('hex');

      const s = await newSession(browser, baseUrl, 390, 844);
      sessions.push(s);
      const { page: p, context } = s;
      await signInOnPhone(p);
      await downloadArea(p);

      await context.setOffline(true);
      await p.reload();
      await expect.poll(() => p.getByTestId('field-network').textContent()).toBe('Offline');
      await makeDrafts(p, seed, hazardName, centre, photo);
      await expect.poll(() => p.getByTestId('field-counts').textContent()).toContain('3 waiting');
      const clientIds = await p.evaluate(
        () =>
          new Promise<string[]>((resolve, reject) => {
            const open = indexedDB.open('safeground-field');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const all = open.result.transaction('drafts').objectStore('drafts').getAll();
              all.onsuccess = () => {
                resolve((all.result as Array<{ clientId: string }>).map((d) => d.clientId));
                open.result.close();
              };
            };
          }),
      );
      expect(clientIds).toHaveLength(3);

      // The cuts: in each try, the Nth API request fails in one of the ways a network fails.
      let counter = 0;
      let cutAt = 1 + Math.floor(random() * 6);
      let reloaded = false;
      const seen: string[] = [];
      const cuts: string[] = [];
      // One of the first three cuts is a reload, so every seed reloads once in mid-sending.
      const reloadAt = Math.floor(random() * 3);
      const pickCut = (): Cut => {
        if (!reloaded && cuts.length >= reloadAt) return 'reload';
        const r = random();
        return r < 0.35 ? 'drop' : r < 0.75 ? 'lose-answer' : 'offline';
      };
      await context.route('**/api/v1/**', async (route: Route) => {
        const req = route.request();
        const path = new URL(req.url()).pathname;
        counter++;
        seen.push(`${req.method()} ${path}`);
        if (counter !== cutAt) return route.continue();
        cutAt = counter + 1 + Math.floor(random() * 7);
        const cut = pickCut();
        cuts.push(`${cut} at ${req.method()} ${path}`);
        if (cut === 'drop') return route.abort('connectionreset');
        if (cut === 'lose-answer') {
          await route.fetch().catch(() => undefined);
          return route.abort('connectionreset');
        }
        if (cut === 'offline') {
          // The network goes away with the request on its way; it comes back a moment later.
          await context.setOffline(true);
          await route.abort('internetdisconnected');
          // The test may end (and close the context) before the network comes back.
          setTimeout(
            () => void context.setOffline(false).catch(() => undefined),
            300 + Math.floor(random() * 700),
          );
          return;
        }
        // The page is reloaded while its request goes on: the queue is read again from IndexedDB.
        reloaded = true;
        await route.continue();
        setTimeout(() => void p.reload().catch(() => undefined), Math.floor(random() * 150));
      });

      await context.setOffline(false);
      const counts = p.getByTestId('field-counts');
      let tries = 0;
      for (; tries < 30; tries++) {
        // Wait until no sending is under way (or the page is being reloaded).
        await expect
          .poll(
            async () =>
              (await p
                .getByTestId('field-sync')
                .textContent({ timeout: 2_000 })
                .catch(() => '')) ?? '',
            { timeout: 60_000 },
          )
          .toBe('Send now');
        const text = (await counts.textContent({ timeout: 5_000 }).catch(() => '')) ?? '';
        if (text.includes('3 sent') && text.includes('0 waiting')) break;
        expect(text).toContain('0 refused');
        await p
          .getByTestId('field-sync')
          .click({ timeout: 5_000 })
          .catch(() => undefined);
        await p.waitForTimeout(200);
      }
      await context.unroute('**/api/v1/**');
      await expect.poll(() => counts.textContent(), { timeout: 30_000 }).toContain('3 sent');
      expect(await counts.textContent()).toContain('0 refused');
      console.log(`seed ${seed}: ${tries} tries, ${counter} requests; cuts: ${cuts.join('; ')}`);
      expect(cuts.some((c) => c.startsWith('reload'))).toBe(true);
      expect(cuts.length).toBeGreaterThan(1);
      if (seed === SEEDS[0]) await screenshot(p, `64-field-chaos-sent-${seed}-390`);

      // Exactly one report per draft, each submitted, nothing else made.
      const made = (await reportsOf(operator)).filter((r) => !before.has(r.id));
      expect(made.map((r) => r.clientId).sort()).toEqual([...clientIds].sort());
      expect(made.map((r) => r.kind).sort()).toEqual(['accident', 'activity', 'new_hazard']);
      expect(made.every((r) => r.status === 'submitted')).toBe(true);

      // The approver sees each of them once; the clearance carries the photo once, byte for byte.
      const approver = await tokenOf(baseUrl, DEMO_USERS.approver);
      const submitted = (
        await apiCall(baseUrl, approver, 'GET', '/api/v1/reports?status=submitted&limit=500')
      ).body.items as ReportItem[];
      for (const r of made) expect(submitted.filter((x) => x.id === r.id)).toHaveLength(1);
      for (const r of made) {
        const files = await apiCall(baseUrl, approver, 'GET', `/api/v1/reports/${r.id}/attachments`);
        const items = files.body.items as Array<{ sha256: string }>;
        if (r.kind === 'activity') {
          expect(items).toHaveLength(1);
          expect(items[0]!.sha256).toBe(photoSha);
          const download = await fetch(
            `${baseUrl}/api/v1/reports/${r.id}/attachments/${(items[0] as unknown as { id: string }).id}/content`,
            { headers: { Authorization: `Bearer ${approver}` } },
          );
          expect(download.status).toBe(200);
          expect(
            createHash('sha256')
              .update(Buffer.from(await download.arrayBuffer()))
              .digest('hex'),
          ).toBe(photoSha);
        } else expect(items).toHaveLength(0);
      }
      const activity = made.find((r) => r.kind === 'activity')!;
      const full = await apiCall(baseUrl, approver, 'GET', `/api/v1/reports/${activity.id}`);
      const changes = (full.body.payload as { changes: Array<{ register: string }> }).changes;
      expect(changes.filter((c) => c.register === 'land-release')).toHaveLength(1);
      expect(changes.filter((c) => c.register === 'findings')).toHaveLength(2);
      await context.close();
    }, 400_000);
  }
});
