import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CamelCasePlugin,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import { trackCopyClients } from './copy.ts';
import {
  DEFAULT_REPLICA_OPTIONS,
  ReadReplicas,
  type ReplicaOptions,
  type ReplicaStatus,
} from './replicas.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgresql';

export type { DB } from './schema.ts';

/**
 * The typed database (src/db/schema.ts) under the name the repositories and services use for
 * `Kysely<Schema>`.
 */
export type Schema = DB;

export interface Database {
  kind: DatabaseKind;
  db: Kysely<DB>;
  /** Runs a multi-statement SQL script (migrations) outside the query builder. */
  execScript(sqlText: string): Promise<void>;
  /**
   * PGlite only: the data folder as a gzipped tarball, taken through the open instance. Call it
   * while holding the one connection (inside a transaction), so no write runs during the copy.
   */
  dumpDataDir?(): Promise<Blob>;
  /**
   * The database for a read that may lag (lists, tiles, OGC API, dashboards, outputs, public
   * pages) by `session` (the user's id; none for anonymous reads): a streaming replica
   * (DATABASE_READ_URL) that has replayed the session's last write, else the primary `db`. The
   * one place a read's database is chosen (src/db/replicas.ts); without replicas, `db`.
   */
  reader(session?: string | null): Kysely<DB>;
  /** Remembers that `session` has just written (after the commit), so its reads see it. */
  wrote(session: string | null | undefined): Promise<void>;
  /** The replicas as the last check saw them (none without DATABASE_READ_URL). */
  replicas(): ReplicaStatus[];
  /** Checks the replicas now (they are checked every second anyway). */
  checkReplicas(): Promise<void>;
  close(): Promise<void>;
}

// OIDs of types whose JS form we fix for both drivers: dates stay 'YYYY-MM-DD' strings,
// timestamps become ISO strings, int8/numeric become numbers (counts and areas fit).
const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;
const toIso = (v: string) =>
  new Date(v.includes('T') || v.endsWith('Z') ? v : `${v.replace(' ', 'T')}`).toISOString();
const parsers: Record<number, (v: string) => unknown> = {
  [OID.int8]: (v) => Number(v),
  [OID.numeric]: (v) => Number(v),
  [OID.date]: (v) => v,
  [OID.timestamptz]: (v) => new Date(v).toISOString(),
  [OID.timestamp]: toIso,
};

/**
 * Opens the database named by the settings: PostgreSQL when `url` is set (a pool of `pool`
 * connections, SAFEGROUND_DB_POOL, and as many to each replica of `readUrls`,
 * DATABASE_READ_URL), else PGlite in `dataDir`.
 */
export async function connect(opts: {
  url?: string;
  dataDir?: string;
  pool?: number;
  readUrls?: readonly string[];
  replicaOptions?: Partial<ReplicaOptions>;
}): Promise<Database> {
  if (opts.url) return connectPostgres(opts.url, opts.pool ?? 10, opts.readUrls ?? [], opts.replicaOptions);
  return connectPglite(opts.dataDir ?? './data');
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const p = parsers[oid];
    if (p && format !== 'binary') return p;
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Result columns to camelCase, nested objects kept as they are (Kysely's CamelCasePlugin), each
 * row made by one `for…in` loop: the plugin's own (`Object.keys`, `reduce`, a copy of every array
 * value) took a quarter more time on a list of 500 rows.
 */
class ColumnNames extends CamelCasePlugin {
  constructor() {
    super({ maintainNestedObjectKeys: true });
  }

  protected override mapRow(row: UnknownRow): UnknownRow {
    const out: UnknownRow = {};
    for (const k in row) out[this.camelCase(k)] = row[k];
    return out;
  }
}

async function connectPostgres(
  url: string,
  poolSize: number,
  readUrls: readonly string[],
  replicaOptions: Partial<ReplicaOptions> | undefined,
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  trackCopyClients(pool);
  const plugins = [new ColumnNames()];
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins });
  const replicas = new ReadReplicas({
    primary: db,
    primaryPool: pool,
    plugins,
    options: replicaOptions,
    replicas: readUrls.map((readUrl) => ({
      url: redactPassword(readUrl),
      pool: new pg.Pool({
        connectionString: readUrl,
        max: poolSize,
        types,
        connectionTimeoutMillis: replicaOptions?.connectTimeoutMs ?? DEFAULT_REPLICA_OPTIONS.connectTimeoutMs,
      }),
    })),
  });
  return {
    kind: 'postgresql',
    db,
    reader: (session) => replicas.reader(session),
    wrote: (session) => replicas.wrote(session),
    replicas: () => replicas.status(),
    checkReplicas: () => replicas.check(),
    async execScript(sqlText) {
      const client = await pool.connect();
      try {
        await client.query(sqlText);
      } finally {
        client.release();
      }
    },
    close: async () => {
      await replicas.close();
      await db.destroy();
    },
  };
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

async function connectPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { postgis } = await import('@electric-sql/pglite-postgis');
  const memory = dataDir === ':memory:' || dataDir.startsWith('memory://');
  if (!memory) mkdirSync(resolve(dataDir), { recursive: true });
  const pglite = await PGlite.create({
    dataDir: memory ? undefined : resolve(dataDir),
    extensions: { postgis },
    parsers,
  });
  const driver = new PgliteDriver(pglite);
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [new ColumnNames()],
  });
  return {
    kind: 'pglite',
    db,
    // One process, one connection: every read is on the one database.
    reader: () => db,
    wrote: async () => {},
    replicas: () => [],
    checkReplicas: async () => {},
    execScript: (sqlText) => driver.exclusive(() => pglite.exec(sqlText).then(() => undefined)),
    dumpDataDir: () => pglite.dumpDataDir('gzip'),
    close: async () => {
      await db.destroy();
    },
  };
}

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  close(): Promise<void>;
}

/**
 * PGlite is one connection in one process: every query and every transaction takes the one
 * connection in turn, so a transaction never interleaves with another request's statements.
 */
class PgliteDriver implements Driver {
  readonly #pglite: PgliteLike;
  #connection: DatabaseConnection;

  constructor(pglite: PgliteLike) {
    this.#pglite = pglite;
    this.#connection = {
      executeQuery: async <R>(compiled: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await this.#pglite.query<R>(compiled.sql, compiled.parameters as unknown[]);
        // PGlite runs in this thread and its answers arrive without an I/O event, so a chain of
        // statements (an import, the demo) would keep every other request waiting until it ends.
        // A turn of the event loop after each statement lets them in between.
        await new Promise<void>((turned) => setImmediate(turned));
        const affected = result.affectedRows;
        return {
          rows: result.rows,
          numAffectedRows: affected !== undefined ? BigInt(affected) : undefined,
        };
      },
      // biome-ignore lint/correctness/useYield: PGlite has no cursors; results come whole.
      streamQuery: async function* () {
        throw new Error('streaming queries are not supported on PGlite');
      },
    };
  }

  async init(): Promise<void> {}

  /** Takes the connection; resolves when every earlier holder has released it. */
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#take();
    return this.#connection;
  }

  #waiting: Array<() => void> = [];
  #busy = false;

  #take(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve();
    }
    return new Promise((resolveTake) => this.#waiting.push(resolveTake));
  }

  #give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  /** Runs `work` while holding the connection (for statements outside Kysely). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    await this.#take();
    try {
      return await work();
    } finally {
      this.#give();
    }
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery({ sql: 'begin', parameters: [], query: undefined } as unknown as CompiledQuery);
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery({ sql: 'commit', parameters: [], query: undefined } as unknown as CompiledQuery);
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery({
      sql: 'rollback',
      parameters: [],
      query: undefined,
    } as unknown as CompiledQuery);
  }
  async releaseConnection(): Promise<void> {
    this.#give();
  }
  async destroy(): Promise<void> {
    await this.#pglite.close();
  }
}

/** Runs `work` in a transaction, joining the one `db` already is, if it is one. */
export function withTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
