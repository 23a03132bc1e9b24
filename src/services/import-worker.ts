import { parentPort } from 'node:worker_threads';
import { isProblem } from '../domain/problem.ts';
import { registerBySlug } from '../domain/records.ts';
import { checkedRows, rowToWire, toWire, type WorkerJob } from './import-check.ts';

/**
 * An import's worker thread (kept by ImportWorkers in import-check.ts): for each job it is given,
 * reads and checks the file's rows away from the thread the server and PGlite run in, and sends
 * them CHUNK_ROWS at a time, with the reading's progress and notices in between, in the file's
 * order, then `end` (or `error`). It reads ahead of the importer by at most `ahead` chunks, so
 * memory stays bounded whatever the file's size. One job at a time; the thread then waits for
 * the next.
 */
const port = parentPort!;
let sent = 0;
let taken = 0;
let wake: (() => void) | null = null;

port.on('message', (m: { type: 'job'; job: WorkerJob } | { type: 'taken' }) => {
  if (m.type === 'taken') {
    taken++;
    wake?.();
    wake = null;
  } else void run(m.job);
});

async function run(job: WorkerJob): Promise<void> {
  [sent, taken] = [0, 0];
  const ahead = job.ahead ?? 4;
  try {
    const rows = checkedRows(registerBySlug(job.register)!, job.file, {
      ...job,
      onProgress: (progress) => port.postMessage({ type: 'progress', progress }),
      onWarning: (p) => port.postMessage({ type: 'warning', problem: toWire(p) }),
    });
    for await (const chunk of rows) {
      port.postMessage({ type: 'rows', rows: chunk.map(rowToWire) });
      sent++;
      while (sent - taken >= ahead) await new Promise<void>((resume) => (wake = resume));
    }
    port.postMessage({ type: 'end' });
  } catch (err) {
    port.postMessage({
      type: 'error',
      problem: isProblem(err) ? toWire(err) : undefined,
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
}

port.postMessage({ type: 'ready' });
