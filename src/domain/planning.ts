import { type Static, Type } from 'typebox';
import { LAND_USES } from './vocabularies.ts';

/**
 * Planning for the return of displaced people: the readiness of a settlement and the priority of
 * a hazard, both computed from stated, versioned settings by the pure functions below, so every
 * level and every score can be explained part by part (docs/planning.md states each rule).
 */

export const READINESS_LEVELS = ['ready', 'conditional', 'not_ready'] as const;
export type ReadinessLevel = (typeof READINESS_LEVELS)[number];

const metres = (description: string) => Type.Number({ minimum: 0, maximum: 100_000, description });
const years = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });

export const ReadinessConditions = Type.Object(
  {
    noOpenHazardWithinM: Type.Optional(metres('No open hazard within this distance of the settlement, m')),
    noBlockedLandUseWithin: Type.Optional(
      Type.Object(
        {
          landUses: Type.Array(Type.Enum([...LAND_USES]), { minItems: 1, uniqueItems: true }),
          distanceM: metres('Distance, m'),
        },
        {
          additionalProperties: false,
          description: 'No open hazard within distanceM blocking any of these land uses',
        },
      ),
    ),
    accessRoadReleased: Type.Optional(
      Type.Literal(true, {
        description: 'No open hazard blocking roads within accessRoadDistanceM of the settlement',
      }),
    ),
    noAccidentWithinYears: Type.Optional(
      years('No accident within accidentDistanceM in the past N years before the date'),
    ),
    riskEducationWithinYears: Type.Optional(
      years(
        'At least one risk education session for the settlement or within riskEducationDistanceM in the past N years',
      ),
    ),
  },
  { additionalProperties: false },
);
export type ReadinessConditions = Static<typeof ReadinessConditions>;

export const ReadinessRules = Type.Object(
  {
    bandsM: Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }), {
      minItems: 1,
      maxItems: 6,
      description: 'Outer edges of the distance bands, ascending: [1000, 5000] makes 0–1 km and 1–5 km',
    }),
    accessRoadDistanceM: metres('A hazard blocking roads this close blocks the access road, m'),
    accidentDistanceM: metres('Accidents this close count for the settlement, m'),
    riskEducationDistanceM: metres('Risk education sessions this close count for the settlement, m'),
    levels: Type.Array(
      Type.Object(
        { level: Type.Enum([...READINESS_LEVELS]), when: ReadinessConditions },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: 10,
        description: 'Tried in order: the first level whose conditions all hold; the last has none',
      },
    ),
  },
  { additionalProperties: false },
);
export type ReadinessRules = Static<typeof ReadinessRules>;

/** Version 1 of the readiness rules (also inserted by migration 012). */
export const DEFAULT_READINESS_RULES: ReadinessRules = {
  bandsM: [1000, 5000],
  accessRoadDistanceM: 5000,
  accidentDistanceM: 5000,
  riskEducationDistanceM: 5000,
  levels: [
    { level: 'ready', when: { noOpenHazardWithinM: 1000, accessRoadReleased: true } },
    {
      level: 'conditional',
      when: {
        noBlockedLandUseWithin: { landUses: ['housing', 'water'], distanceM: 1000 },
        riskEducationWithinYears: 2,
      },
    },
    { level: 'not_ready', when: {} },
  ],
};

/** What is wrong with a set of readiness rules beyond their schema, as message keys; empty when sound. */
export function readinessRulesFaults(rules: ReadinessRules): string[] {
  const faults: string[] = [];
  if (rules.bandsM.some((b, i) => i > 0 && b <= rules.bandsM[i - 1]!))
    faults.push('planning.rules.bands_order');
  const last = rules.levels[rules.levels.length - 1];
  if (!last || Object.keys(last.when).length > 0) faults.push('planning.rules.fallback_level');
  return faults;
}

/** An open hazard near a settlement, as at the date asked. */
export interface NearbyHazard {
  id: string;
  code: string;
  type: string;
  status: string;
  distanceM: number;
  remainingAreaM2: number;
  blockedLandUse: string[];
}

export interface SettlementFacts {
  /** Open hazards (open or in progress, remaining area > 0) within the largest distance the rules use. */
  hazards: NearbyHazard[];
  accidents: Array<{ id: string; code: string; occurredOn: string; distanceM: number; casualties: number }>;
  riskEducation: Array<{ id: string; code: string; heldOn: string; beneficiaries: number }>;
}

/** The largest distance a set of rules looks at: hazards, accidents and sessions are read that far. */
export function readinessReachM(rules: ReadinessRules): number {
  let reach = Math.max(...rules.bandsM, rules.accessRoadDistanceM);
  for (const l of rules.levels) {
    reach = Math.max(reach, l.when.noOpenHazardWithinM ?? 0, l.when.noBlockedLandUseWithin?.distanceM ?? 0);
  }
  return reach;
}

export type ConditionName = keyof ReadinessConditions;

export interface ConditionCheck {
  condition: ConditionName;
  params: Record<string, string | number>;
  met: boolean;
  /** Codes of the records that break it (hazards, accidents), or none. */
  because: string[];
}

export interface ReadinessOutcome {
  level: ReadinessLevel;
  /** Index of the level's rule in `rules.levels`. */
  ruleIndex: number;
  /** The conditions of every level tried, in order, down to the one reached. */
  checks: Array<{ level: ReadinessLevel; conditions: ConditionCheck[] }>;
}

/** The date N years before an ISO date, e.g. yearsBefore('2025-03-01', 2) → '2023-03-01'. */
export function yearsBefore(isoDate: string, n: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - Math.round(n * 365.25));
  return d.toISOString().slice(0, 10);
}

function checkCondition(
  name: ConditionName,
  conditions: ReadinessConditions,
  facts: SettlementFacts,
  rules: ReadinessRules,
  asAt: string,
): ConditionCheck {
  const codes = (hs: NearbyHazard[]) => hs.map((h) => h.code);
  switch (name) {
    case 'noOpenHazardWithinM': {
      const d = conditions.noOpenHazardWithinM!;
      const breaking = facts.hazards.filter((h) => h.distanceM <= d);
      return {
        condition: name,
        params: { distanceM: d },
        met: breaking.length === 0,
        because: codes(breaking),
      };
    }
    case 'noBlockedLandUseWithin': {
      const { landUses, distanceM } = conditions.noBlockedLandUseWithin!;
      const breaking = facts.hazards.filter(
        (h) => h.distanceM <= distanceM && h.blockedLandUse.some((u) => (landUses as string[]).includes(u)),
      );
      return {
        condition: name,
        params: { distanceM, landUses: landUses.join(', ') },
        met: breaking.length === 0,
        because: codes(breaking),
      };
    }
    case 'accessRoadReleased': {
      const breaking = facts.hazards.filter(
        (h) => h.distanceM <= rules.accessRoadDistanceM && h.blockedLandUse.includes('roads'),
      );
      return {
        condition: name,
        params: { distanceM: rules.accessRoadDistanceM },
        met: breaking.length === 0,
        because: codes(breaking),
      };
    }
    case 'noAccidentWithinYears': {
      const n = conditions.noAccidentWithinYears!;
      const since = yearsBefore(asAt, n);
      const breaking = facts.accidents.filter(
        (a) => a.occurredOn > since && a.occurredOn <= asAt && a.distanceM <= rules.accidentDistanceM,
      );
      return {
        condition: name,
        params: { years: n, distanceM: rules.accidentDistanceM },
        met: breaking.length === 0,
        because: breaking.map((a) => a.code),
      };
    }
    case 'riskEducationWithinYears': {
      const n = conditions.riskEducationWithinYears!;
      const since = yearsBefore(asAt, n);
      const held = facts.riskEducation.filter((s) => s.heldOn > since && s.heldOn <= asAt);
      return {
        condition: name,
        params: { years: n, distanceM: rules.riskEducationDistanceM },
        met: held.length > 0,
        because: [],
      };
    }
  }
}

/** The order conditions are checked and stated in, whatever order the rules give them. */
export const CONDITION_ORDER: ConditionName[] = [
  'noOpenHazardWithinM',
  'noBlockedLandUseWithin',
  'accessRoadReleased',
  'noAccidentWithinYears',
  'riskEducationWithinYears',
];

/** The conditions a level states, in a fixed order, checked against the facts. */
export function checkLevel(
  conditions: ReadinessConditions,
  facts: SettlementFacts,
  rules: ReadinessRules,
  asAt: string,
): ConditionCheck[] {
  return CONDITION_ORDER.filter((c) => conditions[c] !== undefined).map((c) =>
    checkCondition(c, conditions, facts, rules, asAt),
  );
}

/**
 * The readiness of a settlement: the first level of the rules whose conditions all hold.
 * Example: with the default rules, a settlement whose nearest open hazard is 1.5 km away and
 * blocks no road is `ready` (rule 0).
 */
export function readinessOf(facts: SettlementFacts, rules: ReadinessRules, asAt: string): ReadinessOutcome {
  const checks: ReadinessOutcome['checks'] = [];
  for (const [i, l] of rules.levels.entries()) {
    const conditions = checkLevel(l.when, facts, rules, asAt);
    checks.push({ level: l.level, conditions });
    if (conditions.every((c) => c.met)) return { level: l.level, ruleIndex: i, checks };
  }
  // Sound rules end with a level without conditions; a rule set without one falls to the last level.
  const last = rules.levels.length - 1;
  return { level: rules.levels[last]!.level, ruleIndex: last, checks };
}

/** The band a distance falls in: 0 for 0–bandsM[0], 1 for bandsM[0]–bandsM[1] …; null beyond the last. */
export function bandOf(distanceM: number, bandsM: number[]): number | null {
  const i = bandsM.findIndex((edge) => distanceM <= edge);
  return i < 0 ? null : i;
}

// ---------------------------------------------------------------------------------------------
// Priorities

export const PRIORITY_FACTORS = [
  'nationalPriority',
  'population',
  'displacedHouseholds',
  'blockedLandUse',
  'accidents',
  'accidentRecency',
  'settlementProximity',
  'roadBlocked',
  'remainingArea',
  'effort',
] as const;
export type PriorityFactor = (typeof PRIORITY_FACTORS)[number];

/** How a factor's value becomes a share between 0 and 1. */
export const FACTOR_SCALES: Record<PriorityFactor, 'level' | 'capped' | 'inverse' | 'flag'> = {
  nationalPriority: 'level',
  population: 'capped',
  displacedHouseholds: 'capped',
  blockedLandUse: 'capped',
  accidents: 'capped',
  accidentRecency: 'inverse',
  settlementProximity: 'inverse',
  roadBlocked: 'flag',
  remainingArea: 'capped',
  effort: 'inverse',
};

const factorWeight = () =>
  Type.Object({ weight: Type.Number({ minimum: 0, maximum: 1000 }) }, { additionalProperties: false });
const cappedWeight = (capDescription: string) =>
  Type.Object(
    {
      weight: Type.Number({ minimum: 0, maximum: 1000 }),
      cap: Type.Number({ exclusiveMinimum: 0, maximum: 1e12, description: capDescription }),
    },
    { additionalProperties: false },
  );

export const PriorityWeights = Type.Object(
  {
    settlementDistanceM: metres('Settlements within this distance of a hazard are affected by it, m'),
    accidentDistanceM: metres('Accidents within this distance of a hazard (or linked to it) count, m'),
    accidentYears: Type.Number({
      exclusiveMinimum: 0,
      maximum: 100,
      description: 'Accidents this recent count',
    }),
    factors: Type.Object(
      {
        nationalPriority: factorWeight(),
        population: cappedWeight('Population at which the share reaches 1'),
        displacedHouseholds: cappedWeight('Displaced households at which the share reaches 1'),
        blockedLandUse: cappedWeight('Number of blocked land uses at which the share reaches 1'),
        accidents: cappedWeight('Number of accidents at which the share reaches 1'),
        accidentRecency: factorWeight(),
        settlementProximity: factorWeight(),
        roadBlocked: factorWeight(),
        remainingArea: cappedWeight('Remaining area, m², at which the share reaches 1'),
        effort: cappedWeight('Days to release at which the share falls to 0'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PriorityWeights = Static<typeof PriorityWeights>;

/** Version 1 of the priority weights (also inserted by migration 012). */
export const DEFAULT_PRIORITY_WEIGHTS: PriorityWeights = {
  settlementDistanceM: 5000,
  accidentDistanceM: 1000,
  accidentYears: 5,
  factors: {
    nationalPriority: { weight: 3 },
    population: { weight: 2, cap: 5000 },
    displacedHouseholds: { weight: 3, cap: 500 },
    blockedLandUse: { weight: 2, cap: 3 },
    accidents: { weight: 3, cap: 3 },
    accidentRecency: { weight: 2 },
    settlementProximity: { weight: 1 },
    roadBlocked: { weight: 1 },
    remainingArea: { weight: 0.5, cap: 100_000 },
    effort: { weight: 1, cap: 365 },
  },
};

/** What is known about an open hazard for its priority, as at the date asked. */
export interface HazardFacts {
  id: string;
  code: string;
  name: string | null;
  status: string;
  remainingAreaM2: number;
  blockedLandUse: string[];
  /** Level 0–3 set by the authority (0 when none is set). */
  nationalPriority: number;
  /** Settlements within settlementDistanceM: their population and displaced households. */
  population: number;
  displacedHouseholds: number;
  nearestSettlementM: number | null;
  accidents: number;
  lastAccidentOn: string | null;
  /** Days to release the remaining area at the programme's median productivity, if measured. */
  effortDays: number | null;
}

export interface FactorPart {
  factor: PriorityFactor;
  /** The fact itself (people, households, m², days, a count); null when unknown. */
  value: number | null;
  /** The fact as a share between 0 and 1 (how: FACTOR_SCALES). */
  share: number;
  weight: number;
  /** weight × share. */
  contribution: number;
}

const DAY_MS = 86_400_000;
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The value of each factor for a hazard: the facts the weights turn into a score. */
export function factorValues(facts: HazardFacts, asAt: string): Record<PriorityFactor, number | null> {
  return {
    nationalPriority: facts.nationalPriority,
    population: facts.population,
    displacedHouseholds: facts.displacedHouseholds,
    blockedLandUse: facts.blockedLandUse.length,
    accidents: facts.accidents,
    accidentRecency: facts.lastAccidentOn === null ? null : daysBetween(facts.lastAccidentOn, asAt),
    settlementProximity: facts.nearestSettlementM === null ? null : round(facts.nearestSettlementM, 1),
    roadBlocked: facts.blockedLandUse.includes('roads') ? 1 : 0,
    remainingArea: round(facts.remainingAreaM2, 1),
    effort: facts.effortDays === null ? null : round(facts.effortDays, 1),
  };
}

/** The share (0–1) a factor's value earns; an unknown value earns 0. */
export function factorShare(factor: PriorityFactor, value: number | null, weights: PriorityWeights): number {
  if (value === null) return 0;
  const cap = (weights.factors[factor] as { cap?: number }).cap;
  switch (FACTOR_SCALES[factor]) {
    case 'level':
      return Math.min(1, Math.max(0, value / 3));
    case 'flag':
      return value > 0 ? 1 : 0;
    case 'capped':
      return Math.min(1, value / cap!);
    case 'inverse': {
      const reach =
        factor === 'accidentRecency'
          ? weights.accidentYears * 365
          : factor === 'settlementProximity'
            ? weights.settlementDistanceM
            : cap!;
      return reach <= 0 ? 0 : Math.max(0, 1 - value / reach);
    }
  }
}

/**
 * The score of a hazard and its parts: Σ weight × share over every factor, none hidden.
 * Example: a hazard blocking roads (and nothing else) with the default weights gets
 * blockedLandUse 2 × 1/3 and roadBlocked 1 × 1 among its parts.
 */
export function priorityOf(
  facts: HazardFacts,
  weights: PriorityWeights,
  asAt: string,
): { score: number; factors: FactorPart[] } {
  const values = factorValues(facts, asAt);
  const factors = PRIORITY_FACTORS.map((factor) => {
    const value = values[factor];
    const share = round(factorShare(factor, value, weights));
    const weight = weights.factors[factor].weight;
    return { factor, value, share, weight, contribution: round(weight * share) };
  });
  return { score: round(factors.reduce((s, f) => s + f.contribution, 0)), factors };
}

/** Ranks scored hazards: higher score first, then by code, so equal scores keep a stable order. */
export function rank<T extends { score: number; code: string }>(items: T[]): Array<T & { rank: number }> {
  return [...items]
    .sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((item, i) => ({ ...item, rank: i + 1 }));
}

// ---------------------------------------------------------------------------------------------
// Estimated effort

/** The q-quantile of sorted numbers by linear interpolation (as PostgreSQL's percentile_cont). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Productivity {
  /** The team kind or method, or `all` for every method pooled. */
  method: string;
  /** The terrain of the activities' hazards, or null for every terrain pooled. */
  terrain: string | null;
  samples: number;
  medianM2PerTeamDay: number;
  q1M2PerTeamDay: number;
  q3M2PerTeamDay: number;
}

/**
 * Productivity per group from past activities: each sample is the land an activity reduced or
 * cleared divided by its team-days. A sample counts for its method (terrain null), for its method
 * on its hazard's terrain when that is recorded, and for `all` (every method pooled) likewise.
 * Sorted by method, then terrain (all terrains first).
 */
export function productivityByMethod(
  samples: Array<{ method: string; terrain?: string | null; m2PerTeamDay: number }>,
): Productivity[] {
  const groups = new Map<string, { method: string; terrain: string | null; xs: number[] }>();
  for (const s of samples) {
    if (!(s.m2PerTeamDay > 0)) continue;
    for (const method of [s.method, 'all']) {
      for (const terrain of s.terrain ? [null, s.terrain] : [null]) {
        const key = `${method}|${terrain ?? ''}`;
        const g = groups.get(key) ?? { method, terrain, xs: [] };
        g.xs.push(s.m2PerTeamDay);
        groups.set(key, g);
      }
    }
  }
  return [...groups.values()]
    .map(({ method, terrain, xs }) => {
      const sorted = xs.sort((a, b) => a - b);
      return {
        method,
        terrain,
        samples: sorted.length,
        medianM2PerTeamDay: round(quantile(sorted, 0.5), 2),
        q1M2PerTeamDay: round(quantile(sorted, 0.25), 2),
        q3M2PerTeamDay: round(quantile(sorted, 0.75), 2),
      };
    })
    .sort(
      (a, b) =>
        (a.method < b.method ? -1 : a.method > b.method ? 1 : 0) ||
        (a.terrain === b.terrain
          ? 0
          : a.terrain === null
            ? -1
            : b.terrain === null
              ? 1
              : a.terrain < b.terrain
                ? -1
                : 1),
    );
}

/**
 * The productivity group a hazard's effort is estimated from: its method on its terrain when that
 * group has at least `minSamples`, else its method (all terrains) when that has, else `all`.
 * A hazard without a method (no clearance activity yet) is taken as method `all`, so its terrain
 * is still used. Example: method `manual`, terrain `forest_dense_vegetation`, with 2 samples there
 * and 5 manual samples → the `manual` group.
 */
export function productivityFor(
  groups: Productivity[],
  method: string | null,
  terrain: string | null,
  minSamples: number,
): Productivity | undefined {
  const find = (m: string, t: string | null) => groups.find((g) => g.method === m && g.terrain === t);
  const m = method ?? 'all';
  const candidates = [terrain ? find(m, terrain) : undefined, m === 'all' ? undefined : find(m, null)];
  return candidates.find((g) => g !== undefined && g.samples >= minSamples) ?? find('all', null);
}

/**
 * Days to release an area at a productivity: the median's days, and the range the interquartile
 * spread gives (fast at q3, slow at q1), with the group used. Example: 10 000 m² at median 500,
 * q1 250, q3 1000 → { days: 20, low: 10, high: 40 }.
 */
export function daysToRelease(
  areaM2: number,
  p: Productivity | undefined,
): {
  days: number;
  low: number;
  high: number;
  method: string;
  terrain: string | null;
  samples: number;
} | null {
  if (!p || !(p.medianM2PerTeamDay > 0)) return null;
  return {
    method: p.method,
    terrain: p.terrain,
    samples: p.samples,
    days: round(areaM2 / p.medianM2PerTeamDay, 1),
    low: round(areaM2 / (p.q3M2PerTeamDay || p.medianM2PerTeamDay), 1),
    high: round(areaM2 / (p.q1M2PerTeamDay || p.medianM2PerTeamDay), 1),
  };
}
