import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newSession, type Session, screenshot, waitForMap } from './browser.ts';

// The report workflow in the browser: an operator drafts and submits a clearance report, the
// approver opens it from "to approve", sees it against the hazard on a map and approves;
// a rejection needs a reason; an import with one bad feature; cookie writes need the CSRF header.
const baseUrl = inject('baseUrl');
const OPERATOR = { email: 'operator@demo.safeground.org', password: 'demo-operator-2026' };
const APPROVER = { email: 'approver@demo.safeground.org', password: 'demo-approver-2026' };
const fixture = fileURLToPath(new URL('./fixtures/import-hazards.geojson', import.meta.url));

let browser: Browser;
let op: Session;
let ap: Session;
let hazardId = '';
const hazardName = `E2E workflow hazard ${Date.now()}`;
let reportCode = '';

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

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto('/');
  await p.waitForURL(/\/signin/);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Programme overview' }).waitFor();
}

/** A square of `halfDeg` around a centre, as the lines "lat, lon" the coordinates box takes. */
function squareText(lon: number, lat: number, halfDeg: number): string {
  return [
    [lat - halfDeg, lon - halfDeg],
    [lat - halfDeg, lon + halfDeg],
    [lat + halfDeg, lon + halfDeg],
    [lat + halfDeg, lon - halfDeg],
  ]
    .map(([a, b]) => `${a.toFixed(6)}, ${b.toFixed(6)}`)
    .join('\n');
}

beforeAll(async () => {
  // A hazard of our own (an authority's direct write), so the cleared square surely lies inside it.
  const admin = await token({ email: 'admin@demo.safeground.org', password: 'demo-admin-2026' });
  for (const who of [OPERATOR, APPROVER]) {
    const t = await token(who);
    await api(t, 'PATCH', '/api/v1/auth/me', { locale: 'en' });
  }
  const c = 46.93;
  const l = 39.93;
  const h = await api(admin, 'POST', '/api/v1/hazards', {
    type: 'Feature',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [c - 0.004, l - 0.004],
          [c + 0.004, l - 0.004],
          [c + 0.004, l + 0.004],
          [c - 0.004, l + 0.004],
          [c - 0.004, l - 0.004],
        ],
      ],
    },
    properties: { type: 'CHA', name: hazardName, deviceCategories: ['AP'] },
  });
  expect(h.status).toBe(201);
  hazardId = String(h.body.id ?? (h.body.properties as { id: string }).id);
  browser = await launch();
  op = await newSession(browser, baseUrl);
  ap = await newSession(browser, baseUrl);
});

afterAll(async () => {
  await browser?.close();
});

describe('report workflow in the browser', () => {
  it('keeps the session in cookies only: no token in storage, the session cookie unreadable', async () => {
    await signIn(op.page, OPERATOR);
    const seen = await op.page.evaluate(() => ({
      stored: Object.keys(localStorage).filter((k) => /token/i.test(k)),
      cookies: document.cookie,
    }));
    expect(seen.stored).toEqual([]);
    expect(seen.cookies).toMatch(/sg_csrf=/);
    expect(seen.cookies).not.toMatch(/sg_session=/);
    // A reload restores the session from the cookie.
    await op.page.reload();
    await op.page.getByRole('heading', { name: 'Programme overview' }).waitFor();
  });

  it('an operator drafts a clearance report with a polygon inside the hazard and submits it', async () => {
    const p = op.page;
    await p.goto('/reports/new');
    await p.getByRole('heading', { name: 'New report' }).waitFor();
    // The hazard picker searches the register by code or name.
    await p.locator('#r-hazard-search').fill(hazardName);
    await expect.poll(() => p.locator('#r-hazard option').count(), { timeout: 20_000 }).toBe(2);
    await p.locator('#r-hazard').selectOption(hazardId);
    await expect.poll(() => p.locator('#r-org').inputValue(), { timeout: 20_000 }).not.toBe('');
    await p.locator('#r-akind').selectOption('clearance');
    await p.locator('#r-end').fill('2025-06-01');
    const released = p.getByTestId('released-0');
    await released.getByTestId('coordinates-text').fill(squareText(46.93, 39.93, 0.001));
    await released.getByTestId('apply-coordinates').click();
    await waitForMap(p);
    await screenshot(p, '10-report-form');
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    const title = p.getByTestId('report-title');
    await title.waitFor();
    expect(await title.textContent()).toMatch(/draft/);
    reportCode = ((await title.textContent()) ?? '').split(' ')[0];
    expect(reportCode).toMatch(/\S/);
    await p.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(async () => (await title.textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/submitted/);
    // The operator may not read the audit history: told so politely, never refused with an error.
    await p.goto(`/registers/hazards/${hazardId}`);
    await p.getByTestId('history-not-available').waitFor();
  });

  it('the approver opens it from "to approve", sees before and after on the map, and approves', async () => {
    const p = ap.page;
    await signIn(p, APPROVER);
    await p.getByRole('link', { name: 'Reports' }).click();
    await p.getByRole('heading', { name: 'To approve' }).waitFor();
    await p.getByRole('link', { name: reportCode, exact: true }).click();
    await p.getByTestId('report-title').waitFor();
    // One map for the whole report: the hazard's outline arrives after the report itself.
    const legend = p.getByTestId('report-map-legend');
    await legend.waitFor();
    await expect
      .poll(async () => (await legend.textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/Hazard.*After/);
    expect(await p.locator('canvas.maplibregl-canvas').count()).toBe(1);
    await waitForMap(p);
    expect(await p.getByTestId('diff-table').count()).toBeGreaterThan(0);
    await screenshot(p, '11-report-review');
    await p.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(async () => (await p.getByTestId('report-title').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/approved/);
    await screenshot(p, '12-report-approved');
  });

  it('a rejection needs a reason, and shows it', async () => {
    const opToken = await token(OPERATOR);
    const created = await api(opToken, 'POST', '/api/v1/reports', {
      kind: 'hazard_status_change',
      dateOfInformation: '2025-06-02',
      reason: 'Clearance started',
      payload: {
        changes: [
          {
            op: 'update',
            register: 'hazards',
            id: hazardId,
            record: { type: 'Feature', properties: { status: 'in_progress' } },
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await api(opToken, 'POST', `/api/v1/reports/${id}/submit`, {})).status).toBe(200);
    const p = ap.page;
    await p.goto(`/reports/${id}`);
    await p.getByTestId('diff-table').waitFor();
    // The current record (the "before" column) loads after the report.
    await expect
      .poll(async () => (await p.getByTestId('diff-table').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/Before.*After/);
    await p.getByRole('button', { name: 'Reject' }).click();
    await p.getByTestId('confirm-reject').click();
    await p.getByText('Give a reason').waitFor();
    await p.getByLabel('Why is this report rejected?').fill('The status change lacks the task order.');
    await p.getByTestId('confirm-reject').click();
    await p.getByTestId('rejection-reason').waitFor();
    expect(await p.getByTestId('rejection-reason').textContent()).toBe(
      'The status change lacks the task order.',
    );
    expect(await p.getByTestId('report-title').textContent()).toMatch(/rejected/);
    await screenshot(p, '13-report-rejected');

    // The operator corrects the rejected report in the form that made it and submits it again.
    const o = op.page;
    await o.goto(`/reports/${id}`);
    await o.getByTestId('edit-report').click();
    await o.waitForURL(/\/edit$/);
    expect(await o.getByTestId('edit-rejection-reason').textContent()).toMatch(/lacks the task order/);
    await expect.poll(() => o.locator('#r-hazard').inputValue(), { timeout: 20_000 }).toBe(hazardId);
    expect(await o.locator('#r-status').inputValue()).toBe('in_progress');
    await o.locator('#r-reason').fill('Clearance started under task order TO-2025-17.');
    await screenshot(o, '13b-report-edit');
    await o.getByTestId('save-report').click();
    await o.waitForURL(new RegExp(`/reports/${id}$`));
    await o.getByText('Clearance started under task order TO-2025-17.').waitFor();
    await o.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(async () => (await o.getByTestId('report-title').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/submitted/);
    const after = await api(opToken, 'GET', `/api/v1/reports/${id}`);
    expect(after.body.reason).toBe('Clearance started under task order TO-2025-17.');
    expect(after.body.status).toBe('submitted');
  });

  it('imports a GeoJSON file with one bad feature and shows the summary and the rejects link', async () => {
    const p = ap.page;
    await p.getByRole('link', { name: 'Import' }).click();
    await p.getByRole('heading', { name: 'Import a file' }).waitFor();
    await p.locator('#imp-register').selectOption('hazards');
    await p.locator('#imp-file').setInputFiles(fixture);
    // A dry run first: it says how many rows would be imported, not "imported 0".
    await p.getByLabel('Dry run: check only, write nothing').check();
    await p.getByTestId('start-import').click();
    await p.locator('[data-testid="import-job"][data-status="done"]').waitFor({ timeout: 60_000 });
    expect(await p.getByTestId('count-would-import').textContent()).toBe('2');
    expect(await p.getByTestId('count-imported').count()).toBe(0);
    expect(await p.getByTestId('import-notice').textContent()).toMatch(/^Dry run: nothing was written/);
    // The rejected row's field by its label (the name it has in the file is added when it differs).
    expect(await p.getByTestId('import-rejects').locator('tbody td').nth(1).textContent()).toBe('Geometry');
    // The progress bar runs across the section, not the browser's default 10em.
    const bar = await p.locator('[data-testid="import-job"] progress').boundingBox();
    expect(bar?.width).toBeGreaterThan(400);
    await p.getByLabel('Dry run: check only, write nothing').uncheck();
    // Strict refuses the whole file for its one bad row, and says so in words, not as a CLI flag.
    await p.getByLabel('Strict: import nothing if any row is invalid').check();
    await p.getByTestId('start-import').click();
    await expect
      .poll(async () => (await p.getByTestId('import-notice').textContent()) ?? '', { timeout: 60_000 })
      .toBe('Strict: nothing was imported, because 1 row was rejected.');
    expect(await p.getByTestId('count-imported').textContent()).toBe('0');
    await p.getByLabel('Strict: import nothing if any row is invalid').uncheck();
    await p.getByTestId('start-import').click();
    await p.locator('[data-testid="import-job"][data-status="done"]').waitFor({ timeout: 60_000 });
    await p.getByTestId('count-imported').waitFor();
    expect(await p.getByTestId('count-read').textContent()).toBe('3');
    expect(await p.getByTestId('count-imported').textContent()).toBe('2');
    expect(await p.getByTestId('count-rejected').textContent()).toBe('1');
    const href = await p.getByTestId('rejects-href').getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/imports\/[0-9a-f-]+\/rejects\.csv$/);
    const csv = await p.evaluate(async (u) => (await fetch(u as string)).text(), href);
    expect(csv).toMatch(/geometry/);
    await screenshot(p, '14-import-summary');
  });

  it('refuses a write from the page without the CSRF header, accepts it with the header', async () => {
    const p = ap.page;
    const body = JSON.stringify({ locale: 'en' });
    const without = await p.evaluate(async (b) => {
      const r = await fetch('/api/v1/auth/me', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: b,
      });
      return { status: r.status, code: ((await r.json()) as { code?: string }).code };
    }, body);
    expect(without).toEqual({ status: 403, code: 'auth.csrf' });
    const withHeader = await p.evaluate(async (b) => {
      const csrf = /(?:^|;\s*)sg_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const r = await fetch('/api/v1/auth/me', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) },
        body: b,
      });
      return r.status;
    }, body);
    expect(withHeader).toBe(200);
  });

  it('signs out through the API and lands on the sign-in page', async () => {
    const p = op.page;
    await p.goto('/');
    // Tiles still loading when the session ends would rightly be refused (401): let the map settle first.
    await waitForMap(p);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.waitForURL(/\/signin/);
    expect(await p.evaluate(() => document.cookie)).not.toMatch(/sg_csrf=/);
    await p.goto('/reports/drafts');
    await p.waitForURL(/\/signin/);
  });

  it('logs no console errors beyond the refused write', () => {
    const failed = [...op.failedResponses, ...ap.failedResponses].filter(
      // A map tile still in flight when the user signs out is refused (401) once the session ends.
      (r) => !/^403 PATCH \S+\/api\/v1\/auth\/me$/.test(r) && !/^401 GET \S+\/tiles\//.test(r),
    );
    expect(failed).toEqual([]);
    const errors = [...op.errors, ...ap.errors].filter((e) => !/status of 403/.test(e));
    expect(errors).toEqual([]);
  });
});
