import type { MultiPolygon, Point, Polygon } from 'geojson';
import { Problem } from '../domain/problem.ts';
import {
  ASSUMPTION_CODES,
  type AssumptionCode,
  type CatalogueModel,
  type Flag,
  type LotGroup,
  lotsOf,
  type PeriodOfPlace,
  type ProvenanceFinding,
  type ProvenanceGroup,
  provenanceOf,
  type RecordOfPlace,
} from '../domain/provenance.ts';
import {
  activities,
  adminAreas,
  controlPeriods,
  findings as findingsDef,
  hazards,
  minefieldRecords,
  ordnance,
} from '../domain/records.ts';
import { withOthers } from '../domain/schema-check.ts';
import { geodesicInverse } from '../geo/geodesic.ts';
import { t } from '../i18n/catalogue.ts';
import type { Actor } from './actor.ts';
import { isUuid, type ListQuery, type Row } from './list-query.ts';
import type { MinefieldRecordService } from './minefield-records.ts';
import type { RegisterService } from './registers.ts';

/**
 * Device provenance, lots and record completeness (docs/provenance.md), computed on every
 * request from approved records read through the register services (the one read path, as at
 * a date when asked); nothing here is stored. The reasoning is src/domain/provenance.ts.
 */

/** Where to look: one hazard, one admin area or a box, as at a date. */
export interface ProvenanceScope {
  hazard?: string;
  adminArea?: string;
  bbox?: [number, number, number, number];
  asAt?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PAGE = 1000;

/** Reads `hazard`, `adminArea`, `bbox` and `asAt` from a query string; exactly one place is needed. */
export function parseScope(q: Record<string, string | undefined>): ProvenanceScope {
  const problems: Problem[] = [];
  const where = (field: string) => ({ pointer: `/${field}`, field });
  const scope: ProvenanceScope = {};
  for (const field of ['hazard', 'adminArea'] as const) {
    const v = q[field];
    if (v === undefined || v === '') continue;
    if (isUuid(v)) scope[field] = v;
    else problems.push(new Problem('validation.format', { field, value: v, format: 'uuid' }, where(field)));
  }
  if (q.bbox) {
    const n = q.bbox.split(',').map(Number);
    if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[0]! > n[2]! || n[1]! > n[3]!)
      problems.push(new Problem('validation.bbox', { value: q.bbox }, where('bbox')));
    else scope.bbox = n as [number, number, number, number];
  }
  if (q.asAt) {
    if (DATE.test(q.asAt)) scope.asAt = q.asAt;
    else
      problems.push(
        new Problem('validation.format', { field: 'asAt', value: q.asAt, format: 'date' }, where('asAt')),
      );
  }
  const places = [scope.hazard, scope.adminArea, scope.bbox].filter((x) => x !== undefined).length;
  if (!problems.length && places !== 1)
    problems.push(new Problem('provenance.scope_needed', {}, where('hazard')));
  if (problems.length) throw withOthers(problems);
  return scope;
}

export interface LocalisedFlag extends Flag {
  message: string;
  assumptionTexts: string[];
}

/** Completeness of one handed-over record (figures absent when it cannot be assessed). */
export interface RecordCompleteness {
  minefieldRecordId: string;
  code: string;
  hazardId: string | null;
  method: string;
  assessed: boolean;
  reason?: string;
  bestHypothesis?: string;
  devicesFound?: number;
  devicesInsideUncertainty?: number;
  shareInsideUncertainty?: number | null;
  declaredCount?: number | null;
  foundOverDeclared?: number | null;
  undeclaredModels?: Array<{ model: string; devices: number }>;
  devicesOfUndeclaredModels?: number;
  counts?: unknown[];
}

export class ProvenanceService {
  constructor(
    private readonly registers: ReadonlyMap<string, RegisterService>,
    private readonly minefield: MinefieldRecordService,
  ) {}

  private reg(slug: string): RegisterService {
    return this.registers.get(slug)!;
  }

  /** Every record of a register the filter matches, page by page through its list read. */
  private async readAll(slug: string, actor: Actor, filter: Partial<ListQuery>): Promise<Row[]> {
    const out: Row[] = [];
    let after: ListQuery['after'];
    for (;;) {
      const page = await this.reg(slug).list(actor, {
        equals: [],
        includeArchived: false,
        ...filter,
        sortField: 'id',
        descending: false,
        limit: PAGE,
        after,
      });
      out.push(...page.records);
      if (!page.next) return out;
      after = page.next;
    }
  }

  private async findingsIn(actor: Actor, scope: ProvenanceScope): Promise<ProvenanceFinding[]> {
    const filter: Partial<ListQuery> = { asAt: scope.asAt };
    if (scope.hazard) filter.equals = [['hazard_id', scope.hazard]];
    if (scope.adminArea) filter.adminAreaId = scope.adminArea;
    if (scope.bbox) filter.bbox = scope.bbox;
    return this.findingsWhere(actor, filter, scope.asAt);
  }

  /** Findings anywhere whose lot marking is one of `lots` (the free-text search, then the exact marking). */
  private async lotPeers(
    actor: Actor,
    found: ProvenanceFinding[],
    asAt?: string,
  ): Promise<ProvenanceFinding[]> {
    const inScope = new Set(found.map((f) => f.id));
    const out: ProvenanceFinding[] = [];
    // Lot markings match as lots are keyed (src/domain/provenance.ts): case and outer spaces ignored.
    const norm = (lot: string) => lot.trim().toUpperCase();
    const seen = new Set<string>();
    for (const lot of new Set(found.flatMap((f) => (f.lot ? [norm(f.lot)] : [])))) {
      const peers = await this.findingsWhere(actor, { text: lot, asAt }, asAt);
      for (const p of peers) {
        if (p.lot === null || norm(p.lot) !== lot || inScope.has(p.id) || seen.has(p.id)) continue;
        seen.add(p.id);
        out.push(p);
      }
    }
    return out;
  }

  private async findingsWhere(
    actor: Actor,
    filter: Partial<ListQuery>,
    asAt?: string,
  ): Promise<ProvenanceFinding[]> {
    const [rows, catalogue] = await Promise.all([
      this.readAll(findingsDef.slug, actor, filter),
      this.catalogue(actor, asAt),
    ]);
    const models = new Map(catalogue.map((m) => [m.id, m.model]));
    return rows
      .map((r): ProvenanceFinding => {
        const [lon, lat] = (r.geometry as Point).coordinates as [number, number];
        return {
          id: r.id as string,
          code: r.code as string,
          lon,
          lat,
          foundOn: String(r.foundOn),
          quantity: Number(r.quantity ?? 1),
          hazardId: (r.hazardId as string | null) ?? null,
          ordnanceId: (r.ordnanceId as string | null) ?? null,
          model:
            (r.ordnanceId ? models.get(r.ordnanceId as string) : undefined) ??
            (r.modelText as string | null) ??
            null,
          manufacturer: (r.manufacturer as string | null) ?? null,
          factoryCode: (r.factoryCode as string | null) ?? null,
          lot: (r.lot as string | null) ?? null,
          yearOfManufacture: (r.yearOfManufacture as number | null) ?? null,
          manufacturedOn: r.manufacturedOn ? String(r.manufacturedOn) : null,
        };
      })
      .sort((a, b) => a.code.localeCompare(b.code));
  }

  /**
   * The catalogue as at the date. The seeded models were installed with the database, not
   * through a report, so they have no approved history to read as at a date: a model the dated
   * read does not hold keeps its current name and aliases (which model a finding names is not in
   * question) but no production year (a year entered later bounds nothing before it was entered).
   */
  private async catalogue(actor: Actor, asAt?: string): Promise<CatalogueModel[]> {
    const current = await this.readAll(ordnance.slug, actor, {});
    const dated = asAt
      ? new Map((await this.readAll(ordnance.slug, actor, { asAt })).map((r) => [r.id as string, r]))
      : null;
    return current.map((r) => {
      const d = dated ? dated.get(r.id as string) : r;
      return {
        id: r.id as string,
        model: ((d ?? r).model as string) ?? (r.model as string),
        aliases: ((d ?? r).aliases as string[] | null) ?? [],
        productionStartYear: d ? ((d.productionStartYear as number | null) ?? null) : null,
      };
    });
  }

  /** Records of the hazards the findings lie in, and records whose perimeter lies in the findings' box. */
  private async recordsFor(
    actor: Actor,
    found: ProvenanceFinding[],
    asAt?: string,
  ): Promise<RecordOfPlace[]> {
    const byId = new Map<string, Row>();
    for (const hazardId of new Set(found.flatMap((f) => (f.hazardId ? [f.hazardId] : [])))) {
      for (const r of await this.readAll(minefieldRecords.slug, actor, {
        equals: [['hazard_id', hazardId]],
        asAt,
      }))
        byId.set(r.id as string, r);
    }
    const box = boxOf(found);
    if (box)
      for (const r of await this.readAll(minefieldRecords.slug, actor, { bbox: box, asAt }))
        byId.set(r.id as string, r);
    return [...byId.values()].map((r) => {
      const record = (r.record ?? {}) as {
        declaredMines?: Array<{ model: string }>;
        rows?: Array<{ mineModel?: string }>;
      };
      return {
        id: r.id as string,
        code: r.code as string,
        hazardId: (r.hazardId as string | null) ?? null,
        layingDate: r.layingDate ? String(r.layingDate) : null,
        declaredModels: [
          ...new Set([
            ...(record.declaredMines ?? []).map((d) => d.model),
            ...(record.rows ?? []).flatMap((x) => (x.mineModel ? [x.mineModel] : [])),
          ]),
        ],
        perimeter: (r.geometry as MultiPolygon | null) ?? null,
      };
    });
  }

  /** Control periods whose area may hold a finding: polygons meeting the findings' box, and every admin-area period. */
  private async periodsFor(
    actor: Actor,
    found: ProvenanceFinding[],
    asAt?: string,
  ): Promise<PeriodOfPlace[]> {
    const rows = await this.readAll(controlPeriods.slug, actor, { asAt });
    const out: PeriodOfPlace[] = [];
    const areas = new Map<string, MultiPolygon>();
    for (const r of rows) {
      let area = (r.geometry as MultiPolygon | Polygon | null) ?? null;
      if (!area && r.adminAreaId) {
        const id = r.adminAreaId as string;
        if (!areas.has(id))
          areas.set(id, (await this.reg(adminAreas.slug).get(actor, id)).geometry as MultiPolygon);
        area = areas.get(id)!;
      }
      if (!area) continue;
      out.push({
        id: r.id as string,
        code: r.code as string,
        kind: r.kind as PeriodOfPlace['kind'],
        controlledBy: (r.controlledBy as string | null) ?? null,
        startDate: r.startDate ? String(r.startDate) : null,
        endDate: r.endDate ? String(r.endDate) : null,
        accessibleFrom: r.accessibleFrom ? String(r.accessibleFrom) : null,
        area,
      });
    }
    return found.length ? out : [];
  }

  /**
   * Provenance of the devices found in one hazard, admin area or box: per finding its bounds,
   * earliest possible laying date and flags; per hazard the group's figures; with the inputs
   * (records, control periods, activities) the flags were computed from.
   */
  async provenance(actor: Actor, scope: ProvenanceScope, locale: string) {
    if (scope.hazard) await this.reg(hazards.slug).get(actor, scope.hazard);
    if (scope.adminArea) await this.reg(adminAreas.slug).get(actor, scope.adminArea);
    const found = await this.findingsIn(actor, scope);
    const [catalogue, records, periods] = await Promise.all([
      this.catalogue(actor, scope.asAt),
      this.recordsFor(actor, found, scope.asAt),
      this.periodsFor(actor, found, scope.asAt),
    ]);
    const hazardIds = [...new Set(found.flatMap((f) => (f.hazardId ? [f.hazardId] : [])))];
    const acts = [];
    for (const hazardId of hazardIds) {
      for (const a of await this.readAll(activities.slug, actor, {
        equals: [['hazard_id', hazardId]],
        asAt: scope.asAt,
      })) {
        acts.push({
          id: a.id as string,
          code: a.code as string,
          kind: a.kind as string,
          hazardId,
          status: (a.status as string | null) ?? null,
          endDate: a.endDate ? String(a.endDate) : null,
        });
      }
    }
    const lotPeers = await this.lotPeers(actor, found, scope.asAt);
    const result = provenanceOf({ findings: found, catalogue, records, periods, activities: acts, lotPeers });
    return {
      scope: { ...scope, asAt: scope.asAt ?? null },
      method: t('provenance.method', {}, locale),
      findings: result.findings.map((f) => ({ ...f, flags: f.flags.map((x) => localise(x, locale)) })),
      groups: await Promise.all(
        result.groups.map(async (g: ProvenanceGroup) => ({
          ...g,
          hazardCode: g.hazardId ? String((await this.reg(hazards.slug).get(actor, g.hazardId)).code) : null,
        })),
      ),
      inputs: {
        records: records.map(({ perimeter: _p, ...r }) => r),
        controlPeriods: periods.map(({ area: _a, ...p }) => p),
        activities: acts,
        catalogueModelsWithProductionDates: catalogue.filter((m) => m.productionStartYear !== null).length,
      },
      assumptions: Object.fromEntries(
        ASSUMPTION_CODES.map((a) => [a, t(`provenance.assumption.${a}`, {}, locale)]),
      ),
    };
  }

  /**
   * The lots of the findings in one hazard, admin area or box, each with all its findings
   * wherever they were found, and the distance between their places.
   */
  async lots(
    actor: Actor,
    scope: ProvenanceScope,
    locale: string,
  ): Promise<{ lots: LotGroup[]; method: string }> {
    const inScope = await this.findingsIn(actor, scope);
    const found = [...inScope, ...(await this.lotPeers(actor, inScope, scope.asAt))];
    const lots = lotsOf(found, (a, b) => geodesicInverse(a.lat, a.lon, b.lat, b.lon).distanceM);
    return { lots, method: t('provenance.lots_method', {}, locale) };
  }

  /**
   * How complete and accurate one handed-over record is against the devices found in its
   * hazard: the share inside its best reading's 95 % polygon, devices of models it does not
   * declare. As at a date, the record and the findings as they stood then (read through the
   * register services like every other read).
   */
  async completeness(actor: Actor, id: string, locale: string, asAt?: string): Promise<RecordCompleteness> {
    const stored = await this.reg(minefieldRecords.slug).get(actor, id, { asAt });
    const hazardId = (stored.hazardId as string | null) ?? null;
    const base = {
      minefieldRecordId: id,
      code: stored.code as string,
      hazardId,
      method: t('provenance.completeness_method', {}, locale),
    };
    if (!hazardId)
      return { ...base, assessed: false, reason: t('provenance.completeness_no_hazard', {}, locale) };
    const found = await this.findingsIn(actor, { hazard: hazardId, asAt });
    if (found.length === 0)
      return { ...base, assessed: false, reason: t('provenance.completeness_no_findings', {}, locale) };
    const findings = {
      type: 'FeatureCollection',
      features: found.map((f) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [f.lon, f.lat] },
        properties: { model: f.model, quantity: f.quantity },
      })),
    };
    const scores = await this.minefield.score(actor, id, { findings }, locale, asAt);
    const best = scores.hypotheses.find((h) => h.id === scores.best!.id)!;
    const devices = best.counts.reduce((s, c) => s + c.found, 0);
    const inside = best.counts.reduce((s, c) => s + c.foundInsideUncertainty, 0);
    const undeclared = best.counts.filter((c) => c.declared === null && c.found > 0);
    const declaredCount = scores.declaredCount;
    return {
      ...base,
      assessed: true,
      bestHypothesis: best.id,
      devicesFound: devices,
      devicesInsideUncertainty: inside,
      shareInsideUncertainty: devices ? inside / devices : null,
      declaredCount,
      foundOverDeclared: declaredCount ? devices / declaredCount : null,
      undeclaredModels: undeclared.map((c) => ({ model: c.model, devices: c.found })),
      devicesOfUndeclaredModels: undeclared.reduce((s, c) => s + c.found, 0),
      counts: best.counts,
    };
  }

  /**
   * Programme-wide completeness: every live record linked to a hazard, the share of those
   * hazards' devices inside their records' best readings, and hazards with findings but no record.
   */
  async programmeCompleteness(actor: Actor, locale: string, asAt?: string) {
    const records = await this.readAll(minefieldRecords.slug, actor, { asAt });
    const perRecord: RecordCompleteness[] = [];
    for (const r of records) perRecord.push(await this.completeness(actor, r.id as string, locale, asAt));
    const assessed = perRecord.filter((r) => r.assessed);
    const found = await this.readAll(findingsDef.slug, actor, { asAt });
    const withRecord = new Set(records.flatMap((r) => (r.hazardId ? [r.hazardId as string] : [])));
    const withoutRecord = new Map<string, number>();
    let devicesNoHazard = 0;
    for (const f of found) {
      const h = f.hazardId as string | null;
      const q = Number(f.quantity ?? 1);
      if (!h) devicesNoHazard += q;
      else if (!withRecord.has(h)) withoutRecord.set(h, (withoutRecord.get(h) ?? 0) + q);
    }
    const devices = assessed.reduce((s, r) => s + (r.devicesFound ?? 0), 0);
    const inside = assessed.reduce((s, r) => s + (r.devicesInsideUncertainty ?? 0), 0);
    return {
      asAt: asAt ?? null,
      method: t('provenance.completeness_method', {}, locale),
      records: perRecord.length,
      recordsAssessed: assessed.length,
      devicesFound: devices,
      devicesInsideUncertainty: inside,
      shareInsideUncertainty: devices ? inside / devices : null,
      devicesOfUndeclaredModels: assessed.reduce((s, r) => s + (r.devicesOfUndeclaredModels ?? 0), 0),
      hazardsWithFindingsButNoRecord: [...withoutRecord.entries()].map(([hazardId, n]) => ({
        hazardId,
        devices: n,
      })),
      devicesWithoutHazard: devicesNoHazard,
      perRecord,
    };
  }
}

function localise(flag: Flag, locale: string): LocalisedFlag {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(flag.facts)) params[k] = v ?? '';
  if (typeof params.basis === 'string')
    params.basisText = t(`provenance.basis.${params.basis}`, params, locale);
  return {
    ...flag,
    message: t(`provenance.flag.${flag.code}`, params, locale),
    assumptionTexts: flag.assumptions.map((a: AssumptionCode) => t(`provenance.assumption.${a}`, {}, locale)),
  };
}

function boxOf(found: ProvenanceFinding[]): [number, number, number, number] | undefined {
  if (!found.length) return undefined;
  const lons = found.map((f) => f.lon);
  const lats = found.map((f) => f.lat);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}
