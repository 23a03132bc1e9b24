import { afterAll } from 'vitest';
import { closeTestDatabases } from './db.ts';

// Runs before every integration test file: its databases, application and folders go when it ends.
afterAll(closeTestDatabases);
