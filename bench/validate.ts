/**
 * Geometry validation speed: validateArea on valid rings of 1 000, 10 000 and 100 000
 * vertices, against a baseline in the same run: the brute-force self-intersection check
 * (every pair of edges, O(n²)) on the 1 000-vertex ring, extrapolated to the larger rings.
 *
 * Run: node bin/run-ts.js bench/validate.ts
 * Figures are for developers, not users, so they are printed directly (not catalogued).
 */
import { cpus, loadavg } from 'node:os';
import type { Position } from '../src/geo/geojson.ts';
import { ringSelfIntersections, segmentContact, validateArea } from '../src/geo/validate.ts';

/** A closed, valid, wobbly ring (like a surveyed hazard outline): `n` distinct vertices plus the closing one. */
function wobblyRing(n: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    const radiusDeg = 0.01 * (1 + 0.2 * Math.sin(7 * angle) + 0.05 * Math.sin(97 * angle));
    ring.push([46.95 + radiusDeg * Math.cos(angle), 39.94 + radiusDeg * Math.sin(angle)]);
  }
  ring.push([...ring[0]!] as Position);
  return ring;
}

/** Every pair of edges tested exactly; returns how many pairs meet other than at shared vertices. */
function bruteForceCrossings(ring: Position[]): number {
  const n = ring.length - 1;
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      const [a, b, c, d] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
      if (segmentContact(a[0], a[1], b[0], b[1], c[0], c[1], d[0], d[1])) count++;
    }
  }
  return count;
}

/** Median wall time in milliseconds of `runs` calls of `work`, after one warm-up call. */
function medianMs(runs: number, work: () => unknown): number {
  work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const format = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`);
const sizes = [1_000, 10_000, 100_000];
const rings = new Map(sizes.map((n) => [n, wobblyRing(n - 1)]));

// Load matters on shared machines: the baseline runs in the same process, so compare ratios.
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log('validateArea on a valid ring (median):');
const indexedMs = new Map<number, number>();
for (const n of sizes) {
  const ring = rings.get(n)!;
  const area = validateArea({ type: 'Polygon', coordinates: [ring] });
  if (area.coordinates[0]![0]!.length !== ring.length) throw new Error('the bench ring should be valid');
  const runs = n >= 100_000 ? 7 : n >= 10_000 ? 31 : 101;
  const ms = medianMs(runs, () => validateArea({ type: 'Polygon', coordinates: [ring] }));
  const selfMs = medianMs(runs, () => ringSelfIntersections(ring));
  indexedMs.set(n, selfMs);
  console.log(
    `  ${String(n).padStart(7)} vertices: ${format(ms).padStart(10)} in all, self-intersection part ${format(selfMs)}`,
  );
}

const small = rings.get(1_000)!;
if (bruteForceCrossings(small) !== 0) throw new Error('brute force should find the bench ring simple');
const bruteMs = medianMs(11, () => bruteForceCrossings(small));
console.log('baseline: brute-force self-intersection check, every pair of edges:');
console.log(`    1000 vertices: ${format(bruteMs).padStart(10)} measured`);
for (const n of sizes.slice(1)) {
  const projected = bruteMs * (n / 1_000) ** 2;
  const ratio = projected / indexedMs.get(n)!;
  console.log(
    `  ${String(n).padStart(7)} vertices: ${format(projected).padStart(10)} extrapolated (×${(n / 1_000) ** 2}), ${ratio.toFixed(0)}× the indexed check`,
  );
}
