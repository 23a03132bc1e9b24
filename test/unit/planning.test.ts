import { describe, expect, it } from 'vitest';
import {
  bandOf,
  DEFAULT_PRIORITY_WEIGHTS,
  DEFAULT_READINESS_RULES,
  daysToRelease,
  type HazardFacts,
  priorityOf,
  productivityByMethod,
  productivityFor,
  quantile,
  rank,
  readinessOf,
  readinessRulesFaults,
  type SettlementFacts,
} from '../../src/domain/planning.ts';

const hazard = (distanceM: number, blockedLandUse: string[] = []) => ({
  id: `h${distanceM}`,
  code: `HA-${distanceM}`,
  type: 'SHA',
  status: 'open',
  distanceM,
  remainingAreaM2: 1000,
  blockedLandUse,
});
const facts = (f: Partial<SettlementFacts>): SettlementFacts => ({
  hazards: [],
  accidents: [],
  riskEducation: [],
  ...f,
});

describe('readiness rules', () => {
  const asAt = '2026-01-01';
  it('is ready with no open hazard within 1 km and no road blocked within 5 km', () => {
    expect(
      readinessOf(facts({ hazards: [hazard(1500, ['housing'])] }), DEFAULT_READINESS_RULES, asAt).level,
    ).toBe('ready');
  });
  it('is not ready when a hazard 3 km away blocks the road and no risk education was given', () => {
    const out = readinessOf(facts({ hazards: [hazard(3000, ['roads'])] }), DEFAULT_READINESS_RULES, asAt);
    expect(out.level).toBe('not_ready');
    expect(out.checks[0]!.conditions.find((c) => c.condition === 'accessRoadReleased')?.because).toEqual([
      'HA-3000',
    ]);
  });
  it('is conditional with fields blocked nearby and risk education in the past 2 years', () => {
    const f = facts({
      hazards: [hazard(400, ['agriculture'])],
      riskEducation: [{ id: 'r', code: 'RE-1', heldOn: '2025-06-01', beneficiaries: 10 }],
    });
    expect(readinessOf(f, DEFAULT_READINESS_RULES, asAt)).toMatchObject({
      level: 'conditional',
      ruleIndex: 1,
    });
    // Risk education three years ago is too old.
    f.riskEducation[0]!.heldOn = '2023-01-01';
    expect(readinessOf(f, DEFAULT_READINESS_RULES, asAt).level).toBe('not_ready');
  });
  it('puts a distance on a band edge in the inner band', () => {
    expect([0, 1000, 1000.1, 5000, 5001].map((d) => bandOf(d, [1000, 5000]))).toEqual([0, 0, 1, 1, null]);
  });
  it('refuses rules without a last level for the rest, or bands out of order', () => {
    expect(readinessRulesFaults(DEFAULT_READINESS_RULES)).toEqual([]);
    expect(
      readinessRulesFaults({
        ...DEFAULT_READINESS_RULES,
        bandsM: [5000, 1000],
        levels: [{ level: 'ready', when: { noOpenHazardWithinM: 1 } }],
      }),
    ).toEqual(['planning.rules.bands_order', 'planning.rules.fallback_level']);
  });
});

describe('priority score', () => {
  const base: HazardFacts = {
    id: 'h',
    code: 'HA-1',
    name: null,
    status: 'open',
    remainingAreaM2: 50_000,
    blockedLandUse: ['roads'],
    nationalPriority: 0,
    population: 2500,
    displacedHouseholds: 0,
    nearestSettlementM: 1000,
    accidents: 0,
    lastAccidentOn: null,
    effortDays: null,
  };
  it('is the sum of weight × share of every factor, unknown values earning nothing', () => {
    const { score, factors } = priorityOf(base, DEFAULT_PRIORITY_WEIGHTS, '2026-01-01');
    const by = Object.fromEntries(factors.map((f) => [f.factor, f]));
    expect(by.population).toMatchObject({ value: 2500, share: 0.5, weight: 2, contribution: 1 });
    expect(by.blockedLandUse!.share).toBeCloseTo(1 / 3, 4);
    expect(by.roadBlocked).toMatchObject({ value: 1, share: 1, contribution: 1 });
    expect(by.settlementProximity).toMatchObject({ value: 1000, share: 0.8 });
    expect(by.remainingArea).toMatchObject({ share: 0.5, contribution: 0.25 });
    expect(by.effort).toMatchObject({ value: null, share: 0, contribution: 0 });
    expect(by.accidentRecency).toMatchObject({ value: null, contribution: 0 });
    expect(score).toBeCloseTo(1 + 0.6667 + 1 + 0.8 + 0.25, 3);
  });
  it('ranks by score, then by code', () => {
    expect(
      rank([
        { code: 'HA-2', score: 1 },
        { code: 'HA-1', score: 1 },
        { code: 'HA-3', score: 2 },
      ]).map((x) => [x.code, x.rank]),
    ).toEqual([
      ['HA-3', 1],
      ['HA-1', 2],
      ['HA-2', 3],
    ]);
  });
});

describe('effort', () => {
  it('interpolates quantiles as percentile_cont does', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 40], 0.25)).toBe(15);
  });
  it('gives days at the median and the interquartile range', () => {
    const p = productivityByMethod([
      { method: 'manual', m2PerTeamDay: 250 },
      { method: 'manual', m2PerTeamDay: 500 },
      { method: 'manual', m2PerTeamDay: 1000 },
    ]).find((x) => x.method === 'manual');
    expect(p).toMatchObject({
      samples: 3,
      medianM2PerTeamDay: 500,
      q1M2PerTeamDay: 375,
      q3M2PerTeamDay: 750,
    });
    expect(daysToRelease(10_000, p)).toEqual({
      method: 'manual',
      terrain: null,
      samples: 3,
      days: 20,
      low: 13.3,
      high: 26.7,
    });
    expect(daysToRelease(10_000, undefined)).toBeNull();
  });
  it('groups by method and terrain and falls back to the method, then to all', () => {
    const groups = productivityByMethod([
      { method: 'manual', terrain: 'forest_dense_vegetation', m2PerTeamDay: 100 },
      { method: 'manual', terrain: 'forest_dense_vegetation', m2PerTeamDay: 120 },
      { method: 'manual', terrain: 'forest_dense_vegetation', m2PerTeamDay: 140 },
      { method: 'manual', terrain: 'open_flat', m2PerTeamDay: 900 },
      { method: 'mechanical', terrain: 'open_flat', m2PerTeamDay: 2000 },
    ]);
    const key = (p: ReturnType<typeof productivityFor>) => p && [p.method, p.terrain, p.samples];
    expect(key(productivityFor(groups, 'manual', 'forest_dense_vegetation', 3))).toEqual([
      'manual',
      'forest_dense_vegetation',
      3,
    ]);
    expect(key(productivityFor(groups, 'manual', 'open_flat', 3))).toEqual(['manual', null, 4]);
    expect(key(productivityFor(groups, 'mechanical', 'open_flat', 3))).toEqual(['all', null, 5]);
    expect(key(productivityFor(groups, null, 'forest_dense_vegetation', 3))).toEqual([
      'all',
      'forest_dense_vegetation',
      3,
    ]);
    expect(key(productivityFor(groups, null, null, 3))).toEqual(['all', null, 5]);
  });
});
