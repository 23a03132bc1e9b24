import type { FeatureCollection, Point } from 'geojson';

/** What a reading of a minefield record assumes (the decode answer's `reading`). */
export interface Reading {
  bearingReference: 'magnetic' | 'grid' | 'true';
  milCircle: 6000 | 6400 | null;
  distanceUnit: 'm' | 'pace' | 'pair_of_steps';
  distanceUnitM: number;
  direction: 'forward' | 'reverse';
}

/** One leg as decoded under one reading (src/geo/record-decode.ts, DecodedLeg). */
export interface DecodedLeg {
  part: 'toReference' | 'perimeter' | 'closing' | 'rowOffset' | 'row';
  index: number;
  bearingAsWritten: number | string;
  bearingDeg: number;
  declinationDeg: number | null;
  convergenceDeg: number | null;
  trueAzimuthDeg: number;
  distanceAsWritten: number;
  distanceM: number;
}

export interface Hypothesis {
  id: string;
  label: string;
  reading: Reading;
  stated: boolean;
  adopted: boolean;
  legs: DecodedLeg[];
  misclosure: {
    eastM: number;
    northM: number;
    lengthM: number;
    ratio: number | null;
    perimeterLengthM: number;
  } | null;
}

export interface NotDecoded {
  id: string;
  label: string;
  reading: Reading;
  stated: boolean;
  message: string;
  problem: { code: string };
}

export interface Decoded extends FeatureCollection {
  hypotheses: Hypothesis[];
  notDecoded: NotDecoded[];
  statedHypothesis: string;
  adoptedHypothesis: string | null;
  geometryHypothesis: string | null;
}

export interface Distance {
  medianM: number;
  p95M: number;
  maxM: number;
}

export interface Score {
  id: string;
  misfit: Distance;
  shareInsidePolygon: number;
  shareInsideUncertainty: number;
  fit: {
    rotationDeg: number;
    shiftEastM: number;
    shiftNorthM: number;
    scale: number;
    residualRmsM: number;
  } | null;
  /** How likely the finds are under this reading (the ranking figure, src/geo/record-score.ts). */
  likelihood?: {
    model: 'rows' | 'area';
    logLikelihood: number;
    meanLogDensity: number;
    sigmaM: number;
    areaM2: number;
    strays: number;
  };
}

export interface Scores {
  findingCount: number;
  deviceCount: number;
  declaredCount: number | null;
  hypotheses: Score[];
  best: {
    id: string;
    criterion: string;
    /** How the likelihood that ranks the readings is computed. */
    method?: string;
    logLikelihoodRatio?: number | null;
  } | null;
  findings: FeatureCollection<Point>;
}

/** A leg or row as the record writes it (src/domain/minefield-record.ts). */
export interface RecordLeg {
  bearing: number | string;
  distance: number;
  distanceUnit?: Reading['distanceUnit'];
  toName?: string;
}

export interface RecordPoint {
  name?: string;
  crs: string;
  coordinates: [number, number];
  xy?: boolean;
}

export interface RecordRow {
  name?: string;
  from: { point: 'reference' } | { point: 'turningPoint'; number: number };
  offset?: RecordLeg;
  bearing: number | string;
  length: number;
  spacing?: number;
  mineModel?: string;
  mineCount?: number;
}

/** The laying record as written, as far as the page shows it. */
export interface LayingRecord {
  title?: string;
  layingDate?: string;
  layingUnit?: string;
  landmark?: RecordPoint;
  referencePoint?: RecordPoint;
  angleUnit: 'deg' | 'mil6000' | 'mil6400' | 'soviet';
  bearingReference: Reading['bearingReference'];
  statedDeclinationDeg?: number;
  distanceUnit: Reading['distanceUnit'];
  paceLengthM?: number;
  pairOfStepsLengthM?: number;
  legsToReference?: RecordLeg[];
  perimeter: { startsAtReference?: boolean; legs: RecordLeg[]; closingLeg?: RecordLeg };
  rows?: RecordRow[];
  declaredMines?: Array<{ model: string; count: number }>;
  closure?: { maxRatio?: number; maxM?: number; adjust?: boolean };
}
