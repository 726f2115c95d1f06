// Durations as operators type them (issue 15 item 6): `ban x 90min` must not become a
// permanent ban with the reason "90min".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { parseDuration, readDuration, takeDuration } from '../../src/protocol/duration.ts';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('readDuration', () => {
  test('the common spellings', () => {
    const cases: [string, number][] = [
      ['30s', 30 * S],
      ['30sec', 30 * S],
      ['45 seconds', 45 * S],
      ['90m', 90 * M],
      ['90min', 90 * M],
      ['90mins', 90 * M],
      ['90 min', 90 * M],
      ['90 minutes', 90 * M],
      ['90MIN', 90 * M],
      ['1h30m', 90 * M],
      ['1h 30m', 90 * M],
      ['1 hour 30 min', 90 * M],
      ['1hr30min', 90 * M],
      ['2 hrs', 2 * H],
      ['1.5h', 90 * M],
      ['.5h', 30 * M],
      ['0.5s', 500],
      ['2d', 2 * D],
      ['3 days', 3 * D],
      ['1w', 7 * D],
      ['2 weeks', 14 * D],
      ['1w1d1h1m1s', 7 * D + D + H + M + S],
      ['  10m  ', 10 * M],
      ['0h5m', 5 * M],
    ];
    for (const [text, ms] of cases) assert.deepEqual(readDuration(text), { ms }, JSON.stringify(text));
  });

  test('refusals say why and show the way', () => {
    const cases: [string, RegExp][] = [
      ['90mn', /^Not a duration: 90mn \(unknown unit "mn" after 90: 90s, 90m, 90h, 90d or 90w\?\); write it like 30s, 90m, 1h30m/],
      ['10 spam', /unknown unit "spam" after 10/],
      ['10', /\(10 has no unit: 10s, 10m/],
      ['1h30', /\(30 has no unit/],
      ['2 months', /unknown unit "months"/],
      ['1y', /unknown unit "y"/],
      ['soon', /^Not a duration: soon \(it does not start with a number\)/],
      ['-5m', /does not start with a number/],
      ['1,5h', /\("," after 1\)/],
      ['5m!', /\("!" after 5m\)/],
      ['0s', /longer than 0/],
      ['0.0001s', /longer than 0/],
      ['99999999999999999999w', /more than 100 years/],
      ['', /empty/],
    ];
    for (const [text, problem] of cases) {
      const reading = readDuration(text);
      assert.ok('problem' in reading, JSON.stringify(text));
      assert.match(reading.problem, problem, JSON.stringify(text));
      assert.equal(parseDuration(text), undefined);
    }
  });

  test('hostile input: no lookup by prototype keys, control characters not echoed, long text not echoed', () => {
    for (const text of ['1constructor', '1__proto__', '1toString', '1hasOwnProperty']) {
      assert.ok('problem' in readDuration(text), text);
    }
    const withNul = readDuration('5\u0000m\r\n');
    assert.ok('problem' in withNul);
    assert.ok(![...withNul.problem].some((c) => c < ' '), withNul.problem);
    const long = readDuration('1'.repeat(10_000) + 'h');
    assert.ok('problem' in long);
    assert.ok(long.problem.length < 200, long.problem);
    assert.ok('problem' in readDuration('1😀'));
    assert.ok('problem' in readDuration('１０m'), 'full-width digits are not ASCII digits');
  });

  test('never throws; a duration is a positive whole number of ms at most 100 years; a problem is one short line', () => {
    const units = fc.constantFrom('s', 'm', 'h', 'd', 'w', 'min', 'hours', 'x', '', ' ', '.', '\u0000', '\n', '😀', 'constructor');
    const piece = fc.oneof(fc.nat({ max: 1_000_000 }).map(String), units, fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((a) => a.join('')), (text) => {
        const reading = readDuration(text);
        if ('ms' in reading) {
          assert.ok(Number.isSafeInteger(reading.ms) && reading.ms > 0 && reading.ms <= 36_500 * D, text);
        } else {
          assert.ok(!/[\r\n]/.test(reading.problem) && !reading.problem.includes('\0'));
          assert.ok(reading.problem.length < 300);
        }
      }),
      propertyParams({ numRuns: 2_000 }),
    );
  });
});

describe('takeDuration', () => {
  test('the duration at the start of a command\'s words, and how many words it took', () => {
    assert.deepEqual(takeDuration(['90min', 'spamming']), { ms: 90 * M, words: 1 });
    assert.deepEqual(takeDuration(['90', 'min', 'spamming', 'again']), { ms: 90 * M, words: 2 });
    assert.deepEqual(takeDuration(['1', 'hour', '30', 'min', 'spam']), { ms: 90 * M, words: 4 });
    assert.deepEqual(takeDuration(['1h', '30m']), { ms: 90 * M, words: 2 });
    assert.deepEqual(takeDuration(['1.5h', 'x']), { ms: 90 * M, words: 1 });
    assert.deepEqual(takeDuration(['spamming', '1h']), { ms: undefined, words: 0 });
    assert.deepEqual(takeDuration([]), { ms: undefined, words: 0 });
    assert.deepEqual(takeDuration(['']), { ms: undefined, words: 0 });
    for (const perm of ['0', 'perm', 'PERMANENT']) assert.deepEqual(takeDuration([perm, 'why']), { ms: undefined, words: 1 });
  });

  test('an address is not a duration, after one or alone', () => {
    assert.deepEqual(takeDuration(['10.0.0.1', 'x']), { ms: undefined, words: 0 });
    assert.deepEqual(takeDuration(['2001:db8::1']), { ms: undefined, words: 0 });
    assert.deepEqual(takeDuration(['1h', '10.0.0.1']), { ms: H, words: 1 });
  });

  test('what looks like a duration but does not read is refused, not taken for the reason', () => {
    for (const words of [['90mn', 'spam'], ['10', 'spam'], ['10'], ['1h', '30'], ['2', 'months'], ['3rd', 'warning']]) {
      const taken = takeDuration(words);
      assert.ok('problem' in taken, words.join(' '));
    }
  });
});
