import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { testDataDir } from './helpers/db.ts';

/**
 * The CLI beside a running server on the embedded database: `user create` is carried out by the
 * server (one process per data folder), other commands refuse with a clear message.
 */
const bin = new URL('../../bin/safeground.js', import.meta.url).pathname;
const dataDir = testDataDir();
let server: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function cli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, SAFEGROUND_DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 240_000,
  });
}

const officer = { email: 'officer@example.org', password: 'Str0ng-passphrase' };
/** `safeground user create` for the one officer these tests sign in as. */
function createOfficer(role: string) {
  return cli(['user', 'create', '--email', officer.email, '--password', officer.password, '--role', role]);
}

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('the CLI beside a running server on the embedded database', () => {
  it('creates a user through the server, who can then sign in; other commands say the folder is in use', {
    timeout: 600_000,
  }, async () => {
    const port = await freePort();
    server = spawn(process.execPath, [bin, 'serve', '--no-web-build'], {
      env: {
        ...process.env,
        SAFEGROUND_DATA_DIR: dataDir,
        DATABASE_URL: '',
        PORT: String(port),
        HOST: '127.0.0.1',
        SAFEGROUND_DEMO: '0',
      },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`${base}/api/v1/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const created = createOfficer('approver');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain('officer@example.org');
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(officer),
    });
    expect(login.status).toBe(200);
    expect((await login.json()).user.role).toBe('approver');

    const again = createOfficer('viewer');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('auth.email_taken');

    const migrate = cli(['migrate']);
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toContain('cli.database_in_use');
  });
});
