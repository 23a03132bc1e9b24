import type { Command } from 'commander';
import { type Settings, secretFromVariable } from '../config.ts';
import { Problem } from '../domain/problem.ts';
import { t } from '../i18n/catalogue.ts';
import {
  keyringFromKeys,
  keyringFromSecret,
  loadKeyFile,
  newKey,
  reencryptAll,
  saveKeyFile,
} from '../services/personal-data.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';

export function registerKeyCommands(program: Command, settings: Settings): void {
  const keys = program.command('keys').description(t('cli.help.keys', {}, helpLocale));
  keys
    .command('rotate')
    .description(t('cli.help.keys.rotate', {}, helpLocale))
    .option('--new-secret-env <VAR>', t('cli.help.keys.new_secret_env', {}, helpLocale))
    .action(async (opts: { newSecretEnv?: string }) => {
      await withDatabase(settings, async (database) => {
        if (settings.secret) {
          const fresh = opts.newSecretEnv ? secretFromVariable(opts.newSecretEnv) : undefined;
          if (!fresh)
            throw new Problem(
              'personal_data.new_secret_missing',
              { variable: opts.newSecretEnv ?? '' },
              { pointer: '' },
            );
          const counts = await reencryptAll(
            database,
            keyringFromSecret(settings.secret),
            keyringFromSecret(fresh),
          );
          console.log(t('cli.keys.rotated_secret', counts, settings.locale));
          return;
        }
        const old = loadKeyFile(settings.keyFile);
        const key = newKey();
        // The file first holds both keys with the new one current: whatever happens next, every value stays readable.
        const both = keyringFromKeys([...Object.values(old.keys), key], key);
        saveKeyFile(settings.keyFile, both);
        const counts = await reencryptAll(database, old, both);
        saveKeyFile(settings.keyFile, keyringFromKeys([key], key));
        console.log(t('cli.keys.rotated_file', { ...counts, file: settings.keyFile }, settings.locale));
      });
    });
}
