import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { type Browser, type BrowserContext, type ConsoleMessage, chromium, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';

/** Debian's Chromium, never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

export const DEMO_ADMIN = { email: 'admin@demo.safeground.org', password: 'demo-admin-2026' };

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      // WebGL without a GPU, so MapLibre can draw in a headless browser.
      '--use-gl=angle',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/**
 * Content-Security-Policy violations seen by any page or worker since the last test ended
 * ("directive blocked-URI at source", or the browser's console line). The tests run under the
 * server's policy: a violation fails the test in which it happened.
 */
export const cspViolations: string[] = [];

afterEach(() => {
  const seen = cspViolations.splice(0);
  expect(seen, 'Content-Security-Policy violations').toEqual([]);
});

const CSP_MESSAGE = /Content[- ]Security[- ]Policy/i;

function watchConsoleForCsp(msg: ConsoleMessage): void {
  if (CSP_MESSAGE.test(msg.text())) cspViolations.push(msg.text());
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** Responses with a 4xx/5xx status, as "status method url" (the console names no URL). */
  failedResponses: string[];
}

export async function newSession(
  browser: Browser,
  baseUrl: string,
  width = 1024,
  height = 768,
): Promise<Session> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width, height },
    locale: 'en-GB',
  });
  // The page reports each violation event; the browser's own console lines and the workers'
  // are watched too (a worker's violation is not an event of the page's document).
  await context.exposeBinding('__sgCspViolation', (_source, line: string) => {
    cspViolations.push(line);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __sgCspViolation: (line: string) => void }).__sgCspViolation;
      report(`${e.effectiveDirective} ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('worker', (worker) => worker.on('console', watchConsoleForCsp));
  const errors: string[] = [];
  page.on('console', (msg) => {
    watchConsoleForCsp(msg);
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  const failedResponses: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) failedResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  return { context, page, errors, failedResponses };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Waits until MapLibre has drawn (the map container reports it loaded and tiles have settled). */
export async function waitForMap(
  page: Page,
  selector = '[data-testid="map"][data-loaded="true"]',
): Promise<void> {
  await page.waitForSelector(selector, { timeout: 60_000 });
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
}

/** Signs in through the API and returns a bearer token (for changes made behind the page's back). */
export async function apiToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(DEMO_ADMIN),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** The demo's users, one per role the journeys need (the demo creates them). */
export const DEMO_USERS = {
  admin: DEMO_ADMIN,
  operator: { email: 'operator@demo.safeground.org', password: 'demo-operator-2026' },
  approver: { email: 'approver@demo.safeground.org', password: 'demo-approver-2026' },
  viewer: { email: 'viewer@demo.safeground.org', password: 'demo-viewer-2026' },
} as const;
export type DemoUser = { email: string; password: string };

/** Signs a user in through the sign-in page and waits until the application has left it. */
export async function signIn(page: Page, who: DemoUser): Promise<void> {
  await page.goto('/');
  await page.waitForURL(/\/signin/);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

/** A bearer token of a user, for set-up made through the API. */
export async function tokenOf(baseUrl: string, who: DemoUser): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** One JSON call to the API with a bearer token: `{ status, body }`. */
export async function apiCall(
  baseUrl: string,
  bearer: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
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

/** A square hazard of `halfSide`° around a point, created by the admin; returns its id. */
export async function createHazard(
  baseUrl: string,
  name: string,
  centre: { lon: number; lat: number },
  halfSide = 0.005,
): Promise<string> {
  const { lon, lat } = centre;
  const h = await apiCall(baseUrl, await tokenOf(baseUrl, DEMO_ADMIN), 'POST', '/api/v1/hazards', {
    type: 'Feature',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [lon - halfSide, lat - halfSide],
          [lon + halfSide, lat - halfSide],
          [lon + halfSide, lat + halfSide],
          [lon - halfSide, lat + halfSide],
          [lon - halfSide, lat - halfSide],
        ],
      ],
    },
    properties: { type: 'CHA', name, deviceCategories: ['AP'] },
  });
  if (h.status !== 201) throw new Error(`hazard not created: ${h.status} ${JSON.stringify(h.body)}`);
  return String(h.body.id ?? (h.body.properties as { id: string }).id);
}

/** The WebGL maps on a page (one canvas each). */
export const mapCanvases = (page: Page): Promise<number> => page.locator('canvas.maplibregl-canvas').count();

/**
 * Chooses the interface language as a user does: in the top bar, or on a phone-sized window in
 * the menu behind the Menu button (the top bar's tools are hidden there), closing it again.
 */
export async function chooseLanguage(page: Page, lang: string): Promise<void> {
  const menu = page.getByRole('button', { name: /^(Menu|Меню|القائمة)$/ });
  const phone = await menu.isVisible();
  if (phone) await menu.click();
  await page.locator('[data-testid="language"]:visible').selectOption(lang);
  if (phone && (await menu.getAttribute('aria-expanded')) === 'true') await menu.click();
}

/**
 * A truecolour PNG of `width` × `height` from each row's RGB bytes, made here so that the browser
 * has a real picture; `level` 0 stores the pixels as they are (noise then does not compress).
 */
export function encodePng(width: number, height: number, row: (y: number) => Buffer, level = 6): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), row(y));
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A square PNG of noise (it does not compress): several chunks of a resumable upload. */
export function noisePng(side: number): Buffer {
  return encodePng(side, side, () => randomBytes(side * 3), 0);
}
