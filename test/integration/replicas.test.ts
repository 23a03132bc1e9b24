import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '../../src/db/connect.ts';
import type { ReplicaOptions } from '../../src/db/replicas.ts';
import { buildServer } from '../../src/http/server.ts';
import { createUser } from '../../src/services/auth.ts';
import { testDatabaseUrl, testKeyFile, unique } from './helpers/db.ts';
import { square } from './helpers/geometry.ts';
import { databaseUrl } from './helpers/template.ts';

/**
 * Reads that may lag go to PostgreSQL streaming replicas (DATABASE_READ_URL, src/db/replicas.ts).
 * Needs a primary and a replica of it: TEST_DATABASE_URL names the primary and
 * TEST_DATABASE_READ_URL its replica, as `scripts/start-replica.sh --export` prints them; this
 * file's database, made on the primary, reaches the replica by replication. The test pauses and
 * resumes the replica's replay and stops and starts the replica through that script.
 */
const primaryServer = process.env.TEST_DATABASE_URL;
const replicaServer = process.env.TEST_DATABASE_READ_URL;
const run = primaryServer && replicaServer ? describe : describe.skip;
const script = resolve(import.meta.dirname, '../../scripts/start-replica.sh');

run('read replicas', () => {
  let primaryUrl: string;
  let replicaUrl: string;
  const opened: Array<{ database: Database; app: FastifyInstance }> = [];
  let writer: Record<string, string>;
  let reader: Record<string, string>;

  /** A server on this file's database with the replicas `readUrls` (each its own app and pools). */
  async function server(readUrls: string[], options: Partial<ReplicaOptions>) {
    const database = await connect({ url: primaryUrl, readUrls, replicaOptions: options });
    const app = await buildServer({ database, settings: { keyFile: testKeyFile() } });
    await app.ready();
    opened.push({ database, app });
    await database.checkReplicas();
    return { database, app };
  }

  /** Runs one statement on the replica itself (pausing and resuming its replay). */
  async function onReplica(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: replicaUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  async function signIn(app: FastifyInstance, database: Database, role: 'approver' | 'viewer') {
    const email = `${unique(role)}@test.safeground.org`;
    await createUser(database, { email, password: 'Test-password-1', role });
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'Test-password-1' },
    });
    expect(r.statusCode, r.body).toBe(200);
    return { authorization: `Bearer ${r.json().token as string}` };
  }

  async function createHazard(app: FastifyInstance, name: string): Promise<string> {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/hazards',
      headers: writer,
      payload: { type: 'Feature', geometry: square(30.1, 50.1, 0.01), properties: { type: 'SHA', name } },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as string;
  }

  /** The names a list of hazards named `name` shows `headers`' user (REST list and OGC API items). */
  async function seen(app: FastifyInstance, headers: Record<string, string>, name: string) {
    const q = encodeURIComponent(name);
    const list = await app.inject({ method: 'GET', url: `/api/v1/hazards?q=${q}`, headers });
    expect(list.statusCode, list.body).toBe(200);
    const ogc = await app.inject({ method: 'GET', url: `/ogc/collections/hazards/items?q=${q}`, headers });
    expect(ogc.statusCode, ogc.body).toBe(200);
    return {
      list: list.json().features.length as number,
      ogc: ogc.json().numberMatched as number,
    };
  }

  async function until(what: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    primaryUrl = await testDatabaseUrl();
    const name = new URL(primaryUrl).pathname.slice(1);
    replicaUrl = databaseUrl(replicaServer!, name);
    // The new database reaches the replica once the replica has replayed its creation.
    await until(async () => {
      try {
        await onReplica('select 1');
        return true;
      } catch {
        return false;
      }
    });
    const { app, database } = await server([replicaUrl], { checkEveryMs: 100, maxLagMs: 600_000 });
    writer = await signIn(app, database, 'approver');
    reader = await signIn(app, database, 'viewer');
  }, 120_000);

  afterAll(async () => {
    await onReplica('select pg_wal_replay_resume()').catch(() => undefined);
    for (const { app, database } of opened) {
      await app.close();
      await database.close();
    }
  });

  it('sends lists and OGC API items to the replica once it has caught up', async () => {
    const { app, database } = opened[0]!;
    const name = unique('caught-up-');
    await createHazard(app, name);
    await until(async () => (await seen(app, reader, name)).list === 1);
    const before = database.replicas()[0]!.reads;
    expect(await seen(app, reader, name)).toEqual({ list: 1, ogc: 1 });
    expect(database.replicas()[0]).toMatchObject({ up: true, lagging: false });
    expect(database.replicas()[0]!.reads).toBeGreaterThanOrEqual(before + 2);
  });

  it('keeps a user who wrote on the primary while the replica lags; others read the replica', async () => {
    const { app, database } = opened[0]!;
    await onReplica('select pg_wal_replay_pause()');
    await database.checkReplicas();
    const name = unique('paused-');
    const id = await createHazard(app, name);
    // The writer sees the write at once, in lists, OGC API items and the record itself.
    expect(await seen(app, writer, name)).toEqual({ list: 1, ogc: 1 });
    const record = await app.inject({ method: 'GET', url: `/api/v1/hazards/${id}`, headers: writer });
    expect(record.statusCode).toBe(200);
    // Another user reads the paused replica, which has not replayed it (and is within the bound).
    const readsBefore = database.replicas()[0]!.reads;
    expect(await seen(app, reader, name)).toEqual({ list: 0, ogc: 0 });
    expect(database.replicas()[0]!.reads).toBeGreaterThanOrEqual(readsBefore + 2);
    // The dashboard's figures and the tiles answer from the replica too, without failing.
    const stats = await app.inject({ method: 'GET', url: '/api/v1/stats/summary', headers: reader });
    expect(stats.statusCode, stats.body).toBe(200);
    // (hazard-points, clusters at zoom 5: the hazards layer leaves out hazards as small as these there)
    const tile = await app.inject({
      method: 'GET',
      url: '/tiles/hazard-points/5/18/10.mvt',
      headers: reader,
    });
    expect(tile.statusCode, tile.body).toBe(200);
    // Replay resumed, the replica catches up and shows it to everyone.
    await onReplica('select pg_wal_replay_resume()');
    await until(async () => (await seen(app, reader, name)).list === 1);
    expect(await seen(app, reader, name)).toEqual({ list: 1, ogc: 1 });
  });

  it('leaves a replica that lags beyond the bound out: every read goes to the primary', async () => {
    const { app, database } = await server([replicaUrl], { checkEveryMs: 50, maxLagMs: 300 });
    await onReplica('select pg_wal_replay_pause()');
    const name = unique('lagging-');
    await createHazard(app, name);
    await until(async () => {
      await database.checkReplicas();
      return database.replicas()[0]!.lagging;
    });
    const reads = database.replicas()[0]!.reads;
    // The reader has written nothing, yet sees the write: the replica is too far behind to ask.
    expect(await seen(app, reader, name)).toEqual({ list: 1, ogc: 1 });
    expect(database.replicas()[0]!.reads).toBe(reads);
    await onReplica('select pg_wal_replay_resume()');
    await until(async () => {
      await database.checkReplicas();
      return !database.replicas()[0]!.lagging;
    });
  });

  it('falls back to the primary when a replica is down, and nothing fails', async () => {
    // A replica that is not there at all (nothing listens on port 1) beside the real one.
    const dead = new URL(replicaUrl);
    dead.port = '1';
    const { app, database } = await server([dead.toString(), replicaUrl], {
      checkEveryMs: 600_000,
      maxLagMs: 600_000,
      connectTimeoutMs: 1000,
    });
    expect(database.replicas().map((r) => r.up)).toEqual([false, true]);
    const name = unique('down-');
    await createHazard(app, name);
    await until(async () => (await seen(app, reader, name)).list === 1);
    for (let i = 0; i < 4; i++) expect(await seen(app, reader, name)).toEqual({ list: 1, ogc: 1 });
    expect(database.replicas()[0]!.reads).toBe(0);

    // The real replica stops after the last check found it up: the reads sent to it fail over.
    await promisify(execFile)('bash', [script, 'stop-replica']);
    try {
      for (let i = 0; i < 4; i++) expect(await seen(app, reader, name)).toEqual({ list: 1, ogc: 1 });
      expect(database.replicas()[1]!.fellBack).toBeGreaterThan(0);
      await database.checkReplicas();
      expect(database.replicas()[1]!.up).toBe(false);
      expect(await seen(app, reader, name)).toEqual({ list: 1, ogc: 1 });
    } finally {
      await promisify(execFile)('bash', [script, 'start']);
    }
    await until(async () => {
      await database.checkReplicas();
      return database.replicas()[1]!.up;
    });
  }, 120_000);
});
