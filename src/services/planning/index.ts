import { type Database, withTransaction } from '../../db/connect.ts';
import * as repo from '../../db/repositories/planning.ts';
import {
  bandOf,
  CONDITION_ORDER,
  type ConditionCheck,
  daysToRelease,
  type FactorPart,
  type PriorityWeights,
  type Productivity,
  priorityOf,
  productivityByMethod,
  productivityFor,
  type ReadinessConditions,
  type ReadinessLevel,
  type ReadinessRules,
  rank,
  readinessOf,
  readinessReachM,
  readinessRulesFaults,
} from '../../domain/planning.ts';
import { Problem } from '../../domain/problem.ts';
import { t } from '../../i18n/catalogue.ts';
import { type Actor, assertCan } from '../actor.ts';
import { isUuid } from '../list-query.ts';

/**
 * Readiness of settlements for return, priorities of open hazards, and the effort to release
 * them, as at a date, from the versioned settings (readiness rules, priority weights) each answer
 * names. The rules and formulas are in src/domain/planning.ts and stated in docs/planning.md.
 */

export type { SettingsVersion } from '../../db/repositories/planning.ts';

/** A method needs this many measured activities before its own productivity is used. */
export const MIN_METHOD_SAMPLES = 3;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface PlanningQuery {
  /** The date the answer is as at (YYYY-MM-DD); today when left out. */
  asAt?: string;
  /** The settings version to use; when left out, the version in force on asAt (or the latest). */
  version?: number;
  /** Locale of the stated rules. */
  locale?: string;
}

export interface StatedCondition extends ConditionCheck {
  statement: string;
}

export interface SettlementReadiness {
  settlement: {
    id: string;
    name: string;
    pcode: string | null;
    kind: string;
    population: number | null;
    households: number | null;
    displacedHouseholds: number | null;
    returnedHouseholds: number | null;
    geometry: { type: 'Point'; coordinates: [number, number] };
  };
  level: ReadinessLevel;
  rule: { version: number; index: number; statement: string };
  checks: Array<{ level: ReadinessLevel; met: boolean; conditions: StatedCondition[] }>;
  bands: Array<{ fromM: number; toM: number; hazards: string[]; remainingAreaM2: number }>;
  hazards: Array<{
    id: string;
    code: string;
    type: string;
    status: string;
    distanceM: number;
    band: number | null;
    remainingAreaM2: number;
    blockedLandUse: string[];
  }>;
  blockedLandUse: string[];
  accidents: { count: number; casualties: number; lastOn: string | null; codes: string[] };
  riskEducation: { sessions: number; beneficiaries: number; lastOn: string | null };
}

export interface HazardPriority {
  rank: number;
  score: number;
  hazard: {
    id: string;
    code: string;
    name: string | null;
    status: string;
    remainingAreaM2: number;
    blockedLandUse: string[];
    settlements: number;
  };
  factors: FactorPart[];
  /** Days to release, with the productivity group used (docs/planning.md, "Estimated effort"). */
  effort: {
    method: string;
    terrain: string | null;
    samples: number;
    days: number;
    low: number;
    high: number;
  } | null;
}

const today = () => new Date().toISOString().slice(0, 10);

function checkQuery(q: PlanningQuery): void {
  if (q.asAt !== undefined && (!DATE.test(q.asAt) || Number.isNaN(Date.parse(q.asAt)))) {
    throw new Problem(
      'validation.format',
      { field: 'asAt', value: q.asAt, format: 'date' },
      { pointer: '/asAt', field: 'asAt' },
    );
  }
}

export class PlanningService {
  constructor(private readonly database: Pick<Database, 'db'>) {}

  // ---- settings ----

  /** The readiness rules of a version (or in force on a date, or the latest). */
  async readinessRules(actor: Actor, q: PlanningQuery = {}): Promise<repo.SettingsVersion> {
    assertCan(actor, 'record.read');
    checkQuery(q);
    return this.settings('readiness_rules', q);
  }

  async priorityWeights(actor: Actor, q: PlanningQuery = {}): Promise<repo.SettingsVersion> {
    assertCan(actor, 'record.read');
    checkQuery(q);
    return this.settings('priority_weights', q);
  }

  async settingsHistory(actor: Actor, kind: repo.SettingsKind): Promise<repo.SettingsVersion[]> {
    assertCan(actor, 'record.read');
    return repo.settingsVersions(this.database.db, kind);
  }

  /** A new version of the readiness rules, if `expectedVersion` is still the latest (administrators). */
  async setReadinessRules(
    actor: Actor,
    expectedVersion: number,
    rules: ReadinessRules,
    note: string | null,
  ): Promise<repo.SettingsVersion> {
    assertCan(actor, 'planning.manage');
    const faults = readinessRulesFaults(rules);
    if (faults.length) throw new Problem(faults[0]!, {}, { pointer: '/rules' });
    return this.newVersion(actor, 'readiness_rules', expectedVersion, rules, note);
  }

  async setPriorityWeights(
    actor: Actor,
    expectedVersion: number,
    weights: PriorityWeights,
    note: string | null,
  ): Promise<repo.SettingsVersion> {
    assertCan(actor, 'planning.manage');
    return this.newVersion(actor, 'priority_weights', expectedVersion, weights, note);
  }

  private async newVersion(
    actor: Actor,
    kind: repo.SettingsKind,
    expectedVersion: number,
    settings: unknown,
    note: string | null,
  ): Promise<repo.SettingsVersion> {
    return withTransaction(this.database.db, async (trx) => {
      const made = await repo.insertSettingsVersion(trx, kind, expectedVersion, settings, note, actor.id);
      if (made) return made;
      const latest = await repo.settingsVersion(trx, kind);
      throw new Problem(
        'record.version_conflict',
        { expected: expectedVersion, current: latest?.version ?? 0 },
        { pointer: '' },
      );
    });
  }

  private async settings(kind: repo.SettingsKind, q: PlanningQuery): Promise<repo.SettingsVersion> {
    const found = await repo.settingsVersion(this.database.db, kind, {
      version: q.version,
      inForceOn: q.version === undefined ? q.asAt : undefined,
    });
    // Before the first version was made (an as-at date earlier than the migration) the first applies.
    const first =
      found ??
      (q.version === undefined
        ? await repo.settingsVersion(this.database.db, kind, { version: 1 })
        : undefined);
    if (!first) {
      throw new Problem(
        'planning.version_not_found',
        { kind, version: q.version ?? 0 },
        { pointer: '/version' },
      );
    }
    return first;
  }

  // ---- national priorities ----

  /** Sets a hazard's national priority (0–3) from a date on (authority roles). */
  async setNationalPriority(
    actor: Actor,
    hazardId: string,
    p: { level: number; effectiveFrom?: string; reason?: string | null },
  ): Promise<repo.NationalPriorityRow> {
    assertCan(actor, 'record.write');
    if (!isUuid(hazardId) || !(await repo.hazardExists(this.database.db, hazardId)))
      throw new Problem('record.not_found', { entity: 'hazard', id: hazardId }, { pointer: '' });
    return withTransaction(this.database.db, (trx) =>
      repo.insertNationalPriority(trx, {
        hazardId,
        level: p.level,
        effectiveFrom: p.effectiveFrom ?? today(),
        reason: p.reason ?? null,
        actorId: actor.id,
      }),
    );
  }

  async nationalPriorities(actor: Actor, hazardId: string): Promise<repo.NationalPriorityRow[]> {
    assertCan(actor, 'record.read');
    return repo.nationalPriorities(this.database.db, hazardId);
  }

  // ---- readiness ----

  /** The readiness of every settlement (or one), as at a date, with the rule that decided it. */
  async readiness(
    actor: Actor,
    q: PlanningQuery & { settlementId?: string },
  ): Promise<{ asAt: string; rules: { version: number; createdAt: string }; items: SettlementReadiness[] }> {
    assertCan(actor, 'record.read');
    checkQuery(q);
    const asAtDate = q.asAt ?? today();
    const version = await this.settings('readiness_rules', q);
    const rules = version.settings as ReadinessRules;
    const rows = await repo.settlementFacts(this.database.db, {
      asAt: q.asAt,
      asAtDate,
      hazardReachM: readinessReachM(rules),
      accidentReachM: rules.accidentDistanceM,
      riskEducationReachM: rules.riskEducationDistanceM,
      settlementId: q.settlementId,
    });
    const locale = q.locale ?? 'en';
    const items = rows.map((row) => this.settlementReadiness(row, rules, version.version, asAtDate, locale));
    return { asAt: asAtDate, rules: { version: version.version, createdAt: version.createdAt }, items };
  }

  async settlement(
    actor: Actor,
    settlementId: string,
    q: PlanningQuery,
  ): Promise<{ asAt: string; rules: { version: number; createdAt: string }; item: SettlementReadiness }> {
    if (!isUuid(settlementId))
      throw new Problem('record.not_found', { entity: 'settlement', id: settlementId }, { pointer: '' });
    const { items, ...rest } = await this.readiness(actor, { ...q, settlementId });
    const item = items[0];
    if (!item)
      throw new Problem('record.not_found', { entity: 'settlement', id: settlementId }, { pointer: '' });
    return { ...rest, item };
  }

  private settlementReadiness(
    row: repo.SettlementFactsRow,
    rules: ReadinessRules,
    version: number,
    asAt: string,
    locale: string,
  ): SettlementReadiness {
    const hazards = (row.hazards ?? []).map((h) => ({
      ...h,
      distanceM: Number(h.distanceM),
      remainingAreaM2: Number(h.remainingAreaM2),
      band: bandOf(Number(h.distanceM), rules.bandsM),
    }));
    const accidents = (row.accidents ?? []).map((a) => ({ ...a, distanceM: Number(a.distanceM) }));
    const riskEducation = row.riskEducation ?? [];
    const outcome = readinessOf({ hazards, accidents, riskEducation }, rules, asAt);
    const outer = rules.bandsM[rules.bandsM.length - 1]!;
    const inBands = hazards.filter((h) => h.band !== null);
    return {
      settlement: {
        id: row.id,
        name: row.name,
        pcode: row.pcode,
        kind: row.kind,
        population: row.population,
        households: row.households,
        displacedHouseholds: row.displaced,
        returnedHouseholds: row.returned,
        geometry: { type: 'Point', coordinates: [row.lon, row.lat] },
      },
      level: outcome.level,
      rule: {
        version,
        index: outcome.ruleIndex,
        statement: levelStatement(outcome.level, rules.levels[outcome.ruleIndex]!.when, rules, locale),
      },
      checks: outcome.checks.map((c) => ({
        level: c.level,
        met: c.conditions.every((x) => x.met),
        conditions: c.conditions.map((x) => ({ ...x, statement: conditionStatement(x, locale) })),
      })),
      bands: rules.bandsM.map((toM, i) => {
        const inBand = inBands.filter((h) => h.band === i);
        return {
          fromM: i === 0 ? 0 : rules.bandsM[i - 1]!,
          toM,
          hazards: inBand.map((h) => h.code),
          remainingAreaM2: Math.round(inBand.reduce((s, h) => s + h.remainingAreaM2, 0) * 10) / 10,
        };
      }),
      hazards: inBands,
      blockedLandUse: [
        ...new Set(hazards.filter((h) => h.distanceM <= outer).flatMap((h) => h.blockedLandUse)),
      ].sort(),
      accidents: {
        count: accidents.length,
        casualties: accidents.reduce((s, a) => s + Number(a.casualties), 0),
        lastOn: accidents[0]?.occurredOn ?? null,
        codes: accidents.map((a) => a.code),
      },
      riskEducation: {
        sessions: riskEducation.length,
        beneficiaries: riskEducation.reduce((s, e) => s + Number(e.beneficiaries), 0),
        lastOn: riskEducation[0]?.heldOn ?? null,
      },
    };
  }

  // ---- effort and priorities ----

  /**
   * Productivity by team kind, else method, and by that and terrain (m² per team-day, median and
   * interquartile range) as at a date.
   */
  async productivity(
    actor: Actor,
    q: PlanningQuery = {},
  ): Promise<{ asAt: string; methods: Productivity[] }> {
    assertCan(actor, 'record.read');
    checkQuery(q);
    const asAtDate = q.asAt ?? today();
    return { asAt: asAtDate, methods: await this.measuredProductivity(asAtDate, q.asAt) };
  }

  private async measuredProductivity(asAtDate: string, asAt: string | undefined): Promise<Productivity[]> {
    return productivityByMethod(await repo.productivitySamples(this.database.db, asAtDate, asAt));
  }

  /** Every open hazard scored and ranked as at a date, each score with all its factors. */
  async priorities(
    actor: Actor,
    q: PlanningQuery,
  ): Promise<{
    asAt: string;
    weights: { version: number; createdAt: string };
    productivity: Productivity[];
    items: HazardPriority[];
  }> {
    assertCan(actor, 'record.read');
    checkQuery(q);
    const asAtDate = q.asAt ?? today();
    const version = await this.settings('priority_weights', q);
    const weights = version.settings as PriorityWeights;
    const [rows, productivity] = await Promise.all([
      repo.hazardFacts(this.database.db, {
        asAt: q.asAt,
        asAtDate,
        settlementReachM: weights.settlementDistanceM,
        accidentReachM: weights.accidentDistanceM,
        accidentYears: weights.accidentYears,
      }),
      this.measuredProductivity(asAtDate, q.asAt),
    ]);
    // Terrains are read only when some method has enough samples on a terrain to be used.
    const terrains = productivity.some((p) => p.terrain !== null && p.samples >= MIN_METHOD_SAMPLES)
      ? await repo.hazardTerrains(
          this.database.db,
          rows.map((r) => r.id),
          q.asAt,
        )
      : new Map<string, string>();
    const scored = rows.map((row) => {
      const p = productivityFor(productivity, row.method, terrains.get(row.id) ?? null, MIN_METHOD_SAMPLES);
      const remainingAreaM2 = Number(row.remainingM2);
      const effort = daysToRelease(remainingAreaM2, p);
      const { score, factors } = priorityOf(
        {
          id: row.id,
          code: row.code,
          name: row.name,
          status: row.status,
          remainingAreaM2,
          blockedLandUse: row.blocked ?? [],
          nationalPriority: Number(row.nationalPriority),
          population: Number(row.population),
          displacedHouseholds: Number(row.displaced),
          nearestSettlementM: row.nearestSettlementM === null ? null : Number(row.nearestSettlementM),
          accidents: Number(row.accidents),
          lastAccidentOn: row.lastAccidentOn,
          effortDays: effort?.days ?? null,
        },
        weights,
        asAtDate,
      );
      return {
        code: row.code,
        score,
        hazard: {
          id: row.id,
          code: row.code,
          name: row.name,
          status: row.status,
          remainingAreaM2: Math.round(remainingAreaM2 * 10) / 10,
          blockedLandUse: row.blocked ?? [],
          settlements: Number(row.settlements),
        },
        factors,
        effort,
      };
    });
    const items = rank(scored).map(({ code: _code, ...item }) => item);
    return {
      asAt: asAtDate,
      weights: { version: version.version, createdAt: version.createdAt },
      productivity,
      items,
    };
  }

  /** One hazard's place in the ranking and why; not found when it is not open on the date. */
  async hazardPriority(
    actor: Actor,
    hazardId: string,
    q: PlanningQuery,
  ): Promise<{
    asAt: string;
    weights: { version: number; createdAt: string };
    of: number;
    item: HazardPriority;
  }> {
    const { items, productivity: _p, ...rest } = await this.priorities(actor, q);
    const item = items.find((i) => i.hazard.id === hazardId);
    if (!item) throw new Problem('planning.hazard_not_ranked', { id: hazardId }, { pointer: '' });
    return { ...rest, of: items.length, item };
  }
}

/** One list formatter per locale and type: made once, not once per settlement (they are slow to make). */
const listFormats = new Map<string, Intl.ListFormat>();

function listOf(
  parts: string[],
  locale: string,
  type: 'conjunction' | 'disjunction' = 'conjunction',
): string {
  const key = `${locale} ${type}`;
  let format = listFormats.get(key);
  if (!format) {
    format = new Intl.ListFormat(locale, { style: 'long', type });
    listFormats.set(key, format);
  }
  return format.format(parts);
}

/** A condition in words: "no open hazard within 1,000 m". */
export function conditionStatement(c: Pick<ConditionCheck, 'condition' | 'params'>, locale: string): string {
  const params = { ...c.params };
  if (typeof params.landUses === 'string') {
    params.landUses = listOf(
      params.landUses.split(', ').map((u) => t(`planning.land_use.${u}`, {}, locale)),
      locale,
      'disjunction',
    );
  }
  return t(`planning.condition.${c.condition}`, params, locale);
}

/** A level's rule in words: "ready: no open hazard within 1,000 m and the access road released". */
export function levelStatement(
  level: ReadinessLevel,
  when: ReadinessConditions,
  rules: ReadinessRules,
  locale: string,
): string {
  const checks = CONDITION_ORDER.filter((c) => when[c] !== undefined).map((condition) => ({
    condition,
    params: conditionParams(condition, when, rules),
  }));
  const name = t(`planning.level.${level}`, {}, locale);
  if (checks.length === 0) return t('planning.rule.otherwise', { level: name }, locale);
  return t(
    'planning.rule.when',
    {
      level: name,
      conditions: listOf(
        checks.map((c) => conditionStatement(c, locale)),
        locale,
      ),
    },
    locale,
  );
}

function conditionParams(
  condition: keyof ReadinessConditions,
  when: ReadinessConditions,
  rules: ReadinessRules,
): Record<string, string | number> {
  switch (condition) {
    case 'noOpenHazardWithinM':
      return { distanceM: when.noOpenHazardWithinM! };
    case 'noBlockedLandUseWithin':
      return {
        distanceM: when.noBlockedLandUseWithin!.distanceM,
        landUses: when.noBlockedLandUseWithin!.landUses.join(', '),
      };
    case 'accessRoadReleased':
      return { distanceM: rules.accessRoadDistanceM };
    case 'noAccidentWithinYears':
      return { years: when.noAccidentWithinYears!, distanceM: rules.accidentDistanceM };
    case 'riskEducationWithinYears':
      return { years: when.riskEducationWithinYears!, distanceM: rules.riskEducationDistanceM };
  }
}
