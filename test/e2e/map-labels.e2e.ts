import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiToken,
  chooseLanguage,
  DEMO_ADMIN,
  launch,
  newSession,
  type Session,
  screenshot,
  signIn,
  waitForMap,
} from './browser.ts';

// The national map reads without internet: settlement and admin-area names drawn with the glyphs
// Safeground serves, in the reader's language (Arabic shaped by the RTL plugin from the server),
// with no failed request and no Content-Security-Policy violation (checked after each test).
const baseUrl = inject('baseUrl');
let browser: Browser;

async function setLocale(locale: string) {
  const token = await apiToken(baseUrl);
  await fetch(`${baseUrl}/api/v1/auth/me`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ locale }),
  });
}

/** The texts of the rendered features of a label layer (the map's handle is on its element). */
function renderedLabels(p: Page, layer: string): Promise<string[]> {
  return p.evaluate((id) => {
    const el = document.querySelector('.explorer-map [data-testid="map"]') as
      | (HTMLElement & {
          maplibre?: {
            queryRenderedFeatures: (o: {
              layers: string[];
            }) => Array<{ properties: Record<string, unknown> }>;
            getLayoutProperty: (l: string, p: string) => unknown;
          };
        })
      | null;
    const map = el?.maplibre;
    if (!map) return [];
    return map.queryRenderedFeatures({ layers: [id] }).map((f) => {
      const lang = document.documentElement.lang;
      return String(f.properties[`name:${lang}`] ?? f.properties.name);
    });
  }, layer);
}

/**
 * The names drawn for admin areas and settlements: on a phone the whole country fits at a zoom
 * where the settlements' names take the room and the areas' names give way to them.
 */
async function placeLabels(page: Session['page']): Promise<string[]> {
  return [
    ...(await renderedLabels(page, 'admin-areas-label')),
    ...(await renderedLabels(page, 'settlements-label')),
  ];
}

async function mapPage(s: Session, size: string, lang: string) {
  await s.page.goto('/map');
  await waitForMap(s.page, '.explorer-map [data-testid="map"][data-loaded="true"]');
  await screenshot(s.page, `map-loaded-${lang}-${size}`);
  await expect.poll(() => placeLabels(s.page), { timeout: 30_000 }).not.toEqual([]);
  await screenshot(s.page, `map-national-${lang}-${size}`);
}

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await setLocale('en');
  await browser?.close();
});

describe('the national map', () => {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`labels places in English and in Arabic at ${width}×${height}, from Safeground alone`, async () => {
      await setLocale('en');
      const s = await newSession(browser, baseUrl, width, height);
      await signIn(s.page, DEMO_ADMIN);
      await mapPage(s, `${width}x${height}`, 'en');
      const names = await placeLabels(s.page);
      expect(names.some((n) => /[A-Za-z]/.test(n))).toBe(true);
      // zoom in to where settlements are named
      await s.page.evaluate(() => {
        const el = document.querySelector('.explorer-map [data-testid="map"]') as HTMLElement & {
          maplibre?: { setZoom: (z: number) => void; getZoom: () => number };
        };
        el.maplibre?.setZoom(Math.max(9, (el.maplibre?.getZoom() ?? 0) + 2));
      });
      await expect
        .poll(() => renderedLabels(s.page, 'settlements-label'), { timeout: 30_000 })
        .not.toEqual([]);
      await screenshot(s.page, `map-settlements-en-${width}x${height}`);

      await chooseLanguage(s.page, 'ar');
      await expect.poll(() => s.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
      await mapPage(s, `${width}x${height}`, 'ar');
      const arabic = await placeLabels(s.page);
      expect(arabic.some((n) => /[\u0600-\u06FF]/.test(n))).toBe(true);
      // the scale bar speaks the reader's language
      expect(await s.page.locator('.maplibregl-ctrl-scale').textContent()).toMatch(/كم|م/);

      expect(s.failedResponses).toEqual([]);
      expect(s.errors).toEqual([]);
      await s.context.close();
    });
  }
});
