// The language picker: each language named in itself, so that anyone can find their own.
import type { Locale } from '../../src/i18n/i18n.ts';
import { chooseLanguage, useLanguage } from './language.ts';

const NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

export function LanguageSelect() {
  const { locale, t } = useLanguage();
  return (
    <label class="language-select">
      <span>{t('web.language')}</span>{' '}
      <select value={locale} onChange={(e) => chooseLanguage(e.currentTarget.value as Locale)}>
        {(Object.keys(NAMES) as Locale[]).map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
