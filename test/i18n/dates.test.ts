// Date formatters made once (src/i18n/dates.ts): the web log writes a time for every line on
// every redraw, so it keeps one Intl formatter per language instead of one per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockFormat, dateTimeFormat, formatClock, formatDateTime } from '../../src/i18n/dates.ts';

test('a formatter made once writes what the one-off functions write', () => {
  const times = [new Date(2026, 0, 1, 9, 5, 7), new Date(2026, 6, 31, 23, 59, 0)];
  for (const locale of ['en', 'en-GB', 'zh-CN']) {
    const clock = clockFormat(locale);
    const clockSeconds = clockFormat(locale, true);
    const dateTime = dateTimeFormat(locale);
    for (const time of times) {
      assert.equal(clock(time), formatClock(time, locale));
      assert.equal(clockSeconds(time), formatClock(time, locale, true));
      assert.equal(dateTime(time), formatDateTime(time, locale));
    }
  }
  assert.equal(clockFormat('zh-CN')(times[1]!), '23:59');
});
