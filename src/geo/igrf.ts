import { Problem } from '../domain/problem.ts';
import { coefficientIndex } from './igrf-shc.ts';
import { IGRF14_EPOCHS, IGRF14_G, IGRF14_H, IGRF14_MAX_DEGREE } from './igrf14-coefficients.ts';

/**
 * The main geomagnetic field from IGRF-14 (1900–2030): magnetic declination at the date a
 * minefield was laid, which turns a recorded magnetic bearing into a true one.
 *
 * Written by hand because no maintained npm package carries IGRF-14 over its whole span
 * (the WMM packages are valid only in their five-year windows and silently wrong outside
 * them). The method follows the IAGA reference code (pyIGRF `igrf_utils.py`, the Fortran
 * `igrf14syn`): Schmidt semi-normalised associated Legendre functions, spherical harmonic
 * synthesis to degree 13 at reference radius 6371.2 km, coefficients linear in time between
 * the 5-year epochs, the geodetic position turned into geocentric and the field vector
 * rotated back into the geodetic (local horizontal) frame.
 */

/** Magnetic reference spherical radius of IGRF, km. */
const IGRF_REFERENCE_RADIUS_KM = 6371.2;
const WGS84_A_KM = 6378.137;
const WGS84_F = 1 / 298.257223563;
const DEG = Math.PI / 180;

export const IGRF_FIRST_YEAR = 1900;
export const IGRF_LAST_YEAR = 2030;

export interface IgrfInput {
  /** A date (its UTC instant), or a decimal year such as 2024.5. */
  date: Date | number;
  /** Geodetic latitude on WGS 84, degrees north. */
  latDeg: number;
  /** Longitude, degrees east. */
  lonDeg: number;
  /** Height above the WGS 84 ellipsoid, metres; 0 when omitted. */
  heightM?: number;
}

export interface IgrfField {
  /** North component in the geodetic frame, nT. */
  xNt: number;
  /** East component, nT. */
  yNt: number;
  /** Downward component (along the ellipsoid normal), nT. */
  zNt: number;
  /** Horizontal intensity, nT. */
  hNt: number;
  /** Total intensity, nT. */
  fNt: number;
  /** Declination: angle from true north to the horizontal field, east positive, degrees. */
  declinationDeg: number;
  /** Inclination (dip): angle below the horizontal, down positive, degrees. */
  inclinationDeg: number;
}

export interface GeocentricField {
  /** Component towards decreasing colatitude (geocentric north), nT. */
  xNt: number;
  /** East, nT. */
  yNt: number;
  /** Towards the Earth's centre, nT. */
  zNt: number;
}

/**
 * A date as a decimal year: the year plus the elapsed fraction of that UTC calendar year.
 *
 * @example toDecimalYear(new Date(Date.UTC(2024, 6, 2))) // 2024.5 (day 183 of the 366 days of 2024)
 */
export function toDecimalYear(date: Date): number {
  const year = date.getUTCFullYear();
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  return year + (date.getTime() - start) / (end - start);
}

/** Shown in messages: the ISO calendar date of a Date, the decimal year as written for a number. */
function describeDate(date: Date | number): string {
  if (typeof date === 'number') return String(date);
  return Number.isNaN(date.getTime()) ? String(date) : date.toISOString().slice(0, 10);
}

function decimalYearInSpan(date: Date | number): number {
  const year = typeof date === 'number' ? date : toDecimalYear(date);
  if (!(year >= IGRF_FIRST_YEAR && year <= IGRF_LAST_YEAR)) {
    throw new Problem('geo.igrf.date_out_of_range', {
      date: describeDate(date),
      min: IGRF_FIRST_YEAR,
      max: IGRF_LAST_YEAR,
    });
  }
  return year;
}

/**
 * Gauss coefficients at a decimal year, linear between the two surrounding epochs. After the
 * last definitive epoch the SHC file's final column is the IGRF carried forward by its secular
 * variation, so the same interpolation applies that secular variation.
 */
function coefficientsAt(year: number): { g: number[]; h: number[] } {
  let i = 0;
  while (i < IGRF14_EPOCHS.length - 2 && year >= IGRF14_EPOCHS[i + 1]) i++;
  const t = (year - IGRF14_EPOCHS[i]) / (IGRF14_EPOCHS[i + 1] - IGRF14_EPOCHS[i]);
  const mix = (a: readonly number[], b: readonly number[]) => a.map((v, k) => v + t * (b[k] - v));
  return { g: mix(IGRF14_G[i], IGRF14_G[i + 1]), h: mix(IGRF14_H[i], IGRF14_H[i + 1]) };
}

/**
 * Schmidt semi-normalised associated Legendre functions P(n, m)(cos θ) and their θ-derivatives
 * for n ≤ maxDegree, indexed by coefficientIndex(n, m) (degree 0 left out).
 */
function schmidtLegendre(maxDegree: number, thetaRad: number): { p: Float64Array; dp: Float64Array } {
  const size = coefficientIndex(maxDegree, maxDegree) + 1;
  const p = new Float64Array(size);
  const dp = new Float64Array(size);
  const c = Math.cos(thetaRad);
  const s = Math.sin(thetaRad);
  // P(0,0) = 1 and its derivative 0 are implicit; the recursions below start from them.
  const P = (n: number, m: number) => (n === 0 ? 1 : n < m ? 0 : p[coefficientIndex(n, m)]);
  const dP = (n: number, m: number) => (n === 0 || n < m ? 0 : dp[coefficientIndex(n, m)]);
  for (let m = 0; m <= maxDegree; m++) {
    if (m >= 1) {
      // Sectoral term: P(1,1) = sin θ; P(m,m) = sqrt((2m−1)/(2m)) sin θ P(m−1,m−1) for m ≥ 2.
      const k = coefficientIndex(m, m);
      const factor = m === 1 ? 1 : Math.sqrt((2 * m - 1) / (2 * m));
      p[k] = factor * s * P(m - 1, m - 1);
      dp[k] = factor * (c * P(m - 1, m - 1) + s * dP(m - 1, m - 1));
    }
    for (let n = Math.max(m + 1, 1); n <= maxDegree; n++) {
      // P(n,m) = [(2n−1) cos θ P(n−1,m) − sqrt((n−1)² − m²) P(n−2,m)] / sqrt(n² − m²)
      const k = coefficientIndex(n, m);
      const a = 2 * n - 1;
      const b = Math.sqrt((n - 1) ** 2 - m * m);
      const d = Math.sqrt(n * n - m * m);
      p[k] = (a * c * P(n - 1, m) - b * P(n - 2, m)) / d;
      dp[k] = (a * (c * dP(n - 1, m) - s * P(n - 1, m)) - b * dP(n - 2, m)) / d;
    }
  }
  return { p, dp };
}

/** Spherical harmonic synthesis at a geocentric position with the given coefficients. */
function synthesise(
  g: readonly number[],
  h: readonly number[],
  colatRad: number,
  lonRad: number,
  radiusKm: number,
) {
  // 1/sin θ diverges at the geographic poles; a colatitude a micro-arcsecond off the pole
  // changes the field by far less than the model's own error.
  const theta = Math.min(Math.max(colatRad, 1e-10), Math.PI - 1e-10);
  const { p, dp } = schmidtLegendre(IGRF14_MAX_DEGREE, theta);
  let br = 0;
  let bt = 0;
  let bp = 0;
  const ratio = IGRF_REFERENCE_RADIUS_KM / radiusKm;
  let scale = ratio * ratio; // (a/r)^(n+2), starting at n = 1
  for (let n = 1; n <= IGRF14_MAX_DEGREE; n++) {
    scale *= ratio;
    for (let m = 0; m <= n; m++) {
      const k = coefficientIndex(n, m);
      const cosM = Math.cos(m * lonRad);
      const sinM = Math.sin(m * lonRad);
      const gh = g[k] * cosM + h[k] * sinM;
      br += (n + 1) * scale * gh * p[k];
      bt -= scale * gh * dp[k];
      bp += scale * m * (g[k] * sinM - h[k] * cosM) * p[k];
    }
  }
  bp /= Math.sin(theta);
  return { xNt: -bt, yNt: bp, zNt: -br };
}

/**
 * The field in the geocentric frame at a geocentric colatitude, longitude and radius (km),
 * the frame in which IAGA publishes its check values.
 *
 * @example igrfGeocentric(2025, 56, -3, 6375) // ≈ { xNt: 28927.56, yNt: 261.98, zNt: 30910.08 }
 */
export function igrfGeocentric(
  decimalYear: number,
  colatitudeDeg: number,
  lonDeg: number,
  radiusKm: number,
): GeocentricField {
  const year = decimalYearInSpan(decimalYear);
  const { g, h } = coefficientsAt(year);
  return synthesise(g, h, colatitudeDeg * DEG, lonDeg * DEG, radiusKm);
}

function checkPosition(latDeg: number, lonDeg: number, heightM: number): void {
  if (!(latDeg >= -90 && latDeg <= 90))
    throw new Problem('geo.igrf.latitude_out_of_range', { lat: String(latDeg) });
  if (!Number.isFinite(lonDeg)) throw new Problem('geo.igrf.longitude_invalid', { lon: String(lonDeg) });
  if (!Number.isFinite(heightM)) throw new Problem('geo.igrf.height_invalid', { height: String(heightM) });
}

/**
 * X, Y, Z, intensities, declination and inclination at a geodetic position and date.
 *
 * @example igrfField({ date: new Date('2025-01-01'), latDeg: 41.7, lonDeg: 44.8 }).declinationDeg // ≈ 6.9 (Tbilisi)
 */
export function igrfField(input: IgrfInput): IgrfField {
  const heightM = input.heightM ?? 0;
  checkPosition(input.latDeg, input.lonDeg, heightM);
  const year = decimalYearInSpan(input.date);

  // Geodetic → Earth-centred: radius and geocentric latitude of the point.
  const phi = input.latDeg * DEG;
  const e2 = WGS84_F * (2 - WGS84_F);
  const sinPhi = Math.sin(phi);
  const cosPhi = Math.cos(phi);
  const hKm = heightM / 1000;
  const nKm = WGS84_A_KM / Math.sqrt(1 - e2 * sinPhi * sinPhi);
  const pKm = (nKm + hKm) * cosPhi;
  const zKm = (nKm * (1 - e2) + hKm) * sinPhi;
  const radiusKm = Math.hypot(pKm, zKm);
  const psi = Math.atan2(zKm, pKm);

  const { g, h } = coefficientsAt(year);
  const geocentric = synthesise(g, h, Math.PI / 2 - psi, input.lonDeg * DEG, radiusKm);

  // Turn the vector by δ = φ − ψ about the east axis: the geodetic north axis leans towards
  // the geocentric down, by δ, in the northern hemisphere.
  const delta = phi - psi;
  const cd = Math.cos(delta);
  const sd = Math.sin(delta);
  const xNt = geocentric.xNt * cd + geocentric.zNt * sd;
  const zNt = geocentric.zNt * cd - geocentric.xNt * sd;
  const yNt = geocentric.yNt;
  const hNt = Math.hypot(xNt, yNt);
  return {
    xNt,
    yNt,
    zNt,
    hNt,
    fNt: Math.hypot(hNt, zNt),
    declinationDeg: Math.atan2(yNt, xNt) / DEG,
    inclinationDeg: Math.atan2(zNt, hNt) / DEG,
  };
}

/**
 * Magnetic declination, degrees east positive: true bearing = magnetic bearing + declination.
 *
 * @example declinationDeg({ date: 1985.0, latDeg: 43.0, lonDeg: 45.0 }) // ≈ 5.23 (east, the North Caucasus in 1985)
 */
export function declinationDeg(input: IgrfInput): number {
  return igrfField(input).declinationDeg;
}
