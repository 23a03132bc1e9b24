import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { Settings } from '../config.ts';
import { t } from '../i18n/catalogue.ts';
import { importEvents } from '../services/import-events.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';
import { progress } from './progress.ts';

/** `safeground import-events FILES...`: Colombian landmine/UXO event files into the registers. */
export function registerImportEventsCommand(program: Command, settings: Settings): void {
  program
    .command('import-events')
    .description(t('cli.help.import_events', {}, helpLocale))
    .argument('<files...>', t('cli.help.import_events.files', {}, helpLocale))
    .option('--rejects <file.csv>', t('cli.help.import_events.rejects', {}, helpLocale))
    .action(async (files: string[], opts: { rejects?: string }) => {
      await withDatabase(settings, async (database) => {
        const locale = settings.locale;
        const bar = progress('import-events');
        const summary = await importEvents(database, files, {
          locale,
          onProgress: (done, total, label) => bar.update(done, total, label),
        });
        bar.stop();
        const imported = summary.imported.accidents + summary.imported.findings + summary.imported.hazards;
        console.log(
          t(
            'cli.import_events.summary',
            { read: summary.read, imported, rejected: summary.rejected, skipped: summary.skippedExisting },
            locale,
          ),
        );
        console.log(t('cli.import_events.imported', { ...summary.imported }, locale));
        for (const [code, count] of Object.entries(summary.rejectsByCode).sort()) {
          const example = summary.rejects.find((r) => r.code === code)?.message ?? '';
          console.log(t('cli.import_events.rejected_code', { code, count, example }, locale));
        }
        if (opts.rejects) {
          const csv = stringify(
            summary.rejects.map((r) => [r.file, r.index, r.code, r.message]),
            { header: true, columns: ['file', 'index', 'code', 'message'] },
          );
          await writeFile(opts.rejects, csv, 'utf8');
          console.log(
            t('cli.import_events.rejects_written', { file: opts.rejects, count: summary.rejected }, locale),
          );
        }
      });
    });
}
