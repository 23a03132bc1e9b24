import type { Kysely } from 'kysely';
import type { Schema } from '../../db/connect.ts';
import type { Change } from '../../domain/reports.ts';
import type { ApplyContext, Row } from '../changes.ts';
import type { ComputedGeometry } from '../minefield-records.ts';

/** What a rule checked before a write does once the write is stored (e.g. record the hazard it closed). */
export type AfterWrite = () => Promise<void>;

/**
 * The write rules of one register that need the database or the services: the generic write
 * path (src/services/changes.ts) calls them by the register, never by comparing its slug. Pure
 * rules (derived fields, history rules, permission exceptions) are the register's module in
 * src/domain/registers/.
 */
export interface WriteHooks {
  /** Geometry the server computes from the properties on every write; clients never send it. */
  computeGeometry?: (properties: Row, propertiesPointer: string) => ComputedGeometry;
  /**
   * Checks against other records, before a create or update is written (`state` is the
   * record as it will be; `recordId` null for a create). Returns what to do after the write.
   */
  beforeWrite?: (
    ctx: ApplyContext,
    state: Row,
    recordId: string | null,
    pointer: string,
  ) => Promise<AfterWrite>;
  /** Runs just before the stored row of an update changes (e.g. hand the database trigger a reason). */
  beforeUpdate?: (ctx: ApplyContext) => Promise<void>;
  /**
   * The register's rules depend on the records written before (land released within what is
   * left of its hazard): a bulk write goes record by record, each under a savepoint, so a
   * record breaking a rule is refused without undoing the others.
   */
  recordByRecord?: boolean;
  /**
   * The register records work an organisation must be accredited for (activities, task orders):
   * which fields give the organisation, the activity kind, the dates and the place (a hazard
   * when the record has no geometry of its own). A report creating or changing such a record
   * gets the warning `accreditation.outside` when no accreditation of the organisation covers
   * it (src/services/register-hooks/accreditation.ts).
   */
  accreditationScope?: AccreditationScope;
  /**
   * Warnings about one change of a report that the approver must see and confirm before it is
   * approved (an activity linked to a suspended task order); `other` is the record concerned.
   */
  warnings?: (db: Kysely<Schema>, change: Change) => Promise<HookWarning[]>;
}

export interface HookWarning {
  code: 'task_order.not_active';
  other: { id: string; code: string };
  params: Record<string, string | number>;
}

/** Fields of a record that say what work it is, by whom, when and where (see accreditationScope). */
export interface AccreditationScope {
  organisation: string;
  kind: string;
  /** Date fields; each date given must lie within the accreditation (none given: the report's date). */
  dates: string[];
  /** Reference field to a hazard standing for the place when the record has no geometry. */
  hazard?: string;
}
