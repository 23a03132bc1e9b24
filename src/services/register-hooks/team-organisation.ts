import { teamOrganisations } from '../../db/repositories/planning.ts';
import { Problem } from '../../domain/problem.ts';
import type { ApplyContext, Row } from '../changes.ts';
import { isUuid } from '../list-query.ts';

/**
 * The team a record names (an activity's, a task order's) must belong to the record's
 * organisation: `team.other_organisation` otherwise. A team that does not exist is left to the
 * reference check.
 */
export async function teamOfOrganisation(
  ctx: ApplyContext,
  state: Row,
  base: string,
): Promise<Problem | null> {
  const teamId = state.teamId;
  const organisationId = state.organisationId;
  if (typeof teamId !== 'string' || !isUuid(teamId) || typeof organisationId !== 'string') return null;
  const team = (await teamOrganisations(ctx.trx, [teamId])).get(teamId);
  if (!team || team.organisationId === organisationId) return null;
  return new Problem(
    'team.other_organisation',
    { team: team.code },
    { pointer: `${base}/teamId`, field: 'teamId' },
  );
}
