import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiCall,
  DEMO_USERS,
  launch,
  newSession,
  type Session,
  screenshot,
  signIn,
  tokenOf,
} from './browser.ts';

// The Outputs page on the demo programme: the operations summary previewed from its JSON
// format with the footer that regenerates it, its PDF downloaded, a definition saved, generated
// and its kept file compared; a role without data.export is offered none of it.
const baseUrl = inject('baseUrl');
let browser: Browser;
let s: Session;
let page: Page;

beforeAll(async () => {
  const token = await tokenOf(baseUrl, DEMO_USERS.admin);
  await apiCall(baseUrl, token, 'PATCH', '/api/v1/auth/me', { locale: 'en' });
  browser = await launch();
  s = await newSession(browser, baseUrl, 1280, 800);
  page = s.page;
});

afterAll(async () => {
  await browser?.close();
});

describe('outputs', () => {
  it('previews the operations summary, downloads its PDF and keeps a saved definition', async () => {
    await signIn(page, DEMO_USERS.admin);
    await page.getByTestId('nav-outputs').click();
    await page.getByRole('heading', { name: 'Standard reports' }).waitFor();
    await page.getByTestId('output-operations-summary').click();
    const year = new Date().getUTCFullYear() - 2;
    await page.getByLabel('From', { exact: true }).fill(`${year}-01-01`);
    await page.getByLabel('To', { exact: true }).fill(`${year}-12-31`);
    await page.getByRole('button', { name: 'Preview' }).click();

    const preview = page.getByTestId('output-preview');
    await preview.waitFor();
    await preview.getByRole('heading', { name: 'Operations summary', level: 2 }).waitFor();
    expect(await preview.locator('table').count()).toBeGreaterThan(0);
    const hash = (await page.getByTestId('output-hash').textContent())?.trim() ?? '';
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const footer = (await page.getByTestId('output-footer').textContent()) ?? '';
    expect(footer).toContain(`${year}-01-01`);
    expect(footer).toContain(DEMO_USERS.admin.email);
    await screenshot(page, 'outputs-preview');

    const [response, download] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().includes('/api/v1/outputs/operations-summary') && r.url().includes('format=pdf'),
      ),
      page.waitForEvent('download'),
      page.getByTestId('output-download-pdf').click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/pdf');
    const pdf = readFileSync((await download.path()) as string);
    expect(pdf.byteLength).toBeGreaterThan(1000);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(download.suggestedFilename()).toMatch(/^operations-summary-.*\.pdf$/);
    // The same content hash as the page: the PDF carries the same figures.
    expect(response.headers()['x-content-sha256']).toBe(hash);

    const name = `Operations ${year} e2e`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const row = page.getByTestId('output-definitions').getByRole('row', { name: new RegExp(name) });
    await row.waitFor();
    await row.getByRole('button', { name: 'Generate now' }).click();
    const kept = page.getByTestId('output-kept').getByRole('row').filter({ hasText: name });
    await kept.first().waitFor();
    expect(await kept.first().textContent()).toContain(hash);
    await kept.first().getByRole('button', { name: 'Compare with now' }).click();
    await kept.first().getByText('Identical').waitFor();
    await page.getByTestId('output-kept').scrollIntoViewIfNeeded();
    await screenshot(page, 'outputs-kept');
    expect(s.errors).toEqual([]);
  });

  it('reads right to left in Arabic and fits a phone', async () => {
    const token = await tokenOf(baseUrl, DEMO_USERS.admin);
    for (const [lang, width, height] of [
      ['en', 390, 844],
      ['ar', 390, 844],
      ['ar', 1280, 800],
    ] as const) {
      await apiCall(baseUrl, token, 'PATCH', '/api/v1/auth/me', { locale: lang });
      const one = await newSession(browser, baseUrl, width, height);
      await signIn(one.page, DEMO_USERS.admin);
      await one.page.getByTestId('card-open-hazards').waitFor();
      await one.page.goto('/outputs');
      await expect
        .poll(() => one.page.evaluate(() => document.documentElement.dir))
        .toBe(lang === 'ar' ? 'rtl' : 'ltr');
      await one.page.getByTestId('output-operations-summary').click();
      await one.page.locator('.output-form button[type="submit"]').click();
      await one.page.getByTestId('output-preview').waitFor();
      // Nothing wider than the screen.
      expect(await one.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await screenshot(one.page, `outputs-${lang}-${width}`);
      await one.page.getByTestId('output-preview').scrollIntoViewIfNeeded();
      await screenshot(one.page, `outputs-${lang}-${width}-preview`);
      await one.context.close();
    }
    await apiCall(baseUrl, token, 'PATCH', '/api/v1/auth/me', { locale: 'en' });
  });

  it('offers a role without the export permission no outputs and no saved definitions', async () => {
    const other = await newSession(browser, baseUrl, 390, 844);
    await signIn(other.page, DEMO_USERS.operator);
    await other.page.getByRole('button', { name: 'Menu' }).click();
    expect(await other.page.getByTestId('nav-outputs').count()).toBe(0);
    await other.page.goto('/outputs');
    await other.page.getByRole('heading', { name: 'Standard reports' }).waitFor();
    expect(await other.page.getByText('Save definition').count()).toBe(0);
    expect(await other.page.getByTestId('output-operations-summary').count()).toBe(0);
    await other.context.close();
  });
});
