import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { isProblem, Problem } from '../domain/problem.ts';
import { makeTransformer, resolveCrs } from '../geo/crs.ts';
import { fromMgrs, MGRS_PRECISIONS_M, toMgrs } from '../geo/mgrs.ts';
import { t } from '../i18n/catalogue.ts';
import { helpLocale } from './help-locale.ts';

/**
 * `safeground geo convert` and `safeground geo mgrs`: line-oriented filters in the manner of
 * PROJ's cs2cs. Each input line is one point; a line that cannot be converted is reported on
 * standard error with its line number and problem code, the other lines are still converted,
 * and the exit code is 1 if any line failed. Blank lines and lines starting with `#` are
 * skipped. Words after the coordinates (an identifier, a height) are copied to the output.
 */

/** Where the output of a filter goes; the CLI passes stdout and stderr, tests collect lines. */
export interface LineSinks {
  out: (line: string) => void;
  err: (line: string) => void;
  locale: string;
}

/** 1e-9° is about 0.1 mm on the ground; 1 mm is below any survey this data comes from. */
const GEOGRAPHIC_DECIMALS = 9;
const PROJECTED_DECIMALS = 3;

function formatNumber(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** The first `count` words of a line as numbers, and the rest of the line as typed. */
function readNumbers(line: string, count: number): { values: number[]; rest: string } {
  const words = line.trim().split(/\s+/);
  const values = words.slice(0, count).map(Number);
  if (words.length < count || values.some((v, i) => words[i] === '' || Number.isNaN(v))) {
    throw new Problem('geo.cli.line_malformed', { count, text: line.trim() });
  }
  return { values, rest: words.slice(count).join(' ') };
}

function withRest(text: string, rest: string): string {
  return rest ? `${text} ${rest}` : text;
}

/**
 * Runs `convertLine` over every line and reports failures; returns how many lines failed.
 *
 * @example await filterLines(['40 45'], (l) => l, sinks) // 0
 */
export async function filterLines(
  lines: AsyncIterable<string> | Iterable<string>,
  convertLine: (line: string) => string,
  sinks: LineSinks,
): Promise<number> {
  let lineNumber = 0;
  let failed = 0;
  for await (const line of lines) {
    lineNumber++;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    try {
      sinks.out(convertLine(trimmed));
    } catch (e) {
      if (!isProblem(e)) throw e;
      failed++;
      const message = t(e.code, { ...e.params }, sinks.locale);
      sinks.err(t('geo.cli.line_error', { line: lineNumber, message, code: e.code }, sinks.locale));
    }
  }
  if (failed > 0) sinks.err(t('geo.cli.lines_failed', { count: failed }, sinks.locale));
  return failed;
}

/**
 * The line converter of `geo convert`: `a b [rest]` in the source CRS's axis order to
 * `a b [rest]` in the target's (easting/longitude first for both with `xy`).
 *
 * @example coordinateLineConverter('EPSG:4326', 'EPSG:32638', false)('40 45') // '500000.000 4427757.219'
 */
export function coordinateLineConverter(from: string, to: string, xy: boolean): (line: string) => string {
  const transform = makeTransformer(from, to, { xy });
  const decimals = resolveCrs(to).kind === 'geographic' ? GEOGRAPHIC_DECIMALS : PROJECTED_DECIMALS;
  return (line) => {
    const { values, rest } = readNumbers(line, 2);
    const [a, b] = transform(values[0]!, values[1]!);
    return withRest(`${formatNumber(a, decimals)} ${formatNumber(b, decimals)}`, rest);
  };
}

/**
 * The line converter of `geo mgrs --to-mgrs`: `lat lon [rest]` to `MGRS [rest]`.
 *
 * @example toMgrsLineConverter(1000)('40 45') // '38TNK0027'
 */
export function toMgrsLineConverter(precisionM: number): (line: string) => string {
  return (line) => {
    const { values, rest } = readNumbers(line, 2);
    return withRest(toMgrs(values[0]!, values[1]!, precisionM), rest);
  };
}

/**
 * The line converter of `geo mgrs --from-mgrs`: an MGRS reference (spaces allowed) to
 * `lat lon` of the square's south-west corner, or of its centre.
 *
 * @example fromMgrsLineConverter(false)('38TNK0027') // '39.993177604 45.000000000'
 */
export function fromMgrsLineConverter(centre: boolean): (line: string) => string {
  return (line) => {
    const decoded = fromMgrs(line);
    const { lat, lon } = centre ? decoded.centre : decoded;
    return `${formatNumber(lat, GEOGRAPHIC_DECIMALS)} ${formatNumber(lon, GEOGRAPHIC_DECIMALS)}`;
  };
}

/** The `--precision` option as metres; only the six MGRS precisions are accepted. */
export function parsePrecision(value: string | undefined): number {
  if (value === undefined) return 1;
  const precisionM = Number(value.trim());
  if (!(MGRS_PRECISIONS_M as readonly number[]).includes(precisionM)) {
    throw new Problem('geo.mgrs.invalid_precision', { precisionM: value });
  }
  return precisionM;
}

async function runOnStdin(convertLine: (line: string) => string, locale: string): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  const failed = await filterLines(lines, convertLine, {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    locale,
  });
  if (failed > 0) process.exitCode = 1;
}

interface ConvertOptions {
  from: string;
  to: string;
  xy?: boolean;
}

interface MgrsOptions {
  toMgrs?: boolean;
  fromMgrs?: boolean;
  precision?: string;
  centre?: boolean;
}

/**
 * Adds the `geo` command group with `convert` and `mgrs`. Other modules add their own
 * subcommands to the same group (`declination`).
 */
export function registerGeoCommands(program: Command): void {
  const locale = helpLocale;
  const geo = program.command('geo').description(t('geo.cli.description', {}, locale));

  geo
    .command('convert')
    .description(t('geo.cli.convert.description', {}, locale))
    .requiredOption('--from <crs>', t('geo.cli.convert.from', {}, locale))
    .requiredOption('--to <crs>', t('geo.cli.convert.to', {}, locale))
    .option('--xy', t('geo.cli.convert.xy', {}, locale))
    .action(async (options: ConvertOptions) => {
      // An unknown CRS is a problem for the whole run: thrown here, reported by the main CLI.
      const convertLine = coordinateLineConverter(options.from, options.to, options.xy === true);
      await runOnStdin(convertLine, locale);
    });

  geo
    .command('mgrs')
    .description(t('geo.cli.mgrs.description', {}, locale))
    .option('--to-mgrs', t('geo.cli.mgrs.to_mgrs', {}, locale))
    .option('--from-mgrs', t('geo.cli.mgrs.from_mgrs', {}, locale))
    .option('--precision <m>', t('geo.cli.mgrs.precision', {}, locale))
    .option('--centre', t('geo.cli.mgrs.centre', {}, locale))
    .action(async (options: MgrsOptions) => {
      if (options.toMgrs === options.fromMgrs) throw new Problem('geo.cli.mgrs.direction_missing', {});
      const convertLine = options.toMgrs
        ? toMgrsLineConverter(parsePrecision(options.precision))
        : fromMgrsLineConverter(options.centre === true);
      await runOnStdin(convertLine, locale);
    });
}
