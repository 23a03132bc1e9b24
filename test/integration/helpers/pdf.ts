import { execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'vitest';

/** Whether poppler-utils' `pdftotext` is installed (CI installs it: .ci/run). */
const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;
if (!hasPdftotext) console.warn('PDF text checks skipped: pdftotext (poppler-utils) is not installed.');

/**
 * The text of a PDF as `pdftotext` reads it (`layout`: in its page layout). Without pdftotext
 * the rest of the test is skipped, and reported as skipped, after what it checked before.
 */
export function pdfText(ctx: TestContext, pdf: Buffer, opts: { layout?: boolean } = {}): string {
  if (!hasPdftotext) ctx.skip();
  return execFileSync('pdftotext', [...(opts.layout ? ['-layout'] : []), '-', '-'], {
    input: pdf,
    encoding: 'utf8',
  });
}
