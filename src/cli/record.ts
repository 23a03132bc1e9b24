import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseMinefieldRecord } from '../domain/minefield-record.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { type DecodedRecord, decodeRecord } from '../geo/record-decode.ts';
import { findingsFromGeoJson, scoreRecord } from '../geo/record-score.ts';
import { t } from '../i18n/catalogue.ts';
import { decodedToGeoJson, rejectedWithMessages } from '../services/minefield-geojson.ts';
import { helpLocale } from './help-locale.ts';

/**
 * `safeground record decode FILE.json` and `safeground record score FILE.json --findings F.geojson`.
 * Output goes to stdout as JSON; problems go to stderr as catalogue sentences with their
 * code, and the exit code is 1.
 */
export function registerRecordCommands(program: Command): void {
  const record = program.command('record').description(t('minefield.cli.record', {}, helpLocale));

  record
    .command('decode')
    .description(t('minefield.cli.decode', {}, helpLocale))
    .argument('<file>', t('minefield.cli.file', {}, helpLocale))
    .option('--locale <locale>', t('minefield.cli.locale', {}, helpLocale), 'en')
    .action((file: string, options: { locale: string }) => {
      runReporting(options.locale, () => {
        const decoded = decodeFile(file, options.locale);
        return decodedToGeoJson(decoded, options.locale);
      });
    });

  record
    .command('score')
    .description(t('minefield.cli.score', {}, helpLocale))
    .argument('<file>', t('minefield.cli.file', {}, helpLocale))
    .requiredOption('--findings <file>', t('minefield.cli.findings', {}, helpLocale))
    .option('--fit-scale', t('minefield.cli.fitScale', {}, helpLocale), false)
    .option('--locale <locale>', t('minefield.cli.locale', {}, helpLocale), 'en')
    .action((file: string, options: { findings: string; fitScale: boolean; locale: string }) => {
      runReporting(options.locale, () => {
        const decoded = decodeFile(file, options.locale);
        const findings = findingsFromGeoJson(readJson(options.findings));
        const scores = scoreRecord(decoded, findings, { fitScale: options.fitScale });
        return { ...scores, notDecoded: rejectedWithMessages(decoded, options.locale) };
      });
    });
}

function runReporting(locale: string, produce: () => unknown): void {
  try {
    process.stdout.write(`${JSON.stringify(produce(), null, 2)}\n`);
  } catch (e) {
    if (!isProblem(e)) throw e;
    process.stderr.write(`${problemSentence(e, locale)}\n`);
    for (const other of e.others.slice(0, 20)) process.stderr.write(`${problemSentence(other, locale)}\n`);
    process.exitCode = 1;
  }
}

function problemSentence(p: Problem, locale: string): string {
  return t(
    'minefield.cli.error',
    { code: p.code, pointer: p.where?.pointer || 'none', message: t(p.code, p.params, locale) },
    locale,
  );
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Problem('record.file_unreadable', { file, reason: (e as Error).message });
  }
}

function decodeFile(file: string, locale: string): DecodedRecord {
  const record = parseMinefieldRecord(readJson(file));
  return decodeRecord(record, { translate: (key, params) => t(key, params, locale) });
}
