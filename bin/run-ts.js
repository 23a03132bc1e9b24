#!/usr/bin/env node
import { resolve } from 'node:path';
// Runs a TypeScript file (benchmarks, scripts) through tsx: node bin/run-ts.js FILE.ts [args]
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const file = process.argv[2];
if (!file) {
  console.error('usage: node bin/run-ts.js FILE.ts [args]');
  process.exit(2);
}
process.argv.splice(1, 1);
await import(pathToFileURL(resolve(file)).href);
