import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/connect.ts';
import { type GeometryType, geometryProblems, type Position } from '../../../src/geo/validate.ts';
import { seededRandom } from '../../fixtures/random.ts';
import { testDatabase, testDatabaseKind } from '../helpers/db.ts';

/**
 * The TypeScript validator against an independent judge: PostGIS ST_IsValid (GEOS, OGC
 * validity) on random polygons drawn on a small integer grid, where touching vertices,
 * shared edges and collinear runs are common. Both must call the same geometries valid.
 */
const AREA: GeometryType[] = ['Polygon', 'MultiPolygon'];

const random = seededRandom(12345);
const grid = (k: number) => Math.floor(random() * k);
const randomRing = (n: number, k: number, ox = 0, oy = 0): Position[] => {
  const ring: Position[] = Array.from({ length: n }, () => [ox + grid(k), oy + grid(k)] as Position);
  return [...ring, [ring[0]![0], ring[0]![1]]];
};
const rect = (x: number, y: number, w: number, h: number): Position[] => [
  [x, y],
  [x + w, y],
  [x + w, y + h],
  [x, y + h],
  [x, y],
];

const families: Record<string, () => { type: string; coordinates: unknown }> = {
  'single rings': () => ({ type: 'Polygon', coordinates: [randomRing(3 + grid(8), 6)] }),
  'shells with holes': () => ({
    type: 'Polygon',
    coordinates: [
      rect(0, 0, 4 + grid(4), 4 + grid(4)),
      ...Array.from({ length: 1 + grid(3) }, () =>
        random() < 0.5 ? randomRing(3 + grid(3), 8) : rect(grid(6), grid(6), 1 + grid(3), 1 + grid(3)),
      ),
    ],
  }),
  'many rectangular holes': () => ({
    type: 'Polygon',
    coordinates: [
      rect(0, 0, 12, 12),
      ...Array.from({ length: 2 + grid(6) }, () => rect(grid(11), grid(11), 1 + grid(2), 1 + grid(2))),
    ],
  }),
  multipolygons: () => ({
    type: 'MultiPolygon',
    coordinates: Array.from({ length: 2 + grid(2) }, () =>
      random() < 0.3
        ? [rect(grid(6), grid(6), 1 + grid(4), 1 + grid(4)), rect(grid(6), grid(6), 1 + grid(2), 1 + grid(2))]
        : [
            random() < 0.5
              ? randomRing(3 + grid(3), 6, grid(4), grid(4))
              : rect(grid(6), grid(6), 1 + grid(4), 1 + grid(4)),
          ],
    ),
  }),
};

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});

describe(`geometry validity agrees with PostGIS ST_IsValid (${testDatabaseKind()})`, () => {
  for (const [family, make] of Object.entries(families)) {
    it(`on random ${family}`, async () => {
      const geometries = Array.from({ length: 400 }, make);
      const { rows } = await sql<{ valid: boolean }>`
        SELECT ST_IsValid(ST_GeomFromGeoJSON(g.value::text)) AS valid
        FROM jsonb_array_elements(${JSON.stringify(geometries)}::jsonb) WITH ORDINALITY AS g(value, n)
        ORDER BY g.n`.execute(database.db);
      const verdicts = geometries.map((g, i) => ({
        coordinates: JSON.stringify(g.coordinates),
        postgis: rows[i]!.valid,
        ours: geometryProblems(g, AREA).map((p) => p.code),
      }));
      const disagreements = verdicts.filter((v) => v.postgis !== (v.ours.length === 0));
      expect(disagreements).toEqual([]);
      // Both outcomes must be well represented, or the comparison proves little.
      expect(verdicts.filter((v) => v.postgis).length).toBeGreaterThan(5);
      expect(verdicts.filter((v) => !v.postgis).length).toBeGreaterThan(5);
    });
  }
});
