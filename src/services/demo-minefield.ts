import type { MinefieldRecord } from '../domain/minefield-record.ts';
import { fromLonLat } from '../geo/crs.ts';
import { geodesicDirect, geodesicInverse } from '../geo/geodesic.ts';
import { declinationDeg } from '../geo/igrf.ts';
import { formatSovietMils } from '../geo/record-angles.ts';
import { decodeRecord } from '../geo/record-decode.ts';

/**
 * Fictional handed-over minefield records for the demo programme, written the way such records
 * are: a landmark in Pulkovo 1942 / Gauss-Krüger zone 8, magnetic bearings in the Soviet
 * "15-50" notation, distances in paces, rows of anti-vehicle and anti-personnel mines. Each is
 * laid out round a demo hazard's benchmark, and a few devices are "found" along its first row
 * as the stated reading places it, so the demo's score names that reading.
 */

const PACE_M = 0.75;
const GK8 = 'EPSG:28408';

export interface DemoMinefieldRecord {
  name: string;
  record: MinefieldRecord;
  /** Points along the stated reading's first row where the demo's devices were found. */
  found: Array<[lon: number, lat: number]>;
}

/** Magnetic bearing in Soviet notation for a true azimuth, at the laying date and place. */
function magneticBearing(trueAzimuthDeg: number, declination: number): string {
  const magnetic = (((trueAzimuthDeg - declination) % 360) + 360) % 360;
  return formatSovietMils(Math.round((magnetic / 360) * 6000) % 6000);
}

const paces = (m: number) => Math.round(m / PACE_M);

/**
 * One record round a benchmark: the landmark 250 m west-south-west of it, the reference point
 * at the benchmark, a rectangular perimeter from the first turning point, two rows inside it.
 * `index` varies the heading, the dimensions and where the devices were found.
 */
export function demoMinefieldRecord(
  benchmark: [lon: number, lat: number],
  index: number,
  layingDate: string,
): DemoMinefieldRecord {
  const [lon, lat] = benchmark;
  const heading = (35 + index * 47) % 180;
  const lengthM = 150 + index * 20;
  const widthM = 60 + index * 10;
  const declination = declinationDeg({ date: new Date(`${layingDate}T00:00:00Z`), latDeg: lat, lonDeg: lon });
  const landmark = geodesicDirect(lat, lon, 247, 250);
  const toReference = geodesicInverse(landmark.latDeg, landmark.lonDeg, lat, lon);
  const [x, y] = fromLonLat(GK8, landmark.lonDeg, landmark.latDeg);
  const leg = (azimuth: number, metres: number, toName?: string) => ({
    bearing: magneticBearing(azimuth, declination),
    distance: paces(metres),
    ...(toName ? { toName } : {}),
  });
  const record: MinefieldRecord = {
    title: `Minefield No. ${14 + index} (demo)`,
    layingDate,
    layingUnit: 'Engineer Battalion 7 (demo)',
    landmark: { name: 'Ruined mill (demo)', crs: GK8, coordinates: [Math.round(x), Math.round(y)] },
    angleUnit: 'soviet',
    bearingReference: 'magnetic',
    distanceUnit: 'pace',
    paceLengthM: PACE_M,
    legsToReference: [leg(toReference.azi1Deg, toReference.distanceM, 'Reference point')],
    perimeter: {
      legs: [
        leg(heading + 90, 12, 'TP1'),
        leg(heading, lengthM, 'TP2'),
        leg(heading + 90, widthM, 'TP3'),
        leg(heading + 180, lengthM, 'TP4'),
      ],
      closingLeg: leg(heading + 270, widthM),
    },
    rows: [
      {
        name: 'Row 1',
        from: { point: 'turningPoint', number: 1 },
        offset: leg(heading + 90, widthM / 3),
        bearing: magneticBearing(heading, declination),
        length: paces(lengthM - 10),
        spacing: paces(8),
        mineModel: 'TM-62M',
      },
      {
        name: 'Row 2',
        from: { point: 'turningPoint', number: 1 },
        offset: leg(heading + 90, (2 * widthM) / 3),
        bearing: magneticBearing(heading, declination),
        length: paces(lengthM - 10),
        spacing: paces(4),
        mineModel: 'PMN',
      },
    ],
    declaredMines: [
      { model: 'TM-62M', count: Math.floor((lengthM - 10) / 8) + 1 },
      { model: 'PMN', count: Math.floor((lengthM - 10) / 4) + 1 },
    ],
    closure: { maxRatio: 0.05, adjust: true },
    hypotheses: {
      bearingReferences: ['grid', 'true'],
      milCircles: [6400],
      distanceUnits: ['pair_of_steps'],
      directions: ['reverse'],
    },
  };
  // Devices found along the first row as the stated reading draws it, a metre or two off.
  const stated = decodeRecord(record, { uncertaintyPolygon: false }).hypotheses[0]!;
  const row = stated.rows[0]!.line.coordinates;
  const [start, end] = [row[0]!, row[row.length - 1]!];
  const along = geodesicInverse(start[1]!, start[0]!, end[1]!, end[0]!);
  const found: Array<[number, number]> = [];
  for (let k = 0; k < 6; k++) {
    const p = geodesicDirect(
      start[1]!,
      start[0]!,
      along.azi1Deg,
      (along.distanceM * (k * 2 + 1 + index)) / 13,
    );
    const off = geodesicDirect(p.latDeg, p.lonDeg, (k * 67 + index * 29) % 360, 1 + (k % 2));
    found.push([off.lonDeg, off.latDeg]);
  }
  return { name: record.title!, record, found };
}
