// The message catalogues: every key in both languages, with the same {{variables}}, the plural
// forms each language needs, nothing empty, and Chinese written with full-width punctuation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUES, createTranslator, LOCALES, type Locale } from '../../src/i18n/i18n.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** `a.b.c` → text, for every string in a nested catalogue. */
function flatten(tree: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree as Record<string, unknown>)) {
    const path = prefix + key;
    if (typeof value === 'string') out.set(path, value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of flatten(value, `${path}.`)) out.set(k, v);
    else assert.fail(`${path} is neither text nor a group of keys`);
  }
  return out;
}

const variables = (text: string): string[] => [...text.matchAll(/\{\{\s*([^},\s]+)[^}]*\}\}/g)].map((m) => m[1]!);

/** Base key (plural suffix taken off) → the variables used over all its forms, and its forms. */
function byBaseKey(locale: Locale): Map<string, { vars: Set<string>; forms: Set<string> }> {
  const out = new Map<string, { vars: Set<string>; forms: Set<string> }>();
  for (const [key, text] of flatten(CATALOGUES[locale])) {
    const base = key.replace(PLURAL, '');
    const entry = out.get(base) ?? { vars: new Set(), forms: new Set() };
    for (const v of variables(text)) entry.vars.add(v);
    entry.forms.add(PLURAL.exec(key)?.[1] ?? '');
    out.set(base, entry);
  }
  return out;
}

describe('message catalogues', () => {
  const [en, zh] = [byBaseKey('en'), byBaseKey('zh-CN')];

  test('every key is in both catalogues', () => {
    assert.deepEqual([...en.keys()].filter((k) => !zh.has(k)), [], 'in en, missing from zh-CN');
    assert.deepEqual([...zh.keys()].filter((k) => !en.has(k)), [], 'in zh-CN, missing from en');
  });

  test('both use the same interpolation variables for a key', () => {
    for (const [key, { vars }] of en) assert.deepEqual([...(zh.get(key)?.vars ?? [])].sort(), [...vars].sort(), key);
  });

  test('plural keys have exactly the forms the language needs; others have none', () => {
    for (const locale of LOCALES) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.sort();
      for (const [key, { forms, vars }] of byBaseKey(locale)) {
        const plural = [...forms].some((f) => f !== '');
        const otherPlural = [...(locale === 'en' ? zh : en).get(key)!.forms].some((f) => f !== '');
        assert.equal(plural, otherPlural, `${key}: plural in one catalogue only`);
        if (!plural) continue;
        assert.deepEqual([...forms].sort(), categories, `${locale} ${key}`);
        assert.ok(vars.has('count'), `${key} is plural, so it takes {{count}}`);
      }
    }
  });

  test('no value is empty or only spaces', () => {
    for (const locale of LOCALES) for (const [key, text] of flatten(CATALOGUES[locale])) assert.notEqual(text.trim(), '', `${locale} ${key}`);
  });

  test('Chinese text uses full-width punctuation next to Chinese characters', () => {
    // `昵称!*@*` is a ban mask, not an exclamation.
    const halfWidthByHan = /[\u4e00-\u9fff](?:[,;:?()]|!(?!\*@))|[,;:?!()][\u4e00-\u9fff]/u;
    for (const [key, text] of flatten(CATALOGUES['zh-CN'])) assert.doesNotMatch(text, halfWidthByHan, key);
  });

  test('Chinese text has no space between two Chinese words, except in what the user types or sees verbatim', () => {
    // Examples keep their spaces: a command with its arguments (`/msg 昵称 内容`), a quoted
    // line (“* 你 挥手”), a name after 如 (e.g.), a ban mask (昵称!*@*). Each becomes a Latin X.
    const examples = [/\/[a-z]+(?: +[^\s，。；：！？（）、“”]+)*/g, /“[^”]*”/g, /如 [^\s，、）]+/g, /\S+!\*@\*/g];
    const spaceBetweenHan = /[\u4e00-\u9fff]\s+[\u4e00-\u9fff]/u;
    for (const [key, text] of flatten(CATALOGUES['zh-CN'])) {
      const prose = examples.reduce((rest, example) => rest.replace(example, 'X'), text);
      assert.doesNotMatch(prose, spaceBetweenHan, `${key}: ${text}`);
    }
    assert.match('聊天室 列表', spaceBetweenHan, 'the check itself finds a stray space');
  });

  test('Chinese text calls each thing by one name, the one the catalogue settled on', () => {
    // The word avoided → the word used: a topic is 主题, an account 账号, a room 聊天室.
    const glossary: [avoid: string, use: string][] = [
      ['话题', '主题'],
      ['帐号', '账号'],
      ['帐户', '账号'],
      ['账户', '账号'],
      ['房间', '聊天室'],
      ['频道', '聊天室'],
    ];
    for (const [key, text] of flatten(CATALOGUES['zh-CN'])) {
      for (const [avoid, use] of glossary) assert.ok(!text.includes(avoid), `${key}: “${avoid}” → “${use}” in ${text}`);
    }
  });

  test('an ellipsis is one character (…), in both languages', () => {
    for (const locale of LOCALES) for (const [key, text] of flatten(CATALOGUES[locale])) assert.ok(!text.includes('...'), `${locale} ${key}`);
  });

  test('a translator fills in variables, picks plurals and escapes nothing', () => {
    const en = createTranslator('en');
    const zh = createTranslator('zh-CN');
    assert.equal(en.t('plain.event.listEntry', { room: '#a', count: 1 }), '  #a (1 person)');
    assert.equal(en.t('plain.event.listEntry', { room: '#a', count: 2 }), '  #a (2 people)');
    assert.equal(zh.t('plain.event.listEntry', { room: '#a', count: 1 }), '  #a（1 人）');
    assert.equal(en.t('plain.event.joined', { nick: '<b>&', room: '#a' }), '--> <b>& joined #a');
    assert.equal(zh.locale, 'zh-CN');
  });
});
