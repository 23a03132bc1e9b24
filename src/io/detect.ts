import type { Problem } from '../domain/problem.ts';
import { type Format, fault } from './types.ts';

/** The record separator that may open each line of GeoJSONSeq (RFC 8142). */
const RS = '\u001e';

const KOBO_COLUMNS = [
  '_uuid',
  '_submission_time',
  '_index',
  'meta/instanceID',
  '_geolocation',
  'formhub/uuid',
  '_submitted_by',
  '_xform_id_string',
];

/**
 * The format of a file from its name and first bytes. Binary signatures win over the
 * extension (a `.json` that is really a zip is a zip). Returns `io.format.unknown` otherwise.
 * Example: `detectFormat('survey.csv', bytesOf('_uuid;lat;lon\n'))` → `'kobo-csv'`.
 */
export function detectFormat(filename: string, head: Uint8Array): Format | Problem {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  const latin = new TextDecoder('latin1').decode(head.subarray(0, 4096));
  if (latin.startsWith('PK\u0003\u0004')) {
    const names = new TextDecoder('latin1').decode(head);
    if (names.includes('[Content_Types].xml') && /xl\//.test(names)) return 'xlsx';
    if (ext === 'xlsx') return 'xlsx';
    if (ext === 'kmz' || (/\.kml/i.test(names) && !/\.shp/i.test(names))) return 'kmz';
    return 'shp';
  }
  if (latin.startsWith('SQLite format 3\u0000')) return 'gpkg';
  if (ext === 'shp') return 'shp';
  const text = new TextDecoder('utf-8').decode(head.subarray(0, 16384)).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (ext === 'kml' || /^<\?xml[^>]*>\s*<kml/i.test(start) || start.startsWith('<kml')) return 'kml';
  if (['geojsonl', 'geojsons', 'geojsonseq', 'ndjson', 'jsonl'].includes(ext) || start.startsWith(RS))
    return 'geojsonseq';
  // One whole Feature on the first line and another object on the next: GeoJSONSeq named .geojson.
  const [first = '', second = ''] = start.split('\n', 2);
  if (
    /^\{.*"type"\s*:\s*"Feature".*\}\s*$/.test(first) &&
    second.replaceAll(RS, '').trimStart().startsWith('{')
  )
    return 'geojsonseq';
  if (['json', 'geojson'].includes(ext) || start.startsWith('{') || start.startsWith('[')) {
    if (start.startsWith('[')) {
      return /^\[\s*\{\s*"type"\s*:\s*"Feature"/.test(start) ? 'geojson' : 'kobo-json';
    }
    if (/"results"\s*:\s*\[/.test(start) && !/"type"\s*:\s*"FeatureCollection"/.test(start))
      return 'kobo-json';
    return 'geojson';
  }
  if (['csv', 'tsv', 'txt'].includes(ext)) {
    const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
    const cells = firstLine.split(/[,;\t|]/).map((c) => c.trim().replace(/^"|"$/g, ''));
    return cells.some((c) => KOBO_COLUMNS.includes(c)) ? 'kobo-csv' : 'csv';
  }
  if (['xlsx', 'gpkg', 'kmz', 'zip'].includes(ext)) {
    return fault('io.format.unknown', { file: filename, detail: `not a ${ext} file` });
  }
  return fault('io.format.unknown', { file: filename, detail: ext ? `.${ext}` : '' });
}
