import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../src/domain/problem.ts';
import {
  clipBox,
  clipPolygons,
  clipRing,
  encodeTile,
  pointInBox,
  type Ring,
  ringArea2,
} from '../../src/io/mvt.ts';
import { parseTileAddress } from '../../src/services/tiles.ts';

const box = clipBox(4096, 64);

function decode(bytes: Uint8Array) {
  return new VectorTile(new PbfReader(bytes));
}

describe('clipRing', () => {
  it('keeps a ring inside the box as it is, closed', () => {
    expect(
      clipRing(
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 0],
        ],
        box,
      ),
    ).toEqual([
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 0],
    ]);
  });

  it('cuts a square crossing the west side of the buffer at x = -64', () => {
    const ring: Ring = [
      [-100, 0],
      [100, 0],
      [100, 100],
      [-100, 100],
      [-100, 0],
    ];
    const out = clipRing(ring, box)!;
    expect(out[0]).toEqual(out[out.length - 1]);
    expect(new Set(out.map((p) => p.join(',')))).toEqual(new Set(['-64,0', '100,0', '100,100', '-64,100']));
    // 164 × 100 units, twice the area by the shoelace formula
    expect(Math.abs(ringArea2(out))).toBe(2 * 164 * 100);
  });

  it('rounds the crossing of a slanted edge to the integer grid', () => {
    // the edge (-164,0)→(36,100) crosses x = -64 at y = 50
    const out = clipRing(
      [
        [-164, 0],
        [36, 100],
        [36, 0],
      ],
      box,
    )!;
    expect(out.some(([x, y]) => x === -64 && y === 50)).toBe(true);
    expect(out.every(([x, y]) => Number.isInteger(x) && Number.isInteger(y))).toBe(true);
  });

  it('drops collinear points, the first one too', () => {
    expect(
      clipRing(
        [
          [5, 0],
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 0],
          [5, 0],
        ],
        box,
      ),
    ).toEqual([
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
      [10, 0],
    ]);
  });

  it('drops rings under one square unit, as PostGIS does, and keeps those of one', () => {
    expect(
      clipRing(
        [
          [100, 100],
          [101, 100],
          [100, 101],
          [100, 100],
        ],
        box,
      ),
    ).toBeNull();
    expect(
      clipRing(
        [
          [100, 100],
          [102, 100],
          [100, 101],
          [100, 100],
        ],
        box,
      ),
    ).not.toBeNull();
  });

  it('drops a ring wholly outside the box or collapsed to a line', () => {
    expect(
      clipRing(
        [
          [5000, 0],
          [5100, 0],
          [5100, 100],
          [5000, 0],
        ],
        box,
      ),
    ).toBeNull();
    expect(
      clipRing(
        [
          [0, 0],
          [10, 0],
          [20, 0],
          [0, 0],
        ],
        box,
      ),
    ).toBeNull();
  });
});

describe('pointInBox', () => {
  it('includes the edges of the buffer and excludes what lies beyond', () => {
    expect(pointInBox([-64, 4160], box)).toBe(true);
    expect(pointInBox([-65, 0], box)).toBe(false);
    expect(pointInBox([0, 4161], box)).toBe(false);
  });
});

describe('clipPolygons', () => {
  it('orients exteriors positive and holes negative by the surveyor formula', () => {
    // exterior given counter-clockwise on screen (negative), hole given clockwise (positive)
    const geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0, 100],
          [100, 100],
          [100, 0],
          [0, 0],
        ],
        [
          [20, 20],
          [80, 20],
          [80, 80],
          [20, 80],
          [20, 20],
        ],
      ],
    };
    const [polygon] = clipPolygons(geometry, box)!;
    expect(ringArea2(polygon![0]!)).toBeGreaterThan(0);
    expect(ringArea2(polygon![1]!)).toBeLessThan(0);
  });

  it('drops a polygon whose exterior lies outside the box, and its holes with it', () => {
    const geometry = {
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [5000, 5000],
            [5100, 5000],
            [5100, 5100],
            [5000, 5000],
          ],
        ],
        [
          [
            [0, 0],
            [10, 0],
            [10, 10],
            [0, 0],
          ],
        ],
      ],
    };
    expect(clipPolygons(geometry, box)).toHaveLength(1);
  });
});

describe('encodeTile', () => {
  it('gives empty bytes for no features, as ST_AsMVT does', () => {
    expect(encodeTile('findings', [], 4096).byteLength).toBe(0);
  });

  it('round-trips points, properties of every type and a polygon with a hole through an independent decoder', () => {
    const [polygon] = clipPolygons(
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [100, 0],
            [100, 100],
            [0, 100],
            [0, 0],
          ],
          [
            [20, 20],
            [20, 80],
            [80, 80],
            [80, 20],
            [20, 20],
          ],
        ],
      },
      box,
    )!;
    const bytes = encodeTile(
      'hazards',
      [
        { type: 'point', point: [12, 4000], properties: { id: 'a', count: 3, cluster: true } },
        { type: 'polygon', polygons: [polygon!], properties: { id: 'b', areaM2: 1234.5, level: -2 } },
      ],
      4096,
    );
    const layer = decode(bytes).layers.hazards!;
    expect(layer.extent).toBe(4096);
    expect(layer.version).toBe(2);
    expect(layer.length).toBe(2);
    const point = layer.feature(0);
    expect(point.type).toBe(1);
    expect(point.properties).toEqual({ id: 'a', count: 3, cluster: true });
    expect(point.loadGeometry()[0]![0]).toMatchObject({ x: 12, y: 4000 });
    const poly = layer.feature(1);
    expect(poly.type).toBe(3);
    expect(poly.properties).toEqual({ id: 'b', areaM2: 1234.5, level: -2 });
    // the decoder's ring classification sees one polygon with one hole
    const gj = poly.toGeoJSON(0, 0, 0);
    expect(gj.geometry.type).toBe('Polygon');
    expect((gj.geometry as { coordinates: unknown[] }).coordinates).toHaveLength(2);
  });
});

describe('parseTileAddress', () => {
  it('reads z/x/y with the .mvt suffix', () => {
    expect(parseTileAddress('12', '2925', '1612.mvt')).toEqual({ z: 12, x: 2925, y: 1612 });
  });

  it('refuses tiles that do not exist with tiles.coordinates_invalid', () => {
    for (const [z, x, y] of [
      ['3', '8', '0.mvt'],
      ['3', '0', '8.mvt'],
      ['25', '0', '0.mvt'],
      ['a', '0', '0.mvt'],
      ['3', '-1', '0.mvt'],
      ['3', '1.5', '0.mvt'],
    ] as const) {
      let caught: unknown;
      try {
        parseTileAddress(z, x, y);
      } catch (e) {
        caught = e;
      }
      expect(caught, `${z}/${x}/${y}`).toBeInstanceOf(Problem);
      expect((caught as Problem).code).toBe('tiles.coordinates_invalid');
    }
  });
});
