// Light or dark: the system's choice until the user picks one, which is remembered on the
// device. The theme is the `data-theme` attribute of <html>, which theme.css follows.
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';

const KEY = 'parlor.theme';
/** Fired on <html> whenever the theme changes, so that toggles redraw. */
const CHANGED = 'parlor-theme';

function stored(): Theme | undefined {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined; // storage unavailable: follow the system
  }
}

function systemDark(): MediaQueryList {
  return matchMedia('(prefers-color-scheme: dark)');
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

function apply(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.dispatchEvent(new Event(CHANGED));
}

/** Sets the theme at start-up, and follows the system's while the user has not picked one. */
export function startTheme(): void {
  apply(stored() ?? (systemDark().matches ? 'dark' : 'light'));
  systemDark().addEventListener('change', (e) => {
    if (stored() === undefined) apply(e.matches ? 'dark' : 'light');
  });
}

/** The user's pick: applied and remembered. */
export function chooseTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // storage refused: the choice lasts until the page is closed
  }
  apply(theme);
}

export function useTheme(): Theme {
  const [theme, setTheme] = useState(currentTheme);
  useEffect(() => {
    const onChange = () => setTheme(currentTheme());
    document.documentElement.addEventListener(CHANGED, onChange);
    return () => document.documentElement.removeEventListener(CHANGED, onChange);
  }, []);
  return theme;
}
