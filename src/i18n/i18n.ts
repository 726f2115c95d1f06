// Message catalogues (locales/*.json, shared by the server's plain-text mode, `parlor chat` and
// the web client) and a translator over them: an i18next instance of its own per translator,
// so that two connections (or two tests) in one process never change each other's language.
import { createInstance, type TFunction } from 'i18next';
import en from './locales/en.json' with { type: 'json' };
import zhCN from './locales/zh-CN.json' with { type: 'json' };

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export const CATALOGUES: Readonly<Record<Locale, unknown>> = { en, 'zh-CN': zhCN };

/** `a.b.c` for every string in a nested catalogue. */
type Paths<T> = { [K in keyof T & string]: T[K] extends string ? K : `${K}.${Paths<T[K]>}` }[keyof T & string];
/** Plural forms (`x_one`, `x_other`) are asked for as `x` with a count. */
type WithoutPlural<K extends string> = K extends `${infer Base}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? Base : K;
export type MessageKey = WithoutPlural<Paths<typeof en>>;

export type MessageValues = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: MessageValues) => string;

export interface Translator {
  readonly locale: Locale;
  readonly t: Translate;
}

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

export function createTranslator(locale: Locale): Translator {
  const instance = createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    // Synchronous: the catalogues are bundled, nothing is fetched.
    initAsync: false,
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    // Every view escapes for itself (preact, the terminal): i18next's HTML escaping would show &lt;.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const t: TFunction = instance.t;
  return { locale, t: (key, values) => String(t(key, values)) };
}

/** English, for callers that are given no language (tests, IRC-level defaults). Never changed. */
export const ENGLISH: Translator = createTranslator('en');

/**
 * One translator per language, shared by every connection: a translator never changes its
 * language (no one reaches its i18next instance), and making one costs about a millisecond of
 * the event loop, too much to spend on each nc connection a stranger opens.
 */
const SHARED_TRANSLATORS: Readonly<Record<Locale, Translator>> = Object.freeze({ en: ENGLISH, 'zh-CN': createTranslator('zh-CN') });

/** The shared translator for `locale` (createTranslator makes a new one). */
export function translatorFor(locale: Locale): Translator {
  return SHARED_TRANSLATORS[locale];
}
