import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

/** Every place protected identity values are stored, for key rotation. */
export async function casualtyIdentities(db: Kysely<Schema>) {
  const r = await sql<{
    id: string;
    identityName: string | null;
    identityDateOfBirth: string | null;
    identityAddress: string | null;
  }>`
    select id, identity_name, identity_date_of_birth, identity_address from casualties
    where identity_name is not null or identity_date_of_birth is not null or identity_address is not null`.execute(
    db,
  );
  return r.rows;
}

export async function setCasualtyIdentity(
  db: Kysely<Schema>,
  id: string,
  v: { name: string | null; dateOfBirth: string | null; address: string | null },
) {
  await sql`update casualties set identity_name = ${v.name}, identity_date_of_birth = ${v.dateOfBirth},
    identity_address = ${v.address} where id = ${id}`.execute(db);
}

/** Approved history entries and report payloads that may hold casualty identities. */
export async function casualtyPatches(db: Kysely<Schema>) {
  const r = await sql<{ seq: number; patch: Record<string, unknown> }>`
    select seq::int as seq, patch from record_changes where entity = 'casualty' and patch ? 'identity'`.execute(
    db,
  );
  return r.rows;
}

export async function setPatch(db: Kysely<Schema>, seq: number, patch: unknown) {
  await sql`update record_changes set patch = ${JSON.stringify(patch)}::jsonb where seq = ${seq}`.execute(db);
}

export async function reportPayloadsWithCasualties(db: Kysely<Schema>) {
  const r = await sql<{ id: string; payload: { changes: unknown[] } }>`
    select id, payload from reports where payload::text like '%"casualties"%'`.execute(db);
  return r.rows;
}

export async function setReportPayload(db: Kysely<Schema>, id: string, payload: unknown) {
  await sql`update reports set payload = ${JSON.stringify(payload)}::jsonb where id = ${id}`.execute(db);
}
