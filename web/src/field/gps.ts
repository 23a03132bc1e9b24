import type { Position } from './drafts.ts';

/**
 * Positions from the device's GPS. One fix is taken as the device reports it, its accuracy kept;
 * a benchmark is better placed by averaging several fixes taken standing still: the mean of the
 * fixes, weighted by the inverse square of each fix's accuracy, and the accuracy of that mean.
 */
export interface Fix {
  lon: number;
  lat: number;
  accuracyM: number;
}

export function currentFix(timeoutMs = 20_000): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('fieldApp.gps.unavailable'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracyM: p.coords.accuracy }),
      (e) =>
        reject(new Error(e.code === e.PERMISSION_DENIED ? 'fieldApp.gps.denied' : 'fieldApp.gps.failed')),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    );
  });
}

/**
 * The weighted mean of fixes and its accuracy (1/√Σwᵢ with wᵢ = 1/σᵢ²).
 * Example: two fixes 10 m apart with accuracy 5 m each give their midpoint with accuracy ≈ 3.5 m.
 */
export function averageFixes(fixes: Fix[]): Fix {
  let sw = 0;
  let lon = 0;
  let lat = 0;
  for (const f of fixes) {
    const w = 1 / Math.max(f.accuracyM, 0.5) ** 2;
    sw += w;
    lon += w * f.lon;
    lat += w * f.lat;
  }
  return { lon: lon / sw, lat: lat / sw, accuracyM: 1 / Math.sqrt(sw) };
}

/** Takes `count` fixes one after the other (reporting each) and returns their average as a position. */
export async function averagedPosition(count: number, onFix: (n: number) => void): Promise<Position> {
  const fixes: Fix[] = [];
  for (let i = 0; i < count; i++) {
    fixes.push(await currentFix());
    onFix(fixes.length);
  }
  const mean = averageFixes(fixes);
  return {
    point: { type: 'Point', coordinates: [round7(mean.lon), round7(mean.lat)] },
    source: 'gps',
    accuracyM: Math.round(mean.accuracyM * 10) / 10,
    fixes: fixes.length,
  };
}

export function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}
