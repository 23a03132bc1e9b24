import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync } from 'fflate';
import type { Problem } from '../domain/problem.ts';
import { withinLonLat } from './crs.ts';
import { normaliseCollection } from './geometry.ts';
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
  const entries = zipped ? kmzEntries(bytes) : undefined;
  const xml = entries ? entries.get(mainKml(entries))! : new TextDecoder('utf-8').decode(bytes);
  meter.bytesRead = meter.bytesTotal;
  let index = 0;
  for (const f of placemarks(xml, entries, new Set())) {
    const problems: Problem[] = [];
    const where = (field?: string) => (field ? { row: index, field } : { row: index });
    let geometry = f.geometry ? normaliseCollection(f.geometry as Geometry) : null;
    if (!geometry) problems.push(fault('io.geometry.null', {}, where('geometry')));
    else if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where('geometry')));
    const properties = attributes(f.properties ?? {});
    const feature: SourceFeature = { index, geometry, properties, problems };
    if (f.id !== undefined && f.id !== null) feature.externalId = String(f.id);
    yield feature;
    index++;
    meter.feature();
    geometry = null;
  }
  meter.done();
}

/**
 * The features of one KML document. A `NetworkLink` to another KML inside the same KMZ (GDAL's
 * LIBKML driver writes `doc.kml` linking `layers/*.kml`) is replaced by that document's features;
 * a link to anything else stays a feature without geometry, so it is counted and reported.
 */
function* placemarks(
  xml: string,
  entries: Map<string, string> | undefined,
  visited: Set<string>,
): Generator<{ id?: string | number; geometry: unknown; properties: Record<string, unknown> | null }> {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc.documentElement)
    throw fault('io.xml.parse', { detail: errors[0] ?? 'no document' });
  for (const f of kml(doc as unknown as Document).features) {
    const props = (f.properties ?? {}) as Record<string, unknown>;
    const href = typeof props.href === 'string' ? props.href.replace(/^\.\//, '') : '';
    if (props['@geometry-type'] === 'networklink' && entries?.has(href) && !visited.has(href)) {
      visited.add(href);
      yield* placemarks(entries.get(href)!, entries, visited);
      continue;
    }
    yield f as { id?: string | number; geometry: unknown; properties: Record<string, unknown> | null };
  }
}

/**
 * What togeojson derives from a placemark's style (colours, icons, visibility) is how Google
 * Earth draws it, not an attribute; an HTML `description` (CDATA) comes as `{ '@type': 'html',
 * value }` and is kept as its text. Example: `{ name, styleUrl, stroke, description: { '@type':
 * 'html', value: '<b>x</b>' } }` → `{ name, description: '<b>x</b>' }`.
 */
export function attributes(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) {
    if (STYLE_PROPERTIES.has(k)) continue;
    const html = v as { '@type'?: unknown; value?: unknown } | null;
    out[k] = typeof html === 'object' && html?.['@type'] === 'html' ? String(html.value ?? '') : v;
  }
  return out;
}

const STYLE_PROPERTIES = new Set([
  'styleUrl',
  'styleHash',
  'styleMapHash',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'fill',
  'fill-opacity',
  'icon',
  'icon-color',
  'icon-opacity',
  'icon-scale',
  'icon-heading',
  'icon-offset',
  'icon-offset-units',
  'label-color',
  'label-opacity',
  'label-scale',
  'visibility',
  'open',
]);

/** The KML documents of a KMZ by path. */
function kmzEntries(bytes: Uint8Array): Map<string, string> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.toLowerCase().endsWith('.kml') });
  } catch {
    throw fault('io.zip.invalid', {});
  }
  const decoder = new TextDecoder('utf-8');
  return new Map(Object.entries(entries).map(([name, data]) => [name, decoder.decode(data)]));
}

/** The main KML of a KMZ: `doc.kml` if present, else the first `.kml` entry. */
function mainKml(entries: Map<string, string>): string {
  const names = [...entries.keys()].sort((a, b) =>
    a.toLowerCase().endsWith('doc.kml') ? -1 : b.toLowerCase().endsWith('doc.kml') ? 1 : a.localeCompare(b),
  );
  if (names.length === 0) throw fault('io.kmz.missing_kml', {});
  return names[0]!;
}
