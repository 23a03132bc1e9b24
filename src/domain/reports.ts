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
    settlements: ['update', 'archive'],
    sources: ['update', 'archive'],
    'minefield-records': ['update', 'archive'],
  },
  other_records: {
    'risk-education': ['create'],
    'qa-visits': ['create'],
    settlements: ['create'],
    sources: ['create'],
    'minefield-records': ['create'],
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
      record: Type.Unknown({
        description: 'The fields to change, as PATCH /api/v1/{register}/{id} takes them',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('archive'), register: Type.String(), id: Type.String({ format: 'uuid' }) },
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
  },
  { additionalProperties: false },
);

export type Change =
  | { op: 'create'; register: string; ref?: string; record: unknown }
  | { op: 'update'; register: string; id: string; record: unknown }
  | { op: 'archive'; register: string; id: string };

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

// ---- hazard status rules (the database enforces the same table in sg_hazard_rules) ----

export const HAZARD_TRANSITIONS: ReadonlyArray<[string, string]> = [
  ['open', 'in_progress'],
  ['open', 'closed'],
  ['in_progress', 'closed'],
  ['in_progress', 'open'],
  ['closed', 'open'],
  ['closed', 'in_progress'],
];

/**
 * Checks a sequence of hazard states in date-of-information order: every status change must be
 * an allowed transition, and leaving "closed" or going from CHA back to SHA needs a reason.
 * Returns the index of the first state that breaks a rule, with the problem.
 */
export function hazardHistoryProblem(
  states: Array<{ status: string; type: string; reason: string | null; dateOfInformation: string }>,
): { index: number; problem: Problem } | undefined {
  for (let i = 1; i < states.length; i++) {
    const a = states[i - 1]!;
    const b = states[i]!;
    if (a.status !== b.status) {
      if (!HAZARD_TRANSITIONS.some(([f, t]) => f === a.status && t === b.status)) {
        return {
          index: i,
          problem: new Problem(
            'hazard.status_transition',
            { from: a.status, to: b.status, date: b.dateOfInformation },
            { pointer: '/properties/status' },
          ),
        };
      }
      if (a.status === 'closed' && !b.reason?.trim()) {
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
    if (a.type === 'CHA' && b.type === 'SHA' && !b.reason?.trim()) {
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
