import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiToken, DEMO_ADMIN, launch, newSession, type Session, screenshot } from './browser.ts';

// The dashboard on the demo programme: its charts, the table behind each, the period and as-at
// choices, and each figure opening the list of the records that make it (the same count).
const baseUrl = inject('baseUrl');
let browser: Browser;
let s: Session;
let page: Page;
let token = '';

async function signIn(p: Page) {
  await p.goto('/');
  await p.waitForURL(/\/signin/);
  await p.getByLabel('Email').fill(DEMO_ADMIN.email);
  await p.getByLabel('Password').fill(DEMO_ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Programme overview' }).waitFor();
}

async function summary(q: string) {
  const r = await fetch(`${baseUrl}/api/v1/stats/summary?${q}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(r.status).toBe(200);
  return r.json();
}

/** The count the list page shows once loaded (its "N records" line). */
async function listTotal(p: Page): Promise<number> {
  const total = p.getByTestId('list-total').locator('strong');
  await total.waitFor();
  return Number((await total.textContent())!.replace(/[^\d]/g, ''));
}

beforeAll(async () => {
  token = await apiToken(baseUrl);
  await fetch(`${baseUrl}/api/v1/auth/me`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ locale: 'en' }),
  });
  browser = await launch();
  s = await newSession(browser, baseUrl, 1280, 800);
  page = s.page;
});

afterAll(async () => {
  await browser?.close();
});

/** Shows a year on the dashboard and waits until its charts are drawn. */
async function showYear(p: Page, year: string) {
  const select = p.getByTestId('dashboard-year');
  if ((await select.inputValue()) !== year) {
    const answered = p.waitForResponse(
      (r) => r.url().includes('/api/v1/stats/summary') && r.url().includes(`year=${year}`),
    );
    await select.selectOption(year);
    await answered;
  }
  // The charts are drawn in the frame after the figures arrive.
  await p.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/** Chart texts drawn past their chart's edge (a bar chart's names cut off: "32 mm mortar bomb"). */
function textsOutside(p: Page) {
  return p.evaluate(() =>
    [...document.querySelectorAll('.chart-plot svg')].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text')]
        .filter((t) => {
          const r = t.getBoundingClientRect();
          return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
        })
        .map((t) => t.textContent);
    }),
  );
}

describe('dashboard', () => {
  it('draws the charts, each with its table, and links each figure to the same count of records', async () => {
    await signIn(page);
    // The demo releases land in the years before the present one.
    await page.getByTestId('dashboard-year').selectOption(String(new Date().getUTCFullYear() - 2));
    await page.getByTestId('chart-released').locator('svg').first().waitFor();
    for (const chart of ['chart-trend', 'chart-devices', 'chart-casualty-status', 'chart-beneficiaries']) {
      await page.getByTestId(chart).waitFor();
    }
    const table = page.getByTestId('chart-devices').locator('table');
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(0);
    // Every name on the charts is drawn whole, whichever names a year has (the longest sets the room).
    const shown = await page.getByTestId('dashboard-year').inputValue();
    for (const back of [2, 3, 4, 5, 6]) {
      const year = String(new Date().getUTCFullYear() - back);
      await showYear(page, year);
      await page.getByTestId('chart-models').locator('svg text').first().waitFor();
      expect(await textsOutside(page), year).toEqual([]);
    }
    await showYear(page, shown);
    await screenshot(page, '40-dashboard-charts');

    const year = await page.getByTestId('dashboard-year').inputValue();
    const figures = await summary(`year=${year}`);
    expect(figures.releasedCount.cleared).toBeGreaterThan(0);
    await page.getByTestId('card-link-cleared').click();
    await page.waitForURL(/\/registers\/land-release/);
    expect(await listTotal(page)).toBe(figures.releasedCount.cleared);
    await page.goBack();
    await page.getByTestId('card-link-open').click();
    await page.waitForURL(/\/registers\/hazards/);
    expect(await listTotal(page)).toBe(figures.openHazardsByStatus.open);
    await page.goBack();
    await page.getByTestId('card-link-casualties').click();
    await page.waitForURL(/\/registers\/casualties/);
    expect(await listTotal(page)).toBe(figures.casualtiesThisYear.total);
  });

  it('reads the figures for a quarter and as at a date, and the list follows', async () => {
    const year = String(new Date().getUTCFullYear() - 2);
    const asAt = `${new Date().getUTCFullYear() - 1}-12-31`;
    await page.goto(`/?period=quarter&year=${year}&part=2&asAt=${asAt}`);
    // As at a past date the summary folds the demo's whole approved history: seconds, not ms.
    await page.getByTestId('card-open-hazards').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('dashboard-part').inputValue()).toBe('2');
    expect(await page.getByTestId('dashboard-as-at').inputValue()).toBe(asAt);
    await expect
      .poll(() => page.getByTestId('dashboard-scope').textContent())
      .toMatch(/Apr 1, .* as the registers stood on/);
    const figures = await summary(`from=${year}-04-01&to=${year}-06-30&asAt=${asAt}`);
    await page.getByTestId('card-link-cleared').click();
    await page.waitForURL(/asAt=/);
    await page.getByTestId('list-as-at').waitFor();
    expect(await listTotal(page)).toBe(figures.releasedCount.cleared);
  });

  it('draws right to left in Arabic, on a phone too', async () => {
    // The language is kept per user; on a phone its choice sits in the menu.
    const setLocale = (locale: string) =>
      fetch(`${baseUrl}/api/v1/auth/me`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ locale }),
      });
    await setLocale('ar');
    const phone = await newSession(browser, baseUrl, 390, 844);
    await phone.page.goto('/');
    await phone.page.waitForURL(/\/signin/);
    await phone.page.locator('input[type=email]').fill(DEMO_ADMIN.email);
    await phone.page.locator('input[type=password]').fill(DEMO_ADMIN.password);
    await phone.page.locator('button[type=submit]').click();
    await phone.page.getByTestId('card-open-hazards').waitFor();
    await phone.page.goto(`/?year=${new Date().getUTCFullYear() - 2}`);
    await expect.poll(() => phone.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await phone.page.getByTestId('chart-released').locator('svg').first().waitFor();
    await phone.page.getByTestId('chart-models').locator('svg text').first().waitFor();
    expect(await textsOutside(phone.page)).toEqual([]);
    await phone.page.getByTestId('chart-devices').scrollIntoViewIfNeeded();
    await screenshot(phone.page, '41-dashboard-charts-arabic-390');
    await setLocale('en');
    await phone.context.close();
  });
});
