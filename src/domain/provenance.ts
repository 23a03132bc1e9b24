import type { MultiPolygon, Polygon } from 'geojson';

/**
 * Device provenance (docs/provenance.md): what the markings of found devices, the catalogue's
 * production dates, control periods, minefield records and activities bound about when and
 * where the devices can have been laid. Pure: the service reads the approved records (as at a
 * date) and hands them here; nothing computed is stored. Every flag carries the facts that
 * raise it and the assumptions it rests on; none says who laid a device.
 */

export interface ProvenanceFinding {
  id: string;
  code: string;
  lon: number;
  lat: number;
  foundOn: string;
  quantity: number;
  hazardId: string | null;
  ordnanceId: string | null;
  /** Catalogue model when the finding names one, else the model as reported. */
  model: string | null;
  manufacturer: string | null;
  factoryCode: string | null;
  lot: string | null;
  yearOfManufacture: number | null;
  manufacturedOn: string | null;
}

export interface CatalogueModel {
  id: string;
  model: string;
  aliases: string[];
  productionStartYear: number | null;
}

export interface RecordOfPlace {
  id: string;
  code: string;
  hazardId: string | null;
  layingDate: string | null;
  /** Models the record declares (declared mines and row models). */
  declaredModels: string[];
  /** The stored (map) perimeter. */
  perimeter: MultiPolygon | Polygon | null;
}

export interface PeriodOfPlace {
  id: string;
  code: string;
  kind: 'controlled_by' | 'inaccessible';
  controlledBy: string | null;
  startDate: string | null;
  endDate: string | null;
  accessibleFrom: string | null;
  /** The period's polygon, or its admin area's. */
  area: MultiPolygon | Polygon;
}

export interface ActivityOfPlace {
  id: string;
  code: string;
  kind: string;
  hazardId: string;
  status: string | null;
  endDate: string | null;
}

/** Where a lower bound of a device's laying date comes from. */
export type BoundBasis = 'date_of_manufacture' | 'year_of_manufacture' | 'lot' | 'catalogue';

export interface LayingBound {
  basis: BoundBasis;
  /** The device cannot have been laid before this date. */
  date: string;
  facts: Record<string, string | number>;
}

export const FLAG_CODES = [
  'manufactured_after_record',
  'manufactured_after_accessible',
  'manufactured_after_period_start',
  'manufactured_after_activity',
  'not_on_record',
  'model_not_declared',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const ASSUMPTION_CODES = [
  'marking_read_correctly',
  'not_laid_before_made',
  'year_first_day',
  'lot_made_together',
  'catalogue_dates',
  'found_where_laid',
  'record_describes_hazard',
  'record_declares_all',
  'period_area',
] as const;
export type AssumptionCode = (typeof ASSUMPTION_CODES)[number];

export interface Flag {
  code: FlagCode;
  facts: Record<string, string | number | null>;
  assumptions: AssumptionCode[];
}

export interface FindingProvenance {
  id: string;
  code: string;
  hazardId: string | null;
  foundOn: string;
  quantity: number;
  /** The catalogue model's id when the finding names one (its page holds the production years and their source). */
  ordnanceId: string | null;
  model: string | null;
  manufacturer: string | null;
  lot: string | null;
  yearOfManufacture: number | null;
  /** The latest of the bounds: the earliest date the device can have been laid; null without any. */
  earliestLayingDate: string | null;
  bounds: LayingBound[];
  flags: Flag[];
}

export interface ProvenanceGroup {
  /** hazard id, or null for devices linked to no hazard. */
  hazardId: string | null;
  findings: number;
  devices: number;
  devicesWithBound: number;
  /** The latest earliestLayingDate of its devices: the group as found cannot be complete before it. */
  earliestCompleteDate: string | null;
  /** The earliest earliestLayingDate of its devices. */
  earliestBoundDate: string | null;
  devicesByYearOfManufacture: Record<string, number>;
  flags: Partial<Record<FlagCode, number>>;
}

export interface ProvenanceInput {
  findings: ProvenanceFinding[];
  catalogue: CatalogueModel[];
  records: RecordOfPlace[];
  periods: PeriodOfPlace[];
  activities: ActivityOfPlace[];
  /** Findings of the same lots outside the place looked at (a lot's date holds wherever it was found). */
  lotPeers?: ProvenanceFinding[];
}

/** A model name as records and markings write it, for matching: "ТМ-62 М" and "tm62m" match. */
export function modelKey(name: string): string {
  const latin: Record<string, string> = {
    А: 'A',
    В: 'B',
    Е: 'E',
    К: 'K',
    М: 'M',
    Н: 'N',
    О: 'O',
    Р: 'P',
    С: 'C',
    Т: 'T',
    Х: 'X',
    У: 'Y',
    П: 'P',
    Д: 'D',
    Ф: 'F',
    З: 'Z',
    Л: 'L',
    Г: 'G',
    Б: 'B',
    И: 'I',
  };
  return [...name.toUpperCase()]
    .map((c) => latin[c] ?? c)
    .join('')
    .replace(/[^A-Z0-9.]/g, '');
}

/** Devices of one lot are taken to be made together: the key of a finding's lot, or null. */
function lotKey(f: ProvenanceFinding): string | null {
  if (!f.lot) return null;
  return [
    f.model ? modelKey(f.model) : '',
    (f.manufacturer ?? '').trim().toUpperCase(),
    f.lot.trim().toUpperCase(),
  ].join('|');
}

const yearStart = (year: number) => `${String(year).padStart(4, '0')}-01-01`;

/**
 * The lower bounds of one device's laying date: its date or year of manufacture, the earliest
 * date marked on a device of the same lot, and the first production year of its catalogue model.
 *
 * @example layingBounds(finding, lotDates, catalogue) // [{ basis: 'year_of_manufacture', date: '2021-01-01', … }]
 */
export function layingBounds(
  f: ProvenanceFinding,
  lotDates: ReadonlyMap<string, { date: string; code: string }>,
  catalogue: ReadonlyMap<string, CatalogueModel>,
): LayingBound[] {
  const bounds: LayingBound[] = [];
  if (f.manufacturedOn) {
    bounds.push({
      basis: 'date_of_manufacture',
      date: f.manufacturedOn,
      facts: { manufacturedOn: f.manufacturedOn },
    });
  } else if (f.yearOfManufacture !== null) {
    bounds.push({
      basis: 'year_of_manufacture',
      date: yearStart(f.yearOfManufacture),
      facts: { yearOfManufacture: f.yearOfManufacture },
    });
  }
  const key = lotKey(f);
  const lot = key ? lotDates.get(key) : undefined;
  if (lot && lot.code !== f.code) {
    bounds.push({ basis: 'lot', date: lot.date, facts: { lot: f.lot!, markedOn: lot.code } });
  }
  const model = f.ordnanceId ? catalogue.get(f.ordnanceId) : undefined;
  if (model?.productionStartYear) {
    bounds.push({
      basis: 'catalogue',
      date: yearStart(model.productionStartYear),
      facts: { model: model.model, productionStartYear: model.productionStartYear },
    });
  }
  return bounds;
}

/** Assumptions behind a bound of the given basis. */
function boundAssumptions(basis: BoundBasis): AssumptionCode[] {
  switch (basis) {
    case 'date_of_manufacture':
      return ['marking_read_correctly', 'not_laid_before_made'];
    case 'year_of_manufacture':
      return ['marking_read_correctly', 'not_laid_before_made', 'year_first_day'];
    case 'lot':
      return ['marking_read_correctly', 'not_laid_before_made', 'lot_made_together'];
    case 'catalogue':
      return ['catalogue_dates', 'not_laid_before_made'];
  }
}

/** The date a period made its area accessible to the authority: stated, or the end of a period of inaccessibility. */
export function accessibleDate(p: PeriodOfPlace): string | null {
  return p.accessibleFrom ?? (p.kind === 'inaccessible' ? p.endDate : null);
}

type Ring = Array<[number, number]>;

function rings(g: MultiPolygon | Polygon): Ring[] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.flatMap((p) => p.map((r) => r.map(([x, y]) => [x!, y!] as [number, number])));
}

/** Even-odd point in polygon in lon/lat (containment only; no distance is measured in degrees). */
export function containsPoint(g: MultiPolygon | Polygon, lon: number, lat: number): boolean {
  let inside = false;
  for (const ring of rings(g)) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

const maxDate = (dates: string[]) =>
  dates.reduce<string | null>((m, d) => (m === null || d > m ? d : m), null);
const minDate = (dates: string[]) =>
  dates.reduce<string | null>((m, d) => (m === null || d < m ? d : m), null);

/**
 * Provenance of every finding and of every hazard's group of findings, with the flags each
 * raises (FLAG_CODES). A device is bounded by the latest of its bounds (each is a valid lower
 * bound, so the latest is the tightest).
 */
export function provenanceOf(input: ProvenanceInput): {
  findings: FindingProvenance[];
  groups: ProvenanceGroup[];
} {
  const catalogue = new Map(input.catalogue.map((m) => [m.id, m]));
  const aliases = new Map(
    input.catalogue.map((m) => [modelKey(m.model), new Set([m.model, ...m.aliases].map(modelKey))]),
  );
  const lotDates = new Map<string, { date: string; code: string }>();
  for (const f of [...input.findings, ...(input.lotPeers ?? [])]) {
    const key = lotKey(f);
    const date = f.manufacturedOn ?? (f.yearOfManufacture !== null ? yearStart(f.yearOfManufacture) : null);
    if (!key || !date) continue;
    const known = lotDates.get(key);
    // The earliest date marked in the lot: the bound every device of the lot shares.
    if (!known || date < known.date) lotDates.set(key, { date, code: f.code });
  }

  const findings = input.findings.map((f): FindingProvenance => {
    const bounds = layingBounds(f, lotDates, catalogue);
    const latest = bounds.reduce<LayingBound | null>((m, b) => (m === null || b.date > m.date ? b : m), null);
    const earliestLayingDate = latest?.date ?? null;
    const flags: Flag[] = [];
    const dated = (extra: AssumptionCode[]): AssumptionCode[] => [
      ...new Set([...(latest ? boundAssumptions(latest.basis) : []), ...extra]),
    ];
    const boundFacts = latest
      ? { earliestLayingDate: latest.date, basis: latest.basis, ...latest.facts }
      : {};

    const ownRecords = input.records.filter(
      (r) =>
        (f.hazardId !== null && r.hazardId === f.hazardId) ||
        (r.perimeter !== null && containsPoint(r.perimeter, f.lon, f.lat)),
    );
    if (ownRecords.length === 0) {
      flags.push({
        code: 'not_on_record',
        facts: { hazardId: f.hazardId, recordsInScope: input.records.length },
        assumptions: ['found_where_laid'],
      });
    }
    for (const r of ownRecords) {
      if (earliestLayingDate && r.layingDate && earliestLayingDate > r.layingDate) {
        flags.push({
          code: 'manufactured_after_record',
          facts: { record: r.code, recordId: r.id, layingDate: r.layingDate, ...boundFacts },
          assumptions: dated(['record_describes_hazard', 'found_where_laid']),
        });
      }
      if (f.model && r.declaredModels.length) {
        const mine = aliases.get(modelKey(f.model)) ?? new Set([modelKey(f.model)]);
        const declared = r.declaredModels.map(modelKey);
        if (!declared.some((d) => mine.has(d))) {
          flags.push({
            code: 'model_not_declared',
            facts: { record: r.code, recordId: r.id, model: f.model, declared: r.declaredModels.join(', ') },
            assumptions: ['record_describes_hazard', 'record_declares_all', 'found_where_laid'],
          });
        }
      }
    }
    if (earliestLayingDate) {
      for (const p of input.periods) {
        if (!containsPoint(p.area, f.lon, f.lat)) continue;
        const accessible = accessibleDate(p);
        const periodFacts = {
          period: p.code,
          periodId: p.id,
          kind: p.kind,
          controlledBy: p.controlledBy,
          startDate: p.startDate,
          endDate: p.endDate,
        };
        if (accessible && earliestLayingDate > accessible) {
          flags.push({
            code: 'manufactured_after_accessible',
            facts: { ...periodFacts, accessibleFrom: accessible, ...boundFacts },
            assumptions: dated(['period_area', 'found_where_laid']),
          });
        } else if (p.startDate && earliestLayingDate > p.startDate) {
          flags.push({
            code: 'manufactured_after_period_start',
            facts: { ...periodFacts, ...boundFacts },
            assumptions: dated(['period_area', 'found_where_laid']),
          });
        }
      }
      for (const a of input.activities) {
        if (a.hazardId !== f.hazardId || !a.endDate || a.status !== 'completed') continue;
        if (earliestLayingDate > a.endDate) {
          flags.push({
            code: 'manufactured_after_activity',
            facts: { activity: a.code, activityId: a.id, kind: a.kind, endDate: a.endDate, ...boundFacts },
            assumptions: dated(['found_where_laid']),
          });
        }
      }
    }
    return {
      id: f.id,
      code: f.code,
      hazardId: f.hazardId,
      foundOn: f.foundOn,
      quantity: f.quantity,
      ordnanceId: f.ordnanceId,
      model: f.model,
      manufacturer: f.manufacturer,
      lot: f.lot,
      yearOfManufacture: f.yearOfManufacture,
      earliestLayingDate,
      bounds,
      flags,
    };
  });

  const byHazard = new Map<string | null, FindingProvenance[]>();
  for (const f of findings) byHazard.set(f.hazardId, [...(byHazard.get(f.hazardId) ?? []), f]);
  const groups = [...byHazard.entries()].map(([hazardId, list]): ProvenanceGroup => {
    const dates = list.flatMap((f) => (f.earliestLayingDate ? [f.earliestLayingDate] : []));
    const years: Record<string, number> = {};
    const flags: Partial<Record<FlagCode, number>> = {};
    for (const f of list) {
      if (f.yearOfManufacture !== null)
        years[String(f.yearOfManufacture)] = (years[String(f.yearOfManufacture)] ?? 0) + f.quantity;
      for (const code of new Set(f.flags.map((x) => x.code))) flags[code] = (flags[code] ?? 0) + f.quantity;
    }
    return {
      hazardId,
      findings: list.length,
      devices: list.reduce((s, f) => s + f.quantity, 0),
      devicesWithBound: list.filter((f) => f.earliestLayingDate).reduce((s, f) => s + f.quantity, 0),
      earliestCompleteDate: maxDate(dates),
      earliestBoundDate: minDate(dates),
      devicesByYearOfManufacture: years,
      flags,
    };
  });
  return { findings, groups };
}

export interface LotGroup {
  lot: string;
  manufacturer: string | null;
  model: string | null;
  findings: number;
  devices: number;
  hazards: Array<string | null>;
  firstFoundOn: string;
  lastFoundOn: string;
  yearsOfManufacture: number[];
  /** Largest distance between two findings of the lot, metres on the ellipsoid. */
  maxDistanceM: number;
  findingIds: string[];
  /** Codes of the two findings farthest apart. */
  farthestPair: [string, string] | null;
}

/**
 * Findings grouped by lot (same model, manufacturer and lot marking), with where and when the
 * lot was found: the distance between its places is a fact, not a conclusion.
 */
export function lotsOf(
  findings: ProvenanceFinding[],
  distanceM: (a: ProvenanceFinding, b: ProvenanceFinding) => number,
): LotGroup[] {
  const groups = new Map<string, ProvenanceFinding[]>();
  for (const f of findings) {
    const key = lotKey(f);
    if (key) groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()]
    .map((list): LotGroup => {
      let maxDistance = 0;
      let pair: [string, string] | null = null;
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const d = distanceM(list[i]!, list[j]!);
          if (d > maxDistance) {
            maxDistance = d;
            pair = [list[i]!.code, list[j]!.code];
          }
        }
      }
      const found = list.map((f) => f.foundOn).sort();
      return {
        lot: list[0]!.lot!,
        manufacturer: list[0]!.manufacturer,
        model: list[0]!.model,
        findings: list.length,
        devices: list.reduce((s, f) => s + f.quantity, 0),
        hazards: [...new Set(list.map((f) => f.hazardId))],
        firstFoundOn: found[0]!,
        lastFoundOn: found[found.length - 1]!,
        yearsOfManufacture: [
          ...new Set(list.flatMap((f) => (f.yearOfManufacture !== null ? [f.yearOfManufacture] : []))),
        ].sort(),
        maxDistanceM: maxDistance,
        findingIds: list.map((f) => f.id),
        farthestPair: pair,
      };
    })
    .sort((a, b) => b.maxDistanceM - a.maxDistanceM || a.lot.localeCompare(b.lot));
}
