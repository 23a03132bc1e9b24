import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabaseKind } from './helpers/db.ts';
import { call } from './helpers/http.ts';

/**
 * The Gauss-Krüger zone 9 record whose reading as true bearings in paces stopped decoding
 * (the polygon union failed): stored, decoded and scored through the API, every reading comes
 * back. test/unit/geo/record-robust.test.ts covers a reading whose polygon cannot be built.
 */
const record = JSON.parse(
  readFileSync(new URL('../fixtures/records/gk9-grid-mil6400-pairs.json', import.meta.url), 'utf8'),
);
const base = '/api/v1/minefield-records';
let admin: Record<string, string>;

beforeAll(async () => {
  admin = await login('admin');
});

describe(`a record that once failed to decode, through HTTP on ${testDatabaseKind()}`, () => {
  it('is stored with its perimeter, and decoded and scored under every reading', async () => {
    const created = await call('POST', base, admin, { type: 'Feature', properties: { record } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(created.json().properties.geometryHypothesis).toBe(
      'ref=grid,angle=mil6400,dist=pair_of_steps,dir=forward',
    );

    const decoded = await call('POST', `${base}/${id}/decode`, admin, {});
    expect(decoded.statusCode, decoded.body).toBe(200);
    expect(decoded.json().hypotheses.map((h: { id: string }) => h.id)).toContain(
      'ref=true,angle=mil6400,dist=pace,dir=forward',
    );
    expect(decoded.json().hypotheses).toHaveLength(4);
    expect(decoded.json().notDecoded).toEqual([]);

    // Finds along the perimeter of the reading that used to fail: its turning points and the
    // middle of each side (finds at the corners alone fit a reading twice the size as well:
    // a corner holds a quarter of the blur around it, as does the larger reading's area).
    const vertices = decoded
      .json()
      .features.filter(
        (f: { properties: { kind: string; hypothesis: string } }) =>
          f.properties.kind === 'perimeter' &&
          f.properties.hypothesis === 'ref=true,angle=mil6400,dist=pace,dir=forward',
      )[0].geometry.coordinates[0] as number[][];
    const findings = {
      type: 'FeatureCollection',
      features: vertices
        .flatMap((c, i) =>
          i === 0 ? [c] : [[(c[0]! + vertices[i - 1]![0]!) / 2, (c[1]! + vertices[i - 1]![1]!) / 2], c],
        )
        .map((c) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: c },
          properties: {},
        })),
    };
    const scored = await call('POST', `${base}/${id}/score`, admin, { findings });
    expect(scored.statusCode, scored.body).toBe(200);
    expect(scored.json().hypotheses).toHaveLength(4);
    // Grid and true bearings differ here by the grid convergence only, a fraction of a metre
    // along these sides, so either may come first; the size the finds were planted at must, and
    // the planted reading must rank above both readings twice its size.
    const ll = Object.fromEntries(
      scored
        .json()
        .hypotheses.map((h: { id: string; likelihood: { logLikelihood: number } }) => [
          h.id,
          h.likelihood.logLikelihood,
        ]),
    );
    expect(scored.json().best.id).toMatch(/^ref=(grid|true),angle=mil6400,dist=pace,dir=forward$/);
    for (const larger of ['grid', 'true'])
      expect(ll['ref=true,angle=mil6400,dist=pace,dir=forward']).toBeGreaterThan(
        ll[`ref=${larger},angle=mil6400,dist=pair_of_steps,dir=forward`]! + Math.log(20),
      );
  });
});
