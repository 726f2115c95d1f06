// terminalSafe, shared by the admin console and plain-text sessions: table-driven cases, and
// random strings over the dangerous ranges checked against what a terminal may receive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { terminalSafe } from '../../src/protocol/terminal-safe.ts';

/** Anything a terminal acts on rather than shows: C0, DEL, C1, bidi controls, line separators. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

test('controls are shown in caret notation, C1 as <XX>, bidi controls as <U+XXXX>', () => {
  const cases: [string, string][] = [
    ['\x1b]0;PWNED\x07\x1b[2J', '^[]0;PWNED^G^[[2J'],
    ['a\rb\nc', 'a^Mb^Jc'],
    ['del\x7f', 'del^?'],
    ['csi\x9b31m nel\x85', 'csi<9B>31m nel<85>'],
    ['nul\x00', 'nul^@'],
    ['tab\there', 'tab here'],
    ['evil\u202Etxt.exe', 'evil<U+202E>txt.exe'],
    ['\u2066isolate\u2069 \u200Elrm\u200F \u061C', '<U+2066>isolate<U+2069> <U+200E>lrm<U+200F> <U+061C>'],
    ['line\u2028sep\u2029', 'line<U+2028>sep<U+2029>'],
    ['\u202A\u202B\u202C\u202D', '<U+202A><U+202B><U+202C><U+202D>'],
  ];
  for (const [input, want] of cases) assert.equal(terminalSafe(input), want, JSON.stringify(input));
});

test('IRC formatting is dropped; text of every script, emoji and joiners are kept', () => {
  assert.equal(terminalSafe('\x02bold\x02 \x1ditalic\x1d \x0304,01red\x03 \x04ff0000hex\x04 \x0fplain'), 'bold italic red hex plain');
  for (const text of ['你好，世界', 'שלום עולם', 'مرحبا', 'café', '👨\u200D👩\u200D👧 ❤\uFE0F', 'a\u00A0b']) assert.equal(terminalSafe(text), text);
});


test('random text: nothing unsafe comes out, and safe characters go through unchanged', () => {
  const dangerous = fc.oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029),
  );
  const safe = fc.constantFrom(0x41, 0x20, 0x5b, 0x5e, 0x3c, 0x4e2d, 0x05d0, 0x0627, 0x1f642, 0x200d, 0xa0, 0x30);
  const unit = fc.oneof(dangerous, safe).map((cp) => String.fromCodePoint(cp));
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
      const text = units.join('');
      const out = terminalSafe(text);
      assert.doesNotMatch(out, UNSAFE, JSON.stringify(text));
      // No control in the input: only what the terminal shows as it is, so nothing changes.
      if (!UNSAFE.test(text)) assert.equal(out, text);
    }),
    propertyParams({ numRuns: 3000 }),
  );
});
