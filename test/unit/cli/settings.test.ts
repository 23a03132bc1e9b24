import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** `safeground` with bad settings stops before it opens a database or a port. */
const bin = fileURLToPath(new URL('../../../bin/safeground.js', import.meta.url));

function safeground(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      SAFEGROUND_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'safeground-settings-')), 'data'),
      DATABASE_URL: '',
      SAFEGROUND_LOCALE: 'en',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('safeground with bad settings', () => {
  it('refuses to serve on PORT=eighty, naming the variable, the value and every other fault', () => {
    const r = safeground(['serve', '--no-web-build'], { PORT: 'eighty', SAFEGROUND_PUBLIC_HEXAGON_M: 'big' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('settings.invalid');
    expect(r.stderr).toMatch(/settings\.integer: PORT is “eighty”: expected a whole number from 0 to 65535/);
    expect(r.stderr).toMatch(/settings\.number: SAFEGROUND_PUBLIC_HEXAGON_M is “big”/);
    // Stopped before opening the database.
    expect(r.stderr).not.toContain('Opening');
  });

  it('says it in the language asked for', () => {
    const r = safeground(['migrate'], { SAFEGROUND_LOCALE: 'ru', SAFEGROUND_DEMO: 'yes' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SAFEGROUND_DEMO = «yes»');
  });
});
