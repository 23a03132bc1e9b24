import type { LineString, MultiPolygon, Polygon } from 'geojson';
import {
  type BearingReference,
  DEFAULT_PACE_LENGTH_M,
  DEFAULT_PAIR_OF_STEPS_LENGTH_M,
  type DistanceUnit,
  type LegDirection,
  type MinefieldRecord,
  type RecordLeg,
  type RecordPoint,
} from '../domain/minefield-record.ts';
import { isProblem, Problem, type ProblemParams } from '../domain/problem.ts';
import { type CrsInfo, resolveCrs, toLonLat } from './crs.ts';
import { geodesicDirect } from './geodesic.ts';
import { declinationDeg } from './igrf.ts';
import { angleToDeg, type MilCircle, normaliseAzimuthDeg, unitsPerCircle } from './record-angles.ts';
import { localPlane } from './record-plane.ts';
import {
  CHI2_2D_95_FACTOR,
  type ErrorEllipse,
  errorEllipse,
  type PointJacobian,
  type ResolvedErrorModel,
  radius95M,
  resolveErrorModel,
  TraversePropagation,
  variableBuffer,
} from './record-uncertainty.ts';
import { gridConvergenceDeg, utmZoneForLon } from './tm.ts';

/**
 * Decoding of a minefield record (src/domain/minefield-record.ts) into WGS 84 geometry:
 * the known point converted from its CRS, each bearing turned into a true azimuth on the
 * ellipsoid, each distance into metres, the legs walked along geodesics, the perimeter
 * closed and checked, the error propagated to every vertex, and every alternative
 * reading the record asks for decoded as its own hypothesis.
 */

/** Largest accepted misclosure as a share of the perimeter when the record does not say (1:20). */
export const DEFAULT_MAX_MISCLOSURE_RATIO = 1 / 20;

export interface HypothesisAssumptions {
  bearingReference: BearingReference;
  /** Mils per circle the bearings are read in; null for a record in degrees. */
  milCircle: MilCircle | null;
  distanceUnit: DistanceUnit;
  /** Metres per distance unit in this reading. */
  distanceUnitM: number;
  direction: LegDirection;
}

export type LegPart = 'toReference' | 'perimeter' | 'closing' | 'rowOffset' | 'row';

export interface DecodedLeg {
  part: LegPart;
  /** Index of the leg within its part (or of the row). */
  index: number;
  /** JSON pointer of the leg in the record. */
  pointer: string;
  bearingAsWritten: number | string;
  /** The bearing converted to degrees, before any reference correction. */
  bearingDeg: number;
  declinationDeg: number | null;
  convergenceDeg: number | null;
  /** Azimuth from true north actually walked (back-bearings turned round). */
  trueAzimuthDeg: number;
  distanceAsWritten: number;
  distanceM: number;
  from: [lon: number, lat: number];
  to: [lon: number, lat: number];
}

export interface DecodedPoint {
  name: string | null;
  lon: number;
  lat: number;
  radius95M: number;
  ellipse: ErrorEllipse;
}

export interface DecodedVertex extends DecodedPoint {
  /** Turning point number, 1-based as in records. */
  number: number;
  /** Compass-rule correction applied (metres), when the record asked for adjustment. */
  adjustmentEastM: number;
  adjustmentNorthM: number;
}

export interface Misclosure {
  /** Where the closing leg ends minus where it should end (the first turning point), metres. */
  eastM: number;
  northM: number;
  lengthM: number;
  /** lengthM / perimeterLengthM; records quote it as 1:(1/ratio). */
  ratio: number;
  perimeterLengthM: number;
}

export interface DecodedRow {
  name: string | null;
  mineModel: string | null;
  /** Declared count, or length / spacing + 1 when only the spacing is written. */
  mineCount: number | null;
  lengthM: number;
  spacingM: number | null;
  line: LineString;
  startRadius95M: number;
  endRadius95M: number;
}

export interface DecodedHypothesis {
  /** Stable identifier, e.g. `ref=magnetic,angle=mil6000,dist=pace,dir=forward`. */
  id: string;
  label: string;
  assumptions: HypothesisAssumptions;
  landmark: DecodedPoint | null;
  referencePoint: DecodedPoint;
  vertices: DecodedVertex[];
  /** The perimeter, outer ring counter-clockwise as RFC 7946 asks. */
  polygon: Polygon;
  rows: DecodedRow[];
  /** The perimeter grown by each vertex's 95 % radius. */
  uncertaintyPolygon: MultiPolygon;
  misclosure: Misclosure | null;
  adjusted: boolean;
  legs: DecodedLeg[];
  /** Central meridian of the grid that grid bearings refer to, when a grid reading was used. */
  gridCentralMeridianDeg: number | null;
}

export interface RejectedHypothesis {
  id: string;
  label: string;
  assumptions: HypothesisAssumptions;
  problem: { code: string; params: ProblemParams; pointer: string | null };
}

export interface DecodedRecord {
  hypotheses: DecodedHypothesis[];
  /** Readings that could not be decoded (an angle beyond that mil circle, a polygon that does not close…). */
  rejected: RejectedHypothesis[];
  errorModel: ResolvedErrorModel;
  /** Mine counts by model as the record declares them. */
  declaredMines: Array<{ model: string; count: number }>;
  closureTolerance: { maxRatio: number | null; maxM: number | null };
}

export interface DecodeOptions {
  /** Formats hypothesis labels (message `minefield.hypothesis.label`); without it the label is the id. */
  translate?: (key: string, params: Record<string, string | number>) => string;
  /** false skips the uncertainty polygon (left with no coordinates), for repeated decoding such as simulations. */
  uncertaintyPolygon?: boolean;
}

/**
 * Decodes a record into one geometry per hypothesis. Structural faults of the record are
 * thrown as problems (`record.no_origin`, `record.no_legs`, `record.too_few_turning_points`,
 * `record.row_anchor_unknown`, CRS problems); a fault of one reading (an angle outside that
 * reading's circle, `record.not_closed`, a date outside IGRF) rejects that hypothesis, and is
 * thrown only when no hypothesis is left (the stated reading's problem first).
 *
 * @example decodeRecord(record).hypotheses[0].vertices // turning points with 95 % radii
 */
export function decodeRecord(record: MinefieldRecord, opts: DecodeOptions = {}): DecodedRecord {
  const errorModel = resolveErrorModel(record.errors);
  const origin = resolveOrigin(record);
  const landmark =
    record.referencePoint && record.landmark ? convertPoint(record.landmark, '/landmark') : null;
  checkStructure(record);
  const tolerance = {
    maxRatio:
      record.closure?.maxM === undefined ? (record.closure?.maxRatio ?? DEFAULT_MAX_MISCLOSURE_RATIO) : null,
    maxM: record.closure?.maxM ?? null,
  };

  const hypotheses: DecodedHypothesis[] = [];
  const rejected: RejectedHypothesis[] = [];
  const problems: Problem[] = [];
  for (const assumptions of enumerateHypotheses(record)) {
    const id = hypothesisId(assumptions, record.angleUnit === 'deg');
    const label = opts.translate
      ? opts.translate('minefield.hypothesis.label', labelParams(assumptions))
      : id;
    try {
      const decoded = decodeHypothesis(record, assumptions, origin, landmark, errorModel, tolerance, opts);
      hypotheses.push({ id, label, ...decoded });
    } catch (e) {
      if (!isProblem(e)) throw e;
      problems.push(e);
      rejected.push({
        id,
        label,
        assumptions,
        problem: { code: e.code, params: e.params, pointer: e.where?.pointer ?? null },
      });
    }
  }
  if (hypotheses.length === 0) throw problems[0]!;
  return {
    hypotheses,
    rejected,
    errorModel,
    declaredMines: (record.declaredMines ?? []).map((d) => ({ ...d })),
    closureTolerance: tolerance,
  };
}

/**
 * Every combination of the stated reading and the alternatives the record enables; the
 * stated reading comes first.
 *
 * @example enumerateHypotheses({ ...r, hypotheses: { milCircles: [6400] } }).length // 2
 */
export function enumerateHypotheses(record: MinefieldRecord): HypothesisAssumptions[] {
  const h = record.hypotheses ?? {};
  const unique = <T>(values: T[]): T[] => [...new Set(values)];
  const refs = unique([record.bearingReference, ...(h.bearingReferences ?? [])]);
  const circles: (MilCircle | null)[] =
    record.angleUnit === 'deg'
      ? [null]
      : unique([unitsPerCircle(record.angleUnit) as MilCircle, ...((h.milCircles ?? []) as MilCircle[])]);
  const dists = unique([record.distanceUnit, ...(h.distanceUnits ?? [])]);
  const dirs = unique<LegDirection>(['forward', ...(h.directions ?? [])]);
  const out: HypothesisAssumptions[] = [];
  for (const bearingReference of refs)
    for (const milCircle of circles)
      for (const distanceUnit of dists)
        for (const direction of dirs)
          out.push({
            bearingReference,
            milCircle,
            distanceUnit,
            distanceUnitM: unitLengthM(record, distanceUnit),
            direction,
          });
  return out;
}

/**
 * The stable id of a reading.
 *
 * @example hypothesisId({ bearingReference: 'grid', milCircle: 6400, distanceUnit: 'm', distanceUnitM: 1, direction: 'forward' }) // 'ref=grid,angle=mil6400,dist=m,dir=forward'
 */
export function hypothesisId(a: HypothesisAssumptions, degrees = a.milCircle === null): string {
  const angle = degrees || a.milCircle === null ? 'deg' : `mil${a.milCircle}`;
  return `ref=${a.bearingReference},angle=${angle},dist=${a.distanceUnit},dir=${a.direction}`;
}

function labelParams(a: HypothesisAssumptions): Record<string, string | number> {
  return {
    reference: a.bearingReference,
    angle: a.milCircle === null ? 'deg' : `mil${a.milCircle}`,
    distance: a.distanceUnit,
    unitM: a.distanceUnitM,
    direction: a.direction,
  };
}

/**
 * Metres per distance unit of a record.
 *
 * @example unitLengthM(record, 'pair_of_steps') // 1.5 unless the record says otherwise
 */
export function unitLengthM(
  record: Pick<MinefieldRecord, 'paceLengthM' | 'pairOfStepsLengthM'>,
  unit: DistanceUnit,
): number {
  if (unit === 'pace') return record.paceLengthM ?? DEFAULT_PACE_LENGTH_M;
  if (unit === 'pair_of_steps') return record.pairOfStepsLengthM ?? DEFAULT_PAIR_OF_STEPS_LENGTH_M;
  return 1;
}

interface Origin {
  lon: number;
  lat: number;
  name: string | null;
  crs: CrsInfo;
  /** True when the origin is the reference point itself (no legs from a landmark). */
  isReference: boolean;
  pointer: string;
}

function convertPoint(
  p: RecordPoint,
  pointer: string,
): { lon: number; lat: number; name: string | null; crs: CrsInfo } {
  try {
    const crs = resolveCrs(p.crs);
    const [lon, lat] = toLonLat(p.crs, p.coordinates[0], p.coordinates[1], { xy: p.xy });
    return { lon, lat, name: p.name ?? null, crs };
  } catch (e) {
    if (isProblem(e)) throw e.under(pointer);
    throw e;
  }
}

function resolveOrigin(record: MinefieldRecord): Origin {
  if (record.referencePoint)
    return {
      ...convertPoint(record.referencePoint, '/referencePoint'),
      isReference: true,
      pointer: '/referencePoint',
    };
  if (record.landmark)
    return { ...convertPoint(record.landmark, '/landmark'), isReference: false, pointer: '/landmark' };
  throw new Problem('record.no_origin', {}, { pointer: '/landmark' });
}

function turningPointCount(record: MinefieldRecord): number {
  const legs = record.perimeter.legs.length;
  return record.perimeter.startsAtReference ? legs + 1 : legs;
}

function checkStructure(record: MinefieldRecord): void {
  if (record.perimeter.legs.length === 0)
    throw new Problem('record.no_legs', {}, { pointer: '/perimeter/legs' });
  const count = turningPointCount(record);
  if (count < 3)
    throw new Problem('record.too_few_turning_points', { count }, { pointer: '/perimeter/legs' });
  (record.rows ?? []).forEach((row, i) => {
    if (row.from.point === 'turningPoint' && row.from.number > count) {
      throw new Problem(
        'record.row_anchor_unknown',
        { row: i, number: row.from.number, count },
        { pointer: `/rows/${i}/from/number` },
      );
    }
  });
}

/** True when a CRS is on the WGS 84 datum already (no datum shift, so no datum error). */
function isWgs84(crs: CrsInfo): boolean {
  return (
    /\+datum=WGS84\b/.test(crs.proj4) || (/\+ellps=WGS84\b/.test(crs.proj4) && !/\+towgs84=/.test(crs.proj4))
  );
}

/** Central meridian of a transverse Mercator CRS, from what the crs module says or its proj4 string. */
function centralMeridianOf(crs: CrsInfo): number | undefined {
  if (crs.centralMeridianDeg !== undefined) return crs.centralMeridianDeg;
  if (/\+proj=utm\b/.test(crs.proj4)) {
    const zone = /\+zone=(\d+)/.exec(crs.proj4);
    if (zone) return Number(zone[1]) * 6 - 183;
  }
  if (/\+proj=(tmerc|etmerc)\b/.test(crs.proj4)) {
    const lon0 = /\+lon_0=(-?[\d.]+)/.exec(crs.proj4);
    return lon0 ? Number(lon0[1]) : 0;
  }
  return undefined;
}

function gridCentralMeridian(record: MinefieldRecord, origin: Origin): number {
  if (record.gridCrs) {
    let crs: CrsInfo;
    try {
      crs = resolveCrs(record.gridCrs);
    } catch (e) {
      if (isProblem(e)) throw e.under('/gridCrs');
      throw e;
    }
    const cm = centralMeridianOf(crs);
    if (cm === undefined)
      throw new Problem(
        'record.grid_not_transverse_mercator',
        { crs: record.gridCrs },
        { pointer: '/gridCrs' },
      );
    return cm;
  }
  // Gauss-Krüger 6° zone n and UTM zone n+30 share a central meridian, so the 6° zone of
  // the point serves either grid when the record's own CRS is not a zone.
  return centralMeridianOf(origin.crs) ?? utmZoneForLon(origin.lon) * 6 - 183;
}

interface Walker {
  walk(from: WalkPoint, leg: LegSpec): WalkPoint;
  legs: DecodedLeg[];
}

interface WalkPoint {
  lon: number;
  lat: number;
  j: PointJacobian;
}

interface LegSpec {
  part: LegPart;
  index: number;
  pointer: string;
  bearing: number | string;
  distance: number;
  distanceUnit?: DistanceUnit;
  distanceSigmaM?: number;
}

function legSpec(part: LegPart, index: number, pointer: string, leg: RecordLeg): LegSpec {
  return {
    part,
    index,
    pointer,
    bearing: leg.bearing,
    distance: leg.distance,
    distanceUnit: leg.distanceUnit,
    distanceSigmaM: leg.distanceSigmaM,
  };
}

function makeWalker(
  record: MinefieldRecord,
  a: HypothesisAssumptions,
  prop: TraversePropagation,
  errors: ResolvedErrorModel,
  gridCm: () => number,
): Walker {
  const deg = Math.PI / 180;
  const legs: DecodedLeg[] = [];
  const layingDate = record.layingDate ? new Date(`${record.layingDate}T00:00:00Z`) : undefined;
  const declinationParam =
    a.bearingReference === 'magnetic' && errors.declinationSigmaDeg > 0
      ? prop.parameter('declination', errors.declinationSigmaDeg * deg)
      : null;
  const convergenceParam =
    a.bearingReference === 'grid' && errors.convergenceSigmaDeg > 0
      ? prop.parameter('convergence', errors.convergenceSigmaDeg * deg)
      : null;

  const walk = (from: WalkPoint, spec: LegSpec): WalkPoint => {
    const readDeg = angleToDeg(spec.bearing, record.angleUnit, a.milCircle ?? undefined, {
      pointer: `${spec.pointer}/bearing`,
      leg: spec.index,
    });
    let declination: number | null = null;
    let convergence: number | null = null;
    let azimuth = readDeg;
    if (a.bearingReference === 'magnetic') {
      declination = record.statedDeclinationDeg ?? igrfDeclination(layingDate, from);
      azimuth += declination;
    } else if (a.bearingReference === 'grid') {
      // True azimuth = grid bearing + convergence (convergence: the angle from true north to grid north, east positive).
      convergence = gridConvergenceDeg(from.lat, from.lon, gridCm());
      azimuth += convergence;
    }
    if (a.direction === 'reverse') azimuth += 180;
    azimuth = normaliseAzimuthDeg(azimuth);
    const unit = spec.distanceUnit ?? a.distanceUnit;
    const distanceM = spec.distance * unitLengthM(record, unit);
    const end = geodesicDirect(from.lat, from.lon, azimuth, distanceM);

    const bearingParams = [prop.parameter(`compass:${spec.pointer}`, errors.compassSigmaDeg * deg)];
    if (declinationParam !== null) bearingParams.push(declinationParam);
    if (convergenceParam !== null) bearingParams.push(convergenceParam);
    const distanceSigma = spec.distanceSigmaM ?? (errors.distanceSigmaPercent[unit] / 100) * distanceM;
    const scaleSigma = errors.distanceScaleSigmaPercent[unit] / 100;
    const j = prop.leg(from.j, azimuth, distanceM, {
      bearingParams,
      distanceParams: distanceSigma > 0 ? [prop.parameter(`distance:${spec.pointer}`, distanceSigma)] : [],
      // The unit's length is one parameter for the whole record: one pacer, one step length.
      scaleParams: scaleSigma > 0 ? [prop.parameter(`scale:${unit}`, scaleSigma)] : [],
    });
    legs.push({
      part: spec.part,
      index: spec.index,
      pointer: spec.pointer,
      bearingAsWritten: spec.bearing,
      bearingDeg: readDeg,
      declinationDeg: declination,
      convergenceDeg: convergence,
      trueAzimuthDeg: azimuth,
      distanceAsWritten: spec.distance,
      distanceM,
      from: [from.lon, from.lat],
      to: [end.lonDeg, end.latDeg],
    });
    return { lon: end.lonDeg, lat: end.latDeg, j };
  };

  function igrfDeclination(date: Date | undefined, at: WalkPoint): number {
    if (!date) throw new Problem('record.laying_date_needed', {}, { pointer: '/layingDate' });
    try {
      return declinationDeg({ date, latDeg: at.lat, lonDeg: at.lon });
    } catch (e) {
      if (isProblem(e)) throw e.under('/layingDate');
      throw e;
    }
  }

  return { walk, legs };
}

function decodedPoint(prop: TraversePropagation, p: WalkPoint, name: string | null): DecodedPoint {
  const cov = prop.covariance(p.j);
  return { name, lon: p.lon, lat: p.lat, radius95M: radius95M(cov), ellipse: errorEllipse(cov) };
}

/** Twice the signed area of a local ring (positive: counter-clockwise). */
function signedArea2(ring: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    s += x1 * y2 - x2 * y1;
  }
  return s;
}

function decodeHypothesis(
  record: MinefieldRecord,
  a: HypothesisAssumptions,
  origin: Origin,
  landmarkOnly: { lon: number; lat: number; name: string | null } | null,
  errors: ResolvedErrorModel,
  tolerance: { maxRatio: number | null; maxM: number | null },
  opts: DecodeOptions,
): Omit<DecodedHypothesis, 'id' | 'label'> {
  const prop = new TraversePropagation();
  let cm: number | null = null;
  const gridCm = () => {
    cm ??= gridCentralMeridian(record, origin);
    return cm;
  };
  const walker = makeWalker(record, a, prop, errors, gridCm);

  const datumSigma = isWgs84(origin.crs) ? 0 : errors.datumSigmaM;
  const east = [prop.parameter('origin:east', errors.landmarkSigmaM)];
  const north = [prop.parameter('origin:north', errors.landmarkSigmaM)];
  if (datumSigma > 0) {
    east.push(prop.parameter('datum:east', datumSigma));
    north.push(prop.parameter('datum:north', datumSigma));
  }
  const start: WalkPoint = { lon: origin.lon, lat: origin.lat, j: prop.origin(east, north) };

  let reference = start;
  let landmark: DecodedPoint | null = null;
  if (!origin.isReference) {
    landmark = decodedPoint(prop, start, origin.name);
    (record.legsToReference ?? []).forEach((leg, i) => {
      reference = walker.walk(reference, legSpec('toReference', i, `/legsToReference/${i}`, leg));
    });
  } else if (landmarkOnly) {
    // A landmark beside known reference coordinates is shown, not walked from.
    const sigma = Math.hypot(errors.landmarkSigmaM, datumSigma);
    landmark = {
      ...landmarkOnly,
      radius95M: CHI2_2D_95_FACTOR * sigma,
      ellipse: { semiMajorM: sigma, semiMinorM: sigma, majorAzimuthDeg: 0 },
    };
  }

  const turning: WalkPoint[] = [];
  let at = reference;
  if (record.perimeter.startsAtReference) turning.push(reference);
  record.perimeter.legs.forEach((leg, i) => {
    at = walker.walk(at, legSpec('perimeter', i, `/perimeter/legs/${i}`, leg));
    turning.push(at);
  });
  const firstLegInLoop = record.perimeter.startsAtReference ? 0 : 1;
  const loopLegs = walker.legs.filter((l) => l.part === 'perimeter').slice(firstLegInLoop);

  const plane = localPlane(turning[0]!.lon, turning[0]!.lat);
  let misclosure: Misclosure | null = null;
  const corrections: [number, number][] = turning.map(() => [0, 0]);
  let adjusted = false;
  if (record.perimeter.closingLeg) {
    const end = walker.walk(at, legSpec('closing', 0, '/perimeter/closingLeg', record.perimeter.closingLeg));
    const [eastM, northM] = plane.toLocal(end.lon, end.lat);
    const closingLeg = walker.legs[walker.legs.length - 1]!;
    const perimeterLengthM = loopLegs.reduce((s, l) => s + l.distanceM, 0) + closingLeg.distanceM;
    const lengthM = Math.hypot(eastM, northM);
    misclosure = { eastM, northM, lengthM, ratio: lengthM / perimeterLengthM, perimeterLengthM };
    const allowedM =
      tolerance.maxM ?? (tolerance.maxRatio ?? DEFAULT_MAX_MISCLOSURE_RATIO) * perimeterLengthM;
    if (lengthM > allowedM) {
      throw new Problem(
        'record.not_closed',
        {
          misclosureM: round(lengthM, 2),
          eastM: round(eastM, 2),
          northM: round(northM, 2),
          ratio: `1:${Math.round(1 / misclosure.ratio)}`,
          allowedM: round(allowedM, 2),
        },
        { pointer: '/perimeter/closingLeg' },
      );
    }
    if (record.closure?.adjust) {
      // Compass (Bowditch) rule: each turning point moves against the misclosure in
      // proportion to the loop length walked to reach it.
      let walked = 0;
      for (let k = 1; k < turning.length; k++) {
        walked += loopLegs[k - 1]!.distanceM;
        corrections[k] = [(-eastM * walked) / perimeterLengthM, (-northM * walked) / perimeterLengthM];
      }
      adjusted = true;
    }
  }

  const localTurning = turning.map((p, k) => {
    const [e, n] = plane.toLocal(p.lon, p.lat);
    return [e + corrections[k]![0], n + corrections[k]![1]] as [number, number];
  });
  const vertices: DecodedVertex[] = turning.map((p, k) => {
    const [lon, lat] = adjusted ? plane.toLonLat(...localTurning[k]!) : [p.lon, p.lat];
    const leg = record.perimeter.legs[record.perimeter.startsAtReference ? k - 1 : k];
    const name =
      k === 0 && record.perimeter.startsAtReference
        ? (record.referencePoint?.name ?? null)
        : (leg?.toName ?? null);
    return {
      ...decodedPoint(prop, p, name),
      lon,
      lat,
      number: k + 1,
      adjustmentEastM: corrections[k]![0],
      adjustmentNorthM: corrections[k]![1],
    };
  });

  const ccw = signedArea2(localTurning) > 0;
  const ringOrder = ccw ? vertices : [...vertices].reverse();
  const ring = ringOrder.map((v) => [v.lon, v.lat]);
  const polygon: Polygon = { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };

  let buffered: [number, number][][][] = [];
  if (opts.uncertaintyPolygon !== false) {
    try {
      buffered = variableBuffer(
        localTurning,
        vertices.map((v) => v.radius95M),
      );
    } catch (e) {
      // A buffer that cannot be built is a fault of this reading (minefield.polygon_failed).
      throw isProblem(e) ? e.under('/perimeter') : e;
    }
  }
  const uncertaintyPolygon: MultiPolygon = {
    type: 'MultiPolygon',
    coordinates: buffered.map((poly) => poly.map((r) => r.map(([e, n]) => plane.toLonLat(e, n)))),
  };

  const rows = (record.rows ?? []).map((row, i): DecodedRow => {
    let anchor = reference;
    let shift: [number, number] = [0, 0];
    if (row.from.point === 'turningPoint') {
      anchor = turning[row.from.number - 1]!;
      shift = corrections[row.from.number - 1]!;
    }
    if (adjusted && (shift[0] !== 0 || shift[1] !== 0)) {
      const [e, n] = plane.toLocal(anchor.lon, anchor.lat);
      const [lon, lat] = plane.toLonLat(e + shift[0], n + shift[1]);
      anchor = { ...anchor, lon, lat };
    }
    const pointer = `/rows/${i}`;
    const startPoint = row.offset
      ? walker.walk(anchor, legSpec('rowOffset', i, `${pointer}/offset`, row.offset))
      : anchor;
    const endPoint = walker.walk(startPoint, {
      part: 'row',
      index: i,
      pointer,
      bearing: row.bearing,
      distance: row.length,
    });
    const rowLeg = walker.legs[walker.legs.length - 1]!;
    const unitM = unitLengthM(record, a.distanceUnit);
    const spacingM = row.spacing === undefined ? null : row.spacing * unitM;
    return {
      name: row.name ?? null,
      mineModel: row.mineModel ?? null,
      mineCount: row.mineCount ?? (spacingM ? Math.floor(rowLeg.distanceM / spacingM + 1e-9) + 1 : null),
      lengthM: rowLeg.distanceM,
      spacingM,
      line: {
        type: 'LineString',
        coordinates: [
          [startPoint.lon, startPoint.lat],
          [endPoint.lon, endPoint.lat],
        ],
      },
      startRadius95M: radius95M(prop.covariance(startPoint.j)),
      endRadius95M: radius95M(prop.covariance(endPoint.j)),
    };
  });

  return {
    assumptions: a,
    landmark,
    referencePoint: decodedPoint(prop, reference, record.referencePoint?.name ?? null),
    vertices,
    polygon,
    rows,
    uncertaintyPolygon,
    misclosure,
    adjusted,
    legs: walker.legs,
    gridCentralMeridianDeg: cm,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
