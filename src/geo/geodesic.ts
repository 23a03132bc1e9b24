import geographiclib from 'geographiclib-geodesic';

/**
 * Geodesics on the WGS 84 ellipsoid through GeographicLib (Karney's algorithms, accurate
 * to about 15 nm), which a record decoder uses to walk traverse legs and measure distances.
 * Angles in degrees, azimuths clockwise from true north, distances in metres.
 */

const { Geodesic, PolygonArea } = geographiclib;
const wgs84 = Geodesic.WGS84;

export interface GeodesicDirectResult {
  latDeg: number;
  lonDeg: number;
  /** Forward azimuth at the end point, degrees clockwise from true north in (-180, 180]. */
  aziDeg: number;
}

export interface GeodesicInverseResult {
  distanceM: number;
  /** Azimuth at the start point, degrees clockwise from true north in (-180, 180]. */
  azi1Deg: number;
  /** Forward azimuth at the end point (not the back bearing), degrees in (-180, 180]. */
  azi2Deg: number;
}

/**
 * The point reached by walking `distanceM` along the geodesic that leaves
 * (`latDeg`, `lonDeg`) at true azimuth `aziDeg` (the direct problem).
 *
 * @example geodesicDirect(0, 0, 90, 111319.49) // ≈ { latDeg: 0, lonDeg: 1, aziDeg: 90 }
 */
export function geodesicDirect(
  latDeg: number,
  lonDeg: number,
  aziDeg: number,
  distanceM: number,
): GeodesicDirectResult {
  const r = wgs84.Direct(latDeg, lonDeg, aziDeg, distanceM, Geodesic.STANDARD);
  return { latDeg: r.lat2 as number, lonDeg: r.lon2 as number, aziDeg: r.azi2 as number };
}

/**
 * Shortest distance and azimuths between two points (the inverse problem).
 *
 * @example geodesicInverse(0, 0, 1, 1) // ≈ { distanceM: 156899.568, azi1Deg: 45.188, azi2Deg: 45.197 }
 */
export function geodesicInverse(
  lat1Deg: number,
  lon1Deg: number,
  lat2Deg: number,
  lon2Deg: number,
): GeodesicInverseResult {
  const r = wgs84.Inverse(lat1Deg, lon1Deg, lat2Deg, lon2Deg, Geodesic.STANDARD);
  return { distanceM: r.s12 as number, azi1Deg: r.azi1 as number, azi2Deg: r.azi2 as number };
}

/**
 * Ellipsoidal area of one ring (absolute value, m²), edges taken as geodesics. The ring may
 * be given open or closed (GeoJSON repeats the first vertex; the repeat adds a zero-length
 * edge and does not change the area).
 *
 * @example polygonAreaM2([[0, 0], [1, 0], [1, 1], [0, 1]]) // ≈ 1.2308e10 (a 1° square at the equator)
 */
export function polygonAreaM2(ring: [lon: number, lat: number][]): number {
  const polygon = new PolygonArea.PolygonArea(wgs84, false);
  for (const [lon, lat] of ring) polygon.AddPoint(lat, lon);
  // reverse = false, sign = true, then abs: the orientation of the ring does not matter here.
  const area = polygon.Compute(false, true).area ?? 0;
  return Math.abs(area);
}
