import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/** Failed sign-ins, per account (email, lower-cased) and client address together. */

/** Records a failure (or an attempt not yet decided) and returns its id. */
export async function recordLoginFailure(
  db: Kysely<Schema>,
  email: string,
  address: string,
  keepSeconds: number,
): Promise<string> {
  const res = await sql<{ id: string }>`
    insert into login_failures (email, ip) values (${email.toLowerCase()}, ${address}) returning id::text as id`.execute(
    db,
  );
  // Failures older than anything the throttle looks at are of no further use.
  await sql`delete from login_failures where at < now() - make_interval(secs => ${keepSeconds})`.execute(db);
  return res.rows[0]!.id;
}

/** Takes back one recorded attempt (one that was refused, not tried). */
export async function forgetLoginFailure(db: Kysely<Schema>, id: string): Promise<void> {
  await sql`delete from login_failures where id = ${id}::bigint`.execute(db);
}

export interface LoginFailureCounts {
  /** Failures of this account from this address in the last `pairSeconds` (other than `exceptId`). */
  pairFailures: number;
  /** Seconds since the latest of them (null when there is none). */
  pairLatestAgeSeconds: number | null;
  /** Failures from this address on any account in the last `addressSeconds`. */
  addressFailures: number;
  /** Seconds since the oldest of them (null when there is none). */
  addressOldestAgeSeconds: number | null;
}

export async function loginFailureCounts(
  db: Kysely<Schema>,
  email: string,
  address: string,
  pairSeconds: number,
  addressSeconds: number,
  exceptId = '0',
): Promise<LoginFailureCounts> {
  const res = await sql<LoginFailureCounts>`
    select
      (select count(*)::int from login_failures
        where lower(email) = ${email.toLowerCase()} and ip = ${address}
          and at > now() - make_interval(secs => ${pairSeconds}) and id <> ${exceptId}::bigint) as pair_failures,
      (select extract(epoch from (now() - max(at)))::float8 from login_failures
        where lower(email) = ${email.toLowerCase()} and ip = ${address}
          and at > now() - make_interval(secs => ${pairSeconds}) and id <> ${exceptId}::bigint) as pair_latest_age_seconds,
      (select count(*)::int from login_failures
        where ip = ${address} and at > now() - make_interval(secs => ${addressSeconds})
          and id <> ${exceptId}::bigint) as address_failures,
      (select extract(epoch from (now() - min(at)))::float8 from login_failures
        where ip = ${address} and at > now() - make_interval(secs => ${addressSeconds})
          and id <> ${exceptId}::bigint) as address_oldest_age_seconds`.execute(db);
  return res.rows[0]!;
}

/** Forgets the failures of this account from this address (after a good sign-in from it). */
export async function clearLoginFailures(db: Kysely<Schema>, email: string, address: string): Promise<void> {
  await sql`delete from login_failures where lower(email) = ${email.toLowerCase()} and ip = ${address}`.execute(
    db,
  );
}
