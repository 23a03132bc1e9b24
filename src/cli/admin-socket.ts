import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createServer, request, type ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Settings } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { createUser } from '../services/auth.ts';
import { existingKeyring, writeBackup } from '../services/backup.ts';

/**
 * The embedded database is one process: while `serve` runs, no other process may open its data
 * folder. So the server listens on a Unix socket beside the data folder, `<data dir>-admin.sock`
 * (mode 0600: only the user who runs it), and CLI commands that must work beside a running server
 * (`user create`, `backup`) are carried out by the server through it; the others say the folder
 * is in use. Beside, not inside: a backup copies the data folder, and a socket is no file to copy.
 */
export function adminSocketPath(settings: Settings): string {
  return `${settings.dataDir}-admin.sock`;
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
      if (req.method === 'POST' && req.url === '/backup') {
        await backupThroughSocket(database, settings, body, res);
        return;
      }
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

/**
 * `safeground backup` beside the running server: the server writes the archive through its open
 * database and answers with one JSON line per percent of progress, then the manifest (or the
 * problem) as the last line.
 */
async function backupThroughSocket(
  database: Database,
  settings: Settings,
  body: string,
  res: ServerResponse,
) {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
  let lastPercent = -1;
  try {
    const { out } = JSON.parse(body) as { out: string };
    const manifest = await writeBackup(database, settings, {
      out,
      keyring: existingKeyring(settings.secret, settings.keyFile),
      onProgress: (done, total, label) => {
        const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
        if (percent === lastPercent) return;
        lastPercent = percent;
        line({ progress: { done, total, label } });
      },
    });
    line({ manifest });
  } catch (err) {
    if (!isProblem(err)) console.error(err);
    line({
      problem: isProblem(err)
        ? { code: err.code, params: err.params, where: err.where }
        : { code: 'server.internal', params: {} },
    });
  }
  res.end();
}

/** Asks the running server for a backup; `onProgress` follows it, the manifest is the answer. */
export function askServerForBackup(
  settings: Settings,
  out: string,
  onProgress: (done: number, total: number, label: string) => void,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: adminSocketPath(settings),
        path: '/backup',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let pending = '';
        let answered = false;
        const take = (text: string) => {
          if (!text.trim()) return;
          const value = JSON.parse(text) as {
            progress?: { done: number; total: number; label: string };
            manifest?: Record<string, unknown>;
            problem?: { code: string; params: Record<string, string>; where?: object };
          };
          if (value.progress) onProgress(value.progress.done, value.progress.total, value.progress.label);
          if (value.manifest) {
            answered = true;
            resolve(value.manifest);
          }
          if (value.problem) {
            answered = true;
            reject(new Problem(value.problem.code, value.problem.params, value.problem.where));
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            take(pending.slice(0, newline));
            pending = pending.slice(newline + 1);
            newline = pending.indexOf('\n');
          }
        });
        res.on('end', () => {
          take(pending);
          if (!answered) reject(new Problem('server.internal', {}));
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ out }));
  });
}
