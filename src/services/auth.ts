import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Problem } from '../domain/problem.ts';
import { ROLES, type Role } from '../domain/vocabularies.ts';
import type { Database } from '../db/connect.ts';
import * as sessions from '../db/repositories/sessions.ts';
import * as users from '../db/repositories/users.ts';
import type { Actor } from './actor.ts';

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
  if (typeof password !== 'string') return [new Problem('auth.password_rules', { min: 10 }, { pointer: '/password' })];
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
  return { id: u.id, email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, locale: u.locale };
}

export async function createUser(
  database: Database,
  input: { email: string; password: string; role: string; name?: string | null; organisationId?: string | null; locale?: string },
  actorId: string | null = null,
) {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email)) {
    throw new Problem('validation.format', { field: 'email', value: input.email, format: 'email' }, { pointer: '/email' });
  }
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw new Problem('validation.enum', { field: 'role', value: input.role, allowed: ROLES.join(', ') }, { pointer: '/role' });
  }
  const rules = passwordProblems(input.password, input.email);
  if (rules.length) throw rules[0]!;
  if (await users.userByEmail(database.db, input.email)) {
    throw new Problem('auth.email_taken', { email: input.email }, { pointer: '/email' });
  }
  const passwordHash = await hashPassword(input.password);
  return users.insertUser(database.db, { ...input, passwordHash }, actorId);
}

export async function login(database: Database, email: unknown, password: unknown) {
  if (typeof email !== 'string' || typeof password !== 'string') {
    throw new Problem('auth.invalid_credentials', {}, { pointer: '' });
  }
  const user = await users.userByEmail(database.db, email);
  dummyHash ??= await hashPassword('not-a-real-password-0');
  const ok = await verify(user?.passwordHash ?? dummyHash, password).catch(() => false);
  if (!user || !ok || user.disabledAt) throw new Problem('auth.invalid_credentials', {}, { pointer: '' });
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await sessions.insertSession(database.db, { userId: user.id, tokenHash: tokenHash(token), kind: 'session', expiresAt });
  return { token, expiresAt, user };
}

export async function authenticate(database: Database, token: string) {
  const found = await sessions.sessionUser(database.db, tokenHash(token));
  return found;
}

export async function logout(database: Database, token: string): Promise<void> {
  const found = await sessions.sessionUser(database.db, tokenHash(token));
  if (found) await sessions.revokeSession(database.db, found.session.id);
}
