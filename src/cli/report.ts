import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { t } from '../i18n/catalogue.ts';
import { SYSTEM_ACTOR } from '../services/actor.ts';
import { createServices } from '../services/index.ts';
import { OUTPUT_FORMATS, OUTPUTS, outputFormat, parseOutputParams } from '../services/outputs/index.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';

/**
 * `safeground report list` and `safeground report generate NAME --as-at D [--from --to]
 * [--area ID] [--organisation ID] [--hazard ID] [--records register:id,…] [--project ID] --format pdf|xlsx|csv
 * --out FILE`: the standard reports of the Outputs page, from the command line, with the same
 * parameters as GET /api/v1/outputs/{name}.
 */
export function registerReportCommands(program: Command, settings: Settings): void {
  const report = program.command('report').description(t('cli.help.report', {}, helpLocale));
  report
    .command('list')
    .description(t('cli.help.report.list', {}, helpLocale))
    .action(() => {
      for (const o of OUTPUTS)
        console.log(
          `${o.name}\t${t(`outputs.name.${o.name}`, {}, settings.locale)}\t${['asAt', ...o.params].join(' ')}`,
        );
    });
  report
    .command('generate')
    .description(t('cli.help.report.generate', {}, helpLocale))
    .argument('<name>', OUTPUTS.map((o) => o.name).join('|'))
    .option('--as-at <date>', t('cli.help.report.as_at', {}, helpLocale))
    .option('--from <date>', t('cli.help.report.from', {}, helpLocale))
    .option('--to <date>', t('cli.help.report.to', {}, helpLocale))
    .option('--area <id>', t('cli.help.report.area', {}, helpLocale))
    .option('--organisation <id>', t('cli.help.report.organisation', {}, helpLocale))
    .option('--level <n>', t('cli.help.report.level', {}, helpLocale))
    .option('--hazard <id>', t('cli.help.report.hazard', {}, helpLocale))
    .option('--records <register:id,...>', t('cli.help.report.records', {}, helpLocale))
    .option('--project <id>', t('cli.help.report.project', {}, helpLocale))
    .option('--lang <locale>', 'en|ru|ar')
    .option('--keep', t('cli.help.report.keep', {}, helpLocale))
    .requiredOption('--format <format>', OUTPUT_FORMATS.join('|'))
    .requiredOption('--out <file>', t('cli.help.report.out', {}, helpLocale))
    .action(
      async (
        name: string,
        opts: Record<string, string | boolean | undefined> & { format: string; out: string; asAt?: string },
      ) => {
        const format = outputFormat(opts.format);
        const params = parseOutputParams(name, {
          asAt: opts.asAt,
          from: opts.from as string | undefined,
          to: opts.to as string | undefined,
          area: opts.area as string | undefined,
          organisation: opts.organisation as string | undefined,
          level: opts.level as string | undefined,
          hazard: opts.hazard as string | undefined,
          records: opts.records as string | undefined,
          project: opts.project as string | undefined,
        });
        const locale = typeof opts.lang === 'string' ? opts.lang : settings.locale;
        await withDatabase(
          settings,
          async (database) => {
            const outputs = createServices(database, settings).outputs;
            const file = await outputs.generate(SYSTEM_ACTOR, name, params, format, locale);
            await writeFile(opts.out, file.bytes);
            if (opts.keep) await outputs.keep(SYSTEM_ACTOR, null, name, params, format, locale);
            console.log(
              t(
                'cli.report.written',
                { file: opts.out, asAt: params.asAt, hash: file.contentSha256, fileHash: file.fileSha256 },
                settings.locale,
              ),
            );
          },
          { quiet: true },
        );
      },
    );
}
