import { Problem } from '../domain/problem.ts';

/**
 * Transverse Mercator zones (UTM, Gauss-Krüger): grid convergence and point scale, which turn
 * a true bearing and a ground distance from a minefield record into grid ones and back.
 *
 * proj4 projects coordinates but gives neither convergence nor scale, and GeographicLib's
 * JavaScript port carries only geodesics, so the two factors are computed here from Krüger's
 * series to sixth order in n as in Karney, "Transverse Mercator with an accuracy of a few
 * nanometers", J. Geodesy 85 (2011), eqs. (9)–(15), accurate to far better than 1e-9° and 1e-9
 * in scale within 4000 km of the central meridian.
 */

export interface Ellipsoid {
  /** Semi-major axis, metres. */
  a: number;
  /** Flattening. */
  f: number;
}

export const WGS84: Ellipsoid = { a: 6378137, f: 1 / 298.257223563 };
/** The ellipsoid of Pulkovo 1942 and the Soviet Gauss-Krüger grids. */
export const KRASSOWSKY_1940: Ellipsoid = { a: 6378245, f: 1 / 298.3 };

/** Scale on the central meridian of UTM zones. */
export const UTM_K0 = 0.9996;

const DEG = Math.PI / 180;

/** Krüger's α coefficients (Karney 2011, eq. 35), six terms. */
function krugerAlpha(n: number): number[] {
  const n2 = n * n;
  const n3 = n2 * n;
  const n4 = n3 * n;
  const n5 = n4 * n;
  const n6 = n5 * n;
  return [
    n / 2 - (2 * n2) / 3 + (5 * n3) / 16 + (41 * n4) / 180 - (127 * n5) / 288 + (7891 * n6) / 37800,
    (13 * n2) / 48 - (3 * n3) / 5 + (557 * n4) / 1440 + (281 * n5) / 630 - (1983433 * n6) / 1935360,
    (61 * n3) / 240 - (103 * n4) / 140 + (15061 * n5) / 26880 + (167603 * n6) / 181440,
    (49561 * n4) / 161280 - (179 * n5) / 168 + (6601661 * n6) / 7257600,
    (34729 * n5) / 80640 - (3418889 * n6) / 1995840,
    (212378941 * n6) / 319334400,
  ];
}

function checkLatLon(latDeg: number, lonDeg: number, centralMeridianDeg: number): void {
  if (!(latDeg >= -90 && latDeg <= 90))
    throw new Problem('geo.tm.latitude_out_of_range', { lat: String(latDeg) });
  if (!Number.isFinite(lonDeg)) throw new Problem('geo.tm.longitude_invalid', { lon: String(lonDeg) });
  if (!Number.isFinite(centralMeridianDeg)) {
    throw new Problem('geo.tm.longitude_invalid', { lon: String(centralMeridianDeg) });
  }
}

/** Convergence (radians) and point scale for unit k0 at a point, by Karney's method. */
function convergenceAndScale(
  latDeg: number,
  lonDeg: number,
  centralMeridianDeg: number,
  ellipsoid: Ellipsoid,
) {
  checkLatLon(latDeg, lonDeg, centralMeridianDeg);
  const { f } = ellipsoid;
  const e2 = f * (2 - f);
  const e = Math.sqrt(e2);
  const n = f / (2 - f);
  // Longitude from the central meridian, in (-180, 180].
  let dLonDeg = (((lonDeg - centralMeridianDeg) % 360) + 360) % 360;
  if (dLonDeg > 180) dLonDeg -= 360;
  const lam = dLonDeg * DEG;
  const phi = latDeg * DEG;
  const cosLam = Math.cos(lam);
  const sinLam = Math.sin(lam);
  // At the poles tan φ is infinite; convergence there equals the longitude difference and
  // the scale the polar value, which the limit of a latitude a hair off the pole gives.
  const phiSafe = Math.max(Math.min(phi, Math.PI / 2 - 1e-12), -Math.PI / 2 + 1e-12);
  const tau = Math.tan(phiSafe);
  const sigma = Math.sinh(e * Math.atanh((e * tau) / Math.hypot(1, tau)));
  const tauP = tau * Math.hypot(1, sigma) - sigma * Math.hypot(1, tau); // tangent of conformal latitude
  const xiP = Math.atan2(tauP, cosLam);
  const etaP = Math.asinh(sinLam / Math.hypot(tauP, cosLam));
  // Spherical (conformal sphere) parts.
  const gammaSphere = Math.atan2(sinLam * tauP, cosLam * Math.hypot(1, tauP));
  const kSphere =
    (Math.sqrt(1 - e2 * Math.sin(phiSafe) ** 2) * Math.hypot(1, tau)) / Math.hypot(tauP, cosLam);
  // Ellipsoidal corrections from the derivative of Krüger's series: p' + i q'.
  const alpha = krugerAlpha(n);
  let p = 1;
  let q = 0;
  for (let j = 1; j <= alpha.length; j++) {
    const w = 2 * j * alpha[j - 1];
    p += w * Math.cos(2 * j * xiP) * Math.cosh(2 * j * etaP);
    q += w * Math.sin(2 * j * xiP) * Math.sinh(2 * j * etaP);
  }
  const rectifyingRatio = (1 + (n * n) / 4 + n ** 4 / 64 + n ** 6 / 256) / (1 + n); // A / a
  return {
    gammaRad: gammaSphere + Math.atan2(q, p),
    scale: kSphere * rectifyingRatio * Math.hypot(p, q),
  };
}

/**
 * Grid convergence γ of a transverse Mercator grid at a point: the angle from true north to
 * grid north, clockwise positive. It is positive east of the central meridian in the northern
 * hemisphere (there grid north lies east of true north), so
 *   grid bearing = true bearing − γ = magnetic bearing + declination − γ  (DOMAIN.md).
 * It does not depend on the central scale factor or the false easting.
 *
 * @example gridConvergenceDeg(41.5, 45.5, 45, KRASSOWSKY_1940) // ≈ 0.331315 (Gauss-Krüger zone 8)
 */
export function gridConvergenceDeg(
  latDeg: number,
  lonDeg: number,
  centralMeridianDeg: number,
  ellipsoid: Ellipsoid = WGS84,
): number {
  return convergenceAndScale(latDeg, lonDeg, centralMeridianDeg, ellipsoid).gammaRad / DEG;
}

/**
 * Point scale factor k of a transverse Mercator grid: grid distance / ground distance on the
 * ellipsoid, the same in every direction (the projection is conformal). k0 is the scale on the
 * central meridian: 0.9996 for UTM (the default), 1 for Gauss-Krüger.
 *
 * @example tmPointScale(41.5, 45.5, 45, 1, KRASSOWSKY_1940) // ≈ 1.0000214
 */
export function tmPointScale(
  latDeg: number,
  lonDeg: number,
  centralMeridianDeg: number,
  k0: number = UTM_K0,
  ellipsoid: Ellipsoid = WGS84,
): number {
  return k0 * convergenceAndScale(latDeg, lonDeg, centralMeridianDeg, ellipsoid).scale;
}

/**
 * UTM zone (1–60) of a longitude. With the latitude, the exceptions of the UTM definition are
 * applied: zone 32 widened over south-west Norway (56–64°N) and zones 31/33/35/37 over Svalbard
 * (72–84°N).
 *
 * @example utmZoneForLon(44.8) // 38
 * @example utmZoneForLon(5, 60) // 32 (Norway)
 */
export function utmZoneForLon(lonDeg: number, latDeg?: number): number {
  if (!Number.isFinite(lonDeg)) throw new Problem('geo.tm.longitude_invalid', { lon: String(lonDeg) });
  // Longitude in [-180, 180): 180°E belongs to zone 60 as well as 180°W to zone 1, take zone 1.
  const lon = ((((lonDeg + 180) % 360) + 360) % 360) - 180;
  let zone = Math.min(Math.floor((lon + 180) / 6) + 1, 60);
  if (latDeg !== undefined && Number.isFinite(latDeg)) {
    if (latDeg >= 56 && latDeg < 64 && lon >= 3 && lon < 12) zone = 32;
    if (latDeg >= 72 && latDeg <= 84 && lon >= 0 && lon < 42) {
      if (lon < 9) zone = 31;
      else if (lon < 21) zone = 33;
      else if (lon < 33) zone = 35;
      else zone = 37;
    }
  }
  return zone;
}

function checkZone(zone: number, code: string): void {
  if (!(Number.isInteger(zone) && zone >= 1 && zone <= 60)) throw new Problem(code, { zone: String(zone) });
}

/** Central meridian of a UTM zone. @example utmCentralMeridianDeg(38) // 45 */
export function utmCentralMeridianDeg(zone: number): number {
  checkZone(zone, 'geo.tm.utm_zone_invalid');
  return zone * 6 - 183;
}

/**
 * Central meridian of a 6° Gauss-Krüger zone (Soviet numbering from Greenwich eastwards, the
 * number that prefixes the easting). @example gk6CentralMeridianDeg(8) // 45
 */
export function gk6CentralMeridianDeg(zone: number): number {
  checkZone(zone, 'geo.tm.gk_zone_invalid');
  return zone * 6 - 3;
}

/**
 * Central meridian of a 3° Gauss-Krüger zone (zone n is centred on n × 3°E).
 * @example gk3CentralMeridianDeg(15) // 45
 */
export function gk3CentralMeridianDeg(zone: number): number {
  if (!(Number.isInteger(zone) && zone >= 1 && zone <= 120)) {
    throw new Problem('geo.tm.gk_zone_invalid', { zone: String(zone) });
  }
  return zone * 3;
}
