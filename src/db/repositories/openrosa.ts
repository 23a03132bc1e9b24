import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

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
