import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFeatures } from '../../src/io/read.ts';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;
let viewer: Record<string, string>;
let province: { id: string; name: string };
let district: { id: string; name: string };

// A province of 0.2° × 0.2° far from other test data, with a district in its western half.
const W = 60.0;
const S = 10.0;
const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});
const square = (lon: number, lat: number, d = 0.002) => box(lon - d, lat - d, lon + d, lat + d);

async function area(name: string, level: number, geometry: unknown, parentId: string | null) {
  const r = await call('POST', '/api/v1/admin-areas', admin, {
    type: 'Feature',
    geometry: { type: 'MultiPolygon', coordinates: [(geometry as { coordinates: unknown }).coordinates] },
    properties: { pcode: unique('PC'), name, level, parentId },
  });
  expect(r.statusCode, r.body).toBe(201);
  return { id: r.json().id as string, name };
}

async function hazard(name: string, geometry: unknown) {
  const r = await call('POST', '/api/v1/hazards', admin, {
    type: 'Feature',
    geometry,
    properties: { type: 'CHA', deviceCategories: ['AP'], name },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

const prefix = unique('AA list ');

beforeAll(async () => {
  admin = await login('admin');
  viewer = await login('viewer');
  province = await area(unique('Province '), 1, box(W, S, W + 0.2, S + 0.2), null);
  district = await area(unique('District '), 2, box(W, S, W + 0.1, S + 0.2), province.id);
  await hazard(`${prefix} west`, square(W + 0.05, S + 0.1));
  await hazard(`${prefix} east`, square(W + 0.15, S + 0.1));
  await hazard(`${prefix} outside`, square(W + 0.5, S + 0.1));
});

const q = encodeURIComponent(prefix);
const byName = (features: Array<{ properties: Record<string, unknown> }>) =>
  Object.fromEntries(
    features.map((f) => [String(f.properties.name).slice(prefix.length + 1), f.properties.adminAreaName]),
  );

describe(`the admin-area column of lists and exports on ${testDatabaseKind()}`, () => {
  it('names the lowest admin area a record lies in, and none outside every area', async () => {
    const r = await call('GET', `/api/v1/hazards?q=${q}&limit=10`, viewer);
    expect(r.statusCode, r.body).toBe(200);
    expect(byName(r.json().features)).toEqual({
      west: district.name,
      east: province.name,
      outside: null,
    });
    // The filter by admin area agrees with the column.
    const inDistrict = await call('GET', `/api/v1/hazards?q=${q}&adminArea=${district.id}`, viewer);
    expect(byName(inDistrict.json().features)).toEqual({ west: district.name });
    // An admin area's own column is the area it lies in, never itself.
    const areas = await call('GET', `/api/v1/admin-areas?q=${encodeURIComponent(district.name)}`, viewer);
    expect(areas.json().features[0].properties.adminAreaName).toBe(province.name);
  });

  it('writes the column in the CSV list and in the XLSX export', async () => {
    const csv = await call('GET', `/api/v1/hazards?q=${q}&format=csv`, admin);
    expect(csv.statusCode, csv.body).toBe(200);
    const [head, ...rows] = csv.body.trim().split(/\r?\n/);
    const column = head!.split(',').indexOf('adminAreaName');
    expect(column).toBeGreaterThan(0);
    expect(rows.filter((row) => row.includes(district.name))).toHaveLength(1);
    expect(rows.filter((row) => row.includes(province.name))).toHaveLength(1);

    const xlsx = await call('GET', `/api/v1/exports?as=hazards&format=xlsx&q=${q}`, admin);
    expect(xlsx.statusCode).toBe(200);
    const path = join(mkdtempSync(join(tmpdir(), 'safeground-aa-')), 'hazards.xlsx');
    writeFileSync(path, xlsx.rawPayload);
    const names: unknown[] = [];
    for await (const f of readFeatures({ path })) names.push(f.properties.adminAreaName ?? null);
    expect(names.sort()).toEqual([district.name, province.name, null].sort());
  });
});
