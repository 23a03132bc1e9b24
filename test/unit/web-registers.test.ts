import { describe, expect, it } from 'vitest';
import { REGISTERS, registerBySlug } from '../../src/domain/records.ts';
import { QA_SEVERITIES } from '../../src/domain/vocabularies.ts';
import {
  countsInput,
  countsValue,
  itemValue,
  listItems,
  textMapInput,
  textMapValue,
} from '../../web/src/lib/form-values.ts';
import { fieldsOf } from '../../web/src/lib/registers.ts';

const field = (slug: string, name: string) => fieldsOf(registerBySlug(slug)!).find((f) => f.name === name)!;

describe('web register forms', () => {
  it('edits a list of objects with a code-list or date part as rows, not as JSON', () => {
    // An approver editing a QA visit once got a JSON box for its non-conformities.
    const ncs = field('qa-visits', 'nonConformities');
    expect(ncs.kind).toBe('objectList');
    expect(ncs.subfields).toEqual([
      { name: 'description', maxLength: 2000 },
      { name: 'severity', enumValues: [...QA_SEVERITIES] },
    ]);
    const assets = field('teams', 'assets');
    expect(assets.kind).toBe('objectList');
    expect(assets.subfields?.find((p) => p.name === 'kind')?.enumValues?.length).toBeGreaterThan(1);
    expect(assets.subfields?.find((p) => p.name === 'from')).toEqual({ name: 'from', date: true });
  });

  it('edits every structured field of the registers with inputs, none as JSON but the minefield record', () => {
    // A casualty's name and a session's beneficiaries were once typed as JSON.
    const json = REGISTERS.flatMap((def) =>
      fieldsOf(def)
        .filter((f) => f.kind === 'json')
        .map((f) => `${def.slug}.${f.name}`),
    );
    expect(json).toEqual(['minefield-records.record']);
    expect(field('projects', 'donors').subfields?.find((p) => p.name === 'amount')).toEqual({
      name: 'amount',
      number: 'number',
      minimum: 0,
    });
    expect(field('hazards', 'evidence').subfields?.find((p) => p.name === 'location')).toEqual({
      name: 'location',
      point: true,
    });
    expect(field('casualties', 'identity')).toMatchObject({
      kind: 'group',
      subfields: [{ name: 'name' }, { name: 'dateOfBirth', date: true }, { name: 'address' }],
    });
    expect(field('risk-education', 'beneficiaries')).toMatchObject({
      kind: 'counts',
      rows: ['female', 'male', 'unknown'],
    });
    expect(field('ordnance', 'aliases')).toMatchObject({ kind: 'textList', maxLength: 100 });
    expect(field('settlements', 'names').kind).toBe('textMap');
  });
});

describe('structured form values', () => {
  const donor = field('projects', 'donors').subfields!;

  it('sends numbers as numbers, leaves blank parts and rows out, and names a number that is not one', () => {
    expect(
      listItems(
        [{ name: ' Fund ', amount: '1200000,5', currency: 'USD' }, { name: '', amount: '' }, {}],
        donor,
      ),
    ).toEqual({ value: [{ name: 'Fund', amount: 1_200_000.5, currency: 'USD' }] });
    expect(listItems([{ name: 'Fund', amount: 'twelve' }], donor).error).toBe('form.notANumber');
    const place = { type: 'Point' as const, coordinates: [44.5, 40.1] };
    expect(itemValue({ type: 'device_seen', location: place, description: ' ' }, [])).toEqual({
      value: { type: 'device_seen', location: place },
    });
    expect(itemValue({ name: '', dateOfBirth: '' }, []).value).toBeNull();
  });

  it('reads a table of counts with its own bands youngest first and writes whole numbers back', () => {
    const stored = { male: { '18+': 4, '5-12': 23 }, female: { '13-17': 8 } };
    const table = countsInput(stored, false);
    expect(table.bands).toEqual(['5-12', '13-17', '18+']);
    // The standard bands only for a record without counts: none beside a record's own.
    expect(countsInput(stored).bands).toEqual(['5-12', '13-17', '18+']);
    expect(countsInput(undefined).bands).toEqual(['0-4', '5-12', '13-17', '18-59', '60+', 'unknown']);
    expect(countsValue(table)).toEqual({ value: { male: { '5-12': 23, '18+': 4 }, female: { '13-17': 8 } } });
    table.cells.female['5-12'] = '2.5';
    expect(countsValue(table).error).toBe('form.notACount');
    table.cells.female['5-12'] = '-1';
    expect(countsValue(table).error).toBe('form.notACount');
  });

  it('keeps names by language, each language once', () => {
    const rows = textMapInput({ en: 'Budardag', ru: 'Будардаг' });
    expect(rows).toEqual([
      { language: 'en', name: 'Budardag' },
      { language: 'ru', name: 'Будардаг' },
    ]);
    expect(textMapValue([...rows, { language: 'AR', name: 'بودارداغ' }])).toEqual({
      value: { en: 'Budardag', ru: 'Будардаг', ar: 'بودارداغ' },
    });
    expect(textMapValue([...rows, { language: 'en', name: 'Other' }]).error).toBe('form.languageOnce');
    expect(textMapValue([{ language: '', name: 'No language' }]).error).toBe('form.languageOnce');
  });
});
