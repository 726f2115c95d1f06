// The page's language: English or Simplified Chinese, from the browser's languages until the
// user picks one, which is remembered on the device. The choice is <html lang> (screen
// readers and fonts follow it); the App provides it (one catalogue instance per choice) and
// components read it with useLanguage(), redrawing on a change.
import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { LineLanguage } from '../../src/clients/format.ts';
import { createTranslator, isLocale, type Locale, type Translate } from '../../src/i18n/i18n.ts';
import { clockFormat, dateTimeFormat } from '../../src/i18n/dates.ts';
import { dateLocale, negotiateLocale } from '../../src/i18n/negotiate.ts';

const KEY = 'parlor.language';
/** Fired on <html> whenever the language changes, so that views redraw. */
const CHANGED = 'parlor-language';

function stored(): Locale | undefined {
  try {
    const value = localStorage.getItem(KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined; // storage unavailable: follow the browser
  }
}

/** The browser's languages, most wanted first. */
function preferred(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

export function currentLocale(): Locale {
  const lang = document.documentElement.lang;
  return isLocale(lang) ? lang : 'en';
}

function apply(locale: Locale): void {
  document.documentElement.lang = locale;
  document.documentElement.dispatchEvent(new Event(CHANGED));
}

/** Sets the language at start-up, and follows the browser's while the user has not picked one. */
export function startLanguage(): void {
  apply(stored() ?? negotiateLocale(preferred()));
  addEventListener('languagechange', () => {
    if (stored() === undefined) apply(negotiateLocale(preferred()));
  });
}

/** The user's pick: applied and remembered. */
export function chooseLanguage(locale: Locale): void {
  try {
    localStorage.setItem(KEY, locale);
  } catch {
    // storage refused: the choice lasts until the page is closed
  }
  apply(locale);
}

export interface PageLanguage extends LineLanguage {
  readonly locale: Locale;
  readonly t: Translate;
  readonly translator: ReturnType<typeof createTranslator>;
  /** A line's time, 09:05, in dateLocale (one formatter for the whole log). */
  readonly clock: (time: Date) => string;
  /** A moment with its date, for a time's tooltip. */
  readonly dateTime: (time: Date) => string;
}

function pageLanguage(locale: Locale): PageLanguage {
  const translator = createTranslator(locale);
  const dates = dateLocale(locale, preferred());
  return { locale, t: translator.t, translator, dateLocale: dates, clock: clockFormat(dates), dateTime: dateTimeFormat(dates) };
}

export const LanguageContext = createContext<PageLanguage | undefined>(undefined);

/** The page's language, its catalogue and the locale its dates are written in. */
export function useLanguage(): PageLanguage {
  return useContext(LanguageContext) ?? pageLanguage(currentLocale());
}

/** For the App's root, which provides it: the language, following <html lang>. */
export function usePageLanguage(): PageLanguage {
  const [locale, setLocale] = useState(currentLocale);
  useEffect(() => {
    const onChange = () => setLocale(currentLocale());
    document.documentElement.addEventListener(CHANGED, onChange);
    return () => document.documentElement.removeEventListener(CHANGED, onChange);
  }, []);
  return useMemo(() => pageLanguage(locale), [locale]);
}
