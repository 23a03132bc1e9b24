import type { RegisterDef } from '../../domain/records.ts';
import type { Actor } from '../../services/actor.ts';
import type { RegisterExtent } from '../../services/list-query.ts';
import type { RegisterService } from '../../services/registers.ts';
import { present } from '../routes/registers.ts';
import type { OgcListQuery } from './query.ts';

export interface Feature {
  type: 'Feature';
  id: unknown;
  geometry: unknown;
  properties: Record<string, unknown>;
}

/**
 * The features of one collection as the OGC API serves them, read through the register's one
 * read path (RegisterService: `record.read`, identity fields never served, archived records not
 * part of the collection). Only the GeoJSON form is made here.
 */
export class FeatureSource {
  constructor(private readonly register: RegisterService) {}

  get def(): RegisterDef {
    return this.register.def;
  }

  /** One page and the number of features the filters match. */
  async page(actor: Actor, query: OgcListQuery): Promise<{ features: Feature[]; numberMatched: number }> {
    const { records, numberMatched } = await this.register.page(actor, query);
    return { features: records.map((r) => this.feature(r)), numberMatched };
  }

  /** One feature (as at a date if given); archived records are not part of the collection, so they are not found either. */
  async one(actor: Actor, id: string, asAt?: string): Promise<Feature> {
    return this.feature(await this.register.publishedRecord(actor, id, asAt));
  }

  async extent(actor: Actor): Promise<RegisterExtent> {
    return this.register.extent(actor);
  }

  private feature(record: Record<string, unknown>): Feature {
    return present(this.def, record) as unknown as Feature;
  }
}
