import type { Kysely } from 'kysely';
import type { Database, Schema } from '../db/connect.ts';
import * as repo from '../db/repositories/notifications.ts';
import type { ReportRow } from '../db/repositories/reports.ts';
import { can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import type { Actor } from './actor.ts';
import type { ReportService } from './reports.ts';

export type ReportEvent = 'submit' | 'review' | 'approve' | 'reject';

const KIND_OF: Record<ReportEvent, repo.NotificationKind> = {
  submit: 'report.submitted',
  review: 'report.reviewed',
  approve: 'report.approved',
  reject: 'report.rejected',
};

/**
 * Who hears of a step of a report's workflow: a submitted report waits for its organisation's
 * managers (who may review it) and for the authority's approvers (who may approve it without a
 * review); a reviewed one for the approvers; a decision goes back to the report's author, its
 * submitter and its organisation's data-entry users. The actor is never told of their own step.
 * Runs in the transaction of the step, so the notice and the step are written together.
 */
export async function notifyReportEvent(
  trx: Kysely<Schema>,
  event: ReportEvent,
  report: ReportRow,
  actor: Actor,
): Promise<void> {
  let recipients: string[];
  if (event === 'submit') {
    recipients = [
      ...(await repo.activeUsers(trx, {
        roles: ['operator_manager'],
        organisationId: report.organisationId,
      })),
      ...(await repo.activeUsers(trx, { roles: ['approver'] })),
    ];
  } else if (event === 'review') {
    recipients = await repo.activeUsers(trx, { roles: ['approver'] });
  } else {
    recipients = [
      ...(await repo.onlyActive(
        trx,
        [report.createdBy, report.submittedBy].filter((x): x is string => !!x),
      )),
      ...(await repo.activeUsers(trx, {
        roles: ['operator_data_entry'],
        organisationId: report.organisationId,
      })),
    ];
  }
  await repo.insertNotifications(trx, others(recipients, actor), {
    kind: KIND_OF[event],
    reportId: report.id,
    actorId: actor.id,
  });
}

function others(ids: string[], actor: Actor): string[] {
  return [...new Set(ids)].filter((id) => id !== actor.id);
}

export interface TimelineEntry {
  at: string;
  type: 'event' | 'comment';
  /** For an event: created, edited, submitted, reviewed, approved or rejected. */
  action?: string;
  actor: { id: string; name: string } | null;
  /** The reason given with a rejection. */
  reason?: string | null;
  comment?: { id: string; text: string };
}

const EVENT_OF: Record<string, string> = {
  'report.create': 'created',
  'report.edit': 'edited',
  'report.submit': 'submitted',
  'report.review': 'reviewed',
  'report.approve': 'approved',
  'report.reject': 'rejected',
};

const MAX_COMMENT = 4000;

/** A user's notifications, comments on reports and the reports' timelines. */
export class NotificationService {
  constructor(
    private readonly database: Database,
    private readonly reports: ReportService,
  ) {}

  async list(actor: Actor, q: { unread?: boolean; limit?: number }) {
    const recipientId = this.signedIn(actor);
    const db = this.database.db;
    const items = await repo.listNotifications(db, recipientId, {
      unread: q.unread ?? false,
      limit: Math.min(Math.max(q.limit ?? 50, 1), 200),
    });
    return { items, unread: await repo.countUnread(db, recipientId) };
  }

  async markRead(actor: Actor, id: string) {
    const recipientId = this.signedIn(actor);
    return this.database.db.transaction().execute(async (trx) => {
      const row = await repo.markRead(trx, recipientId, id);
      if (!row) throw new Problem('notification.not_found', { id }, { pointer: '' });
      return row;
    });
  }

  async markAllRead(actor: Actor) {
    const recipientId = this.signedIn(actor);
    return this.database.db.transaction().execute(async (trx) => ({
      marked: await repo.markAllRead(trx, recipientId),
    }));
  }

  /**
   * A comment on a report the actor may read, by a role that takes part in the workflow; the
   * report's other participants (author, submitter, reviewer, decider, earlier commenters) are
   * notified in the same transaction.
   */
  async comment(actor: Actor, reportId: string, text: string) {
    // 404 for a report the actor may not read, before anything else.
    await this.reports.get(actor, reportId);
    const authorId = actor.id;
    if (
      !authorId ||
      !(
        can(actor.role, 'report.create') ||
        can(actor.role, 'report.review') ||
        can(actor.role, 'report.approve')
      )
    )
      throw new Problem(
        'auth.forbidden',
        { action: 'report.comment', role: actor.role, entity: 'report' },
        { pointer: '' },
      );
    const trimmed = text.trim();
    if (!trimmed) throw new Problem('report.comment_empty', {}, { pointer: '/text' });
    if (trimmed.length > MAX_COMMENT)
      throw new Problem('report.comment_too_long', { max: MAX_COMMENT }, { pointer: '/text' });
    return this.database.db.transaction().execute(async (trx) => {
      const comment = await repo.insertComment(trx, { reportId, authorId, text: trimmed });
      const recipients = await repo.onlyActive(trx, await repo.participants(trx, reportId));
      await repo.insertNotifications(trx, others(recipients, actor), {
        kind: 'report.commented',
        reportId,
        actorId: authorId,
        commentId: comment.id,
      });
      return comment;
    });
  }

  /** What happened to a report and what was said about it, oldest first (who may read the report). */
  async timeline(actor: Actor, reportId: string): Promise<{ items: TimelineEntry[] }> {
    const report = await this.reports.get(actor, reportId);
    const db = this.database.db;
    const events: TimelineEntry[] = (await repo.reportAuditEntries(db, reportId))
      .filter((e) => EVENT_OF[e.action])
      .map((e) => ({
        at: e.at,
        type: 'event',
        action: EVENT_OF[e.action]!,
        actor: e.actor,
        ...(e.action === 'report.reject'
          ? { reason: (e.after?.rejectionReason as string | null | undefined) ?? null }
          : {}),
      }));
    if (report.kind === 'direct' && !events.length) {
      // A direct write is a report created and approved at once; its steps are on the report itself.
      const names = await repo.userNames(
        db,
        [report.createdBy, report.decidedBy].filter((x): x is string => !!x),
      );
      const who = (id: string | null) => (id ? { id, name: names.get(id) ?? id } : null);
      events.push({ at: report.createdAt, type: 'event', action: 'created', actor: who(report.createdBy) });
      if (report.status === 'approved' && report.decidedAt)
        events.push({
          at: report.decidedAt,
          type: 'event',
          action: 'approved',
          actor: who(report.decidedBy),
        });
    }
    const comments: TimelineEntry[] = (await repo.commentsOf(db, reportId)).map((c) => ({
      at: c.createdAt,
      type: 'comment',
      actor: c.author,
      comment: { id: c.id, text: c.text },
    }));
    // Stable: at equal times an event comes before a comment, each in its own order.
    const items = [...events, ...comments].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { items };
  }

  private signedIn(actor: Actor): string {
    if (!actor.id) throw new Problem('auth.required', {}, { pointer: '' });
    return actor.id;
  }
}
