import type { Command } from 'commander';
import { t } from '../i18n/catalogue.ts';
import { verifyAudit } from '../services/audit.ts';
import { withDatabase } from './context.ts';
import { progress } from './progress.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit log');
  audit
    .command('verify')
    .description('Check the whole hash chain of the audit log; exit 1 naming the first broken entry')
    .action(async () => {
      const ok = await withDatabase(async (database, settings) => {
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
