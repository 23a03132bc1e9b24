import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../src/domain/problem.ts';
import { applyMapping, loadMapping, toIsoDate, transform } from '../../../src/io/mapping.ts';
import { readFeatures } from '../../../src/io/read.ts';
import { rejectsCsv } from '../../../src/io/rejects.ts';
import type { SourceFeature } from '../../../src/io/types.ts';
import { readFixture } from '../../fixtures/io/read-fixture.ts';
import { testdata } from '../../fixtures/testdata.ts';

const examples = new URL('../../../docs/examples/', import.meta.url);
const example = (name: string) => loadMapping(JSON.parse(readFileSync(new URL(name, examples), 'utf8')));

function invalid(json: unknown): Problem {
  try {
    loadMapping(json);
  } catch (e) {
    return e as Problem;
  }
  throw new Error('accepted');
}

describe('loadMapping', () => {
  it('points at the first fault', () => {
    expect(invalid([]).where?.pointer).toBe('');
    expect(invalid({}).where?.pointer).toBe('/fields');
    expect(invalid({ fields: { category: { from: 'x', transform: 'shout' } } }).where?.pointer).toBe(
      '/fields/category/transform',
    );
    expect(invalid({ fields: { a: { from: 'x', codes: { 'p/q': 1 } } } }).where?.pointer).toBe(
      '/fields/a/codes/p~1q',
    );
    expect(invalid({ fields: {}, colour: 'red' }).code).toBe('io.mapping.invalid');
  });
});

describe('transforms', () => {
  it('reads dates in the forms field data uses', () => {
    expect(toIsoDate('15/03/2019')).toBe('2019-03-15');
    expect(toIsoDate('3.7.2021')).toBe('2021-07-03');
    expect(toIsoDate('2019-03-15T10:00:00Z')).toBe('2019-03-15');
    // Excel serial 43539 is 2019-03-15 (Excel: =DATE(2019,3,15) → 43539).
    expect(toIsoDate(43539)).toBe('2019-03-15');
    expect(toIsoDate('31/02/2019')).toBeUndefined();
    expect(transform('1990', 'year-to-date')).toBe('1990-01-01');
    expect(transform('12,5', 'number')).toBe(12.5);
    expect(transform('12.5', 'int')).toBeUndefined();
  });
});

describe('worked examples of docs/import-export.md', () => {
  it('maps the KoboToolbox hazard survey onto hazards, reporting the unknown code where it is', async () => {
    const mapping = example('kobo-hazard-survey.mapping.json');
    const features = await readFixture('kobo-hazard-survey.csv', { csv: mapping.csv });
    const mapped = features.map((f) => applyMapping(f, mapping));
    expect(mapped[0]!.properties).toEqual({
      status: 'open',
      type: 'SHA',
      deviceCategories: ['AP', 'AV'],
      blockedLandUse: ['agriculture', 'grazing'],
      beneficiaries: 300,
      dateOfInformation: '2024-04-02',
      description: 'Shepherds report mines near the old post',
      externalId: '3f1b7c1e-8d61-4d87-9a54-0a1c5a1e0001',
    });
    expect(mapped[1]!.properties.beneficiaries).toBeNull();
    expect(mapped[2]!.problems.map((p) => [p.code, p.params, p.where])).toEqual([
      ['io.mapping.unknown_code', { field: 'type', value: 'probable' }, { row: 4, field: 'type' }],
    ]);
    expect(mapped[2]!.properties.deviceCategories).toEqual(['booby_trap']);
  });

  it('maps the Spanish findings spreadsheet onto findings', async () => {
    const mapping = example('findings-spreadsheet.mapping.json');
    const features = await readFixture('hallazgos.xlsx', { csv: mapping.csv });
    const mapped = features.map((f) => applyMapping(f, mapping));
    expect(mapped[0]!.properties).toEqual({
      category: 'AP',
      quantity: 1,
      foundOn: '2019-03-15',
      disposition: 'destroyed_in_situ',
      depthCm: 15,
      externalId: 'H-001',
    });
    expect(mapped[1]!.properties).toMatchObject({
      category: 'other_erw',
      foundOn: '2020-01-02',
      depthCm: null,
      disposition: 'removed_stored',
    });
    expect(mapped[2]!.properties.disposition).toBe('unknown'); // 'desconocido', matched without case
    expect(mapped[3]!.problems.map((p) => p.code)).toEqual(['io.mapping.unknown_code']);
    expect(features[3]!.problems.map((p) => p.code)).toEqual(['io.geometry.null']);
  });

  it('maps the Colombian event types with a code list and the year as a date', async () => {
    const mapping = loadMapping({
      fields: {
        deviceCategory: { from: 'TIPO_EVENTO', codes: { '1': 'AP', '2': 'other_erw', '6': 'other_erw' } },
        occurredOn: { from: 'AÑO', transform: 'year-to-date' },
      },
      constants: { datePrecision: 'year' },
    });
    const path = testdata('colombia-events', '1990.json');
    const [first] = await (async () => {
      const out: SourceFeature[] = [];
      for await (const f of readFeatures({ path })) out.push(f);
      return out;
    })();
    expect(applyMapping(first!, mapping).properties).toEqual({
      datePrecision: 'year',
      deviceCategory: 'AP',
      occurredOn: '1990-01-01',
    });
  });
});

describe('rejects file', () => {
  it('has one line per fault with index, row, field, code and message', () => {
    const csv = rejectsCsv([
      {
        index: 2,
        row: 4,
        field: 'Latitud',
        code: 'io.coordinate.parse',
        message: 'Cannot read "abc", as a coordinate',
      },
      { index: 7, code: 'io.geometry.null', message: 'No geometry' },
    ]);
    expect(csv).toBe(
      'index,row,field,code,message\n2,4,Latitud,io.coordinate.parse,"Cannot read ""abc"", as a coordinate"\n7,,,io.geometry.null,No geometry\n',
    );
  });
});
