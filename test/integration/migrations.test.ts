import { type RawBuilder, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { migrate, migrationFiles } from '../../src/db/migrate.ts';
import { migrationLevel } from '../../src/db/repositories/migrations.ts';
import { emptyTestDatabase, testDatabaseKind } from './helpers/db.ts';

/**
 * Each migration that changes data or rules of tables that already hold rows, applied to a
 * database left at the level before it with rows written there: the rows come through, and the
 * new rules hold for them. The steps run in order on one database, as an upgrade does.
 */
let database: Database;
const rows = async <T>(query: RawBuilder<T>) => (await query.execute(database.db)).rows;

/** Applies the migrations up to `version` and says the database is now at that level. */
async function migrateTo(version: number) {
  const result = await migrate(database, { upTo: version });
  expect(result.level).toBe(version);
  return result;
}

/** A WGS 84 square of `d` degrees with its south-west corner at lon, lat, as a MultiPolygon. */
const square = (lon: number, lat: number, d: number, dLat = d) =>
  sql`ST_Multi(ST_MakeEnvelope(${lon}, ${lat}, ${lon + d}, ${lat + dLat}, 4326))`;

/** The hint PostgreSQL raised with, from whichever driver threw. */
async function hintOf(work: Promise<unknown>): Promise<string | undefined> {
  return work.then(
    () => undefined,
    (e: { hint?: string }) => e.hint ?? String(e),
  );
}

beforeAll(async () => {
  database = await emptyTestDatabase();
  await migrateTo(1);
});

describe(`migrations over existing data on ${testDatabaseKind()}`, () => {
  it('stops at the level asked for and carries on from there', async () => {
    expect(await migrationLevel(database.db)).toBe(1);
    expect((await migrate(database, { upTo: 1 })).applied).toBe(0);
    const tables = await rows<{ n: number }>(
      sql`select count(*)::int as n from information_schema.tables where table_name = 'reports'`,
    );
    expect(tables).toEqual([{ n: 0 }]);
  });

  it('002 seeds the ordnance catalogue and leaves the models already there as they were', async () => {
    await sql`insert into ordnance_models (model, category, description, aliases) values
      ('PMN', 'AP', 'Entered by the programme before the catalogue', '["local name"]'),
      ('Programme model 1', 'other_erw', 'Not in the catalogue', '[]')`.execute(database.db);
    await migrateTo(2);
    const seeded = migrationFiles()
      .find((m) => m.version === 2)!
      .sql.split('\n')
      .filter((line) => /^\s*\('/.test(line)).length;
    const [{ n }] = await rows<{ n: number }>(sql`select count(*)::int as n from ordnance_models`);
    // Every seeded model but PMN, which was there, and the programme's own model.
    expect(n).toBe(seeded - 1 + 2);
    expect(
      await rows(sql`select model, description, aliases from ordnance_models
        where model in ('PMN', 'Programme model 1', 'TM-62M') order by model`),
    ).toEqual([
      { model: 'PMN', description: 'Entered by the programme before the catalogue', aliases: ['local name'] },
      { model: 'Programme model 1', description: 'Not in the catalogue', aliases: [] },
      {
        model: 'TM-62M',
        description: 'Anti-tank blast mine, metal body, pressure or magnetic-influence fuze.',
        aliases: ['ТМ-62М'],
      },
    ]);
  });

  it('003 keeps the hazards and land release already stored, and holds them to the land-release rules', async () => {
    const [hazard] = await rows<{ id: string; areaM2: number }>(sql`
      insert into hazards (type, status, geom) values ('CHA', 'open', ${square(30, 10, 0.01)})
      returning id, area_m2`);
    const [closed] = await rows<{ id: string }>(sql`
      insert into hazards (type, status, geom) values ('SHA', 'closed', ${square(30.1, 10, 0.01)})
      returning id`);
    // Before 003 nothing checks land release against its hazard: a quarter of it, released.
    const [released] = await rows<{ areaM2: number }>(sql`
      insert into land_release (outcome, hazard_id, geom)
      values ('cleared', ${hazard!.id}, ${square(30, 10, 0.005)}) returning area_m2`);
    await migrateTo(3);

    const [after] = await rows<{ status: string; areaM2: number }>(
      sql`select status, area_m2 from hazards where id = ${hazard!.id}`,
    );
    expect(after).toEqual({ status: 'open', areaM2: hazard!.areaM2 });
    expect(
      await rows(sql`select count(*)::int as n from land_release where hazard_id = ${hazard!.id}`),
    ).toEqual([{ n: 1 }]);
    // The rules now hold for the rows that were there: a closed hazard reopens only with a reason…
    expect(
      await hintOf(sql`update hazards set status = 'open' where id = ${closed!.id}`.execute(database.db)),
    ).toBe('hazard.reopen_reason_required');
    // …land release must lie within its hazard…
    expect(
      await hintOf(
        sql`insert into land_release (outcome, hazard_id, geom)
          values ('cleared', ${hazard!.id}, ${square(30.5, 10.5, 0.001)})`.execute(database.db),
      ),
    ).toBe('land_release.outside_hazard');
    // …and a new release of the old hazard counts the old release in its remaining area.
    await sql`insert into land_release (outcome, hazard_id, geom)
      values ('reduced', ${hazard!.id}, ${square(30.005, 10, 0.005)})`.execute(database.db);
    const [remaining] = await rows<{ releasedAreaM2: number; remainingAreaM2: number }>(
      sql`select released_area_m2, remaining_area_m2 from hazards where id = ${hazard!.id}`,
    );
    expect(remaining!.releasedAreaM2).toBeCloseTo(released!.areaM2 * 2, 0);
    // Geodesic areas of differently cut polygons agree to a few m² in a km²; ignoring the old
    // release would leave a quarter of the hazard too much.
    const total = remaining!.releasedAreaM2 + remaining!.remainingAreaM2;
    expect(Math.abs(total - hazard!.areaM2)).toBeLessThan(hazard!.areaM2 * 1e-5);
  });

  it('006 closes a hazard whose land release covers it exactly, and leaves the figures stored before as they were', async () => {
    await migrateTo(5);
    const [hazard] = await rows<{ id: string; areaM2: number }>(sql`
      insert into hazards (type, status, geom) values ('CHA', 'open', ${square(31, 10, 0.01)})
      returning id, area_m2`);
    await sql`insert into land_release (outcome, hazard_id, geom)
      values ('cleared', ${hazard!.id}, ${square(31, 10, 0.01, 0.004)})`.execute(database.db);
    const figures = sql<{
      status: string;
      remainingAreaM2: number;
    }>`select status, released_area_m2, remaining_area_m2 from hazards where id = ${hazard!.id}`;
    const before = await rows(figures);
    expect(before[0]!.status).toBe('open');
    expect(before[0]!.remainingAreaM2).toBeGreaterThan(0);
    await migrateTo(6);
    expect(await rows(figures)).toEqual(before);

    // The rest of the hazard, released: together the two polygons are exactly the hazard.
    await sql`insert into land_release (outcome, hazard_id, geom)
      values ('cleared', ${hazard!.id}, ${square(31, 10.004, 0.01, 0.006)})`.execute(database.db);
    const [after] = await rows<{ status: string; remainingAreaM2: number; remainingGeom: unknown }>(
      sql`select status, remaining_area_m2, remaining_geom from hazards where id = ${hazard!.id}`,
    );
    expect(after).toEqual({ status: 'closed', remainingAreaM2: 0, remainingGeom: null });
    await migrateTo(31);
  });

  it("032 puts the outlines already stored on their band's grid, as a tile of that zoom makes them", async () => {
    // Open hazards from 40 m to 9 km across, stored before 032 (their outlines by 030's triggers).
    for (const [i, d] of [0.0004, 0.004, 0.02, 0.08].entries())
      await sql`insert into hazards (type, status, geom)
        values ('SHA', 'open', ${square(31.3 + i * 0.1, 10.2, d)})`.execute(database.db);
    const before = await rows<{ n: number }>(sql`select count(*)::int as n from hazard_outlines`);
    expect(before[0]!.n).toBeGreaterThan(4);
    await migrateTo(32);
    // For each outline, the tile of its band's zoom that holds its first vertex, made the way a
    // tile was made before 032 (affine to the tile, snap, drop collinear points), equals the grid
    // moved by that tile's offset.
    const compared = await rows<{ band: number; made: string | null; moved: string | null }>(sql`
      select o.band, ST_AsText(ST_Simplify(ST_SnapToGrid(ST_Affine(o.geom,
          4096 / (ST_XMax(e) - ST_XMin(e)), 0, 0, -(4096 / (ST_YMax(e) - ST_YMin(e))),
          -ST_XMin(e) * 4096 / (ST_XMax(e) - ST_XMin(e)), ST_YMax(e) * 4096 / (ST_YMax(e) - ST_YMin(e))), 1), 0)) as made,
        ST_AsText(ST_Translate(o.grid, -4096 * t.x, -4096 * t.y)) as moved
      from hazard_outlines o,
        lateral (select floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 2 ^ o.band))::int as x,
                        floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 2 ^ o.band))::int as y
                 from ST_PointN(ST_ExteriorRing(ST_GeometryN(o.geom, 1)), 1) as p) t,
        lateral ST_TileEnvelope(o.band, t.x, t.y) as e
      order by o.band`);
    expect(compared.length).toBe(before[0]!.n);
    expect(compared.filter((r) => r.moved !== null).length).toBeGreaterThan(4);
    for (const r of compared) expect(r.moved, `band ${r.band}`).toBe(r.made);
  });

  it('034 keeps the codes already stored, and the first code past the width is whole', async () => {
    await migrateTo(33);
    const finding = (lon: number) => sql<{ code: string }>`insert into findings (category, found_on, geom)
      values ('AP', '2024-05-01', ST_SetSRID(ST_MakePoint(${lon}, 10.2), 4326)) returning code`;
    await sql`select setval('findings_code_seq', 9999998)`.execute(database.db);
    const stored = await rows<{ code: string }>(finding(31.31));
    expect(stored).toEqual([{ code: 'EO-9999999' }]);
    await migrateTo(34);
    expect(await rows<{ code: string }>(finding(31.32))).toEqual([{ code: 'EO-10000000' }]);
    const codes = await rows<{ code: string }>(sql`select code from findings order by code`);
    expect(codes.map((r) => r.code)).toEqual(['EO-10000000', 'EO-9999999']);
    expect((await migrate(database)).level).toBe(migrationFiles().at(-1)!.version);
  });
});
