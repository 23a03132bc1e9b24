// Starts an import's worker thread (import-worker.ts) through tsx, as bin/safeground.js starts
// the process: the thread runs the TypeScript sources however the process itself was started.
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
