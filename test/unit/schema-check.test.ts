import { describe, expect, it } from 'vitest';
import { findings } from '../../src/domain/records.ts';
import { schemaProblems } from '../../src/domain/schema-check.ts';

// The register schemas' faults as problems with codes and pointers (what imports and the API show).
describe('schemaProblems', () => {
  const fields = findings.fields;
  const codes = (value: unknown) =>
    schemaProblems(fields, value, '/properties').map((p) => [p.code, p.where?.pointer, p.params.field]);

  it('says a field that must hold a value was empty, rather than that "null" is not allowed', () => {
    expect(codes({ category: null, quantity: 1, foundOn: '2024-01-02' })).toEqual([
      ['validation.empty', '/properties/category', 'category'],
    ]);
  });

  it('keeps naming a missing field, a value outside the code list and a wrong type', () => {
    expect(codes({ quantity: 1, foundOn: '2024-01-02' })).toEqual([
      ['validation.required', '/properties/category', 'category'],
    ]);
    expect(codes({ category: 'AX', quantity: 1, foundOn: '2024-01-02' })[0]?.[0]).toBe('validation.enum');
    expect(codes({ category: 'AP', quantity: 'many', foundOn: '2024-01-02' })[0]?.[0]).toBe(
      'validation.type',
    );
  });
});
