// Cutting text to a number of UTF-8 bytes: never inside a character or a surrogate pair,
// between graphemes when that leaves something, and a CTCP keeps its closing \x01.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clipMessageText, clipToBytes } from '../../src/protocol/clip-text.ts';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('clipToBytes', () => {
  test('text that fits is returned as it is', () => {
    assert.equal(clipToBytes('hello', 5), 'hello');
    assert.equal(clipToBytes('中文', 6), '中文');
  });

  test('a cut inside a 3- or 4-byte character falls before it', () => {
    assert.equal(clipToBytes('中文字', 7), '中文');
    assert.equal(clipToBytes('a😀b', 4), 'a');
    assert.equal(clipToBytes('😀😀', 7), '😀');
  });

  test('every cut of mixed text is a start of it, within the bytes, with no broken character', () => {
    const text = 'ab中😀é文👍🏽x';
    for (let max = 0; max <= bytes(text); max++) {
      const cut = clipToBytes(text, max);
      assert.ok(text.startsWith(cut) && bytes(cut) <= max, `${max}: ${JSON.stringify(cut)}`);
      assert.ok(!/[\ud800-\udbff]$/.test(cut), 'no high surrogate left alone');
    }
  });

  test('a grapheme (emoji with modifiers, ZWJ family) is not split when something is left before it', () => {
    const family = '👨‍👩‍👧'; // 18 bytes: three people joined by ZWJ
    assert.equal(clipToBytes(`ok${family}`, 2 + 11), 'ok');
    assert.equal(clipToBytes(`ok👍🏽`, 2 + 4), 'ok', 'the skin tone stays with its thumb');
    // A lone grapheme larger than the room is cut between its characters rather than lost.
    assert.equal(clipToBytes(family, 11), '👨‍👩');
  });

  test('a lone surrogate counts as the three bytes of U+FFFD it is written as', () => {
    assert.equal(clipToBytes('\ud800abc', 4), '\ud800a');
  });
});

describe('clipMessageText', () => {
  test('a cut CTCP ACTION keeps its closing \\x01 within the bytes', () => {
    const action = `\x01ACTION ${'中'.repeat(10)}\x01`;
    const cut = clipMessageText(action, 20);
    assert.equal(cut, `\x01ACTION 中中中\x01`);
    assert.ok(bytes(cut) <= 20, 'within the bytes');
  });

  test('plain text is cut as clipToBytes does; text that fits is untouched', () => {
    assert.equal(clipMessageText('中文字', 7), '中文');
    assert.equal(clipMessageText('\x01ACTION hi\x01', 100), '\x01ACTION hi\x01');
  });
});
