import type { Database } from '../db/connect.ts';
import { migrationLevel } from '../db/repositories/migrations.ts';
import { latestYearWithData, type StatsScope, summary } from '../db/repositories/stats.ts';
import { Problem } from '../domain/problem.ts';
import { withOthers } from '../domain/schema-check.ts';
import { VERSION } from '../version.ts';
import { type Actor, assertCan } from './actor.ts';
import { verifyAudit } from './audit.ts';
import { isDate, parseAsAt } from './list-query.ts';

/** The running system: health, the audit chain check and the headline figures of the dashboard. */
export class SystemService {
  /** What the server is loading after it started listening (the demo programme), if anything. */
  private loading: string | undefined;

  private constructor(
    private readonly database: Database,
    private readonly migration: number,
  ) {}

  /**
   * Marks the server as loading (`what`: `demo`) or, given undefined, as ready. While it loads,
   * health answers `loading`: the server listens from the start and the web application shows a
   * loading page instead of waiting on requests the load holds up.
   */
  setLoading(what: string | undefined): void {
    this.loading = what;
  }

  /**
   * Reads the migration level once: migrations run only at start, and health must answer even
   * while a long transaction (a demo load, an import) holds the embedded database.
   */
  static async open(database: Database): Promise<SystemService> {
    return new SystemService(database, await migrationLevel(database.db));
  }

  health() {
    return {
      status: this.loading ? 'loading' : 'ok',
      ...(this.loading ? { loading: this.loading } : {}),
      database: this.database.kind,
      migration: this.migration,
      version: VERSION,
    };
  }

  /** Checks the whole hash chain of the audit log (administrators). */
  async verifyAudit(actor: Actor) {
    assertCan(actor, 'audit.verify');
    const r = await verifyAudit(this.database);
    return { entries: r.entries, intact: r.broken === undefined, broken: r.broken ?? null };
  }

  /**
   * The dashboard's figures for a period (`from`/`to`, else a year, by default the latest year
   * with data, and no later than the as-at date's): open hazard area and its trend, land released by outcome and month, devices
   * found by category and model, accidents and casualties, risk education; in an admin area,
   * for an organisation and as at a date when asked. Counts only, for every signed-in role.
   */
  async summary(
    actor: Actor,
    params: { year?: string; from?: string; to?: string; asAt?: string } = {},
    scope: Omit<StatsScope, 'asAt'> = {},
  ) {
    assertCan(actor, 'record.read');
    // Counts that may lag a moment: a replica when there is one (src/db/replicas.ts).
    const db = this.database.reader(actor.id);
    const asAt = parseAsAt(params.asAt);
    const problems: Problem[] = [];
    for (const p of ['from', 'to'] as const) {
      const v = params[p];
      if (v !== undefined && !isDate(v))
        problems.push(
          new Problem('validation.format', { field: p, value: v, format: 'date' }, { pointer: `/${p}` }),
        );
    }
    if (problems.length) throw withOthers(problems);
    let year: number | undefined;
    if (params.year !== undefined || (params.from === undefined && params.to === undefined)) {
      year =
        params.year === undefined
          ? Math.min(
              (await latestYearWithData(db)) ?? new Date().getUTCFullYear(),
              // As at a date, the latest year that date can see.
              asAt ? Number(asAt.slice(0, 4)) : Number.POSITIVE_INFINITY,
            )
          : Number(params.year);
      if (!Number.isInteger(year) || year < 1900 || year > 2200) {
        throw new Problem(
          'validation.format',
          { field: 'year', value: String(params.year), format: 'YYYY' },
          { pointer: '/year' },
        );
      }
    }
    const from = params.from ?? (year !== undefined ? `${year}-01-01` : `${params.to!.slice(0, 4)}-01-01`);
    const to = params.to ?? (year !== undefined ? `${year}-12-31` : `${params.from!.slice(0, 4)}-12-31`);
    if (from > to) throw new Problem('validation.period', { from, to }, { pointer: '/from' });
    const figures = await summary(db, { from, to }, { ...scope, asAt });
    return { ...(year !== undefined ? { year } : {}), ...(asAt ? { asAt } : {}), ...figures };
  }
}
