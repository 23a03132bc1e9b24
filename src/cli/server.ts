import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { t } from '../i18n/catalogue.ts';
import { createServer, listenWhileStarting } from '../server.ts';
import { createUser } from '../services/auth.ts';
import { isNewInstallation, loadDemo } from '../services/demo.ts';
import { askServer, serverHoldsDataDir, startAdminSocket } from './admin-socket.ts';
import { backupBeforeMigrating, startBackupSchedule } from './backup.ts';
import { ensureWebBuilt } from './build-web.ts';
import { openDatabase, withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';
import { progress } from './progress.ts';

export function registerServerCommands(program: Command, settings: Settings): void {
  program
    .command('serve')
    .description(t('cli.help.serve', {}, helpLocale))
    .option('--no-web-build', t('cli.help.serve.no_web_build', {}, helpLocale))
    .action(async (opts: { webBuild: boolean }) => {
      // Listen first: health answers `loading` while the database opens and migrations are checked.
      const starting = await listenWhileStarting(settings);
      // The web build and the database start are independent: do them side by side.
      const [database, distDir] = await Promise.all([
        openDatabase(settings),
        opts.webBuild
          ? ensureWebBuilt({ log: () => console.error(t('cli.web.building', {}, settings.locale)) })
          : undefined,
      ]);
      const loadDemoNow = settings.demo && (await isNewInstallation(database));
      const app = await createServer(database, settings, {
        distDir,
        logger: true,
        serverFactory: starting.serverFactory,
      });
      // Health says `loading` from the first answer until the demo is in.
      if (loadDemoNow) app.system.setLoading('demo');
      const closeAdminSocket =
        database.kind === 'pglite' ? await startAdminSocket(database, settings) : async () => {};
      let stopBackups = () => {};
      const close = async () => {
        stopBackups();
        await closeAdminSocket();
        await app.close();
        await new Promise((closed) => starting.server.close(closed));
        await database.close();
        process.exit(0);
      };
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
      await starting.handOver(app);
      const say = (m: string) => console.error(m);
      const level = (
        await migrate(database, { beforeApplying: backupBeforeMigrating(database, settings, say) })
      ).level;
      stopBackups = startBackupSchedule(database, settings, say);
      const shown = settings.host === '0.0.0.0' ? 'localhost' : settings.host;
      console.error(
        t(
          'cli.serve.listening',
          { url: `http://${shown}:${settings.port}`, database: database.kind, level },
          settings.locale,
        ),
      );
      // The demo programme loads after the server answers: it is one transaction, so requests
      // meanwhile wait for it and then see all of it, never half.
      if (loadDemoNow) {
        console.error(t('cli.demo.loading', {}, settings.locale));
        const bar = progress('demo');
        const summary = await loadDemo(database, {
          onProgress: (done, total, label) => bar.update(done, total, label),
        }).finally(() => app.system.setLoading(undefined));
        bar.stop();
        console.error(t('cli.demo.done', { summary: describe(summary) }, settings.locale));
      }
      // A first tile of each layer, so that the first map opened does not wait for a cold start.
      const warming = performance.now();
      void app.services.tiles
        .warmUp({ onError: (err) => app.log.warn({ err }, 'tile warm-up failed') })
        .then((tiles) =>
          app.log.info({ tiles, ms: Math.round(performance.now() - warming) }, 'tiles warmed up'),
        );
    });

  program
    .command('migrate')
    .description(t('cli.help.migrate', {}, helpLocale))
    .action(async () => {
      await withDatabase(settings, async (database) => {
        const r = await migrate(database);
        console.log(t('cli.migrate.done', r, settings.locale));
      });
    });

  program
    .command('demo')
    .description(t('cli.help.demo', {}, helpLocale))
    .option('--force', t('cli.help.demo.force', {}, helpLocale))
    .action(async (opts: { force?: boolean }) => {
      await withDatabase(settings, async (database) => {
        if (!opts.force && !(await isNewInstallation(database))) {
          console.log(t('cli.demo.skipped', {}, settings.locale));
          return;
        }
        const bar = progress('demo');
        const summary = await loadDemo(database, {
          onProgress: (done, total, label) => bar.update(done, total, label),
        });
        bar.stop();
        console.log(t('cli.demo.done', { summary: describe(summary) }, settings.locale));
      });
    });

  const user = program.command('user').description(t('cli.help.user', {}, helpLocale));
  user
    .command('create')
    .description(t('cli.help.user.create', {}, helpLocale))
    .requiredOption('--email <email>', t('cli.help.user.email', {}, helpLocale))
    .requiredOption('--password <password>', t('cli.help.user.password', {}, helpLocale))
    .option('--role <role>', t('cli.help.user.role', {}, helpLocale), 'viewer')
    .option('--name <name>', t('cli.help.user.name', {}, helpLocale))
    .option('--organisation <id>', t('cli.help.user.organisation', {}, helpLocale))
    .action(
      async (opts: {
        email: string;
        password: string;
        role: string;
        name?: string;
        organisation?: string;
      }) => {
        const input = {
          email: opts.email,
          password: opts.password,
          role: opts.role,
          name: opts.name,
          organisationId: opts.organisation,
        };
        // Beside a running server on the embedded database, the server creates the user.
        if (await serverHoldsDataDir(settings)) {
          const u = await askServer(settings, '/users', input);
          console.log(
            t('cli.user.created', { email: String(u.email), role: String(u.role) }, settings.locale),
          );
          return;
        }
        await withDatabase(settings, async (database) => {
          const u = await createUser(database, input);
          console.log(t('cli.user.created', { email: u.email, role: u.role }, settings.locale));
        });
      },
    );
}

function describe(summary: Record<string, number>): string {
  return Object.entries(summary)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
