import { messageLocale } from '../config.ts';

/**
 * Language of the command's help texts: SAFEGROUND_LOCALE (en, ru or ar), else LANG. Read
 * leniently, before the other settings are checked, so that help and the settings problem
 * itself are in the user's language.
 */
export const helpLocale: string = messageLocale();
