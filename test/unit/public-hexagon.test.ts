import { describe, expect, it } from 'vitest';
import { publicHexagonSize } from '../../src/services/public.ts';

describe('the public hazard map hexagon size', () => {
  it('is never below the floor, whatever is asked', () => {
    expect(publicHexagonSize(10, 5000)).toBe(5000);
    expect(publicHexagonSize(Number.NaN, 5000)).toBe(5000);
    expect(publicHexagonSize(-3, 1000)).toBe(1000);
  });

  it('rounds an asked size up to two significant figures, so the answers to keep are few', () => {
    expect(publicHexagonSize(1234, 1000)).toBe(1300);
    expect(publicHexagonSize(5000, 1000)).toBe(5000);
    expect(publicHexagonSize(98_765, 1000)).toBe(99_000);
    expect(publicHexagonSize(123_456.7, 1000)).toBe(130_000);
    const sizes = new Set(Array.from({ length: 9000 }, (_, i) => publicHexagonSize(1000 + i, 1000)));
    expect(sizes.size).toBeLessThanOrEqual(91);
  });
});
