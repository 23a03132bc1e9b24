import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { Problem } from './problem.ts';

/**
 * A legacy minefield laying record as written by the unit that laid it (CCW Amended
 * Protocol II, Technical Annex): a known point, a chain of legs (bearing, distance) to
 * the reference point and round the perimeter, mine rows, declared mine counts, the date.
 * Figures are kept as the record writes them (bearings in its angle unit, distances in
 * paces…); decoding (src/geo/record-decode.ts) turns them into WGS 84 geometry.
 *
 * This JSON is the file format of `safeground record decode FILE.json` and the body of the
 * minefield-records API. Field names are camelCase. See docs/minefield-records.md.
 */

export const ANGLE_UNITS = ['deg', 'mil6000', 'mil6400', 'soviet'] as const;
export const BEARING_REFERENCES = ['magnetic', 'grid', 'true'] as const;
export const DISTANCE_UNITS = ['m', 'pace', 'pair_of_steps'] as const;
export const LEG_DIRECTIONS = ['forward', 'reverse'] as const;

/** Length of one pace and of one pair of steps when a record does not say (metres). */
export const DEFAULT_PACE_LENGTH_M = 0.75;
export const DEFAULT_PAIR_OF_STEPS_LENGTH_M = 1.5;

const AngleUnitSchema = Type.Enum(ANGLE_UNITS);
const BearingReferenceSchema = Type.Enum(BEARING_REFERENCES);
const DistanceUnitSchema = Type.Enum(DISTANCE_UNITS);
const LegDirectionSchema = Type.Enum(LEG_DIRECTIONS);

/** A bearing in the record's angle unit: a number, or a text such as "15-50" or `93°30'`. */
export const RecordBearing = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 32 })]);

export const RecordPoint = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** Any CRS spec the crs module accepts: `EPSG:28408`, `EPSG:4326`, a proj4 string… */
    crs: Type.String({ minLength: 1, maxLength: 2000 }),
    /** In the CRS's authority axis order (northing first for Gauss-Krüger, lat first for EPSG:4326) unless `xy`. */
    coordinates: Type.Tuple([Type.Number(), Type.Number()]),
    /** True when `coordinates` are easting/longitude first. */
    xy: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const RecordLeg = Type.Object(
  {
    bearing: RecordBearing,
    /** In the record's distance unit (or this leg's `distanceUnit`). */
    distance: Type.Number({ exclusiveMinimum: 0 }),
    /** A leg measured in another unit than the record's; not subject to the distance-unit hypotheses. */
    distanceUnit: Type.Optional(DistanceUnitSchema),
    /** Standard deviation of this leg's distance in metres, overriding the percentage default. */
    distanceSigmaM: Type.Optional(Type.Number({ minimum: 0 })),
    /** Name of the point the leg ends at (a turning point "TP3", the reference point…). */
    toName: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const RecordRow = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** Where the row's start is measured from: the reference point or a turning point (1-based, as records number them). */
    from: Type.Union([
      Type.Object({ point: Type.Literal('reference') }, { additionalProperties: false }),
      Type.Object(
        { point: Type.Literal('turningPoint'), number: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
    ]),
    /** Offset from that point to the row's start (absent: the row starts at the point). */
    offset: Type.Optional(RecordLeg),
    /** Direction of the row from its start, in the record's angle unit and bearing reference. */
    bearing: RecordBearing,
    /** Length of the row in the record's distance unit. */
    length: Type.Number({ exclusiveMinimum: 0 }),
    /** Distance between mines along the row, in the record's distance unit. */
    spacing: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    mineModel: Type.Optional(Type.String({ maxLength: 100 })),
    mineCount: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const DeclaredMines = Type.Object(
  { model: Type.String({ minLength: 1, maxLength: 100 }), count: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

/** Error figures of a record; any left out take RECORD_ERROR_DEFAULTS (src/geo/record-uncertainty.ts). */
export const RecordErrorModel = Type.Object(
  {
    landmarkSigmaM: Type.Optional(Type.Number({ minimum: 0 })),
    datumSigmaM: Type.Optional(Type.Number({ minimum: 0 })),
    declinationSigmaDeg: Type.Optional(Type.Number({ minimum: 0 })),
    convergenceSigmaDeg: Type.Optional(Type.Number({ minimum: 0 })),
    compassSigmaDeg: Type.Optional(Type.Number({ minimum: 0 })),
    distanceSigmaPercent: Type.Optional(Type.Number({ minimum: 0 })),
    distanceScaleSigmaPercent: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const MinefieldRecord = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 500 })),
    /** Date the field was laid, YYYY-MM-DD: declination is taken at this date. */
    layingDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    layingUnit: Type.Optional(Type.String({ maxLength: 200 })),
    /** The known point the record starts from. At least one of `landmark` and `referencePoint`. */
    landmark: Type.Optional(RecordPoint),
    /** The reference point when its coordinates are known (then legs from the landmark are not used). */
    referencePoint: Type.Optional(RecordPoint),
    angleUnit: AngleUnitSchema,
    bearingReference: BearingReferenceSchema,
    /** Declination (east positive, degrees) stated on the record; otherwise IGRF at the laying date. */
    statedDeclinationDeg: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    /** The grid whose north grid bearings refer to; default: the landmark's CRS if it is a transverse Mercator zone, else the 6° zone of the point. */
    gridCrs: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    distanceUnit: DistanceUnitSchema,
    paceLengthM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3 })),
    pairOfStepsLengthM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 5 })),
    /** Legs from the landmark to the reference point (empty when the reference point has coordinates). */
    legsToReference: Type.Optional(Type.Array(RecordLeg, { maxItems: 1000 })),
    perimeter: Type.Object(
      {
        /** True when the reference point is itself the first turning point. */
        startsAtReference: Type.Optional(Type.Boolean()),
        /** Legs round the perimeter; each ends at a turning point. */
        legs: Type.Array(RecordLeg, { maxItems: 1000 }),
        /** The leg from the last turning point back to the first, which measures closure. */
        closingLeg: Type.Optional(RecordLeg),
      },
      { additionalProperties: false },
    ),
    rows: Type.Optional(Type.Array(RecordRow, { maxItems: 1000 })),
    declaredMines: Type.Optional(Type.Array(DeclaredMines, { maxItems: 200 })),
    errors: Type.Optional(RecordErrorModel),
    closure: Type.Optional(
      Type.Object(
        {
          /** Largest accepted misclosure as a share of the perimeter length (default 1/20). */
          maxRatio: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          /** Largest accepted misclosure in metres; when given it replaces `maxRatio`. */
          maxM: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          /** Distribute the misclosure over the turning points by the compass (Bowditch) rule. */
          adjust: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Alternative readings to decode besides the one the record states, each as its own hypothesis. */
    hypotheses: Type.Optional(
      Type.Object(
        {
          bearingReferences: Type.Optional(Type.Array(BearingReferenceSchema, { maxItems: 3 })),
          milCircles: Type.Optional(
            Type.Array(Type.Union([Type.Literal(6000), Type.Literal(6400)]), { maxItems: 2 }),
          ),
          distanceUnits: Type.Optional(Type.Array(DistanceUnitSchema, { maxItems: 3 })),
          /** `reverse`: the bearings are back-bearings (from the far end of each leg). */
          directions: Type.Optional(Type.Array(LegDirectionSchema, { maxItems: 2 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type MinefieldRecord = Static<typeof MinefieldRecord>;
export type RecordLeg = Static<typeof RecordLeg>;
export type RecordRow = Static<typeof RecordRow>;
export type RecordPoint = Static<typeof RecordPoint>;
export type RecordErrorModel = Static<typeof RecordErrorModel>;
export type AngleUnit = (typeof ANGLE_UNITS)[number];
export type BearingReference = (typeof BEARING_REFERENCES)[number];
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];
export type LegDirection = (typeof LEG_DIRECTIONS)[number];

/**
 * The id of the reading a record states: its own bearing reference, mil circle (Soviet "15-50"
 * notation counts 6000 to the circle) and distance unit, bearings taken forward. Ids have the
 * form of `hypothesisId` (src/geo/record-decode.ts).
 *
 * @example statedHypothesisId({ …, bearingReference: 'magnetic', angleUnit: 'soviet', distanceUnit: 'pace' }) // 'ref=magnetic,angle=mil6000,dist=pace,dir=forward'
 */
export function statedHypothesisId(
  record: Pick<MinefieldRecord, 'bearingReference' | 'angleUnit' | 'distanceUnit'>,
): string {
  const angle = record.angleUnit === 'deg' ? 'deg' : record.angleUnit === 'mil6400' ? 'mil6400' : 'mil6000';
  return `ref=${record.bearingReference},angle=${angle},dist=${record.distanceUnit},dir=forward`;
}

/**
 * Checks a value against the record schema, returning it typed, or throws
 * `record.invalid` with the JSON pointer of the first fault (all faults in `others`).
 *
 * @example parseMinefieldRecord(JSON.parse(text)) // MinefieldRecord
 */
export function parseMinefieldRecord(value: unknown): MinefieldRecord {
  if (Value.Check(MinefieldRecord, value)) return value;
  // The innermost fault at each pointer is the useful one: anyOf/additionalProperties echo it.
  const seen = new Set<string>();
  const faults = [...Value.Errors(MinefieldRecord, value)].filter((e) => {
    if (e.keyword === 'anyOf' || seen.has(e.instancePath)) return false;
    seen.add(e.instancePath);
    return true;
  });
  const problems = faults.map(
    (e) =>
      new Problem(
        'record.invalid',
        { pointer: e.instancePath || '/', reason: e.message },
        { pointer: e.instancePath || '/' },
      ),
  );
  const first =
    problems[0] ?? new Problem('record.invalid', { pointer: '/', reason: 'invalid' }, { pointer: '/' });
  throw new Problem(first.code, first.params, first.where, problems.slice(1));
}
