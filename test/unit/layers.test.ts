import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule of biome.json (noRestrictedImports per folder), run by `npm run lint`: HTTP code
 * never imports a repository (type-only imports included) and the CLI never imports src/http nor a
 * repository.
 * Each case writes a probe file into the folder, lints it and removes it.
 */
const root = join(import.meta.dirname, '..', '..');
const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');

function lint(folder: string, source: string): string[] {
  const file = join(root, folder, `layer-probe-${process.pid}-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  try {
    execFileSync(process.execPath, [biome, 'lint', '--reporter=json', file], {
      cwd: root,
      stdio: 'pipe',
    });
    return [];
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? '');
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { diagnostics: Array<{ category: string }> };
    return report.diagnostics.map((d) => d.category);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('layer rule', () => {
  it('refuses a repository import in src/http, even a type-only one', () => {
    expect(
      lint(
        'src/http/routes',
        "import { listUsers } from '../../db/repositories/users.ts';\nexport const f = listUsers;\n",
      ),
    ).toContain('lint/style/noRestrictedImports');
    expect(
      lint(
        'src/http',
        "import type { UserRow } from '../db/repositories/users.ts';\nexport type U = UserRow;\n",
      ),
    ).toContain('lint/style/noRestrictedImports');
  });

  it('refuses an import of src/http in src/cli', () => {
    expect(
      lint('src/cli', "import { buildApp } from '../http/app.ts';\nexport const f = buildApp;\n"),
    ).toContain('lint/style/noRestrictedImports');
  });

  it('refuses a repository import in src/cli, even a type-only one, and allows connect and migrate', () => {
    expect(
      lint(
        'src/cli',
        "import { isDatabaseEmpty } from '../db/repositories/demo.ts';\nexport const f = isDatabaseEmpty;\n",
      ),
    ).toContain('lint/style/noRestrictedImports');
    expect(
      lint(
        'src/cli',
        "import type { UserRow } from '../db/repositories/users.ts';\nexport type U = UserRow;\n",
      ),
    ).toContain('lint/style/noRestrictedImports');
    expect(
      lint(
        'src/cli',
        "import { connect } from '../db/connect.ts';\nimport { migrate } from '../db/migrate.ts';\nexport const f = [connect, migrate];\n",
      ),
    ).toEqual([]);
  });

  it('lets services import repositories and the CLI import services', () => {
    expect(
      lint(
        'src/services',
        "import { listUsers } from '../db/repositories/users.ts';\nexport const f = listUsers;\n",
      ),
    ).toEqual([]);
    expect(
      lint('src/cli', "import { createServer } from '../server.ts';\nexport const f = createServer;\n"),
    ).toEqual([]);
  });
});
