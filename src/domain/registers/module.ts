import type { Action } from '../permissions.ts';
import type { Problem } from '../problem.ts';

type Row = Record<string, unknown>;

/** One state of a record in its approved history, in date order, as a history rule sees it. */
export interface HistoryState {
  state: Row;
  reason: string | null;
  dateOfInformation: string;
}

/**
 * What is particular to one register, in pure TypeScript (no I/O): the generic write path, the
 * permission check and the importers ask a register's module instead of comparing its slug.
 * Rules that read the database are the register's write hooks (src/services/register-hooks/).
 */
export interface RegisterModule {
  /**
   * Fields the server derives from others on every write, so they never disagree with their
   * source. `before` is the stored record on an update, undefined on a create.
   */
  derive?: (values: Row, before?: Row) => Row;
  /**
   * Actions on this register that a role may also take when it holds another permission:
   * `{ 'record.write': 'qa.write' }` lets QA officers write QA visits directly.
   */
  alsoAllowed?: Partial<Record<Action, Action>>;
  /** A rule over the record's whole approved history (date order), checked on every update; the first break. */
  historyProblem?: (states: HistoryState[]) => Problem | undefined;
}
