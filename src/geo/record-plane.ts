import { geodesicDirect, geodesicInverse } from './geodesic.ts';

/**
 * A local east/north plane (metres) round an origin, for the small-area work of record
 * decoding: misclosure, error ellipses, buffers, distances of findings. It is the
 * azimuthal equidistant projection built on the ellipsoid's geodesics, so distances and
 * azimuths from the origin are exact and other distances within a few kilometres are
 * off by far less than a millimetre per metre, which is below any record's precision.
 */
export interface LocalPlane {
  originLon: number;
  originLat: number;
  /** [east, north] metres of a lon/lat point. */
  toLocal(lon: number, lat: number): [eastM: number, northM: number];
  /** [lon, lat] of a local point. */
  toLonLat(eastM: number, northM: number): [lon: number, lat: number];
}

/**
 * The local plane round (`originLon`, `originLat`).
 *
 * @example localPlane(45, 40).toLocal(45, 40.001) // ≈ [0, 111.05]
 */
export function localPlane(originLon: number, originLat: number): LocalPlane {
  return {
    originLon,
    originLat,
    toLocal(lon, lat) {
      if (lon === originLon && lat === originLat) return [0, 0];
      const g = geodesicInverse(originLat, originLon, lat, lon);
      const a = (g.azi1Deg * Math.PI) / 180;
      return [g.distanceM * Math.sin(a), g.distanceM * Math.cos(a)];
    },
    toLonLat(eastM, northM) {
      const d = Math.hypot(eastM, northM);
      if (d === 0) return [originLon, originLat];
      const azi = (Math.atan2(eastM, northM) * 180) / Math.PI;
      const p = geodesicDirect(originLat, originLon, azi, d);
      return [p.lonDeg, p.latDeg];
    },
  };
}
