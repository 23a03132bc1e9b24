import { ROLES, type Role } from './vocabularies.ts';

/**
 * The one permission table: which role may do which action. Every authorisation check in the
 * services asks `can(role, action)`; a test walks the whole table.
 *
 * Direct writes to the registers are for authority roles; operators write through reports
 * (data entry → review → approval), so every change has one path and one audit trail.
 */
export const ACTIONS = [
  'record.read',
  'record.write',
  'identity.read',
  'report.create',
  'report.submit',
  'report.review',
  'report.approve',
  'report.read_all',
  'user.manage',
  'token.manage_own',
  'audit.read',
  'audit.verify',
  'data.import',
  'data.export',
  'output.save',
  'qa.write',
  'planning.manage',
] as const;
export type Action = (typeof ACTIONS)[number];

const ALL: readonly Role[] = ROLES;

export const PERMISSIONS: Record<Action, readonly Role[]> = {
  'record.read': ALL,
  'record.write': ['admin', 'approver'],
  'identity.read': ['admin', 'approver'],
  'report.create': ['admin', 'approver', 'qa_officer', 'operator_manager', 'operator_data_entry'],
  'report.submit': ['admin', 'approver', 'qa_officer', 'operator_manager', 'operator_data_entry'],
  'report.review': ['admin', 'operator_manager'],
  'report.approve': ['admin', 'approver'],
  'report.read_all': ['admin', 'approver', 'qa_officer', 'analyst'],
  'user.manage': ['admin'],
  'token.manage_own': ALL,
  'audit.read': ['admin', 'approver', 'qa_officer', 'analyst'],
  'audit.verify': ['admin'],
  'data.import': ['admin', 'approver'],
  'data.export': ['admin', 'approver', 'qa_officer', 'analyst', 'operator_manager', 'viewer'],
  // Saving an output definition, generating it to keep its file and removing it: an authority
  // or operator role that exports; a viewer reads and downloads reports but keeps nothing.
  'output.save': ['admin', 'approver', 'qa_officer', 'analyst', 'operator_manager'],
  'qa.write': ['admin', 'approver', 'qa_officer'],
  'planning.manage': ['admin'],
};

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[action].includes(role);
}
