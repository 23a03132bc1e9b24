import { beforeAll, describe, expect, it } from 'vitest';
import { login, testDatabaseKind, unique } from './helpers/db.ts';
import { call } from './helpers/http.ts';

let admin: Record<string, string>;

// A square of about 100 m near 45.35°E 38.62°N, far from other tests' records.
const square = (x: number, size = 1) => {
  const w = 45.35 + x * 0.0012;
  const s = 38.62;
  const d = 0.0012 * size;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [w + d, s],
        [w + d, s + d * 0.75],
        [w, s + d * 0.75],
        [w, s],
      ],
    ],
  };
};

beforeAll(async () => {
  admin = await login('admin');
});

describe(`the dashboard's figures on ${testDatabaseKind()}`, () => {
  it("counts hazards not closed by status, for an organisation and an admin area, as the lists' filters do", async () => {
    const org = (
      await call('POST', '/api/v1/organisations', admin, { name: unique('Stats org '), kind: 'ngo' })
    ).json();
    const area = await call('POST', '/api/v1/admin-areas', admin, {
      type: 'Feature',
      geometry: square(0, 10),
      properties: { pcode: unique('ST'), name: unique('Stats district '), level: 2 },
    });
    expect(area.statusCode, area.body).toBe(201);
    for (const [x, status] of [
      [1, 'open'],
      [3, 'in_progress'],
      [5, 'closed'],
    ] as const) {
      const h = await call('POST', '/api/v1/hazards', admin, {
        type: 'Feature',
        geometry: square(x),
        properties: { type: 'CHA', status, organisationId: org.id, name: unique('Stats field ') },
      });
      expect(h.statusCode, h.body).toBe(201);
    }
    const scope = `organisation=${org.id}&adminArea=${area.json().id}`;
    const s = await call('GET', `/api/v1/stats/summary?year=2025&${scope}`, admin);
    expect(s.statusCode, s.body).toBe(200);
    expect(s.json()).toMatchObject({
      year: 2025,
      openHazardCount: 2,
      openHazardsByStatus: { open: 1, in_progress: 1 },
    });
    for (const status of ['open', 'in_progress']) {
      const list = (await call('GET', `/api/v1/hazards?status=${status}&${scope}&count=true`, admin)).json();
      expect(list.total).toBe(s.json().openHazardsByStatus[status]);
    }
    const elsewhere = (
      await call('GET', `/api/v1/stats/summary?organisation=${org.id}&adminArea=${org.id}`, admin)
    ).json();
    expect(elsewhere.openHazardCount).toBe(0);
  });
});
