import { Command } from 'commander';
import { messageLocale, type Settings, settingsFromEnv } from '../config.ts';
import { isProblem } from '../domain/problem.ts';
import { t } from '../i18n/catalogue.ts';
import { VERSION } from '../version.ts';
import { registerAttachmentCommands } from './attachments.ts';
import { registerAuditCommands } from './audit.ts';
import { registerBackupCommands } from './backup.ts';
import { registerDeclinationCommand } from './declination.ts';
import { registerGeoCommands } from './geo.ts';
import { helpLocale } from './help-locale.ts';
import { registerImportExportCommands } from './import.ts';
import { registerImportEventsCommand } from './import-events.ts';
import { registerKeyCommands } from './keys.ts';
import { registerPlanningCommands } from './planning.ts';
import { registerRecordCommands } from './record.ts';
import { registerReportCommands } from './report.ts';
import { registerServerCommands } from './server.ts';

// Settings are read and checked once, before anything else; a bad value stops here.
const settings = startupSettings();

/**
 * The `safeground` command. Every subcommand lives in its own module; this file only wires
 * them together and turns problems into catalogue messages with their code.
 */
const program = new Command();
program
  .name('safeground')
  .description(t('cli.help.main', {}, helpLocale))
  .version(VERSION)
  .showHelpAfterError();

registerServerCommands(program, settings);
registerImportEventsCommand(program, settings);
registerAuditCommands(program, settings);
registerAttachmentCommands(program, settings);
registerBackupCommands(program, settings);
registerImportExportCommands(program, settings);
registerKeyCommands(program, settings);
registerGeoCommands(program);
registerDeclinationCommand(program.commands.find((c) => c.name() === 'geo')!, settings.locale);
registerRecordCommands(program);
registerPlanningCommands(program, settings);
registerReportCommands(program, settings);

function startupSettings(): Settings {
  try {
    return settingsFromEnv();
  } catch (err) {
    reportError(err);
  }
}

export function reportError(err: unknown, locale: string = messageLocale()): never {
  if (isProblem(err)) {
    console.error(
      t(
        'cli.error',
        { code: err.code, message: t(err.code, { ...err.params, ...err.where }, locale) },
        locale,
      ),
    );
    for (const o of err.others)
      console.error(`  ${o.code}: ${t(o.code, { ...o.params, ...o.where }, locale)}`);
  } else {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  process.exit(1);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  reportError(err);
}
