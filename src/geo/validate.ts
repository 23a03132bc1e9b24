/**
 * Geometry validation before anything reaches the database.
 *
 * Why in TypeScript: GEOS errors can hang or kill the embedded PGlite instance, so every
 * geometry a user sends is checked here first, and every fault is reported with a stable
 * code and its place (polygon, ring, vertex, JSON pointer), not just the first one.
 *
 * Why written by hand: no maintained JavaScript library gives OGC Simple Features validity
 * with locations. `@turf/boolean-valid` (7.4) answers only true/false; `@turf/kinks` (7.4)
 * compares every pair of edges (O(n²), minutes for a 100 000-vertex ring), finds crossings
 * but not a ring touching itself at a vertex or folding back on itself, and knows nothing
 * of holes or of polygons overlapping in a MultiPolygon. The parts that are hard to get
 * right are taken from well-kept libraries: exact orientation tests from
 * `robust-predicates` (Shewchuk's adaptive predicates) and the edge index from `flatbush`.
 *
 * Topology is computed in the plane of longitude/latitude degrees. Validity (crossing,
 * touching, containment) depends only on the order of points along straight edges, and
 * the records we hold (hazards, admin areas, land release) span metres to a few hundred
 * kilometres, where an edge drawn as a straight line in degrees is what the database
 * (`geometry(…, 4326)`, also planar in degrees) stores and tests. Areas are computed
 * elsewhere, on the ellipsoid. Rings that cross the antimeridian are not special-cased.
 *
 * Normalisation of a valid geometry: consecutive repeated positions are allowed but
 * dropped from the output; outer rings become counter-clockwise and holes clockwise
 * (RFC 7946 right-hand rule). Repair (ST_MakeValid) is not done here.
 */
import Flatbush from 'flatbush';
import { orient2d as clockwiseness } from 'robust-predicates';
import { Problem, type ProblemLocation, type ProblemParams } from '../domain/problem.ts';
import {
  type Geometry,
  type GeometryType,
  isGeometryType,
  type LineString,
  type MultiLineString,
  type MultiPoint,
  type MultiPolygon,
  type Point,
  type Polygon,
  type Position,
  positionDepth,
} from './geojson.ts';

export type {
  Geometry,
  GeometryType,
  LineString,
  MultiLineString,
  MultiPoint,
  MultiPolygon,
  Point,
  Polygon,
  Position,
} from './geojson.ts';

export interface ValidateOptions {
  /** Most positions one geometry may hold (default 100 000); more is refused before any other check. */
  maxVertices?: number;
}

export const DEFAULT_MAX_VERTICES = 100_000;
/** A broken import row can hold thousands of faults; past this many, reporting stops. */
export const MAX_PROBLEMS = 100;
/** A scribbled ring can cross itself thousands of times; a few locations are enough to fix it. */
export const MAX_CROSSINGS_PER_RING = 10;
/**
 * Edge pairs whose boxes overlap are tested exactly; for ordinary shapes that is a few per
 * edge, but adversarial shapes (long diagonal edges nested in each other) approach n².
 * Past this budget the geometry is refused as too complex rather than tying up the server.
 */
const PAIR_BUDGET_PER_EDGE = 400;
const PAIR_BUDGET_MIN = 10_000_000;

/**
 * Validates a GeoJSON geometry and returns it normalised, or throws a Problem whose
 * `others` holds every further fault.
 * Example: `validateGeometry({ type: 'Point', coordinates: [46.95, 39.94] }, ['Point'])`
 * returns `{ type: 'Point', coordinates: [46.95, 39.94] }`.
 */
export function validateGeometry(
  value: unknown,
  expect: GeometryType[],
  opts: ValidateOptions = {},
): Geometry {
  const { geometry, problems } = inspect(value, expect, opts);
  if (problems.length > 0)
    throw new Problem(problems[0]!.code, problems[0]!.params, problems[0]!.where, problems.slice(1));
  return geometry!;
}

/**
 * Validates an area (Polygon or MultiPolygon) and returns it as a normalised MultiPolygon.
 * Example: a Polygon `[[[0,0],[0,1],[1,1],[1,0],[0,0]]]` (clockwise) comes back as
 * `{ type: 'MultiPolygon', coordinates: [[[[0,0],[1,0],[1,1],[0,1],[0,0]]]] }`.
 */
export function validateArea(value: unknown, opts: ValidateOptions = {}): MultiPolygon {
  const geometry = validateGeometry(value, ['Polygon', 'MultiPolygon'], opts);
  return geometry.type === 'Polygon'
    ? { type: 'MultiPolygon', coordinates: [geometry.coordinates] }
    : (geometry as MultiPolygon);
}

/** Validates a Point. Example: `validatePoint({ type: 'Point', coordinates: [46.95, 39.94, 1200] })`. */
export function validatePoint(value: unknown): Point {
  return validateGeometry(value, ['Point']) as Point;
}

/**
 * Every fault of a geometry, without throwing (importers report all faults of a row).
 * Example: `geometryProblems({ type: 'Point', coordinates: [200, 10] }, ['Point'])[0].code === 'geometry.out_of_range'`.
 */
export function geometryProblems(
  value: unknown,
  expect: GeometryType[],
  opts: ValidateOptions = {},
): Problem[] {
  return inspect(value, expect, opts).problems;
}

// ---------------------------------------------------------------------------------------
// Faults and their places

/** Where a fault is, in words a message can use (`part` picks the phrase) and as a JSON pointer. */
interface Site {
  part: 'point' | 'line' | 'polygon';
  polygon?: number;
  ring?: number;
  line?: number;
  vertex?: number;
  path: string;
}

class Faults {
  readonly list: Problem[] = [];

  constructor(private readonly limit = MAX_PROBLEMS) {}

  get full(): boolean {
    return this.list.length >= this.limit;
  }

  add(code: string, site: Site | undefined, params: ProblemParams = {}): void {
    if (this.full) return;
    const where: ProblemLocation = {};
    const all: ProblemParams = {};
    if (site) {
      where.pointer = site.path;
      all.pointer = site.path;
      all.part = site.part;
      for (const key of ['polygon', 'ring', 'line', 'vertex'] as const) {
        const index = site[key];
        if (index === undefined) continue;
        all[key] = index;
        if (key !== 'line') where[key] = index;
      }
    }
    Object.assign(all, params);
    this.list.push(new Problem(code, all, where));
  }
}

function at(site: Site, extra: Partial<Site>): Site {
  return { ...site, ...extra };
}

/**
 * Exact orientation of c against the directed line a→b: positive when a, b, c turn
 * counter-clockwise (c on the left), negative when clockwise, zero when collinear.
 * `robust-predicates` 3.x returns the opposite sign (positive for clockwise, whatever its
 * README says); a unit test pins this down.
 * Example: `orient2d(0, 0, 1, 0, 0, 1) > 0`.
 */
export function orient2d(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return -clockwiseness(ax, ay, bx, by, cx, cy);
}

// ---------------------------------------------------------------------------------------
// Structure and positions

interface Inspection {
  geometry: Geometry | undefined;
  problems: Problem[];
}

function inspect(value: unknown, expect: GeometryType[], opts: ValidateOptions): Inspection {
  const faults = new Faults();
  const geometry = inspectInto(value, expect, opts.maxVertices ?? DEFAULT_MAX_VERTICES, faults);
  return { geometry: faults.list.length === 0 ? geometry : undefined, problems: faults.list };
}

function inspectInto(
  value: unknown,
  expect: GeometryType[],
  maxVertices: number,
  faults: Faults,
): Geometry | undefined {
  const expected = expect.join(', ');
  if (value === null || value === undefined) {
    faults.add('geometry.null', undefined, { expected });
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    faults.add('geometry.type', undefined, { expected, got: Array.isArray(value) ? 'array' : typeof value });
    return undefined;
  }
  const type = (value as { type?: unknown }).type;
  if (!isGeometryType(type) || !expect.includes(type)) {
    faults.add('geometry.type', undefined, { expected, got: typeof type === 'string' ? type : 'none' });
    return undefined;
  }
  const coordinates = (value as { coordinates?: unknown }).coordinates;
  if (!Array.isArray(coordinates)) {
    faults.add('geometry.coordinates', { part: partOf(type), path: '/coordinates' });
    return undefined;
  }
  const count = countPositions(coordinates, positionDepth(type));
  if (count > maxVertices) {
    faults.add('geometry.too_many_vertices', undefined, { count, max: maxVertices });
    return undefined;
  }
  switch (type) {
    case 'Point':
      return inspectPoint(coordinates, faults);
    case 'MultiPoint':
      return inspectMultiPoint(coordinates, faults);
    case 'LineString':
    case 'MultiLineString':
      return inspectLines(type, coordinates, faults);
    case 'Polygon':
    case 'MultiPolygon':
      return inspectPolygons(type, coordinates, faults);
  }
}

function partOf(type: GeometryType): Site['part'] {
  if (type === 'Point' || type === 'MultiPoint') return 'point';
  if (type === 'LineString' || type === 'MultiLineString') return 'line';
  return 'polygon';
}

/** Positions in nested arrays at `depth` (0 = the array is a position), counting only arrays. */
function countPositions(coordinates: unknown[], depth: number): number {
  if (depth === 0) return 1;
  if (depth === 1) return coordinates.length;
  let total = 0;
  for (const child of coordinates) if (Array.isArray(child)) total += countPositions(child, depth - 1);
  return total;
}

/**
 * A position is two or three finite numbers, longitude within ±180 and latitude within ±90.
 * `vertex` is its index in `list` (the place of the fault is built only when there is one:
 * this runs for every vertex of large geometries).
 */
function readPosition(
  value: unknown,
  list: Site,
  vertex: number | undefined,
  faults: Faults,
): Position | null {
  const site = () => (vertex === undefined ? list : at(list, { vertex, path: `${list.path}/${vertex}` }));
  if (!Array.isArray(value)) {
    faults.add('geometry.position_invalid', site(), { found: 'not_a_list', count: 0 });
    return null;
  }
  const count = value.length;
  if (count !== 2 && count !== 3) {
    faults.add('geometry.position_invalid', site(), { found: 'wrong_length', count });
    return null;
  }
  const lon = value[0];
  const lat = value[1];
  const height = count === 3 ? value[2] : 0;
  if (typeof lon !== 'number' || typeof lat !== 'number' || typeof height !== 'number') {
    faults.add('geometry.position_invalid', site(), { found: 'not_numbers', count });
    return null;
  }
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || !Number.isFinite(height)) {
    const bad = [lon, lat, height].find((n) => !Number.isFinite(n));
    faults.add('geometry.not_finite', site(), { value: String(bad) });
    return null;
  }
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    // Only a hint when swapping would make the position valid; otherwise the order is undecidable.
    const likelySwapped = Math.abs(lat) > 90 && Math.abs(lat) <= 180 && Math.abs(lon) <= 90;
    faults.add('geometry.out_of_range', site(), { lon, lat, likelySwapped });
    return null;
  }
  return count === 3 ? [lon, lat, height] : [lon, lat];
}

/** Positions of a list, each null where faulty (each fault reported); `ok` when none is. */
function readPositions(
  list: unknown[],
  site: Site,
  faults: Faults,
): { positions: (Position | null)[]; ok: boolean } {
  const positions: (Position | null)[] = new Array(list.length);
  let ok = true;
  for (let i = 0; i < list.length; i++) {
    const position = readPosition(list[i], site, i, faults);
    positions[i] = position;
    if (!position) ok = false;
  }
  return { positions, ok };
}

function samePlace(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** Drops consecutive repeats; `orig[i]` is the input index of kept position i. */
function dropRepeats(positions: Position[]): { kept: Position[]; orig: number[] } {
  const kept: Position[] = [];
  const orig: number[] = [];
  for (let i = 0; i < positions.length; i++) {
    if (kept.length > 0 && samePlace(kept[kept.length - 1]!, positions[i]!)) continue;
    kept.push(positions[i]!);
    orig.push(i);
  }
  return { kept, orig };
}

function inspectPoint(coordinates: unknown[], faults: Faults): Point | undefined {
  const position = readPosition(
    coordinates,
    { part: 'point', vertex: 0, path: '/coordinates' },
    undefined,
    faults,
  );
  return position ? { type: 'Point', coordinates: position } : undefined;
}

function inspectMultiPoint(coordinates: unknown[], faults: Faults): MultiPoint | undefined {
  const site: Site = { part: 'point', path: '/coordinates' };
  if (coordinates.length === 0) {
    faults.add('geometry.empty', site);
    return undefined;
  }
  const { positions, ok } = readPositions(coordinates, site, faults);
  return ok ? { type: 'MultiPoint', coordinates: positions as Position[] } : undefined;
}

function inspectLines(
  type: 'LineString' | 'MultiLineString',
  coordinates: unknown[],
  faults: Faults,
): LineString | MultiLineString | undefined {
  const lines = type === 'LineString' ? [coordinates] : coordinates;
  if (type === 'MultiLineString' && lines.length === 0) {
    faults.add('geometry.empty', { part: 'line', path: '/coordinates' });
    return undefined;
  }
  const out: Position[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const site: Site = {
      part: 'line',
      line: i,
      path: type === 'LineString' ? '/coordinates' : `/coordinates/${i}`,
    };
    const line = lines[i];
    if (!Array.isArray(line)) {
      faults.add('geometry.coordinates', site);
      continue;
    }
    const { positions, ok } = readPositions(line, site, faults);
    if (!ok) continue;
    const { kept } = dropRepeats(positions as Position[]);
    if (kept.length < 2) {
      faults.add('geometry.line_too_short', site, { count: kept.length });
      continue;
    }
    // Positions from readPosition are fresh arrays, never the caller's: safe to hand out.
    out.push(kept);
  }
  if (faults.list.length > 0) return undefined;
  return type === 'LineString' ? { type, coordinates: out[0]! } : { type, coordinates: out };
}

/** A ring that passed the checks of its own: closed, long enough, not degenerate. */
interface CleanRing {
  polygon: number;
  ring: number;
  path: string;
  /** Closed (last equals first), without consecutive repeats. */
  positions: Position[];
  /** Input vertex index of each kept position. */
  orig: number[];
}

function inspectPolygons(
  type: 'Polygon' | 'MultiPolygon',
  coordinates: unknown[],
  faults: Faults,
): Polygon | MultiPolygon | undefined {
  const polygons = type === 'Polygon' ? [coordinates] : coordinates;
  if (polygons.length === 0) {
    faults.add('geometry.empty', { part: 'polygon', path: '/coordinates' });
    return undefined;
  }
  const rings: CleanRing[] = [];
  const polygonRings: (CleanRing | null)[][] = [];
  for (let p = 0; p < polygons.length; p++) {
    const polygonPath = type === 'Polygon' ? '/coordinates' : `/coordinates/${p}`;
    const polygon = polygons[p];
    const polygonSite: Site = { part: 'polygon', polygon: p, path: polygonPath };
    polygonRings.push([]);
    if (!Array.isArray(polygon)) {
      faults.add('geometry.coordinates', polygonSite);
      continue;
    }
    if (polygon.length === 0) {
      faults.add('geometry.empty', polygonSite);
      continue;
    }
    for (let r = 0; r < polygon.length; r++) {
      const ringSite: Site = { part: 'polygon', polygon: p, ring: r, path: `${polygonPath}/${r}` };
      const ring = polygon[r];
      let clean: CleanRing | null = null;
      if (!Array.isArray(ring)) faults.add('geometry.coordinates', ringSite);
      else {
        const { positions, ok } = readPositions(ring, ringSite, faults);
        if (ok) clean = checkRing(positions as Position[], ringSite, faults);
        else checkBrokenRing(positions, ringSite, faults);
      }
      if (clean) rings.push(clean);
      polygonRings[p]!.push(clean);
    }
  }
  if (rings.length === 0 || faults.full) return undefined;
  // Topology runs on the rings that are sound on their own; a polygon with a broken ring
  // still gets its other rings checked for crossings, but not for containment.
  const sound = polygonRings.map((list) => list.length > 0 && list.every((r) => r !== null));
  const topology = new RingTopology(rings, sound);
  topology.check(faults);
  if (faults.list.length > 0) return undefined;
  const ringIndex = new Map(rings.map((ring, i) => [ring, i]));
  const normalised = polygonRings.map((list) =>
    list.map((ring, r) => {
      const positions = ring!.positions.slice();
      const ccw = topology.isCounterClockwise(ringIndex.get(ring!)!);
      return ccw === (r === 0) ? positions : positions.reverse();
    }),
  );
  return type === 'Polygon' ? { type, coordinates: normalised[0]! } : { type, coordinates: normalised };
}

/** Closure, length and degeneracy of one ring; returns it without consecutive repeats. */
function checkRing(positions: Position[], site: Site, faults: Faults): CleanRing | null {
  const n = positions.length;
  if (n < 4) {
    faults.add('geometry.ring_too_short', site, { count: n });
    return null;
  }
  if (!samePlace(positions[0]!, positions[n - 1]!)) {
    reportOpenRing(positions[0]!, positions[n - 1]!, n, site, faults);
    return null;
  }
  const { kept, orig } = dropRepeats(positions);
  if (kept.length < 4 || allCollinear(kept)) {
    faults.add('geometry.ring_degenerate', site, { distinct: kept.length - 1 });
    return null;
  }
  return { polygon: site.polygon!, ring: site.ring!, path: site.path, positions: kept, orig };
}

/** Length and closure of a ring with faulty positions, as far as they can be told. */
function checkBrokenRing(positions: (Position | null)[], site: Site, faults: Faults): void {
  const n = positions.length;
  if (n < 4) faults.add('geometry.ring_too_short', site, { count: n });
  else {
    const first = positions[0];
    const last = positions[n - 1];
    if (first && last && !samePlace(first, last)) reportOpenRing(first, last, n, site, faults);
  }
}

function reportOpenRing(first: Position, last: Position, n: number, site: Site, faults: Faults): void {
  faults.add('geometry.ring_not_closed', at(site, { vertex: n - 1, path: `${site.path}/${n - 1}` }), {
    lon: last[0],
    lat: last[1],
    firstLon: first[0],
    firstLat: first[1],
  });
}

/** True when every position lies on one line (exact test), e.g. `[[0,0],[1,1],[2,2],[0,0]]`. */
function allCollinear(ring: Position[]): boolean {
  const [ax, ay] = ring[0]!;
  const b = ring.find((p) => p[0] !== ax || p[1] !== ay);
  if (!b) return true;
  return ring.every((c) => orient2d(ax, ay, b[0], b[1], c[0], c[1]) === 0);
}

// ---------------------------------------------------------------------------------------
// Exact segment contact

/**
 * `cross`: the open segments cross at one point; `touch`: they meet at one point that is an
 * endpoint of at least one of them; `overlap`: they are collinear and share a stretch.
 */
export type ContactKind = 'cross' | 'touch' | 'overlap';

export interface SegmentContact {
  kind: ContactKind;
  /** The crossing or touching point; for an overlap, one end of the shared stretch. */
  x: number;
  y: number;
}

/**
 * How segment ab meets segment cd, decided with exact orientation tests.
 * Example: `segmentContact(0,0, 2,2, 0,2, 2,0)` is `{ kind: Cross, x: 1, y: 1 }`.
 */
export function segmentContact(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): SegmentContact | null {
  const d1 = orient2d(ax, ay, bx, by, cx, cy);
  const d2 = orient2d(ax, ay, bx, by, dx, dy);
  if ((d1 > 0 && d2 > 0) || (d1 < 0 && d2 < 0)) return null;
  if (d1 === 0 && d2 === 0) return collinearContact(ax, ay, bx, by, cx, cy, dx, dy);
  const d3 = orient2d(cx, cy, dx, dy, ax, ay);
  const d4 = orient2d(cx, cy, dx, dy, bx, by);
  if ((d3 > 0 && d4 > 0) || (d3 < 0 && d4 < 0)) return null;
  if (d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0) {
    // Proper crossing: the point is computed in floating point (approximate, for messages).
    const t = d3 / (d3 - d4);
    return { kind: 'cross', x: ax + t * (bx - ax), y: ay + t * (by - ay) };
  }
  if (d1 === 0) return { kind: 'touch', x: cx, y: cy };
  if (d2 === 0) return { kind: 'touch', x: dx, y: dy };
  if (d3 === 0) return { kind: 'touch', x: ax, y: ay };
  return { kind: 'touch', x: bx, y: by };
}

function collinearContact(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): SegmentContact | null {
  // On a common line, compare along the axis where ab is longer: exact, as only inputs are compared.
  const alongX = Math.abs(bx - ax) >= Math.abs(by - ay);
  const a = alongX ? ax : ay;
  const b = alongX ? bx : by;
  const c = alongX ? cx : cy;
  const d = alongX ? dx : dy;
  const lo = Math.max(Math.min(a, b), Math.min(c, d));
  const hi = Math.min(Math.max(a, b), Math.max(c, d));
  if (lo > hi) return null;
  const point = (v: number): [number, number] => {
    if (v === a) return [ax, ay];
    if (v === b) return [bx, by];
    if (v === c) return [cx, cy];
    return [dx, dy];
  };
  const [x, y] = point(lo);
  return { kind: lo === hi ? 'touch' : 'overlap', x, y };
}

/** Position of (px,py) along segment ab from 0 to 1, measured on its longer axis. */
function along(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  if (px === ax && py === ay) return 0;
  if (px === bx && py === by) return 1;
  return Math.abs(bx - ax) >= Math.abs(by - ay) ? (px - ax) / (bx - ax) : (py - ay) / (by - ay);
}

// ---------------------------------------------------------------------------------------
// Ring topology: self-intersection, rings of a polygon, polygons of a MultiPolygon

export interface RingCrossing {
  /** Input indices of the vertices where the two edges start (vertexA < vertexB). */
  vertexA: number;
  vertexB: number;
  lon: number;
  lat: number;
}

/**
 * Every place where a closed ring crosses or touches itself (OGC: only the closing point may
 * repeat), by the edges involved. Consecutive repeats are ignored. A ring that is open,
 * shorter than 4 positions or all on one line has no answer here and gives `[]`.
 * Example: the bow-tie `[[0,0],[1,1],[1,0],[0,1],[0,0]]` gives
 * `[{ vertexA: 0, vertexB: 2, lon: 0.5, lat: 0.5 }]`.
 */
export function ringSelfIntersections(ring: Position[], limit = Number.POSITIVE_INFINITY): RingCrossing[] {
  const faults = new Faults();
  const clean = checkRing(ring, { part: 'polygon', polygon: 0, ring: 0, path: '' }, faults);
  if (!clean) return [];
  const topology = new RingTopology([clean], [false], limit);
  return topology.selfCrossings();
}

interface RingContact {
  other: number;
  edge: number;
  t: number;
  x: number;
  y: number;
}

type Place = 'in' | 'out' | 'on';

/**
 * All rings of one geometry in flat arrays, one spatial index over their edges, and the
 * pairwise analysis. Every candidate pair of edges is found once through the index (boxes
 * that overlap), then decided exactly; a ring of n edges costs O(n log n) for ordinary shapes.
 */
class RingTopology {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  /** First vertex of each ring in xs/ys; the ring's vertices are closed (last = first). */
  private readonly ringStart: Int32Array;
  private readonly ringEdges: Int32Array;
  private readonly edgeRing: Int32Array;
  private readonly edgeStart: Int32Array;
  private readonly ccw: boolean[];
  private readonly edges: Flatbush;
  private readonly contacts: RingContact[][];
  private readonly crossings: RingCrossing[][];
  private readonly badPolygons = new Set<number>();
  private readonly reportedPairs = new Set<string>();
  private tooComplex = false;

  constructor(
    private readonly rings: CleanRing[],
    /** Polygons all of whose rings are sound: only these get containment checks. */
    private readonly soundPolygons: boolean[],
    private readonly crossingLimit = MAX_CROSSINGS_PER_RING,
  ) {
    let vertexCount = 0;
    let edgeCount = 0;
    for (const ring of rings) {
      vertexCount += ring.positions.length;
      edgeCount += ring.positions.length - 1;
    }
    this.xs = new Float64Array(vertexCount);
    this.ys = new Float64Array(vertexCount);
    this.ringStart = new Int32Array(rings.length);
    this.ringEdges = new Int32Array(rings.length);
    this.edgeRing = new Int32Array(edgeCount);
    this.edgeStart = new Int32Array(edgeCount);
    this.edges = new Flatbush(edgeCount);
    this.contacts = rings.map(() => []);
    this.crossings = rings.map(() => []);
    let v = 0;
    let e = 0;
    for (let r = 0; r < rings.length; r++) {
      const positions = rings[r]!.positions;
      this.ringStart[r] = v;
      this.ringEdges[r] = positions.length - 1;
      for (let i = 0; i < positions.length; i++) {
        this.xs[v + i] = positions[i]![0];
        this.ys[v + i] = positions[i]![1];
      }
      for (let i = 0; i < positions.length - 1; i++, e++) {
        const a = v + i;
        this.edgeRing[e] = r;
        this.edgeStart[e] = a;
        this.edges.add(
          Math.min(this.xs[a]!, this.xs[a + 1]!),
          Math.min(this.ys[a]!, this.ys[a + 1]!),
          Math.max(this.xs[a]!, this.xs[a + 1]!),
          Math.max(this.ys[a]!, this.ys[a + 1]!),
        );
      }
      v += positions.length;
    }
    this.edges.finish();
    this.ccw = rings.map((_, r) => this.orientation(r));
  }

  isCounterClockwise(ring: number): boolean {
    return this.ccw[ring]!;
  }

  selfCrossings(): RingCrossing[] {
    this.scanEdgePairs(new Faults(Number.POSITIVE_INFINITY));
    return this.crossings.flat();
  }

  check(faults: Faults): void {
    this.scanEdgePairs(faults);
    if (this.tooComplex || faults.full) return;
    const byPolygon = new Map<number, number[]>();
    this.rings.forEach((ring, r) => {
      const list = byPolygon.get(ring.polygon) ?? [];
      list.push(r);
      byPolygon.set(ring.polygon, list);
    });
    const checkable = (p: number) => this.soundPolygons[p] && !this.badPolygons.has(p);
    for (const [p, rings] of byPolygon) if (checkable(p)) this.checkPolygon(rings, faults);
    const shells = [...byPolygon.entries()].filter(([p]) => checkable(p)).map(([p, rings]) => ({ p, rings }));
    if (shells.length > 1) this.checkPolygonPairs(shells, faults);
  }

  /** Orientation from the lowest (then leftmost) vertex, which is convex in a simple ring: exact. */
  private orientation(r: number): boolean {
    const start = this.ringStart[r]!;
    const n = this.ringEdges[r]!;
    let low = start;
    for (let i = start + 1; i < start + n; i++) {
      if (this.ys[i]! < this.ys[low]! || (this.ys[i] === this.ys[low] && this.xs[i]! < this.xs[low]!))
        low = i;
    }
    const prev = low === start ? start + n - 1 : low - 1;
    const next = low + 1;
    const turn = orient2d(
      this.xs[prev]!,
      this.ys[prev]!,
      this.xs[low]!,
      this.ys[low]!,
      this.xs[next]!,
      this.ys[next]!,
    );
    if (turn !== 0) return turn > 0;
    // A spike at the lowest vertex (the ring is invalid anyway): fall back to the signed area.
    let twiceArea = 0;
    for (let i = start; i < start + n; i++) {
      twiceArea += (this.xs[i]! - this.xs[start]!) * (this.ys[i + 1]! - this.ys[start]!);
      twiceArea -= (this.xs[i + 1]! - this.xs[start]!) * (this.ys[i]! - this.ys[start]!);
    }
    return twiceArea > 0;
  }

  private siteOf(r: number, edge: number): Site {
    const ring = this.rings[r]!;
    const vertex = ring.orig[edge]!;
    return {
      part: 'polygon',
      polygon: ring.polygon,
      ring: ring.ring,
      vertex,
      path: `${ring.path}/${vertex}`,
    };
  }

  private scanEdgePairs(faults: Faults): void {
    const edgeCount = this.edgeRing.length;
    let budget = Math.max(PAIR_BUDGET_MIN, PAIR_BUDGET_PER_EDGE * edgeCount);
    const { xs, ys, edgeStart } = this;
    for (let s = 0; s < edgeCount && !faults.full; s++) {
      const a = edgeStart[s]!;
      const minX = Math.min(xs[a]!, xs[a + 1]!);
      const minY = Math.min(ys[a]!, ys[a + 1]!);
      const maxX = Math.max(xs[a]!, xs[a + 1]!);
      const maxY = Math.max(ys[a]!, ys[a + 1]!);
      this.edges.search(minX, minY, maxX, maxY, (u) => {
        if (u > s && budget-- > 0) this.decidePair(s, u, faults);
        return false;
      });
      if (budget <= 0) {
        this.tooComplex = true;
        faults.add('geometry.too_complex', undefined, { edges: edgeCount });
        return;
      }
    }
  }

  private decidePair(s: number, u: number, faults: Faults): void {
    const { xs, ys } = this;
    const rs = this.edgeRing[s]!;
    const ru = this.edgeRing[u]!;
    const a = this.edgeStart[s]!;
    const c = this.edgeStart[u]!;
    const es = a - this.ringStart[rs]!;
    const eu = c - this.ringStart[ru]!;
    if (rs === ru) {
      const last = this.ringEdges[rs]! - 1;
      // Neighbouring edges share a vertex by construction; they are at fault only when they fold back.
      if (eu === es + 1) {
        if (foldsBack(xs, ys, a, a + 1, c + 1)) this.selfCrossing(rs, es, eu, xs[a + 1]!, ys[a + 1]!, faults);
        return;
      }
      if (es === 0 && eu === last) {
        if (foldsBack(xs, ys, a + 1, a, c)) this.selfCrossing(rs, es, eu, xs[a]!, ys[a]!, faults);
        return;
      }
    }
    const contact = segmentContact(
      xs[a]!,
      ys[a]!,
      xs[a + 1]!,
      ys[a + 1]!,
      xs[c]!,
      ys[c]!,
      xs[c + 1]!,
      ys[c + 1]!,
    );
    if (!contact) return;
    if (rs === ru) {
      this.selfCrossing(rs, es, eu, contact.x, contact.y, faults);
      return;
    }
    const ps = this.rings[rs]!.polygon;
    const pu = this.rings[ru]!.polygon;
    if (contact.kind === 'touch') {
      this.addContact(
        rs,
        ru,
        es,
        along(xs[a]!, ys[a]!, xs[a + 1]!, ys[a + 1]!, contact.x, contact.y),
        contact,
      );
      this.addContact(
        ru,
        rs,
        eu,
        along(xs[c]!, ys[c]!, xs[c + 1]!, ys[c + 1]!, contact.x, contact.y),
        contact,
      );
      return;
    }
    if (ps === pu) {
      this.ringIntersection(rs, ru, es, contact.x, contact.y, faults);
      return;
    }
    let code = 'geometry.polygons_overlap';
    if (contact.kind === 'overlap') {
      // Shared stretch: with each ring oriented as it will be stored (interior on the left),
      // the interiors lie on the same side, and overlap, exactly when the edges run the same way.
      const dot =
        (xs[a + 1]! - xs[a]!) * (xs[c + 1]! - xs[c]!) + (ys[a + 1]! - ys[a]!) * (ys[c + 1]! - ys[c]!);
      const flip = this.storedReversed(rs) !== this.storedReversed(ru);
      if (dot > 0 === flip) code = 'geometry.polygons_share_edge';
    }
    this.polygonPair(code, ps, pu, rs, es, contact.x, contact.y, faults);
  }

  /** Whether a ring will be stored reversed (outer rings counter-clockwise, holes clockwise). */
  private storedReversed(r: number): boolean {
    return this.ccw[r] !== (this.rings[r]!.ring === 0);
  }

  private addContact(r: number, other: number, edge: number, t: number, point: SegmentContact): void {
    // A contact at the end of an edge is the start of the next: one place, one key.
    const normalised = t >= 1 ? { edge: (edge + 1) % this.ringEdges[r]!, t: 0 } : { edge, t };
    this.contacts[r]!.push({ other, ...normalised, x: point.x, y: point.y });
  }

  private selfCrossing(r: number, es: number, eu: number, x: number, y: number, faults: Faults): void {
    this.badPolygons.add(this.rings[r]!.polygon);
    const list = this.crossings[r]!;
    if (list.length >= this.crossingLimit) return;
    const ring = this.rings[r]!;
    const crossing = { vertexA: ring.orig[es]!, vertexB: ring.orig[eu]!, lon: x, lat: y };
    list.push(crossing);
    faults.add('geometry.self_intersection', this.siteOf(r, es), { ...crossing });
  }

  private ringIntersection(
    r: number,
    other: number,
    edge: number,
    x: number,
    y: number,
    faults: Faults,
  ): void {
    this.badPolygons.add(this.rings[r]!.polygon);
    const key = `r${Math.min(r, other)}:${Math.max(r, other)}`;
    if (this.reportedPairs.has(key)) return;
    this.reportedPairs.add(key);
    faults.add('geometry.ring_intersection', this.siteOf(r, edge), {
      otherRing: this.rings[other]!.ring,
      lon: x,
      lat: y,
    });
  }

  private polygonPair(
    code: string,
    p: number,
    q: number,
    r: number,
    edge: number,
    x: number,
    y: number,
    faults: Faults,
  ): void {
    const key = `p${Math.min(p, q)}:${Math.max(p, q)}`;
    if (this.reportedPairs.has(key)) return;
    this.reportedPairs.add(key);
    faults.add(code, this.siteOf(r, edge), { otherPolygon: q, lon: x, lat: y });
  }

  /** Holes inside the shell, not inside each other, and an interior in one piece. */
  private checkPolygon(rings: number[], faults: Faults): void {
    const [shell, ...holes] = rings as [number, ...number[]];
    let bad = false;
    for (const hole of holes) {
      const verdict = this.arcsAgainst(hole, [shell], (places) => places[0]!);
      if (verdict.outside && verdict.inside) {
        this.ringIntersection(hole, shell, verdict.contactEdge, verdict.x, verdict.y, faults);
        bad = true;
      } else if (verdict.outside) {
        faults.add('geometry.hole_outside_shell', this.siteOf(hole, verdict.sampleEdge), {
          lon: verdict.x,
          lat: verdict.y,
        });
        bad = true;
      }
    }
    for (let i = 0; i < holes.length; i++) {
      for (let j = i + 1; j < holes.length; j++) {
        const h = holes[i]!;
        const g = holes[j]!;
        if (!this.boxesMeet(h, g)) continue;
        for (const [inner, outer] of [
          [h, g],
          [g, h],
        ] as const) {
          const verdict = this.arcsAgainst(inner, [outer], (places) => places[0]!);
          if (verdict.inside && verdict.outside) {
            this.ringIntersection(inner, outer, verdict.contactEdge, verdict.x, verdict.y, faults);
            bad = true;
          } else if (verdict.inside) {
            faults.add('geometry.holes_nested', this.siteOf(inner, verdict.sampleEdge), {
              otherRing: this.rings[outer]!.ring,
              lon: verdict.x,
              lat: verdict.y,
            });
            bad = true;
          }
        }
      }
    }
    if (!bad) this.checkConnectedInterior(rings, faults);
  }

  private boxesMeet(r: number, g: number): boolean {
    const [a0, a1, a2, a3] = this.ringBox(r);
    const [b0, b1, b2, b3] = this.ringBox(g);
    return a0 <= b2 && b0 <= a2 && a1 <= b3 && b1 <= a3;
  }

  private ringBox(r: number): [number, number, number, number] {
    const start = this.ringStart[r]!;
    const end = start + this.ringEdges[r]!;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      minX = Math.min(minX, this.xs[i]!);
      maxX = Math.max(maxX, this.xs[i]!);
      minY = Math.min(minY, this.ys[i]!);
      maxY = Math.max(maxY, this.ys[i]!);
    }
    return [minX, minY, maxX, maxY];
  }

  /**
   * Rings that touch only at points split the interior exactly when the graph of rings and
   * touching points has a cycle (e.g. a hole touching the shell twice cuts off a piece).
   */
  private checkConnectedInterior(rings: number[], faults: Faults): void {
    const inPolygon = new Set(rings);
    const parent: number[] = rings.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]!]!;
        i = parent[i]!;
      }
      return i;
    };
    const pointNode = new Map<string, number>();
    for (let i = 0; i < rings.length; i++) {
      const seen = new Set<string>();
      for (const c of this.contacts[rings[i]!]!) {
        if (!inPolygon.has(c.other)) continue;
        const key = `${c.x},${c.y}`;
        if (seen.has(key)) continue;
        seen.add(key);
        let node = pointNode.get(key);
        if (node === undefined) {
          node = parent.length;
          parent.push(node);
          pointNode.set(key, node);
        }
        const a = find(i);
        const b = find(node);
        if (a === b) {
          faults.add('geometry.interior_disconnected', this.siteOf(rings[i]!, c.edge), {
            lon: c.x,
            lat: c.y,
          });
          return;
        }
        parent[a] = b;
      }
    }
  }

  /** Polygons of a MultiPolygon may touch at points but their interiors may not meet. */
  private checkPolygonPairs(polygons: { p: number; rings: number[] }[], faults: Faults): void {
    const boxes = new Flatbush(polygons.length);
    for (const { rings } of polygons) {
      const [minX, minY, maxX, maxY] = this.ringBox(rings[0]!);
      boxes.add(minX, minY, maxX, maxY);
    }
    boxes.finish();
    for (let i = 0; i < polygons.length && !faults.full; i++) {
      const [minX, minY, maxX, maxY] = this.ringBox(polygons[i]!.rings[0]!);
      for (const j of boxes.search(minX, minY, maxX, maxY)) {
        if (j <= i) continue;
        const P = polygons[i]!;
        const Q = polygons[j]!;
        if (this.reportedPairs.has(`p${P.p}:${Q.p}`)) continue;
        for (const [inner, outer] of [
          [Q, P],
          [P, Q],
        ] as const) {
          const verdict = this.arcsAgainst(inner.rings[0]!, outer.rings, interiorOfPolygon);
          if (verdict.inside) {
            this.polygonPair(
              'geometry.polygons_overlap',
              inner.p,
              outer.p,
              inner.rings[0]!,
              verdict.sampleEdge,
              verdict.x,
              verdict.y,
              faults,
            );
            break;
          }
        }
      }
    }
  }

  /**
   * Splits ring `r` at its contacts with `others` into arcs that each lie wholly inside or
   * wholly outside, and places one point of each arc with `decide` (given the point's place
   * relative to each of `others`, in order). With no contacts the ring is one arc.
   */
  private arcsAgainst(
    r: number,
    others: number[],
    decide: (places: Place[]) => Place,
  ): { inside: boolean; outside: boolean; x: number; y: number; sampleEdge: number; contactEdge: number } {
    const wanted = new Set(others);
    const contacts = this.contacts[r]!.filter((c) => wanted.has(c.other)).sort(
      (a, b) => a.edge - b.edge || a.t - b.t,
    );
    const start = this.ringStart[r]!;
    const samples: { x: number; y: number; edge: number }[] = [];
    if (contacts.length === 0) samples.push({ x: this.xs[start]!, y: this.ys[start]!, edge: 0 });
    for (let k = 0; k < contacts.length; k++) {
      const c = contacts[k]!;
      if (k > 0 && contacts[k - 1]!.edge === c.edge && contacts[k - 1]!.t === c.t) continue;
      const next = contacts.slice(k + 1).find((d) => d.edge === c.edge && d.t > c.t);
      const end = start + c.edge + 1;
      const nx = next ? next.x : this.xs[end]!;
      const ny = next ? next.y : this.ys[end]!;
      samples.push({ x: (c.x + nx) / 2, y: (c.y + ny) / 2, edge: c.edge });
    }
    const verdict = {
      inside: false,
      outside: false,
      x: samples[0]!.x,
      y: samples[0]!.y,
      sampleEdge: 0,
      contactEdge: 0,
    };
    let placed = false;
    for (const sample of samples) {
      const place = decide(this.placesOf(sample.x, sample.y, others));
      if (place === 'on') continue;
      if (place === 'in') verdict.inside = true;
      else verdict.outside = true;
      if (!placed) {
        Object.assign(verdict, { x: sample.x, y: sample.y, sampleEdge: sample.edge });
        placed = true;
      }
    }
    if (contacts.length > 0) verdict.contactEdge = contacts[0]!.edge;
    if (verdict.inside && verdict.outside && contacts.length > 0) {
      verdict.x = contacts[0]!.x;
      verdict.y = contacts[0]!.y;
    }
    return verdict;
  }

  /**
   * Place of a point relative to each ring in `rings` by winding number, counting only edges
   * that the rightward ray from the point can meet (found through the index); exact.
   */
  private placesOf(px: number, py: number, rings: number[]): Place[] {
    const slot = new Map<number, number>(rings.map((r, i) => [r, i]));
    const winding = rings.map(() => 0);
    const on = rings.map(() => false);
    const { xs, ys } = this;
    this.edges.search(px, py, Math.max(px, this.edges.maxX), py, (e) => {
      const i = slot.get(this.edgeRing[e]!);
      if (i === undefined) return false;
      const a = this.edgeStart[e]!;
      const ax = xs[a]!;
      const ay = ys[a]!;
      const bx = xs[a + 1]!;
      const by = ys[a + 1]!;
      const side = orient2d(ax, ay, bx, by, px, py);
      if (
        side === 0 &&
        px >= Math.min(ax, bx) &&
        px <= Math.max(ax, bx) &&
        py >= Math.min(ay, by) &&
        py <= Math.max(ay, by)
      ) {
        on[i] = true;
      }
      if (ay <= py) {
        if (by > py && side > 0) winding[i]!++;
      } else if (by <= py && side < 0) winding[i]!--;
      return false;
    });
    return rings.map((_, i) => (on[i] ? 'on' : winding[i] !== 0 ? 'in' : 'out'));
  }
}

/** Inside a polygon (shell first, then holes): inside the shell and inside or on no hole. */
function interiorOfPolygon(places: Place[]): Place {
  if (places.some((p) => p === 'on')) return 'on';
  return places[0] === 'in' && places.slice(1).every((p) => p === 'out') ? 'in' : 'out';
}

/** Whether edges p→v and v→q run back over each other (collinear, q on the side of p). */
function foldsBack(xs: Float64Array, ys: Float64Array, p: number, v: number, q: number): boolean {
  if (orient2d(xs[p]!, ys[p]!, xs[v]!, ys[v]!, xs[q]!, ys[q]!) !== 0) return false;
  return (xs[p]! - xs[v]!) * (xs[q]! - xs[v]!) + (ys[p]! - ys[v]!) * (ys[q]! - ys[v]!) > 0;
}
