// Property tests (fast-check) of the pure protocol layer: serialize/parse round trip, parseLine
// on arbitrary input, LineDecoder independence from how the bytes are split, tag escaping.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import {
  escapeTagValue,
  type IrcMessage,
  parseLine,
  ProtocolError,
  serializeMessage,
  unescapeTagValue,
} from '../../src/protocol/message.ts';
import { UnsafeLineError } from '../../src/protocol/wire-text.ts';
import { LineDecoder, stripTelnet } from '../../src/transport/line-decoder.ts';
import type { FramingError } from '../../src/transport/connection.ts';

const RUNS = 500;

// --- generators -------------------------------------------------------------------------

const chars = (s: string) => fc.constantFrom(...s.split(''));
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Characters that matter to the IRC grammar, so that they show up often. */
const IRC_SPECIAL = [' ', ':', ';', '@', '=', '\\', '!', '\t', '+', '/', 's', 'r', 'n'];
/** One unit of text: mostly any code point, often a special character, sometimes a lone surrogate. */
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(...IRC_SPECIAL, '\r', '\n', '\0') },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udfff', '中', '🎉', 'é') },
);
const anyText = fc.string({ unit: anyUnit, maxLength: 30 });
/** Text without CR, LF, NUL (what a line may carry). */
const lineText = fc.string({ unit: anyUnit.filter((c) => !/[\r\n\0]/.test(c)), maxLength: 30 });
/** A tag value may hold CR and LF (they are escaped), never NUL (IRCv3 message-tags). */
const tagValue = fc.string({ unit: anyUnit.filter((c) => c !== '\0'), maxLength: 30 });

const tagKeyName = fc.string({ unit: chars(ALNUM + '-'), minLength: 1, maxLength: 8 });
const vendor = fc.string({ unit: chars(ALNUM + '.-'), minLength: 1, maxLength: 10 });
const tagKey = fc
  .tuple(fc.boolean(), fc.option(vendor, { nil: undefined }), tagKeyName)
  .map(([clientOnly, v, name]) => `${clientOnly ? '+' : ''}${v === undefined ? '' : v + '/'}${name}`);

const source = fc.option(
  fc.string({ unit: anyUnit.filter((c) => !/[ \r\n\0]/.test(c)), minLength: 1, maxLength: 20 }),
  { nil: undefined },
);
const command = fc.oneof(
  fc.string({ unit: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 10 }),
  fc.string({ unit: chars('0123456789'), minLength: 3, maxLength: 3 }),
);
const middleParam = fc
  .string({ unit: anyUnit.filter((c) => !/[ \r\n\0]/.test(c)), minLength: 1, maxLength: 12 })
  .filter((p) => !p.startsWith(':'));

const ircMessage: fc.Arbitrary<IrcMessage> = fc
  .record({
    tags: fc.dictionary(tagKey, tagValue, { maxKeys: 5, noNullPrototype: true }),
    source,
    command,
    middle: fc.array(middleParam, { maxLength: 6 }),
    last: fc.option(lineText, { nil: undefined }),
  })
  .map(({ tags, source, command, middle, last }) => ({
    tags,
    source,
    command,
    params: last === undefined ? middle : [...middle, last],
  }));

/** An empty source serializes to nothing, so compare with it left out. */
const normalize = (m: IrcMessage): IrcMessage => ({ ...m, source: m.source || undefined });

// --- properties -------------------------------------------------------------------------

describe('message properties', () => {
  test('parseLine(serializeMessage(m)) equals m for any valid message', () => {
    fc.assert(
      fc.property(ircMessage, (m) => {
        const line = serializeMessage(m);
        assert.deepStrictEqual(parseLine(line), normalize(m), `line: ${JSON.stringify(line)}`);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });

  const ircLike = fc.string({
    unit: fc.oneof(chars('@:; =\\+/.-!aAzZ019'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
    maxLength: 40,
  });
  const arbitraryLine = fc.oneof(ircLike, fc.string({ unit: anyUnit, maxLength: 40 }), fc.string());

  test('parseLine throws nothing but ProtocolError, and what it returns is well-formed', () => {
    fc.assert(
      fc.property(arbitraryLine, (line) => {
        let m: IrcMessage;
        try {
          m = parseLine(line);
        } catch (e) {
          assert.ok(e instanceof ProtocolError, `threw ${String(e)} for ${JSON.stringify(line)}`);
          return;
        }
        // Any word is a command: no space, no leading ':', no ASCII lower case, digits only as a numeric.
        assert.ok(m.command !== '' && !m.command.includes(' ') && !m.command.startsWith(':'), `bad command ${JSON.stringify(m.command)}`);
        assert.doesNotMatch(m.command, /[a-z]|^(?:[0-9]{1,2}|[0-9]{4,})$/);
        const middle = m.params.slice(0, -1);
        for (const p of middle) {
          assert.ok(p !== '' && !p.includes(' ') && !p.startsWith(':'), `bad middle param ${JSON.stringify(p)}`);
        }
        // What was parsed serializes to a line that parses to the same message, unless the
        // line held CR, LF or NUL (the decoder never passes those on): then it is refused.
        let again: string;
        try {
          again = serializeMessage(m);
        } catch (e) {
          assert.ok(e instanceof UnsafeLineError && /[\r\n\0]/.test(line), `threw ${String(e)} for ${JSON.stringify(line)}`);
          return;
        }
        assert.deepStrictEqual(parseLine(again), normalize(m));
      }),
      propertyParams({ numRuns: RUNS * 2 }),
    );
  });

  test('unescapeTagValue(escapeTagValue(v)) === v, and the escaped form has no space, ";", CR, LF', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ unit: 'binary' })), (v) => {
        const escaped = escapeTagValue(v);
        assert.doesNotMatch(escaped, /[ ;\r\n]/);
        assert.equal(unescapeTagValue(escaped), v);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });

  test('unescapeTagValue never throws and never grows a value', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        assert.ok(unescapeTagValue(raw).length <= raw.length);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});

// --- LineDecoder --------------------------------------------------------------------------

type Event = { line: string; bytes: number } | { error: FramingError };

function decode(max: number, chunks: Buffer[]): Event[] {
  const events: Event[] = [];
  const d = new LineDecoder(max, {
    onLine: (line, bytes) => events.push({ line, bytes }),
    onFramingError: (error) => events.push({ error }),
  });
  for (const c of chunks) d.push(c);
  return events;
}

/** Straightforward model of the framing rules, for a buffer given at once. */
function model(max: number, buf: Buffer): Event[] {
  const events: Event[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (;;) {
    const lf = buf.indexOf(0x0a, start);
    if (lf === -1) break;
    let line = buf.subarray(start, lf);
    start = lf + 1;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    if (line.length > max) {
      events.push({ error: 'line-too-long' });
      continue;
    }
    // Telnet negotiation (IAC …, 0xFF never being UTF-8) is taken out first; stripTelnet has
    // its own tests, here it is part of the rules the split must not change.
    if (line.includes(0xff)) line = stripTelnet(line);
    if (line.length === 0) continue;
    if (line.includes(0)) events.push({ error: 'nul-byte' });
    else if (line.includes(0x0d)) events.push({ error: 'bare-cr' });
    else {
      try {
        events.push({ line: utf8.decode(line), bytes: line.length });
      } catch {
        events.push({ error: 'invalid-utf8' });
      }
    }
  }
  // An unfinished line is only reported once it can no longer fit (a CR may still follow).
  if (buf.length - start > max + 1) events.push({ error: 'line-too-long' });
  return events;
}

const interestingByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x61, max: 0x66 }) },
  { weight: 2, arbitrary: fc.constantFrom(0x0a, 0x0d) },
  { weight: 1, arbitrary: fc.constantFrom(0x00, 0xff, 0xc0, 0x80, 0xe4, 0xb8, 0xad, 0xf0, 0x9f, 0x8e, 0x89) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const bytes = fc.oneof(
  fc.array(interestingByte, { maxLength: 80 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  fc.array(fc.oneof(lineText, fc.constantFrom('\r\n', '\n', '\r')), { maxLength: 8 }).map((a) => Buffer.from(a.join(''), 'utf8')),
);

/** Cut a buffer at the given points (taken modulo its length). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (buf.length === 0 ? 0 : c % (buf.length + 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(buf.subarray(prev, p));
    prev = p;
  }
  chunks.push(buf.subarray(prev));
  return chunks;
}

describe('LineDecoder properties', () => {
  test('output does not depend on how the bytes are split, and matches the model', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), bytes, fc.array(fc.nat(), { maxLength: 20 }), (max, buf, cuts) => {
        const whole = decode(max, [buf]);
        assert.deepStrictEqual(whole, model(max, buf));
        assert.deepStrictEqual(decode(max, split(buf, cuts)), whole);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });

  test('byte by byte gives the same output as all at once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), bytes, (max, buf) => {
        const single = [...buf].map((b) => Buffer.from([b]));
        assert.deepStrictEqual(decode(max, single), decode(max, [buf]));
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });

  test('every line given to onLine is valid: no CR, LF, NUL, within the limit, byteLength exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), bytes, (max, buf) => {
        for (const e of decode(max, [buf])) {
          if (!('line' in e)) continue;
          assert.doesNotMatch(e.line, /[\r\n\0]/);
          assert.equal(Buffer.byteLength(e.line, 'utf8'), e.bytes);
          assert.ok(e.bytes > 0 && e.bytes <= max);
        }
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});
