import { idsHeld } from '../../db/repositories/bulk.ts';
import { Problem } from '../../domain/problem.ts';
import { withOthers } from '../../domain/schema-check.ts';
import type { Row } from '../changes.ts';
import type { WriteHooks } from './hooks.ts';

/**
 * A list of record ids held in a field (`adminAreaIds`), or in one field of each object of a
 * list (`donors[].organisationId`), and the table the ids refer to.
 */
export interface IdList {
  field: string;
  /** The field of each item holding the id, when the list holds objects. */
  itemField?: string;
  table: string;
}

/**
 * Write hooks checking that every id held in the lists names a record that exists: the generic
 * check of single reference fields does not see ids inside lists. The records of such registers
 * are few, so a bulk write takes them one by one and each is checked.
 * Example: `idListHooks([{ field: 'adminAreaIds', table: 'admin_areas' }], false)` for a register
 * without geometry.
 */
export function idListHooks(lists: readonly IdList[], hasGeometry: boolean): WriteHooks {
  return {
    recordByRecord: true,
    async beforeWrite(ctx, state, _recordId, pointer) {
      const problems: Problem[] = [];
      const base = hasGeometry ? `${pointer}/properties` : pointer;
      for (const { field, itemField, table } of lists) {
        const items = Array.isArray(state[field]) ? (state[field] as unknown[]) : [];
        const ids = items.map((item) => (itemField ? (item as Row | null)?.[itemField] : item));
        const held = await idsHeld(
          ctx.trx,
          table,
          ids.filter((id): id is string => typeof id === 'string'),
        );
        for (const [i, id] of ids.entries()) {
          if (typeof id !== 'string' || held.has(id.toLowerCase())) continue;
          const name = itemField ?? field;
          problems.push(
            new Problem(
              'record.reference_not_found',
              { field: name, id },
              { pointer: `${base}/${field}/${i}${itemField ? `/${itemField}` : ''}`, field: name },
            ),
          );
        }
      }
      if (problems.length) throw withOthers(problems);
      return async () => {};
    },
  };
}
