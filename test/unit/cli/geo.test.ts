import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  coordinateLineConverter,
  filterLines,
  fromMgrsLineConverter,
  parsePrecision,
  toMgrsLineConverter,
} from '../../../src/cli/geo.ts';
import { isProblem } from '../../../src/domain/problem.ts';

async function run(lines: string[], convertLine: (line: string) => string, locale = 'en') {
  const out: string[] = [];
  const err: string[] = [];
  const failed = await filterLines(lines, convertLine, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    locale,
  });
  return { out, err, failed };
}

describe('geo convert lines', () => {
  it('writes projected coordinates to the millimetre in the target axis order', async () => {
    // cs2cs 9.1.1: echo "40 45" | cs2cs -f %.4f EPSG:4326 EPSG:32638 → 500000.0000 4427757.2187
    const { out, failed } = await run(['40 45'], coordinateLineConverter('EPSG:4326', 'EPSG:32638', false));
    expect(out).toEqual(['500000.000 4427757.219']);
    expect(failed).toBe(0);
  });

  it('writes Gauss-Krüger X first and geographic coordinates to 1e-9 degree', async () => {
    // cs2cs with EPSG:15865 forced (see test/reference): 40 45 → X 4429619.758, Y 8500104.814
    const toGk = coordinateLineConverter('EPSG:4326', 'EPSG:28408', false);
    expect((await run(['40 45'], toGk)).out).toEqual(['4429619.758 8500104.814']);
    const back = (
      await run(['4429619.758 8500104.814'], coordinateLineConverter('EPSG:28408', 'EPSG:4326', false))
    ).out[0]!;
    expect(back).toMatch(/^\d+\.\d{9} \d+\.\d{9}$/);
    const [lat, lon] = back.split(' ').map(Number);
    expect(lat).toBeCloseTo(40, 8);
    expect(lon).toBeCloseTo(45, 8);
  });

  it('swaps to easting/longitude first with --xy', async () => {
    const { out } = await run(['45 40'], coordinateLineConverter('EPSG:4326', 'EPSG:28408', true));
    expect(out).toEqual(['8500104.814 4429619.758']);
  });

  it('reports a bad line with its number and code, converts the others, and counts the failures', async () => {
    const { out, err, failed } = await run(
      ['# header', '40 45 well-1', '', '40 abc', '95 45', '41 46'],
      coordinateLineConverter('EPSG:4326', 'EPSG:32638', false),
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toBe('500000.000 4427757.219 well-1');
    expect(failed).toBe(2);
    expect(err[0]).toMatch(/^line 4: .*\(geo\.cli\.line_malformed\)$/);
    expect(err[1]).toMatch(/^line 5: .*\(geo\.coordinate\.out_of_range\)$/);
    expect(err[2]).toBe('2 lines were not converted.');
  });

  it('speaks the user’s language', async () => {
    const { err } = await run(['abc'], coordinateLineConverter('EPSG:4326', 'EPSG:32638', false), 'ru');
    expect(err[0]).toMatch(/^строка 1: ожидалось 2 числа через пробел/);
  });

  it('refuses an unknown CRS before reading any line', () => {
    expect(() => coordinateLineConverter('EPSG:4326', 'EPSG:1', false)).toThrow(/geo\.crs\.unknown/);
  });
});

describe('geo mgrs lines', () => {
  it('writes MGRS at the requested precision', async () => {
    const { out } = await run(['40 45', '90 0'], toMgrsLineConverter(1000));
    expect(out).toEqual(['38TNK0027', 'ZAH0000']);
  });

  it('reads MGRS back as the square’s south-west corner, or its centre', async () => {
    const corner = (await run(['38T NK 00000 27757'], fromMgrsLineConverter(false))).out[0]!.split(' ').map(
      Number,
    );
    expect(corner[1]).toBeCloseTo(45, 9);
    const centre = (await run(['38TNK0000027757'], fromMgrsLineConverter(true))).out[0]!.split(' ').map(
      Number,
    );
    expect(centre[0]).toBeGreaterThan(corner[0]!);
    expect(centre[1]).toBeGreaterThan(45);
  });

  it('reports an invalid reference and goes on', async () => {
    const { out, err, failed } = await run(['38TAK00', '38TNK0027'], fromMgrsLineConverter(false));
    expect(out).toHaveLength(1);
    expect(failed).toBe(1);
    expect(err[0]).toMatch(/^line 1: .*\(geo\.mgrs\.invalid\)$/);
  });

  it('accepts only the six MGRS precisions', () => {
    expect(parsePrecision(undefined)).toBe(1);
    expect(parsePrecision('100')).toBe(100);
    for (const bad of ['5', 'abc', '', '1e6']) {
      let code: string | undefined;
      try {
        parsePrecision(bad);
      } catch (e) {
        code = isProblem(e) ? e.code : undefined;
      }
      expect(code, bad).toBe('geo.mgrs.invalid_precision');
    }
  });
});

describe('the safeground geo commands', () => {
  const bin = fileURLToPath(new URL('../../../bin/safeground.js', import.meta.url));

  /** Runs the real command with `input` on stdin. */
  function safeground(
    args: string[],
    input: string,
  ): Promise<{ stdout: string; stderr: string; status: number | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn('node', [bin, ...args], { env: { ...process.env, SAFEGROUND_LOCALE: 'en' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (status) => resolve({ stdout, stderr, status }));
      child.stdin.end(input);
    });
  }

  it('converts stdin to stdout, exiting 1 when a line failed and 0 when none did', async () => {
    const [failing, passing] = await Promise.all([
      safeground(['geo', 'convert', '--from', 'EPSG:4326', '--to', 'EPSG:32638'], '40 45\nnot a point\n'),
      safeground(['geo', 'mgrs', '--to-mgrs', '--precision', '100000'], '40 45\n'),
    ]);
    expect(failing.stdout).toBe('500000.000 4427757.219\n');
    expect(failing.stderr).toContain('line 2:');
    expect(failing.status).toBe(1);
    expect(passing.stdout).toBe('38TNK\n');
    expect(passing.status).toBe(0);
  });
});
