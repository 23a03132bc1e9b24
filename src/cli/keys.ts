import type { Command } from 'commander';
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

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('Keys that encrypt personal data (casualty identities) at rest');
  keys
    .command('rotate')
    .description(
      'Re-encrypt all personal data under a new key. With a key file (default): a new key is generated and the old one dropped. ' +
        'With SAFEGROUND_SECRET: give the new secret in the environment variable named by --new-secret-env, then switch SAFEGROUND_SECRET to it.',
    )
    .option('--new-secret-env <VAR>', 'name of the environment variable holding the new secret')
    .action(async (opts: { newSecretEnv?: string }) => {
      await withDatabase(async (database, settings) => {
        if (process.env.SAFEGROUND_SECRET) {
          const fresh = opts.newSecretEnv ? process.env[opts.newSecretEnv] : undefined;
          if (!fresh)
            throw new Problem(
              'personal_data.new_secret_missing',
              { variable: opts.newSecretEnv ?? '' },
              { pointer: '' },
            );
          const counts = await reencryptAll(
            database,
            keyringFromSecret(process.env.SAFEGROUND_SECRET),
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
