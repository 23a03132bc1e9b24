import { type Kysely, sql } from 'kysely';
import type { Schema } from '../connect.ts';

export type NotificationKind =
  | 'report.submitted'
  | 'report.reviewed'
  | 'report.approved'
  | 'report.rejected'
  | 'report.commented';

export interface NotificationRow {
  id: string;
  kind: NotificationKind;
  reportId: string;
  reportCode: string;
  reportKind: string;
  reportStatus: string;
  actor: { id: string; name: string } | null;
  commentId: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface CommentRow {
  id: string;
  reportId: string;
  author: { id: string; name: string };
  text: string;
  createdAt: string;
}

/** Active users (not disabled, not archived) chosen by role, and for some roles by organisation. */
export async function activeUsers(
  db: Kysely<Schema>,
  who: { roles: string[]; organisationId?: string | null },
): Promise<string[]> {
  if (!who.roles.length) return [];
  let q = db
    .selectFrom('users')
    .select('id')
    .where('role', 'in', who.roles)
    .where('disabledAt', 'is', null)
    .where('archivedAt', 'is', null);
  if (who.organisationId !== undefined) {
    if (who.organisationId === null) return [];
    q = q.where('organisationId', '=', who.organisationId);
  }
  return (await q.execute()).map((r) => r.id);
}

/** Whether each given user is active; those that are not are left out. */
export async function onlyActive(db: Kysely<Schema>, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('id', 'in', ids)
    .where('disabledAt', 'is', null)
    .where('archivedAt', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

export async function insertNotifications(
  db: Kysely<Schema>,
  recipients: string[],
  n: { kind: NotificationKind; reportId: string; actorId: string | null; commentId?: string | null },
): Promise<void> {
  if (!recipients.length) return;
  await db
    .insertInto('notifications')
    .values(
      recipients.map((recipientId) => ({
        recipientId,
        kind: n.kind,
        reportId: n.reportId,
        actorId: n.actorId,
        commentId: n.commentId ?? null,
      })),
    )
    .execute();
}

const notificationColumns = sql`n.id, n.kind, n.report_id, r.code as report_code, r.kind as report_kind,
  r.status as report_status, n.actor_id, coalesce(u.name, u.email) as actor_name, n.comment_id,
  n.created_at, n.read_at`;

function toNotification(r: Record<string, unknown>): NotificationRow {
  return {
    id: r.id as string,
    kind: r.kind as NotificationKind,
    reportId: r.reportId as string,
    reportCode: r.reportCode as string,
    reportKind: r.reportKind as string,
    reportStatus: r.reportStatus as string,
    actor: r.actorId ? { id: r.actorId as string, name: r.actorName as string } : null,
    commentId: (r.commentId as string | null) ?? null,
    createdAt: new Date(r.createdAt as string).toISOString(),
    readAt: r.readAt ? new Date(r.readAt as string).toISOString() : null,
  };
}

/** A user's own notifications, newest first. */
export async function listNotifications(
  db: Kysely<Schema>,
  recipientId: string,
  q: { unread: boolean; limit: number },
): Promise<NotificationRow[]> {
  const r = await sql<Record<string, unknown>>`
    select ${notificationColumns}
    from notifications n join reports r on r.id = n.report_id left join users u on u.id = n.actor_id
    where n.recipient_id = ${recipientId} ${q.unread ? sql`and n.read_at is null` : sql``}
    order by n.created_at desc, n.id desc limit ${q.limit}`.execute(db);
  return r.rows.map(toNotification);
}

export async function countUnread(db: Kysely<Schema>, recipientId: string): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('recipientId', '=', recipientId)
    .where('readAt', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Marks one of the user's notifications read (kept as first read); undefined when it is not theirs. */
export async function markRead(
  db: Kysely<Schema>,
  recipientId: string,
  id: string,
): Promise<NotificationRow | undefined> {
  const updated = await sql<{ id: string }>`
    update notifications set read_at = coalesce(read_at, now())
    where id = ${id} and recipient_id = ${recipientId} returning id`.execute(db);
  if (!updated.rows.length) return undefined;
  const r = await sql<Record<string, unknown>>`
    select ${notificationColumns}
    from notifications n join reports r on r.id = n.report_id left join users u on u.id = n.actor_id
    where n.id = ${id}`.execute(db);
  return r.rows[0] ? toNotification(r.rows[0]) : undefined;
}

/** Marks all of the user's unread notifications read; returns how many. */
export async function markAllRead(db: Kysely<Schema>, recipientId: string): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ readAt: sql<string>`now()` })
    .where('recipientId', '=', recipientId)
    .where('readAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertComment(
  db: Kysely<Schema>,
  c: { reportId: string; authorId: string; text: string },
): Promise<CommentRow> {
  const row = await db
    .insertInto('reportComments')
    .values({ reportId: c.reportId, authorId: c.authorId, text: c.text })
    .returning(['id', 'createdAt'])
    .executeTakeFirstOrThrow();
  const comments = await commentsOf(db, c.reportId);
  return comments.find((x) => x.id === row.id)!;
}

/** A report's comments, oldest first, with their authors' names. */
export async function commentsOf(db: Kysely<Schema>, reportId: string): Promise<CommentRow[]> {
  const r = await sql<Record<string, unknown>>`
    select c.id, c.report_id, c.author_id, coalesce(u.name, u.email) as author_name, c.text, c.created_at
    from report_comments c join users u on u.id = c.author_id
    where c.report_id = ${reportId} order by c.created_at, c.id`.execute(db);
  return r.rows.map((row) => ({
    id: row.id as string,
    reportId: row.reportId as string,
    author: { id: row.authorId as string, name: row.authorName as string },
    text: row.text as string,
    createdAt: new Date(row.createdAt as string).toISOString(),
  }));
}

/** The users who took part in a report: its author, submitter, reviewer, decider and commenters. */
export async function participants(db: Kysely<Schema>, reportId: string): Promise<string[]> {
  const r = await sql<{ id: string | null }>`
    select created_by as id from reports where id = ${reportId}
    union select submitted_by from reports where id = ${reportId}
    union select reviewed_by from reports where id = ${reportId}
    union select decided_by from reports where id = ${reportId}
    union select author_id from report_comments where report_id = ${reportId}`.execute(db);
  return r.rows.map((x) => x.id).filter((x): x is string => !!x);
}

/** The audit entries of one report, oldest first, with their actors' names. */
export async function reportAuditEntries(db: Kysely<Schema>, reportId: string) {
  const r = await sql<Record<string, unknown>>`
    select a.seq, a.at, a.action, a.before, a.after, a.actor_id, coalesce(u.name, u.email) as actor_name
    from audit_log a left join users u on u.id = a.actor_id
    where a.entity = 'report' and a.record_id = ${reportId} order by a.seq`.execute(db);
  return r.rows.map((row) => ({
    seq: Number(row.seq),
    at: new Date(row.at as string).toISOString(),
    action: row.action as string,
    actor: row.actorId ? { id: row.actorId as string, name: row.actorName as string } : null,
    before: (row.before ?? null) as Record<string, unknown> | null,
    after: (row.after ?? null) as Record<string, unknown> | null,
  }));
}

/** Display names (name, else email) of the given users. */
export async function userNames(db: Kysely<Schema>, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name ?? r.email]));
}
