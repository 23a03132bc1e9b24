import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: string;
  organisationId: string | null;
  passwordHash: string;
  locale: string;
  disabledAt: string | null;
  version: number;
}

const columns = sql`id, email, name, role, organisation_id, password_hash, locale, disabled_at, version`;

export async function insertUser(
  db: Kysely<Schema>,
  u: {
    email: string;
    name?: string | null;
    role: string;
    organisationId?: string | null;
    passwordHash: string;
    locale?: string;
  },
  actorId: string | null,
): Promise<UserRow> {
  const r = await sql<UserRow>`
    insert into users (email, name, role, organisation_id, password_hash, locale, created_by, updated_by)
    values (${u.email}, ${u.name ?? null}, ${u.role}, ${u.organisationId ?? null}, ${u.passwordHash}, ${u.locale ?? 'en'},
      ${actorId}, ${actorId})
    returning ${columns}`.execute(db);
  return r.rows[0]!;
}

export async function userByEmail(db: Kysely<Schema>, email: string): Promise<UserRow | undefined> {
  const r = await sql<UserRow>`select ${columns} from users where lower(email) = lower(${email})`.execute(db);
  return r.rows[0];
}

export async function userById(db: Kysely<Schema>, id: string): Promise<UserRow | undefined> {
  const r = await sql<UserRow>`select ${columns} from users where id = ${id}`.execute(db);
  return r.rows[0];
}

export async function setUserLocale(db: Kysely<Schema>, id: string, locale: string): Promise<void> {
  await sql`update users set locale = ${locale}, version = version + 1 where id = ${id}`.execute(db);
}

export async function setUserDisabled(db: Kysely<Schema>, id: string, disabled: boolean): Promise<void> {
  await sql`update users set disabled_at = ${disabled ? sql`now()` : null}, version = version + 1 where id = ${id}`.execute(
    db,
  );
}

export async function listUsers(db: Kysely<Schema>) {
  const r = await sql<Omit<UserRow, 'passwordHash'>>`
    select id, email, name, role, organisation_id, locale, disabled_at, version from users order by email`.execute(
    db,
  );
  return r.rows;
}

export async function setUserRole(db: Kysely<Schema>, id: string, role: string): Promise<void> {
  await sql`update users set role = ${role}, version = version + 1 where id = ${id}`.execute(db);
}
