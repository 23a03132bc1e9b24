import { union } from 'polyclip-ts';
import type { DistanceUnit, RecordErrorModel } from '../domain/minefield-record.ts';
import { isProblem, Problem } from '../domain/problem.ts';

/**
 * Error figures for decoding a minefield record, used when the record does not give its
 * own (`errors` in the record). Each σ is one standard deviation; the reasoning for each
 * default is in docs/minefield-records.md.
 */
export const RECORD_ERROR_DEFAULTS = {
  /** Landmark/reference coordinates as read from a 1:50 000 map: 0.2 mm of map = 10 m, per axis. */
  landmarkSigmaM: 10,
  /** Residual of the datum transformation (Pulkovo 1942 → WGS 84, per axis); 0 is used for WGS 84 CRSs. */
  datumSigmaM: 5,
  /** IGRF main-field declination against the real local one (crustal anomalies, model error), for magnetic bearings. */
  declinationSigmaDeg: 0.5,
  /** Grid convergence is computed, not read: only a wrong zone would make it wrong, which is not noise. */
  convergenceSigmaDeg: 0,
  /** One compass reading (Adrianov-type compass, divisions of 3° or 0-50), independent per leg. */
  compassSigmaDeg: 2,
  /** Random error of one leg's distance, percent of the leg, by unit (tape or rangefinder vs. pacing). */
  distanceSigmaPercent: { m: 1, pace: 5, pair_of_steps: 5 } as Record<DistanceUnit, number>,
  /** Systematic error of the unit's length (one pacer's step), percent, common to all legs in that unit. */
  distanceScaleSigmaPercent: { m: 0, pace: 7, pair_of_steps: 7 } as Record<DistanceUnit, number>,
} as const;

/** Radius factor of the circle that holds a 2-D normal's 95 % ellipse: √χ²₂(0.95) = √(−2 ln 0.05). */
export const CHI2_2D_95_FACTOR = Math.sqrt(-2 * Math.log(0.05));

/** The error figures in force for one decoding: the record's own, else the defaults. */
export interface ResolvedErrorModel {
  landmarkSigmaM: number;
  datumSigmaM: number;
  declinationSigmaDeg: number;
  convergenceSigmaDeg: number;
  compassSigmaDeg: number;
  distanceSigmaPercent: Record<DistanceUnit, number>;
  distanceScaleSigmaPercent: Record<DistanceUnit, number>;
}

/**
 * Merges a record's error figures over the defaults; a single percentage in the record
 * applies to every distance unit.
 *
 * @example resolveErrorModel({ compassSigmaDeg: 1 }).compassSigmaDeg // 1
 */
export function resolveErrorModel(own: RecordErrorModel | undefined): ResolvedErrorModel {
  const d = RECORD_ERROR_DEFAULTS;
  const perUnit = (v: number | undefined, base: Record<DistanceUnit, number>) =>
    v === undefined ? { ...base } : { m: v, pace: v, pair_of_steps: v };
  return {
    landmarkSigmaM: own?.landmarkSigmaM ?? d.landmarkSigmaM,
    datumSigmaM: own?.datumSigmaM ?? d.datumSigmaM,
    declinationSigmaDeg: own?.declinationSigmaDeg ?? d.declinationSigmaDeg,
    convergenceSigmaDeg: own?.convergenceSigmaDeg ?? d.convergenceSigmaDeg,
    compassSigmaDeg: own?.compassSigmaDeg ?? d.compassSigmaDeg,
    distanceSigmaPercent: perUnit(own?.distanceSigmaPercent, d.distanceSigmaPercent),
    distanceScaleSigmaPercent: perUnit(own?.distanceScaleSigmaPercent, d.distanceScaleSigmaPercent),
  };
}

/**
 * Linearised error propagation along a traverse in a local east/north plane.
 *
 * Every error source is one parameter with a σ (metres, radians or a unit-less scale).
 * A point's position is the origin plus a sum of legs d·(sin θ, cos θ), so its Jacobian
 * with respect to the parameters is accumulated leg by leg: a bearing error (compass
 * reading, declination, convergence) moves the leg end by d·(cos θ, −sin θ)·δθ, a
 * distance error by (sin θ, cos θ)·δd, a scale error by d·(sin θ, cos θ)·δs. Parameters
 * shared by several legs (declination, pace length) make their errors correlated, which
 * is why they are parameters and not per-leg variances. The covariance of a point is
 * J·diag(σ²)·Jᵀ.
 */
export class TraversePropagation {
  private readonly sigmas: number[] = [];
  private readonly names: string[] = [];
  private readonly byName = new Map<string, number>();

  /** Index of the parameter `name`, created with σ `sigma` the first time. */
  parameter(name: string, sigma: number): number {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    this.sigmas.push(sigma);
    this.names.push(name);
    this.byName.set(name, this.sigmas.length - 1);
    return this.sigmas.length - 1;
  }

  get parameterNames(): readonly string[] {
    return this.names;
  }

  get parameterSigmas(): readonly number[] {
    return this.sigmas;
  }

  /** The Jacobian of a point known directly: `eastParams` move it east one for one, `northParams` north. */
  origin(eastParams: number[], northParams: number[]): PointJacobian {
    const j: PointJacobian = { east: new Map(), north: new Map() };
    for (const i of eastParams) j.east.set(i, 1);
    for (const i of northParams) j.north.set(i, 1);
    return j;
  }

  /**
   * The Jacobian of the end of a leg of `distanceM` at azimuth `azimuthDeg` from a point.
   * `bearingParams` are parameters that rotate the leg (radians), `distanceParams` add
   * metres along it, `scaleParams` scale it.
   */
  leg(
    from: PointJacobian,
    azimuthDeg: number,
    distanceM: number,
    sources: { bearingParams: number[]; distanceParams: number[]; scaleParams: number[] },
  ): PointJacobian {
    const t = (azimuthDeg * Math.PI) / 180;
    const [s, c] = [Math.sin(t), Math.cos(t)];
    const east = new Map(from.east);
    const north = new Map(from.north);
    const add = (i: number, de: number, dn: number) => {
      east.set(i, (east.get(i) ?? 0) + de);
      north.set(i, (north.get(i) ?? 0) + dn);
    };
    for (const i of sources.bearingParams) add(i, distanceM * c, -distanceM * s);
    for (const i of sources.distanceParams) add(i, s, c);
    for (const i of sources.scaleParams) add(i, distanceM * s, distanceM * c);
    return { east, north };
  }

  /** Covariance [σee, σen, σnn] (m²) of a point. */
  covariance(j: PointJacobian): Covariance2 {
    let ee = 0;
    let en = 0;
    let nn = 0;
    const keys = new Set([...j.east.keys(), ...j.north.keys()]);
    for (const i of keys) {
      const v = this.sigmas[i]! ** 2;
      const e = j.east.get(i) ?? 0;
      const n = j.north.get(i) ?? 0;
      ee += e * e * v;
      en += e * n * v;
      nn += n * n * v;
    }
    return [ee, en, nn];
  }
}

export interface PointJacobian {
  east: Map<number, number>;
  north: Map<number, number>;
}

export type Covariance2 = [ee: number, en: number, nn: number];

export interface ErrorEllipse {
  /** 1-σ semi-axes, metres. */
  semiMajorM: number;
  semiMinorM: number;
  /** Azimuth of the major axis, degrees clockwise from north in [0, 180). */
  majorAzimuthDeg: number;
}

/**
 * The 1-σ error ellipse of a 2-D covariance.
 *
 * @example errorEllipse([4, 0, 1]) // { semiMajorM: 2, semiMinorM: 1, majorAzimuthDeg: 90 }
 */
export function errorEllipse([ee, en, nn]: Covariance2): ErrorEllipse {
  const mean = (ee + nn) / 2;
  const half = Math.sqrt(((ee - nn) / 2) ** 2 + en ** 2);
  const l1 = mean + half;
  const l2 = Math.max(0, mean - half);
  // Major-axis direction angle from east is ½·atan2(2σen, σee−σnn); azimuth is from north.
  const fromEast = 0.5 * Math.atan2(2 * en, ee - nn);
  let azimuth = 90 - (fromEast * 180) / Math.PI;
  azimuth = ((azimuth % 180) + 180) % 180;
  return { semiMajorM: Math.sqrt(l1), semiMinorM: Math.sqrt(l2), majorAzimuthDeg: azimuth };
}

/**
 * The 95 % radius of a point: the radius of the circle that holds its 95 % error
 * ellipse (√χ²₂(0.95) ≈ 2.448 times the major 1-σ semi-axis). It is conservative for
 * elongated ellipses, which is the honest side to err on when looking for mines.
 *
 * @example radius95M([1, 0, 1]) // ≈ 2.448
 */
export function radius95M(cov: Covariance2): number {
  return CHI2_2D_95_FACTOR * errorEllipse(cov).semiMajorM;
}

type Xy = [number, number];

/**
 * Convex hull (counter-clockwise, not repeated) by Andrew's monotone chain. Hand-written:
 * a few lines, and it keeps the capsule construction below free of a geometry engine.
 *
 * @example convexHull([[0,0],[1,0],[1,1],[0,1],[0.5,0.5]]) // [[0,0],[1,0],[1,1],[0,1]]
 */
export function convexHull(points: Xy[]): Xy[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: Xy, a: Xy, b: Xy) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Xy[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0)
      lower.pop();
    lower.push(q);
  }
  const upper: Xy[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0)
      upper.pop();
    upper.push(q);
  }
  upper.pop();
  lower.pop();
  return lower.concat(upper);
}

/** A circle as a polygon whose edges lie outside the true circle (vertices at r / cos(π/n)), so the buffer never falls short. */
function circlePoints([cx, cy]: Xy, radius: number, segments: number): Xy[] {
  const r = radius / Math.cos(Math.PI / segments);
  const out: Xy[] = [];
  for (let i = 0; i < segments; i++) {
    const a = (2 * Math.PI * i) / segments;
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return out;
}

/**
 * Grids (metres) the buffer's coordinates are snapped to before the union, finest first.
 * The sweep of polyclip-ts fails ("Unable to complete output ring") on vertices that differ by
 * a few ulps, such as the 3e-15 that sin(π) leaves where a circle crosses an axis; on a grid
 * those coincide exactly. A grid far below the radii (a few metres) changes nothing a reader
 * of the map could see, and each radius is grown by the grid so that the buffer still never
 * falls short. When the union of all pieces at once fails on one grid, they are added one by
 * one; when that fails too, the next, coarser grid is tried.
 */
export const BUFFER_GRIDS_M = [1e-3, 1e-2, 1e-1] as const;

/** Snapped to a grid of 1/perM metres, consecutive repeats (and a repeated first point) dropped. */
function snapRing(ring: Xy[], perM: number): Xy[] {
  const out: Xy[] = [];
  for (const [x, y] of ring) {
    const p: Xy = [Math.round(x * perM) / perM, Math.round(y * perM) / perM];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  while (out.length > 1 && out[0]![0] === out[out.length - 1]![0] && out[0]![1] === out[out.length - 1]![1])
    out.pop();
  return out;
}

/**
 * The union of a buffer's pieces on one grid: the perimeter and, for each edge, the convex hull
 * of the snapped circles round its two ends (hulls of grid points are exact and convex).
 */
function bufferOnGrid(ring: Xy[], radii: number[], segments: number, gridM: number): Xy[][][] {
  const perM = Math.round(1 / gridM);
  const n = ring.length;
  const closed = (r: Xy[]): Xy[] => [...r, r[0]!];
  const pieces: Xy[][][] = [];
  const perimeter = snapRing(ring, perM);
  if (perimeter.length >= 3) pieces.push([closed(perimeter)]);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const hull = convexHull(
      snapRing(
        [
          ...circlePoints(ring[i]!, Math.max(radii[i]!, 1e-3) + gridM, segments),
          ...circlePoints(ring[j]!, Math.max(radii[j]!, 1e-3) + gridM, segments),
        ],
        perM,
      ),
    );
    if (hull.length >= 3) pieces.push([closed(hull)]);
  }
  const [first, ...rest] = pieces;
  try {
    return union(first!, ...rest) as Xy[][][];
  } catch {
    // The sweep over all pieces at once can fail where adding them one by one does not.
    let merged = [first!] as Xy[][][];
    for (const piece of rest) merged = union(merged, piece) as Xy[][][];
    return merged;
  }
}

/**
 * A polygon (local plane, open ring) grown by a radius that varies by vertex: the union
 * of the polygon with, for each edge, the convex hull of the circles round its two ends
 * (a "capsule" that tapers from one radius to the other). The union is computed by
 * polyclip-ts (a Martinez-Rueda sweep) on coordinates snapped to a fine grid
 * (BUFFER_GRIDS_M); the capsules are built here. When the union cannot be completed on any
 * grid, the problem `minefield.polygon_failed` is thrown (the caller names the reading).
 * Returns MultiPolygon coordinates, outer rings counter-clockwise, closed.
 *
 * @example variableBuffer([[0,0],[10,0],[10,10]], [1,1,1]) // one polygon ≈ the triangle grown by 1 m
 */
export function variableBuffer(ring: Xy[], radii: number[], segments = 48): Xy[][][] {
  let failure = '';
  for (const gridM of BUFFER_GRIDS_M) {
    try {
      return bufferOnGrid(ring, radii, segments, gridM);
    } catch (e) {
      if (isProblem(e)) throw e;
      failure = e instanceof Error ? e.message : String(e);
    }
  }
  throw new Problem('minefield.polygon_failed', { reason: failure.slice(0, 200) });
}
