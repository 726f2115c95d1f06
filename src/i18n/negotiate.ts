// Which of the catalogues' languages someone reads, from what their software says: a browser's
// navigator.languages or Accept-Language, a terminal's LC_ALL / LC_MESSAGES / LANG, or a word
// typed after /lang. Anything that is not Chinese reads English, the catalogue every key is in.
import type { Locale } from './i18n.ts';

/**
 * The catalogue for one language tag or POSIX locale name: `zh`, `zh-CN`, `zh_CN.UTF-8`,
 * `zh-Hans-SG` → zh-CN; `en`, `en_GB` → en; anything else (`de`, `C`, `POSIX`, junk) → undefined.
 * Traditional-Chinese tags (zh-TW, zh-Hant) get the Simplified catalogue too: it reads far
 * better to them than English does.
 */
export function localeFromTag(tag: string): Locale | undefined {
  const language = tag.trim().split(/[-_.@]/, 1)[0]!.toLowerCase();
  if (language === 'zh' || language === 'chinese') return 'zh-CN';
  if (language === 'en' || language === 'english') return 'en';
  return undefined;
}

/** The first of someone's languages, most wanted first, that a catalogue has; else English. */
export function negotiateLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const locale = localeFromTag(tag);
    if (locale !== undefined) return locale;
  }
  return 'en';
}

/** An Accept-Language header's tags, most wanted first (`zh-CN,zh;q=0.9,en;q=0.8`); q=0 ones left out. */
export function acceptLanguageTags(header: string): string[] {
  const entries: { tag: string; q: number; order: number }[] = [];
  header.split(',').forEach((part, order) => {
    const [tag = '', ...params] = part.split(';').map((p) => p.trim());
    const qParam = params.find((p) => p.toLowerCase().startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (tag !== '' && tag !== '*' && Number.isFinite(q) && q > 0) entries.push({ tag, q, order });
  });
  return entries.sort((a, b) => b.q - a.q || a.order - b.order).map((e) => e.tag);
}

/**
 * The locale a POSIX program's messages follow: LC_ALL, else LC_MESSAGES, else LANG (the first
 * that is set wins, even when it names a language there is no catalogue for).
 */
export function envLocaleName(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** The catalogue for a program started with `env` (English when nothing is set, or `C`). */
export function localeFromEnv(env: Readonly<Record<string, string | undefined>>): Locale {
  const name = envLocaleName(env);
  return name === undefined ? 'en' : negotiateLocale([name]);
}

/** `en_GB.UTF-8@euro` → `en-GB`; undefined when it is no BCP 47 tag Intl knows (`C`, `POSIX`). */
export function bcp47FromPosix(name: string): string | undefined {
  const tag = name.split(/[.@]/, 1)[0]!.replace(/_/g, '-');
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag])[0];
  } catch {
    return undefined;
  }
}

/**
 * The locale dates and times are written in: the person's own regional form of the language
 * shown (en-GB, en-US…), else that language's catalogue tag. A page in Chinese chosen over an
 * English browser still gets Chinese dates.
 */
export function dateLocale(locale: Locale, preferred: readonly string[]): string {
  for (const tag of preferred) {
    if (localeFromTag(tag) !== locale) continue;
    const known = bcp47FromPosix(tag);
    if (known !== undefined) return known;
  }
  return locale;
}
