import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';
import type { Json } from '../schema.ts';

/** Saved output definitions and the files generated from them (migration 017). */

export interface DefinitionRow {
  id: string;
  name: string;
  output: string;
  params: Json;
  periodRule: string;
  locale: string;
  createdBy: string | null;
  createdAt: string;
}

export interface GeneratedRow {
  id: string;
  definitionId: string | null;
  output: string;
  params: Json;
  format: string;
  locale: string;
  contentSha256: string;
  fileSha256: string;
  sizeBytes: number;
  generatedBy: string | null;
  generatedByEmail: string | null;
  generatedAt: string;
}

export async function insertDefinition(
  db: Kysely<Schema>,
  row: {
    name: string;
    output: string;
    params: Json;
    periodRule: string;
    locale: string;
    createdBy: string | null;
  },
): Promise<DefinitionRow> {
  return db
    .insertInto('outputDefinitions')
    .values({ ...row, params: sql<Json>`${JSON.stringify(row.params)}::jsonb` })
    .returning(['id', 'name', 'output', 'params', 'periodRule', 'locale', 'createdBy', 'createdAt'])
    .executeTakeFirstOrThrow();
}

export async function listDefinitions(db: Kysely<Schema>): Promise<DefinitionRow[]> {
  return db
    .selectFrom('outputDefinitions')
    .select(['id', 'name', 'output', 'params', 'periodRule', 'locale', 'createdBy', 'createdAt'])
    .where('archivedAt', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function getDefinition(db: Kysely<Schema>, id: string): Promise<DefinitionRow | undefined> {
  return db
    .selectFrom('outputDefinitions')
    .select(['id', 'name', 'output', 'params', 'periodRule', 'locale', 'createdBy', 'createdAt'])
    .where('id', '=', id)
    .where('archivedAt', 'is', null)
    .executeTakeFirst();
}

export async function archiveDefinition(db: Kysely<Schema>, id: string): Promise<boolean> {
  const r = await db
    .updateTable('outputDefinitions')
    .set({ archivedAt: sql<string>`now()` })
    .where('id', '=', id)
    .where('archivedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertGenerated(
  db: Kysely<Schema>,
  row: {
    definitionId: string | null;
    output: string;
    params: Json;
    format: string;
    locale: string;
    contentSha256: string;
    fileSha256: string;
    content: Uint8Array;
    generatedBy: string | null;
  },
): Promise<{ id: string; generatedAt: string }> {
  return db
    .insertInto('generatedOutputs')
    .values({
      ...row,
      params: sql<Json>`${JSON.stringify(row.params)}::jsonb`,
      sizeBytes: row.content.byteLength,
    })
    .returning(['id', 'generatedAt'])
    .executeTakeFirstOrThrow();
}

const generatedColumns = [
  'g.id',
  'g.definitionId',
  'g.output',
  'g.params',
  'g.format',
  'g.locale',
  'g.contentSha256',
  'g.fileSha256',
  'g.sizeBytes',
  'g.generatedBy',
  'u.email as generatedByEmail',
  'g.generatedAt',
] as const;

/** Generated files, newest first; of one definition when given. */
export async function listGenerated(
  db: Kysely<Schema>,
  opts: { definitionId?: string; limit: number },
): Promise<GeneratedRow[]> {
  let q = db
    .selectFrom('generatedOutputs as g')
    .leftJoin('users as u', 'u.id', 'g.generatedBy')
    .select([...generatedColumns]);
  if (opts.definitionId) q = q.where('g.definitionId', '=', opts.definitionId);
  return q.orderBy('g.generatedAt', 'desc').orderBy('g.id', 'desc').limit(opts.limit).execute();
}

export async function getGenerated(
  db: Kysely<Schema>,
  id: string,
): Promise<(GeneratedRow & { content: Uint8Array }) | undefined> {
  return db
    .selectFrom('generatedOutputs as g')
    .leftJoin('users as u', 'u.id', 'g.generatedBy')
    .select([...generatedColumns, 'g.content'])
    .where('g.id', '=', id)
    .executeTakeFirst();
}
