import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Schema } from './connect.ts';

/**
 * PostgreSQL's COPY for bulk writes (imports): rows streamed in COPY's text format on the very
 * connection that holds the caller's transaction, so what is copied commits or rolls back with
 * everything else the transaction does. Kysely does not hand out its pool's clients, so the
 * connection is found by its server process id: the pool's clients are registered here as they
 * connect (connect.ts), and `copyClient` asks the transaction for `pg_backend_pid()`.
 * PGlite has no COPY FROM STDIN over this interface: there `copyClient` answers null and callers
 * take their multi-row INSERT path.
 */

const clients = new Map<number, pg.PoolClient>();
const known = new WeakMap<object, pg.PoolClient | null>();

/** Registers the clients of a PostgreSQL pool so that a transaction's client can be found for COPY. */
export function trackCopyClients(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (pid) clients.set(pid, client as pg.PoolClient);
  });
  pool.on('remove', (client) => {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (pid && clients.get(pid) === client) clients.delete(pid);
  });
}

/**
 * The pg client behind transaction `trx`, or null (PGlite, or not a transaction). Use it only
 * between the transaction's own statements, never while another of them is running.
 */
export async function copyClient(trx: Kysely<Schema>): Promise<pg.PoolClient | null> {
  if (!trx.isTransaction || clients.size === 0) return null;
  if (known.has(trx)) return known.get(trx) ?? null;
  const r = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
  const client = clients.get(Number(r.rows[0]?.pid)) ?? null;
  known.set(trx, client);
  return client;
}

/** Streams `lines` (each a row in COPY's text format, ending in a newline) into `table`'s `columns`. */
export async function copyLines(
  client: pg.PoolClient,
  table: string,
  columns: string[],
  lines: Iterable<string>,
): Promise<void> {
  const quoted = columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ');
  const stream = client.query(copyFrom(`COPY "${table.replaceAll('"', '""')}" (${quoted}) FROM STDIN`));
  // Lines are grouped into chunks of about 64 KiB: one write per row would cost more than the row.
  function* chunks() {
    let chunk = '';
    for (const line of lines) {
      chunk += line;
      if (chunk.length >= 65_536) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(chunks()), stream);
}

const ESCAPE = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value in COPY's text format: `\N` for null, text escaped, JSON for objects and lists
 * (jsonb columns). Geometry is given as EWKT by the caller (`ewkt`).
 * Example: `copyValue('a\tb')` → `a\\tb`; `copyValue(['x'])` → `["x"]`.
 */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return v.replace(ESCAPE, (c) => ESCAPES[c]!);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v).toLowerCase();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return JSON.stringify(v).replace(ESCAPE, (c) => ESCAPES[c]!);
}

type Geometry = { type: string; coordinates?: unknown; geometries?: Geometry[] };

/**
 * A GeoJSON geometry as EWKT in WGS 84, with every coordinate exactly as JavaScript holds it
 * (`String(number)` round-trips), Z kept when present.
 * Example: `ewkt({ type: 'Point', coordinates: [44.5, 40.1] })` → `SRID=4326;POINT(44.5 40.1)`.
 */
export function ewkt(g: Geometry): string {
  return `SRID=4326;${wkt(g)}`;
}

function wkt(g: Geometry): string {
  const pos = (p: number[]) => p.join(' ');
  const line = (ps: number[][]) => `(${ps.map(pos).join(',')})`;
  const poly = (rs: number[][][]) => `(${rs.map(line).join(',')})`;
  const c = g.coordinates as never;
  const z = hasZ(g) ? ' Z' : '';
  switch (g.type) {
    case 'Point':
      return (c as number[]).length ? `POINT${z}(${pos(c)})` : 'POINT EMPTY';
    case 'LineString':
      return `LINESTRING${z}${line(c)}`;
    case 'Polygon':
      return `POLYGON${z}${poly(c)}`;
    case 'MultiPoint':
      return `MULTIPOINT${z}(${(c as number[][]).map((p) => `(${pos(p)})`).join(',')})`;
    case 'MultiLineString':
      return `MULTILINESTRING${z}(${(c as number[][][]).map(line).join(',')})`;
    case 'MultiPolygon':
      return `MULTIPOLYGON${z}(${(c as number[][][][]).map(poly).join(',')})`;
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION(${(g.geometries ?? []).map(wkt).join(',')})`;
    default:
      throw new Error(`cannot write ${g.type} as WKT`);
  }
}

function hasZ(g: Geometry): boolean {
  let c = g.coordinates as unknown;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && c.length === 3;
}
