import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newSession, screenshot } from './browser.ts';

// The approval's problems while a report is made: an operator enters a land-release polygon
// partly outside its hazard and sees the problem, and the polygon in the problem colour, before
// submitting.
const baseUrl = inject('baseUrl');
const ADMIN = { email: 'admin@demo.safeground.org', password: 'demo-admin-2026' };
const OPERATOR = { email: 'operator@demo.safeground.org', password: 'demo-operator-2026' };
const hazardName = `E2E check hazard ${Date.now()}`;
const C = { lon: 46.61, lat: 40.31 };
let hazardId = '';
let browser: Browser;

async function token(who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  const res = await fetch(`${baseUrl}/api/v1/hazards`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await token(ADMIN)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [C.lon - 0.002, C.lat - 0.002],
            [C.lon + 0.002, C.lat - 0.002],
            [C.lon + 0.002, C.lat + 0.002],
            [C.lon - 0.002, C.lat + 0.002],
            [C.lon - 0.002, C.lat - 0.002],
          ],
        ],
      },
      properties: { type: 'CHA', name: hazardName, deviceCategories: ['AP'] },
    }),
  });
  expect(res.status).toBe(201);
  hazardId = ((await res.json()) as { id: string }).id;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('the check while a report is made', () => {
  it('shows a polygon partly outside its hazard as a problem before the report is submitted', async () => {
    const { page: p } = await newSession(browser, baseUrl, 1280, 800);
    await p.goto('/');
    await p.waitForURL(/\/signin/);
    await p.getByLabel('Email').fill(OPERATOR.email);
    await p.getByLabel('Password').fill(OPERATOR.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Programme overview' }).waitFor();
    await p.goto('/reports/new');
    await p.locator('#r-hazard-search').fill(hazardName);
    await expect.poll(() => p.locator('#r-hazard option').count(), { timeout: 20_000 }).toBe(2);
    await p.locator('#r-hazard').selectOption(hazardId);
    await expect.poll(() => p.locator('#r-org').inputValue(), { timeout: 20_000 }).not.toBe('');
    // Half of the polygon lies east of the hazard.
    const released = p.getByTestId('released-0');
    await released.getByTestId('coordinates-text').fill(
      [
        [C.lat - 0.001, C.lon + 0.001],
        [C.lat - 0.001, C.lon + 0.003],
        [C.lat + 0.001, C.lon + 0.003],
        [C.lat + 0.001, C.lon + 0.001],
      ]
        .map(([a, b]) => `${a!.toFixed(6)}, ${b!.toFixed(6)}`)
        .join('\n'),
    );
    await released.getByTestId('apply-coordinates').click();
    await p.getByTestId('save-report').click();
    // The draft is saved and stays open with the approval's problem beside the polygon.
    await p.waitForURL(/\/reports\/[0-9a-f-]+\/edit$/, { timeout: 30_000 });
    const check = p.getByTestId('form-check');
    await expect.poll(() => check.textContent(), { timeout: 30_000 }).toMatch(/m² outside hazard/);
    expect(await p.getByTestId('released-0').textContent()).toMatch(/m² outside hazard/);
    await p.getByTestId('legend-problem').waitFor();
    await screenshot(p, 'report-check-1280');
    await p.setViewportSize({ width: 390, height: 844 });
    await screenshot(p, 'report-check-390');
    // Submission checks first: the report is not sent while the approval would refuse it.
    await p.getByRole('link', { name: 'Open the report to submit it' }).click();
    await p.getByRole('button', { name: 'Submit' }).click();
    await p.getByTestId('check-result').waitFor();
    expect(await p.getByTestId('check-result').textContent()).toMatch(/m² outside hazard/);
  });
});
