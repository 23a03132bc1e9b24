import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let approver: Record<string, string>;
let operatorA: Record<string, string>;
let managerA: Record<string, string>;
let operatorB: Record<string, string>;
let orgA: string;

const W = 47.95;
const S = 39.94;
const square = (x: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [W + x * 0.002, S],
      [W + x * 0.002 + 0.001, S],
      [W + x * 0.002 + 0.001, S + 0.001],
      [W + x * 0.002, S + 0.001],
      [W + x * 0.002, S],
    ],
  ],
});

async function hazard(x: number) {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry: square(x),
    properties: { type: 'SHA', deviceCategories: ['AP'], name: unique('Notified field ') },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

/** A submitted report of organisation A that turns a suspected hazard into a confirmed one. */
async function submittedReport(hazardId: string) {
  const draft = await call('POST', '/api/v1/reports', operatorA, {
    kind: 'hazard_status_change',
    // The hazard was recorded today (a direct write is dated the day it is made).
    dateOfInformation: new Date().toISOString().slice(0, 10),
    reason: 'Mines found at the edge by a farmer',
    payload: {
      changes: [
        {
          op: 'update',
          register: 'hazards',
          id: hazardId,
          record: { type: 'Feature', properties: { type: 'CHA' } },
        },
      ],
    },
  });
  expect(draft.statusCode, draft.body).toBe(201);
  const sub = await call('POST', `/api/v1/reports/${draft.json().id}/submit`, operatorA);
  expect(sub.statusCode, sub.body).toBe(200);
  return sub.json() as { id: string; code: string };
}

type Note = { id: string; kind: string; reportId: string; readAt: string | null; actor: { name: string } };

async function notes(who: Record<string, string>, unread = true) {
  const r = await call('GET', `/api/v1/notifications${unread ? '?unread=true' : ''}`, who);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { items: Note[]; unread: number };
}

beforeAll(async () => {
  admin = await login('admin');
  const a = await call('POST', '/api/v1/organisations', admin, { name: unique('Notified A '), kind: 'ngo' });
  const b = await call('POST', '/api/v1/organisations', admin, { name: unique('Notified B '), kind: 'ngo' });
  orgA = a.json().id;
  approver = await login('approver');
  operatorA = await login('operator_data_entry', { organisationId: orgA });
  managerA = await login('operator_manager', { organisationId: orgA });
  operatorB = await login('operator_data_entry', { organisationId: b.json().id });
});

describe(`notifications, comments and the report timeline on ${testDatabaseKind()}`, () => {
  it('tells approvers and the manager of a submitted report, and the author of its rejection', async () => {
    const h = await hazard(0);
    const report = await submittedReport(h.id);

    const forApprover = await notes(approver);
    const submitted = forApprover.items.filter((n) => n.reportId === report.id);
    expect(submitted.map((n) => n.kind)).toEqual(['report.submitted']);
    expect(forApprover.unread).toBeGreaterThanOrEqual(1);
    expect((await notes(managerA)).items.some((n) => n.reportId === report.id)).toBe(true);
    // The author is not told of their own step; another organisation hears nothing of it.
    expect((await notes(operatorA)).items.some((n) => n.reportId === report.id)).toBe(false);
    expect((await notes(operatorB, false)).items.some((n) => n.reportId === report.id)).toBe(false);

    const rejected = await call('POST', `/api/v1/reports/${report.id}/reject`, approver, {
      reason: 'The survey sketch is missing',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const forAuthor = await notes(operatorA);
    const rejection = forAuthor.items.find((n) => n.reportId === report.id);
    expect(rejection?.kind).toBe('report.rejected');
    // The navigation's bell asks for the count alone, one item a page.
    const bell = await call('GET', '/api/v1/notifications?unread=true&limit=1', operatorA);
    expect(bell.statusCode, bell.body).toBe(200);
    expect(bell.json().items.length).toBe(1);
    expect(bell.json().unread).toBe(forAuthor.unread);
    expect((await call('GET', '/api/v1/notifications?limit=0', operatorA)).statusCode).toBe(400);
    expect(rejection?.actor.name).toMatch(/approver/);

    const read = await call('POST', `/api/v1/notifications/${rejection!.id}/read`, operatorA);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().readAt).not.toBeNull();
    expect((await notes(operatorA)).unread).toBe(0);
    expect((await notes(operatorA, false)).items.find((n) => n.id === rejection!.id)?.readAt).not.toBeNull();

    // Someone else's notification cannot be marked, nor even found.
    const theirs = await call('POST', `/api/v1/notifications/${submitted[0]!.id}/read`, operatorA);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().code).toBe('notification.not_found');
    expect((await notes(approver)).items.some((n) => n.id === submitted[0]!.id)).toBe(true);

    const all = await call('POST', '/api/v1/notifications/read-all', approver);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().marked).toBeGreaterThanOrEqual(1);
    expect((await notes(approver)).unread).toBe(0);
  });

  it('shows comments and steps in the timeline, notifies the other participants, and hides it from other organisations', async () => {
    const h = await hazard(1);
    const report = await submittedReport(h.id);
    const comment = await call('POST', `/api/v1/reports/${report.id}/comments`, approver, {
      text: '  Which team surveyed the north edge?  ',
    });
    expect(comment.statusCode, comment.body).toBe(201);
    expect(comment.json().text).toBe('Which team surveyed the north edge?');
    const empty = await call('POST', `/api/v1/reports/${report.id}/comments`, approver, { text: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('report.comment_empty');

    const forAuthor = await notes(operatorA);
    expect(forAuthor.items.filter((n) => n.reportId === report.id).map((n) => n.kind)).toEqual([
      'report.commented',
    ]);
    const reply = await call('POST', `/api/v1/reports/${report.id}/comments`, operatorA, {
      text: 'Team 3, on 30 June.',
    });
    expect(reply.statusCode, reply.body).toBe(201);
    // The approver took part by commenting, so hears the reply.
    expect(
      (await notes(approver)).items.filter((n) => n.reportId === report.id).map((n) => n.kind),
    ).toContain('report.commented');

    const approved = await call('POST', `/api/v1/reports/${report.id}/approve`, approver, {});
    expect(approved.statusCode, approved.body).toBe(200);

    const timeline = await call('GET', `/api/v1/reports/${report.id}/timeline`, operatorA);
    expect(timeline.statusCode, timeline.body).toBe(200);
    const items = timeline.json().items as Array<{
      type: string;
      action?: string;
      comment?: { text: string };
      actor: { name: string } | null;
    }>;
    expect(items.map((i) => (i.type === 'comment' ? `comment:${i.comment!.text}` : i.action))).toEqual([
      'created',
      'submitted',
      'comment:Which team surveyed the north edge?',
      'comment:Team 3, on 30 June.',
      'approved',
    ]);
    expect(items.every((i) => i.actor?.name)).toBe(true);

    const otherOrg = await call('GET', `/api/v1/reports/${report.id}/timeline`, operatorB);
    expect(otherOrg.statusCode).toBe(404);
    expect(otherOrg.json().code).toBe('report.not_found');
    const otherComment = await call('POST', `/api/v1/reports/${report.id}/comments`, operatorB, {
      text: 'hello',
    });
    expect(otherComment.statusCode).toBe(404);
    expect((await notes(operatorB, false)).items.some((n) => n.reportId === report.id)).toBe(false);
    const author = await notes(operatorA);
    expect(author.items.filter((n) => n.reportId === report.id).map((n) => n.kind)).toContain(
      'report.approved',
    );
  });

  it("lists in a record's history the approval of the report that made each change", async () => {
    const h = await hazard(2);
    const report = await submittedReport(h.id);
    expect((await call('POST', `/api/v1/reports/${report.id}/approve`, approver, {})).statusCode).toBe(200);
    const history = await call('GET', `/api/v1/hazards/${h.id}/history`, approver);
    expect(history.statusCode, history.body).toBe(200);
    const entries = history.json().items as Array<{
      action: string;
      reportId: string | null;
      approval: {
        reportId: string;
        reportCode: string;
        kind: string;
        approvedAt: string | null;
        approver: { name: string } | null;
      } | null;
    }>;
    const update = entries.find((e) => e.action === 'update' && e.reportId === report.id);
    expect(update?.approval).toMatchObject({
      reportId: report.id,
      reportCode: report.code,
      kind: 'hazard_status_change',
    });
    expect(update?.approval?.approvedAt).toBeTruthy();
    expect(update?.approval?.approver?.name).toMatch(/approver/);
    // The direct write that created the hazard is an approval too: the admin's own.
    const created = entries.find((e) => e.action === 'create');
    expect(created?.approval?.kind).toBe('direct');
    // Its report's timeline tells the same: created and approved at once by the admin.
    const direct = await call('GET', `/api/v1/reports/${created!.approval!.reportId}/timeline`, approver);
    expect(direct.statusCode, direct.body).toBe(200);
    expect(direct.json().items.map((i: { action?: string }) => i.action)).toEqual(['created', 'approved']);
  });
});
