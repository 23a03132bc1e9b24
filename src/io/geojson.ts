import type { Problem } from '../domain/problem.ts';
import { reprojectGeometry, type ToWgs84, toWgs84, withinLonLat } from './crs.ts';
import { normaliseCollection } from './geometry.ts';
import { parseElement, splitJson } from './json-stream.ts';
import { inputSize, ProgressMeter } from './source.ts';
import { type GeometryPlan, koboIdColumn, planGeometry, rowToFeature } from './tabular.ts';
import { decodeChunks, decoderFor } from './text.ts';
import {
  DEFAULT_MAX_LINE_BYTES,
  type FileInput,
  fault,
  type Geometry,
  type ReadOptions,
  type SourceFeature,
} from './types.ts';

/**
 * GeoJSON (FeatureCollection, Feature, bare geometry, or an array of features) and KoboToolbox
 * JSON exports (an array of submissions, or the API's `{ results: [...] }`), read as a stream.
 */

const GEOMETRY_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

export async function* readJson(
  file: FileInput,
  opts: ReadOptions,
  kobo: boolean,
): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const maxChars = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const counted = meter.chunks(file);
  // RFC 8259: JSON exchanged between systems is UTF-8; the decoder drops a BOM.
  const text = decodeChunks(counted, decoderFor('utf-8'));
  let convert: ToWgs84 = toWgs84(opts.crs);
  let crsFromFile = opts.crs !== undefined;
  const members: Record<string, unknown> = {};
  let index = 0;
  let kobos: KoboState | undefined;
  for await (const piece of splitJson(text, maxChars)) {
    if (piece.kind === 'member') {
      members[piece.key] = piece.value;
      if (piece.key === 'crs' && !crsFromFile) {
        convert = toWgs84(legacyCrsName(piece.value));
        crsFromFile = true;
      }
      continue;
    }
    if (piece.kind === 'end') {
      if (index === 0 && piece.root === 'object' && !('features' in members) && !('results' in members)) {
        // A single Feature or a bare geometry.
        yield fromJsonValue(members, 0, convert, opts);
        meter.feature();
      }
      break;
    }
    const where = { row: index };
    let feature: SourceFeature;
    if (piece.text === null) {
      feature = brokenFeature(index, [
        fault('io.line.too_long', { line: piece.line, chars: piece.chars, maxChars }, where),
      ]);
    } else {
      const parsed = parseElement(piece.text, piece.line, piece.column);
      if (!parsed.ok) {
        feature = brokenFeature(index, [
          fault('io.json.parse', { line: parsed.line, column: parsed.column, detail: parsed.detail }, where),
        ]);
      } else if (kobo || (isSubmission(parsed.value) && piece.key !== 'features')) {
        kobos ??= new KoboState(opts);
        feature = kobos.feature(parsed.value as Record<string, unknown>, index, convert);
      } else {
        feature = fromJsonValue(parsed.value, index, convert, opts);
      }
    }
    yield feature;
    index++;
    meter.feature();
  }
  meter.done();
}

/**
 * Newline-delimited GeoJSON (GeoJSONSeq, RFC 8142, as GDAL writes it: one Feature per line,
 * optionally each preceded by the record separator U+001E). A blank line is not a feature; a
 * line that is not JSON is `io.json.parse` at its line and reading goes on.
 * Example: `{"type":"Feature",…}\n{"type":"Feature",…}\n` → two features.
 */
export async function* readJsonSeq(file: FileInput, opts: ReadOptions): AsyncGenerator<SourceFeature> {
  const meter = new ProgressMeter(await inputSize(file), opts.onProgress);
  const maxChars = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const counted = meter.chunks(file);
  const convert: ToWgs84 = toWgs84(opts.crs);
  let index = 0;
  let line = 0;
  let pending = '';
  let tooLong = false;
  const lineFeature = (text: string, lineNo: number): SourceFeature | undefined => {
    const where = { row: index };
    if (tooLong) {
      return brokenFeature(index, [
        fault('io.line.too_long', { line: lineNo, chars: text.length, maxChars }, where),
      ]);
    }
    // RFC 8142 record separators; inside valid JSON a control character is always escaped.
    const json = text.replaceAll('\u001e', '').trim();
    if (json === '') return undefined;
    const parsed = parseElement(json, lineNo, 1);
    if (!parsed.ok) {
      return brokenFeature(index, [
        fault('io.json.parse', { line: parsed.line, column: parsed.column, detail: parsed.detail }, where),
      ]);
    }
    return fromJsonValue(parsed.value, index, convert, opts);
  };
  for await (const chunk of decodeChunks(counted, decoderFor('utf-8'))) {
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      line++;
      const feature = lineFeature(pending.slice(0, nl), line);
      pending = pending.slice(nl + 1);
      tooLong = false;
      if (feature) {
        yield feature;
        index++;
        meter.feature();
      }
      nl = pending.indexOf('\n');
    }
    // A line longer than the limit is not kept whole: its text is dropped and it becomes one fault.
    if (pending.length > maxChars) {
      tooLong = true;
      pending = pending.slice(-1);
    }
  }
  if (pending !== '' || tooLong) {
    const feature = lineFeature(pending, line + 1);
    if (feature) {
      yield feature;
      meter.feature();
    }
  }
  meter.done();
}

function brokenFeature(index: number, problems: Problem[]): SourceFeature {
  return { index, geometry: null, properties: {}, problems };
}

/** A Kobo submission is a plain object that is not GeoJSON. */
function isSubmission(v: unknown): boolean {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v && typeof v.type === 'string')
  );
}

/** GeoJSON 2008 named CRS `{ type: 'name', properties: { name } }`, or EPSG-linked `{ type: 'EPSG', properties: { code } }`. */
function legacyCrsName(crs: unknown): string | undefined {
  const props = (crs as { properties?: { name?: unknown; code?: unknown } } | null)?.properties;
  if (typeof props?.name === 'string') return props.name;
  if (props?.code !== undefined) return `EPSG:${props.code}`;
  return undefined;
}

/** One parsed GeoJSON value (Feature or geometry) as a source feature, never throwing. */
export function fromJsonValue(
  value: unknown,
  index: number,
  convert: ToWgs84,
  _opts?: ReadOptions,
): SourceFeature {
  const where = (field?: string) => (field === undefined ? { row: index } : { row: index, field });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return brokenFeature(index, [fault('io.geojson.feature', { found: typeOf(value) }, where())]);
  }
  const obj = value as Record<string, unknown>;
  let properties: Record<string, unknown> = {};
  let geometryValue: unknown;
  let externalId: string | undefined;
  if (obj.type === 'Feature') {
    properties = isPlainObject(obj.properties) ? obj.properties : {};
    geometryValue = obj.geometry;
    if (typeof obj.id === 'string' || typeof obj.id === 'number') externalId = String(obj.id);
  } else if (typeof obj.type === 'string' && GEOMETRY_TYPES.has(obj.type)) {
    geometryValue = obj;
  } else {
    return brokenFeature(index, [
      fault('io.geojson.feature', { found: String(obj.type ?? typeOf(value)) }, where()),
    ]);
  }
  const problems: Problem[] = [];
  let geometry: Geometry | null = null;
  if (geometryValue === null || geometryValue === undefined) {
    problems.push(fault('io.geometry.null', {}, where('geometry')));
  } else if (!isGeometry(geometryValue)) {
    problems.push(
      fault(
        'io.geometry.invalid',
        { type: String((geometryValue as { type?: unknown }).type ?? '') },
        where('geometry'),
      ),
    );
  } else {
    geometry = normaliseCollection(geometryValue);
    if (convert) reprojectGeometry(geometry, convert);
    if (!withinLonLat(geometry)) problems.push(fault('io.coordinate.range', {}, where('geometry')));
  }
  const feature: SourceFeature = { index, geometry, properties, problems };
  if (externalId !== undefined) feature.externalId = externalId;
  return feature;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Shape check only (type, nesting, numbers); topology is the validator's. */
function isGeometry(v: unknown): v is Geometry {
  if (!isPlainObject(v) || typeof v.type !== 'string' || !GEOMETRY_TYPES.has(v.type)) return false;
  if (v.type === 'GeometryCollection') return Array.isArray(v.geometries) && v.geometries.every(isGeometry);
  const depth = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 }[
    v.type
  ]!;
  const check = (c: unknown, d: number): boolean => {
    if (!Array.isArray(c)) return false;
    if (d === 0)
      return c.length >= 2 && c.length <= 4 && c.every((n) => typeof n === 'number' && Number.isFinite(n));
    return c.every((x) => check(x, d - 1));
  };
  return check(v.coordinates, depth);
}

/** Kobo submissions: the geometry plan is chosen on the first submission and kept. */
class KoboState {
  private plan: GeometryPlan | undefined;
  private idColumn: string | undefined;
  constructor(private readonly opts: ReadOptions) {}

  feature(submission: Record<string, unknown>, index: number, convert: ToWgs84): SourceFeature {
    if (!isPlainObject(submission)) {
      return brokenFeature(index, [
        fault('io.geojson.feature', { found: typeOf(submission) }, { row: index }),
      ]);
    }
    const columns = Object.keys(submission);
    if (!this.plan) {
      const { plan, missing } = planGeometry(columns, this.opts.csv ?? {}, submission, true);
      if (missing !== undefined) throw fault('io.csv.columns', { missing, found: columns.join(', ') });
      this.plan = plan;
      this.idColumn = koboIdColumn(columns);
    }
    return rowToFeature(submission, index, undefined, this.plan, convert, this.idColumn);
  }
}
