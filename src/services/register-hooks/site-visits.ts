import { idsHeld } from '../../db/repositories/bulk.ts';
import { Problem } from '../../domain/problem.ts';
import { withOthers } from '../../domain/schema-check.ts';
import type { Row } from '../changes.ts';
import type { WriteHooks } from './hooks.ts';

/** The lists of record ids a site visit holds, and the table each refers to. */
const ID_LISTS = [
  { field: 'hazardIds', table: 'hazards' },
  { field: 'findingIds', table: 'findings' },
] as const;

/**
 * Site visits: the hazards visited, the findings shown and the visitors' organisations are
 * references held in lists, which the generic check of single reference fields does not see;
 * each must name a record that exists. Visits are few, so a bulk write takes them one by one
 * and every one is checked.
 */
export const siteVisitsHooks: WriteHooks = {
  recordByRecord: true,
  async beforeWrite(ctx, state, _recordId, pointer) {
    const problems: Problem[] = [];
    const base = `${pointer}/properties`;
    for (const { field, table } of ID_LISTS) {
      const ids = idList(state[field]);
      const held = await idsHeld(ctx.trx, table, ids);
      for (const [i, id] of ids.entries()) {
        if (!held.has(id.toLowerCase()))
          problems.push(
            new Problem(
              'record.reference_not_found',
              { field, id },
              { pointer: `${base}/${field}/${i}`, field },
            ),
          );
      }
    }
    const visitors = Array.isArray(state.visitors) ? (state.visitors as Row[]) : [];
    const organisationIds = visitors.map((v) => v.organisationId).filter((id) => typeof id === 'string');
    const heldOrganisations = await idsHeld(ctx.trx, 'organisations', organisationIds as string[]);
    for (const [i, visitor] of visitors.entries()) {
      const id = visitor.organisationId;
      if (typeof id === 'string' && !heldOrganisations.has(id.toLowerCase()))
        problems.push(
          new Problem(
            'record.reference_not_found',
            { field: 'organisationId', id },
            { pointer: `${base}/visitors/${i}/organisationId`, field: 'organisationId' },
          ),
        );
    }
    if (problems.length) throw withOthers(problems);
    return async () => {};
  },
};

function idList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
