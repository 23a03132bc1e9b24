import type { Database } from '../../db/connect.ts';
import {
  countRecords,
  getRecord,
  listRecordsOffset,
  type RegisterExtent,
  registerExtent,
} from '../../db/repositories/registers.ts';
import { Problem } from '../../domain/problem.ts';
import type { RegisterDef } from '../../domain/records.ts';
import { type Actor, assertCan } from '../../services/actor.ts';
import { present } from '../routes/registers.ts';
import type { OgcListQuery } from './query.ts';

export interface Feature {
  type: 'Feature';
  id: unknown;
  geometry: unknown;
  properties: Record<string, unknown>;
}

/**
 * The features of one collection as the OGC API serves them. Pages by offset need a query
 * RegisterService does not offer (it pages by keyset), so every read here makes the check
 * RegisterService makes (`record.read`) and reads through the repository without the identity
 * columns: personal data (the register's protected fields) is never served here, whatever the
 * reader's role, because GIS clients copy layers freely.
 */
export class FeatureSource {
  constructor(
    private readonly database: Database,
    readonly def: RegisterDef,
  ) {}

  /** One page and the number of features the filters match. */
  async page(actor: Actor, query: OgcListQuery): Promise<{ features: Feature[]; numberMatched: number }> {
    assertCan(actor, 'record.read', this.def);
    const { offset: _offset, ...countQuery } = query;
    const numberMatched = await countRecords(this.database.db, this.def, countQuery);
    // Past the end there is nothing to read; skip the query.
    const rows =
      query.offset >= numberMatched ? [] : await listRecordsOffset(this.database.db, this.def, query);
    return { features: rows.map((r) => this.feature(r)), numberMatched };
  }

  /** One feature; archived records are not part of the collection, so they are not found either. */
  async one(actor: Actor, id: string): Promise<Feature> {
    assertCan(actor, 'record.read', this.def);
    const record = await getRecord(this.database.db, this.def, id, { identity: false });
    if (!record || record.archived)
      throw new Problem('record.not_found', { entity: this.def.entity, id }, { pointer: '' });
    return this.feature(record);
  }

  async extent(actor: Actor): Promise<RegisterExtent> {
    assertCan(actor, 'record.read', this.def);
    return registerExtent(this.database.db, this.def);
  }

  private feature(record: Record<string, unknown>): Feature {
    const f = present(this.def, record) as unknown as Feature;
    for (const field of [...(this.def.protectedFields ?? []), 'identity']) delete f.properties[field];
    return f;
  }
}
