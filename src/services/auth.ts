import { createHash, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { hash, verify } from '@node-rs/argon2';
import { type Database, withTransaction } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as loginFailures from '../db/repositories/login-failures.ts';
import * as openrosa from '../db/repositories/openrosa.ts';
import * as sessions from '../db/repositories/sessions.ts';
import * as users from '../db/repositories/users.ts';
import { Problem } from '../domain/problem.ts';
import { ROLES, type Role } from '../domain/vocabularies.ts';
import type { Actor } from './actor.ts';
import { isUuid } from './list-query.ts';

// Argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane).
const ARGON2 = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 };
export const SESSION_HOURS = 12;
// A well-formed hash to verify against when the email is unknown, so timing does not tell which emails exist.
let dummyHash: string | undefined;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Password rules: at least 10 characters, not all of one kind, and not the email. */
export function passwordProblems(password: unknown, email?: string): Problem[] {
  if (typeof password !== 'string')
    return [new Problem('auth.password_rules', { min: 10 }, { pointer: '/password' })];
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (password.length < 10 || classes < 2 || (email && password.toLowerCase() === email.toLowerCase())) {
    return [new Problem('auth.password_rules', { min: 10 }, { pointer: '/password' })];
  }
  return [];
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export function actorOf(u: users.UserRow): Actor {
  return { id: u.id, email: u.email, role: u.role as Role, organisationId: u.organisationId };
}

export function publicUser(u: users.UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organisationId: u.organisationId,
    locale: u.locale,
  };
}

export async function createUser(
  database: Database,
  input: {
    email: string;
    password: string;
    role: string;
    name?: string | null;
    organisationId?: string | null;
    locale?: string;
  },
  actorId: string | null = null,
) {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email)) {
    throw new Problem(
      'validation.format',
      { field: 'email', value: input.email, format: 'email' },
      { pointer: '/email' },
    );
  }
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw new Problem(
      'validation.enum',
      { field: 'role', value: input.role, allowed: ROLES.join(', ') },
      { pointer: '/role' },
    );
  }
  const rules = passwordProblems(input.password, input.email);
  if (rules.length) throw rules[0]!;
  if (await users.userByEmail(database.db, input.email)) {
    throw new Problem('auth.email_taken', { email: input.email }, { pointer: '/email' });
  }
  const passwordHash = await hashPassword(input.password);
  return withTransaction(database.db, async (trx) => {
    const user = await users.insertUser(trx, { ...input, passwordHash }, actorId);
    await appendAudit(trx, {
      actorId,
      action: 'create',
      entity: 'user',
      recordId: user.id,
      before: null,
      after: publicUser(user),
    });
    return user;
  });
}

/**
 * Sign-in throttling. Failures are counted per account and client address together: after
 * `freeFailures` for one pair, that pair waits `firstPauseSeconds`, doubling with each further
 * failure up to `longestPauseSeconds`, and failures are remembered for `memorySeconds`. An attack
 * on an account from one address therefore never locks its owner out from another address. An
 * address is also refused, on every account, after `perAddress` failures within
 * `addressWindowSeconds` (someone trying many accounts).
 */
export const LOGIN_THROTTLE = {
  freeFailures: 5,
  firstPauseSeconds: 30,
  longestPauseSeconds: 15 * 60,
  memorySeconds: 24 * 3600,
  perAddress: 30,
  addressWindowSeconds: 15 * 60,
};

/** The pause an account and address pair must keep after its latest failure, in seconds (0: none). */
export function loginPauseSeconds(pairFailures: number): number {
  const t = LOGIN_THROTTLE;
  if (pairFailures < t.freeFailures) return 0;
  return Math.min(t.longestPauseSeconds, t.firstPauseSeconds * 2 ** (pairFailures - t.freeFailures));
}

/** How long this sign-in must wait, in whole seconds (0: it may go ahead), from the failures counted. */
export function loginWaitSeconds(counts: loginFailures.LoginFailureCounts): number {
  const t = LOGIN_THROTTLE;
  const pairWait = loginPauseSeconds(counts.pairFailures) - (counts.pairLatestAgeSeconds ?? 0);
  const addressWait =
    counts.addressFailures >= t.perAddress
      ? t.addressWindowSeconds - (counts.addressOldestAgeSeconds ?? 0)
      : 0;
  const wait = Math.max(pairWait, addressWait);
  return wait > 0 ? Math.ceil(wait) : 0;
}

/**
 * The key an address is counted under: an IPv4 address itself (also when written as IPv4-mapped
 * IPv6), an IPv6 address its /64 network, since one subscriber usually holds a whole /64.
 */
export function throttleAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const bare = ip.split('%')[0]!;
  const [left = '', right] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const groups = (part: string) =>
    part
      ? part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [g];
          const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        })
      : [];
  const head = groups(left);
  const tail = groups(right ?? '');
  const all = [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export async function login(database: Database, email: unknown, password: unknown, ip = 'unknown') {
  const user = await checkPassword(database, email, password, ip);
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await sessions.insertSession(database.db, {
    userId: user.id,
    tokenHash: tokenHash(token),
    kind: 'session',
    expiresAt,
  });
  return { token, expiresAt, user };
}

/**
 * The user whose email and password these are, with the sign-in throttling of `login` but no
 * session made: for clients that send the password with every request (HTTP Basic, as ODK
 * Collect does).
 */
export async function checkPassword(
  database: Database,
  email: unknown,
  password: unknown,
  ip = 'unknown',
): Promise<users.UserRow> {
  if (typeof email !== 'string' || typeof password !== 'string') {
    throw new Problem('auth.invalid_credentials', {}, { pointer: '' });
  }
  return throttled(database, email, ip, async () => {
    const user = await users.userByEmail(database.db, email);
    dummyHash ??= await hashPassword('not-a-real-password-0');
    const ok = await verify(user?.passwordHash ?? dummyHash, password).catch(() => false);
    return ok ? user : undefined;
  });
}

/**
 * The user an HTTP Digest answer signs in (OpenRosa, SAFEGROUND_OPENROSA_DIGEST), checked against
 * the HA1 kept for that username, with the same sign-in throttling as a password.
 */
export async function checkDigest(
  database: Database,
  username: string,
  ip: string,
  matches: (ha1: string) => boolean,
): Promise<users.UserRow> {
  return throttled(database, username, ip, async () => {
    const digest = await openrosa.digestOf(database.db, username);
    if (!digest || digest.realm !== OPENROSA_REALM || !matches(digest.ha1)) return undefined;
    const user = await users.userById(database.db, digest.userId);
    return user && user.email.toLowerCase() === digest.username.toLowerCase() ? user : undefined;
  });
}

/** Runs a credential check under the sign-in throttling; refuses when it finds no (enabled) user. */
async function throttled(
  database: Database,
  email: string,
  ip: string,
  check: () => Promise<users.UserRow | undefined>,
): Promise<users.UserRow> {
  const address = throttleAddress(ip);
  const t = LOGIN_THROTTLE;
  // The attempt counts as a failure from before the password is checked, so that attempts sent
  // at the same time see each other and a burst cannot slip past the count; a refused attempt is
  // taken back, a good sign-in clears its pair.
  const attempt = await loginFailures.recordLoginFailure(database.db, email, address, t.memorySeconds);
  const counts = await loginFailures.loginFailureCounts(
    database.db,
    email,
    address,
    t.memorySeconds,
    t.addressWindowSeconds,
    attempt,
  );
  const seconds = loginWaitSeconds(counts);
  if (seconds > 0) {
    await loginFailures.forgetLoginFailure(database.db, attempt);
    throw new Problem('auth.rate_limited', { seconds }, { pointer: '' });
  }
  const user = await check();
  if (!user || user.disabledAt) throw new Problem('auth.invalid_credentials', {}, { pointer: '' });
  await loginFailures.clearLoginFailures(database.db, email, address);
  return user;
}

/** The realm of OpenRosa's HTTP Basic and Digest challenges (and of the HA1 kept for Digest). */
export const OPENROSA_REALM = 'Safeground';

/**
 * Keeps the HTTP Digest HA1 of a user whose password was just set or checked: MD5 of
 * `email:realm:password`, password-equivalent for the realm (SAFEGROUND_OPENROSA_DIGEST only).
 */
export async function rememberDigest(
  database: Database,
  user: { id: string; email: string },
  password: string,
): Promise<void> {
  const ha1 = createHash('md5').update(`${user.email}:${OPENROSA_REALM}:${password}`).digest('hex');
  await openrosa.saveDigest(database.db, {
    userId: user.id,
    username: user.email,
    realm: OPENROSA_REALM,
    ha1,
  });
}

type SignedIn = NonNullable<Awaited<ReturnType<typeof sessions.sessionUser>>>;

/**
 * Live sessions by token hash, kept for at most `SAFEGROUND_SESSION_CACHE_SECONDS` so that a
 * request does not look its session up in the database again within that time. Only live sessions
 * are kept (an unknown, revoked or expired token always asks the database), never past the
 * session's own expiry. Signing out, revoking a token, disabling a user and changing a role or
 * locale empty it at once (`forgetSessions`); a change made by another process (a second server
 * on the same PostgreSQL database, SQL run by hand) is seen within the cache's lifetime.
 */
const sessionCache = new Map<string, { db: object; found: SignedIn; until: number }>();
/** Entries kept at most; past it the cache is emptied (a burst of new sessions starts afresh). */
const SESSION_CACHE_ENTRIES = 10_000;

/** Empties the session cache of this process: the next request of every session asks the database. */
export function forgetSessions(): void {
  sessionCache.clear();
}

/**
 * The live session of this token and its user, or undefined. With `cacheMs`, a session found
 * within that many milliseconds is answered from memory (see sessionCache).
 */
export async function authenticate(database: Database, token: string, opts: { cacheMs?: number } = {}) {
  const key = tokenHash(token);
  const cacheMs = opts.cacheMs ?? 0;
  if (cacheMs > 0) {
    const hit = sessionCache.get(key);
    if (hit && hit.db === database.db && hit.until > Date.now()) return hit.found;
    if (hit) sessionCache.delete(key);
  }
  const found = await sessions.sessionUser(database.db, key);
  if (found && cacheMs > 0) {
    const expires = found.session.expiresAt
      ? new Date(found.session.expiresAt).getTime()
      : Number.POSITIVE_INFINITY;
    if (sessionCache.size >= SESSION_CACHE_ENTRIES) sessionCache.clear();
    sessionCache.set(key, { db: database.db, found, until: Math.min(Date.now() + cacheMs, expires) });
  }
  return found;
}

export async function logout(database: Database, token: string): Promise<void> {
  const found = await sessions.sessionUser(database.db, tokenHash(token));
  if (found) await sessions.revokeSession(database.db, found.session.id);
  forgetSessions();
}

/** A named API token for scripts: shown once, stored as its SHA-256. */
export async function createApiToken(
  database: Database,
  userId: string,
  name: string,
  expiresInDays: number | null,
) {
  if (!name.trim() || name.length > 100)
    throw new Problem(
      'validation.range',
      { field: 'name', value: name, rule: 'length', limit: '1–100' },
      { pointer: '/name' },
    );
  const token = newToken();
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86400_000) : null;
  const row = await sessions.insertSession(database.db, {
    userId,
    tokenHash: tokenHash(token),
    kind: 'api',
    name: name.trim(),
    expiresAt,
  });
  return { token, ...row };
}

export async function revokeApiToken(database: Database, userId: string, id: string) {
  if (!isUuid(id) || (await sessions.revokeSession(database.db, id, userId)) === 0) {
    throw new Problem('record.not_found', { entity: 'token', id }, { pointer: '' });
  }
  forgetSessions();
}

/**
 * Changes a user's role or disables them (disabling ends every session and token of theirs at
 * once), with an audit entry.
 */
export async function changeUser(
  database: Database,
  actorId: string | null,
  userId: string,
  change: { disabled?: boolean; role?: string },
) {
  await withTransaction(database.db, async (trx) => {
    const before = await users.userById(trx, userId);
    if (!before) throw new Problem('record.not_found', { entity: 'user', id: userId }, { pointer: '' });
    if (change.role !== undefined) await users.setUserRole(trx, userId, change.role);
    if (change.disabled !== undefined) {
      await users.setUserDisabled(trx, userId, change.disabled);
      if (change.disabled) await sessions.revokeUserSessions(trx, userId);
    }
    const after = (await users.userById(trx, userId))!;
    await appendAudit(trx, {
      actorId,
      action: 'update',
      entity: 'user',
      recordId: userId,
      before: publicUser(before),
      after: { ...publicUser(after), disabled: after.disabledAt !== null },
    });
  });
  forgetSessions();
}
