/**
 * A bounded load test of a running server: LOAD_CLIENTS clients (default 50) for LOAD_SECONDS
 * (default 60), each sending one request after the other, a mix of map tiles (50 %), register
 * lists (20 %), record pages (20 %) and report submissions (10 %: a new-hazard report drafted
 * and submitted, two requests). Prints throughput, p50/p95/p99 per kind and the errors (any
 * answer other than the expected one counts; 0 are allowed: the exit code is 1 otherwise), then
 * checks that every report it submitted is there, once, in the submitted state.
 *
 *   LOAD_URL=http://localhost:8080 LOAD_CLIENTS=50 LOAD_SECONDS=60 node bin/run-ts.js scripts/load.ts
 *
 * It signs in as the demo programme's viewer (reads) and operator (reports), so the server needs
 * the demo loaded (SAFEGROUND_DEMO=1, the default, on an empty database); LOAD_VIEWER and
 * LOAD_OPERATOR (`email:password`) name other accounts. Point it at PostgreSQL
 * (DATABASE_URL set on the server) for figures that mean something for a national server.
 */
import { loadavg } from 'node:os';

const base = (process.env.LOAD_URL ?? 'http://localhost:8080').replace(/\/$/, '');
const clients = Number(process.env.LOAD_CLIENTS ?? 50);
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const account = (v: string | undefined, fallback: string) => {
  const [email, ...rest] = (v ?? fallback).split(':');
  return { email: email!, password: rest.join(':') };
};
const viewer = account(process.env.LOAD_VIEWER, 'viewer@demo.safeground.org:demo-viewer-2026');
const operator = account(process.env.LOAD_OPERATOR, 'operator@demo.safeground.org:demo-operator-2026');

async function signIn(who: { email: string; password: string }): Promise<Record<string, string>> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (r.status !== 200) throw new Error(`sign-in of ${who.email} failed: ${r.status} ${await r.text()}`);
  return { authorization: `Bearer ${((await r.json()) as { token: string }).token}` };
}

function tileOf(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n),
  };
}

const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)]!;

interface Hazard {
  id: string;
  centre: [number, number];
}

const readHeaders = await signIn(viewer);
const writeHeaders = await signIn(operator);
const first = await fetch(`${base}/api/v1/hazards?limit=200`, { headers: readHeaders });
if (first.status !== 200) throw new Error(`hazards list: ${first.status}`);
const hazards: Hazard[] = (
  (await first.json()) as { features: Array<{ id: string; geometry: { coordinates: number[][][][] } }> }
).features.map((f) => {
  const ring = f.geometry.coordinates[0]![0]!;
  const lon = ring.reduce((s, p) => s + p[0]!, 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1]!, 0) / ring.length;
  return { id: f.id, centre: [lon, lat] };
});
if (!hazards.length) throw new Error('no hazards to work on: load the demo programme first');

type Kind = 'tile' | 'list' | 'record' | 'report';
const times: Record<Kind, number[]> = { tile: [], list: [], record: [], report: [] };
const errors: string[] = [];
const submitted: string[] = [];

async function expectStatus(kind: Kind, url: string, init: RequestInit, ok: number[]): Promise<Response> {
  const r = await fetch(url, init);
  if (!ok.includes(r.status)) errors.push(`${kind} ${init.method ?? 'GET'} ${url}: ${r.status}`);
  return r;
}

async function one(kind: Kind): Promise<void> {
  const h = pick(hazards);
  if (kind === 'tile') {
    const z = pick([8, 10, 12, 14]);
    const { x, y } = tileOf(h.centre[0], h.centre[1], z);
    const r = await expectStatus(
      kind,
      `${base}/tiles/${pick(['hazards', 'findings', 'hazard-points'])}/${z}/${x}/${y}.mvt`,
      { headers: readHeaders },
      [200, 204],
    );
    await r.arrayBuffer();
  } else if (kind === 'list') {
    const [lon, lat] = h.centre;
    const bbox = [lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1].map((v) => v.toFixed(4)).join(',');
    const r = await expectStatus(
      kind,
      `${base}/api/v1/${pick(['findings', 'hazards'])}?bbox=${bbox}&limit=100`,
      { headers: readHeaders },
      [200],
    );
    await r.arrayBuffer();
  } else if (kind === 'record') {
    const r = await expectStatus(kind, `${base}/api/v1/hazards/${h.id}`, { headers: readHeaders }, [200]);
    await r.arrayBuffer();
  } else {
    const [lon, lat] = h.centre;
    const d = 0.001;
    const draft = await expectStatus(
      kind,
      `${base}/api/v1/reports`,
      {
        method: 'POST',
        headers: { ...writeHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'new_hazard',
          dateOfInformation: new Date().toISOString().slice(0, 10),
          payload: {
            changes: [
              {
                op: 'create',
                register: 'hazards',
                record: {
                  type: 'Feature',
                  geometry: {
                    type: 'Polygon',
                    coordinates: [
                      [
                        [lon, lat],
                        [lon + d, lat],
                        [lon + d, lat + d],
                        [lon, lat + d],
                        [lon, lat],
                      ],
                    ],
                  },
                  properties: { type: 'SHA', name: `Load test ${Date.now().toString(36)}` },
                },
              },
            ],
          },
        }),
      },
      [201],
    );
    if (draft.status !== 201) return;
    const id = ((await draft.json()) as { id: string }).id;
    const sub = await expectStatus(
      kind,
      `${base}/api/v1/reports/${id}/submit`,
      { method: 'POST', headers: writeHeaders },
      [200],
    );
    await sub.arrayBuffer();
    if (sub.status === 200) submitted.push(id);
  }
}

const MIX: Kind[] = ['tile', 'tile', 'tile', 'tile', 'tile', 'list', 'list', 'record', 'record', 'report'];
const load0 = loadavg()[0]!;
const started = performance.now();
const until = started + seconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const kind = pick(MIX);
      const t = performance.now();
      try {
        await one(kind);
      } catch (e) {
        errors.push(`${kind}: ${(e as Error).message}`);
      }
      times[kind].push(performance.now() - t);
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;

const q = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : Number.NaN;
const all = Object.values(times).flat();
console.log(
  `${clients} clients, ${elapsed.toFixed(1)} s against ${base}; load average ${load0.toFixed(1)} at the start, ` +
    `${loadavg()[0]!.toFixed(1)} at the end`,
);
console.log(`requests ${all.length} (${(all.length / elapsed).toFixed(1)}/s), errors ${errors.length}`);
console.log(`${'kind'.padEnd(7)} ${'n'.padStart(6)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)}`);
for (const [kind, list] of [...Object.entries(times), ['all', all] as const]) {
  const s = [...list].sort((a, b) => a - b);
  console.log(
    `${kind.padEnd(7)} ${String(s.length).padStart(6)} ${q(s, 0.5).toFixed(1).padStart(8)} ${q(s, 0.95).toFixed(1).padStart(8)} ${q(s, 0.99).toFixed(1).padStart(8)}`,
  );
}
console.log('ms per request (a report: draft and submit)');
for (const e of errors.slice(0, 20)) console.log(`  error: ${e}`);

// Every report submitted is there once, submitted.
let missing = 0;
for (const id of submitted) {
  const r = await fetch(`${base}/api/v1/reports/${id}`, { headers: writeHeaders });
  const status = r.status === 200 ? ((await r.json()) as { status: string }).status : `HTTP ${r.status}`;
  if (status !== 'submitted') {
    missing++;
    console.log(`  report ${id}: ${status}`);
  }
}
const unique = new Set(submitted).size;
console.log(`reports submitted ${submitted.length}, distinct ${unique}, not found as submitted ${missing}`);
if (errors.length || missing || unique !== submitted.length) process.exit(1);
