/**
 * `npm run bench:outputs`: time to generate every standard report for the demo programme, in
 * every format, on the embedded database and (when BENCH_DATABASE_URL is set) on PostgreSQL.
 * The requirement is under 5 s each. The baseline is one read of every register the reports
 * read, made directly in SQL on the same database in the same run.
 *
 * Env: BENCH_DATA_DIR (reuse a PGlite folder with the demo loaded), BENCH_OUT (a folder to
 * write the files to, to look at them), BENCH_LOCALES (default "en").
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { parseSettings } from '../src/config.ts';
import { connect, type Database } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { SYSTEM_ACTOR } from '../src/services/actor.ts';
import { loadDemo } from '../src/services/demo.ts';
import { createServices } from '../src/services/index.ts';
import { OUTPUT_FORMATS, type OutputParams } from '../src/services/outputs/index.ts';

const LOCALES = (process.env.BENCH_LOCALES ?? 'en').split(',');
const OUT = process.env.BENCH_OUT;

async function prepare(database: Database): Promise<void> {
  await migrate(database);
  const n = await sql<{
    n: number;
  }>`select count(*)::int as n from hazards where external_id like 'demo:%'`.execute(database.db);
  if (n.rows[0]!.n === 0) await loadDemo(database);
}

async function run(kind: string, database: Database) {
  await prepare(database);
  const services = createServices(
    database,
    parseSettings({ SAFEGROUND_SECRET: 'bench-outputs-secret-0123456789abcdef' }),
  );
  const hazard = await sql<{ id: string }>`
    select h.id from hazards h join land_release l on l.hazard_id = h.id
    where h.external_id like 'demo:%' group by h.id order by count(*) desc, h.id limit 1`.execute(
    database.db,
  );
  const accident = await sql<{
    id: string;
  }>`select id from accidents where external_id like 'demo:%' order by id limit 1`.execute(database.db);
  const years = await sql<{ y: string }>`select max(released_on)::text as y from land_release`.execute(
    database.db,
  );
  const last = years.rows[0]!.y!.slice(0, 4);
  const params: Record<string, OutputParams> = {
    'operations-summary': { asAt: `${last}-12-31`, from: `${last}-01-01`, to: `${last}-12-31` },
    'hazard-completion': { asAt: `${last}-12-31`, hazard: hazard.rows[0]!.id },
    'apmbc-article7': { asAt: `${last}-12-31`, from: `${last}-01-01`, to: `${last}-12-31` },
    'ccw-protocols': { asAt: `${last}-12-31`, from: `${last}-01-01`, to: `${last}-12-31` },
    casualties: { asAt: `${last}-12-31` },
    'evidence-dossier': {
      asAt: `${last}-12-31`,
      records: [`hazards:${hazard.rows[0]!.id}`, `accidents:${accident.rows[0]!.id}`],
    },
  };
  const t0 = performance.now();
  for (const table of [
    'hazards',
    'land_release',
    'findings',
    'activities',
    'accidents',
    'casualties',
    'admin_areas',
    'organisations',
  ])
    await sql`select * from ${sql.table(table)} where archived_at is null`.execute(database.db);
  const baseline = performance.now() - t0;
  console.log(`${kind}: baseline (one SQL read of the registers read) ${baseline.toFixed(0)} ms`);
  for (const [name, p] of Object.entries(params)) {
    for (const locale of LOCALES) {
      for (const format of OUTPUT_FORMATS) {
        const start = performance.now();
        const file = await services.outputs.generate(SYSTEM_ACTOR, name, p, format, locale);
        const ms = performance.now() - start;
        console.log(
          `${kind}\t${name}\t${locale}\t${format}\t${ms.toFixed(0)} ms\t${file.bytes.byteLength} bytes\t${ms < 5000 ? 'ok' : 'OVER 5 s'}`,
        );
        if (OUT) {
          mkdirSync(OUT, { recursive: true });
          writeFileSync(join(OUT, `${name}-${locale}.${format}`), file.bytes);
        }
      }
    }
  }
}

const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'safeground-bench-outputs-'));
const pglite = await connect({ dataDir });
try {
  await run('pglite', pglite);
} finally {
  await pglite.close();
}
const url = process.env.BENCH_DATABASE_URL;
if (url) {
  const pg = await connect({ url });
  try {
    await run('postgresql', pg);
  } finally {
    await pg.close();
  }
}
