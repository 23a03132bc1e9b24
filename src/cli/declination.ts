import type { Command } from 'commander';
import { messageLocale } from '../config.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { declinationDeg } from '../geo/igrf.ts';
import { t } from '../i18n/catalogue.ts';

/**
 * `safeground geo declination --lat D --lon D --date YYYY-MM-DD [--height-m H]`: prints the
 * IGRF-14 declination in degrees, east positive, to four decimals (about 0.4 arc-seconds, well
 * below the model's own error) so that scripts can read it as a plain number.
 */

interface DeclinationOptions {
  lat?: string;
  lon?: string;
  date?: string;
  heightM?: string;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined) throw new Problem('geo.declination.option_missing', { option });
  return value;
}

/** A decimal number as typed on the command line; rejects '', '12abc', 'NaN', 'Infinity'. */
function parseNumber(value: string, option: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n))
    throw new Problem('geo.declination.number_invalid', { option, value });
  return n;
}

/**
 * A calendar date `YYYY-MM-DD` as the UTC midnight that starts it; impossible dates such as
 * 2023-02-30 are rejected rather than rolled over.
 *
 * @example parseCalendarDate('1987-05-12') // Date 1987-05-12T00:00:00Z
 */
export function parseCalendarDate(value: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !date || date.toISOString().slice(0, 10) !== value.trim()) {
    throw new Problem('geo.declination.date_invalid', { value });
  }
  return date;
}

/**
 * Declination for the command's options, validated; throws a Problem on bad input.
 *
 * @example declinationFromOptions({ lat: '43', lon: '45', date: '1985-01-01' }) // ≈ 5.23
 */
export function declinationFromOptions(options: DeclinationOptions): number {
  const latDeg = parseNumber(required(options.lat, '--lat'), '--lat');
  const lonDeg = parseNumber(required(options.lon, '--lon'), '--lon');
  const date = parseCalendarDate(required(options.date, '--date'));
  const heightM = options.heightM === undefined ? 0 : parseNumber(options.heightM, '--height-m');
  return declinationDeg({ date, latDeg, lonDeg, heightM });
}

/**
 * Adds `declination` to the `geo` command group, speaking `locale` (the settings' locale:
 * SAFEGROUND_LOCALE, else the language of LANG, e.g. `ru_RU.UTF-8` → ru).
 */
export function registerDeclinationCommand(geo: Command, locale: string = messageLocale()): void {
  geo
    .command('declination')
    .description(t('geo.declination.cli.description', {}, locale))
    // Options are checked in the action, not by commander, so that a missing or bad value
    // gets the catalogue's message in the user's language and a stable code.
    .option('--lat <deg>', t('geo.declination.cli.lat', {}, locale))
    .option('--lon <deg>', t('geo.declination.cli.lon', {}, locale))
    .option('--date <YYYY-MM-DD>', t('geo.declination.cli.date', {}, locale))
    .option('--height-m <m>', t('geo.declination.cli.height', {}, locale))
    .action((options: DeclinationOptions) => {
      try {
        const value = declinationFromOptions(options);
        // Avoid printing "-0.0000" for a value that rounds to zero.
        const text = value.toFixed(4) === '-0.0000' ? '0.0000' : value.toFixed(4);
        process.stdout.write(`${text}\n`);
      } catch (e) {
        if (!isProblem(e)) throw e;
        process.stderr.write(`${e.code}: ${t(e.code, e.params, locale)}\n`);
        process.exitCode = 1;
      }
    });
}
