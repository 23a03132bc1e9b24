import { type Action, can } from '../../../src/domain/permissions.ts';
import { ROLES, type Role } from '../../../src/domain/vocabularies.ts';
import { useAuth } from './auth.tsx';

/**
 * What the signed-in role may do, from the server's own permission table
 * (src/domain/permissions.ts): a button the server would refuse is not shown.
 */
export function roleCan(role: string | null | undefined, action: Action): boolean {
  return !!role && (ROLES as readonly string[]).includes(role) && can(role as Role, action);
}

/** Direct writes to a register: authority roles, and QA officers for QA visits (src/services/actor.ts). */
export function roleMayWrite(role: string | null | undefined, slug: string): boolean {
  return roleCan(role, 'record.write') || (slug === 'qa-visits' && roleCan(role, 'qa.write'));
}

export function useCan(): {
  can: (action: Action) => boolean;
  mayWrite: (slug: string) => boolean;
  role: string;
} {
  const { user } = useAuth();
  const role = user?.role ?? 'viewer';
  return { can: (a) => roleCan(role, a), mayWrite: (slug) => roleMayWrite(role, slug), role };
}
