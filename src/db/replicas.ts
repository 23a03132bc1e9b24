import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type KyselyPlugin,
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import type { DB } from './schema.ts';

/**
 * Reads that may lag, sent to PostgreSQL streaming replicas (DATABASE_READ_URL): the one place
 * where a read's database is chosen. `reader(session)` answers a replica, in turn among those
 * that are up and not lagging beyond `maxLagMs`, that has replayed the session's last write;
 * otherwise the primary. So nothing fails when a replica is down, lags or is paused, and a user
 * always reads what they wrote (read-your-writes by WAL position: `wrote(session)` remembers
 * the primary's `pg_current_wal_lsn()` after the session's write; a replica serves the session
 * again once its `pg_last_wal_replay_lsn()` has reached it).
 *
 * Why the WAL position and not a sticky window: a window long enough for the worst lag sends
 * every read after a write to the primary for that long, and a lag longer than the window shows
 * a user the world without their write; the position is exact both ways and costs one
 * `select pg_current_wal_lsn()` per write request.
 *
 * A read sent to a replica that fails for the connection's sake (the replica went down since
 * the last check, or cancelled the query in a conflict with recovery) is run again on the
 * primary, and the replica is left out until a check finds it up again.
 */
export interface ReplicaOptions {
  /** How often each replica's replay position (and the primary's WAL position) is checked. */
  checkEveryMs: number;
  /** A replica that has not yet replayed what the primary had this long ago is not read from. */
  maxLagMs: number;
  /** How long a connection to a replica may take before the read goes to the primary. */
  connectTimeoutMs: number;
}

export const DEFAULT_REPLICA_OPTIONS: ReplicaOptions = {
  checkEveryMs: 1000,
  maxLagMs: 10_000,
  connectTimeoutMs: 2000,
};

/** What a replica looks like to the router (tests and logs read it). */
export interface ReplicaStatus {
  /** The replica's URL, its password hidden. */
  url: string;
  /** Answered the last check as a server in recovery with a replay position. */
  up: boolean;
  /** Behind the primary by more than the bound at the last check. */
  lagging: boolean;
  /** Its replay position at the last check (`0/0` before the first). */
  replayLsn: string;
  /** Reads sent to it so far. */
  reads: number;
  /** Reads sent to it that ran on the primary instead (the replica failed them). */
  fellBack: number;
}

interface Replica {
  url: string;
  pool: pg.Pool;
  db: Kysely<DB>;
  up: boolean;
  lagging: boolean;
  replayLsn: bigint;
  reads: number;
  fellBack: number;
}

/** Sessions whose last write is remembered at most (the oldest are forgotten first). */
const MAX_SESSIONS = 100_000;

/** A WAL position (`16/B374D848`) as a number that compares. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text.trim());
  if (!m) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * A failure that says the replica (or the connection to it) is gone or cannot serve the query
 * now, rather than that the query is wrong: such a read is run again on the primary.
 */
export function isReplicaFault(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(code))
      return true;
    // connection exceptions; administrator shutdown, crash shutdown, cannot connect now
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    // "canceling statement due to conflict with recovery"
    if (code === '40001' && /recovery/i.test(err.message)) return true;
    return false;
  }
  return /Connection terminated|timeout exceeded when trying to connect|connection error|not queryable/i.test(
    err.message,
  );
}

export class ReadReplicas {
  readonly #primary: Kysely<DB>;
  readonly #primaryPool: pg.Pool;
  readonly #replicas: Replica[];
  readonly #options: ReplicaOptions;
  /** The primary's WAL position after each session's last write. */
  readonly #lastWrite = new Map<string, bigint>();
  /** The primary's WAL position at each check, oldest first (enough of them to span the bound). */
  #samples: Array<{ atMs: number; lsn: bigint }> = [];
  #next = 0;
  #checking: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * `primary`/`primaryPool`: the primary's Kysely and pool; `replicas`: a pool per replica (made
   * with the same type parsers), `redacted`: its URL for status and logs.
   */
  constructor(opts: {
    primary: Kysely<DB>;
    primaryPool: pg.Pool;
    replicas: Array<{ url: string; pool: pg.Pool }>;
    plugins: KyselyPlugin[];
    options?: Partial<ReplicaOptions>;
  }) {
    this.#primary = opts.primary;
    this.#primaryPool = opts.primaryPool;
    this.#options = { ...DEFAULT_REPLICA_OPTIONS, ...opts.options };
    const primaryDriver = new PostgresDriver({ pool: opts.primaryPool });
    this.#replicas = opts.replicas.map(({ url, pool }) => {
      pool.on('error', () => {
        // An idle connection to the replica was lost (the replica stopped): the next check says so.
      });
      const replica: Replica = {
        url,
        pool,
        db: undefined as unknown as Kysely<DB>,
        up: false,
        lagging: false,
        replayLsn: 0n,
        reads: 0,
        fellBack: 0,
      };
      const driver = new FallbackDriver(new PostgresDriver({ pool }), primaryDriver, () => {
        replica.up = false;
        replica.fellBack++;
      });
      replica.db = new Kysely<DB>({
        dialect: {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => driver,
          createIntrospector: (k) => new PostgresIntrospector(k),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        },
        plugins: opts.plugins,
      });
      return replica;
    });
    if (this.#replicas.length > 0) {
      void this.check();
      this.#timer = setInterval(() => void this.check(), this.#options.checkEveryMs);
      this.#timer.unref();
    }
  }

  /**
   * The database a read that may lag goes to, for `session` (a user id; none for anonymous and
   * public reads): a replica in turn that is up, within the lag bound and has replayed the
   * session's last write, else the primary. Until the first check has answered, the primary.
   */
  reader(session?: string | null): Kysely<DB> {
    const n = this.#replicas.length;
    if (n === 0) return this.#primary;
    const need = session ? this.#lastWrite.get(session) : undefined;
    for (let i = 0; i < n; i++) {
      const replica = this.#replicas[(this.#next + i) % n]!;
      if (!replica.up || replica.lagging) continue;
      if (need !== undefined && replica.replayLsn < need) continue;
      this.#next = (this.#next + i + 1) % n;
      replica.reads++;
      return replica.db;
    }
    return this.#primary;
  }

  /** Remembers the primary's WAL position now as `session`'s last write (call after the commit). */
  async wrote(session: string | null | undefined): Promise<void> {
    if (!session || this.#replicas.length === 0 || this.#closed) return;
    const lsn = await this.#primaryLsn();
    this.#lastWrite.delete(session);
    this.#lastWrite.set(session, lsn);
    if (this.#lastWrite.size > MAX_SESSIONS) {
      const oldest = this.#lastWrite.keys().next().value;
      if (oldest !== undefined) this.#lastWrite.delete(oldest);
    }
  }

  /** Each replica as the last check saw it. */
  status(): ReplicaStatus[] {
    return this.#replicas.map((r) => ({
      url: r.url,
      up: r.up,
      lagging: r.lagging,
      replayLsn: formatLsn(r.replayLsn),
      reads: r.reads,
      fellBack: r.fellBack,
    }));
  }

  /**
   * Asks the primary for its WAL position and every replica for its replay position (at most one
   * check at a time; the timer calls it every `checkEveryMs`, tests call it to see a change now).
   */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #check(): Promise<void> {
    if (this.#closed) return;
    const now = Date.now();
    try {
      this.#samples.push({ atMs: now, lsn: await this.#primaryLsn() });
    } catch {
      // The primary is not answering: reads go to it anyway and fail or not as writes do.
    }
    // The position the primary had `maxLagMs` ago: a replica not yet there lags beyond the bound.
    const cutoff = now - this.#options.maxLagMs;
    while (this.#samples.length > 1 && this.#samples[1]!.atMs <= cutoff) this.#samples.shift();
    const old = this.#samples[0];
    const bound = old && old.atMs <= cutoff ? old.lsn : 0n;
    await Promise.all(
      this.#replicas.map(async (replica) => {
        try {
          const { rows } = await replica.pool.query<{ in_recovery: boolean; lsn: string | null }>(
            'select pg_is_in_recovery() as in_recovery, pg_last_wal_replay_lsn()::text as lsn',
          );
          const row = rows[0];
          replica.up = Boolean(row?.in_recovery && row.lsn);
          replica.replayLsn = row?.lsn ? parseLsn(row.lsn) : 0n;
          replica.lagging = replica.replayLsn < bound;
        } catch {
          replica.up = false;
        }
      }),
    );
    // A session whose write every replica has replayed needs remembering no more.
    const behind = this.#replicas.filter((r) => r.up).map((r) => r.replayLsn);
    if (behind.length === this.#replicas.length) {
      let least = behind[0] ?? 0n;
      for (const lsn of behind) if (lsn < least) least = lsn;
      for (const [session, lsn] of this.#lastWrite) if (lsn <= least) this.#lastWrite.delete(session);
    }
  }

  async #primaryLsn(): Promise<bigint> {
    const { rows } = await this.#primaryPool.query<{ lsn: string }>(
      'select pg_current_wal_lsn()::text as lsn',
    );
    return parseLsn(rows[0]!.lsn);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#checking;
    await Promise.all(this.#replicas.map((r) => r.db.destroy()));
  }
}

/** A connection as PostgresDriver hands it out (its type is not exported). */
type PgConnection = Parameters<PostgresDriver['releaseConnection']>[0];

/** A connection to a replica, or (when the replica failed it) to the primary. */
interface RoutedConnection extends DatabaseConnection {
  inner: PgConnection;
  onPrimary: boolean;
  inTransaction: boolean;
}

/**
 * The driver of a replica's Kysely: connections come from the replica's pool; when the replica
 * cannot give one, or fails a statement outside a transaction for the connection's sake, the
 * statement runs on the primary instead (nothing fails because a replica went away).
 */
class FallbackDriver implements Driver {
  constructor(
    private readonly replica: PostgresDriver,
    private readonly primary: PostgresDriver,
    private readonly onFault: () => void,
  ) {}

  async init(): Promise<void> {
    await this.replica.init();
    await this.primary.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return this.#routed((await this.replica.acquireConnection()) as PgConnection, false);
    } catch (err) {
      if (!isReplicaFault(err)) throw err;
      this.onFault();
      return this.#routed((await this.primary.acquireConnection()) as PgConnection, true);
    }
  }

  #routed(inner: PgConnection, onPrimary: boolean): RoutedConnection {
    const driver = this;
    const conn: RoutedConnection = {
      inner,
      onPrimary,
      inTransaction: false,
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        try {
          return await conn.inner.executeQuery<R>(compiled);
        } catch (err) {
          if (conn.onPrimary || conn.inTransaction || !isReplicaFault(err)) throw err;
          driver.onFault();
          // This connection is broken: give it back and go on with one to the primary.
          await driver.replica.releaseConnection(conn.inner).catch(() => undefined);
          conn.inner = (await driver.primary.acquireConnection()) as PgConnection;
          conn.onPrimary = true;
          return conn.inner.executeQuery<R>(compiled);
        }
      },
      streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
        return conn.inner.streamQuery<R>(compiled, chunkSize as number);
      },
    };
    return conn;
  }

  #driverOf(conn: DatabaseConnection): { driver: PostgresDriver; inner: PgConnection } {
    const routed = conn as RoutedConnection;
    return { driver: routed.onPrimary ? this.primary : this.replica, inner: routed.inner };
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const { driver, inner } = this.#driverOf(conn);
    await driver.beginTransaction(inner, settings);
    (conn as RoutedConnection).inTransaction = true;
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    const { driver, inner } = this.#driverOf(conn);
    (conn as RoutedConnection).inTransaction = false;
    await driver.commitTransaction(inner);
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    const { driver, inner } = this.#driverOf(conn);
    (conn as RoutedConnection).inTransaction = false;
    await driver.rollbackTransaction(inner);
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const { driver, inner } = this.#driverOf(conn);
    await driver.releaseConnection(inner);
  }

  async destroy(): Promise<void> {
    // The primary's pool belongs to the primary's Kysely, which ends it.
    await this.replica.destroy();
  }
}
