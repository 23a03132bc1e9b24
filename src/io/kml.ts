import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync } from 'fflate';
import type { Problem } from '../domain/problem.ts';
import { withinLonLat } from './crs.ts';
import { inputBytes, inputSize, ProgressMeter } from './source.ts';
import { type FileInput, fault, type Geometry, type ReadOptions, type SourceFeature } from './types.ts';

/**
 * KML and KMZ (zipped KML). KML is WGS 84 lon/lat by definition, so `crs` does not apply.
 * The document is parsed whole (xmldom); KML from field teams is small.
 */
export async function* readKml(
  file: FileInput,
  opts: ReadOptions,
  zipped: boolean,
): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const bytes = await inputBytes(file);
  const xml = zipped ? kmlFromKmz(bytes) : new TextDecoder('utf-8').decode(bytes);
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc.documentElement)
    throw fault('io.xml.parse', { detail: errors[0] ?? 'no document' });
  meter.bytesRead = meter.bytesTotal;
  const collection = kml(doc as unknown as Document);
  let index = 0;
  for (const f of collection.features) {
    const problems: Problem[] = [];
    const where = (field?: string) => (field ? { row: index, field } : { row: index });
    let geometry = f.geometry ? normaliseCollection(f.geometry as Geometry) : null;
    if (!geometry) problems.push(fault('io.geometry.null', {}, where('geometry')));
    else if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where('geometry')));
    const properties = { ...(f.properties ?? {}) } as Record<string, unknown>;
    const feature: SourceFeature = { index, geometry, properties, problems };
    if (f.id !== undefined && f.id !== null) feature.externalId = String(f.id);
    yield feature;
    index++;
    meter.feature();
    geometry = null;
  }
  meter.done();
}

/** The main KML of a KMZ: `doc.kml` if present, else the first `.kml` entry. */
function kmlFromKmz(bytes: Uint8Array): string {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.toLowerCase().endsWith('.kml') });
  } catch {
    throw fault('io.zip.invalid', {});
  }
  const names = Object.keys(entries).sort((a, b) =>
    a.toLowerCase().endsWith('doc.kml') ? -1 : b.toLowerCase().endsWith('doc.kml') ? 1 : a.localeCompare(b),
  );
  if (names.length === 0) throw fault('io.kmz.missing_kml', {});
  return new TextDecoder('utf-8').decode(entries[names[0]!]);
}

/**
 * A KML MultiGeometry arrives as a GeometryCollection; when all its members are polygons (or
 * all points, or all lines) it is the corresponding Multi* geometry, which registers store.
 * Example: collection of two Polygons → MultiPolygon with two polygons.
 */
export function normaliseCollection(g: Geometry): Geometry {
  if (g.type !== 'GeometryCollection' || !g.geometries?.length) return g;
  const parts = g.geometries.map(normaliseCollection);
  const kinds = new Set(parts.map((p) => p.type.replace(/^Multi/, '')));
  if (kinds.size !== 1) return { type: 'GeometryCollection', geometries: parts };
  const kind = [...kinds][0]!;
  if (kind === 'GeometryCollection') return g;
  const coordinates: unknown[] = [];
  for (const p of parts) {
    if (p.type.startsWith('Multi')) coordinates.push(...(p.coordinates as unknown[]));
    else coordinates.push(p.coordinates);
  }
  return { type: `Multi${kind}`, coordinates };
}
