import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { t } from '../i18n/catalogue.ts';
import { verifyAudit } from '../services/audit.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';
import { progress } from './progress.ts';

export function registerAuditCommands(program: Command, settings: Settings): void {
  const audit = program.command('audit').description(t('cli.help.audit', {}, helpLocale));
  audit
    .command('verify')
    .description(t('cli.help.audit.verify', {}, helpLocale))
    .action(async () => {
      const ok = await withDatabase(settings, async (database) => {
        const bar = progress('audit');
        const r = await verifyAudit(database, (n) => bar.update(n, Math.max(n, 1)));
        bar.stop();
        if (r.broken) {
          console.log(
            t(
              'cli.audit.broken',
              { seq: r.broken.seq, reason: r.broken.reason, entries: r.entries },
              settings.locale,
            ),
          );
          return false;
        }
        console.log(t('cli.audit.ok', { entries: r.entries }, settings.locale));
        return true;
      });
      if (!ok) process.exitCode = 1;
    });
}
