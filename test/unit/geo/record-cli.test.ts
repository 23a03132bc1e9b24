import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerRecordCommands } from '../../../src/cli/record.ts';
import { parseMinefieldRecord } from '../../../src/domain/minefield-record.ts';
import { decodeRecord } from '../../../src/geo/record-decode.ts';
import { loadCatalogue } from '../../../src/i18n/catalogue.ts';
import { decodedToGeoJson } from '../../../src/services/minefield-geojson.ts';

const recordPath = new URL('../../fixtures/records/soviet-gk8-magnetic-paces.json', import.meta.url).pathname;
const findingsPath = new URL('../../fixtures/records/soviet-gk8-findings.geojson', import.meta.url).pathname;

async function run(args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  const before = process.exitCode;
  const program = new Command('safeground').exitOverride();
  registerRecordCommands(program);
  await program.parseAsync(['node', 'safeground', ...args]);
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = before;
  vi.restoreAllMocks();
  return { out, err, exitCode };
}

afterEach(() => vi.restoreAllMocks());

describe('record decode', () => {
  it('prints one set of features per hypothesis with its closure figures', async () => {
    const { out, exitCode } = await run(['record', 'decode', recordPath]);
    expect(exitCode).toBeUndefined();
    const fc = JSON.parse(out);
    expect(fc.type).toBe('FeatureCollection');
    const stated = fc.features.filter(
      (f: any) => f.properties.hypothesis === 'ref=magnetic,angle=mil6000,dist=pace,dir=forward',
    );
    const kinds = stated.map((f: any) => f.properties.kind).sort();
    expect(kinds).toEqual([
      'landmark',
      'perimeter',
      'referencePoint',
      'row',
      'row',
      'turningPoint',
      'turningPoint',
      'turningPoint',
      'turningPoint',
      'uncertainty',
    ]);
    const perimeter = stated.find((f: any) => f.properties.kind === 'perimeter');
    expect(perimeter.properties.misclosureM).toBeGreaterThan(2);
    expect(perimeter.properties.label).toBe(
      'magnetic bearings, mils of 6000, paces of 0.75 m, forward bearings',
    );
    expect(fc.notDecoded).toHaveLength(12);
    expect(new Set(fc.features.map((f: any) => f.properties.hypothesis)).size).toBe(12);
  });

  it('says what is wrong, with the code, on stderr and exits 1', async () => {
    const { err, exitCode } = await run(['record', 'decode', '/nonexistent/record.json']);
    expect(exitCode).toBe(1);
    expect(err).toMatch(/^Error record\.file_unreadable: Cannot read/);
  });

  it('speaks Russian when asked', async () => {
    const { out } = await run(['record', 'decode', recordPath, '--locale', 'ru']);
    expect(JSON.parse(out).notDecoded[0].message).toMatch(/^Периметр не замыкается/);
  });
});

describe('record score', () => {
  it('prints the scores with the best-supported hypothesis', async () => {
    const { out, exitCode } = await run(['record', 'score', recordPath, '--findings', findingsPath]);
    expect(exitCode).toBeUndefined();
    const scores = JSON.parse(out);
    expect(scores.best.id).toBe('ref=magnetic,angle=mil6000,dist=pace,dir=forward');
    expect(scores.findingCount).toBe(60);
    expect(scores.hypotheses).toHaveLength(12);
  });
});

describe('messages', () => {
  it('has every problem code and CLI text in English, Russian and Arabic', () => {
    const en = JSON.parse(
      readFileSync(new URL('../../../src/i18n/messages/en/minefield.json', import.meta.url), 'utf8'),
    );
    for (const locale of ['ru', 'ar']) {
      const cat = loadCatalogue(locale);
      for (const key of Object.keys(en)) expect(cat[key], `${locale} ${key}`).toBeTruthy();
    }
    const sources = ['record-decode.ts', 'record-angles.ts', 'record-score.ts']
      .map((f) => readFileSync(new URL(`../../../src/geo/${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const codes = [...sources.matchAll(/'(record\.[a-z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(8);
    for (const code of codes) expect(en[code], code).toBeTruthy();
  });

  it('turns a decoded record into GeoJSON without the CLI', () => {
    const decoded = decodeRecord(parseMinefieldRecord(JSON.parse(readFileSync(recordPath, 'utf8'))));
    const fc = decodedToGeoJson(decoded);
    expect(fc.features.every((f) => typeof f.properties?.hypothesis === 'string')).toBe(true);
    // Every reading has its features (without this an empty collection would pass).
    expect(decoded.hypotheses.length).toBeGreaterThan(0);
    expect(new Set(fc.features.map((f) => f.properties?.hypothesis))).toEqual(
      new Set(decoded.hypotheses.map((h) => h.id)),
    );
  });
});
