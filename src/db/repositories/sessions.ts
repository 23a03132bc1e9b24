import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';
import type { UserRow } from './users.ts';

export interface SessionRow {
  id: string;
  userId: string;
  kind: 'session' | 'api';
  name: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function insertSession(
  db: Kysely<Schema>,
  s: {
    userId: string;
    tokenHash: string;
    kind: 'session' | 'api';
    name?: string | null;
    expiresAt: Date | null;
  },
): Promise<SessionRow> {
  const r = await sql<SessionRow>`
    insert into sessions (user_id, token_hash, kind, name, expires_at)
    values (${s.userId}, ${s.tokenHash}, ${s.kind}, ${s.name ?? null}, ${s.expiresAt ? s.expiresAt.toISOString() : null})
    returning id, user_id, kind, name, created_at, expires_at, last_used_at, revoked_at`.execute(db);
  return r.rows[0]!;
}

/** The live session or token with this hash and its user, or undefined (revoked, expired, user disabled). */
export async function sessionUser(
  db: Kysely<Schema>,
  tokenHash: string,
): Promise<{ session: Pick<SessionRow, 'id' | 'kind' | 'expiresAt'>; user: UserRow } | undefined> {
  const r = await sql<
    UserRow & { sessionId: string; sessionKind: 'session' | 'api'; sessionExpiresAt: string | null }
  >`
    select u.id, u.email, u.name, u.role, u.organisation_id, u.password_hash, u.locale, u.disabled_at, u.version,
      s.id as session_id, s.kind as session_kind, s.expires_at as session_expires_at
    from sessions s join users u on u.id = s.user_id
    where s.token_hash = ${tokenHash} and s.revoked_at is null
      and (s.expires_at is null or s.expires_at > now()) and u.disabled_at is null`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { sessionId, sessionKind, sessionExpiresAt, ...user } = row;
  return { session: { id: sessionId, kind: sessionKind, expiresAt: sessionExpiresAt }, user };
}

export async function revokeSession(db: Kysely<Schema>, id: string, userId?: string): Promise<number> {
  const r = await sql`update sessions set revoked_at = now() where id = ${id} and revoked_at is null
    ${userId ? sql`and user_id = ${userId}` : sql``}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function revokeUserSessions(db: Kysely<Schema>, userId: string): Promise<void> {
  await sql`update sessions set revoked_at = now() where user_id = ${userId} and revoked_at is null`.execute(
    db,
  );
}

export async function listTokens(db: Kysely<Schema>, userId: string): Promise<SessionRow[]> {
  const r = await sql<SessionRow>`
    select id, user_id, kind, name, created_at, expires_at, last_used_at, revoked_at from sessions
    where user_id = ${userId} and kind = 'api' order by created_at`.execute(db);
  return r.rows;
}
