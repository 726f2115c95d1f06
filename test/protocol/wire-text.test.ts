// CR, LF and NUL never reach the wire: the serializer (message.ts, outgoing.ts) refuses any
// part of a line holding one (UnsafeLineError), and toWireText makes text from outside IRC
// fit one line. Fed raw strings, then fast-check properties (a failure prints the seed and
// the PARLOR_SEED=… command that replays it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { serializeMessage, serializeParams, serializeTags, type IrcMessage } from '../../src/protocol/message.ts';
import { breaksLine, toWireLines, toWireText, UnsafeLineError, utf8ByteLength } from '../../src/protocol/wire-text.ts';
import { FixedNumeric, Outgoing, TAGS_ACCOUNT, TAGS_MESSAGE_TAGS, TAGS_SERVER_TIME } from '../../src/server/outgoing.ts';

const RUNS = 1000;

function unsafe(part: string): (err: unknown) => boolean {
  return (err) => err instanceof UnsafeLineError && err.code === 'unsafe-line' && err.part === part;
}

const msg = (m: Partial<IrcMessage>): IrcMessage => ({ tags: {}, command: 'PRIVMSG', params: [], ...m });

describe('the serializer refuses CR, LF and NUL', () => {
  const params: [string, string[]][] = [
    ['CR LF and a forged line in the trailing parameter', ['viewer', 'hi\r\n:evil!e@e PRIVMSG viewer :forged']],
    ['a lone LF', ['#a', 'one\ntwo']],
    ['a lone CR', ['#a', 'one\rtwo']],
    ['NUL', ['#a', 'nul\0here']],
    ['CR LF in a middle parameter', ['#a\r\nQUIT', 'x']],
  ];
  for (const [name, p] of params) {
    test(`${name}: serializeMessage, serializeParams, Outgoing and FixedNumeric throw`, () => {
      assert.throws(() => serializeMessage(msg({ params: p })), unsafe('parameter'));
      assert.throws(() => serializeParams(p), unsafe('parameter'));
      const out = new Outgoing('n!u@h', 'PRIVMSG', p, 0);
      assert.throws(() => out.bytes(0), unsafe('parameter'));
      assert.throws(() => out.line(TAGS_SERVER_TIME), unsafe('parameter'));
      assert.throws(() => new FixedNumeric('server', '372', p), unsafe('parameter'));
    });
  }

  test('a source or command holding a line break is refused', () => {
    assert.throws(() => serializeMessage(msg({ source: 'n!u@h\r\nQUIT', params: ['a'] })), unsafe('source'));
    assert.throws(() => serializeMessage(msg({ command: 'PING\r\nQUIT', params: ['a'] })), unsafe('command'));
    assert.throws(() => new Outgoing('n!u@h\n', 'PING', ['x'], 0).line(0), unsafe('source'));
  });

  test('tag values: CR and LF are escaped (legal), NUL is refused, and so is a key with a line break', () => {
    assert.equal(serializeTags({ a: 'x\r\ny' }), 'a=x\\r\\ny');
    assert.equal(serializeMessage(msg({ tags: { '+note': 'one\ntwo' }, params: ['#a', 'hi'] })), '@+note=one\\ntwo PRIVMSG #a hi');
    assert.throws(() => serializeTags({ a: 'x\0y' }), unsafe('tag'));
    assert.throws(() => serializeTags({ 'a\r\nb': '1' }), unsafe('tag'));
    const out = new Outgoing('n!u@h', 'PRIVMSG', ['#a', 'fine'], 0, 'id1', { '+x': 'bad\0' });
    assert.equal(out.line(0), ':n!u@h PRIVMSG #a fine', 'without message-tags the client tag is not sent');
    assert.throws(() => out.bytes(TAGS_MESSAGE_TAGS), unsafe('tag'));
    assert.throws(() => new Outgoing('s', 'PING', ['x'], 0).line(0, { label: 'l\0' }), unsafe('tag'));
  });

  test('an Outgoing fails once: later recipients get the same error object, without a new scan', () => {
    const out = new Outgoing('n!u@h', 'PRIVMSG', ['#a', 'a\r\nb'], 0);
    let first: unknown;
    try {
      out.bytes(0);
    } catch (e) {
      first = e;
    }
    assert.ok(first instanceof UnsafeLineError);
    for (const variant of [0, TAGS_SERVER_TIME, TAGS_MESSAGE_TAGS | TAGS_ACCOUNT]) {
      assert.throws(
        () => out.bytes(variant),
        (e) => e === first,
      );
    }
  });

  test('safe lines are unchanged', () => {
    assert.equal(serializeMessage(msg({ source: 'n!u@h', params: ['#a', 'hello 你好 \x02bold\x02 \x1b[0m'] })), ':n!u@h PRIVMSG #a :hello 你好 \x02bold\x02 \x1b[0m');
    assert.equal(new Outgoing('n!u@h', 'PRIVMSG', ['#a', 'hi'], 0).bytes(0).toString(), ':n!u@h PRIVMSG #a hi\r\n');
  });
});

describe('text from outside IRC', () => {
  const rows: [string, string, string][] = [
    ['the broadcast attack', 'hi\r\n:evil!e@e PRIVMSG viewer :forged', 'hi :evil!e@e PRIVMSG viewer :forged'],
    ['a run of line breaks is one space', 'a\n\n\r\rb', 'a b'],
    ['NUL is dropped', 'n\0ul', 'nul'],
    ['nothing to do', 'plain 文字 \x03' + '4red', 'plain 文字 \x03' + '4red'],
    ['empty', '', ''],
  ];
  for (const [name, raw, wire] of rows) {
    test(`toWireText: ${name}`, () => {
      assert.equal(toWireText(raw), wire);
      assert.equal(breaksLine(toWireText(raw)), false);
    });
  }

  test('toWireLines: CR LF, lone CR and LF all end a line; NUL is dropped; a final line end adds no line', () => {
    assert.deepEqual(toWireLines('one\r\ntwo\rthree\nfo\0ur\n'), ['one', 'two', 'three', 'four']);
    assert.deepEqual(toWireLines(''), ['']);
  });

  test('utf8ByteLength matches Buffer.byteLength, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', '\ud800', '\udfff', '\ud83c\udf89'), (s, extra) => {
        const text = s + extra + s;
        assert.equal(utf8ByteLength(text), Buffer.byteLength(text, 'utf8'));
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});

describe('properties: no serialized line holds CR, LF or NUL but its final CR LF', () => {
  const hostileUnit = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom('\r', '\n', '\0', ' ', ':', ';', '\\', '@') },
  );
  const hostile = fc.string({ unit: hostileUnit, maxLength: 24 });
  const hostileNonEmpty = fc.string({ unit: hostileUnit, minLength: 1, maxLength: 24 });
  const tags = fc.dictionary(fc.constantFrom('+a', '+b', 'x/y', 'c'), hostile, { maxKeys: 3, noNullPrototype: true });

  test('serializeMessage either throws UnsafeLineError or returns one clean line', () => {
    fc.assert(
      fc.property(tags, fc.option(hostileNonEmpty, { nil: undefined }), fc.array(hostile, { maxLength: 5 }), (tagMap, source, params) => {
        const m: IrcMessage = { tags: tagMap, source, command: 'PRIVMSG', params };
        const holds = [source ?? '', ...params, ...Object.values(tagMap).map((v) => v.replace(/[\r\n]/g, ''))].some((p) => /[\r\n\0]/.test(p));
        let line: string;
        try {
          line = serializeMessage(m);
        } catch (e) {
          assert.ok(e instanceof UnsafeLineError, `threw ${String(e)}`);
          assert.ok(holds, `refused a clean message ${JSON.stringify(m)}`);
          return;
        }
        assert.ok(!holds, `serialized a message holding CR/LF/NUL: ${JSON.stringify(line)}`);
        assert.equal(breaksLine(line), false);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });

  test('Outgoing.bytes for every tag variant: the only CR LF is the last two bytes, and no NUL', () => {
    fc.assert(
      fc.property(hostileNonEmpty, fc.array(hostile, { minLength: 1, maxLength: 4 }), tags, fc.integer({ min: 0, max: 7 }), (source, params, clientTags, variant) => {
        const out = new Outgoing(source, 'PRIVMSG', params, 0, 'msgid', clientTags, 'acct');
        let bytes: Buffer;
        try {
          bytes = out.bytes(variant);
        } catch (e) {
          assert.ok(e instanceof UnsafeLineError, `threw ${String(e)}`);
          return;
        }
        const text = bytes.toString('utf8');
        assert.ok(text.endsWith('\r\n'));
        assert.equal(breaksLine(text.slice(0, -2)), false, JSON.stringify(text));
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });

  test('toWireText leaves nothing that breaks a line, and changes nothing else', () => {
    fc.assert(
      fc.property(hostile, (raw) => {
        const wire = toWireText(raw);
        assert.equal(breaksLine(wire), false);
        if (!breaksLine(raw)) assert.equal(wire, raw);
        assert.equal(wire.replace(/ /g, ''), raw.replace(/[\r\n\0 ]/g, ''));
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});
