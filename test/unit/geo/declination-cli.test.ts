import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCalendarDate, registerDeclinationCommand } from '../../../src/cli/declination.ts';

/** Runs `safeground geo declination …` in-process and collects what it writes. */
async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  const program = new Command('safeground').exitOverride();
  const geo = program.command('geo').exitOverride();
  registerDeclinationCommand(geo);
  process.exitCode = undefined;
  await program.parseAsync(['geo', 'declination', ...args], { from: 'user' });
  vi.restoreAllMocks();
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

describe('safeground geo declination', () => {
  const locale = process.env.SAFEGROUND_LOCALE;
  beforeEach(() => {
    process.env.SAFEGROUND_LOCALE = 'en';
  });
  afterEach(() => {
    process.env.SAFEGROUND_LOCALE = locale;
    vi.restoreAllMocks();
  });

  it('prints the declination east positive to four decimals', async () => {
    // WMM2025 test values for 2027.0 (wmm-test-values.csv): 59°N 77°W at 61 km, −16.48° (west);
    // 43°S 111°W at 44 km, +24.31° (east). IGRF and WMM agree to a few tenths of a degree there.
    const west = await run(['--lat', '59', '--lon', '-77', '--date', '2027-01-01', '--height-m', '61000']);
    const east = await run(['--lat', '-43', '--lon', '-111', '--date', '2027-01-01', '--height-m', '44000']);
    for (const r of [west, east]) {
      expect(r.exitCode).toBeUndefined();
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^-?\d+\.\d{4}\n$/);
    }
    expect(Math.abs(Number(west.stdout) - -16.48)).toBeLessThan(0.5);
    expect(Math.abs(Number(east.stdout) - 24.31)).toBeLessThan(0.5);
  });

  it('takes the height above the ellipsoid into account', async () => {
    const ground = await run(['--lat', '60', '--lon', '100', '--date', '2000-06-01']);
    const high = await run(['--lat', '60', '--lon', '100', '--date', '2000-06-01', '--height-m', '400000']);
    expect(Number(high.stdout)).not.toBe(Number(ground.stdout));
  });

  it('rejects a date before 1900 with the catalogue message and exit code 1', async () => {
    const r = await run(['--lat', '43', '--lon', '45', '--date', '1899-12-31']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('geo.igrf.date_out_of_range');
    expect(r.stderr).toContain('1899-12-31');
    expect(r.stderr).toContain('1900 to 2030');
  });

  it('speaks Russian when asked', async () => {
    process.env.SAFEGROUND_LOCALE = 'ru';
    const r = await run(['--lat', '43', '--lon', '45', '--date', '2031-01-01']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Дата 2031-01-01');
  });

  it('rejects a malformed date, an impossible date, a bad number and a missing option', async () => {
    const cases: [string[], string][] = [
      [['--lat', '43', '--lon', '45', '--date', '12.05.1987'], 'geo.declination.date_invalid'],
      [['--lat', '43', '--lon', '45', '--date', '2023-02-30'], 'geo.declination.date_invalid'],
      [['--lat', '43N', '--lon', '45', '--date', '2000-01-01'], 'geo.declination.number_invalid'],
      [['--lat', '43', '--date', '2000-01-01'], 'geo.declination.option_missing'],
      [['--lat', '91', '--lon', '45', '--date', '2000-01-01'], 'geo.igrf.latitude_out_of_range'],
    ];
    for (const [args, code] of cases) {
      const r = await run(args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(code);
    }
  });
});

describe('calendar dates', () => {
  it('reads YYYY-MM-DD as UTC midnight', () => {
    expect(parseCalendarDate('1987-05-12').toISOString()).toBe('1987-05-12T00:00:00.000Z');
    expect(parseCalendarDate('2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
});
