import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveFields } from '../../src/domain/derive.ts';
import {
  casualties,
  IDENTITY_FIELDS,
  qaVisits,
  riskEducation,
  writeOnlyAfter,
  writeOnlySubFields,
} from '../../src/domain/records.ts';
import { registerModule } from '../../src/domain/registers/index.ts';

describe('write-only fields after a change', () => {
  const stored = { name: 'enc:A', dateOfBirth: 'enc:B', address: 'enc:C' };
  it('keeps every stored value when the change leaves the field out', () => {
    expect(writeOnlyAfter(stored, undefined, IDENTITY_FIELDS)).toEqual(stored);
  });
  it('replaces only the sub-fields given and clears one given as null', () => {
    expect(writeOnlyAfter(stored, { address: 'enc:D', dateOfBirth: null }, IDENTITY_FIELDS)).toEqual({
      name: 'enc:A',
      dateOfBirth: null,
      address: 'enc:D',
    });
  });
  it('clears every sub-field when the whole field is null', () => {
    expect(writeOnlyAfter(stored, null, IDENTITY_FIELDS)).toEqual({
      name: null,
      dateOfBirth: null,
      address: null,
    });
  });
  it('reads the sub-fields from the register schema', () => {
    expect(writeOnlySubFields(casualties, 'identity')).toEqual([...IDENTITY_FIELDS]);
  });
});

describe('registers as modules', () => {
  it("derives a casualty's age band and a session's total through their modules", () => {
    expect(deriveFields(casualties, { age: 9 }).ageBand).toBe('5-12');
    expect(deriveFields(casualties, {}).ageBand).toBe('unknown');
    expect(deriveFields(casualties, {}, { age: 30 }).ageBand).toBeUndefined();
    expect(
      deriveFields(riskEducation, { beneficiaries: { '5-12': { female: 3, male: 4 } } }).beneficiariesTotal,
    ).toBe(7);
  });
  it('lets QA officers write QA visits by the module, not by a table name', () => {
    expect(registerModule(qaVisits).alsoAllowed).toEqual({ 'record.write': 'qa.write' });
  });
  it('keeps register names out of the generic write path, import, derivation and permission code', () => {
    for (const file of [
      'services/changes.ts',
      'services/imports.ts',
      'domain/derive.ts',
      'services/actor.ts',
      'services/reports.ts',
    ]) {
      const text = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
      expect(text, file).not.toMatch(/\.(slug|table)\s*[!=]==\s*'/);
    }
  });
  it("keeps a report's write-only fields to the register definitions, not to a register name", () => {
    const text = readFileSync(new URL('../../src/services/reports.ts', import.meta.url), 'utf8');
    const protection = text.slice(
      text.indexOf('private protect('),
      text.indexOf('private async transition('),
    );
    expect(protection).toContain('withProtectedFields');
    expect(protection).not.toMatch(/register\s*[!=]==\s*'/);
  });
});
