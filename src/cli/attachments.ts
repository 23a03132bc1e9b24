import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { t } from '../i18n/catalogue.ts';
import { verifyAttachments } from '../services/attachments.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';
import { progress } from './progress.ts';

export function registerAttachmentCommands(program: Command, settings: Settings): void {
  const attachments = program.command('attachments').description(t('cli.help.attachments', {}, helpLocale));
  attachments
    .command('verify')
    .description(t('cli.help.attachments.verify', {}, helpLocale))
    .action(async () => {
      const ok = await withDatabase(settings, async (database) => {
        const bar = progress('attachments');
        const r = await verifyAttachments(database, settings.attachmentsDir, (done, total) =>
          bar.update(done, total),
        );
        bar.stop();
        const locale = settings.locale;
        for (const f of r.faults) {
          const found = f.foundSha256 ? t('cli.attachments.found', { sha256: f.foundSha256 }, locale) : '';
          console.log(t('cli.attachments.fault', { ...f, found }, locale));
        }
        if (r.faults.length > 0) {
          console.log(t('cli.attachments.summary', { faults: r.faults.length, checked: r.checked }, locale));
          return false;
        }
        console.log(t('cli.attachments.ok', { checked: r.checked }, locale));
        return true;
      });
      if (!ok) process.exitCode = 1;
    });
}
