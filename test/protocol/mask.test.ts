// The wildcard matcher against a reference (dynamic programming over code points, obviously
// correct and obviously polynomial), on random masks and subjects, and on the masks that froze
// the old RegExp-based matcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { foldCase } from '../../src/protocol/casemapping.ts';
import { compileMask, matchMask } from '../../src/protocol/mask.ts';

/** Table-filling glob match: reach[i][j] = mask[0..i) matches subject[0..j). */
function referenceMatch(mask: string, subject: string): boolean {
  const m = [...foldCase(mask)];
  const s = [...foldCase(subject)];
  let prev = new Array<boolean>(s.length + 1).fill(false);
  prev[0] = true;
  for (const mc of m) {
    const row = new Array<boolean>(s.length + 1).fill(false);
    if (mc === '*') row[0] = prev[0]!;
    for (let j = 1; j <= s.length; j++) {
      if (mc === '*') row[j] = prev[j]! || row[j - 1]!;
      else row[j] = prev[j - 1]! && (mc === '?' || mc === s[j - 1]);
    }
    prev = row;
  }
  return prev[s.length]!;
}

const unit = fc.constantFrom('a', 'b', 'A', '[', '{', '~', '^', '中', '🎉', '!', '@', '.');
const maskUnit = fc.oneof(unit, fc.constantFrom('*', '?'));

test('matches like the reference on random masks and subjects', () => {
  fc.assert(
    fc.property(fc.string({ unit: maskUnit, maxLength: 12 }), fc.string({ unit, maxLength: 14 }), (mask, subject) => {
      const want = referenceMatch(mask, subject);
      assert.equal(matchMask(mask, subject), want, `matchMask(${JSON.stringify(mask)}, ${JSON.stringify(subject)})`);
      assert.equal(compileMask(mask)(subject), want);
    }),
    propertyParams({ numRuns: 3000 }),
  );
});

test('a subject built to match the mask always matches', () => {
  // Replace each wildcard of a random mask by a random fill: the result must match.
  const piece = fc.tuple(maskUnit, fc.string({ unit, maxLength: 3 }), unit);
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
      const mask = pieces.map(([p]) => p).join('');
      const subject = pieces.map(([p, fill, one]) => (p === '*' ? fill : p === '?' ? one : p)).join('');
      assert.equal(matchMask(mask, subject), true, `${JSON.stringify(mask)} ~ ${JSON.stringify(subject)}`);
    }),
    propertyParams({ numRuns: 2000 }),
  );
});

test('the masks that froze the RegExp matcher are answered at once', () => {
  const subject = 'a'.repeat(100);
  // A 512-byte line's worth of `*a` with a `b` that never matches: every backtracking engine's
  // worst case. The two-pointer walk does at most mask × subject steps.
  for (const mask of ['*a'.repeat(7) + '*b', '*a'.repeat(250) + '*b', '*a'.repeat(40) + 'b*']) {
    assert.equal(matchMask(mask, subject), false);
    const allA = mask.replaceAll('b', 'a');
    const needed = [...allA].filter((c) => c === 'a').length;
    assert.equal(matchMask(allA, subject), needed <= subject.length);
  }
});
