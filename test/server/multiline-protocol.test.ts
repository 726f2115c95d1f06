// The pure multiline helpers (src/protocol/multiline.ts): a message's lines and its combined
// form (what history keeps) give each other back exactly, blank and concat lines included;
// lines are cut to a byte budget between words, never inside a character; the cap value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { combineLines, cutToBytes, multilineBytes, multilineCapValue, parseMultilineCap, splitCombined, type MultilineLine } from '../../src/protocol/multiline.ts';

const line = fc.record({ text: fc.string({ unit: fc.constantFrom('a', ' ', '你', '😀', 'b') }), concat: fc.boolean() });

test('lines → combined → lines is the identity (a first line or a blank line never concat)', () => {
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (raw) => {
      // What a server accepts: no concat on the first line nor on a blank one.
      const lines: MultilineLine[] = raw.map((l, i) => ({ text: l.text, concat: i > 0 && l.concat && l.text !== '' }));
      const { text, concat } = combineLines(lines);
      assert.deepEqual(splitCombined(text, concat), lines);
      assert.equal(multilineBytes(lines), Buffer.byteLength(text));
    }),
    propertyParams(),
  );
});

test('cutToBytes: pieces within the budget, joined back to the text, cut after a space when one is near', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '你', '😀'), maxLength: 300 }), fc.integer({ min: 8, max: 120 }), (text, max) => {
      const pieces = cutToBytes(text, max);
      assert.equal(pieces.join(''), text);
      for (const p of pieces) assert.ok(Buffer.byteLength(p) <= max && !p.includes('\uFFFD'));
    }),
    propertyParams(),
  );
  assert.deepEqual(cutToBytes('hello there world', 12), ['hello there ', 'world']);
});

test('the capability value, written and read', () => {
  assert.equal(multilineCapValue({ maxBytes: 4096, maxLines: 24 }), 'max-bytes=4096,max-lines=24');
  assert.deepEqual(parseMultilineCap('max-bytes=4096,max-lines=24,future=1'), { maxBytes: 4096, maxLines: 24 });
  assert.deepEqual(parseMultilineCap('max-bytes=100'), { maxBytes: 100, maxLines: undefined });
  assert.equal(parseMultilineCap('max-lines=3'), undefined);
  assert.equal(parseMultilineCap(undefined), undefined);
});
