import { Type } from 'typebox';
import { Problem } from './problem.ts';
import type { Role } from './vocabularies.ts';

/**
 * Reports: the unit of data entry. An operator drafts a report holding one or more changes to
 * the registers; it is submitted, optionally reviewed by the operator's manager, and approved or
 * rejected by the authority. Only approved reports change the registers.
 */
export const REPORT_KINDS = [
  'new_hazard',
  'activity',
  'accident',
  'hazard_status_change',
  'correction',
  'other_records',
  'direct',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_STATUSES = ['draft', 'submitted', 'reviewed', 'approved', 'rejected'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** What each kind of report may contain: register slug → operations allowed. */
export const KIND_CHANGES: Record<ReportKind, Record<string, Array<'create' | 'update' | 'archive'>>> = {
  new_hazard: { hazards: ['create'], sources: ['create'] },
  activity: { activities: ['create'], 'land-release': ['create'], findings: ['create'], hazards: ['update'] },
  accident: { accidents: ['create'], casualties: ['create'] },
  hazard_status_change: { hazards: ['update'] },
  correction: {
    hazards: ['update', 'archive'],
    activities: ['update', 'archive'],
    'land-release': ['update', 'archive'],
    findings: ['update', 'archive'],
    accidents: ['update', 'archive'],
    casualties: ['update', 'archive'],
    'risk-education': ['update', 'archive'],
    'qa-visits': ['update', 'archive'],
    'site-visits': ['update', 'archive'],
    settlements: ['update', 'archive'],
    sources: ['update', 'archive'],
    'minefield-records': ['update', 'archive'],
    'control-periods': ['update', 'archive'],
  },
  other_records: {
    'risk-education': ['create'],
    'qa-visits': ['create'],
    'site-visits': ['create'],
    settlements: ['create'],
    sources: ['create'],
    'minefield-records': ['create'],
    'control-periods': ['create'],
  },
  direct: {},
};

export const ChangeSchema = Type.Union([
  Type.Object(
    {
      op: Type.Literal('create'),
      register: Type.String({ description: 'Register slug, e.g. hazards' }),
      ref: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z0-9_-]{1,40}$',
          description: 'Name other changes use as "@ref:<name>"',
        }),
      ),
      record: Type.Unknown({ description: 'The record as POST /api/v1/{register} takes it' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('update'),
      register: Type.String(),
      id: Type.String({ format: 'uuid' }),
      baseVersion: Type.Optional(
        Type.Integer({
          minimum: 1,
          description:
            'Version of the record the change was written against (an offline draft); when the record has moved since, the approver sees a report.conflict warning',
        }),
      ),
      record: Type.Unknown({
        description: 'The fields to change, as PATCH /api/v1/{register}/{id} takes them',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('archive'),
      register: Type.String(),
      id: Type.String({ format: 'uuid' }),
      baseVersion: Type.Optional(
        Type.Integer({
          minimum: 1,
          description:
            'Version of the record the change was written against (an offline draft); when the record has moved since, the approver sees a report.conflict warning',
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);

export const PayloadSchema = Type.Object(
  { changes: Type.Array(ChangeSchema, { minItems: 1, maxItems: 50_000 }) },
  { additionalProperties: false },
);

export const ReportCreateSchema = Type.Object(
  {
    kind: Type.Enum(REPORT_KINDS.filter((k) => k !== 'direct')),
    dateOfInformation: Type.String({
      format: 'date',
      description: 'When the reported facts were true on the ground',
    }),
    reason: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    organisationId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    payload: PayloadSchema,
    clientId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'Id the device gave the report: posting the same clientId again returns the report already made (200, Idempotent-Replay: true)',
      }),
    ),
  },
  { additionalProperties: false },
);

export type Change =
  | { op: 'create'; register: string; ref?: string; record: unknown }
  | { op: 'update'; register: string; id: string; record: unknown; baseVersion?: number }
  | { op: 'archive'; register: string; id: string; baseVersion?: number };

/** Which report transitions exist, and who may make them. */
export const REPORT_TRANSITIONS: Record<
  'submit' | 'review' | 'approve' | 'reject',
  { from: ReportStatus[]; to: ReportStatus }
> = {
  submit: { from: ['draft', 'rejected'], to: 'submitted' },
  review: { from: ['submitted'], to: 'reviewed' },
  approve: { from: ['submitted', 'reviewed'], to: 'approved' },
  reject: { from: ['submitted', 'reviewed'], to: 'rejected' },
};

/** Checks a report's changes against what its kind allows; problems point into the payload. */
export function kindProblems(
  kind: ReportKind,
  changes: Change[],
  reason: string | null | undefined,
): Problem[] {
  const problems: Problem[] = [];
  if (kind === 'direct') return problems;
  const allowed = KIND_CHANGES[kind];
  changes.forEach((c, i) => {
    if (!allowed[c.register]?.includes(c.op)) {
      problems.push(
        new Problem(
          'report.change_not_allowed',
          { kind, op: c.op, register: c.register },
          { pointer: `/payload/changes/${i}` },
        ),
      );
    }
  });
  if (kind === 'activity' && changes.filter((c) => c.register === 'activities').length !== 1) {
    problems.push(new Problem('report.activity_count', {}, { pointer: '/payload/changes' }));
  }
  if (kind === 'accident' && changes.filter((c) => c.register === 'accidents').length !== 1) {
    problems.push(new Problem('report.accident_count', {}, { pointer: '/payload/changes' }));
  }
  if (kind === 'hazard_status_change') {
    changes.forEach((c, i) => {
      const fields = Object.keys(
        ((c as { record?: { properties?: object } }).record?.properties ?? {}) as object,
      );
      if (
        fields.some((f) => f !== 'status' && f !== 'type') ||
        'geometry' in ((c as { record?: object }).record ?? {})
      ) {
        problems.push(
          new Problem('report.status_change_fields', {}, { pointer: `/payload/changes/${i}/record` }),
        );
      }
    });
    if (!reason?.trim())
      problems.push(new Problem('report.reason_required', { kind }, { pointer: '/reason' }));
  }
  if (kind === 'correction' && !reason?.trim())
    problems.push(new Problem('report.reason_required', { kind }, { pointer: '/reason' }));
  return problems;
}

/** Roles whose reports belong to their organisation and who see only their organisation's drafts. */
export const OPERATOR_ROLES: readonly Role[] = ['operator_manager', 'operator_data_entry'];

// ---- hazard status and type rules (migration 007 holds the same table in hazard_transitions) ----

/**
 * A change of a hazard's status or type that the register allows, and whether it needs the
 * reason of an approved report. Work on a hazard moves it open → in_progress → closed; survey
 * or clearance may close an open hazard at once (cancelled land, or nothing left to release);
 * work that stops sends an in-progress hazard back to open. A closed hazard comes back only as
 * open (re-opened on new evidence, with a reason), never straight into work; a CHA turns back
 * into an SHA only with a reason.
 */
export interface HazardTransition {
  field: 'status' | 'type';
  from: string;
  to: string;
  reasonRequired: boolean;
}

/** Every allowed transition; a change of status or type not listed here is refused. */
export const HAZARD_TRANSITIONS: readonly HazardTransition[] = [
  { field: 'status', from: 'open', to: 'in_progress', reasonRequired: false },
  { field: 'status', from: 'open', to: 'closed', reasonRequired: false },
  { field: 'status', from: 'in_progress', to: 'closed', reasonRequired: false },
  { field: 'status', from: 'in_progress', to: 'open', reasonRequired: false },
  { field: 'status', from: 'closed', to: 'open', reasonRequired: true },
  { field: 'type', from: 'SHA', to: 'CHA', reasonRequired: false },
  { field: 'type', from: 'CHA', to: 'SHA', reasonRequired: true },
];

/** The allowed transition of `field` from one value to another, if there is one. */
export function hazardTransition(
  field: HazardTransition['field'],
  from: string,
  to: string,
): HazardTransition | undefined {
  return HAZARD_TRANSITIONS.find((t) => t.field === field && t.from === from && t.to === to);
}

/**
 * Checks a sequence of hazard states in date-of-information order against HAZARD_TRANSITIONS:
 * every status change must be listed (else hazard.status_transition), a listed one that needs a
 * reason must have one (hazard.reopen_reason_required), and so must a change of type
 * (hazard.type_transition). Returns the index of the first state that breaks a rule, with the problem.
 * Example: hazardHistoryProblem([{status:'closed',…},{status:'in_progress',…}]) → { index: 1, problem: hazard.status_transition }
 */
export function hazardHistoryProblem(
  states: Array<{ status: string; type: string; reason: string | null; dateOfInformation: string }>,
): { index: number; problem: Problem } | undefined {
  for (let i = 1; i < states.length; i++) {
    const a = states[i - 1]!;
    const b = states[i]!;
    const hasReason = Boolean(b.reason?.trim());
    if (a.status !== b.status) {
      const t = hazardTransition('status', a.status, b.status);
      if (!t) {
        return {
          index: i,
          problem: new Problem(
            'hazard.status_transition',
            { from: a.status, to: b.status, date: b.dateOfInformation },
            { pointer: '/properties/status' },
          ),
        };
      }
      if (t.reasonRequired && !hasReason) {
        return {
          index: i,
          problem: new Problem(
            'hazard.reopen_reason_required',
            { date: b.dateOfInformation },
            { pointer: '/reason' },
          ),
        };
      }
    }
    if (a.type !== b.type) {
      const t = hazardTransition('type', a.type, b.type);
      if (!t || (t.reasonRequired && !hasReason)) {
        return {
          index: i,
          problem: new Problem(
            'hazard.type_transition',
            { date: b.dateOfInformation },
            { pointer: '/properties/type' },
          ),
        };
      }
    }
  }
  return undefined;
}

/**
 * The current state of a record from its changes, in date-of-information order and approval
 * order within one date: later facts overwrite earlier ones field by field.
 * Example: foldChanges([{doi:'2024-06-01',seq:2,patch:{status:'closed'}},{doi:'2024-01-01',seq:1,patch:{status:'open',type:'SHA'}}])
 *   → { status: 'closed', type: 'SHA' }
 */
export function orderChanges<T extends { dateOfInformation: string; seq: number }>(changes: T[]): T[] {
  return [...changes].sort((a, b) =>
    a.dateOfInformation < b.dateOfInformation
      ? -1
      : a.dateOfInformation > b.dateOfInformation
        ? 1
        : a.seq - b.seq,
  );
}

export function foldChanges(
  changes: Array<{ dateOfInformation: string; seq: number; patch: Record<string, unknown> }>,
) {
  const state: Record<string, unknown> = {};
  for (const c of orderChanges(changes)) Object.assign(state, c.patch);
  return state;
}
