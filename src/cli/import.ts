import { createWriteStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { EXPORT_FORMATS, IMPORT_REGISTERS } from '../domain/exchange.ts';
import { Problem } from '../domain/problem.ts';
import type { RegisterDef } from '../domain/records.ts';
import { t } from '../i18n/catalogue.ts';
import { mappingUnreadable, parseMapping, rejectsCsv } from '../io/index.ts';
import { SYSTEM_ACTOR } from '../services/actor.ts';
import { type ExportFilter, exportableRegister } from '../services/exports.ts';
import { type ImportSummary, summaryLine, warmImportWorkerFor } from '../services/imports.ts';
import { createServices } from '../services/index.ts';
import { parseFilterQuery } from '../services/list-query.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';
import { progress } from './progress.ts';

/** Exit code of an import that finished but rejected some features (or was refused by --strict). */
export const EXIT_REJECTED = 2;
/** Repaired rows listed on the terminal; the rest are counted. */
const REPAIRED_SHOWN = 50;

/** `safeground import FILE --as REGISTER …` and `safeground export --as REGISTER --format …`. */
export function registerImportExportCommands(program: Command, settings: Settings): void {
  program
    .command('import')
    .description(t('cli.help.import', { exitRejected: EXIT_REJECTED }, helpLocale))
    .argument('<file>', t('cli.help.import.file', {}, helpLocale))
    .requiredOption('--as <register>', IMPORT_REGISTERS.join('|'))
    .option('--mapping <mapping.json>', t('cli.help.import.mapping', {}, helpLocale))
    .option('--crs <crs>', t('cli.help.import.crs', {}, helpLocale))
    .option('--repair', t('cli.help.import.repair', {}, helpLocale))
    .option('--strict', t('cli.help.import.strict', {}, helpLocale))
    .option('--dry-run', t('cli.help.import.dry_run', {}, helpLocale))
    .option('--rejects <rejects.csv>', t('cli.help.import.rejects', {}, helpLocale))
    .action(
      async (
        file: string,
        opts: {
          as: string;
          mapping?: string;
          crs?: string;
          repair?: boolean;
          strict?: boolean;
          dryRun?: boolean;
          rejects?: string;
        },
      ) => {
        // The worker that reads a large file starts while the database opens.
        await warmImportWorkerFor({ path: file });
        await withDatabase(settings, async (database) => {
          const locale = settings.locale;
          const mapping = opts.mapping
            ? parseMapping(
                await readFile(opts.mapping, 'utf8').catch((err) => {
                  throw mappingUnreadable(err);
                }),
              )
            : undefined;
          const service = createServices(database, settings).imports;
          const bar = progress('import');
          let summary: ImportSummary;
          try {
            summary = await service.importFile(
              SYSTEM_ACTOR,
              { path: file },
              {
                register: opts.as,
                mapping,
                crs: opts.crs,
                repair: opts.repair === true,
                strict: opts.strict === true,
                dryRun: opts.dryRun === true,
                locale,
                onProgress: (p) => bar.update(Math.round(p.percent ?? 0), 100, String(p.read)),
              },
            );
          } finally {
            bar.stop();
          }
          printSummary(summary, locale);
          if (opts.rejects) {
            await writeFile(opts.rejects, rejectsCsv(summary.rejects), 'utf8');
            console.log(
              t('cli.import.rejects_written', { count: summary.rejects.length, file: opts.rejects }, locale),
            );
          }
          console.log(summaryLine(summary, locale));
          if (summary.rejected > 0) process.exitCode = EXIT_REJECTED;
        });
      },
    );

  program
    .command('export')
    .description(t('cli.help.export', {}, helpLocale))
    .requiredOption('--as <register>', t('cli.help.export.as', {}, helpLocale))
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'))
    .option('--where <filters>', t('cli.help.export.where', {}, helpLocale))
    .option('--bbox <minLon,minLat,maxLon,maxLat>', t('cli.help.export.bbox', {}, helpLocale))
    .option('--out <file>', t('cli.help.export.out', {}, helpLocale))
    .action(async (opts: { as: string; format: string; where?: string; bbox?: string; out?: string }) => {
      await withDatabase(settings, async (database) => {
        const def = exportableRegister(opts.as);
        const filter = exportFilter(def, opts.where, opts.bbox);
        const file = await createServices(database, settings).exports.open(
          SYSTEM_ACTOR,
          def.slug,
          opts.format,
          filter,
        );
        const out = opts.out ?? file.filename;
        try {
          await pipeline(Readable.from(file.chunks), createWriteStream(out));
        } catch (err) {
          await rm(out, { force: true });
          throw err;
        }
        console.log(
          t('cli.export.written', { count: file.count(), register: def.slug, file: out }, settings.locale),
        );
      });
    });
}

/** The list API's filters from `--where "status=open,type=CHA"` and `--bbox`. */
export function exportFilter(
  def: RegisterDef,
  where: string | undefined,
  bbox: string | undefined,
): ExportFilter {
  const allowed = new Set([...Object.keys(def.filters.equals), 'from', 'to', 'q', 'adminArea', 'archived']);
  const query: Record<string, string> = {};
  for (const pair of (where ?? '').split(',').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!allowed.has(key)) {
      throw new Problem(
        'export.where.invalid',
        { value: pair, allowed: [...allowed].join(', ') },
        { pointer: '/where', field: key || pair },
      );
    }
    query[key] = pair.slice(eq + 1).trim();
  }
  if (bbox) query.bbox = bbox;
  return parseFilterQuery(def, query);
}

function printSummary(s: ImportSummary, locale: string): void {
  for (const w of s.warnings) console.log(t('cli.import.warning', w, locale));
  for (const [code, count] of Object.entries(s.rejectsByCode).sort()) {
    const first = s.rejects.find((r) => r.code === code)!;
    console.log(
      t(
        'cli.import.rejected_code',
        { code, count, index: first.index, row: first.row ?? 'none', example: first.message },
        locale,
      ),
    );
  }
  for (const r of s.repairedRows.slice(0, REPAIRED_SHOWN)) {
    console.log(
      t(
        'cli.import.repaired_row',
        { index: r.index, row: r.row ?? 'none', externalId: r.externalId, codes: r.codes.join(', ') },
        locale,
      ),
    );
  }
  if (s.reportId) console.log(t('cli.import.report', { reportId: s.reportId }, locale));
}
