import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { hazardFacts, settlementFacts } from '../../src/db/repositories/planning.ts';
import { testDatabase, testDatabaseKind } from './helpers/db.ts';

/**
 * The set-based reads behind readiness and priorities (`settlementFacts`, `hazardFacts`: index
 * boxes, pairs found once, grouped) against a plain exact computation over the same random data:
 * every settlement against every hazard, accident and session by `ST_DWithin` on geography alone,
 * no index, no box. Three clusters — mid latitude, near the Arctic and in the far south — where a
 * box too narrow in longitude would lose pairs; distances spread around each reach so that many
 * pairs lie near its edge.
 */

const REACH = { hazard: 3000, accident: 2000, riskEducation: 2500, settlement: 3000, accidentNear: 1000 };
const YEARS = 5;
const TODAY = new Date().toISOString().slice(0, 10);
const CLUSTERS: Array<[number, number]> = [
  [65.2, 34.6],
  [25.1, 70.9],
  [-68.3, -54.8],
];

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let database: Database;

async function seed(db: Database['db']) {
  const r = random(20261206);
  const org = await sql<{ id: string }>`insert into organisations (name, kind) values ('Perf operator', 'ngo')
    returning id`.execute(db);
  const orgId = org.rows[0]!.id;
  const statuses = ['open', 'open', 'in_progress', 'closed'];
  const hazardIds: string[] = [];
  const settlementIds: string[] = [];
  for (const [lon0, lat0] of CLUSTERS) {
    // Spread over about ±0.08° of latitude and the same ground distance in longitude.
    const dLon = 0.08 / Math.cos((lat0 * Math.PI) / 180);
    const at = () => [lon0 + (r() * 2 - 1) * dLon, lat0 + (r() * 2 - 1) * 0.08] as const;
    for (let i = 0; i < 25; i++) {
      const [lon, lat] = at();
      const s = await sql<{
        id: string;
      }>`insert into settlements (name, pcode, geom, population, households, displaced_households)
        values (${`Perf ${lat0} ${i}`}, ${`PERF-${lat0}-${i}`}, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326),
          ${Math.floor(r() * 5000)}, ${Math.floor(r() * 900)}, ${Math.floor(r() * 300)})
        returning id`.execute(db);
      settlementIds.push(s.rows[0]!.id);
    }
    for (let i = 0; i < 60; i++) {
      const [lon, lat] = at();
      // From tens of metres to about 2 km across, some of them long and thin.
      const h = (0.0003 + 0.018 * r() ** 3) * (r() < 0.2 ? 3 : 1);
      const w = (0.0003 + 0.018 * r() ** 3) / Math.cos((lat * Math.PI) / 180);
      const blocked = r() < 0.3 ? '["roads"]' : r() < 0.5 ? '["housing"]' : '[]';
      const status = statuses[Math.floor(r() * statuses.length)]!;
      const hz = await sql<{
        id: string;
      }>`insert into hazards (type, status, geom, remaining_geom, date_of_information, blocked_land_use)
        values ('SHA', ${status}, ST_Multi(ST_MakeEnvelope(${lon}, ${lat}, ${lon + w}, ${lat + h}, 4326)),
          case when ${r() < 0.3}::boolean then ST_Multi(ST_MakeEnvelope(${lon}, ${lat}, ${lon + w / 2}, ${lat + h / 2}, 4326)) end,
          '2020-01-01', ${blocked}::jsonb)
        returning id`.execute(db);
      hazardIds.push(hz.rows[0]!.id);
    }
    for (let i = 0; i < 40; i++) {
      const [lon, lat] = at();
      const linked = r() < 0.2 ? hazardIds[Math.floor(r() * hazardIds.length)]! : null;
      const a = await sql<{ id: string }>`insert into accidents (occurred_on, geom, hazard_id)
        values (${TODAY}::date - ${Math.floor(r() * 3650)}::int, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), ${linked})
        returning id`.execute(db);
      for (let k = Math.floor(r() * 3); k > 0; k--) {
        await sql`insert into casualties (accident_id, sex, casualty_status, outcome)
          values (${a.rows[0]!.id}, 'female', 'civilian', 'injured')`.execute(db);
      }
    }
    for (let i = 0; i < 30; i++) {
      const [lon, lat] = at();
      const held = r() < 0.2 ? settlementIds[Math.floor(r() * settlementIds.length)]! : null;
      await sql`insert into risk_education_sessions (organisation_id, held_on, delivery_method, geom, beneficiaries_total, settlement_id)
        values (${orgId}, ${TODAY}::date - ${Math.floor(r() * 2000)}::int, 'face_to_face',
          ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), ${Math.floor(r() * 200)}, ${held})`.execute(db);
    }
  }
}

beforeAll(async () => {
  database = await testDatabase();
  await seed(database.db);
}, 120_000);

/**
 * The open hazards: now, open or in progress with at least 1 m² remaining; as at a date, with no
 * approved history, every hazard created by then is open (docs/planning.md, "As at a date").
 */
async function openHazards(asAt?: string) {
  const r = asAt
    ? await sql<{ id: string }>`select id from hazards where area_m2 >= 1`.execute(database.db)
    : await sql<{ id: string }>`select id from hazards
        where status in ('open', 'in_progress') and coalesce(remaining_area_m2, area_m2) >= 1`.execute(
        database.db,
      );
  return r.rows;
}

/** The plain answer: every pair by `ST_DWithin` on geography, no index box. */
async function exactPairs(
  table: 'hazards' | 'accidents' | 'risk_education_sessions',
  metres: number,
  asAt?: string,
) {
  const geom = table === 'hazards' && !asAt ? sql`coalesce(x.remaining_geom, x.geom)` : sql`x.geom`;
  const r = await sql<{ settlementId: string; id: string; distanceM: number; rawM: number }>`
    select s.id as settlement_id, x.id, ST_Distance(s.geom::geography, ${geom}::geography) as raw_m,
      round(ST_Distance(s.geom::geography, ${geom}::geography)::numeric, 1)::float8 as distance_m
    from settlements s cross join ${sql.table(table)} x
    where s.archived_at is null and x.archived_at is null
      and ST_DWithin(s.geom::geography, ${geom}::geography, ${metres})`.execute(database.db);
  return r.rows;
}

describe(`readiness and priorities at scale give the plain exact answer on ${testDatabaseKind()}`, () => {
  for (const asAt of [undefined, TODAY]) {
    it(`settlement facts${asAt ? ', as at a date' : ''}: hazards, accidents and sessions near each settlement`, async () => {
      const rows = await settlementFacts(database.db, {
        asAt,
        asAtDate: TODAY,
        hazardReachM: REACH.hazard,
        accidentReachM: REACH.accident,
        riskEducationReachM: REACH.riskEducation,
      });
      const count = await sql<{ n: number }>`select count(*)::int as n from settlements`.execute(database.db);
      expect(rows).toHaveLength(count.rows[0]!.n);
      const open = new Set((await openHazards(asAt)).map((x) => x.id));
      const hazards = (await exactPairs('hazards', REACH.hazard, asAt)).filter((p) => open.has(p.id));
      const accidents = await exactPairs('accidents', REACH.accident);
      const linked = (
        await sql<{ settlementId: string; id: string }>`select settlement_id, id from risk_education_sessions
          where settlement_id is not null`.execute(database.db)
      ).rows;
      const sessions = [...(await exactPairs('risk_education_sessions', REACH.riskEducation)), ...linked];
      const casualties = new Map(
        (
          await sql<{ accidentId: string; n: number }>`select accident_id, count(*)::int as n from casualties
            group by accident_id`.execute(database.db)
        ).rows.map((x) => [x.accidentId, x.n]),
      );
      const of = <T extends { settlementId: string }>(pairs: T[], id: string) =>
        pairs.filter((p) => p.settlementId === id);
      let pairs = 0;
      for (const row of rows) {
        const want = of(hazards, row.id)
          .map((p) => ({ id: p.id, distanceM: p.distanceM }))
          .sort((a, b) => a.id.localeCompare(b.id));
        const got = (row.hazards ?? [])
          .map((h) => ({ id: h.id, distanceM: Number(h.distanceM) }))
          .sort((a, b) => a.id.localeCompare(b.id));
        expect(got, row.name).toEqual(want);
        // Nearest first.
        const d = (row.hazards ?? []).map((h) => Number(h.distanceM));
        expect(d).toEqual([...d].sort((a, b) => a - b));
        const wantAcc = of(accidents, row.id)
          .map((p) => ({ id: p.id, distanceM: p.distanceM, casualties: casualties.get(p.id) ?? 0 }))
          .sort((a, b) => a.id.localeCompare(b.id));
        const gotAcc = (row.accidents ?? [])
          .map((a) => ({ id: a.id, distanceM: Number(a.distanceM), casualties: Number(a.casualties) }))
          .sort((a, b) => a.id.localeCompare(b.id));
        expect(gotAcc, row.name).toEqual(wantAcc);
        const wantRe = [...new Set(of(sessions, row.id).map((p) => p.id))].sort();
        const gotRe = (row.riskEducation ?? []).map((e) => e.id).sort();
        expect(gotRe, row.name).toEqual(wantRe);
        pairs += want.length + wantAcc.length + wantRe.length;
      }
      // The data makes the comparison worth something.
      expect(pairs).toBeGreaterThan(100);
    });

    it(`hazard facts${asAt ? ', as at a date' : ''}: settlements and accidents near each open hazard`, async () => {
      const rows = await hazardFacts(database.db, {
        asAt,
        asAtDate: TODAY,
        settlementReachM: REACH.settlement,
        accidentReachM: REACH.accidentNear,
        accidentYears: YEARS,
      });
      const settlements = await exactPairs('hazards', REACH.settlement, asAt);
      const people = new Map(
        (
          await sql<{ id: string; population: number; displaced: number }>`select id, population,
            displaced_households as displaced from settlements`.execute(database.db)
        ).rows.map((x) => [x.id, x]),
      );
      const geom = asAt ? sql`h.geom` : sql`coalesce(h.remaining_geom, h.geom)`;
      const accidents = (
        await sql<{ hazardId: string; id: string; occurredOn: string }>`
          select h.id as hazard_id, a.id, a.occurred_on::text as occurred_on from hazards h cross join accidents a
          where a.occurred_on <= ${TODAY}::date and a.occurred_on > ${TODAY}::date - ${Math.round(YEARS * 365.25)}::int
            and (a.hazard_id = h.id or ST_DWithin(a.geom::geography, ${geom}::geography, ${REACH.accidentNear}))`.execute(
          database.db,
        )
      ).rows;
      expect(rows.map((x) => x.id).sort()).toEqual((await openHazards(asAt)).map((x) => x.id).sort());
      let near = 0;
      for (const row of rows) {
        const mine = settlements.filter((p) => p.id === row.id);
        const population = mine.reduce((s, p) => s + people.get(p.settlementId)!.population, 0);
        const displaced = mine.reduce((s, p) => s + people.get(p.settlementId)!.displaced, 0);
        const nearest = mine.length ? Math.min(...mine.map((p) => Number(p.rawM))) : null;
        const got = {
          settlements: Number(row.settlements),
          population: Number(row.population),
          displaced: Number(row.displaced),
          nearest: row.nearestSettlementM === null ? null : Number(row.nearestSettlementM),
        };
        expect(got, row.code).toEqual({ settlements: mine.length, population, displaced, nearest });
        const acc = accidents.filter((a) => a.hazardId === row.id);
        expect(Number(row.accidents), row.code).toBe(acc.length);
        expect(row.lastAccidentOn, row.code).toBe(
          acc.length
            ? acc
                .map((a) => a.occurredOn)
                .sort()
                .at(-1)
            : null,
        );
        near += mine.length + acc.length;
      }
      expect(near).toBeGreaterThan(50);
    });
  }
});
