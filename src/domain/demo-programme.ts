/**
 * The demo programme: a deterministic, clearly labelled SYNTHETIC mine action programme, large
 * enough to look real on a map (three admin levels, ~50 settlements, ~300 hazards with their
 * activities and land release, ~5 000 findings, ~200 accidents with ~300 casualties, risk
 * education, QA visits, sources). Every place name is invented; every record that has a
 * description or notes says "Synthetic demo data". It lies in the South Caucasus
 * (46.5–47.5° E, 39.5–40.5° N) so that the coordinate systems of that region apply.
 *
 * Pure: the same seed gives the same programme, to the last digit. Records refer to each other
 * by `key` (e.g. `hazard:17`); the loader turns keys into ids.
 *
 * Geometry is built so that it is valid by construction:
 * - admin areas are cells of a jittered lattice whose edges are shared polylines, so the
 *   districts tile their regions and the regions the country without gap or overlap;
 * - a hazard is star-shaped around its centre (vertices at increasing angles), then stretched
 *   and rotated (affine maps keep a polygon simple);
 * - land release polygons are fans [centre, v_a … v_b] of that star: they lie inside the
 *   hazard, never overlap, and together never cover more than the hazard.
 */
import { ageBandOf } from './derive.ts';
import type { DeviceCategory, Terrain } from './vocabularies.ts';

export const DEMO_SEED = 20_260_101;
export const SYNTHETIC = 'Synthetic demo data';

type Position = [number, number];
export interface PointGeometry {
  type: 'Point';
  coordinates: Position;
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

export interface DemoOrganisation {
  key: string;
  name: string;
  acronym: string;
  kind: 'authority' | 'ngo' | 'commercial' | 'military';
}
export interface DemoAdminArea {
  key: string;
  pcode: string;
  name: string;
  names: { en: string; ru: string; ar: string };
  level: number;
  parentKey: string | null;
  geometry: MultiPolygonGeometry;
}
export interface DemoSettlement {
  key: string;
  name: string;
  names: { en: string; ru: string; ar: string };
  pcode: string;
  kind: 'town' | 'village' | 'hamlet';
  adminAreaKey: string;
  geometry: PointGeometry;
  population: number;
  households: number;
  displacedHouseholds: number;
  returnedHouseholds: number;
}
export interface DemoHazard {
  key: string;
  name: string;
  type: 'SHA' | 'CHA';
  status: 'open' | 'in_progress' | 'closed';
  geometry: MultiPolygonGeometry;
  /** What is still hazardous (hazard minus released land); null once closed. */
  remainingGeometry: MultiPolygonGeometry | null;
  benchmark: PointGeometry;
  deviceCategories: DeviceCategory[];
  evidence: Array<{ type: string; description: string; location: PointGeometry | null }>;
  blockedLandUse: string[];
  beneficiaries: number;
  organisationKey: string;
  dateOfInformation: string;
  description: string;
}
export interface DemoActivity {
  key: string;
  kind: 'NTS' | 'TS' | 'clearance';
  organisationKey: string;
  hazardKey: string;
  method: string;
  status: 'completed' | 'in_progress';
  startDate: string;
  endDate: string | null;
  geometry: PointGeometry;
  description: string;
}
export interface DemoLandRelease {
  key: string;
  outcome: 'cancelled' | 'reduced' | 'cleared';
  hazardKey: string;
  activityKey: string;
  method: string;
  depthCm: number | null;
  geometry: MultiPolygonGeometry;
  benchmark: PointGeometry;
  releasedOn: string;
}
export interface DemoFinding {
  category: DeviceCategory;
  model: string;
  quantity: number;
  condition: string;
  depthCm: number;
  disposition: string;
  foundOn: string;
  hazardKey: string;
  activityKey: string;
  geometry: PointGeometry;
  marking: string | null;
  manufacturer: string | null;
  lot: string | null;
  yearOfManufacture: number | null;
}
export interface DemoAccident {
  key: string;
  occurredOn: string;
  datePrecision: 'day' | 'month' | 'year';
  pointPrecision: string;
  deviceCategory: DeviceCategory;
  model: string | null;
  demining: 'yes' | 'no' | 'unknown';
  hazardKey: string | null;
  geometry: PointGeometry;
  description: string;
}
export interface DemoCasualty {
  accidentKey: string;
  sex: 'female' | 'male' | 'unknown';
  age: number | null;
  ageBand: string;
  casualtyStatus: 'civilian' | 'military' | 'deminer' | 'unknown';
  outcome: 'killed' | 'injured' | 'unknown';
  activityAtTime: string;
  tamperedWithDevice: 'yes' | 'no' | 'unknown';
  displacementStatus: string;
  referral: string | null;
}
export interface DemoRiskEducation {
  organisationKey: string;
  heldOn: string;
  deliveryMethod: string;
  settlementKey: string;
  beneficiaries: Record<'female' | 'male', Record<string, number>>;
  geometry: PointGeometry;
  description: string;
}
export interface DemoQaVisit {
  visitedOn: string;
  activityKey: string;
  inspectedOrganisationKey: string;
  inspectingOrganisationKey: string;
  nonConformities: Array<{ description: string; severity: string }>;
  measuresTaken: string;
}
export interface DemoSource {
  key: string;
  kind: string;
  title: string;
  issuingBody: string;
  documentSymbol: string | null;
  publishedOn: string;
  language: string;
  notes: string;
  /** Records this source supports, as `slug` and key. */
  supports: Array<{ slug: string; key: string }>;
}

export interface DemoProgramme {
  organisations: DemoOrganisation[];
  adminAreas: DemoAdminArea[];
  settlements: DemoSettlement[];
  hazards: DemoHazard[];
  activities: DemoActivity[];
  landRelease: DemoLandRelease[];
  findings: DemoFinding[];
  accidents: DemoAccident[];
  casualties: DemoCasualty[];
  riskEducation: DemoRiskEducation[];
  qaVisits: DemoQaVisit[];
  sources: DemoSource[];
}

// ---------------------------------------------------------------------------------------
// Randomness and dates

/**
 * mulberry32: a small, fast 32-bit PRNG with good statistical quality for simulation; chosen
 * because it is a few lines, has no state beyond one integer and gives the same sequence
 * on every platform. Example: `mulberry32(1)()` → 0.6270739405881613.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  next(): number {
    return this.#next();
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.#next();
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)]!;
  }
  /** One value drawn with the given weights. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let r = this.#next() * total;
    for (const [v, w] of choices) {
      r -= w;
      if (r < 0) return v;
    }
    return choices[choices.length - 1]![0];
  }
}

const DAY_MS = 86_400_000;
/** Days since 1970-01-01 of an ISO date. Example: `dayOf('1970-01-02')` → 1. */
export function dayOf(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}
/** ISO date of a day number. Example: `isoOf(1)` → '1970-01-02'. */
export function isoOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
const FIRST_DAY = dayOf('2019-01-01');
const LAST_DAY = dayOf('2026-10-31');

// ---------------------------------------------------------------------------------------
// Local metric frame: metres east/north of a point, converted to degrees at its latitude.
// Good to well under 1 % over a few kilometres, which is all a hazard spans.

const M_PER_DEG_LAT = 110_574;
const mPerDegLon = (latDeg: number) => 111_320 * Math.cos((latDeg * Math.PI) / 180);
const round7 = (x: number) => Math.round(x * 1e7) / 1e7;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function offset(lon: number, lat: number, eastM: number, northM: number): Position {
  return [round7(lon + eastM / mPerDegLon(lat)), round7(lat + northM / M_PER_DEG_LAT)];
}
const point = (p: Position): PointGeometry => ({ type: 'Point', coordinates: [p[0], p[1]] });
const multi = (ring: Position[]): MultiPolygonGeometry => ({ type: 'MultiPolygon', coordinates: [[ring]] });

// ---------------------------------------------------------------------------------------
// Invented names in three scripts, from syllables written in each.

const SYLLABLES: ReadonlyArray<readonly [string, string, string]> = [
  ['ka', 'ка', 'كا'],
  ['ra', 'ра', 'را'],
  ['vel', 'вел', 'فيل'],
  ['tar', 'тар', 'تار'],
  ['dag', 'даг', 'داغ'],
  ['bu', 'бу', 'بو'],
  ['lak', 'лак', 'لاك'],
  ['ser', 'сер', 'سير'],
  ['ven', 'вен', 'فين'],
  ['zor', 'зор', 'زور'],
  ['mar', 'мар', 'مار'],
  ['san', 'сан', 'سان'],
  ['ta', 'та', 'تا'],
  ['no', 'но', 'نو'],
  ['dar', 'дар', 'دار'],
  ['ki', 'ки', 'كي'],
  ['ze', 'зе', 'زي'],
  ['lu', 'лу', 'لو'],
  ['han', 'хан', 'هان'],
  ['mo', 'мо', 'مو'],
  ['gor', 'гор', 'غور'],
  ['sa', 'са', 'سا'],
  ['tu', 'ту', 'تو'],
  ['ne', 'не', 'ني'],
];
const SUFFIXES: ReadonlyArray<readonly [string, string, string]> = [
  ['li', 'ли', 'لي'],
  ['kend', 'кенд', 'كند'],
  ['dere', 'дере', 'دره'],
  ['abad', 'абад', 'آباد'],
  ['shen', 'шен', 'شين'],
  ['lu', 'лу', 'لو'],
  ['', '', ''],
];

function inventName(rng: Rng, taken: Set<string>): { en: string; ru: string; ar: string } {
  for (;;) {
    const parts = [rng.pick(SYLLABLES), rng.pick(SYLLABLES)];
    if (rng.chance(0.3)) parts.push(rng.pick(SYLLABLES));
    if (parts.some((p, k) => k > 0 && p === parts[k - 1])) continue;
    parts.push(rng.pick(SUFFIXES));
    const en = parts.map((p) => p[0]).join('');
    if (en.length < 5 || en.length > 12 || taken.has(en)) continue;
    taken.add(en);
    const ru = parts.map((p) => p[1]).join('');
    return {
      en: en.charAt(0).toUpperCase() + en.slice(1),
      ru: ru.charAt(0).toUpperCase() + ru.slice(1),
      ar: parts.map((p) => p[2]).join(''),
    };
  }
}

// ---------------------------------------------------------------------------------------
// Admin areas: a jittered 6 × 2 lattice of districts; regions are 3 × 1 blocks of it.

const EXTENT = { west: 46.52, east: 47.48, south: 39.52, north: 40.48 };
const COLS = 6;
const ROWS = 2;
const EDGE_POINTS = 7;

interface Lattice {
  /** Polyline from node (i, j) to node (i+1, j), endpoints included. */
  horizontal: Position[][][];
  /** Polyline from node (i, j) to node (i, j+1). */
  vertical: Position[][][];
}

function buildLattice(rng: Rng): Lattice {
  const dx = (EXTENT.east - EXTENT.west) / COLS;
  const dy = (EXTENT.north - EXTENT.south) / ROWS;
  const nodes: Position[][] = [];
  for (let i = 0; i <= COLS; i++) {
    nodes.push([]);
    for (let j = 0; j <= ROWS; j++) {
      // Nodes on the outline move only along it, so the country keeps its extent.
      const jx = i === 0 || i === COLS ? 0 : rng.between(-0.02, 0.02);
      const jy = j === 0 || j === ROWS ? 0 : rng.between(-0.02, 0.02);
      nodes[i]!.push([EXTENT.west + i * dx + jx, EXTENT.south + j * dy + jy]);
    }
  }
  const wiggle = (a: Position, b: Position): Position[] => {
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const nx = -(b[1] - a[1]) / len;
    const ny = (b[0] - a[0]) / len;
    const line: Position[] = [[round6(a[0]), round6(a[1])]];
    for (let m = 1; m <= EDGE_POINTS; m++) {
      const t = m / (EDGE_POINTS + 1);
      // Tapered to zero at the nodes so neighbouring edges leave a node at distinct angles.
      const off = rng.between(-1, 1) * 0.04 * len * Math.sin(Math.PI * t);
      line.push([round6(a[0] + t * (b[0] - a[0]) + nx * off), round6(a[1] + t * (b[1] - a[1]) + ny * off)]);
    }
    line.push([round6(b[0]), round6(b[1])]);
    return line;
  };
  const horizontal: Position[][][] = [];
  const vertical: Position[][][] = [];
  for (let i = 0; i <= COLS; i++) {
    horizontal.push([]);
    vertical.push([]);
    for (let j = 0; j <= ROWS; j++) {
      if (i < COLS) horizontal[i]!.push(wiggle(nodes[i]![j]!, nodes[i + 1]![j]!));
      if (j < ROWS) vertical[i]!.push(wiggle(nodes[i]![j]!, nodes[i]![j + 1]!));
    }
  }
  return { horizontal, vertical };
}

/** Counter-clockwise closed ring around lattice cells [i0, i1) × [j0, j1). */
function blockRing(l: Lattice, i0: number, i1: number, j0: number, j1: number): Position[] {
  const ring: Position[] = [];
  const add = (line: Position[]) => {
    for (const p of line) {
      const last = ring[ring.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) ring.push(p);
    }
  };
  for (let i = i0; i < i1; i++) add(l.horizontal[i]![j0]!);
  for (let j = j0; j < j1; j++) add(l.vertical[i1]![j]!);
  for (let i = i1 - 1; i >= i0; i--) add([...l.horizontal[i]![j1]!].reverse());
  for (let j = j1 - 1; j >= j0; j--) add([...l.vertical[i0]![j]!].reverse());
  return ring; // the walk ends where it began, so the ring is closed
}

/** Ray casting; points on the boundary may fall either way. */
export function pointInRing(p: Position, ring: Position[]): boolean {
  let inside = false;
  for (let k = 0, m = ring.length - 1; k < ring.length; m = k++) {
    const [xk, yk] = ring[k]!;
    const [xm, ym] = ring[m]!;
    if (yk > p[1] !== ym > p[1] && p[0] < ((xm - xk) * (p[1] - yk)) / (ym - yk) + xk) inside = !inside;
  }
  return inside;
}

// ---------------------------------------------------------------------------------------
// Hazard shapes

interface Star {
  centre: Position;
  /** Vertices at increasing angle around the centre, not closed. */
  vertices: Position[];
  /** Bounding box in degrees, for keeping hazards apart. */
  box: [number, number, number, number];
}

function makeStar(rng: Rng, centre: Position, areaM2: number): Star {
  const n = rng.int(7, 14);
  const stretch = rng.between(1, 2.4);
  const turn = rng.between(0, Math.PI);
  const step = (2 * Math.PI) / n;
  // Unit-size star in metres east/north of the centre, then scaled to the area asked for.
  const local: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const angle = k * step + rng.between(-0.3, 0.3) * step;
    const r = rng.between(0.7, 1.3);
    // Stretch along x, then rotate: a linear map keeps the star simple and star-shaped.
    const x = r * Math.cos(angle) * Math.sqrt(stretch);
    const y = (r * Math.sin(angle)) / Math.sqrt(stretch);
    local.push([x * Math.cos(turn) - y * Math.sin(turn), x * Math.sin(turn) + y * Math.cos(turn)]);
  }
  let twiceArea = 0;
  for (let k = 0; k < n; k++) {
    const [x1, y1] = local[k]!;
    const [x2, y2] = local[(k + 1) % n]!;
    twiceArea += x1 * y2 - x2 * y1;
  }
  const scale = Math.sqrt(areaM2 / (twiceArea / 2));
  const vertices = local.map(([e, nn]) => offset(centre[0], centre[1], e * scale, nn * scale));
  const xs = vertices.map((v) => v[0]);
  const ys = vertices.map((v) => v[1]);
  return {
    centre: [round7(centre[0]), round7(centre[1])],
    vertices,
    box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
  };
}

/** The whole star as a closed counter-clockwise ring. */
const starRing = (s: Star): Position[] => [...s.vertices, s.vertices[0]!];

/** The fan [centre, v_a … v_b] (indices modulo n), closed; needs 1 ≤ b − a < n. */
function fanRing(s: Star, a: number, b: number): Position[] {
  const n = s.vertices.length;
  const ring: Position[] = [s.centre];
  for (let k = a; k <= b; k++) ring.push(s.vertices[k % n]!);
  ring.push(s.centre);
  return ring;
}

/** A random point inside the fan [a, b], uniform over its area. */
function pointInFan(rng: Rng, s: Star, a: number, b: number): Position {
  const n = s.vertices.length;
  const tri: Array<[Position, Position, number]> = [];
  for (let k = a; k < b; k++) {
    const p = s.vertices[k % n]!;
    const q = s.vertices[(k + 1) % n]!;
    const area = Math.abs(
      (p[0] - s.centre[0]) * (q[1] - s.centre[1]) - (q[0] - s.centre[0]) * (p[1] - s.centre[1]),
    );
    tri.push([p, q, area]);
  }
  const [p, q] = rng.weighted(tri.map((t) => [t, t[2]] as const));
  // Uniform in a triangle: fold the unit square onto it, then pull 4 % toward its centroid so
  // that no point falls on an edge.
  let u = rng.next();
  let v = rng.next();
  if (u + v > 1) {
    u = 1 - u;
    v = 1 - v;
  }
  u = 1 / 3 + 0.96 * (u - 1 / 3);
  v = 1 / 3 + 0.96 * (v - 1 / 3);
  const c = s.centre;
  return [
    round7(c[0] + u * (p[0] - c[0]) + v * (q[0] - c[0])),
    round7(c[1] + u * (p[1] - c[1]) + v * (q[1] - c[1])),
  ];
}

const boxesOverlap = (a: Star['box'], b: Star['box'], marginDeg: number) =>
  a[0] - marginDeg < b[2] && b[0] - marginDeg < a[2] && a[1] - marginDeg < b[3] && b[1] - marginDeg < a[3];

// ---------------------------------------------------------------------------------------
// Code lists of the demo

const MODELS: Record<string, ReadonlyArray<readonly [string, number]>> = {
  AP: [
    ['PMN-2', 30],
    ['PMN', 15],
    ['POMZ-2M', 15],
    ['OZM-72', 8],
    ['MON-50', 6],
    ['PFM-1', 5],
    ['PMN-4', 4],
    ['OZM-4', 3],
    ['PMD-6', 2],
  ],
  AV: [
    ['TM-62M', 45],
    ['TM-57', 20],
    ['TM-46', 10],
    ['TM-62P', 10],
    ['TM-72', 5],
    ['TMK-2', 5],
    ['TM-83', 5],
  ],
  cluster_munition: [
    ['9N210', 30],
    ['9N235', 30],
    ['ShOAB-0.5', 15],
    ['PTAB-1M', 10],
    ['AO-2.5RT', 10],
  ],
  other_erw: [
    ['82 mm mortar bomb', 20],
    ['120 mm mortar bomb', 15],
    ['VOG-17', 15],
    ['F-1 grenade', 10],
    ['RGD-5', 8],
    ['9M22 122 mm rocket', 8],
    ['122 mm projectile', 8],
    ['152 mm projectile', 6],
    ['PG-7V', 6],
    ['VOG-25', 4],
  ],
  improvised_mine: [['Improvised mine (victim-operated)', 1]],
  booby_trap: [['MS-3', 1]],
};

/** Every catalogue model the demo names (they come from migration 002). */
export const DEMO_MODELS: readonly string[] = Object.values(MODELS).flatMap((list) => list.map(([m]) => m));

const CATEGORY_WEIGHTS: ReadonlyArray<readonly [DeviceCategory, number]> = [
  ['AP', 45],
  ['AV', 20],
  ['cluster_munition', 15],
  ['other_erw', 15],
  ['improvised_mine', 3],
  ['booby_trap', 2],
];

const PLACE_FEATURES = [
  'orchard',
  'pasture',
  'road verge',
  'riverbank',
  'former position',
  'fields',
  'hillside',
  'irrigation canal',
  'vineyard',
  'cemetery road',
  'school approach',
  'water point',
];

const NON_CONFORMITIES = [
  'Worksite marking incomplete along one side',
  'Detector test at the start of the day not recorded',
  'Safety distance between deminers below the SOP minimum',
  'Casualty evacuation plan not displayed at the control point',
  'Lane marking lost after rain and not restored',
  'Clearance depth not verified in two sampled lanes',
  'Dog rest periods not logged',
  'First-aid kit incomplete',
];

// ---------------------------------------------------------------------------------------

/**
 * Generates the demo programme. Example: `generateDemoProgramme().hazards.length` → 300, and
 * `generateDemoProgramme(7)` always returns the same programme for seed 7.
 */
export function generateDemoProgramme(seed: number = DEMO_SEED): DemoProgramme {
  const rng = new Rng(seed);
  const taken = new Set<string>();

  const organisations: DemoOrganisation[] = [
    { key: 'org:0', name: 'Harmony Demining Foundation (demo)', acronym: 'HDF', kind: 'ngo' },
    { key: 'org:1', name: 'Northfield Clearance Services (demo)', acronym: 'NCS', kind: 'commercial' },
    { key: 'org:2', name: 'Engineer Battalion 7 (demo)', acronym: 'EB7', kind: 'military' },
    { key: 'org:3', name: 'Demo National Mine Action Agency', acronym: 'DNMAA', kind: 'authority' },
    { key: 'org:4', name: 'Safe Steps Risk Education (demo)', acronym: 'SSRE', kind: 'ngo' },
  ];
  const operators = organisations.slice(0, 3);
  const authority = organisations[3]!;

  // Admin areas
  const lattice = buildLattice(rng);
  const adminAreas: DemoAdminArea[] = [
    {
      key: 'admin:DM',
      pcode: 'DM',
      name: 'Demo Republic',
      names: { en: 'Demo Republic', ru: 'Демо-Республика', ar: 'جمهورية ديمو' },
      level: 0,
      parentKey: null,
      geometry: multi(blockRing(lattice, 0, COLS, 0, ROWS)),
    },
  ];
  const districts: Array<{ area: DemoAdminArea; ring: Position[] }> = [];
  for (let r = 0; r < 4; r++) {
    const j = Math.floor(r / 2);
    const i0 = (r % 2) * 3;
    const names = inventName(rng, taken);
    const pcode = `DM0${r + 1}`;
    adminAreas.push({
      key: `admin:${pcode}`,
      pcode,
      name: names.en,
      names,
      level: 1,
      parentKey: 'admin:DM',
      geometry: multi(blockRing(lattice, i0, i0 + 3, j, j + 1)),
    });
    for (let d = 0; d < 3; d++) {
      const dn = inventName(rng, taken);
      const dp = `${pcode}0${d + 1}`;
      const ring = blockRing(lattice, i0 + d, i0 + d + 1, j, j + 1);
      const area: DemoAdminArea = {
        key: `admin:${dp}`,
        pcode: dp,
        name: dn.en,
        names: dn,
        level: 2,
        parentKey: `admin:${pcode}`,
        geometry: multi(ring),
      };
      adminAreas.push(area);
      districts.push({ area, ring });
    }
  }

  // Settlements: about four per district, one town per region.
  const settlements: DemoSettlement[] = [];
  districts.forEach(({ area, ring }, d) => {
    const count = 4 + (d % 3 === 1 ? 1 : 0);
    let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of ring) {
      west = Math.min(west, x);
      east = Math.max(east, x);
      south = Math.min(south, y);
      north = Math.max(north, y);
    }
    for (let s = 0; s < count; s++) {
      let p: Position;
      do {
        p = [round6(rng.between(west + 0.01, east - 0.01)), round6(rng.between(south + 0.01, north - 0.01))];
      } while (!pointInRing(p, ring));
      const kind = d % 3 === 1 && s === 0 ? 'town' : rng.chance(0.75) ? 'village' : 'hamlet';
      const population =
        kind === 'town'
          ? rng.int(8_000, 20_000)
          : kind === 'village'
            ? rng.int(300, 3_000)
            : rng.int(40, 300);
      const households = Math.max(1, Math.round(population / rng.between(4, 5.2)));
      const displaced = Math.round(households * rng.between(0.1, 0.8));
      const returned = Math.round((households - displaced) * rng.between(0.2, 0.9));
      const names = inventName(rng, taken);
      settlements.push({
        key: `settlement:${settlements.length}`,
        name: names.en,
        names,
        pcode: `${area.pcode}${String(s + 1).padStart(3, '0')}`,
        kind,
        adminAreaKey: area.key,
        geometry: point(p),
        population,
        households,
        displacedHouseholds: displaced,
        returnedHouseholds: returned,
      });
    }
  });

  // Hazards: 60 % along a former line of contact running SW–NE, 40 % around settlements.
  const front = (t: number): Position => [
    46.6 + 0.8 * t + 0.05 * Math.sin(9 * t),
    39.62 + 0.76 * t + 0.04 * Math.cos(7 * t),
  ];
  const stars: Star[] = [];
  const hazardNear: Array<DemoSettlement | null> = [];
  while (stars.length < 300) {
    const nearFront = rng.chance(0.6);
    let centre: Position;
    let near: DemoSettlement | null = null;
    if (nearFront) {
      const f = front(rng.next());
      centre = offset(f[0], f[1], rng.between(-2500, 2500), rng.between(-2500, 2500));
    } else {
      near = rng.pick(settlements);
      const c = near.geometry.coordinates;
      const dist = rng.between(300, 3000);
      const bearing = rng.between(0, 2 * Math.PI);
      centre = offset(c[0], c[1], dist * Math.sin(bearing), dist * Math.cos(bearing));
    }
    // Log-uniform between about 0.5 and 30 ha (a little inside, for the local-frame approximation).
    const areaM2 = Math.exp(rng.between(Math.log(5_100), Math.log(295_000)));
    const star = makeStar(rng, centre, areaM2);
    const [w, s, e, n] = star.box;
    if (
      w < EXTENT.west + 0.01 ||
      e > EXTENT.east - 0.01 ||
      s < EXTENT.south + 0.01 ||
      n > EXTENT.north - 0.01
    )
      continue;
    if (stars.some((o) => boxesOverlap(o.box, star.box, 0.0005))) continue;
    stars.push(star);
    hazardNear.push(near ?? nearestSettlement(settlements, centre));
  }

  const hazards: DemoHazard[] = [];
  const activities: DemoActivity[] = [];
  const landRelease: DemoLandRelease[] = [];
  const findingSites: Array<{
    star: Star;
    a: number;
    b: number;
    hazard: DemoHazard;
    activity: DemoActivity;
    weight: number;
  }> = [];

  stars.forEach((star, h) => {
    const key = `hazard:${h}`;
    const near = hazardNear[h]!;
    const n = star.vertices.length;
    const org = rng.pick(operators);
    const type: 'SHA' | 'CHA' = rng.chance(0.35) ? 'SHA' : 'CHA';
    const categories = pickCategories(rng, type);
    const benchmarkPos = beyond(star, rng.between(20, 50));
    const benchmark = point(benchmarkPos);
    const surveyStart = rng.int(FIRST_DAY, dayOf('2023-12-31'));
    const surveyEnd = surveyStart + rng.int(1, 10);
    const nts: DemoActivity = {
      key: `activity:${activities.length}`,
      kind: 'NTS',
      organisationKey: org.key,
      hazardKey: key,
      method: 'survey',
      status: 'completed',
      startDate: isoOf(surveyStart),
      endDate: isoOf(surveyEnd),
      geometry: benchmark,
      description: `${SYNTHETIC}. Non-technical survey: community interviews and site visit.`,
    };
    activities.push(nts);

    // Release plan: contiguous arcs of the fan from vertex 0, in the order cancelled, reduced, cleared.
    let status: DemoHazard['status'] = 'open';
    const arcs: Array<{ outcome: DemoLandRelease['outcome']; a: number; b: number; activity: DemoActivity }> =
      [];
    let lastDay = surveyEnd;
    let whole: DemoLandRelease['outcome'] | null = null;
    const roll = rng.next();
    const addActivity = (kind: 'TS' | 'clearance', start: number, end: number | null): DemoActivity => {
      const method =
        kind === 'TS'
          ? rng.weighted([
              ['manual_mdd', 3],
              ['mechanical', 2],
              ['manual_mechanical', 2],
            ] as const)
          : rng.weighted([
              ['manual', 4],
              ['manual_mdd', 3],
              ['manual_mechanical', 3],
              ['mechanical_mdd', 1],
            ] as const);
      const a: DemoActivity = {
        key: `activity:${activities.length}`,
        kind,
        organisationKey: org.key,
        hazardKey: key,
        method,
        status: end === null ? 'in_progress' : 'completed',
        startDate: isoOf(start),
        endDate: end === null ? null : isoOf(end),
        geometry: benchmark,
        description:
          kind === 'TS'
            ? `${SYNTHETIC}. Technical survey to confirm the edges of the contamination.`
            : `${SYNTHETIC}. Clearance to the specified depth.`,
      };
      activities.push(a);
      return a;
    };
    if (type === 'SHA') {
      if (roll < 0.25) {
        status = 'closed';
        whole = 'cancelled';
        arcs.push({ outcome: 'cancelled', a: 0, b: n, activity: nts });
      } else if (roll < 0.5) {
        arcs.push({
          outcome: 'cancelled',
          a: 0,
          b: Math.max(1, Math.round(n * rng.between(0.3, 0.6))),
          activity: nts,
        });
      }
    } else {
      const tsStart = surveyEnd + rng.int(30, 300);
      const tsEnd = tsStart + rng.int(10, 90);
      if (roll < 0.35) {
        status = 'closed';
        const ts = addActivity('TS', tsStart, tsEnd);
        const clStart = tsEnd + rng.int(10, 200);
        const clEnd = clStart + rng.int(20, 300);
        const cl = addActivity('clearance', clStart, clEnd);
        lastDay = clEnd;
        let a = 0;
        if (rng.chance(0.3)) {
          const b = rng.int(1, Math.max(1, Math.floor(n / 4)));
          arcs.push({ outcome: 'cancelled', a, b, activity: nts });
          a = b;
        }
        const b = rng.int(a + 1, Math.max(a + 1, Math.floor(n / 2)));
        arcs.push({ outcome: 'reduced', a, b, activity: ts });
        arcs.push({ outcome: 'cleared', a: b, b: n, activity: cl });
      } else if (roll < 0.6) {
        status = 'in_progress';
        const ts = addActivity('TS', tsStart, tsEnd);
        const clStart = tsEnd + rng.int(10, 200);
        const cl = addActivity('clearance', clStart, null);
        lastDay = Math.min(LAST_DAY, clStart + rng.int(20, 200));
        const b1 = rng.int(1, Math.max(1, Math.floor(n / 3)));
        const b2 = rng.int(b1 + 1, n - 2);
        arcs.push({ outcome: 'reduced', a: 0, b: b1, activity: ts });
        arcs.push({ outcome: 'cleared', a: b1, b: b2, activity: cl });
      } else if (roll < 0.76) {
        const ts = addActivity('TS', tsStart, tsEnd);
        lastDay = tsEnd;
        arcs.push({ outcome: 'reduced', a: 0, b: rng.int(1, Math.max(1, Math.floor(n / 3))), activity: ts });
      }
    }
    const released = arcs.length ? arcs[arcs.length - 1]!.b : 0;
    const ring = starRing(star);
    const remainingGeometry =
      status === 'closed' ? null : released === 0 ? multi(ring) : multi(fanRing(star, released, n));
    const placeName = `${near.name} ${rng.pick(PLACE_FEATURES)}`;
    const hazard: DemoHazard = {
      key,
      name: placeName,
      type,
      status,
      geometry: multi(ring),
      remainingGeometry,
      benchmark,
      deviceCategories: categories,
      evidence: evidenceFor(rng, type, star),
      blockedLandUse: landUses(rng, near, star),
      beneficiaries: Math.round(near.population * rng.between(0.05, 0.6)),
      organisationKey: org.key,
      dateOfInformation: isoOf(Math.min(lastDay, LAST_DAY)),
      description: `${SYNTHETIC}. ${type === 'SHA' ? 'Suspected' : 'Confirmed'} hazardous area near ${near.name}.`,
    };
    hazards.push(hazard);
    for (const arc of arcs) {
      const releasedOn = arc.activity.endDate ?? isoOf(lastDay);
      const lr: DemoLandRelease = {
        key: `lr:${landRelease.length}`,
        outcome: arc.outcome,
        hazardKey: key,
        activityKey: arc.activity.key,
        method: arc.activity.method,
        depthCm:
          arc.outcome === 'cancelled'
            ? null
            : categories.includes('AV')
              ? rng.pick([30, 40, 50])
              : rng.pick(arc.outcome === 'cleared' ? [13, 15, 20] : [10, 13, 15]),
        geometry: whole ? multi(ring) : multi(fanRing(star, arc.a, arc.b)),
        benchmark,
        releasedOn,
      };
      landRelease.push(lr);
      if (arc.outcome !== 'cancelled') {
        const weight = (arc.b - arc.a) * (arc.outcome === 'cleared' ? 6 : 1);
        findingSites.push({ star, a: arc.a, b: arc.b, hazard, activity: arc.activity, weight });
      }
    }
  });

  // Findings: 5 000 devices in reduced and cleared land, most where land was cleared.
  const findings: DemoFinding[] = [];
  const siteChoices = findingSites.map((s) => [s, s.weight] as const);
  for (let f = 0; f < 5000; f++) {
    const site = rng.weighted(siteChoices);
    const category: DeviceCategory = rng.chance(0.1)
      ? 'other_erw'
      : rng.pick(site.hazard.deviceCategories.filter((c) => c !== 'unknown'));
    const model = rng.weighted(MODELS[category] ?? MODELS.other_erw!);
    const start = dayOf(site.activity.startDate);
    const end = site.activity.endDate ? dayOf(site.activity.endDate) : dayOf(site.hazard.dateOfInformation);
    const provenance = rng.chance(0.1);
    const yom = provenance ? rng.int(1968, 1991) : null;
    findings.push({
      category,
      model,
      quantity: category === 'other_erw' && rng.chance(0.15) ? rng.int(2, 6) : 1,
      condition: rng.weighted(
        category === 'AP' || category === 'AV'
          ? ([
              ['intact', 40],
              ['armed', 25],
              ['deteriorated', 15],
              ['damaged', 10],
              ['fuzed', 10],
            ] as const)
          : ([
              ['fuzed', 40],
              ['unfuzed', 10],
              ['damaged', 20],
              ['deteriorated', 20],
              ['unknown', 10],
            ] as const),
      ),
      depthCm:
        category === 'AV'
          ? rng.int(5, 35)
          : category === 'other_erw'
            ? rng.int(0, 60)
            : rng.int(0, category === 'AP' ? 15 : 20),
      disposition: rng.weighted(
        category === 'other_erw'
          ? ([
              ['removed_destroyed', 50],
              ['destroyed_in_situ', 45],
              ['removed_stored', 5],
            ] as const)
          : category === 'cluster_munition'
            ? ([
                ['destroyed_in_situ', 95],
                ['removed_destroyed', 5],
              ] as const)
            : ([
                ['destroyed_in_situ', 70],
                ['removed_destroyed', 25],
                ['rendered_safe', 5],
              ] as const),
      ),
      foundOn: isoOf(rng.int(start, Math.max(start, end))),
      hazardKey: site.hazard.key,
      activityKey: site.activity.key,
      geometry: point(pointInFan(rng, site.star, site.a, site.b)),
      marking: provenance ? `${model} ${rng.int(1, 99)}-${String(yom! % 100).padStart(2, '0')}` : null,
      manufacturer: provenance ? `Plant code ${rng.int(1, 60)} (synthetic)` : null,
      lot: provenance ? `${rng.int(1, 400)}-${String(yom! % 100).padStart(2, '0')}` : null,
      yearOfManufacture: yom,
    });
  }

  // Accidents and casualties
  const accidents: DemoAccident[] = [];
  const casualties: DemoCasualty[] = [];
  const openHazards = hazards
    .map((hz, i) => ({ hz, star: stars[i]! }))
    .filter((x) => x.hz.status !== 'closed');
  const deminingSites = findingSites.filter((s) => s.activity.kind === 'clearance');
  for (let a = 0; a < 200; a++) {
    const key = `accident:${a}`;
    const roll = rng.next();
    let hazardKey: string | null = null;
    let where: Position;
    let category: DeviceCategory;
    let demining: DemoAccident['demining'] = 'no';
    let day: number;
    if (roll < 0.08 && deminingSites.length) {
      const site = rng.pick(deminingSites);
      hazardKey = site.hazard.key;
      where = pointInFan(rng, site.star, site.a, site.b);
      category = rng.pick(site.hazard.deviceCategories.filter((c) => c !== 'unknown'));
      demining = 'yes';
      const start = dayOf(site.activity.startDate);
      day = rng.int(
        start,
        site.activity.endDate ? dayOf(site.activity.endDate) : Math.min(LAST_DAY, start + 60),
      );
    } else if (roll < 0.63) {
      const { hz, star } = rng.pick(openHazards);
      hazardKey = hz.key;
      where = pointInFan(rng, star, 0, star.vertices.length - 1);
      category = rng.chance(0.15) ? 'unknown' : rng.pick(hz.deviceCategories);
      day = rng.int(FIRST_DAY, LAST_DAY);
    } else {
      const s = rng.pick(settlements).geometry.coordinates;
      const dist = rng.between(200, 4000);
      const bearing = rng.between(0, 2 * Math.PI);
      where = offset(s[0], s[1], dist * Math.sin(bearing), dist * Math.cos(bearing));
      category = rng.weighted([...CATEGORY_WEIGHTS, ['unknown', 25]] as const);
      demining = rng.chance(0.2) ? 'unknown' : 'no';
      day = rng.int(FIRST_DAY, LAST_DAY);
    }
    const datePrecision = rng.weighted([
      ['day', 80],
      ['month', 15],
      ['year', 5],
    ] as const);
    const iso = isoOf(day);
    const occurredOn =
      datePrecision === 'day'
        ? iso
        : datePrecision === 'month'
          ? `${iso.slice(0, 8)}01`
          : `${iso.slice(0, 4)}-01-01`;
    const nCasualties = rng.weighted([
      [1, 65],
      [2, 20],
      [3, 10],
      [4, 5],
    ] as const);
    accidents.push({
      key,
      occurredOn,
      datePrecision,
      pointPrecision: rng.weighted([
        ['exact', 35],
        ['within_100m', 25],
        ['within_1km', 20],
        ['settlement', 15],
        ['unknown', 5],
      ] as const),
      deviceCategory: category,
      model:
        category !== 'unknown' && rng.chance(0.4)
          ? rng.weighted(MODELS[category] ?? MODELS.other_erw!)
          : null,
      demining,
      hazardKey,
      geometry: point(where),
      description: `${SYNTHETIC}. ${demining === 'yes' ? 'Demining accident during clearance' : 'Accident'} with ${nCasualties} ${nCasualties === 1 ? 'casualty' : 'casualties'}.`,
    });
    for (let c = 0; c < nCasualties; c++) casualties.push(makeCasualty(rng, key, demining === 'yes'));
  }

  // Risk education sessions
  const riskEducation: DemoRiskEducation[] = [];
  for (let r = 0; r < 40; r++) {
    const s = rng.pick(settlements);
    const band = () => ({ '5-12': rng.int(0, 30), '13-17': rng.int(0, 20), '18+': rng.int(2, 40) });
    riskEducation.push({
      organisationKey: rng.chance(0.7) ? 'org:4' : rng.pick(operators).key,
      heldOn: isoOf(rng.int(FIRST_DAY, LAST_DAY)),
      deliveryMethod: rng.weighted([
        ['face_to_face', 60],
        ['community_focal_point', 15],
        ['printed', 10],
        ['digital', 10],
        ['mass_media', 5],
      ] as const),
      settlementKey: s.key,
      beneficiaries: { female: band(), male: band() },
      geometry: s.geometry,
      description: `${SYNTHETIC}. Explosive ordnance risk education session in ${s.name}.`,
    });
  }

  // QA visits on technical survey and clearance
  const inspectable = activities.filter((a) => a.kind !== 'NTS');
  const qaVisits: DemoQaVisit[] = [];
  for (let q = 0; q < 20; q++) {
    const act = rng.pick(inspectable);
    const start = dayOf(act.startDate);
    const end = act.endDate ? dayOf(act.endDate) : Math.min(LAST_DAY, start + 30);
    const count = rng.weighted([
      [0, 30],
      [1, 35],
      [2, 25],
      [3, 10],
    ] as const);
    const nonConformities = Array.from({ length: count }, () => ({
      description: rng.pick(NON_CONFORMITIES),
      severity: rng.weighted([
        ['critical', 5],
        ['major', 25],
        ['minor', 50],
        ['observation', 20],
      ] as const),
    }));
    qaVisits.push({
      visitedOn: isoOf(rng.int(start, Math.max(start, end))),
      activityKey: act.key,
      inspectedOrganisationKey: act.organisationKey,
      inspectingOrganisationKey: authority.key,
      nonConformities,
      measuresTaken: count
        ? `${SYNTHETIC}. Corrective actions requested from the operator; follow-up visit within 14 days.`
        : `${SYNTHETIC}. No corrective action needed.`,
    });
  }

  const sources = makeSources(rng, hazards, accidents);
  return {
    organisations,
    adminAreas,
    settlements,
    hazards,
    activities,
    landRelease,
    findings,
    accidents,
    casualties,
    riskEducation,
    qaVisits,
    sources,
  };
}

function nearestSettlement(settlements: DemoSettlement[], p: Position): DemoSettlement {
  let best = settlements[0]!;
  let bestD = Infinity;
  for (const s of settlements) {
    const [x, y] = s.geometry.coordinates;
    const d = (x - p[0]) ** 2 + (y - p[1]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}

/** A point `distanceM` beyond vertex 0, away from the centre: outside the star, near its edge. */
function beyond(s: Star, distanceM: number): Position {
  const v = s.vertices[0]!;
  const c = s.centre;
  const east = (v[0] - c[0]) * mPerDegLon(c[1]);
  const north = (v[1] - c[1]) * M_PER_DEG_LAT;
  const len = Math.hypot(east, north);
  return offset(v[0], v[1], (east / len) * distanceM, (north / len) * distanceM);
}

function pickCategories(rng: Rng, type: 'SHA' | 'CHA'): DeviceCategory[] {
  if (type === 'SHA' && rng.chance(0.15)) return ['unknown'];
  const first = rng.weighted(CATEGORY_WEIGHTS);
  if (rng.chance(0.35)) {
    const second = rng.weighted(CATEGORY_WEIGHTS);
    if (second !== first) return [first, second];
  }
  return [first];
}

function evidenceFor(rng: Rng, type: 'SHA' | 'CHA', s: Star): DemoHazard['evidence'] {
  const kinds =
    type === 'SHA'
      ? (['informant', 'marking_sign', 'fighting_position', 'minefield_record', 'crater_or_debris'] as const)
      : (['device_found', 'device_seen', 'accident', 'minefield_record', 'fighting_position'] as const);
  const n = rng.int(1, 3);
  const out: DemoHazard['evidence'] = [];
  const used = new Set<string>();
  for (let k = 0; k < n; k++) {
    const type = rng.pick(kinds);
    if (used.has(type)) continue;
    used.add(type);
    out.push({
      type,
      description: `${SYNTHETIC}: ${type.replace(/_/g, ' ')}.`,
      location: rng.chance(0.5) ? point(pointInFan(rng, s, 0, s.vertices.length - 1)) : null,
    });
  }
  return out;
}

/**
 * The terrain the demo records for a hazard, read from its first blocked land use (no draw of
 * the random sequence, so the rest of the programme is unchanged): fields are agricultural,
 * homes built up, forest dense vegetation, grazing open flat land, water a riverbank; a hazard
 * blocking a road first has no terrain recorded.
 */
export function demoTerrain(h: Pick<DemoHazard, 'blockedLandUse'>): Terrain | null {
  const byUse: Record<string, Terrain> = {
    agriculture: 'agricultural',
    housing: 'urban_built_up',
    infrastructure: 'urban_built_up',
    forest: 'forest_dense_vegetation',
    grazing: 'open_flat',
    water: 'wetland_riverbank',
  };
  return byUse[h.blockedLandUse[0] ?? ''] ?? null;
}

function landUses(rng: Rng, near: DemoSettlement, s: Star): string[] {
  const [x, y] = near.geometry.coordinates;
  const closeToHomes = Math.hypot((x - s.centre[0]) * 0.77, y - s.centre[1]) < 0.015;
  const choices = closeToHomes
    ? (['housing', 'agriculture', 'roads', 'water', 'infrastructure'] as const)
    : (['agriculture', 'grazing', 'forest', 'roads', 'water'] as const);
  const n = rng.int(1, 3);
  const out = new Set<string>();
  for (let k = 0; k < n; k++) out.add(rng.pick(choices));
  return [...out];
}

function makeCasualty(rng: Rng, accidentKey: string, demining: boolean): DemoCasualty {
  const casualtyStatus: DemoCasualty['casualtyStatus'] = demining
    ? 'deminer'
    : rng.weighted([
        ['civilian', 72],
        ['military', 20],
        ['unknown', 8],
      ] as const);
  const sex: DemoCasualty['sex'] =
    casualtyStatus === 'civilian'
      ? rng.weighted([
          ['male', 76],
          ['female', 16],
          ['unknown', 8],
        ] as const)
      : rng.weighted([
          ['male', 95],
          ['unknown', 5],
        ] as const);
  const ageKnown = rng.chance(0.75);
  const child = casualtyStatus === 'civilian' && rng.chance(0.18);
  const age = ageKnown ? (child ? rng.int(5, 17) : rng.int(18, 72)) : null;
  const activityAtTime =
    casualtyStatus === 'deminer'
      ? 'demining'
      : casualtyStatus === 'military'
        ? 'military_activity'
        : child
          ? rng.weighted([
              ['playing', 40],
              ['herding', 25],
              ['tampering', 15],
              ['collecting_wood_or_food', 20],
            ] as const)
          : rng.weighted([
              ['farming', 25],
              ['herding', 20],
              ['collecting_wood_or_food', 15],
              ['travelling', 15],
              ['returning_home', 10],
              ['household', 5],
              ['tampering', 4],
              ['unknown', 6],
            ] as const);
  const outcome = rng.weighted([
    ['killed', 32],
    ['injured', 63],
    ['unknown', 5],
  ] as const);
  return {
    accidentKey,
    sex,
    age,
    ageBand: ageBandOf(age),
    casualtyStatus,
    outcome,
    activityAtTime,
    tamperedWithDevice: activityAtTime === 'tampering' ? 'yes' : rng.chance(0.75) ? 'no' : 'unknown',
    displacementStatus:
      casualtyStatus === 'civilian'
        ? rng.weighted([
            ['resident', 40],
            ['returnee', 30],
            ['idp', 20],
            ['unknown', 10],
          ] as const)
        : 'unknown',
    referral:
      outcome === 'injured' && rng.chance(0.6)
        ? 'Referred to the regional hospital and a rehabilitation centre (synthetic)'
        : null,
  };
}

function makeSources(rng: Rng, hazards: DemoHazard[], accidents: DemoAccident[]): DemoSource[] {
  const some = (slug: string, keys: string[], n: number) =>
    Array.from({ length: n }, () => ({ slug, key: rng.pick(keys) })).filter(
      (v, i, all) => all.findIndex((o) => o.key === v.key) === i,
    );
  const hazardKeys = hazards.map((h) => h.key);
  const accidentKeys = accidents.map((a) => a.key);
  const note = `${SYNTHETIC}: this document does not exist; it shows how sources are recorded.`;
  return [
    {
      key: 'source:0',
      kind: 'un_document',
      title: 'Letter on explosive ordnance contamination in the demo programme area (demo)',
      issuingBody: 'United Nations General Assembly and Security Council (demo)',
      // A symbol in the UN format that cannot exist (document number 0000), so it names no real document.
      documentSymbol: 'A/80/0000-S/2025/0000',
      publishedOn: '2025-02-14',
      language: 'en',
      notes: note,
      supports: some('hazards', hazardKeys, 12),
    },
    {
      key: 'source:1',
      kind: 'government_report',
      title: 'National mine action annual report 2024 (demo)',
      issuingBody: 'Demo National Mine Action Agency',
      documentSymbol: null,
      publishedOn: '2025-04-30',
      language: 'en',
      notes: note,
      supports: some('hazards', hazardKeys, 20),
    },
    {
      key: 'source:2',
      kind: 'treaty_report',
      title: 'Article 7 transparency report, Mine Ban Convention, 2025 (demo)',
      issuingBody: 'Demo Republic, Ministry of Foreign Affairs (demo)',
      documentSymbol: null,
      publishedOn: '2025-04-30',
      language: 'en',
      notes: note,
      supports: [],
    },
    {
      key: 'source:3',
      kind: 'minefield_record',
      title: 'Minefield laying record no. 14, western sector (demo)',
      issuingBody: 'Engineer Battalion 7 (demo)',
      documentSymbol: null,
      publishedOn: '2021-06-01',
      language: 'ru',
      notes: note,
      supports: some('hazards', hazardKeys, 6),
    },
    {
      key: 'source:4',
      kind: 'operator_report',
      title: 'Completion report, clearance tasks 2023 (demo)',
      issuingBody: 'Harmony Demining Foundation (demo)',
      documentSymbol: null,
      publishedOn: '2024-01-20',
      language: 'en',
      notes: note,
      supports: some('hazards', hazardKeys, 10),
    },
    {
      key: 'source:5',
      kind: 'survey_form',
      title: 'Non-technical survey forms, northern districts (demo)',
      issuingBody: 'Northfield Clearance Services (demo)',
      documentSymbol: null,
      publishedOn: '2022-09-15',
      language: 'en',
      notes: note,
      supports: some('hazards', hazardKeys, 15),
    },
    {
      key: 'source:6',
      kind: 'operator_report',
      title: 'Accident investigation reports 2020–2024 (demo)',
      issuingBody: 'Demo National Mine Action Agency',
      documentSymbol: null,
      publishedOn: '2025-01-10',
      language: 'en',
      notes: note,
      supports: some('accidents', accidentKeys, 25),
    },
    {
      key: 'source:7',
      kind: 'media',
      title: 'Regional press coverage of mine accidents (demo)',
      issuingBody: 'Demo regional newspaper',
      documentSymbol: null,
      publishedOn: '2023-07-03',
      language: 'ru',
      notes: note,
      supports: some('accidents', accidentKeys, 10),
    },
    {
      key: 'source:8',
      kind: 'academic',
      title: 'Land use and return of displaced households in contaminated areas (demo)',
      issuingBody: 'Demo university, department of geography',
      documentSymbol: null,
      publishedOn: '2024-11-05',
      language: 'en',
      notes: note,
      supports: [],
    },
    {
      key: 'source:9',
      kind: 'other',
      title: 'Community focal point notes, risk education 2025 (demo)',
      issuingBody: 'Safe Steps Risk Education (demo)',
      documentSymbol: null,
      publishedOn: '2025-09-01',
      language: 'en',
      notes: note,
      supports: [],
    },
  ];
}
