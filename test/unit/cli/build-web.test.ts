import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourcePaths } from '../../../src/cli/build-web.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('the web build', () => {
  it('counts as stale when any server folder the web application imports changes', () => {
    const imported = new Set<string>();
    for (const file of files(join(repoRoot, 'web', 'src'))) {
      if (!/\.tsx?$/.test(file)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/from '((?:\.\.\/)+src\/[a-z-]+)\//g))
        imported.add(relative(repoRoot, join(file, '..', m[1]!)));
    }
    expect(imported).toContain('src/geo');
    const watched = sourcePaths().map((p) => relative(repoRoot, p));
    for (const folder of imported) expect(watched).toContain(folder);
  });
});
