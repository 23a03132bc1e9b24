import type { MultiPolygon, Polygon } from 'geojson';
import { Problem } from '../domain/problem.ts';
import type { DecodedHypothesis, DecodedRecord } from './record-decode.ts';
import { localPlane } from './record-plane.ts';

/**
 * Scoring of a decoded minefield record against the devices actually found: how far the
 * finds lie from each hypothesis's rows and perimeter, how many fall inside, how much a
 * rigid move of the record would improve the match, and found against declared counts.
 * All distances are metres in a local plane round the findings (record-plane.ts).
 */

export interface Finding {
  lon: number;
  lat: number;
  model?: string;
  /** Devices at this point (default 1). */
  quantity?: number;
}

export interface DistanceSummary {
  medianM: number;
  p95M: number;
  maxM: number;
}

export interface RigidFit {
  /** What the finds were fitted to: the rows, or the perimeter when the record has no rows. */
  target: 'rows' | 'boundary';
  /** Rotation of the record about its centroid that best matches the finds, degrees clockwise. */
  rotationDeg: number;
  /** Move of the record's centroid, metres. */
  shiftEastM: number;
  shiftNorthM: number;
  /** Scale of the record (1 unless scale fitting was asked). */
  scale: number;
  /** Distances of the fitted finds to the moved target, metres (outliers left out). */
  residualRmsM: number;
  residualMaxM: number;
  /** Finds left out of the fit as too far (FIT_OUTLIER_FACTOR). */
  outliers: number;
  iterations: number;
  /** False when the pairing still changed after 200 iterations (the figures are those of the last one). */
  converged: boolean;
}

export interface CountByModel {
  model: string;
  declared: number | null;
  found: number;
  foundInsideUncertainty: number;
}

export interface HypothesisScore {
  id: string;
  label: string;
  /** Distances of finds to the nearest row (null when the record has no rows). */
  toRows: DistanceSummary | null;
  /** Distances of finds to the perimeter line. */
  toBoundary: DistanceSummary;
  /** Misfit used to rank hypotheses: distance to the nearest row, or (no rows) distance outside the perimeter. */
  misfit: DistanceSummary;
  shareInsidePolygon: number;
  shareInsideUncertainty: number;
  fit: RigidFit | null;
  counts: CountByModel[];
  /** How likely the finds are under this reading (LIKELIHOOD_METHOD); the ranking figure. */
  likelihood: HypothesisLikelihood;
}

/** The figures of the likelihood of one reading (LIKELIHOOD_METHOD). */
export interface HypothesisLikelihood {
  /** What the finds are assumed to be spread along: the rows, or the area inside the perimeter. */
  model: 'rows' | 'area';
  /** Natural log of the likelihood of all devices found (each device counts once). */
  logLikelihood: number;
  /** logLikelihood per device: comparable between records with different numbers of finds. */
  meanLogDensity: number;
  /** 1-σ blur of the reading (95 % radius ÷ 2.448: rows weighted as in the likelihood, or the turning points' mean), metres. */
  sigmaM: number;
  /** Area the reading claims (inside its perimeter), m² in the local plane. */
  areaM2: number;
  /** Devices whose density under the reading is below the background's (explained by it as strays). */
  strays: number;
}

export interface Scores {
  findingCount: number;
  /** Devices found (sum of quantities). */
  deviceCount: number;
  declaredCount: number | null;
  hypotheses: HypothesisScore[];
  /** The best-supported hypothesis, or null without finds. */
  best: {
    id: string;
    label: string;
    criterion: string;
    /** LIKELIHOOD_METHOD: how the ranking figure is computed. */
    method: string;
    logLikelihood: number;
    medianMisfitM: number;
    runnerUpId: string | null;
    runnerUpLogLikelihood: number | null;
    /**
     * logLikelihood of the best minus that of the runner-up: the natural log of the Bayes factor
     * between the two readings with equal priors (above 2.3 = 10 to 1, above 4.6 = 100 to 1).
     */
    logLikelihoodRatio: number | null;
    runnerUpMedianMisfitM: number | null;
  } | null;
  /** Constants of the likelihood, so that a ranking can be reproduced. */
  likelihoodModel: {
    backgroundShare: number;
    /** Area over which strays are spread uniformly (the same for every reading), m². */
    backgroundAreaM2: number;
  } | null;
}

export interface ScoreOptions {
  /** Let the rigid fit scale the record too (a wrong pace length shows as a scale). */
  fitScale?: boolean;
}

/** The ranking rule, stated with every result so that a score can be reproduced and argued with. */
export const BEST_HYPOTHESIS_CRITERION =
  'largest likelihood of the finds (see method); ties: smaller median misfit, then larger share inside the uncertainty polygon';

/** Share of devices the likelihood lets be strays, spread uniformly over the background area. */
export const BACKGROUND_SHARE = 0.05;

/** The likelihood, stated with every result. */
export const LIKELIHOOD_METHOD =
  'Each device found is an independent draw from the reading: along its rows (uniform along each row, rows weighted by their mine counts) when the record has rows, else uniform inside its perimeter; ' +
  "blurred by a circular normal error of σ = the reading's 95 % radius ÷ 2.448 (along a row: interpolated between its end radii; inside the perimeter: the mean of its turning points' radii; never below 1 m); " +
  `mixed with a ${BACKGROUND_SHARE * 100} % share of strays uniform over the box holding every reading's uncertainty polygon and the finds (the same for every reading). ` +
  'The log-likelihood is the sum over devices of ln((1 − share) · density under the reading + share ÷ background area). ' +
  'A larger reading spreads the same probability over more ground, so a reading that merely contains the finds scores below one that fits them.';

type Xy = [number, number];
type Segment = [Xy, Xy];

/**
 * Scores every decoded hypothesis against the finds and names the best-supported one
 * (BEST_HYPOTHESIS_CRITERION).
 *
 * @example scoreRecord(decodeRecord(record), [{ lon: 45.1, lat: 40.0, model: 'PMN' }]).best?.id
 */
export function scoreRecord(decoded: DecodedRecord, findings: Finding[], opts: ScoreOptions = {}): Scores {
  const declaredCount = decoded.declaredMines.length
    ? decoded.declaredMines.reduce((s, d) => s + d.count, 0)
    : null;
  const deviceCount = findings.reduce((s, f) => s + (f.quantity ?? 1), 0);
  if (findings.length === 0) {
    return {
      findingCount: 0,
      deviceCount: 0,
      declaredCount,
      hypotheses: [],
      best: null,
      likelihoodModel: null,
    };
  }
  const lon0 = findings.reduce((s, f) => s + f.lon, 0) / findings.length;
  const lat0 = findings.reduce((s, f) => s + f.lat, 0) / findings.length;
  const plane = localPlane(lon0, lat0);
  const points = findings.map((f) => plane.toLocal(f.lon, f.lat));

  const backgroundDensity = 1 / backgroundArea(decoded, points, plane);
  const hypotheses = decoded.hypotheses.map((h) =>
    scoreHypothesis(h, decoded, findings, points, plane, opts, backgroundDensity),
  );
  const ranked = [...hypotheses]
    .map((s, order) => ({ s, order }))
    .sort(
      (a, b) =>
        b.s.likelihood.logLikelihood - a.s.likelihood.logLikelihood ||
        a.s.misfit.medianM - b.s.misfit.medianM ||
        b.s.shareInsideUncertainty - a.s.shareInsideUncertainty ||
        a.order - b.order,
    );
  const top = ranked[0]!.s;
  const second = ranked[1]?.s ?? null;
  return {
    findingCount: findings.length,
    deviceCount,
    declaredCount,
    hypotheses,
    best: {
      id: top.id,
      label: top.label,
      criterion: BEST_HYPOTHESIS_CRITERION,
      method: LIKELIHOOD_METHOD,
      logLikelihood: top.likelihood.logLikelihood,
      medianMisfitM: top.misfit.medianM,
      runnerUpId: second?.id ?? null,
      runnerUpLogLikelihood: second?.likelihood.logLikelihood ?? null,
      logLikelihoodRatio: second ? top.likelihood.logLikelihood - second.likelihood.logLikelihood : null,
      runnerUpMedianMisfitM: second?.misfit.medianM ?? null,
    },
    likelihoodModel: { backgroundShare: BACKGROUND_SHARE, backgroundAreaM2: 1 / backgroundDensity },
  };
}

function scoreHypothesis(
  h: DecodedHypothesis,
  decoded: DecodedRecord,
  findings: Finding[],
  points: Xy[],
  plane: ReturnType<typeof localPlane>,
  opts: ScoreOptions,
  backgroundDensity: number,
): HypothesisScore {
  const toXy = ([lon, lat]: number[]): Xy => plane.toLocal(lon!, lat!);
  const rowSegments: Segment[] = h.rows.map((r) => [
    toXy(r.line.coordinates[0]!),
    toXy(r.line.coordinates[1]!),
  ]);
  const polygonRings = localRings(h.polygon, toXy);
  const uncertaintyRings = localRings(h.uncertaintyPolygon, toXy);
  const boundarySegments = ringSegments(polygonRings);

  const rowDistances = rowSegments.length
    ? points.map((p) => nearestOnSegments(p, rowSegments).distance)
    : null;
  const boundaryDistances = points.map((p) => nearestOnSegments(p, boundarySegments).distance);
  const inside = points.map((p) => insideRings(p, polygonRings));
  const insideUncertainty = points.map((p) => insideRings(p, uncertaintyRings));
  const misfits = rowDistances ?? boundaryDistances.map((d, i) => (inside[i] ? 0 : d));

  const declared = new Map(decoded.declaredMines.map((d) => [d.model, d.count]));
  const found = new Map<string, { found: number; inside: number }>();
  findings.forEach((f, i) => {
    const model = f.model ?? 'unknown';
    const c = found.get(model) ?? { found: 0, inside: 0 };
    c.found += f.quantity ?? 1;
    if (insideUncertainty[i]) c.inside += f.quantity ?? 1;
    found.set(model, c);
  });
  const models = [...new Set([...declared.keys(), ...found.keys()])].sort();

  return {
    id: h.id,
    label: h.label,
    toRows: rowDistances ? summarise(rowDistances) : null,
    toBoundary: summarise(boundaryDistances),
    misfit: summarise(misfits),
    shareInsidePolygon: share(inside),
    shareInsideUncertainty: share(insideUncertainty),
    fit: rigidFit(
      points,
      rowSegments.length ? rowSegments : boundarySegments,
      opts.fitScale ?? false,
      rowSegments.length ? 'rows' : 'boundary',
    ),
    counts: models.map((model) => ({
      model,
      declared: declared.get(model) ?? null,
      found: found.get(model)?.found ?? 0,
      foundInsideUncertainty: found.get(model)?.inside ?? 0,
    })),
    likelihood: readingLikelihood(h, findings, points, polygonRings, toXy, backgroundDensity),
  };
}

/** 95 % radius of a circular normal error ÷ this = its σ (√χ²₂(0.95)). */
const RADIUS95_PER_SIGMA = 2.4477;

/**
 * Area (m²) of the box holding every reading's uncertainty polygon and the finds, in the local
 * plane: strays are spread uniformly over it. It is the same for every reading so that it never
 * favours one.
 */
function backgroundArea(decoded: DecodedRecord, points: Xy[], plane: ReturnType<typeof localPlane>): number {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = ([x, y]: Xy) => {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  };
  points.forEach(add);
  for (const h of decoded.hypotheses) {
    const polygons = [h.polygon.coordinates, ...h.uncertaintyPolygon.coordinates];
    for (const poly of polygons) for (const [lon, lat] of poly[0] ?? []) add(plane.toLocal(lon!, lat!));
  }
  // A floor of one hectare keeps a single-point window from making strays free.
  return Math.max((maxX - minX) * (maxY - minY), 10_000);
}

/**
 * The likelihood of the finds under one reading (LIKELIHOOD_METHOD). Rows: each device is drawn
 * from a row chosen in proportion to its mine count (its length when the count is unknown),
 * uniformly along it, then moved by a circular normal error of the row's σ there (interpolated
 * between its end radii). No rows: uniformly inside the perimeter, then moved by the reading's σ
 * (mean of its turning points' 95 % radii ÷ 2.448).
 */
function readingLikelihood(
  h: DecodedHypothesis,
  findings: Finding[],
  points: Xy[],
  polygonRings: Xy[][],
  toXy: (p: number[]) => Xy,
  backgroundDensity: number,
): HypothesisLikelihood {
  const areaM2 = ringsArea(polygonRings);
  const vertexSigma =
    h.vertices.reduce((s, v) => s + v.radius95M, 0) / Math.max(h.vertices.length, 1) / RADIUS95_PER_SIGMA;
  let density: (p: Xy) => number;
  let model: HypothesisLikelihood['model'];
  let sigmaM: number;
  if (h.rows.length) {
    model = 'rows';
    const rows = h.rows.map((r) => ({
      a: toXy(r.line.coordinates[0]!),
      b: toXy(r.line.coordinates[1]!),
      weight: r.mineCount ?? r.lengthM,
      sigmaA: Math.max(r.startRadius95M / RADIUS95_PER_SIGMA, MIN_SIGMA_M),
      sigmaB: Math.max(r.endRadius95M / RADIUS95_PER_SIGMA, MIN_SIGMA_M),
    }));
    const total = rows.reduce((s, r) => s + r.weight, 0) || 1;
    sigmaM = rows.reduce((s, r) => s + (r.weight * (r.sigmaA + r.sigmaB)) / 2, 0) / total;
    density = (p) => rows.reduce((s, r) => s + (r.weight / total) * blurredSegmentDensity(p, r), 0);
  } else {
    model = 'area';
    sigmaM = Math.max(vertexSigma, MIN_SIGMA_M);
    density = (p) => (areaM2 > 0 ? blurredShareInside(p, polygonRings, sigmaM) / areaM2 : 0);
  }
  let logLikelihood = 0;
  let devices = 0;
  let strays = 0;
  points.forEach((p, i) => {
    const q = findings[i]!.quantity ?? 1;
    const d = density(p);
    if ((1 - BACKGROUND_SHARE) * d < BACKGROUND_SHARE * backgroundDensity) strays += q;
    logLikelihood += q * Math.log((1 - BACKGROUND_SHARE) * d + BACKGROUND_SHARE * backgroundDensity);
    devices += q;
  });
  return { model, logLikelihood, meanLogDensity: logLikelihood / devices, sigmaM, areaM2, strays };
}

/** Below this the blur is taken as this: a device is never laid more exactly than about a metre. */
const MIN_SIGMA_M = 1;

/**
 * Density at `p` of a point drawn uniformly along the segment a–b and moved by a circular normal
 * error (σ interpolated from a to b at the foot of the perpendicular), per m².
 *
 * @example blurredSegmentDensity([0, 0], { a: [-50, 0], b: [50, 0], sigmaA: 1, sigmaB: 1 }) // ≈ 1 / (100 · √(2π))
 */
export function blurredSegmentDensity(p: Xy, r: { a: Xy; b: Xy; sigmaA: number; sigmaB: number }): number {
  const dx = r.b[0] - r.a[0];
  const dy = r.b[1] - r.a[1];
  const length = Math.hypot(dx, dy);
  if (length === 0) {
    const s = r.sigmaA;
    const d2 = (p[0] - r.a[0]) ** 2 + (p[1] - r.a[1]) ** 2;
    return Math.exp(-d2 / (2 * s * s)) / (2 * Math.PI * s * s);
  }
  const ux = dx / length;
  const uy = dy / length;
  const along = (p[0] - r.a[0]) * ux + (p[1] - r.a[1]) * uy;
  const across = -(p[0] - r.a[0]) * uy + (p[1] - r.a[1]) * ux;
  const t = Math.max(0, Math.min(1, along / length));
  const s = r.sigmaA + t * (r.sigmaB - r.sigmaA);
  const perpendicular = Math.exp(-(across * across) / (2 * s * s)) / (Math.sqrt(2 * Math.PI) * s);
  const lengthwise = normalCdf((length - along) / s) - normalCdf(-along / s);
  return (perpendicular * Math.max(lengthwise, 0)) / length;
}

/** Steps of the blur grid per σ, and its half-width in σ. */
const BLUR_STEPS_PER_SIGMA = 4;
const BLUR_HALF_WIDTH_SIGMA = 4;

/**
 * Probability that `p` moved by a circular normal error of σ lands inside the rings: a
 * Gaussian-weighted sum over the cell centres of a square grid of ±4σ in cells of σ/4 (the weights normalised to
 * one); beyond 4σ of the grid a point farther out than that counts the normal tail of its
 * distance to the boundary (a half-plane).
 *
 * @example blurredShareInside([0, 0], [[[-1000, -1000], [1000, -1000], [1000, 1000], [-1000, 1000], [-1000, -1000]]], 10) // ≈ 1
 */
export function blurredShareInside(p: Xy, rings: Xy[][], sigmaM: number): number {
  const distance = nearestOnSegments(p, ringSegments(rings)).distance;
  const inside = insideRings(p, rings);
  if (distance > BLUR_HALF_WIDTH_SIGMA * sigmaM) return inside ? 1 : normalCdf(-distance / sigmaM);
  const n = BLUR_STEPS_PER_SIGMA * BLUR_HALF_WIDTH_SIGMA;
  const step = sigmaM / BLUR_STEPS_PER_SIGMA;
  let hit = 0;
  let total = 0;
  // Cell centres (midpoint rule), so that no sample sits on an edge through p.
  for (let i = -n + 0.5; i < n; i++) {
    for (let j = -n + 0.5; j < n; j++) {
      const w = Math.exp(-(i * i + j * j) / (2 * BLUR_STEPS_PER_SIGMA * BLUR_STEPS_PER_SIGMA));
      total += w;
      if (insideRings([p[0] + i * step, p[1] + j * step], rings)) hit += w;
    }
  }
  return hit / total;
}

/**
 * The standard normal cumulative distribution, from erfc by the rational approximation of
 * Numerical Recipes (erfcc, relative error below 1.2e-7 everywhere, tails included).
 *
 * @example normalCdf(1.959964) // ≈ 0.975
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Area (m²) of the rings by the shoelace formula; a decoded perimeter is one ring without holes. */
function ringsArea(rings: Xy[][]): number {
  let total = 0;
  for (const ring of rings) {
    let a = 0;
    for (let i = 0; i + 1 < ring.length; i++)
      a += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
    total += Math.abs(a) / 2;
  }
  return total;
}

function localRings(geometry: Polygon | MultiPolygon, toXy: (p: number[]) => Xy): Xy[][] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flatMap((poly) => poly.map((ring) => ring.map(toXy)));
}

function ringSegments(rings: Xy[][]): Segment[] {
  const out: Segment[] = [];
  for (const ring of rings) for (let i = 0; i + 1 < ring.length; i++) out.push([ring[i]!, ring[i + 1]!]);
  return out;
}

/**
 * Even-odd point in polygon over all rings (holes included), by ray casting.
 *
 * @example insideRings([1, 1], [[[0,0],[2,0],[2,2],[0,2],[0,0]]]) // true
 */
export function insideRings([x, y]: Xy, rings: Xy[][]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * Nearest point to `p` on a set of segments, and its distance.
 *
 * @example nearestOnSegments([1, 1], [[[0, 0], [2, 0]]]) // { point: [1, 0], distance: 1 }
 */
export function nearestOnSegments(p: Xy, segments: Segment[]): { point: Xy; distance: number } {
  let best: { point: Xy; distance: number } = { point: p, distance: Number.POSITIVE_INFINITY };
  for (const [a, b] of segments) {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
    const q: Xy = [a[0] + t * dx, a[1] + t * dy];
    const d = Math.hypot(p[0] - q[0], p[1] - q[1]);
    if (d < best.distance) best = { point: q, distance: d };
  }
  return best;
}

/**
 * Percentile with linear interpolation between order statistics (Hyndman & Fan type 7, as
 * numpy's default and Excel's PERCENTILE.INC).
 *
 * @example percentile([1, 2, 3, 4], 0.5) // 2.5
 */
export function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

function summarise(values: number[]): DistanceSummary {
  return { medianM: percentile(values, 0.5), p95M: percentile(values, 0.95), maxM: Math.max(...values) };
}

function share(flags: boolean[]): number {
  return flags.filter(Boolean).length / flags.length;
}

interface Similarity {
  scale: number;
  rotationRad: number;
  tx: number;
  ty: number;
}

function applySimilarity(t: Similarity, [x, y]: Xy): Xy {
  const c = Math.cos(t.rotationRad);
  const s = Math.sin(t.rotationRad);
  return [t.scale * (c * x - s * y) + t.tx, t.scale * (s * x + c * y) + t.ty];
}

/**
 * Least-squares similarity (or rigid, without scale) transform taking points `a` onto
 * `b` pairwise (2-D Procrustes/Umeyama; rotation counter-clockwise in the x/y plane).
 *
 * @example procrustes([[0,0],[1,0]], [[1,1],[1,2]], false) // rotation 90°, shift (1, 1)
 */
export function procrustes(a: Xy[], b: Xy[], withScale: boolean): Similarity {
  const n = a.length;
  const ax = a.reduce((s, p) => s + p[0], 0) / n;
  const ay = a.reduce((s, p) => s + p[1], 0) / n;
  const bx = b.reduce((s, p) => s + p[0], 0) / n;
  const by = b.reduce((s, p) => s + p[1], 0) / n;
  let dot = 0;
  let cross = 0;
  let aa = 0;
  for (let i = 0; i < n; i++) {
    const [x1, y1] = [a[i]![0] - ax, a[i]![1] - ay];
    const [x2, y2] = [b[i]![0] - bx, b[i]![1] - by];
    dot += x1 * x2 + y1 * y2;
    cross += x1 * y2 - y1 * x2;
    aa += x1 * x1 + y1 * y1;
  }
  const rotationRad = Math.atan2(cross, dot);
  const scale = withScale && aa > 0 ? Math.hypot(dot, cross) / aa : 1;
  const c = Math.cos(rotationRad);
  const s = Math.sin(rotationRad);
  return { scale, rotationRad, tx: bx - scale * (c * ax - s * ay), ty: by - scale * (s * ax + c * ay) };
}

/** Pairs farther than this many times the median pair distance are left out of a fit step (trimmed ICP). */
export const FIT_OUTLIER_FACTOR = 8;

/**
 * Iterative closest point: the finds are moved onto the target lines (rows or perimeter)
 * by the similarity that minimises the squared distances to their nearest target points,
 * re-pairing after each move, until the move stops changing. Finds farther than
 * FIT_OUTLIER_FACTOR × the median distance are left out of each step (trimmed ICP), so a
 * stray device from another field does not drag the fit. The result is stated as the
 * inverse: how the record would have to be moved to match the finds.
 */
function rigidFit(
  points: Xy[],
  target: Segment[],
  withScale: boolean,
  kind: 'rows' | 'boundary',
): RigidFit | null {
  const minimum = withScale ? 3 : 2;
  if (points.length < minimum || target.length === 0) return null;
  let t: Similarity = { scale: 1, rotationRad: 0, tx: 0, ty: 0 };
  let iterations = 0;
  let previous = Number.POSITIVE_INFINITY;
  let kept: boolean[] = points.map(() => true);
  let converged = false;
  for (; iterations < 200; iterations++) {
    const moved = points.map((p) => applySimilarity(t, p));
    const pairs = moved.map((p) => nearestOnSegments(p, target));
    const cutoff = Math.max(
      FIT_OUTLIER_FACTOR *
        percentile(
          pairs.map((q) => q.distance),
          0.5,
        ),
      1e-6,
    );
    kept = pairs.map((q) => q.distance <= cutoff);
    if (kept.filter(Boolean).length < minimum) kept = points.map(() => true);
    const from = points.filter((_, i) => kept[i]);
    const to = pairs.filter((_, i) => kept[i]).map((q) => q.point);
    t = procrustes(from, to, withScale);
    const sum = from.reduce((s, p, i) => {
      const q = applySimilarity(t, p);
      return s + (q[0] - to[i]![0]) ** 2 + (q[1] - to[i]![1]) ** 2;
    }, 0);
    if (Math.abs(previous - sum) < 1e-10 * Math.max(1, sum)) {
      converged = true;
      break;
    }
    previous = sum;
  }
  const residuals = points.map((p) => nearestOnSegments(applySimilarity(t, p), target).distance / t.scale);
  const keptResiduals = residuals.filter((_, i) => kept[i]);
  // The record's correction is the inverse map; express it about the target's centroid.
  const ends = target.flat();
  const cx = ends.reduce((s, p) => s + p[0], 0) / ends.length;
  const cy = ends.reduce((s, p) => s + p[1], 0) / ends.length;
  const inverse: Similarity = inverseSimilarity(t);
  const [mx, my] = applySimilarity(inverse, [cx, cy]);
  return {
    target: kind,
    // Counter-clockwise in the east/north plane is anticlockwise on the map; azimuths turn clockwise.
    rotationDeg: (-inverse.rotationRad * 180) / Math.PI,
    shiftEastM: mx - cx,
    shiftNorthM: my - cy,
    scale: inverse.scale,
    residualRmsM: Math.sqrt(keptResiduals.reduce((s, r) => s + r * r, 0) / keptResiduals.length),
    residualMaxM: Math.max(...keptResiduals),
    outliers: residuals.length - keptResiduals.length,
    iterations: Math.min(iterations + 1, 200),
    converged,
  };
}

function inverseSimilarity(t: Similarity): Similarity {
  const scale = 1 / t.scale;
  const rotationRad = -t.rotationRad;
  const c = Math.cos(rotationRad);
  const s = Math.sin(rotationRad);
  return { scale, rotationRad, tx: -scale * (c * t.tx - s * t.ty), ty: -scale * (s * t.tx + c * t.ty) };
}

/**
 * Finds from a GeoJSON FeatureCollection of points (WGS 84 lon/lat), with optional
 * properties `model` and `quantity`; anything else is `record.findings_invalid` at the
 * feature's index.
 *
 * @example findingsFromGeoJson({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [45, 40] }, properties: { model: 'PMN' } }] }) // [{ lon: 45, lat: 40, model: 'PMN' }]
 */
export function findingsFromGeoJson(value: unknown): Finding[] {
  const fc = value as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new Problem(
      'record.findings_invalid',
      { feature: '-', reason: 'not a FeatureCollection' },
      { pointer: '' },
    );
  }
  return fc.features.map((f: any, i: number): Finding => {
    const bad = (reason: string) =>
      new Problem('record.findings_invalid', { feature: i, reason }, { pointer: `/features/${i}`, row: i });
    const c = f?.geometry?.coordinates;
    if (
      f?.geometry?.type !== 'Point' ||
      !Array.isArray(c) ||
      !Number.isFinite(c[0]) ||
      !Number.isFinite(c[1])
    ) {
      throw bad('geometry is not a Point with numeric coordinates');
    }
    if (Math.abs(c[1]) > 90 || Math.abs(c[0]) > 180)
      throw bad('coordinates are not longitude, latitude in degrees');
    const props = f.properties ?? {};
    const finding: Finding = { lon: c[0], lat: c[1] };
    if (props.model !== undefined && props.model !== null) finding.model = String(props.model);
    if (props.quantity !== undefined && props.quantity !== null) {
      if (!Number.isInteger(props.quantity) || props.quantity < 1)
        throw bad('quantity is not a whole number of at least 1');
      finding.quantity = props.quantity;
    }
    return finding;
  });
}
