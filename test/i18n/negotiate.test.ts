// Choosing a catalogue from what software says about its user, and dates in their locale.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClock, formatDay } from '../../src/i18n/dates.ts';
import { acceptLanguageTags, bcp47FromPosix, dateLocale, localeFromEnv, localeFromTag, negotiateLocale } from '../../src/i18n/negotiate.ts';

describe('locale negotiation', () => {
  test('tags and POSIX names map to a catalogue, or to nothing', () => {
    const cases: [string, string | undefined][] = [
      ['zh', 'zh-CN'],
      ['zh-CN', 'zh-CN'],
      ['zh_CN.UTF-8', 'zh-CN'],
      ['zh-Hans-SG', 'zh-CN'],
      ['ZH-tw', 'zh-CN'],
      ['en', 'en'],
      ['en_GB.UTF-8', 'en'],
      ['de-DE', undefined],
      ['C', undefined],
      ['POSIX', undefined],
      ['', undefined],
    ];
    for (const [tag, locale] of cases) assert.equal(localeFromTag(tag), locale, tag);
  });

  test('the first language with a catalogue wins; none means English', () => {
    assert.equal(negotiateLocale(['fr-FR', 'zh-CN', 'en']), 'zh-CN');
    assert.equal(negotiateLocale(['en-US', 'zh-CN']), 'en');
    assert.equal(negotiateLocale(['fr', 'de']), 'en');
    assert.equal(negotiateLocale([]), 'en');
  });

  test('Accept-Language is ordered by q, zero weights left out', () => {
    assert.deepEqual(acceptLanguageTags('en;q=0.5, zh-CN, zh;q=0.9, fr;q=0, *;q=0.1'), ['zh-CN', 'zh', 'en']);
    assert.deepEqual(acceptLanguageTags(''), []);
    assert.deepEqual(acceptLanguageTags('xx;q=abc'), []);
  });

  test('LC_ALL, then LC_MESSAGES, then LANG', () => {
    assert.equal(localeFromEnv({}), 'en');
    assert.equal(localeFromEnv({ LANG: 'zh_CN.UTF-8' }), 'zh-CN');
    assert.equal(localeFromEnv({ LANG: 'zh_CN.UTF-8', LC_MESSAGES: 'en_US.UTF-8' }), 'en');
    assert.equal(localeFromEnv({ LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.UTF-8' }), 'zh-CN');
    assert.equal(localeFromEnv({ LANG: 'C', LC_ALL: '' }), 'en');
  });

  test('dates follow the reader’s regional form of the language shown', () => {
    assert.equal(bcp47FromPosix('en_GB.UTF-8'), 'en-GB');
    assert.equal(bcp47FromPosix('C'), undefined);
    assert.equal(dateLocale('en', ['en-GB', 'zh-CN']), 'en-GB');
    assert.equal(dateLocale('zh-CN', ['en-GB', 'zh-TW']), 'zh-TW');
    assert.equal(dateLocale('zh-CN', ['en-GB']), 'zh-CN');
  });
});

describe('dates', () => {
  const time = new Date(2026, 0, 1, 9, 5, 7);
  test('day labels in the locale', () => {
    assert.equal(formatDay(time, 'zh-CN'), '2026年1月1日周四');
    assert.equal(formatDay(time, 'en-GB'), 'Thu, 1 Jan 2026');
    assert.equal(formatDay(time, 'en'), 'Thu, Jan 1, 2026');
  });
  test('times on a 24-hour clock, two digits', () => {
    assert.equal(formatClock(time, 'en-US'), '09:05');
    assert.equal(formatClock(new Date(2026, 0, 1, 21, 5, 7), 'en-US', true), '21:05:07');
    assert.equal(formatClock(time, 'zh-CN', true), '09:05:07');
  });
});
