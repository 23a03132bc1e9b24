import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import type { Settings } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { createUser } from '../services/auth.ts';

/**
 * The embedded database is one process: while `serve` runs, no other process may open its data
 * folder. So the server listens on a Unix socket in the data folder (mode 0600: only the user
 * who runs it), and CLI commands that must work beside a running server (`user create`) are
 * carried out by the server through it; the others say the folder is in use.
 */
export function adminSocketPath(settings: Settings): string {
  return join(settings.dataDir, 'safeground-admin.sock');
}

export function startAdminSocket(database: Database, settings: Settings): Promise<() => Promise<void>> {
  const path = adminSocketPath(settings);
  if (existsSync(path)) rmSync(path, { force: true });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      try {
        if (req.method !== 'POST' || req.url !== '/users') throw new Problem('route.not_found', {});
        const input = JSON.parse(body) as Parameters<typeof createUser>[1];
        const user = await createUser(database, input);
        send(201, { email: user.email, role: user.role });
      } catch (err) {
        if (isProblem(err)) send(400, { code: err.code, params: err.params, where: err.where });
        else send(500, { code: 'server.internal', params: {} });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      chmodSync(path, 0o600);
      resolve(
        () =>
          new Promise<void>((done) => {
            server.close(() => done());
            rmSync(path, { force: true });
          }),
      );
    });
  });
}

/** True when a running server holds the embedded database's folder (a stale socket is removed). */
export async function serverHoldsDataDir(settings: Settings): Promise<boolean> {
  if (settings.databaseUrl) return false;
  const path = adminSocketPath(settings);
  if (!existsSync(path)) return false;
  const alive = await new Promise<boolean>((resolve) => {
    const s = netConnect(path);
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (!alive) rmSync(path, { force: true });
  return alive;
}

/** Asks the running server to do `path` with `body`; a refusal comes back as the server's problem. */
export function askServer(settings: Settings, path: string, body: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: adminSocketPath(settings),
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          const value = JSON.parse(text || '{}') as Record<string, unknown>;
          if ((res.statusCode ?? 500) >= 400) {
            reject(
              new Problem(
                String(value.code ?? 'server.internal'),
                (value.params ?? {}) as Record<string, string>,
                value.where as object,
              ),
            );
          } else resolve(value);
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
