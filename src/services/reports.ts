import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Schema } from '../db/connect.ts';
import { problemFromDatabaseError } from '../db/errors.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { getRecord } from '../db/repositories/registers.ts';
import * as repo from '../db/repositories/reports.ts';
import {
  accidentDate,
  casualtiesOnDate,
  distanceFromHazard,
  nearbyFindings,
  overlappingOpenHazards,
} from '../db/repositories/rules.ts';
import { can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import { type RegisterDef, registerBySlug } from '../domain/records.ts';
import {
  type Change,
  kindProblems,
  OPERATOR_ROLES,
  REPORT_TRANSITIONS,
  ReportCreateSchema,
  type ReportKind,
} from '../domain/reports.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import { type Actor, assertCan } from './actor.ts';
import { applyChanges, defOf, featureForPlainRegister, type Row } from './changes.ts';
import { failpoint } from './failpoints.ts';
import { isUuid } from './list-query.ts';
import { notifyReportEvent } from './notifications.ts';
import { decrypt, encryptIdentity, type Keyring, recordIdentityRead } from './personal-data.ts';
import { accreditationFindings } from './register-hooks/accreditation.ts';
import { type HookWarning, writeHooks } from './register-hooks/index.ts';
import { linkAttachmentsOnApproval } from './report-attachments.ts';

/** Thresholds of the duplicate warnings shown to approvers (settings, with these defaults). */
export interface DuplicateSettings {
  hazardOverlapShare: number;
  findingDistanceM: number;
  findingDays: number;
  /** A finding farther than this from its hazard's outline is a warning the approver confirms. */
  findingOutsideHazardM: number;
}
export const DEFAULT_DUPLICATES: DuplicateSettings = {
  hazardOverlapShare: 0.5,
  findingDistanceM: 5,
  findingDays: 30,
  findingOutsideHazardM: 50,
};

export interface Warning {
  id: string;
  code:
    | 'duplicate.hazard_overlap'
    | 'duplicate.finding_nearby'
    | 'duplicate.casualty_same_person'
    | 'finding.outside_hazard'
    | 'report.conflict'
    | 'accreditation.outside'
    | HookWarning['code'];
  change: number;
  other: { id: string; code: string };
  params: Record<string, string | number>;
}

type ReportOut = Omit<repo.ReportRow, 'payload'> & {
  payload: { changes: Change[] };
  /** Indexes of the changes holding a casualty identity the reader may not see (left out of the change). */
  hiddenIdentities?: number[];
};

export class ReportService {
  constructor(
    private readonly database: Database,
    private readonly keyring: Keyring,
    private readonly duplicates: DuplicateSettings = DEFAULT_DUPLICATES,
  ) {}

  /** Creates a draft. Operators' reports belong to their organisation. */
  async create(actor: Actor, body: unknown): Promise<ReportOut> {
    assertCan(actor, 'report.create');
    const input = this.checkBody(body);
    const organisationId = OPERATOR_ROLES.includes(actor.role)
      ? actor.organisationId
      : (input.organisationId ?? actor.organisationId);
    return this.database.db.transaction().execute(async (trx) => {
      const row = await repo.insertReport(trx, {
        kind: input.kind,
        status: 'draft',
        organisationId,
        dateOfInformation: input.dateOfInformation,
        payload: this.protect(input.payload),
        reason: input.reason ?? null,
        createdBy: actor.id,
        clientId: input.clientId ?? null,
      });
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'report.create',
        entity: 'report',
        recordId: row.id,
        before: null,
        after: summary(row),
      });
      return this.visible(actor, row);
    });
  }

  /**
   * Creates a draft once per device-given id (`clientId`): the same author posting the same
   * clientId again gets the report already made (`replay`), never a second one. Two racing
   * posts meet at the unique index on (created_by, client_id); the loser reads the winner's.
   */
  async createOnce(actor: Actor, body: unknown): Promise<{ report: ReportOut; replay: boolean }> {
    const clientId = (body as { clientId?: unknown } | null)?.clientId;
    if (typeof clientId !== 'string' || !isUuid(clientId) || !actor.id)
      return { report: await this.create(actor, body), replay: false };
    assertCan(actor, 'report.create');
    const author = actor.id;
    const existing = () => repo.reportByClientId(this.database.db, author, clientId);
    const found = await existing();
    if (found) return { report: this.visible(actor, found), replay: true };
    try {
      return { report: await this.create(actor, body), replay: false };
    } catch (err) {
      if ((err as { code?: unknown })?.code !== '23505') throw err;
      const winner = await existing();
      if (!winner) throw err;
      return { report: this.visible(actor, winner), replay: true };
    }
  }

  /**
   * Creates a report and submits it at once, in the caller's transaction: a filled form sent
   * from a phone (OpenRosa) is a report its author has finished. The same checks, audit entries
   * and notifications as `create` followed by `submit`.
   */
  async createSubmitted(trx: Kysely<Schema>, actor: Actor, body: unknown): Promise<repo.ReportRow> {
    assertCan(actor, 'report.create');
    assertCan(actor, 'report.submit');
    const input = this.checkBody(body);
    const organisationId = OPERATOR_ROLES.includes(actor.role)
      ? actor.organisationId
      : (input.organisationId ?? actor.organisationId);
    const draft = await repo.insertReport(trx, {
      kind: input.kind,
      status: 'draft',
      organisationId,
      dateOfInformation: input.dateOfInformation,
      payload: this.protect(input.payload),
      reason: input.reason ?? null,
      createdBy: actor.id,
    });
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'report.create',
      entity: 'report',
      recordId: draft.id,
      before: null,
      after: summary(draft),
    });
    const submitted = await repo.transitionReport(
      trx,
      draft.id,
      REPORT_TRANSITIONS.submit.from,
      'submitted',
      {
        actorId: actor.id,
        stamp: 'submitted',
        rejectionReason: null,
      },
    );
    if (!submitted)
      throw new Problem('report.state_conflict', { status: 'changed', action: 'submit' }, { pointer: '' });
    await appendAudit(trx, {
      actorId: actor.id,
      action: 'report.submit',
      entity: 'report',
      recordId: draft.id,
      reportId: draft.id,
      before: summary(draft),
      after: summary(submitted),
    });
    await notifyReportEvent(trx, 'submit', submitted, actor);
    return submitted;
  }

  /** Edits a draft or a rejected report (If-Match version). */
  async edit(actor: Actor, id: string, version: number, body: unknown): Promise<ReportOut> {
    assertCan(actor, 'report.create');
    const input = this.checkBody(body);
    return this.database.db.transaction().execute(async (trx) => {
      const before = await this.load(trx, actor, id, { forUpdate: true });
      if (!['draft', 'rejected'].includes(before.status)) {
        throw new Problem(
          'report.state_conflict',
          { status: before.status, action: 'edit' },
          { pointer: '' },
        );
      }
      if (before.version !== version)
        throw new Problem(
          'record.version_conflict',
          { expected: version, current: before.version },
          { pointer: '' },
        );
      const row = await repo.updateReportContent(trx, id, version, {
        dateOfInformation: input.dateOfInformation,
        payload: {
          changes: keepWriteOnly(before.payload.changes, this.protect(input.payload).changes),
        },
        reason: input.reason ?? null,
        actorId: actor.id,
      });
      if (!row)
        throw new Problem(
          'record.version_conflict',
          { expected: version, current: before.version },
          { pointer: '' },
        );
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'report.edit',
        entity: 'report',
        recordId: id,
        before: summary(before),
        after: summary(row),
      });
      return this.visible(actor, row);
    });
  }

  /**
   * Whether the actor may edit or submit this report, decided before anything the request
   * carries (body, If-Match) is looked at: 404 for a report they may not see, 403 for an
   * action their role may not take.
   */
  async authorise(actor: Actor, id: string, action: 'edit' | 'submit'): Promise<void> {
    const report = await this.load(this.database.db, actor, id);
    if (
      action === 'submit' &&
      OPERATOR_ROLES.includes(actor.role) &&
      report.organisationId !== actor.organisationId
    )
      throw new Problem('report.not_found', { id }, { pointer: '' });
    assertCan(actor, action === 'edit' ? 'report.create' : 'report.submit');
  }

  /**
   * One report. Its casualties' identities only when a role that may read them asks
   * (`identity: true`); that read is appended to the audit log first (`read_identity`: who, when,
   * which changes held one), as a record's is. Every other read says which changes hold one.
   */
  async get(actor: Actor, id: string, opts: { identity?: boolean } = {}): Promise<ReportOut> {
    if (opts.identity) assertCan(actor, 'identity.read');
    const row = await this.load(this.database.db, actor, id);
    const plain = this.visible(actor, row);
    if (!opts.identity) return plain;
    const held = plain.hiddenIdentities ?? [];
    if (held.length > 0) await recordIdentityRead(this.database, actor.id, 'report', id, { changes: held });
    return this.visible(actor, row, true);
  }

  async list(
    actor: Actor,
    q: {
      status?: string;
      kind?: string;
      mine?: boolean;
      limit?: number;
      before?: string;
      /** The report the caller made with this device-given id (the caller's own only). */
      clientId?: string;
    },
  ) {
    const all = can(actor.role, 'report.read_all');
    if (q.clientId !== undefined && (!isUuid(q.clientId) || !actor.id)) return [];
    const rows = await repo.listReports(this.database.db, {
      status: q.status,
      kind: q.kind,
      organisationId: all ? undefined : (actor.organisationId ?? '00000000-0000-0000-0000-000000000000'),
      createdBy: q.mine || q.clientId ? (actor.id ?? undefined) : undefined,
      clientId: q.clientId,
      limit: Math.min(q.limit ?? 100, 500),
      before: q.before,
    });
    // Names only: a list never carries the e-mail of a user of another organisation.
    const hazardsOf = (r: repo.ReportRow): string[] => {
      const ids = new Set<string>();
      for (const c of r.payload.changes as Change[]) {
        const record = ('record' in c ? c.record : null) as { properties?: Record<string, unknown> } | null;
        const h = c.register === 'hazards' && c.op !== 'create' ? c.id : record?.properties?.hazardId;
        if (typeof h === 'string' && isUuid(h)) ids.add(h);
      }
      return [...ids];
    };
    const names = await repo.reportListNames(this.database.db, {
      users: [...new Set(rows.flatMap((r) => (r.createdBy ? [r.createdBy] : [])))],
      organisations: [...new Set(rows.flatMap((r) => (r.organisationId ? [r.organisationId] : [])))],
      hazards: [...new Set(rows.flatMap(hazardsOf))],
    });
    return rows.map((r) => ({
      ...this.visible(actor, r),
      createdByName: (r.createdBy && names.users.get(r.createdBy)) ?? null,
      organisationName: (r.organisationId && names.organisations.get(r.organisationId)) ?? null,
      hazardCodes: hazardsOf(r).flatMap((h) => names.hazards.get(h) ?? []),
    }));
  }

  /**
   * Submits a draft or a rejected report. A report already submitted (submitted, reviewed or
   * approved) is answered as it is: a device retrying a submission whose answer it lost gets the
   * same report, not an error, and nothing is written again.
   */
  async submit(actor: Actor, id: string): Promise<ReportOut> {
    assertCan(actor, 'report.submit');
    const current = await this.load(this.database.db, actor, id);
    if (current.submittedAt && ['submitted', 'reviewed', 'approved'].includes(current.status))
      return this.visible(actor, current);
    return this.transition(actor, id, 'submit', async (trx, report) => {
      // Check the changes now (kind rules) so that a report cannot be submitted broken.
      const problems = kindProblems(
        report.kind as ReportKind,
        report.payload.changes as Change[],
        report.reason,
      );
      if (problems.length) throw withOthers(problems);
      return repo.transitionReport(trx, id, REPORT_TRANSITIONS.submit.from, 'submitted', {
        actorId: actor.id,
        stamp: 'submitted',
        rejectionReason: null,
      });
    });
  }

  async review(actor: Actor, id: string): Promise<ReportOut> {
    assertCan(actor, 'report.review');
    return this.transition(actor, id, 'review', (trx) =>
      repo.transitionReport(trx, id, REPORT_TRANSITIONS.review.from, 'reviewed', {
        actorId: actor.id,
        stamp: 'reviewed',
      }),
    );
  }

  async reject(actor: Actor, id: string, reason: unknown): Promise<ReportOut> {
    assertCan(actor, 'report.approve');
    if (typeof reason !== 'string' || !reason.trim())
      throw new Problem('report.reason_required', { kind: 'reject' }, { pointer: '/reason' });
    return this.transition(actor, id, 'reject', (trx) =>
      repo.transitionReport(trx, id, REPORT_TRANSITIONS.reject.from, 'rejected', {
        actorId: actor.id,
        stamp: 'decided',
        rejectionReason: reason.trim(),
      }),
    );
  }

  /** The duplicate warnings the approver will have to confirm. */
  async warnings(actor: Actor, id: string): Promise<Warning[]> {
    const report = await this.load(this.database.db, actor, id);
    return this.findWarnings(this.database.db, report.payload.changes as Change[], report.dateOfInformation);
  }

  /**
   * A dry run of the approval on a report the actor may read: the kind's rules, the duplicate
   * and position warnings, and every change applied with the land-release and hazard rules, in a
   * transaction that is always rolled back, so nothing is written. The problems are those the
   * approval would raise (the first change that fails stops the run, as approval does).
   */
  async check(actor: Actor, id: string): Promise<{ problems: Problem[]; warnings: Warning[] }> {
    const rollback = Symbol('rollback');
    let result: { problems: Problem[]; warnings: Warning[] } | undefined;
    try {
      await this.database.db.transaction().execute(async (trx) => {
        const report = await this.load(trx, actor, id);
        const changes = report.payload.changes as Change[];
        const problems: Problem[] = kindProblems(report.kind as ReportKind, changes, report.reason);
        const warnings = await this.findWarnings(trx, changes, report.dateOfInformation);
        try {
          await applyChanges(
            {
              trx,
              actor,
              keyring: this.keyring,
              report: { id, dateOfInformation: report.dateOfInformation, reason: report.reason },
              pointer: (i) => `/payload/changes/${i}/record`,
            },
            changes.map((c) => this.decrypted(c)),
          );
        } catch (err) {
          const problem = err instanceof Problem ? err : problemFromDatabaseError(err);
          if (!problem) throw err;
          problems.push(problem);
        }
        result = { problems, warnings };
        throw rollback;
      });
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return result!;
  }

  /**
   * Approves a report and applies its changes, all in one transaction: the register, the
   * record histories and the audit chain change together or not at all. Duplicate warnings must
   * be confirmed by id; otherwise 409 with the warnings.
   */
  async approve(actor: Actor, id: string, confirm: unknown): Promise<ReportOut> {
    assertCan(actor, 'report.approve');
    const confirmed = new Set(
      Array.isArray(confirm) ? confirm.filter((c): c is string => typeof c === 'string') : [],
    );
    return this.database.db.transaction().execute(async (trx) => {
      const report = await this.load(trx, actor, id, { forUpdate: true });
      if (!REPORT_TRANSITIONS.approve.from.includes(report.status as never)) {
        throw new Problem(
          'report.state_conflict',
          { status: report.status, action: 'approve' },
          { pointer: '' },
        );
      }
      const changes = report.payload.changes as Change[];
      const problems = kindProblems(report.kind as ReportKind, changes, report.reason);
      if (problems.length) throw withOthers(problems);
      const warnings = await this.findWarnings(trx, changes, report.dateOfInformation);
      const unconfirmed = warnings.filter((w) => !confirmed.has(w.id));
      if (unconfirmed.length) {
        const p = new Problem(
          'report.warnings_unconfirmed',
          { count: unconfirmed.length },
          { pointer: '/confirmWarnings' },
        );
        p.data = { warnings };
        throw p;
      }
      const moved = await repo.transitionReport(trx, id, REPORT_TRANSITIONS.approve.from, 'approved', {
        actorId: actor.id,
        stamp: 'decided',
        warnings,
      });
      if (!moved)
        throw new Problem('report.state_conflict', { status: 'changed', action: 'approve' }, { pointer: '' });
      const { applied } = await applyChanges(
        {
          trx,
          actor,
          keyring: this.keyring,
          report: { id, dateOfInformation: report.dateOfInformation, reason: report.reason },
          pointer: (i) => `/payload/changes/${i}/record`,
        },
        // The draft keeps identities encrypted; they are checked (a date of birth is a date) as written.
        changes.map((c) => this.decrypted(c)),
      );
      await linkAttachmentsOnApproval(trx, actor, id, applied);
      await failpoint('approval.before_commit');
      const done = await repo.transitionReport(trx, id, ['approved'], 'approved', {
        actorId: actor.id,
        stamp: 'decided',
        applied,
      });
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'report.approve',
        entity: 'report',
        recordId: id,
        reportId: id,
        before: summary(report),
        after: { ...summary(done!), applied, warningsConfirmed: warnings.map((w) => w.id) },
      });
      await notifyReportEvent(trx, 'approve', done!, actor);
      return this.visible(actor, done!);
    });
  }

  /**
   * A direct write by an authority role: recorded as a report approved at once by that user, so
   * that every change has one path and one audit trail.
   */
  async directWrite(
    actor: Actor,
    def: RegisterDef,
    change: Change,
    opts: { expectedVersion?: number; dateOfInformation?: string | null },
  ): Promise<Row> {
    assertCan(actor, 'record.write', def);
    return this.database.db.transaction().execute(async (trx) => {
      if (change.op !== 'create' && opts.expectedVersion !== undefined) {
        const current = await getRecord(trx, def, change.id, { forUpdate: true });
        if (!current)
          throw new Problem('record.not_found', { entity: def.entity, id: change.id }, { pointer: '' });
        if (current.version !== opts.expectedVersion) {
          throw new Problem(
            'record.version_conflict',
            { expected: opts.expectedVersion, current: current.version as number },
            { pointer: '' },
          );
        }
      }
      // Made approved in one statement (repo.insertDirectReport), as if submitted and approved.
      const report = await repo.insertDirectReport(trx, {
        organisationId: actor.organisationId,
        dateOfInformation: opts.dateOfInformation ?? new Date().toISOString().slice(0, 10),
        payload: this.protect({ changes: [change] }),
        createdBy: actor.id,
      });
      const { applied, records } = await applyChanges(
        {
          trx,
          actor,
          keyring: this.keyring,
          report: { id: report.id, dateOfInformation: report.dateOfInformation, reason: null },
          pointer: () => '',
        },
        [change],
      );
      await repo.transitionReport(trx, report.id, ['approved'], 'approved', {
        actorId: actor.id,
        stamp: 'decided',
        applied,
      });
      return records[0]!;
    });
  }

  private checkBody(body: unknown) {
    const problems = schemaProblems(ReportCreateSchema, body);
    if (problems.length) throw withOthers(problems);
    const input = body as {
      kind: ReportKind;
      dateOfInformation: string;
      reason?: string | null;
      organisationId?: string | null;
      payload: { changes: Change[] };
      clientId?: string;
    };
    const kp = kindProblems(input.kind, input.payload.changes, input.reason);
    input.payload.changes.forEach((c, i) => {
      try {
        const def = defOf(c.register, `/payload/changes/${i}/record`);
        const wrapped =
          c.op === 'archive' ? null : featureForPlainRegister(def, c.record, `/payload/changes/${i}/record`);
        if (wrapped) kp.push(wrapped);
      } catch (e) {
        kp.push(e as Problem);
      }
    });
    if (kp.length) throw withOthers(kp);
    return input;
  }

  /** Write-only fields (a register's protectedFields, e.g. a casualty's identity) in a payload are encrypted before the draft is stored. */
  private protect(payload: { changes: Change[] }): { changes: Change[] } {
    return {
      changes: payload.changes.map((c) =>
        withProtectedFields(c, (value) => encryptIdentity(this.keyring, value as Record<string, string>)),
      ),
    };
  }

  /** A stored change with its identity fields decrypted, as its author wrote them. */
  private decrypted(c: Change): Change {
    if (c.op === 'archive') return c;
    const record = c.record as Record<string, unknown> | null;
    const identity = record?.identity as Record<string, string | null> | null | undefined;
    if (!identity || typeof identity !== 'object') return c;
    return {
      ...c,
      record: {
        ...record,
        identity: Object.fromEntries(Object.entries(identity).map(([k, v]) => [k, decrypt(this.keyring, v)])),
      },
    };
  }

  /** Loads a report the actor may see: operators see only their organisation's. */
  private async load(db: Kysely<Schema>, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}) {
    if (!isUuid(id)) throw new Problem('report.not_found', { id }, { pointer: '' });
    const row = await repo.reportById(db, id, opts);
    if (!row || !this.mayRead(actor, row)) throw new Problem('report.not_found', { id }, { pointer: '' });
    return row as repo.ReportRow & { payload: { changes: Change[] } };
  }

  private mayRead(actor: Actor, row: repo.ReportRow): boolean {
    if (can(actor.role, 'report.read_all')) return true;
    if (OPERATOR_ROLES.includes(actor.role))
      return row.organisationId !== null && row.organisationId === actor.organisationId;
    return row.status === 'approved';
  }

  /** A report as a reader gets it: identities decrypted only when asked for by a role that may read them. */
  private visible(actor: Actor, row: repo.ReportRow, identity = false): ReportOut {
    const showIdentity = identity && can(actor.role, 'identity.read');
    const hiddenIdentities: number[] = [];
    const changes = (row.payload.changes as Change[]).map((c, i) =>
      withProtectedFields(c, (value) => {
        if (showIdentity)
          return Object.fromEntries(
            Object.entries(value as Record<string, string | null>).map(([k, v]) => [
              k,
              decrypt(this.keyring, v),
            ]),
          );
        // The reader learns that an identity is held (so a form can say so), never what it is.
        if (Object.values(value).some((v) => v !== null && v !== undefined) && !hiddenIdentities.includes(i))
          hiddenIdentities.push(i);
        return undefined;
      }),
    );
    return { ...row, payload: { changes }, ...(showIdentity ? {} : { hiddenIdentities }) } as ReportOut;
  }

  private async transition(
    actor: Actor,
    id: string,
    action: 'submit' | 'review' | 'reject',
    move: (
      trx: Kysely<Schema>,
      report: repo.ReportRow & { payload: { changes: Change[] } },
    ) => Promise<repo.ReportRow | undefined>,
  ): Promise<ReportOut> {
    return this.database.db.transaction().execute(async (trx) => {
      const report = await this.load(trx, actor, id, { forUpdate: true });
      if (
        action === 'submit' &&
        OPERATOR_ROLES.includes(actor.role) &&
        report.organisationId !== actor.organisationId
      ) {
        throw new Problem('report.not_found', { id }, { pointer: '' });
      }
      if (!REPORT_TRANSITIONS[action].from.includes(report.status as never)) {
        throw new Problem('report.state_conflict', { status: report.status, action }, { pointer: '' });
      }
      const moved = await move(trx, report);
      if (!moved) throw new Problem('report.state_conflict', { status: 'changed', action }, { pointer: '' });
      await appendAudit(trx, {
        actorId: actor.id,
        action: `report.${action}`,
        entity: 'report',
        recordId: id,
        reportId: id,
        before: summary(report),
        after: summary(moved),
      });
      await notifyReportEvent(trx, action, moved, actor);
      return this.visible(actor, moved);
    });
  }

  /**
   * A change written against a version of its record that has moved since (an offline draft:
   * the hazard was closed meanwhile): the report is accepted, and the approver is warned with the
   * register, the record, the version the draft was based on and the current one. The warning's
   * id names the current version, so a record that moves again must be confirmed again; the
   * approval applies the change over the current record only once the approver confirmed it.
   */
  private async conflictWarning(
    db: Kysely<Schema>,
    c: Exclude<Change, { op: 'create' }>,
    index: number,
  ): Promise<Warning | undefined> {
    if (c.baseVersion === undefined || !isUuid(c.id)) return undefined;
    const def = registerBySlug(c.register);
    if (!def) return undefined;
    const current = await getRecord(db, def, c.id);
    if (!current || current.version === c.baseVersion) return undefined;
    const code = typeof current.code === 'string' ? current.code : c.id;
    return warning(
      'report.conflict',
      index,
      { id: c.id, code },
      {
        register: def.slug,
        record: code,
        baseVersion: c.baseVersion,
        currentVersion: current.version as number,
        ...(typeof current.status === 'string' ? { currentStatus: current.status } : {}),
      },
      String(current.version),
    );
  }

  private async findWarnings(db: Kysely<Schema>, changes: Change[], reportDate: string): Promise<Warning[]> {
    const warnings: Warning[] = [];
    const accidentDates = new Map<string, string>();
    for (const [i, c] of changes.entries()) {
      // The register's own warnings (src/services/register-hooks/), for any kind of change.
      const def = registerBySlug(c.register);
      const own = def ? writeHooks(def).warnings : undefined;
      if (own) for (const w of await own(db, c)) warnings.push(warning(w.code, i, w.other, w.params));
      for (const f of await accreditationFindings(db, c, reportDate)) {
        warnings.push(
          warning('accreditation.outside', i, f.other, { reason: f.reason, ...f.params }, f.reason),
        );
      }
      if (c.op !== 'create') {
        const conflict = await this.conflictWarning(db, c, i);
        if (conflict) warnings.push(conflict);
        continue;
      }
      const record = c.record as { geometry?: unknown; properties?: Record<string, unknown> } & Record<
        string,
        unknown
      >;
      if (c.register === 'accidents' && c.ref && typeof record?.properties?.occurredOn === 'string') {
        accidentDates.set(`@ref:${c.ref}`, record.properties.occurredOn);
      }
      try {
        if (c.register === 'hazards' && record?.geometry) {
          for (const o of await overlappingOpenHazards(db, record.geometry, null)) {
            if (o.share > this.duplicates.hazardOverlapShare) {
              warnings.push(
                warning('duplicate.hazard_overlap', i, o, {
                  sharePct: Math.round(o.share * 1000) / 10,
                  overlapM2: Math.round(o.overlapM2),
                }),
              );
            }
          }
        }
        if (c.register === 'findings' && record?.geometry && typeof record.properties?.foundOn === 'string') {
          for (const o of await nearbyFindings(
            db,
            record.geometry,
            record.properties.foundOn,
            this.duplicates.findingDistanceM,
            this.duplicates.findingDays,
            null,
          )) {
            warnings.push(
              warning('duplicate.finding_nearby', i, o, {
                distanceM: Math.round(o.distanceM * 10) / 10,
                foundOn: o.foundOn,
              }),
            );
          }
        }
        const hazardId = record?.properties?.hazardId;
        if (
          c.register === 'findings' &&
          record?.geometry &&
          typeof hazardId === 'string' &&
          isUuid(hazardId)
        ) {
          const hazard = await distanceFromHazard(db, record.geometry, hazardId);
          if (hazard && hazard.distanceM > this.duplicates.findingOutsideHazardM) {
            warnings.push(
              warning('finding.outside_hazard', i, hazard, {
                distanceM: Math.round(hazard.distanceM),
                toleranceM: this.duplicates.findingOutsideHazardM,
              }),
            );
          }
        }
      } catch {
        // A geometry the checks cannot read is refused with its own problem when the change is applied.
      }
      if (c.register === 'casualties') {
        const identity = record?.identity as Record<string, string | null> | undefined;
        const name = normaliseName(decrypt(this.keyring, identity?.name ?? null));
        const accidentRef = record?.accidentId as string | undefined;
        if (!name || !accidentRef) continue;
        const date =
          accidentDates.get(accidentRef) ??
          (isUuid(accidentRef) ? await accidentDate(db, accidentRef) : undefined);
        if (!date) continue;
        for (const o of await casualtiesOnDate(db, date)) {
          if (normaliseName(decrypt(this.keyring, o.identityName)) === name) {
            warnings.push(warning('duplicate.casualty_same_person', i, o, { date }));
          }
        }
      }
    }
    return warnings;
  }
}

function warning(
  code: Warning['code'],
  change: number,
  other: { id: string; code: string },
  params: Record<string, string | number>,
  /** Tells apart warnings of one code on the same change and record (the reason of an accreditation warning). */
  salt?: string,
): Warning {
  const key = `${code}|${change}|${other.id}${salt ? `|${salt}` : ''}`;
  const id = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return { id, code, change, other: { id: other.id, code: other.code }, params };
}

function normaliseName(n: string | null): string {
  return (n ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function summary(r: repo.ReportRow) {
  return {
    code: r.code,
    kind: r.kind,
    status: r.status,
    organisationId: r.organisationId,
    dateOfInformation: r.dateOfInformation,
    changes: (r.payload.changes as Change[]).length,
    payloadSha256: createHash('sha256').update(JSON.stringify(r.payload)).digest('hex'),
    reason: r.reason,
    rejectionReason: r.rejectionReason,
    version: r.version,
  };
}

/**
 * A draft PUT replaces the payload, but its author may not be able to read the write-only
 * fields (an operator never sees a casualty's identity), so what it sends back lacks them.
 * Each new change takes the write-only fields of the stored change it continues — an update
 * of the same record, a create with the same `ref`, or else the create without a ref at the
 * same position in the list — unless it gives them itself: left out, kept; an object, merged
 * field by field (a field set to null clears that field); null, cleared. Both sides are as
 * stored (encrypted).
 */
function keepWriteOnly(stored: Change[], next: Change[]): Change[] {
  const key = (c: Change, index: number) => {
    if (c.op === 'update') return `update:${c.register}:${c.id}`;
    if (c.op === 'create') return c.ref ? `create:${c.register}:@${c.ref}` : `create:${c.register}#${index}`;
    return undefined;
  };
  const previous = new Map<string, Record<string, unknown>>();
  stored.forEach((c, i) => {
    const k = key(c, i);
    if (k && 'record' in c) {
      const fields = recordFields(c.register, c.record);
      if (fields) previous.set(k, fields);
    }
  });
  return next.map((c, i) => {
    const k = key(c, i);
    const def = registerBySlug(c.register);
    const old = k ? previous.get(k) : undefined;
    if (!old || !def?.protectedFields?.length || !('record' in c)) return c;
    const fields = recordFields(c.register, c.record);
    if (!fields) return c;
    const carried = { ...fields };
    for (const f of def.protectedFields) {
      if (old[f] === undefined) continue;
      if (carried[f] === undefined) carried[f] = old[f];
      else if (carried[f] !== null && typeof carried[f] === 'object' && old[f] !== null)
        carried[f] = { ...(old[f] as object), ...(carried[f] as object) };
    }
    const record = c.record as Record<string, unknown>;
    return {
      ...c,
      record: def.geometry ? { ...record, properties: carried } : carried,
    } as Change;
  });
}

/** The fields of a change's record: a Feature's properties, or the record itself. */
function recordFields(register: string, record: unknown): Record<string, unknown> | undefined {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  if (!registerBySlug(register)?.geometry) return r;
  const p = r.properties;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : undefined;
}

/**
 * The change with each write-only field of its register (protectedFields) that it sets to an
 * object replaced by `map` of it (undefined: left out). Other changes are returned as they are.
 */
function withProtectedFields(c: Change, map: (value: object) => unknown): Change {
  const protectedFields = registerBySlug(c.register)?.protectedFields ?? [];
  if (c.op === 'archive' || protectedFields.length === 0) return c;
  const fields = recordFields(c.register, c.record);
  if (!fields || !protectedFields.some((f) => fields[f] && typeof fields[f] === 'object')) return c;
  const out: Record<string, unknown> = { ...fields };
  for (const f of protectedFields) {
    const value = fields[f];
    if (!value || typeof value !== 'object') continue;
    const mapped = map(value);
    if (mapped === undefined) delete out[f];
    else out[f] = mapped;
  }
  const record = c.record as Record<string, unknown>;
  return {
    ...c,
    record: registerBySlug(c.register)?.geometry ? { ...record, properties: out } : out,
  } as Change;
}
