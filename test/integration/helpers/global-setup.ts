import type { TestProject } from 'vitest/node';
import { makeTemplate, removeTemplate } from './template.ts';

/**
 * Once per run of the integration project: migrates the template database that each test file
 * gets a copy of (test/integration/helpers/db.ts), and removes it when the run ends.
 */
export default async function setup(project: TestProject) {
  const template = await makeTemplate(process.env.TEST_DATABASE_URL || undefined);
  project.provide('testTemplate', template);
  return () => removeTemplate(template);
}
