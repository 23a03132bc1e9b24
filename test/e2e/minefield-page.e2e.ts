import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newSession, type Session, screenshot, waitForMap } from './browser.ts';

// A demo minefield record as people read it: the legs and rows as tables, the readings in words,
// the failed readings summarised, one map, the scores with what they mean, and an approver
// adopting a reading, which lands in the record's history.
const baseUrl = inject('baseUrl');
const APPROVER = { email: 'approver@demo.safeground.org', password: 'demo-approver-2026' };
const VIEWER = { email: 'viewer@demo.safeground.org', password: 'demo-viewer-2026' };
const GRID = 'ref=grid,angle=mil6000,dist=pace,dir=forward';

let browser: Browser;
const sessions: Session[] = [];
let recordId = '';

async function token(who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto('/');
  await p.waitForURL(/\/signin/);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Programme overview' }).waitFor();
}

async function session(width: number, height: number): Promise<Session> {
  const s = await newSession(browser, baseUrl, width, height);
  sessions.push(s);
  return s;
}

beforeAll(async () => {
  for (const who of [APPROVER, VIEWER]) {
    const bearer = await token(who);
    await fetch(`${baseUrl}/api/v1/auth/me`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ locale: 'en' }),
    });
  }
  const bearer = await token(APPROVER);
  const res = await fetch(`${baseUrl}/api/v1/minefield-records?limit=10&sort=code`, {
    headers: { Authorization: `Bearer ${bearer}` },
  });
  const list = (await res.json()) as { features: Array<{ id: string }> };
  // The last demo record, so the other browser tests see the first ones as the demo made them.
  recordId = list.features.at(-1)!.id;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('a minefield record for people', () => {
  it('shows the legs and rows as tables and the readings in words, on one map', async () => {
    const { page: p, errors } = await session(1280, 800);
    await signIn(p, APPROVER);
    await p.goto(`/registers/minefield-records/${recordId}`);
    const legs = p.getByTestId('legs-table');
    await legs.waitFor();
    // Landmark → reference point, reference point → TP1, four perimeter legs, the closing leg.
    await expect.poll(() => legs.locator('tbody tr').count(), { timeout: 30_000 }).toBe(6);
    expect(await legs.locator('thead').textContent()).toContain('Bearing (magnetic, “15-50”)');
    expect(await legs.locator('tbody tr').last().textContent()).toContain('closing leg');
    // The bearings as the record writes them, and the metres of the reading shown.
    expect(await legs.locator('tbody tr').first().locator('td').nth(2).textContent()).toMatch(
      /^\d{1,2}-\d{2}$/,
    );
    await expect
      .poll(() => legs.locator('tbody tr').first().locator('td').nth(7).textContent(), { timeout: 60_000 })
      .toMatch(/\d/);
    expect(await p.getByTestId('rows-table').locator('tbody tr').count()).toBe(2);
    expect(await p.getByTestId('record-notation').textContent()).toContain('paces of 0.75 m');
    // No JSON of the record on the page.
    expect(await p.locator('main').textContent()).not.toContain('"bearing"');

    const readings = p.getByTestId('reading');
    await expect.poll(() => readings.count(), { timeout: 60_000 }).toBeGreaterThan(1);
    const words = await readings.locator('.reading-words').allTextContents();
    expect(words).toContain('magnetic bearings, mils of 6000, paces of 0.75 m, as written');
    expect(words).toContain('grid bearings, mils of 6000, paces of 0.75 m');
    expect(words.some((w) => w.includes('read as back-bearings'))).toBe(true);
    expect(words.join(' ')).not.toMatch(/ref=|dist=/);

    // The readings that fail are summarised once, with the details on demand.
    const groups = p.getByTestId('problem-group');
    expect(await groups.count()).toBeGreaterThan(0);
    const group = groups.first();
    expect(await group.locator('summary').textContent()).toContain('the perimeter does not close');
    expect(await group.locator('li').first().isVisible()).toBe(false);
    await group.locator('summary').click();
    expect(await group.locator('li').first().isVisible()).toBe(true);

    await waitForMap(p);
    expect(await p.locator('canvas.maplibregl-canvas').count()).toBe(1);
    expect(await p.getByTestId('scores-explained').textContent()).toContain('Rigid fit');

    await p.getByTestId('score').click();
    await p.getByTestId('score-figures').waitFor({ timeout: 60_000 });
    expect(await p.getByTestId('decode-legend').textContent()).toContain('Findings scored');
    // The findings the score used are drawn on the record's map (MapLibre's public query).
    type Drawn = { properties: Record<string, unknown> | null };
    const findingsDrawn = () =>
      p.locator('[data-testid="map"]').evaluate((el) => {
        const map = (el as HTMLElement & { maplibre?: { querySourceFeatures: (id: string) => Drawn[] } })
          .maplibre;
        return map
          ? map.querySourceFeatures('overlay').filter((f) => f.properties?.kind === 'finding').length
          : 0;
      });
    await expect.poll(findingsDrawn, { timeout: 30_000 }).toBeGreaterThan(4);
    await screenshot(p, 'minefield-page-approver');
    expect(errors).toEqual([]);
  });

  it('lets an approver adopt a reading, kept in the record’s history', async () => {
    const { page: p } = await session(1280, 800);
    await signIn(p, APPROVER);
    await p.goto(`/registers/minefield-records/${recordId}`);
    const grid = p.locator(`[data-testid="reading"][data-hypothesis="${GRID}"]`);
    await grid.waitFor();
    p.once('dialog', (d) => d.accept());
    await grid.getByTestId('adopt').click();
    await expect.poll(() => grid.locator('.badge.adopted').count(), { timeout: 30_000 }).toBe(1);
    expect(await grid.getByTestId('adopt').count()).toBe(0);
    expect(await p.getByTestId('shown-reading').textContent()).toContain('grid bearings');
    const history = p.locator('ol.history li').first();
    await expect.poll(() => history.textContent(), { timeout: 30_000 }).toContain('Adopted reading');
    expect(await history.getByTestId('history-approval').count()).toBe(1);

    const bearer = await token(APPROVER);
    const res = await fetch(`${baseUrl}/api/v1/minefield-records/${recordId}`, {
      headers: { Authorization: `Bearer ${bearer}` },
    });
    const stored = (await res.json()) as { properties: Record<string, unknown> };
    expect(stored.properties.adoptedHypothesis).toBe(GRID);
    expect(stored.properties.geometryHypothesis).toBe(GRID);
  });

  it('offers a viewer no adoption, and fits a phone', async () => {
    const { page: p } = await session(390, 844);
    await signIn(p, VIEWER);
    await p.goto(`/registers/minefield-records/${recordId}`);
    await p.getByTestId('legs-table').waitFor();
    await expect.poll(() => p.getByTestId('reading').count(), { timeout: 60_000 }).toBeGreaterThan(1);
    expect(await p.getByTestId('adopt').count()).toBe(0);
    const sideways = await p.evaluate(
      () => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth,
    );
    expect(sideways).toBeLessThanOrEqual(0);
    await screenshot(p, 'minefield-page-viewer-phone');
  });
});
