import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiCall,
  apiToken,
  DEMO_ADMIN,
  DEMO_USERS,
  launch,
  newSession,
  type Session,
  screenshot,
  signIn as signInAs,
  waitForMap,
} from './browser.ts';

// A new user's path through the web application, in Debian's Chromium against the real
// server: sign in, draw a hazard, find it, meet a validation problem and an edit conflict,
// read the page in Arabic. Screenshots of the main pages go to test-results/e2e/.
const baseUrl = inject('baseUrl');
const hazardName = `E2E drawn hazard ${Date.now()}`;
let browser: Browser;
let s: Session;
let page: Page;
let hazardPath = '';

async function signIn(p: Page) {
  await p.goto('/');
  await p.waitForURL(/\/signin/);
  await p.getByLabel('Email').fill(DEMO_ADMIN.email);
  await p.getByLabel('Password').fill(DEMO_ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Programme overview' }).waitFor();
}

/** Clicks the corners of a square in the middle of the form's map, then finishes with Enter. */
async function drawSquare(p: Page) {
  const canvas = p.locator('[data-testid="geometry-editor"] canvas.maplibregl-canvas');
  await canvas.waitFor();
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no map canvas');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const d = Math.min(box.width, box.height) / 5;
  for (const [x, y] of [
    [cx - d, cy - d],
    [cx + d, cy - d],
    [cx + d, cy + d],
    [cx - d, cy + d],
  ]) {
    await p.mouse.move(x, y);
    await p.mouse.click(x, y);
    await p.waitForTimeout(150);
  }
  // Clicking the first corner again closes the ring.
  await p.mouse.move(cx - d, cy - d);
  await p.mouse.click(cx - d, cy - d);
}

/** The administrator's API token, for reading what the pages should show. */
let adminToken: string;
/** A GET on the API as the administrator: the answer's body. */
const read = async (path: string) => (await apiCall(baseUrl, adminToken, 'GET', path)).body;

beforeAll(async () => {
  // The interface language is kept per user; start from English whatever an earlier run left.
  const token = await apiToken(baseUrl);
  adminToken = token;
  await fetch(`${baseUrl}/api/v1/auth/me`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ locale: 'en' }),
  });
  browser = await launch();
  s = await newSession(browser, baseUrl);
  page = s.page;
});

afterAll(async () => {
  await browser?.close();
});

describe('web application', () => {
  it('signs in and shows the dashboard figures and map', async () => {
    await signIn(page);
    await page.getByTestId('card-open-hazards').waitFor();
    expect(await page.getByTestId('card-open-hazards').textContent()).toMatch(/Open hazardous area/);
    await waitForMap(page);
    await screenshot(page, '01-dashboard');
  });

  it('draws a hazard polygon on the map and saves it', async () => {
    await page.goto('/registers/hazards/new');
    await page.getByRole('heading', { name: /New record/ }).waitFor();
    await waitForMap(page);
    await page.getByLabel('Name', { exact: true }).fill(hazardName);
    await page.getByLabel(/^Type/).selectOption('CHA');
    // Zoom the form's map in towards field scale, so the drawn hazard is hectares, not a province.
    const canvas = page.locator('[data-testid="geometry-editor"] canvas.maplibregl-canvas');
    const box = await canvas.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 6; i++) {
        await page.mouse.wheel(0, -500);
        await page.waitForTimeout(300);
      }
      await page.waitForTimeout(1000);
    }
    await page.getByTestId('draw-polygon').click();
    await drawSquare(page);
    // The drawn ring is written back as typed coordinates: four corners, one per line.
    await expect
      .poll(async () => (await page.getByTestId('coordinates-text').inputValue()).split('\n').length)
      .toBe(4);
    await screenshot(page, '02-hazard-drawn');
    await page.getByTestId('save').click();
    await page.waitForURL(/\/registers\/hazards\/[0-9a-f-]{36}$/);
    hazardPath = new URL(page.url()).pathname;
    await page.getByTestId('record-title').waitFor();
    expect(await page.getByTestId('record-title').textContent()).toContain(hazardName);
    expect(await page.getByTestId('record-title').textContent()).toMatch(/HA-\d+/);
    await waitForMap(page);
    await page.getByRole('heading', { name: 'Change history' }).waitFor();
    await page.locator('.history li').first().waitFor();
    await screenshot(page, '03-hazard-record');
  });

  it('finds the new hazard in the list', async () => {
    await page.goto(`/registers/hazards?q=${encodeURIComponent(hazardName)}`);
    const row = page.locator('table.records tbody tr', { hasText: hazardName });
    await row.waitFor();
    expect(await row.count()).toBe(1);
    await page.goto('/registers/hazards');
    await page.locator('table.records tbody tr').first().waitFor();
    await screenshot(page, '04-hazard-list');
  });

  it('finds the new hazard on the map, drawn from the vector tiles', async () => {
    await page.goto('/map');
    await waitForMap(page);
    await page.getByRole('searchbox').fill(hazardName);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.getByTestId('search-results').getByRole('button', { name: new RegExp(hazardName) });
    await hit.click();
    await page.getByTestId('record-panel').waitFor();
    // Close the panel opened by the search, then click the middle of the map, where the map
    // was fitted to the hazard: the panel must open again from the tile feature itself.
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForTimeout(1500);
    await page.waitForLoadState('networkidle').catch(() => {});
    const canvas = page.locator('.explorer-map canvas.maplibregl-canvas');
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no map canvas');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page
      .getByTestId('record-panel')
      .getByRole('heading', { name: new RegExp(hazardName) })
      .waitFor();
    await screenshot(page, '05-map-explorer');
  });

  it('explains an invalid polygon next to the vertex at fault', async () => {
    await page.goto('/registers/hazards/new');
    await page.getByLabel(/^Type/).selectOption('SHA');
    // A bow-tie: the second and fourth corners swapped, so two edges cross.
    await page.getByTestId('coordinates-text').fill('40.00, 45.00\n40.01, 45.01\n40.00, 45.01\n40.01, 45.00');
    await page.getByTestId('apply-coordinates').click();
    await page.getByTestId('save').click();
    const problem = page.getByTestId('geometry-problem').first();
    await problem.waitFor();
    const text = (await problem.textContent()) ?? '';
    expect(text).toMatch(/Corner \d+ \(line \d+\)/);
    expect(text).toMatch(/cross/i);
    await page.getByTestId('error-summary').waitFor();
    expect(page.url()).toMatch(/\/registers\/hazards\/new$/);
    await screenshot(page, '06-invalid-polygon');
  });

  it('explains an edit conflict and reloads the current version', async () => {
    expect(hazardPath).not.toBe('');
    const id = hazardPath.split('/').pop();
    await page.goto(`${hazardPath}/edit`);
    const name = page.getByLabel('Name', { exact: true });
    await name.waitFor();
    // Someone else changes the record after the page loaded it.
    const token = await apiToken(baseUrl);
    const current = await fetch(`${baseUrl}/api/v1/hazards/${id}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const etag = current.headers.get('ETag') ?? '';
    const changed = await fetch(`${baseUrl}/api/v1/hazards/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': etag },
      body: JSON.stringify({ type: 'Feature', properties: { name: `${hazardName} (changed elsewhere)` } }),
    });
    expect(changed.status).toBe(200);
    await name.fill(`${hazardName} (my edit)`);
    await page.getByTestId('save').click();
    await page.getByTestId('conflict').waitFor();
    expect(await page.getByTestId('conflict').textContent()).toMatch(/Someone else changed this record/);
    await screenshot(page, '07-edit-conflict');
    await page.getByTestId('conflict-reload').click();
    await expect
      .poll(() => page.getByLabel('Name', { exact: true }).inputValue())
      .toBe(`${hazardName} (changed elsewhere)`);
  });

  it('opens a demo minefield record: its readings on a map, and the score naming the stated one', async () => {
    await page.goto('/registers/minefield-records?q=%28demo%29');
    await page
      .getByRole('row', { name: /Minefield No\. 14 \(demo\)/ })
      .first()
      .getByRole('link')
      .click();
    await page.getByTestId('minefield-decode').waitFor();
    await waitForMap(page);
    await expect.poll(() => page.getByTestId('reading').count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await page.getByTestId('score').click();
    await page.getByTestId('score-figures').waitFor({ timeout: 60_000 });
    const best = page.getByTestId('reading').filter({ hasText: 'best supported' });
    await expect.poll(() => best.count()).toBe(1);
    expect(await best.textContent()).toMatch(/magnetic/);
    await screenshot(page, '08b-minefield-record');
  });

  it('switches to Arabic, right to left, and back', async () => {
    await page.goto('/');
    await page.getByTestId('language').selectOption('ar');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    await page.getByRole('heading', { name: 'نظرة عامة على البرنامج' }).waitFor();
    await waitForMap(page);
    await screenshot(page, '08-dashboard-arabic');
    await page.goto('/registers/hazards');
    await page.locator('table.records tbody tr').first().waitFor();
    await screenshot(page, '09-hazard-list-arabic');
    // A task order's priority at issue is a value inside a value (its hazards inside it): with the
    // longer Arabic labels each value keeps a readable width, not a letter a line.
    const order = ((await read('/api/v1/task-orders?limit=1&q=demo')).items as { id: string }[])[0]!;
    await page.goto(`/registers/task-orders/${order.id}`);
    const nested = page.locator('.value-fields .value-fields dd');
    await expect.poll(() => nested.count(), { timeout: 15_000 }).toBeGreaterThan(2);
    // Inside another value, each label stands above its value, both the full width of the list.
    const rows = await nested.evaluateAll((dds) =>
      dds.map((dd) => {
        const dt = dd.previousElementSibling!.getBoundingClientRect();
        const d = dd.getBoundingClientRect();
        return {
          below: d.top >= dt.bottom - 1,
          width: d.width,
          dl: dd.closest('dl')!.getBoundingClientRect().width,
        };
      }),
    );
    for (const r of rows) {
      expect(r.below).toBe(true);
      expect(r.width).toBeGreaterThan(r.dl * 0.9);
    }
    // Links to other records are isolated, so a label in Latin script that starts with a number
    // ("82 mm mortar bomb") keeps its order on a right-to-left page.
    const links = page.locator('.fields dd a[href^="/registers/"]');
    expect(await links.count()).toBeGreaterThan(2);
    expect(await links.evaluateAll((as) => as.filter((a) => !a.querySelector('bdi')).length)).toBe(0);
    await screenshot(page, '09b-task-order-arabic');
    // A register without codes opens its records by their first column (the ordnance model), not by
    // a "Code" column of id fragments; the models, in Latin script, are isolated in their cells.
    await page.goto('/registers/ordnance');
    await page.locator('table.records tbody tr').first().waitFor();
    expect(await page.locator('table.records thead th').first().textContent()).toContain('الطراز');
    const opened = await page.locator('table.records tbody tr td:first-child a').allTextContents();
    expect(opened.length).toBeGreaterThan(5);
    expect(opened.filter((text) => /^[0-9a-f]{8}$/.test(text))).toEqual([]);
    expect(
      await page.locator('table.records tbody td a bdi', { hasText: /^\d+ mm / }).count(),
    ).toBeGreaterThan(0);
    // The choice is kept for the user: a fresh load stays in Arabic.
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByTestId('language').selectOption('en');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('ltr');
  });

  it('writes dates in the reader language on the planning pages, never as ISO text', async () => {
    const iso = /\b\d{4}-\d{2}-\d{2}\b/;
    await page.goto('/readiness?asAt=2025-03-04');
    await expect.poll(() => page.locator('p.muted').first().textContent()).toContain('As at Mar 4, 2025');
    expect(await page.locator('main').textContent()).not.toMatch(iso);
    await page.goto('/priorities?asAt=2025-03-04');
    await expect.poll(() => page.locator('form p.muted').first().textContent()).toMatch(/as at Mar 4, 2025,/);
    expect(await page.locator('main').textContent()).not.toMatch(iso);
    // The board's task orders show their planned dates; an order's page its progress.
    await page.goto('/planning/board?from=2026-01&to=2026-12');
    await page.locator('.board-order:visible').first().waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(iso);
    await page.locator('.board-order:visible').first().click();
    await page.getByText('Planned', { exact: true }).first().waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(iso);
    // The provenance of a demo hazard's devices: found-on dates, bounds, lots' date ranges.
    const hazardId = ((await read('/api/v1/hazards?q=HA-000001')).features as { id: string }[])[0]!.id;
    await page.goto(`/provenance/hazards/${hazardId}`);
    await page.locator('#prov-findings-h').waitFor();
    await expect
      .poll(() => page.locator('main').textContent())
      .toMatch(/Found on [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    expect(await page.locator('main').textContent()).not.toMatch(iso);
  });

  it('tells a viewer or an operator who opens the address of a form the role may not use what it may do, with no form', async () => {
    const viewer = await newSession(browser, baseUrl, 390, 844);
    await signInAs(viewer.page, DEMO_USERS.viewer);
    await viewer.page.goto('/registers/hazards/new');
    await viewer.page.getByText('Your role can read this register but not change it.').waitFor();
    expect(await viewer.page.locator('main form').count()).toBe(0);
    expect(await viewer.page.getByRole('link', { name: 'New report' }).count()).toBe(0);
    await screenshot(viewer.page, '10-viewer-new-record-390');
    // Nor the import form or the ODK keys, which the server would refuse; their own devices only.
    for (const path of ['/import', '/odk']) {
      await viewer.page.goto(path);
      await viewer.page.getByTestId('page-forbidden').waitFor();
      expect(await viewer.page.locator('main form, main input[type="file"]').count()).toBe(0);
    }
    await viewer.page.goto('/devices');
    await viewer.page.getByText('Only an administrator can revoke one').waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await viewer.page.context().close();
    // An operator's changes go through a report: told so, with the way there.
    const operator = await newSession(browser, baseUrl, 390, 844);
    await signInAs(operator.page, DEMO_USERS.operator);
    await operator.page.goto('/registers/hazards/new');
    await operator.page.getByText('Changes from your role go through a report').waitFor();
    expect(await operator.page.locator('main form').count()).toBe(0);
    await operator.page.getByRole('link', { name: 'New report' }).click();
    await operator.page.waitForURL(/\/reports\/new$/);
    await operator.page.context().close();
  });

  it("edits a QA visit's non-conformities as rows, each severity chosen from its list", async () => {
    type Visit = { id: string; nonConformities: { description: string; severity: string }[] };
    const list = await read('/api/v1/qa-visits?limit=20&q=demo');
    const visit = ((list.items ?? []) as Visit[]).find((v) => (v.nonConformities?.length ?? 0) > 1)!;
    await page.goto(`/registers/qa-visits/${visit.id}/edit`);
    const rows = page.getByTestId('nonConformities-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(visit.nonConformities.length);
    expect(await rows.first().locator('select').inputValue()).toBe(visit.nonConformities[0]!.severity);
    // The description (up to 2 000 characters) takes the row's width, not a narrow column.
    const [input, row] = await Promise.all([
      rows.first().locator('input[type="text"]').first().boundingBox(),
      rows.first().boundingBox(),
    ]);
    expect(input!.width).toBeGreaterThan(row!.width * 0.8);
    await rows.first().locator('select').selectOption({ label: 'Observation' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/registers/qa-visits/${visit.id}$`));
    const after = (await read(`/api/v1/qa-visits/${visit.id}`)) as unknown as Visit;
    expect(after.nonConformities).toEqual([
      { ...visit.nonConformities[0], severity: 'observation' },
      ...visit.nonConformities.slice(1),
    ]);
  });

  it("enters a session's beneficiaries in a table by sex and age band, with totals, and shows it as one", async () => {
    type Session = {
      id: string;
      beneficiaries: Record<string, Record<string, number>>;
      beneficiariesTotal: number;
    };
    const list = await read('/api/v1/risk-education?limit=1&sort=code');
    const session = (list.features as { properties: Session }[])[0]!.properties;
    await page.goto(`/registers/risk-education/${session.id}/edit`);
    const table = page.getByTestId('beneficiaries-table');
    await table.waitFor();
    // The demo counts bands 5-12, 13-17 and 18+, and no others are offered beside them.
    expect(await table.locator('thead th').allTextContents()).toEqual([
      'Sex',
      '5–12',
      '13–17',
      '18+',
      'Total',
    ]);
    await table
      .getByLabel('Female, 5–12', { exact: true })
      .fill(String((session.beneficiaries.female?.['5-12'] ?? 0) + 7));
    await page.locator('#f-beneficiaries-band').fill('0-4');
    await page.getByTestId('beneficiaries-add-band').click();
    await table.getByLabel('Male, 0–4', { exact: true }).fill('2');
    await expect
      .poll(() => page.getByTestId('beneficiaries-total').textContent())
      .toBe(String(session.beneficiariesTotal + 9));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/registers/risk-education/${session.id}$`));
    const after = (await read(`/api/v1/risk-education/${session.id}`)).properties as Session;
    expect(after.beneficiaries).toEqual({
      ...session.beneficiaries,
      female: { ...session.beneficiaries.female, '5-12': (session.beneficiaries.female?.['5-12'] ?? 0) + 7 },
      male: { ...session.beneficiaries.male, '0-4': 2 },
    });
    expect(after.beneficiariesTotal).toBe(session.beneficiariesTotal + 9);
    // The record's page shows the same table, read only.
    const shown = page.getByTestId('beneficiaries-table');
    await expect.poll(() => shown.locator('thead th').allTextContents()).toContain('0–4');
    expect(await shown.locator('input').count()).toBe(0);
  });

  it("edits a project's donors with their contributions as numbers", async () => {
    type Donor = { name?: string; amount?: number; currency?: string; organisationId?: string };
    type Project = { id: string; donors: Donor[] };
    const list = await read('/api/v1/projects?limit=20');
    const project = (list.items as Project[]).find((x) => (x.donors?.length ?? 0) > 0)!;
    await page.goto(`/registers/projects/${project.id}/edit`);
    const rows = page.getByTestId('donors-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(project.donors.length);
    await rows.first().getByLabel('Amount').fill('1250000.5');
    await page.getByTestId('donors-add').click();
    const added = rows.last();
    await added.getByLabel('Name').fill('E2E donor');
    await added.getByLabel('Amount').fill('1000');
    await added.getByLabel('Currency').fill('EUR');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/registers/projects/${project.id}$`));
    const after = (await read(`/api/v1/projects/${project.id}`)) as unknown as Project;
    expect(after.donors).toEqual([
      { ...project.donors[0], amount: 1_250_000.5 },
      ...project.donors.slice(1),
      { name: 'E2E donor', amount: 1000, currency: 'EUR' },
    ]);
  });

  it("takes a casualty's protected identity in its own inputs, never shows it back, and replaces only the parts filled in", async () => {
    const list = await read('/api/v1/casualties?limit=1&sort=code');
    const id = (list.items as { id: string }[])[0]!.id;
    const save = async () => {
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(new RegExp(`/registers/casualties/${id}$`));
    };
    await page.goto(`/registers/casualties/${id}/edit`);
    await page.locator('#f-identity-name').fill('E2E Person');
    await page.locator('#f-identity-address').fill('12 Demo Street');
    await save();
    expect((await read(`/api/v1/casualties/${id}?identity=true`)).identity).toMatchObject({
      name: 'E2E Person',
      address: '12 Demo Street',
    });
    await page.goto(`/registers/casualties/${id}/edit`);
    await page.getByTestId('identity-kept').waitFor();
    expect(await page.locator('#f-identity-name').inputValue()).toBe('');
    await page.locator('#f-identity-dateOfBirth').fill('1990-03-04');
    await save();
    expect((await read(`/api/v1/casualties/${id}?identity=true`)).identity).toMatchObject({
      name: 'E2E Person',
      address: '12 Demo Street',
      dateOfBirth: '1990-03-04',
    });
    // On the record's page it is read only when asked for, by a role allowed to read it, and
    // each read is a new entry in the record's history.
    const identityReads = () => page.locator('ol.history li', { hasText: 'Identity read' }).count();
    // The reads above through the API are in the history once the page is read after them.
    await page.reload();
    await page.locator('ol.history').waitFor();
    const readsBefore = await identityReads();
    await page.getByTestId('identity-show').click();
    await expect.poll(() => page.getByTestId('identity-shown').textContent()).toContain('12 Demo Street');
    await expect.poll(identityReads).toBe(readsBefore + 1);
    // In the form, read on request: a part emptied is cleared, the others kept.
    await page.goto(`/registers/casualties/${id}/edit`);
    await page.getByTestId('identity-load').click();
    await expect.poll(() => page.locator('#f-identity-name').inputValue()).toBe('E2E Person');
    await page.locator('#f-identity-address').fill('');
    await save();
    const after = (await read(`/api/v1/casualties/${id}?identity=true`)).identity as Record<string, unknown>;
    expect(after).toMatchObject({ name: 'E2E Person', dateOfBirth: '1990-03-04' });
    expect(after.address ?? null).toBeNull();
    // A viewer is told the identity is protected, not shown an empty value.
    const viewer = await newSession(browser, baseUrl, 1280, 800);
    await signInAs(viewer.page, DEMO_USERS.viewer);
    await viewer.page.goto(`/registers/casualties/${id}`);
    await viewer.page.getByText('Protected: not shown to your role.').waitFor();
    expect(await viewer.page.getByTestId('identity-show').count()).toBe(0);
    await viewer.page.context().close();
  });

  it("edits a model's other names and a settlement's names by language, each language once", async () => {
    type Model = { id: string; aliases?: string[] };
    const models = await read('/api/v1/ordnance?limit=50');
    const model = (models.items as Model[]).find((m) => (m.aliases?.length ?? 0) > 0)!;
    await page.goto(`/registers/ordnance/${model.id}/edit`);
    await page.getByTestId('aliases-add').click();
    await page.getByTestId('aliases-row').last().locator('input').fill('E2E alias');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/registers/ordnance/${model.id}$`));
    expect((await read(`/api/v1/ordnance/${model.id}`)).aliases).toEqual([...model.aliases!, 'E2E alias']);

    type Place = { id: string; names?: Record<string, string> };
    const places = await read('/api/v1/settlements?limit=20');
    const place = (places.features as { properties: Place }[])
      .map((f) => f.properties)
      .find((x) => Object.keys(x.names ?? {}).includes('en'))!;
    await page.goto(`/registers/settlements/${place.id}/edit`);
    const rows = page.getByTestId('names-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(Object.keys(place.names!).length);
    await page.getByTestId('names-add').click();
    await rows.last().getByLabel('Language').fill('en');
    await rows.last().getByLabel('Name').fill('E2E place');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('problem-names').textContent()).toContain('each language once');
    await rows.last().getByLabel('Language').fill('fr');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`/registers/settlements/${place.id}$`));
    expect(((await read(`/api/v1/settlements/${place.id}`)).properties as Place).names).toEqual({
      ...place.names,
      fr: 'E2E place',
    });
  });

  it('adds a piece of evidence to a hazard with the place it was seen, typed', async () => {
    await page.goto(`${hazardPath}/edit`);
    await page.getByTestId('evidence-add').click();
    const row = page.getByTestId('evidence-row').last();
    await row.getByLabel('Type').selectOption({ label: 'Device seen' });
    await row.getByLabel('Description').fill('E2E: a PMN-2 seen by a shepherd');
    await row.getByLabel('Location').fill('40.1, 44.5');
    await row.getByLabel('Location').press('Tab');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(new RegExp(`${hazardPath}$`));
    // The record's map shows where it was seen, named in a legend.
    await page.getByTestId('legend-evidence').waitFor();
    const after = await read(`/api/v1/hazards/${hazardPath.split('/').pop()}`);
    expect((after.properties as { evidence: unknown[] }).evidence.at(-1)).toEqual({
      type: 'device_seen',
      description: 'E2E: a PMN-2 seen by a shepherd',
      location: { type: 'Point', coordinates: [44.5, 40.1] },
    });
  });

  it('saves a record untouched without sending a change: stored nulls and key order are not changes', async () => {
    // A demo hazard whose evidence holds a part stored as null (no place).
    type Hazard = { id: string; properties: { evidence?: Array<Record<string, unknown>> } };
    const list = await read('/api/v1/hazards?limit=200&q=demo');
    const hazard = (list.features as Hazard[]).find((h) =>
      (h.properties.evidence ?? []).some((e) => e.location === null),
    )!;
    const session = (await read('/api/v1/risk-education?limit=1&sort=code')).features as Array<{
      id: string;
    }>;
    for (const path of [`/registers/hazards/${hazard.id}`, `/registers/risk-education/${session[0]!.id}`]) {
      await page.goto(`${path}/edit`);
      await page.getByRole('button', { name: 'Save' }).waitFor();
      await page.waitForTimeout(500);
      const [patch] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'PATCH'),
        page.getByRole('button', { name: 'Save' }).click(),
      ]);
      expect(patch.postDataJSON().properties, path).toEqual({});
      await page.waitForURL(new RegExp(`${path}$`));
    }
  });

  it('logs no console errors along the way', () => {
    // 412 and 400 responses are expected above; the browser logs failed requests as errors.
    const unexpected = s.errors.filter((e) => !/status of (400|412)/.test(e));
    const failed = s.failedResponses.filter(
      (r) => !/^(400 POST \S+\/api\/v1\/hazards|412 PATCH \S+\/api\/v1\/hazards\/)/.test(r),
    );
    expect(failed).toEqual([]);
    expect(unexpected).toEqual([]);
  });
});
