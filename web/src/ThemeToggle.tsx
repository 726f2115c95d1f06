// A toggle between the light and the dark theme (pressed: dark).
import { useLanguage } from './language.ts';
import { chooseTheme, useTheme } from './theme.ts';

export function ThemeToggle() {
  const theme = useTheme();
  const dark = theme === 'dark';
  const { t } = useLanguage();
  return (
    <button type="button" class="theme-toggle" aria-pressed={dark} onClick={() => chooseTheme(dark ? 'light' : 'dark')}>
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> {t('web.theme.dark')}
    </button>
  );
}
