import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { webPlugin } from '../../src/http/web.ts';
import {
  createUser,
  LOGIN_THROTTLE,
  loginPauseSeconds,
  loginWaitSeconds,
  throttleAddress,
} from '../../src/services/auth.ts';
import { testApp, testDatabase, testDatabaseKind, testKeyFile, unique } from './helpers/db.ts';

const PASSWORD = 'Right-password-7';

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
