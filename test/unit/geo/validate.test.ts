import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isProblem, type Problem } from '../../../src/domain/problem.ts';
import {
  DEFAULT_MAX_VERTICES,
  type GeometryType,
  geometryProblems,
  orient2d,
  type Position,
  ringSelfIntersections,
  segmentContact,
  validateArea,
  validateGeometry,
  validatePoint,
} from '../../../src/geo/validate.ts';
import { hasMessage, LOCALES, t } from '../../../src/i18n/catalogue.ts';
import { seededRandom } from '../../fixtures/random.ts';

const AREA: GeometryType[] = ['Polygon', 'MultiPolygon'];
const square = (x: number, y: number, size: number): Position[] => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
];
const polygon = (...rings: Position[][]) => ({ type: 'Polygon', coordinates: rings });
const multiPolygon = (...polygons: Position[][][]) => ({ type: 'MultiPolygon', coordinates: polygons });
const codes = (problems: Problem[]) => problems.map((p) => p.code);

/** Twice the signed area (shoelace): positive for counter-clockwise rings. */
function twiceSignedArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return sum;
}

describe('orientation and segment predicates', () => {
  it('calls a left turn positive and a right turn negative', () => {
    expect(orient2d(0, 0, 1, 0, 0, 1)).toBeGreaterThan(0);
    expect(orient2d(0, 0, 1, 0, 0, -1)).toBeLessThan(0);
    expect(orient2d(0, 0, 1, 1, 3, 3)).toBe(0);
  });

  it('decides collinearity exactly where floating point would not', () => {
    // 0.1 + 0.2 !== 0.3, but the three points below are exactly collinear as binary numbers.
    expect(orient2d(0, 0, 2 ** -30, 2 ** -30, 1, 1)).toBe(0);
    expect(orient2d(0.5, 0.5, 12, 12, 24, 24.000000000000004)).not.toBe(0);
  });

  it('tells crossings, touches and overlaps apart', () => {
    expect(segmentContact(0, 0, 2, 2, 0, 2, 2, 0)).toEqual({ kind: 'cross', x: 1, y: 1 });
    expect(segmentContact(0, 0, 2, 0, 1, 0, 1, 5)).toEqual({ kind: 'touch', x: 1, y: 0 });
    expect(segmentContact(0, 0, 2, 0, 1, 0, 3, 0)?.kind).toBe('overlap');
    expect(segmentContact(0, 0, 2, 0, 2, 0, 3, 0)).toEqual({ kind: 'touch', x: 2, y: 0 });
    expect(segmentContact(0, 0, 2, 0, 3, 0, 4, 0)).toBeNull();
    expect(segmentContact(0, 0, 1, 1, 0, 1, 0.4, 0.6)).toBeNull();
  });
});

describe('geometry problems, one minimal example each', () => {
  const cases: {
    name: string;
    value: unknown;
    expect?: GeometryType[];
    code: string;
    where?: Record<string, unknown>;
    params?: Record<string, unknown>;
  }[] = [
    { name: 'null geometry', value: null, code: 'geometry.null' },
    {
      name: 'a string',
      value: 'POLYGON((0 0,1 0,1 1,0 0))',
      code: 'geometry.type',
      params: { got: 'string' },
    },
    { name: 'no type', value: { coordinates: [] }, code: 'geometry.type', params: { got: 'none' } },
    {
      name: 'unknown type',
      value: { type: 'Circle', coordinates: [0, 0] },
      code: 'geometry.type',
      params: { got: 'Circle', expected: 'Polygon, MultiPolygon' },
    },
    {
      name: 'a line where an area is expected',
      value: {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
      code: 'geometry.type',
      params: { got: 'LineString' },
    },
    {
      name: 'no coordinates',
      value: { type: 'Polygon' },
      code: 'geometry.coordinates',
      where: { pointer: '/coordinates' },
    },
    {
      name: 'a ring that is not an array',
      value: polygon(square(0, 0, 1), 'ring' as unknown as Position[]),
      code: 'geometry.coordinates',
      where: { polygon: 0, ring: 1, pointer: '/coordinates/1' },
    },
    { name: 'a polygon without rings', value: polygon(), code: 'geometry.empty' },
    {
      name: 'a position with one number',
      value: polygon([[0, 0], [1, 0], [1] as unknown as Position, [0, 0]]),
      code: 'geometry.position_invalid',
      where: { polygon: 0, ring: 0, vertex: 2, pointer: '/coordinates/0/2' },
      params: { found: 'wrong_length', count: 1 },
    },
    {
      name: 'a position with a string',
      value: { type: 'Point', coordinates: ['46.9', 39.9] },
      expect: ['Point'],
      code: 'geometry.position_invalid',
      params: { found: 'not_numbers' },
    },
    {
      name: 'a non-finite coordinate',
      value: { type: 'Point', coordinates: [Number.NaN, 39.9] },
      expect: ['Point'],
      code: 'geometry.not_finite',
      where: { vertex: 0, pointer: '/coordinates' },
    },
    {
      name: 'longitude beyond 180',
      value: {
        type: 'MultiPoint',
        coordinates: [
          [46.9, 39.9],
          [181, 10],
        ],
      },
      expect: ['MultiPoint'],
      code: 'geometry.out_of_range',
      where: { vertex: 1, pointer: '/coordinates/1' },
      params: { lon: 181, lat: 10, likelySwapped: false },
    },
    {
      name: 'latitude and longitude swapped',
      value: { type: 'Point', coordinates: [39.94, 146.95] },
      expect: ['Point'],
      code: 'geometry.out_of_range',
      params: { lon: 39.94, lat: 146.95, likelySwapped: true },
    },
    {
      name: 'a line of one position',
      value: { type: 'LineString', coordinates: [[0, 0]] },
      expect: ['LineString'],
      code: 'geometry.line_too_short',
      params: { line: 0, count: 1 },
    },
    {
      name: 'a line whose positions all repeat one place',
      value: {
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
          [
            [2, 2],
            [2, 2],
          ],
        ],
      },
      expect: ['MultiLineString'],
      code: 'geometry.line_too_short',
      where: { pointer: '/coordinates/1' },
      params: { line: 1, count: 1 },
    },
    {
      name: 'a ring of three positions',
      value: polygon([
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
      code: 'geometry.ring_too_short',
      where: { polygon: 0, ring: 0 },
      params: { count: 3 },
    },
    {
      name: 'an unclosed ring',
      value: polygon([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ]),
      code: 'geometry.ring_not_closed',
      where: { polygon: 0, ring: 0, vertex: 3 },
    },
    {
      name: 'a ring along one line',
      value: polygon([
        [0, 0],
        [1, 1],
        [2, 2],
        [0, 0],
      ]),
      code: 'geometry.ring_degenerate',
      where: { polygon: 0, ring: 0 },
    },
    {
      name: 'a ring of one repeated place',
      value: polygon([
        [5, 5],
        [5, 5],
        [5, 5],
        [5, 5],
      ]),
      code: 'geometry.ring_degenerate',
    },
    {
      name: 'a bow-tie',
      value: polygon([
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
        [0, 0],
      ]),
      code: 'geometry.self_intersection',
      where: { polygon: 0, ring: 0, vertex: 0 },
      params: { vertexA: 0, vertexB: 2, lon: 0.5, lat: 0.5 },
    },
    {
      name: 'a ring touching itself at a vertex',
      value: polygon([
        [0, 0],
        [4, 0],
        [4, 4],
        [2, 0],
        [0, 4],
        [0, 0],
      ]),
      code: 'geometry.self_intersection',
      params: { vertexA: 0, vertexB: 2, lon: 2, lat: 0 },
    },
    {
      name: 'a spike folding back on its edge',
      value: polygon([
        [0, 0],
        [4, 0],
        [4, 4],
        [4, 2],
        [0, 4],
        [0, 0],
      ]),
      code: 'geometry.self_intersection',
      params: { vertexA: 1, vertexB: 2 },
    },
    {
      name: 'a hole outside its shell',
      value: polygon(square(0, 0, 1), square(5, 5, 1)),
      code: 'geometry.hole_outside_shell',
      where: { polygon: 0, ring: 1 },
    },
    {
      name: 'a hole crossing its shell',
      value: polygon(square(0, 0, 4), square(3, 1, 2)),
      code: 'geometry.ring_intersection',
      where: { polygon: 0, ring: 0 },
      params: { otherRing: 1 },
    },
    {
      name: 'two holes crossing each other',
      value: polygon(square(0, 0, 10), square(1, 1, 3), square(2, 2, 3)),
      code: 'geometry.ring_intersection',
      where: { polygon: 0, ring: 1 },
      params: { otherRing: 2 },
    },
    {
      name: 'a hole sharing an edge with its shell',
      value: polygon(square(0, 0, 4), square(0, 1, 2)),
      code: 'geometry.ring_intersection',
    },
    {
      name: 'a hole inside another hole',
      value: polygon(square(0, 0, 10), square(1, 1, 6), square(2, 2, 2)),
      code: 'geometry.holes_nested',
      where: { polygon: 0, ring: 2 },
      params: { otherRing: 1 },
    },
    {
      name: 'a hole touching the shell at two points',
      value: polygon(square(0, 0, 4), [
        [2, 0],
        [3, 2],
        [2, 4],
        [1, 2],
        [2, 0],
      ]),
      code: 'geometry.interior_disconnected',
      where: { polygon: 0 },
    },
    {
      name: 'overlapping polygons',
      value: multiPolygon([square(0, 0, 2)], [square(1, 1, 2)]),
      code: 'geometry.polygons_overlap',
      where: { polygon: 0 },
      params: { otherPolygon: 1 },
    },
    {
      name: 'a polygon inside another',
      value: multiPolygon([square(0, 0, 4)], [square(1, 1, 1)]),
      code: 'geometry.polygons_overlap',
      where: { polygon: 1 },
      params: { otherPolygon: 0 },
    },
    {
      name: 'polygons sharing an edge',
      value: multiPolygon([square(0, 0, 1)], [square(1, 0, 1)]),
      code: 'geometry.polygons_share_edge',
      params: { otherPolygon: 1 },
    },
    {
      name: 'thousands of long edges whose boxes all overlap',
      value: polygon(nestedChevrons(5000)),
      code: 'geometry.too_complex',
    },
    {
      name: 'more positions than allowed',
      value: polygon(circle(0, 0, 1, DEFAULT_MAX_VERTICES)),
      code: 'geometry.too_many_vertices',
      params: { count: DEFAULT_MAX_VERTICES + 1, max: DEFAULT_MAX_VERTICES },
    },
  ];

  for (const c of cases) {
    it(`reports ${c.code} for ${c.name}`, () => {
      const problems = geometryProblems(c.value, c.expect ?? AREA);
      expect(problems.length).toBeGreaterThan(0);
      const first = problems[0]!;
      expect(first.code).toBe(c.code);
      if (c.where) expect(first.where).toMatchObject(c.where);
      if (c.params) expect(first.params).toMatchObject(c.params);
    });
  }

  it('covers every code of the catalogue with an example above', () => {
    const triggered = new Set(cases.map((c) => c.code));
    const fragment = new URL('../../../src/i18n/messages/en/geometry.json', import.meta.url);
    const catalogued = Object.keys(JSON.parse(readFileSync(fragment, 'utf8')));
    expect([...catalogued].sort()).toEqual([...triggered].sort());
  });

  it('says every problem in every locale, naming its place', () => {
    for (const c of cases) {
      for (const problem of geometryProblems(c.value, c.expect ?? AREA)) {
        expect(hasMessage(problem.code)).toBe(true);
        const texts = LOCALES.map((locale) => t(problem.code, problem.params, locale));
        for (const text of texts) {
          expect(text).not.toContain('{');
          if (problem.where?.ring !== undefined) expect(text).toContain(String(problem.where.ring));
        }
        expect(new Set(texts).size).toBe(3);
      }
    }
  });

  it('words the swap hint only when swapping would help', () => {
    const swapped = geometryProblems({ type: 'Point', coordinates: [39.94, 146.95] }, ['Point'])[0]!;
    const far = geometryProblems({ type: 'Point', coordinates: [120, 146.95] }, ['Point'])[0]!;
    expect(far.params.likelySwapped).toBe(false);
    expect(t(swapped.code, swapped.params, 'en')).toMatch(/swapped/);
    expect(t(far.code, far.params, 'en')).not.toMatch(/swapped/);
  });

  it('reports every fault of a geometry, not only the first', () => {
    const value = multiPolygon(
      [
        [
          [0, 0],
          [1, 1],
          [1, 0],
          [0, 1],
          [0, 0],
        ],
      ],
      [
        [
          [10, 10],
          [11, 10],
          [11, 11],
        ],
      ],
      [
        [
          [200, 0],
          [21, 0],
          [21, 1],
          [20, 0],
        ],
      ],
    );
    const problems = geometryProblems(value, AREA);
    expect(codes(problems)).toEqual([
      'geometry.ring_too_short',
      'geometry.out_of_range',
      'geometry.self_intersection',
    ]);
    expect(problems.map((p) => p.where?.polygon)).toEqual([1, 2, 0]);
    try {
      validateArea(value);
      expect.unreachable();
    } catch (e) {
      expect(isProblem(e)).toBe(true);
      expect((e as Problem).code).toBe('geometry.ring_too_short');
      expect(codes((e as Problem).others)).toEqual(['geometry.out_of_range', 'geometry.self_intersection']);
    }
  });

  it('finds every crossing of a figure with several', () => {
    // A zigzag that crosses its closing edge three times.
    const ring: Position[] = [
      [0, 0],
      [1, 2],
      [2, -1],
      [3, 2],
      [4, -1],
      [4, 1],
      [0, 1],
      [0, 0],
    ];
    const problems = geometryProblems(polygon(ring), AREA);
    expect(problems.every((p) => p.code === 'geometry.self_intersection')).toBe(true);
    expect(problems.map((p) => [p.params.vertexA, p.params.vertexB])).toEqual(
      ringSelfIntersections(ring).map((c) => [c.vertexA, c.vertexB]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });
});

describe('valid geometries pass and come back normalised', () => {
  it('accepts a polygon with holes, including a hole touching the shell at one point', () => {
    const value = polygon(square(0, 0, 10), square(1, 1, 2), square(5, 5, 2), [
      [0, 4],
      [2, 5],
      [2, 4],
      [0, 4],
    ]);
    expect(geometryProblems(value, AREA)).toEqual([]);
  });

  it('accepts a multipolygon with an island in a lake and polygons touching at a corner', () => {
    const value = multiPolygon([square(0, 0, 10), square(2, 2, 6)], [square(4, 4, 2)], [square(10, 10, 3)]);
    expect(geometryProblems(value, AREA)).toEqual([]);
  });

  it('turns outer rings counter-clockwise and holes clockwise', () => {
    const clockwiseShell = [...square(0, 0, 10)].reverse();
    const counterClockwiseHole = square(1, 1, 2);
    const area = validateArea(polygon(clockwiseShell, counterClockwiseHole));
    const [shell, hole] = area.coordinates[0]!;
    expect(twiceSignedArea(shell!)).toBe(200);
    expect(twiceSignedArea(hole!)).toBe(-8);
    const already = validateArea(polygon(square(0, 0, 10), [...square(1, 1, 2)].reverse()));
    expect(already.coordinates[0]![0]).toEqual(square(0, 0, 10));
  });

  it('drops consecutive repeated positions and keeps heights', () => {
    const ring: Position[] = [
      [0, 0, 5],
      [0, 0, 6],
      [1, 0, 5],
      [1, 1, 5],
      [1, 1, 5],
      [0, 1, 5],
      [0, 0, 5],
      [0, 0, 5],
    ];
    const area = validateArea(polygon(ring));
    expect(area.coordinates[0]![0]).toEqual([
      [0, 0, 5],
      [1, 0, 5],
      [1, 1, 5],
      [0, 1, 5],
      [0, 0, 5],
    ]);
    const line = validateGeometry(
      {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [0, 0],
          [1, 1],
        ],
      },
      ['LineString'],
    );
    expect(line.coordinates).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('returns a MultiPolygon for an area given as a Polygon, and a Polygon when one is asked for', () => {
    expect(validateArea(polygon(square(46.95, 39.94, 0.001))).type).toBe('MultiPolygon');
    expect(validateGeometry(polygon(square(46.95, 39.94, 0.001)), AREA).type).toBe('Polygon');
  });

  it('validates a point with height and leaves the input untouched', () => {
    const input = { type: 'Point', coordinates: [46.95, 39.94, 1200] };
    const point = validatePoint(input);
    expect(point).toEqual(input);
    expect(point.coordinates).not.toBe(input.coordinates);
  });

  it('validates a ring of 100 000 positions', () => {
    const ring = circle(46.95, 39.94, 0.05, DEFAULT_MAX_VERTICES - 1);
    expect(ring.length).toBe(DEFAULT_MAX_VERTICES);
    const area = validateArea(polygon(ring));
    expect(area.coordinates[0]![0]!.length).toBe(DEFAULT_MAX_VERTICES);
    expect(twiceSignedArea(area.coordinates[0]![0]!)).toBeGreaterThan(0);
  });

  it('finds the one crossing in a ring of 100 000 positions', () => {
    const ring = circle(0, 0, 1, DEFAULT_MAX_VERTICES - 1);
    // Swap two neighbouring vertices half way round: their edges now cross once.
    const k = 50_000;
    [ring[k], ring[k + 1]] = [ring[k + 1]!, ring[k]!];
    const problems = geometryProblems(polygon(ring), AREA);
    expect(codes(problems)).toEqual(['geometry.self_intersection']);
    expect(problems[0]!.params).toMatchObject({ vertexA: k - 1, vertexB: k + 1 });
  });
});

/** A closed ring of `n` distinct positions on a circle, counter-clockwise. */
function circle(cx: number, cy: number, radius: number, n: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    ring.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
  }
  ring.push([...ring[0]!] as Position);
  return ring;
}

/**
 * A ring that snakes through `m` nested V shapes one above the other: it does not cross
 * itself, but every long diagonal edge's box overlaps every other's, the worst case for a
 * box index.
 */
function nestedChevrons(m: number): Position[] {
  const h = 0.5 / m;
  const ring: Position[] = [];
  for (let i = 0; i < m; i++) {
    const left: Position = [-1, 1 + i * h];
    const bottom: Position = [0, i * h];
    const right: Position = [1, 1 + i * h];
    ring.push(...(i % 2 === 0 ? [left, bottom, right] : [right, bottom, left]));
  }
  // Back to the start round the top and down the left, clear of the chevrons.
  const end = ring[ring.length - 1]!;
  ring.push([2 * end[0], 3], [-2, 3], [-2, 0.5], [...ring[0]!] as Position);
  return ring;
}

// -----------------------------------------------------------------------------------------
// Property checks against an independent brute-force test of every pair of edges

/** Exact for small integers; written separately from the validator on purpose. */
function cross(o: Position, a: Position, b: Position): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function within(p: Position, a: Position, b: Position): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

function edgesMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = cross(a, b, c);
  const d2 = cross(a, b, d);
  const d3 = cross(c, d, a);
  const d4 = cross(c, d, b);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && within(c, a, b)) ||
    (d2 === 0 && within(d, a, b)) ||
    (d3 === 0 && within(a, c, d)) ||
    (d4 === 0 && within(b, c, d))
  );
}

/** Every pair of edges (i < j) of a closed ring without repeats that break OGC simplicity. */
function bruteForcePairs(ring: Position[]): string[] {
  const n = ring.length - 1;
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [a, b, c, d] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
      let bad: boolean;
      if (j === i + 1)
        bad = cross(a, b, d) === 0 && (a[0] - b[0]) * (d[0] - b[0]) + (a[1] - b[1]) * (d[1] - b[1]) > 0;
      else if (i === 0 && j === n - 1)
        bad = cross(b, a, c) === 0 && (b[0] - a[0]) * (c[0] - a[0]) + (b[1] - a[1]) * (c[1] - a[1]) > 0;
      else bad = edgesMeet(a, b, c, d);
      if (bad) pairs.push(`${i},${j}`);
    }
  }
  return pairs;
}

function randomRing(n: number, coordinate: () => number): Position[] | null {
  const ring: Position[] = [];
  while (ring.length < n) {
    const p: Position = [coordinate(), coordinate()];
    const last = ring[ring.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) continue;
    ring.push(p);
  }
  const first = ring[0]!;
  const last = ring[n - 1]!;
  if (first[0] === last[0] && first[1] === last[1]) return null;
  ring.push([first[0], first[1]]);
  const distinct = new Set(ring.map((p) => `${p[0]},${p[1]}`));
  if (distinct.size < 3 || ring.every((p) => cross(ring[0]!, ring[1]!, p) === 0)) return null;
  return ring;
}

describe('self-intersection agrees with a brute-force check on random rings', () => {
  it('on a small integer grid, where touching and collinear edges are common', () => {
    const random = seededRandom(20240611);
    let checked = 0;
    let withFaults = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const ring = randomRing(3 + Math.floor(random() * 10), () => Math.floor(random() * 5));
      if (!ring) continue;
      const expected = bruteForcePairs(ring);
      const found = ringSelfIntersections(ring).map((c) => `${c.vertexA},${c.vertexB}`);
      expect({ ring, pairs: found.sort() }).toEqual({ ring, pairs: expected.sort() });
      const valid = geometryProblems(polygon(ring), AREA).length === 0;
      expect(valid).toBe(expected.length === 0);
      checked++;
      if (expected.length > 0) withFaults++;
    }
    expect(checked).toBeGreaterThan(2000);
    expect(withFaults).toBeGreaterThan(100);
    expect(checked - withFaults).toBeGreaterThan(100);
  });

  it('on random real coordinates', () => {
    const random = seededRandom(7);
    let simple = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const ring = randomRing(4 + Math.floor(random() * 20), () => 46 + random());
      if (!ring) continue;
      const expected = bruteForcePairs(ring);
      const found = ringSelfIntersections(ring).map((c) => `${c.vertexA},${c.vertexB}`);
      expect(found.sort()).toEqual(expected.sort());
      if (expected.length === 0) simple++;
    }
    expect(simple).toBeGreaterThan(50);
  });

  it('accepts random star-shaped rings with random holes inside them', () => {
    const random = seededRandom(99);
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      const n = 5 + Math.floor(random() * 200);
      const angles = Array.from({ length: n }, () => random() * 2 * Math.PI).sort((a, b) => a - b);
      const shell: Position[] = angles.map((a) => {
        const r = 0.6 + 0.4 * random();
        return [10 + r * Math.cos(a), 20 + r * Math.sin(a)];
      });
      shell.push([...shell[0]!] as Position);
      // The largest circle round the centre inside the shell: the nearest edge (line) distance.
      let room = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < shell.length; i++) {
        const [a, b] = [shell[i]!, shell[i + 1]!];
        room = Math.min(room, cross(a, b, [10, 20]) / Math.hypot(b[0] - a[0], b[1] - a[1]));
      }
      if (room <= 0) continue;
      const hole = circle(10, 20, 0.9 * room, 3 + Math.floor(random() * 30));
      expect(geometryProblems(polygon(shell, hole), AREA)).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });
});
