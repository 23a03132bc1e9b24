import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newSession, type Session, screenshot, waitForMap } from './browser.ts';

// Reports of real size in the browser: one WebGL map per page whatever the number of changes,
// every finding listed and drawn, the review of a 200-finding report, what a viewer is offered,
// and the report form on a phone.
const baseUrl = inject('baseUrl');
const ADMIN = { email: 'admin@demo.safeground.org', password: 'demo-admin-2026' };
const OPERATOR = { email: 'operator@demo.safeground.org', password: 'demo-operator-2026' };
const APPROVER = { email: 'approver@demo.safeground.org', password: 'demo-approver-2026' };
const VIEWER = { email: 'viewer@demo.safeground.org', password: 'demo-viewer-2026' };

let browser: Browser;
const sessions: Session[] = [];
let hazardId = '';
const hazardName = `E2E report map hazard ${Date.now()}`;
const C = { lon: 46.71, lat: 40.21 };

async function token(who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function api(bearer: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${bearer}`,
      'Content-Type': 'application/json',
      'Accept-Language': 'en',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
}

async function session(width: number, height: number): Promise<Session> {
  const s = await newSession(browser, baseUrl, width, height);
  sessions.push(s);
  return s;
}

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto('/');
  await p.waitForURL(/\/signin/);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Programme overview' }).waitFor();
}

const canvases = (p: Page) => p.locator('canvas.maplibregl-canvas').count();
const sideways = (p: Page) =>
  p.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth);

/** Position of finding i: a small grid inside the hazard, as "lat, lon". */
function findingPosition(i: number): string {
  const lon = C.lon - 0.003 + (i % 10) * 0.0006;
  const lat = C.lat - 0.003 + Math.floor(i / 10) * 0.0006;
  return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
}

async function chooseHazard(p: Page) {
  await p.locator('#r-hazard-search').fill(hazardName);
  await expect.poll(() => p.locator('#r-hazard option').count(), { timeout: 20_000 }).toBe(2);
  await p.locator('#r-hazard').selectOption(hazardId);
  await expect.poll(() => p.locator('#r-org').inputValue(), { timeout: 20_000 }).not.toBe('');
}

beforeAll(async () => {
  const admin = await token(ADMIN);
  for (const who of [OPERATOR, APPROVER, VIEWER]) {
    await api(await token(who), 'PATCH', '/api/v1/auth/me', { locale: 'en' });
  }
  const h = await api(admin, 'POST', '/api/v1/hazards', {
    type: 'Feature',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [C.lon - 0.005, C.lat - 0.005],
          [C.lon + 0.005, C.lat - 0.005],
          [C.lon + 0.005, C.lat + 0.005],
          [C.lon - 0.005, C.lat + 0.005],
          [C.lon - 0.005, C.lat - 0.005],
        ],
      ],
    },
    properties: { type: 'CHA', name: hazardName, deviceCategories: ['AP'] },
  });
  expect(h.status).toBe(201);
  hazardId = String(h.body.id ?? (h.body.properties as { id: string }).id);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('reports on one map', () => {
  it('an operator enters a 25-finding clearance report on one map', async () => {
    const { page: p } = await session(1280, 800);
    await signIn(p, OPERATOR);
    await p.goto('/reports/new');
    await p.getByRole('heading', { name: 'New report' }).waitFor();
    await chooseHazard(p);
    await p.locator('#r-end').fill('2025-07-01');
    const released = p.getByTestId('released-0');
    await released.getByTestId('coordinates-text').fill(
      [
        [C.lat - 0.001, C.lon - 0.001],
        [C.lat - 0.001, C.lon + 0.001],
        [C.lat + 0.001, C.lon + 0.001],
        [C.lat + 0.001, C.lon - 0.001],
      ]
        .map(([a, b]) => `${a.toFixed(6)}, ${b.toFixed(6)}`)
        .join('\n'),
    );
    await released.getByTestId('apply-coordinates').click();
    for (let i = 0; i < 25; i++) await p.getByTestId('add-finding').click();
    // A finding left without a position is a problem to fix, not dropped on save.
    await p.getByTestId('save-report').click();
    await p.getByTestId('error-summary').waitFor();
    expect(await p.getByTestId('error-summary').textContent()).toMatch(/Finding 1 has no position/);
    expect(p.url()).toMatch(/\/reports\/new$/);
    await waitForMap(p);
    // The first finding is placed with a click on the map, the others typed.
    await p.getByTestId('found-0').getByTestId('place-on-map').click();
    await p.getByTestId('map-mode').waitFor();
    const box = await p.locator('.report-map canvas').boundingBox();
    if (!box) throw new Error('no map canvas');
    await p.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(() => p.getByTestId('found-0').locator('.found-position input').inputValue())
      .toMatch(/\d/);
    for (let i = 1; i < 25; i++) {
      const input = p.getByTestId(`found-${i}`).locator('.found-position input');
      await input.fill(findingPosition(i));
      await input.press('Enter');
    }
    // Every register field of a finding is offered for the chosen one.
    await p.getByTestId('found-3').getByRole('button', { name: 'More fields' }).click();
    await p.getByTestId('found-3').getByLabel('Depth (cm)').fill('15');
    expect(await p.getByTestId('found-count').textContent()).toBe('25');
    expect(await p.locator('[data-testid^="found-"][data-key]').count()).toBe(25);
    expect(await canvases(p)).toBe(1);
    await screenshot(p, '20-report-form-25-findings-1280');
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    await p.getByTestId('report-title').waitFor();
    // The activity, one polygon and 25 findings: 27 changes on one map.
    await expect.poll(() => p.locator('[data-testid^="change-"][data-key]').count()).toBe(27);
    await waitForMap(p);
    expect(await canvases(p)).toBe(1);
    expect(await p.getByTestId('ref-value').first().textContent()).toBe(
      'the activity created by this report',
    );
    const stored = await api(
      await token(OPERATOR),
      'GET',
      p.url().replace(/^.*\/reports\//, '/api/v1/reports/'),
    );
    const changes = (
      stored.body.payload as { changes: Array<{ record: { properties: Record<string, unknown> } }> }
    ).changes;
    expect(changes.filter((c) => c.record?.properties?.depthCm === 15)).toHaveLength(1);
    await screenshot(p, '21-report-27-changes-1280');
  });

  it('a report with 200 findings opens in review with one map and draws', async () => {
    const op = await token(OPERATOR);
    const me = await api(op, 'GET', '/api/v1/auth/me');
    const organisationId = String((me.body.organisationId as string | null) ?? '');
    const changes: unknown[] = [
      {
        op: 'create',
        register: 'activities',
        ref: 'act',
        record: {
          type: 'Feature',
          geometry: null,
          properties: { kind: 'clearance', organisationId, hazardId, endDate: '2025-07-02' },
        },
      },
    ];
    for (let i = 0; i < 200; i++) {
      const [lat, lon] = findingPosition(i).split(', ').map(Number);
      changes.push({
        op: 'create',
        register: 'findings',
        record: {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [lon + (i % 3) * 0.0001, lat] },
          properties: {
            category: 'AP',
            quantity: 1,
            foundOn: '2025-07-02',
            hazardId,
            activityId: '@ref:act',
          },
        },
      });
    }
    const created = await api(op, 'POST', '/api/v1/reports', {
      kind: 'activity',
      dateOfInformation: '2025-07-02',
      payload: { changes },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await api(op, 'POST', `/api/v1/reports/${id}/submit`, {})).status).toBe(200);

    const { page: p } = await session(1280, 800);
    await signIn(p, APPROVER);
    await p.goto(`/reports/${id}`);
    await p.getByTestId('report-title').waitFor();
    await expect.poll(() => p.locator('[data-testid^="change-"][data-key]').count()).toBe(201);
    await waitForMap(p);
    expect(await canvases(p)).toBe(1);
    // A click on a change in the list selects it (and so highlights it on the map).
    await p.getByTestId('change-150').locator('.change-title').click();
    await expect.poll(() => p.getByTestId('change-150').getAttribute('class')).toMatch(/selected/);
    // The page stays responsive: selecting another change answers at once.
    const started = await p.evaluate(() => performance.now());
    await p.getByTestId('change-10').locator('.change-title').click();
    await expect.poll(() => p.getByTestId('change-10').getAttribute('class')).toMatch(/selected/);
    expect((await p.evaluate(() => performance.now())) - started).toBeLessThan(5_000);
    // Each finding's place reads latitude first, left to right, isolated from the page's direction.
    const places = p.locator('bdi.latlon[dir="ltr"]');
    expect(await places.count()).toBeGreaterThanOrEqual(200);
    expect(await places.first().textContent()).toMatch(/^\d+\.\d{6}, \d+\.\d{6}$/);
    await screenshot(p, '22-review-200-findings-1280');
  });

  it('a viewer is offered no write buttons on a record page and a list', async () => {
    const { page: p } = await session(1280, 800);
    await signIn(p, VIEWER);
    await p.goto(`/registers/hazards/${hazardId}`);
    await p.getByTestId('record-title').waitFor();
    for (const name of ['Edit', 'Archive', 'Upload', 'Link'])
      expect(await p.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await p.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
    await p.goto('/registers/hazards');
    await p.getByRole('heading', { name: 'Hazardous areas' }).waitFor();
    expect(await p.getByRole('link', { name: 'New record' }).count()).toBe(0);
    await screenshot(p, '23-viewer-list-1280');
    // The new report's address, typed: no form, a line saying the role may not.
    await p.goto('/reports/new');
    await p.getByTestId('page-forbidden').waitFor();
    expect(await p.getByRole('button', { name: 'Submit' }).count()).toBe(0);
    expect(await p.locator('#r-hazard').count()).toBe(0);
  });

  it('on a phone (390×844) nothing scrolls sideways and an operator completes and submits a report', async () => {
    const { page: p } = await session(390, 844);
    await signIn(p, OPERATOR);
    expect(await sideways(p)).toBeLessThanOrEqual(0);
    await screenshot(p, '30-dashboard-390');
    for (const path of ['/map', '/registers/hazards', `/registers/hazards/${hazardId}`, '/reports/drafts']) {
      await p.goto(path);
      await p.locator('main h1, main [data-testid="map"]').first().waitFor();
      await p.waitForLoadState('networkidle', { timeout: 20_000 }).catch(() => {});
      expect(await sideways(p), path).toBeLessThanOrEqual(0);
      await screenshot(p, `31-${path.split('/')[1] || 'home'}-${path.split('/').length}-390`);
    }
    // The menu is behind a button.
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('link', { name: 'Reports' }).first().waitFor();
    await screenshot(p, '32-menu-open-390');
    await p.goto('/reports/new');
    await p.getByRole('heading', { name: 'New report' }).waitFor();
    await chooseHazard(p);
    await p.locator('#r-end').fill('2025-07-03');
    await p.getByTestId('released-0').getByRole('button', { name: 'Remove' }).click();
    await p.getByTestId('add-finding').click();
    const input = p.getByTestId('found-0').locator('.found-position input');
    await input.fill(findingPosition(55));
    await input.press('Enter');
    await waitForMap(p);
    expect(await sideways(p)).toBeLessThanOrEqual(0);
    expect(await canvases(p)).toBe(1);
    await screenshot(p, '33-report-form-390');
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    const title = p.getByTestId('report-title');
    await title.waitFor();
    await p.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(async () => (await title.textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/submitted/);
    expect(await sideways(p)).toBeLessThanOrEqual(0);
    await screenshot(p, '34-report-submitted-390');
  });

  it('logs no console errors', () => {
    expect(sessions.flatMap((s) => s.errors)).toEqual([]);
    expect(sessions.flatMap((s) => s.failedResponses)).toEqual([]);
  });
});
