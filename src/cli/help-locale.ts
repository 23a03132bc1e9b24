import { settingsFromEnv } from '../config.ts';

/** Language of the command's help texts (SAFEGROUND_LOCALE: en, ru or ar). */
export const helpLocale: string = settingsFromEnv().locale;
