import { type Action, can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import type { RegisterDef } from '../domain/records.ts';
import { registerModule } from '../domain/registers/index.ts';
import type { Role } from '../domain/vocabularies.ts';

/** Who is acting: a signed-in user, or the system itself (migrations, demo loader, CLI as admin). */
export interface Actor {
  id: string | null;
  email: string;
  role: Role;
  organisationId: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: null, email: 'system', role: 'admin', organisationId: null };

export function assertCan(actor: Actor, action: Action, def?: RegisterDef): void {
  const instead = def ? registerModule(def).alsoAllowed?.[action] : undefined;
  if (instead && can(actor.role, instead)) return;
  if (!can(actor.role, action)) {
    throw new Problem(
      'auth.forbidden',
      { action, role: actor.role, entity: def?.entity ?? '' },
      { pointer: '' },
    );
  }
}
