import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';
import type { UserRow } from './users.ts';

/** Submissions received over OpenRosa (migration 018), one row per instance ID. */

export interface OpenRosaSubmissionRow {
  instanceId: string;
  reportId: string;
  formId: string;
  formVersion: string | null;
  submittedBy: string;
  receivedAt: string;
  lastReceivedAt: string;
  posts: number;
  incomplete: boolean;
}

/**
 * Holds, until the transaction ends, the lock of one instance ID: two POSTs of the same filled
 * form (a retry while the first is still running) are taken one after the other, so the second
 * finds the first's report.
 */
export async function lockInstance(trx: Kysely<Schema>, instanceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`openrosa:${instanceId}`}, 0))`.execute(trx);
}

export async function submissionByInstance(
  db: Kysely<Schema>,
  instanceId: string,
): Promise<OpenRosaSubmissionRow | undefined> {
  return db
    .selectFrom('openrosaSubmissions')
    .selectAll()
    .where('instanceId', '=', instanceId)
    .executeTakeFirst();
}

export async function insertSubmission(
  trx: Kysely<Schema>,
  row: Pick<
    OpenRosaSubmissionRow,
    'instanceId' | 'reportId' | 'formId' | 'formVersion' | 'submittedBy' | 'incomplete'
  >,
): Promise<OpenRosaSubmissionRow> {
  return trx.insertInto('openrosaSubmissions').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Counts one more POST of an instance already received, and whether the phone says more follow. */
export async function touchSubmission(
  trx: Kysely<Schema>,
  instanceId: string,
  incomplete: boolean,
): Promise<void> {
  await trx
    .updateTable('openrosaSubmissions')
    .set({ posts: sql`posts + 1`, incomplete, lastReceivedAt: sql`now()` })
    .where('instanceId', '=', instanceId)
    .execute();
}

/** An OpenRosa key (migration 024): the phone's server URL carries it; only its SHA-256 is kept. */
export interface OpenRosaKeyRow {
  id: string;
  userId: string;
  label: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface OpenRosaKeyListRow extends OpenRosaKeyRow {
  userEmail: string;
  userName: string | null;
}

const keyColumns = [
  'k.id',
  'k.userId',
  'k.label',
  'k.createdAt',
  'k.createdBy',
  'k.lastUsedAt',
  'k.revokedAt',
  'k.revokedBy',
] as const;

export async function insertKey(
  db: Kysely<Schema>,
  row: { userId: string; label: string; keySha256: string; createdBy: string },
): Promise<OpenRosaKeyRow> {
  return db
    .insertInto('openrosaKeys')
    .values(row)
    .returning(['id', 'userId', 'label', 'createdAt', 'createdBy', 'lastUsedAt', 'revokedAt', 'revokedBy'])
    .executeTakeFirstOrThrow();
}

/** Keys, newest first: of one user, or every user's (administrators). */
export async function keys(db: Kysely<Schema>, userId?: string): Promise<OpenRosaKeyListRow[]> {
  let q = db
    .selectFrom('openrosaKeys as k')
    .innerJoin('users as u', 'u.id', 'k.userId')
    .select([...keyColumns, 'u.email as userEmail', 'u.name as userName'])
    .orderBy('k.createdAt', 'desc')
    .limit(1000);
  if (userId) q = q.where('k.userId', '=', userId);
  return q.execute();
}

export async function keyById(db: Kysely<Schema>, id: string): Promise<OpenRosaKeyRow | undefined> {
  return db.selectFrom('openrosaKeys as k').select(keyColumns).where('k.id', '=', id).executeTakeFirst();
}

/** Revokes a key not yet revoked; the number of keys revoked (0 or 1). */
export async function revokeKey(db: Kysely<Schema>, id: string, by: string): Promise<number> {
  const r = await db
    .updateTable('openrosaKeys')
    .set({ revokedAt: sql`now()`, revokedBy: by })
    .where('id', '=', id)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The user of a key not revoked, whose account is not disabled, and the key's id. */
export async function keyUser(
  db: Kysely<Schema>,
  keySha256: string,
): Promise<{ keyId: string; user: UserRow } | undefined> {
  const r = await sql<UserRow & { keyId: string }>`
    select u.id, u.email, u.name, u.role, u.organisation_id, u.password_hash, u.locale, u.disabled_at, u.version,
      k.id as key_id
    from openrosa_keys k join users u on u.id = k.user_id
    where k.key_sha256 = ${keySha256} and k.revoked_at is null and u.disabled_at is null`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { keyId, ...user } = row;
  return { keyId, user };
}

/** Notes that a key was used (at most once a minute, so a phone's many requests write little). */
export async function touchKey(db: Kysely<Schema>, id: string): Promise<void> {
  await sql`update openrosa_keys set last_used_at = now()
    where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`.execute(db);
}

/** A user's Digest HA1 for a realm, with the username it was computed for. */
export async function digestOf(
  db: Kysely<Schema>,
  username: string,
): Promise<{ userId: string; username: string; realm: string; ha1: string } | undefined> {
  return db
    .selectFrom('openrosaDigest')
    .select(['userId', 'username', 'realm', 'ha1'])
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function saveDigest(
  db: Kysely<Schema>,
  row: { userId: string; username: string; realm: string; ha1: string },
): Promise<void> {
  await db
    .insertInto('openrosaDigest')
    .values(row)
    .onConflict((oc) =>
      oc.column('userId').doUpdateSet({
        username: row.username,
        realm: row.realm,
        ha1: row.ha1,
        updatedAt: sql`now()`,
      }),
    )
    .execute();
}

/** Which of these content hashes some attachment still names (a stored file in use). */
export async function hashesInUse(db: Kysely<Schema>, sha256s: string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const r = await sql<{ sha256: string }>`
    select distinct sha256 from attachments where sha256 in (${sql.join(sha256s)})
    union select distinct sha256 from uploads where sha256 in (${sql.join(sha256s)})`.execute(db);
  return new Set(r.rows.map((x) => x.sha256));
}
