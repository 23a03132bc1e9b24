import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { call } from './helpers/http.ts';

/**
 * Productivity by method and terrain (docs/planning.md, "Estimated effort"): mechanical clearance
 * measured on two terrains gives two medians; a terrain with fewer than 3 samples falls back to
 * the method's; an activity of two teams counts twice the team-days. Every hazard is the same
 * 0.001° square, so each sample is that area over its team-days.
 */

let admin: Record<string, string>;
let viewer: Record<string, string>;
let orgId: string;
const LAT = 44.0;
let lon = 30.0;

interface Group {
  method: string;
  terrain: string | null;
  samples: number;
  medianM2PerTeamDay: number;
}

async function post(path: string, body: unknown) {
  const r = await call('POST', path, admin, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

async function hazard(props: Record<string, unknown>) {
  lon += 0.01;
  return post('/api/v1/hazards', {
    type: 'Feature',
    geometry: square(lon, LAT),
    properties: { type: 'CHA', dateOfInformation: '2024-01-01', ...props },
  });
}

/** A hazard on `terrain` cleared by one completed activity from `start` to `end`. */
async function cleared(
  terrain: string | null,
  method: string,
  start: string,
  end: string,
  extra: Record<string, unknown> = {},
) {
  const h = await hazard(terrain ? { terrain } : {});
  const act = await post('/api/v1/activities', {
    type: 'Feature',
    geometry: null,
    properties: {
      kind: 'clearance',
      organisationId: orgId,
      hazardId: h.id,
      method,
      status: 'completed',
      startDate: start,
      endDate: end,
      ...extra,
    },
  });
  await post('/api/v1/land-release', {
    type: 'Feature',
    geometry: square(lon, LAT),
    properties: { outcome: 'cleared', hazardId: h.id, activityId: act.id, method, releasedOn: end },
  });
  return h.properties.areaM2 as number;
}

/** An open hazard on `terrain` with a started activity of `method`. */
async function underWay(terrain: string | null, method: string) {
  const h = await hazard(terrain ? { terrain } : {});
  await post('/api/v1/activities', {
    type: 'Feature',
    geometry: null,
    properties: { kind: 'clearance', organisationId: orgId, hazardId: h.id, method, startDate: '2025-06-01' },
  });
  return h;
}

async function groups(q = ''): Promise<Group[]> {
  const r = await call('GET', `/api/v1/effort${q}`, viewer);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().methods;
}

const group = (gs: Group[], method: string, terrain: string | null) =>
  gs.find((g) => g.method === method && g.terrain === terrain);

async function effortOf(hazardId: string, q = '') {
  const r = await call('GET', `/api/v1/priorities/${hazardId}${q}`, viewer);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().item.effort;
}

let area = 0;

beforeAll(async () => {
  admin = await login('admin');
  viewer = await login('viewer');
  orgId = (await post('/api/v1/organisations', { name: unique('Terrain org '), kind: 'ngo' })).id;
  // Mechanical on agricultural land: 10, 20 and 40 days (median 20); in forest: 40, 80 and 160
  // days (median 80); on rocky mountain ground: 2 samples only; one mechanical sample without terrain.
  for (const [s, e] of [
    ['2025-01-01', '2025-01-10'],
    ['2025-01-01', '2025-01-20'],
    ['2025-01-01', '2025-02-09'],
  ])
    area = await cleared('agricultural', 'mechanical', s!, e!);
  for (const [s, e] of [
    ['2025-01-01', '2025-02-09'],
    ['2025-01-01', '2025-03-21'],
    ['2025-01-01', '2025-06-09'],
  ])
    await cleared('forest_dense_vegetation', 'mechanical', s!, e!);
  await cleared('mountainous_rocky', 'mechanical', '2025-01-01', '2025-01-05');
  await cleared('mountainous_rocky', 'mechanical', '2025-01-01', '2025-01-05');
  await cleared(null, 'mechanical', '2025-01-01', '2025-01-20');
});

describe(`productivity by method and terrain on ${testDatabaseKind()}`, () => {
  it('gives each terrain of a method its own median, beside the method on every terrain', async () => {
    const gs = await groups();
    expect(group(gs, 'mechanical', 'agricultural')).toMatchObject({ samples: 3 });
    expect(group(gs, 'mechanical', 'agricultural')!.medianM2PerTeamDay).toBeCloseTo(area / 20, 1);
    expect(group(gs, 'mechanical', 'forest_dense_vegetation')).toMatchObject({ samples: 3 });
    expect(group(gs, 'mechanical', 'forest_dense_vegetation')!.medianM2PerTeamDay).toBeCloseTo(area / 80, 1);
    expect(group(gs, 'mechanical', 'mountainous_rocky')).toMatchObject({ samples: 2 });
    // The method on every terrain pools all 9 samples, the one without a terrain included.
    expect(group(gs, 'mechanical', null)).toMatchObject({ samples: 9 });
    // As at a date before the slowest forest clearance ended, forest has 2 samples.
    expect(group(await groups('?asAt=2025-05-01'), 'mechanical', 'forest_dense_vegetation')).toMatchObject({
      samples: 2,
    });
  });

  it("estimates a hazard's days from its method on its terrain, else its method, else all", async () => {
    const field = await underWay('agricultural', 'mechanical');
    const forest = await underWay('forest_dense_vegetation', 'mechanical');
    const rocky = await underWay('mountainous_rocky', 'mechanical');
    const manualForest = await underWay('forest_dense_vegetation', 'manual');

    const f = await effortOf(field.id);
    expect(f).toMatchObject({ method: 'mechanical', terrain: 'agricultural', samples: 3 });
    expect(f.days).toBeCloseTo(20, 0);
    const w = await effortOf(forest.id);
    expect(w).toMatchObject({ method: 'mechanical', terrain: 'forest_dense_vegetation', samples: 3 });
    expect(w.days).toBeCloseTo(80, 0);
    // Fewer than 3 samples on rocky ground: the mechanical median on every terrain.
    const mechanical = group(await groups(), 'mechanical', null)!;
    const r = await effortOf(rocky.id);
    expect(r).toMatchObject({ method: 'mechanical', terrain: null, samples: 9 });
    expect(r.days).toBeCloseTo(area / mechanical.medianM2PerTeamDay, 0);
    // No manual samples: every method pooled, whatever the terrain.
    expect(await effortOf(manualForest.id)).toMatchObject({ method: 'all', terrain: null });
  });

  it("reads a hazard's terrain as at the date its history gives", async () => {
    const h = await underWay('agricultural', 'mechanical');
    const now = (await call('GET', `/api/v1/hazards/${h.id}`, admin)).json();
    const patched = await call(
      'PATCH',
      `/api/v1/hazards/${h.id}`,
      { ...admin, 'if-match': `"${now.properties.version}"` },
      {
        type: 'Feature',
        properties: { terrain: 'forest_dense_vegetation', dateOfInformation: '2025-09-01' },
      },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await effortOf(h.id)).toMatchObject({ terrain: 'forest_dense_vegetation' });
    expect(await effortOf(h.id, '?asAt=2025-08-01')).toMatchObject({ terrain: 'agricultural' });
  });

  it('counts an activity of two teams as twice the team-days', async () => {
    // Ten days by one MDD team and by two, each the only sample of its method.
    await cleared(null, 'mdd', '2025-03-01', '2025-03-10');
    await cleared(null, 'manual_mdd', '2025-03-01', '2025-03-10', { teams: 2 });
    const gs = await groups();
    expect(group(gs, 'mdd', null)!.medianM2PerTeamDay).toBeCloseTo(area / 10, 1);
    expect(group(gs, 'manual_mdd', null)!.medianM2PerTeamDay).toBeCloseTo(area / 20, 1);
  });

  it('refuses a terrain outside the list and a number of teams below one', async () => {
    const badTerrain = await call('POST', '/api/v1/hazards', admin, {
      type: 'Feature',
      geometry: square(10, 10),
      properties: { type: 'SHA', terrain: 'swamp' },
    });
    expect(badTerrain.statusCode).toBe(400);
    expect(badTerrain.json().pointer).toBe('/properties/terrain');
    const badTeams = await call('POST', '/api/v1/activities', admin, {
      type: 'Feature',
      geometry: null,
      properties: { kind: 'clearance', organisationId: orgId, teams: 0 },
    });
    expect(badTeams.statusCode).toBe(400);
    expect(badTeams.json().pointer).toBe('/properties/teams');
  });
});
