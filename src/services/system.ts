import type { Database } from '../db/connect.ts';
import { migrationLevel } from '../db/repositories/migrations.ts';
import { latestYearWithData, type StatsScope, summary } from '../db/repositories/stats.ts';
import { Problem } from '../domain/problem.ts';
import { VERSION } from '../version.ts';
import { type Actor, assertCan } from './actor.ts';
import { verifyAudit } from './audit.ts';

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
   * Headline figures for a year (by default the latest year with data): open hazard area, land
   * released by outcome, devices found, casualties; in an admin area and for an organisation
   * when asked. Counts only, for every signed-in role.
   */
  async summary(actor: Actor, yearParam?: string, scope: StatsScope = {}) {
    assertCan(actor, 'record.read');
    const year =
      yearParam === undefined
        ? ((await latestYearWithData(this.database.db)) ?? new Date().getUTCFullYear())
        : Number(yearParam);
    if (!Number.isInteger(year) || year < 1900 || year > 2200) {
      throw new Problem(
        'validation.format',
        { field: 'year', value: String(yearParam), format: 'YYYY' },
        { pointer: '/year' },
      );
    }
    return summary(this.database.db, year, scope);
  }
}
