import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../../src/services/seen-ids.ts';

describe('the fingerprint set of the ids an import has seen', () => {
  it('answers for every string added, and for none other, as it grows', () => {
    const s = new FingerprintSet(16);
    const n = 200_000;
    for (let i = 0; i < n; i++) expect(s.add(`EO-${i}`)).toBe(true);
    expect(s.size).toBe(n);
    let held = 0;
    let others = 0;
    for (let i = 0; i < n; i++) {
      if (s.has(`EO-${i}`)) held++;
      if (s.has(`EO-${i + n}`) || s.has(`eo-${i}`)) others++;
    }
    expect([held, others]).toEqual([n, 0]);
    // Added again, a string is not new and the set does not grow.
    expect(s.add('EO-7')).toBe(false);
    expect(s.add('')).toBe(true);
    expect(s.add('')).toBe(false);
    expect(s.size).toBe(n + 1);
  });

  it('holds 16 bytes a slot, at most three quarters full', () => {
    const s = new FingerprintSet();
    for (let i = 0; i < 100_000; i++) s.add(`a long identifier from a legacy database, row ${i}`);
    expect(s.bytes).toBe(2 ** 18 * 16);
    expect(s.size / (s.bytes / 16)).toBeLessThanOrEqual(0.75);
  });
});
