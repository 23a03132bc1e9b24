import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A label is a column (its text above its control) unless its class lays it out otherwise: a
// class the style sheets do not know leaves a checkbox on a line of its own above its words.
const webSrc = fileURLToPath(new URL('../../web/src/', import.meta.url));
const css = ['styles.css', 'field/field.css'].map((f) => readFileSync(join(webSrc, f), 'utf8')).join('\n');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx$/.test(name) ? [p] : [];
  });
}

describe('the web application’s labels', () => {
  it('around a checkbox or a radio button use only classes the style sheets lay out', () => {
    const unknown: string[] = [];
    let seen = 0;
    for (const file of sourceFiles(webSrc)) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(
        /<label\b[^>]*\bclassName="([^"]+)"[^>]*>\s*<input\s+type="(?:checkbox|radio)"/g,
      )) {
        seen++;
        for (const cls of m[1]!.split(/\s+/)) {
          if (!new RegExp(`\\.${cls.replace(/[-]/g, '\\-')}(?![\\w-])`).test(css))
            unknown.push(`${file.slice(webSrc.length)}: ${cls}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(5);
    expect(unknown).toEqual([]);
  });
});
