/**
 * Times `safeground serve` the way a user starts it, and where a start's time goes.
 *
 *   node bin/run-ts.js scripts/measure-start.ts [data folder] [--no-web-build]
 *
 * Starts the server on a free port with SAFEGROUND_DATA_DIR set to the folder (a new temporary
 * one when none is given: a first start, with the demo), polls /api/v1/health every 100 ms and
 * prints the seconds to the first answer and to `status: ok`, what it answered meanwhile and the
 * longest gap between two answers (the server holding its event loop), then stops the server. Run it twice
 * on the same folder for the second start. With the server stopped it then times the steps a
 * start takes on that folder, one by one: opening the database (PGlite: loading
 * the WebAssembly and the data folder), the migrations check, the web build check and the demo
 * check, and loading the program's modules in a process of its own. Prints the load average next
 * to every figure: the machine may be shared.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { webBuildIsStale } from '../src/cli/build-web.ts';
import { connect } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { isNewInstallation } from '../src/services/demo.ts';

const args = process.argv.slice(2);
const noWebBuild = args.includes('--no-web-build');
const dataDir = resolve(
  args.find((a) => !a.startsWith('--')) ?? join(mkdtempSync(join(tmpdir(), 'safeground-start-')), 'data'),
);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

const port = await freePort();
console.log(`data folder ${dataDir}, port ${port}, load average ${load()}`);
const started = performance.now();
const child = spawn(
  process.execPath,
  ['bin/safeground.js', 'serve', ...(noWebBuild ? ['--no-web-build'] : [])],
  {
    env: { ...process.env, SAFEGROUND_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let log = '';
child.stderr.on('data', (d: Buffer) => {
  log += d.toString();
});
let exited = false;
child.once('exit', () => {
  exited = true;
});
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
let first: string | undefined;
let ok: string | undefined;
// The longest time between two health answers after the first: how long the server held its
// event loop (opening the database, a long demo statement) while it should have been answering.
let lastAnswerMs: number | undefined;
let longestGapMs = 0;
const answers: Record<string, number> = {};
while (!exited && !ok && performance.now() - started < 600_000) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await r.json()) as { status: string; loading?: string };
    const now = performance.now();
    if (lastAnswerMs !== undefined) longestGapMs = Math.max(longestGapMs, now - lastAnswerMs);
    lastAnswerMs = now;
    const what = body.loading ? `${body.status} (${body.loading})` : body.status;
    answers[what] = (answers[what] ?? 0) + 1;
    if (!first) {
      first = seconds();
      console.log(`first health answer after ${first} s: ${body.status} (load ${load()})`);
    }
    if (body.status === 'ok') {
      ok = seconds();
      console.log(`health ok after ${ok} s (load ${load()})`);
    }
  } catch {
    // not listening yet
  }
  if (!ok) await new Promise((r) => setTimeout(r, 100));
}
console.log(
  `health answers: ${Object.entries(answers)
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ')}; longest gap between two answers ${(longestGapMs / 1000).toFixed(1)} s`,
);
child.kill('SIGTERM');
await new Promise((r) => (exited ? r(undefined) : child.once('exit', r)));
if (!ok) {
  console.log(`the server did not become ready; its log:\n${log}`);
  process.exit(1);
}

// The steps of a start, one by one, on the same folder (the server is stopped now).
const step = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
  const t = performance.now();
  const r = await work();
  console.log(`  ${name.padEnd(30)} ${((performance.now() - t) / 1000).toFixed(2)} s (load ${load()})`);
  return r;
};
console.log('steps of a start on this folder:');
// Loading the program's modules (TypeScript through tsx, Fastify, the catalogues), in a process
// of its own since this one has loaded them already.
await step('load the program (--version)', () => {
  const run = spawn(process.execPath, ['bin/safeground.js', '--version'], { stdio: 'ignore' });
  return new Promise((done) => run.once('exit', done));
});
const database = await step('open the database', () => connect({ dataDir }));
await step('migrations check', () => migrate(database));
await step('demo check', () => isNewInstallation(database));
await step('web build check', () => webBuildIsStale());
await step('close the database', () => database.close());
