import { isProblem } from '../domain/problem.ts';
import { readCsv } from './csv.ts';
import { detectFormat } from './detect.ts';
import { readJson, readJsonSeq } from './geojson.ts';
import { readGpkg } from './gpkg.ts';
import { readKml } from './kml.ts';
import { readShapefile } from './shapefile.ts';
import { inputHead, inputName } from './source.ts';
import type { FileInput, ReadOptions, SourceFeature } from './types.ts';
import { readXlsx } from './xlsx.ts';

/**
 * Reads the features of a file in any supported format, one at a time. A bad row or feature
 * comes out with its problems and never stops the reading; a file that cannot be read at all
 * throws a Problem (`io.format.unknown`, `io.zip.invalid`, `io.json.parse`, `io.csv.columns` …).
 *
 * Example: `for await (const f of readFeatures({ path: 'hazards.zip' }, { crs: 'EPSG:32618' })) …`
 */
export async function* readFeatures(file: FileInput, opts: ReadOptions = {}): AsyncGenerator<SourceFeature> {
  let format = opts.format;
  if (!format) {
    const detected = detectFormat(inputName(file), await inputHead(file));
    if (isProblem(detected)) throw detected;
    format = detected;
  }
  switch (format) {
    case 'geojson':
      yield* readJson(file, opts, false);
      break;
    case 'geojsonseq':
      yield* readJsonSeq(file, opts);
      break;
    case 'kobo-json':
      yield* readJson(file, opts, true);
      break;
    case 'csv':
      yield* readCsv(file, opts, false);
      break;
    case 'kobo-csv':
      yield* readCsv(file, opts, true);
      break;
    case 'xlsx':
      yield* readXlsx(file, opts);
      break;
    case 'kml':
      yield* readKml(file, opts, false);
      break;
    case 'kmz':
      yield* readKml(file, opts, true);
      break;
    case 'shp':
      yield* readShapefile(file, opts);
      break;
    case 'gpkg':
      yield* readGpkg(file, opts);
      break;
  }
}
