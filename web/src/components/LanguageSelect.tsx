import { LOCALES, type Locale, useI18n } from '../i18n/index.tsx';

/** Names of the languages in themselves, so a reader finds theirs whatever is shown. */
const ENDONYMS: Record<Locale, string> = { en: 'English', ru: 'Русский', ar: 'العربية' };

export function LanguageSelect() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label className="language-select">
      <span className="visually-hidden">{t('app.language')}</span>
      <select
        aria-label={t('app.language')}
        value={locale}
        onChange={(e) => setLocale(e.target.value as Locale)}
        data-testid="language"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {ENDONYMS[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
