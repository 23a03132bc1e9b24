import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { basemapSource } from '../../src/http/plugins/security-headers.ts';
import { webPlugin } from '../../src/http/web.ts';
import {
  createUser,
  LOGIN_THROTTLE,
  loginPauseSeconds,
  loginWaitSeconds,
  throttleAddress,
} from '../../src/services/auth.ts';
import { login, testApp, testDatabase, testDatabaseKind, testKeyFile, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

const PASSWORD = 'Right-password-7';

/** Parses a Content-Security-Policy header into its directives. */
function csp(r: LightMyRequestResponse): Map<string, string[]> {
  const header = String(r.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** A separate application on the shared database, with its own settings (and a small built web app). */
async function appWith(settings: Partial<Settings>): Promise<FastifyInstance> {
  const database = await testDatabase();
  const distDir = mkdtempSync(join(tmpdir(), 'safeground-web-'));
  writeFileSync(
    join(distDir, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body></body></html>',
  );
  const app = await buildApp({
    database,
    settings: {
      attachmentsDir: mkdtempSync(join(tmpdir(), 'safeground-att-')),
      keyFile: testKeyFile(),
      ...settings,
    },
    plugins: [async (a) => webPlugin(a, { distDir })],
  });
  await app.ready();
  return app;
}

async function newUser(): Promise<string> {
  const email = `${unique('target')}@test.safeground.org`;
  await createUser(await testDatabase(), { email, password: PASSWORD, role: 'approver' });
  return email;
}

describe(`security headers on ${testDatabaseKind()}`, () => {
  let web: FastifyInstance;
  let proxied: FastifyInstance;
  beforeAll(async () => {
    web = await appWith({ basemapUrl: 'https://{s}.tile.example.org/{z}/{x}/{y}.png' });
    proxied = await appWith({ trustProxy: true });
  });
  afterAll(async () => {
    await web?.close();
    await proxied?.close();
  });

  it('serves the web application under a strict policy: own origin only, no inline script, no framing', async () => {
    const r = await web.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(200);
    const policy = csp(r);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(policy.get('child-src')).toEqual(["'self'", 'blob:']);
    // WebAssembly compilation (the right-to-left text plugin) is allowed; eval and inline script are not.
    expect(String(r.headers['content-security-policy'])).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('same-origin');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it("allows the configured basemap's origin for images and fetches, and nothing else outside", async () => {
    const r = await web.inject({
      method: 'GET',
      url: '/registers/hazards',
      headers: { accept: 'text/html' },
    });
    expect(r.statusCode).toBe(200);
    const policy = csp(r);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https://*.tile.example.org']);
    expect(policy.get('connect-src')).toEqual(["'self'", 'https://*.tile.example.org']);
    const plain = await (await testApp()).inject({ method: 'GET', url: '/nowhere' });
    expect(csp(plain).get('connect-src')).toEqual(["'self'"]);
  });

  it('reads the basemap origin from raster templates and style URLs, refusing what is not http(s)', () => {
    expect(basemapSource('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe(
      'https://tile.openstreetmap.org',
    );
    expect(basemapSource('https://tiles.example.org:8443/styles/basic/style.json')).toBe(
      'https://tiles.example.org:8443',
    );
    expect(basemapSource('javascript:alert(1)')).toBeUndefined();
    expect(basemapSource("https://x.org';script-src *")).toBeUndefined();
    expect(basemapSource(undefined)).toBeUndefined();
  });

  it('gives API answers and problems nosniff and a policy that loads and runs nothing', async () => {
    const app = await testApp();
    for (const url of ['/api/v1/health', '/api/v1/auth/me', '/api/v1/openapi.json']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      const policy = csp(r);
      expect(policy.get('default-src'), url).toEqual(["'none'"]);
      expect(policy.has('sandbox'), url).toBe(true);
      expect(policy.get('frame-ancestors'), url).toEqual(["'none'"]);
    }
  });

  it('serves an uploaded HTML file as a sandboxed download with nosniff', async () => {
    const app = await testApp();
    const admin = await login('admin');
    const org = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: admin,
      payload: { name: unique('Uploader '), kind: 'ngo' },
    });
    expect(org.statusCode, org.body).toBe(201);
    const boundary = '----sgsecurity';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="recordType"\r\n\r\norganisations\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="recordId"\r\n\r\n${org.json().id}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="page.html"\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const up = await app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: { ...admin, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(up.statusCode, up.body).toBe(201);
    const r = await app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${up.json().id}/content`,
      headers: admin,
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toMatch(/^attachment;/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(csp(r).has('sandbox')).toBe(true);
    expect(csp(r).get('default-src')).toEqual(["'none'"]);
  });

  it('sends HSTS only for requests that came over TLS through a trusted proxy', async () => {
    const overTls = await proxied.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(overTls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const plain = await proxied.inject({ method: 'GET', url: '/api/v1/health' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    // Without trustProxy a client cannot claim TLS by sending the header itself.
    const claimed = await (await testApp()).inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(claimed.headers['strict-transport-security']).toBeUndefined();
  });
});

describe(`sign-in throttling on ${testDatabaseKind()}`, () => {
  let proxied: FastifyInstance;
  beforeAll(async () => {
    proxied = await appWith({ trustProxy: true });
  });
  afterAll(async () => {
    await proxied?.close();
  });

  async function signIn(
    email: string,
    password: string,
    remoteAddress: string,
    app?: FastifyInstance,
    headers: Record<string, string> = {},
  ) {
    return (app ?? (await testApp())).inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      headers,
      payload: { email, password },
    });
  }

  it('refuses an account from the address attacking it, while its owner signs in from another address', async () => {
    const email = await newUser();
    const attacker = '203.0.113.10';
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await signIn(email, `wrong-${i}`, attacker)).statusCode);
    expect(statuses.slice(0, LOGIN_THROTTLE.freeFailures)).toEqual(
      Array(LOGIN_THROTTLE.freeFailures).fill(401),
    );
    expect(new Set(statuses.slice(LOGIN_THROTTLE.freeFailures))).toEqual(new Set([429]));

    const refused = await signIn(email, PASSWORD, attacker);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('auth.rate_limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBe(refused.json().params.seconds);

    const owner = await signIn(email, PASSWORD, '198.51.100.20');
    expect(owner.statusCode, owner.body).toBe(200);
    // The owner's sign-in does not lift the pause of the attacking address.
    expect((await signIn(email, PASSWORD, attacker)).statusCode).toBe(429);
  });

  it('lets no burst of simultaneous attempts past the free failures', async () => {
    const email = await newUser();
    const attacker = '203.0.113.14';
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(email, `Burst-password-${i}`, attacker)),
    );
    const tried = burst.filter((r) => r.statusCode === 401).length;
    expect(tried).toBeLessThanOrEqual(LOGIN_THROTTLE.freeFailures);
    expect(burst.filter((r) => r.statusCode === 429).length).toBe(20 - tried);
    expect((await signIn(email, PASSWORD, '198.51.100.22')).statusCode).toBe(200);
  });

  it('stops one address trying many accounts at the ceiling, for every account, and no other address', async () => {
    const sprayer = '203.0.113.11';
    const victim = await newUser();
    for (let i = 0; i < LOGIN_THROTTLE.perAddress; i++) {
      const r = await signIn(`${unique('nobody')}@test.safeground.org`, 'Guess-password-1', sprayer);
      expect(r.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const next = await signIn(`${unique('nobody')}@test.safeground.org`, 'Guess-password-1', sprayer);
    expect(next.statusCode).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password of an account never tried from there is refused from that address …
    expect((await signIn(victim, PASSWORD, sprayer)).statusCode).toBe(429);
    // … and accepted from any other.
    expect((await signIn(victim, PASSWORD, '198.51.100.21')).statusCode).toBe(200);
  });

  it('forgets the failures of an account and address after a good sign-in from that address', async () => {
    const email = await newUser();
    const address = '203.0.113.12';
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures - 1; i++)
      expect((await signIn(email, 'Typo-password-1', address)).statusCode).toBe(401);
    expect((await signIn(email, PASSWORD, address)).statusCode).toBe(200);
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++)
      expect((await signIn(email, 'Typo-password-1', address)).statusCode).toBe(401);
    expect((await signIn(email, PASSWORD, address)).statusCode).toBe(429);
  });

  it('behind a trusted proxy counts the forwarded client address, not the proxy', async () => {
    const email = await newUser();
    const proxy = '10.0.0.1';
    const attacker = { 'x-forwarded-for': '203.0.113.50' };
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++)
      expect((await signIn(email, 'Wrong-password-1', proxy, proxied, attacker)).statusCode).toBe(401);
    expect((await signIn(email, PASSWORD, proxy, proxied, attacker)).statusCode).toBe(429);
    const owner = await signIn(email, PASSWORD, proxy, proxied, { 'x-forwarded-for': '198.51.100.50' });
    expect(owner.statusCode, owner.body).toBe(200);
  });

  it('behind a trusted proxy takes the address the proxy appended, not one the client wrote before it', async () => {
    const email = await newUser();
    const proxy = '10.0.0.1';
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++) {
      const forged = { 'x-forwarded-for': `192.0.2.${i + 1}, 203.0.113.60` };
      expect((await signIn(email, 'Wrong-password-1', proxy, proxied, forged)).statusCode).toBe(401);
    }
    const r = await signIn(email, PASSWORD, proxy, proxied, {
      'x-forwarded-for': '192.0.2.99, 203.0.113.60',
    });
    expect(r.statusCode).toBe(429);
  });

  it('without a trusted proxy ignores X-Forwarded-For, so a client cannot change address by writing one', async () => {
    const email = await newUser();
    const address = '203.0.113.13';
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++) {
      const forged = { 'x-forwarded-for': `192.0.2.${i + 1}` };
      expect((await signIn(email, 'Wrong-password-1', address, undefined, forged)).statusCode).toBe(401);
    }
    const r = await signIn(email, PASSWORD, address, undefined, { 'x-forwarded-for': '192.0.2.99' });
    expect(r.statusCode).toBe(429);
  });

  it('counts the addresses of one IPv6 /64 together', async () => {
    const email = await newUser();
    for (let i = 0; i < LOGIN_THROTTLE.freeFailures; i++)
      expect((await signIn(email, 'Wrong-password-1', `2001:db8:77:1::${i + 1}`)).statusCode).toBe(401);
    expect((await signIn(email, PASSWORD, '2001:db8:77:1:ffff::9')).statusCode).toBe(429);
    expect((await signIn(email, PASSWORD, '2001:db8:77:2::1')).statusCode).toBe(200);
  });

  it('doubles the pause of a pair with each failure past the free ones, up to the longest', () => {
    const t = LOGIN_THROTTLE;
    expect(loginPauseSeconds(t.freeFailures - 1)).toBe(0);
    expect(loginPauseSeconds(t.freeFailures)).toBe(t.firstPauseSeconds);
    expect(loginPauseSeconds(t.freeFailures + 1)).toBe(2 * t.firstPauseSeconds);
    expect(loginPauseSeconds(t.freeFailures + 2)).toBe(4 * t.firstPauseSeconds);
    expect(loginPauseSeconds(t.freeFailures + 30)).toBe(t.longestPauseSeconds);
    const counts = { addressFailures: 0, addressOldestAgeSeconds: null };
    expect(
      loginWaitSeconds({ ...counts, pairFailures: t.freeFailures + 1, pairLatestAgeSeconds: 40.5 }),
    ).toBe(Math.ceil(2 * t.firstPauseSeconds - 40.5));
    expect(loginWaitSeconds({ ...counts, pairFailures: t.freeFailures, pairLatestAgeSeconds: 31 })).toBe(0);
    expect(
      loginWaitSeconds({
        pairFailures: 0,
        pairLatestAgeSeconds: null,
        addressFailures: t.perAddress,
        addressOldestAgeSeconds: 600,
      }),
    ).toBe(t.addressWindowSeconds - 600);
  });

  it('keys IPv4 (also IPv4-mapped) addresses as themselves and IPv6 by /64', () => {
    expect(throttleAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(throttleAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(throttleAddress('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(throttleAddress('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
    expect(throttleAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe(`cross-site defences on ${testDatabaseKind()}`, () => {
  it('refuses a write authenticated by the session cookie without the CSRF header, and accepts it with it', async () => {
    const app = await testApp();
    const email = `${unique('csrf')}@test.safeground.org`;
    await createUser(await testDatabase(), { email, password: PASSWORD, role: 'admin' });
    const signedIn = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.70',
      payload: { email, password: PASSWORD },
    });
    expect(signedIn.statusCode).toBe(200);
    const cookies = Object.fromEntries(signedIn.cookies.map((c) => [c.name, c.value]));
    const cookie = `sg_session=${cookies.sg_session}; sg_csrf=${cookies.sg_csrf}`;
    const payload = { name: unique('Cookie org '), kind: 'ngo' };
    const forged = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { cookie },
      payload,
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('auth.csrf');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { cookie, 'x-csrf-token': 'guessed' },
      payload,
    });
    expect(wrong.json().code).toBe('auth.csrf');
    const sent = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { cookie, 'x-csrf-token': cookies.sg_csrf! },
      payload,
    });
    expect(sent.statusCode, sent.body).toBe(201);
  });

  it('keeps markup in a record as text: stored and answered unchanged as JSON, never as HTML', async () => {
    const app = await testApp();
    const admin = await login('admin');
    const name = `<img src=x onerror=alert(1)> ${unique('Org ')}`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: admin,
      payload: { name, kind: 'ngo' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const r = await app.inject({
      method: 'GET',
      url: `/api/v1/organisations/${created.json().id}`,
      headers: admin,
    });
    expect(r.json().name).toBe(name);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('has no web code that writes HTML from strings (React renders every value as text)', () => {
    const webSrc = join(import.meta.dirname, '..', '..', 'web', 'src');
    const offenders = filesUnder(webSrc)
      .filter((f) => /\.(tsx?|jsx?)$/.test(f))
      .filter((f) =>
        /dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|\.setHTML\(|document\.write/.test(
          readFileSync(f, 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });

  it("never publishes hexagons finer than the floor, nor a hazard's own corners", async () => {
    const app = await testApp();
    const admin = await login('admin');
    const geometry = square(44.123457, 38.765433, 0.002);
    const hazard = await app.inject({
      method: 'POST',
      url: '/api/v1/hazards',
      headers: admin,
      payload: { type: 'Feature', geometry, properties: { type: 'SHA', status: 'open' } },
    });
    expect(hazard.statusCode, hazard.body).toBe(201);
    // A coarse floor keeps the grid small over every hazard the other tests made.
    const publicMap = await appWith({ publicHexagonM: 100_000 });
    const r = await publicMap.inject({ method: 'GET', url: '/api/v1/public/hazard-map?sizeM=10' });
    await publicMap.close();
    expect(r.statusCode).toBe(200);
    const map = r.json();
    expect(map.sizeM).toBe(100_000);
    const corners = new Set(geometry.coordinates[0]!.map((p) => p.join(',')));
    const cells = map.features as Array<{ geometry: { coordinates: number[][][] } }>;
    const near = cells.filter((c) =>
      c.geometry.coordinates[0]!.some(
        ([lon, lat]) => Math.abs(lon! - 44.12) < 1.2 && Math.abs(lat! - 38.77) < 1.2,
      ),
    );
    expect(near.length).toBeGreaterThan(0);
    for (const cell of cells) {
      const ring = cell.geometry.coordinates[0]!;
      for (const p of ring) expect(corners.has(p.join(','))).toBe(false);
      const lons = ring.map((p) => p[0]!);
      const lats = ring.map((p) => p[1]!);
      const midLat = ((Math.min(...lats) + Math.max(...lats)) / 2) * (Math.PI / 180);
      const widthM = (Math.max(...lons) - Math.min(...lons)) * 111_320 * Math.cos(midLat);
      const heightM = (Math.max(...lats) - Math.min(...lats)) * 110_574;
      // A hexagon of `sizeM` across flats is at least that wide one way or the other.
      expect(Math.max(widthM, heightM)).toBeGreaterThan(0.9 * map.sizeM);
    }
  });

  it('keeps public answers only until a table they read changes, and makes one for a burst', async () => {
    const app = await appWith({ publicHexagonM: 100_000, publicRateLimit: 0 });
    const admin = await login('admin');
    const get = async () => {
      const r = await app.inject({ method: 'GET', url: '/api/v1/public/hazard-map' });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { features: Array<{ properties: { hazards: number } }> };
    };
    const count = (m: { features: Array<{ properties: { hazards: number } }> }) =>
      m.features.reduce((n, f) => n + f.properties.hazards, 0);
    // A burst of the same request from nowhere in particular: all answered alike.
    const burst = await Promise.all(Array.from({ length: 8 }, get));
    expect(new Set(burst.map((m) => JSON.stringify(m))).size).toBe(1);
    const before = count(burst[0]!);
    const made = await call('POST', '/api/v1/hazards', admin, {
      type: 'Feature',
      geometry: square(44.9, 39.1, 0.002),
      properties: { type: 'SHA', status: 'open' },
    });
    expect(made.statusCode, made.body).toBe(201);
    // The new hazard is counted at once: the cached answer is not served after the write.
    expect(count(await get())).toBe(before + 1);
    await app.close();
  });

  it('asks each address to wait once it has made SAFEGROUND_PUBLIC_RATE_LIMIT public requests in a minute', async () => {
    const app = await appWith({ publicHexagonM: 100_000, publicRateLimit: 3 });
    const ask = (ip: string) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/public/summary',
        remoteAddress: ip,
        headers: { 'accept-language': 'en' },
      });
    for (let i = 0; i < 3; i++) expect((await ask('203.0.113.7')).statusCode).toBe(200);
    const refused = await ask('203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('public.rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected; one IPv6 /64 counts as one address.
    expect((await ask('198.51.100.9')).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await ask(`2001:db8:1:2::${i + 1}`)).statusCode).toBe(200);
    expect((await ask('2001:db8:1:2::ff')).statusCode).toBe(429);
    await app.close();
  });
});
