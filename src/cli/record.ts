import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Feature, FeatureCollection } from 'geojson';
import { parseMinefieldRecord } from '../domain/minefield-record.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { type DecodedRecord, decodeRecord } from '../geo/record-decode.ts';
import { findingsFromGeoJson, scoreRecord } from '../geo/record-score.ts';
import { t } from '../i18n/catalogue.ts';

/**
 * `safeground record decode FILE.json` and `safeground record score FILE.json --findings F.geojson`.
 * Output goes to stdout as JSON; problems go to stderr as catalogue sentences with their
 * code, and the exit code is 1.
 */
export function registerRecordCommands(program: Command): void {
  const record = program.command('record').description(t('minefield.cli.record'));

  record
    .command('decode')
    .description(t('minefield.cli.decode'))
    .argument('<file>', t('minefield.cli.file'))
    .option('--locale <locale>', t('minefield.cli.locale'), 'en')
    .action((file: string, options: { locale: string }) => {
      runReporting(options.locale, () => {
        const decoded = decodeFile(file, options.locale);
        return decodedToGeoJson(decoded, options.locale);
      });
    });

  record
    .command('score')
    .description(t('minefield.cli.score'))
    .argument('<file>', t('minefield.cli.file'))
    .requiredOption('--findings <file>', t('minefield.cli.findings'))
    .option('--fit-scale', t('minefield.cli.fitScale'), false)
    .option('--locale <locale>', t('minefield.cli.locale'), 'en')
    .action((file: string, options: { findings: string; fitScale: boolean; locale: string }) => {
      runReporting(options.locale, () => {
        const decoded = decodeFile(file, options.locale);
        const findings = findingsFromGeoJson(readJson(options.findings));
        const scores = scoreRecord(decoded, findings, { fitScale: options.fitScale });
        return { ...scores, notDecoded: rejectedWithMessages(decoded, options.locale) };
      });
    });
}

function runReporting(locale: string, produce: () => unknown): void {
  try {
    process.stdout.write(`${JSON.stringify(produce(), null, 2)}\n`);
  } catch (e) {
    if (!isProblem(e)) throw e;
    process.stderr.write(`${problemSentence(e, locale)}\n`);
    for (const other of e.others.slice(0, 20)) process.stderr.write(`${problemSentence(other, locale)}\n`);
    process.exitCode = 1;
  }
}

function problemSentence(p: Problem, locale: string): string {
  return t(
    'minefield.cli.error',
    { code: p.code, pointer: p.where?.pointer || 'none', message: t(p.code, p.params, locale) },
    locale,
  );
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Problem('record.file_unreadable', { file, reason: (e as Error).message });
  }
}

function decodeFile(file: string, locale: string): DecodedRecord {
  const record = parseMinefieldRecord(readJson(file));
  return decodeRecord(record, { translate: (key, params) => t(key, params, locale) });
}

function rejectedWithMessages(decoded: DecodedRecord, locale: string) {
  return decoded.rejected.map((r) => ({ ...r, message: t(r.problem.code, r.problem.params, locale) }));
}

/**
 * The decoded record as one FeatureCollection: for each hypothesis its perimeter, its
 * uncertainty polygon, its rows, its turning points, reference point and landmark, each
 * feature carrying `hypothesis` and `kind`; hypotheses that could not be decoded and the
 * error figures in force are foreign members.
 */
export function decodedToGeoJson(
  decoded: DecodedRecord,
  locale = 'en',
): FeatureCollection & Record<string, unknown> {
  const features: Feature[] = [];
  for (const h of decoded.hypotheses) {
    const common = { hypothesis: h.id, label: h.label };
    features.push({
      type: 'Feature',
      geometry: h.polygon,
      properties: {
        ...common,
        kind: 'perimeter',
        ...h.assumptions,
        adjusted: h.adjusted,
        misclosureEastM: h.misclosure?.eastM ?? null,
        misclosureNorthM: h.misclosure?.northM ?? null,
        misclosureM: h.misclosure?.lengthM ?? null,
        misclosureRatio: h.misclosure?.ratio ?? null,
        perimeterLengthM: h.misclosure?.perimeterLengthM ?? null,
        maxRadius95M: Math.max(...h.vertices.map((v) => v.radius95M)),
        gridCentralMeridianDeg: h.gridCentralMeridianDeg,
      },
    });
    features.push({
      type: 'Feature',
      geometry: h.uncertaintyPolygon,
      properties: { ...common, kind: 'uncertainty', confidence: 0.95 },
    });
    h.rows.forEach((row, i) => {
      features.push({
        type: 'Feature',
        geometry: row.line,
        properties: {
          ...common,
          kind: 'row',
          index: i,
          name: row.name,
          mineModel: row.mineModel,
          mineCount: row.mineCount,
          lengthM: row.lengthM,
          spacingM: row.spacingM,
          startRadius95M: row.startRadius95M,
          endRadius95M: row.endRadius95M,
        },
      });
    });
    for (const v of h.vertices) {
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [v.lon, v.lat] },
        properties: {
          ...common,
          kind: 'turningPoint',
          number: v.number,
          name: v.name,
          radius95M: v.radius95M,
          ellipseSemiMajorM: v.ellipse.semiMajorM,
          ellipseSemiMinorM: v.ellipse.semiMinorM,
          ellipseMajorAzimuthDeg: v.ellipse.majorAzimuthDeg,
          adjustmentEastM: v.adjustmentEastM,
          adjustmentNorthM: v.adjustmentNorthM,
        },
      });
    }
    for (const [kind, p] of [
      ['referencePoint', h.referencePoint],
      ['landmark', h.landmark],
    ] as const) {
      if (!p) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
        properties: { ...common, kind, name: p.name, radius95M: p.radius95M },
      });
    }
  }
  return {
    type: 'FeatureCollection',
    features,
    hypotheses: decoded.hypotheses.map((h) => ({
      id: h.id,
      label: h.label,
      legs: h.legs,
      misclosure: h.misclosure,
    })),
    notDecoded: rejectedWithMessages(decoded, locale),
    errorModel: decoded.errorModel,
    closureTolerance: decoded.closureTolerance,
  };
}
