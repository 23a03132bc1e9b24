import type { TSchema } from 'typebox';
import { EXPORT_FORMATS } from '../domain/exchange.ts';
import { Problem } from '../domain/problem.ts';
import { REFERENCE_TARGETS, type RegisterDef, registerBySlug } from '../domain/records.ts';
import {
  type FieldType,
  formatMedia,
  isStreamedFormat,
  streamFeatures,
  type WriteFeature,
  type WriteFormat,
  writeFeatures,
} from '../io/index.ts';
import type { Actor } from './actor.ts';
import { ADMIN_AREA_COLUMN, type RecordFilter } from './list-query.ts';
import type { RegisterService } from './registers.ts';

/**
 * Register exports in the formats GIS programs and spreadsheets open. Records are read through
 * the register's one read path (RegisterService.readOut), which checks `data.export` and never
 * reads identity fields (casualties' personal data).
 */

export type ExportFilter = RecordFilter;

/** The JSON Schema branch of a field that is not `null` (fields are often `T | null`). */
function nonNull(schema: TSchema): Record<string, unknown> {
  const s = schema as Record<string, unknown>;
  const any = s.anyOf as Array<Record<string, unknown>> | undefined;
  if (any) return any.find((b) => b.type !== 'null') ?? {};
  return s;
}

/** Column type of a field in typed formats (GeoPackage, shapefile). Example: `depthCm` (integer) → `'integer'`. */
export function fieldType(def: RegisterDef, name: string, schema: TSchema): FieldType {
  if ((def.pointFields ?? []).includes(name)) return 'json';
  const s = nonNull(schema);
  switch (s.type) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
    case 'object':
      return 'json';
    case 'string':
      return s.format === 'date' ? 'date' : 'string';
    default:
      return s.enum ? 'string' : 'json';
  }
}

/**
 * The columns of a register's export, in order: its code, every writable field except
 * protected ones, then the computed fields (areas). The record `id` is written by every format
 * on its own. Example: findings → code, category, ordnanceId, modelText, quantity, …
 */
export function exportFields(def: RegisterDef): Array<{ name: string; type: FieldType }> {
  const out: Array<{ name: string; type: FieldType }> = [];
  if ('code' in def.readOnly) out.push({ name: 'code', type: 'string' });
  for (const [name, schema] of Object.entries(def.fields.properties as Record<string, TSchema>)) {
    if ((def.protectedFields ?? []).includes(name) || name === 'identity') continue;
    out.push({ name, type: fieldType(def, name, schema) });
    // Beside each reference, the record it points to as people know it.
    if (REFERENCE_TARGETS[name]) out.push({ name: referenceLabelField(name), type: 'string' });
  }
  for (const [name, schema] of Object.entries(def.readOnly)) {
    if (name !== 'code') out.push({ name, type: fieldType(def, name, schema) });
  }
  // The admin area the record lies in (its name), read with the list: not a field, never imported.
  if (def.geometry) out.push({ name: ADMIN_AREA_COLUMN, type: 'string' });
  return out;
}

/** The column beside a reference id: `organisationId` → `organisation`, `parentId` → `parent`. */
export function referenceLabelField(name: string): string {
  return name.replace(/Id$/, '');
}

/**
 * How a referenced record is shown beside its id: code and name where it has both
 * (`HA-000123 Veltali fields`), name and acronym or p-code (`Harmony Demining (HDF)`,
 * `North (NR-01)`), else whichever it has (an activity's code, an ordnance model, a source's title).
 */
export function referenceLabel(r: Record<string, unknown>): string {
  const name = (r.name ?? r.model ?? r.title) as string | null | undefined;
  const code = r.code as string | undefined;
  const extra = (r.acronym ?? r.pcode) as string | null | undefined;
  if (code) return name ? `${code} ${name}` : code;
  if (name && extra) return `${name} (${extra})`;
  return name ?? extra ?? '';
}

export function exportableRegister(slug: string): RegisterDef {
  const def = registerBySlug(slug);
  if (!def) throw new Problem('export.register_unknown', { register: slug }, { pointer: '/as', field: 'as' });
  return def;
}

export function exportFormat(format: string): WriteFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new Problem(
      'export.format_unknown',
      { format, formats: EXPORT_FORMATS.join(', ') },
      { pointer: '/format', field: 'format' },
    );
  }
  return format as WriteFormat;
}

/**
 * An export on its way out: the file's chunks (GeoJSON, CSV and KML are written row by row as
 * they are read, in constant memory; XLSX, Shapefile and GeoPackage are built whole and come
 * as one chunk), its media type and name, and the count of records once the chunks are read.
 */
export interface ExportStream {
  chunks: AsyncIterable<Uint8Array>;
  mediaType: string;
  extension: string;
  filename: string;
  /** Whether the file is written as it is read (the count is known only at its end). */
  streamed: boolean;
  count: () => number;
}

export class ExportService {
  constructor(private readonly registers: ReadonlyMap<string, RegisterService>) {}

  /** For each reference field of a register, id → label of the records it may point to (archived included). */
  private async referenceLabels(actor: Actor, def: RegisterDef): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    const byTarget = new Map<string, Map<string, string>>();
    for (const field of Object.keys(def.fields.properties)) {
      const target = REFERENCE_TARGETS[field];
      if (!target) continue;
      let names = byTarget.get(target.slug);
      if (!names) {
        names = new Map();
        for await (const r of this.registers
          .get(target.slug)!
          .readOut(actor, { equals: [], includeArchived: true }))
          names.set(r.id as string, referenceLabel(r));
        byTarget.set(target.slug, names);
      }
      out.set(field, names);
    }
    return out;
  }

  /**
   * Every record of a register matching the filter (the list API's filters) in one format.
   * Permissions and the format are checked before the first chunk. Example:
   * `const file = await exports.open(actor, 'hazards', 'csv', { equals: [['status', 'open']], includeArchived: false })`.
   */
  async open(actor: Actor, slug: string, format: string, filter: ExportFilter): Promise<ExportStream> {
    const def = exportableRegister(slug);
    const fmt = exportFormat(format);
    const records = this.registers.get(def.slug)!.readOut(actor, filter);
    const labels = await this.referenceLabels(actor, def);
    let count = 0;
    const features = (async function* (): AsyncGenerator<WriteFeature> {
      for await (const record of records) {
        count++;
        const { geometry, ...properties } = record;
        for (const [field, names] of labels) {
          const id = properties[field];
          properties[referenceLabelField(field)] = typeof id === 'string' ? (names.get(id) ?? null) : null;
        }
        yield {
          id: record.id as string,
          geometry: (geometry as WriteFeature['geometry']) ?? null,
          properties,
        };
      }
    })();
    const options = {
      layerName: def.slug.replace(/-/g, '_'),
      geometryKind: def.geometry?.kind ?? null,
      fields: exportFields(def),
    };
    const media = formatMedia(fmt);
    const chunks = isStreamedFormat(fmt)
      ? streamFeatures(fmt, features, options)
      : (async function* () {
          yield (await writeFeatures(fmt, features, options)).bytes;
        })();
    return {
      chunks,
      ...media,
      filename: `${def.slug}.${media.extension}`,
      streamed: isStreamedFormat(fmt),
      count: () => count,
    };
  }
}
