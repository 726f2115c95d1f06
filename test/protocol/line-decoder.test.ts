// LineDecoder fed raw Buffers: line ends (CR LF, bare LF), lines and UTF-8 characters split
// across reads, and each framing error, after which the next line still decodes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineDecoder } from '../../src/transport/line-decoder.ts';
import type { FramingError } from '../../src/transport/connection.ts';

type Event = { line: string; bytes: number } | { error: FramingError };

function recorder(max = 512): { d: LineDecoder; events: Event[] } {
  const events: Event[] = [];
  const d = new LineDecoder(max, {
    onLine: (line, bytes) => events.push({ line, bytes }),
    onFramingError: (error) => events.push({ error }),
  });
  return { d, events };
}

function feed(chunks: (Buffer | string)[], max = 512): Event[] {
  const { d, events } = recorder(max);
  for (const c of chunks) d.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  return events;
}

const line = (text: string): Event => ({ line: text, bytes: Buffer.byteLength(text, 'utf8') });
const err = (error: FramingError): Event => ({ error });
const bytewise = (buf: Buffer): Buffer[] => [...buf].map((b) => Buffer.from([b]));

describe('LineDecoder: line ends', () => {
  test('CR LF ends a line', () => {
    assert.deepEqual(feed(['PING a\r\nPING b\r\n']), [line('PING a'), line('PING b')]);
  });

  test('a bare LF ends a line too', () => {
    assert.deepEqual(feed(['PING a\nPING b\n']), [line('PING a'), line('PING b')]);
  });

  test('mixed CR LF and LF in one read', () => {
    assert.deepEqual(feed(['A\r\nB\nC\r\n']), [line('A'), line('B'), line('C')]);
  });

  test('nothing is emitted before the line end arrives', () => {
    const { d, events } = recorder();
    d.push(Buffer.from('PRIVMSG #a :hel'));
    assert.deepEqual(events, []);
    d.push(Buffer.from('lo\r'));
    assert.deepEqual(events, []);
    d.push(Buffer.from('\n'));
    assert.deepEqual(events, [line('PRIVMSG #a :hello')]);
  });

  test('CR and LF in separate reads', () => {
    assert.deepEqual(feed(['PING x\r', '\nPING y\r', '\n']), [line('PING x'), line('PING y')]);
  });

  test('a line split byte by byte', () => {
    const buf = Buffer.from('@a=b :src PRIVMSG #chan :hello there\r\nPING z\r\n');
    assert.deepEqual(feed(bytewise(buf)), [line('@a=b :src PRIVMSG #chan :hello there'), line('PING z')]);
  });

  test('a line split over many uneven chunks', () => {
    const text = 'PRIVMSG #chan :' + 'x'.repeat(200);
    const buf = Buffer.from(text + '\r\n');
    const chunks: Buffer[] = [];
    for (let i = 0, size = 1; i < buf.length; i += size, size = (size % 7) + 1) chunks.push(buf.subarray(i, i + size));
    assert.deepEqual(feed(chunks), [line(text)]);
  });

  test('empty lines are ignored', () => {
    assert.deepEqual(feed(['\r\n\n\r\nPING a\r\n\r\n\nPING b\n']), [line('PING a'), line('PING b')]);
  });

  test('the decoder copies what it keeps: reusing the chunk buffer does not corrupt lines', () => {
    const { d, events } = recorder();
    const chunk = Buffer.from('PING abc');
    d.push(chunk);
    chunk.fill(0x7a); // the socket may reuse its buffer
    d.push(Buffer.from('def\r\n'));
    assert.deepEqual(events, [line('PING abcdef')]);
  });
});

describe('LineDecoder: UTF-8', () => {
  test('a 3-byte Chinese character split across two reads', () => {
    const buf = Buffer.from('PRIVMSG #a :中文\r\n', 'utf8');
    const at = buf.indexOf(Buffer.from('中')) + 1; // inside the first character
    assert.deepEqual(feed([buf.subarray(0, at), buf.subarray(at)]), [line('PRIVMSG #a :中文')]);
    const at2 = at + 1; // after its second byte
    assert.deepEqual(feed([buf.subarray(0, at2), buf.subarray(at2)]), [line('PRIVMSG #a :中文')]);
  });

  test('a 4-byte emoji split at every inner point', () => {
    const buf = Buffer.from('PRIVMSG #a :🎉!\r\n', 'utf8');
    const start = buf.indexOf(Buffer.from('🎉'));
    for (let cut = start + 1; cut < start + 4; cut++) {
      assert.deepEqual(feed([buf.subarray(0, cut), buf.subarray(cut)]), [line('PRIVMSG #a :🎉!')], `cut at ${cut}`);
    }
  });

  test('UTF-8 byte by byte', () => {
    const text = 'PRIVMSG #频道 :你好 🎉👍🏽 é';
    assert.deepEqual(feed(bytewise(Buffer.from(text + '\n'))), [line(text)]);
  });

  test('byteLength is the UTF-8 byte length, not the string length', () => {
    const events = feed(['PRIVMSG #a :中🎉é\r\n']);
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.ok('line' in e);
    assert.equal(e.line, 'PRIVMSG #a :中🎉é');
    assert.equal(e.bytes, 12 + 3 + 4 + 2); // the CR LF is not counted
    assert.notEqual(e.bytes, e.line.length);
  });

  const invalid: [string, number[]][] = [
    ['0xff byte', [0xff]],
    ['0xfe byte', [0xfe]],
    ['lone continuation byte', [0x80]],
    ['overlong "/" (C0 AF)', [0xc0, 0xaf]],
    ['overlong NUL (C0 80)', [0xc0, 0x80]],
    ['overlong 3-byte (E0 80 AF)', [0xe0, 0x80, 0xaf]],
    ['UTF-16 surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['beyond U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated 3-byte sequence before LF', [0xe4, 0xb8]],
    ['truncated 4-byte sequence before LF', [0xf0, 0x9f, 0x8e]],
    ['truncated sequence followed by ASCII', [0xe4, 0x41]],
  ];
  for (const [name, seq] of invalid) {
    test(`invalid UTF-8: ${name} → 'invalid-utf8', next line still decodes`, () => {
      const bad = Buffer.concat([Buffer.from('PRIVMSG #a :x'), Buffer.from(seq), Buffer.from('\r\nPING ok\r\n')]);
      assert.deepEqual(feed([bad]), [err('invalid-utf8'), line('PING ok')]);
      assert.deepEqual(feed(bytewise(bad)), [err('invalid-utf8'), line('PING ok')]);
    });
  }

  test('a truncated sequence at the very end of a line with a bare LF', () => {
    const bad = Buffer.concat([Buffer.from('PING '), Buffer.from([0xe4, 0xb8]), Buffer.from('\nPING ok\n')]);
    assert.deepEqual(feed([bad]), [err('invalid-utf8'), line('PING ok')]);
  });
});

describe('LineDecoder: framing errors', () => {
  test("NUL inside a line → 'nul-byte'; the next line decodes", () => {
    const buf = Buffer.from('PRIVMSG #a :x\0y\r\nPING ok\r\n', 'binary');
    assert.deepEqual(feed([buf]), [err('nul-byte'), line('PING ok')]);
  });

  test("NUL alone on a line → 'nul-byte'", () => {
    assert.deepEqual(feed([Buffer.from([0, 0x0d, 0x0a])]), [err('nul-byte')]);
  });

  test("bare CR inside a line → 'bare-cr'; the next line decodes", () => {
    assert.deepEqual(feed(['PRIVMSG #a :x\ry\r\nPING ok\r\n']), [err('bare-cr'), line('PING ok')]);
  });

  test("CR CR LF → 'bare-cr' (only one CR belongs to the line end)", () => {
    assert.deepEqual(feed(['PING x\r\r\nPING ok\r\n']), [err('bare-cr'), line('PING ok')]);
  });

  test("a CR at the start of a line → 'bare-cr'", () => {
    assert.deepEqual(feed(['\rPING x\r\n']), [err('bare-cr')]);
  });

  test('one error per bad line, in order with the good lines', () => {
    const buf = Buffer.concat([
      Buffer.from('A\r\n'),
      Buffer.from('B\0\r\n', 'binary'),
      Buffer.from('C\r\n'),
      Buffer.from([0x44, 0xff, 0x0d, 0x0a]),
      Buffer.from('E\rE\r\n'),
      Buffer.from('F\n'),
    ]);
    const want = [line('A'), err('nul-byte'), line('C'), err('invalid-utf8'), err('bare-cr'), line('F')];
    assert.deepEqual(feed([buf]), want);
    assert.deepEqual(feed(bytewise(buf)), want);
  });
});

describe('LineDecoder: line length limit', () => {
  const MAX = 32;

  test('a line of exactly maxLineBytes is accepted (CR LF not counted)', () => {
    const text = 'P'.repeat(MAX);
    assert.deepEqual(feed([text + '\r\n'], MAX), [line(text)]);
    assert.deepEqual(feed([text + '\n'], MAX), [line(text)]);
  });

  test('a line of exactly maxLineBytes arriving byte by byte is accepted', () => {
    const text = 'P'.repeat(MAX);
    assert.deepEqual(feed(bytewise(Buffer.from(text + '\r\n')), MAX), [line(text)]);
    assert.deepEqual(feed(bytewise(Buffer.from(text + '\n')), MAX), [line(text)]);
  });

  test('the limit counts bytes: multi-byte characters up to exactly the limit are accepted', () => {
    const text = '中'.repeat(10) + 'ab'; // 32 bytes
    assert.equal(Buffer.byteLength(text), MAX);
    assert.deepEqual(feed([text + '\r\n'], MAX), [line(text)]);
    assert.deepEqual(feed([text + 'c\r\n'], MAX), [err('line-too-long')]);
  });

  test("one byte over → exactly one 'line-too-long', the next line decodes", () => {
    const text = 'P'.repeat(MAX + 1);
    assert.deepEqual(feed([text + '\r\nPING ok\r\n'], MAX), [err('line-too-long'), line('PING ok')]);
    assert.deepEqual(feed([text + '\nPING ok\n'], MAX), [err('line-too-long'), line('PING ok')]);
  });

  test("a much longer line in one read → one 'line-too-long'", () => {
    const text = 'P'.repeat(MAX * 10);
    assert.deepEqual(feed([text + '\r\nPING ok\r\n'], MAX), [err('line-too-long'), line('PING ok')]);
  });

  test("an overlong line in many small chunks → exactly one 'line-too-long', the next line decodes", () => {
    const buf = Buffer.from('P'.repeat(MAX * 10) + '\r\nPING ok\r\n');
    assert.deepEqual(feed(bytewise(buf), MAX), [err('line-too-long'), line('PING ok')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 5) chunks.push(buf.subarray(i, i + 5));
    assert.deepEqual(feed(chunks, MAX), [err('line-too-long'), line('PING ok')]);
  });

  test('one byte over, byte by byte, for each line end', () => {
    for (const end of ['\r\n', '\n']) {
      const buf = Buffer.from('P'.repeat(MAX + 1) + end + 'PING ok' + end);
      assert.deepEqual(feed(bytewise(buf), MAX), [err('line-too-long'), line('PING ok')], JSON.stringify(end));
    }
  });

  test('the error is reported as soon as an unfinished line cannot fit any more', () => {
    const { d, events } = recorder(MAX);
    d.push(Buffer.from('P'.repeat(MAX + 1))); // a CR may still follow: not yet known to be too long
    assert.deepEqual(events, []);
    d.push(Buffer.from('P'));
    assert.deepEqual(events, [err('line-too-long')]);
    for (let i = 0; i < 100; i++) d.push(Buffer.from('PPPPPPPP')); // the rest is dropped silently
    assert.deepEqual(events, [err('line-too-long')]);
    d.push(Buffer.from('PP\r\nPING ok\r\n'));
    assert.deepEqual(events, [err('line-too-long'), line('PING ok')]);
  });

  test('an overlong line whose bytes are also invalid gives only the length error', () => {
    const bad = Buffer.concat([Buffer.alloc(MAX + 5, 0xff), Buffer.from('\r\nPING ok\r\n')]);
    assert.deepEqual(feed([bad], MAX), [err('line-too-long'), line('PING ok')]);
    assert.deepEqual(feed(bytewise(bad), MAX), [err('line-too-long'), line('PING ok')]);
  });

  test('two overlong lines in a row → two errors', () => {
    const long = 'P'.repeat(MAX + 3);
    const buf = Buffer.from(`${long}\r\n${long}\r\nPING ok\r\n`);
    assert.deepEqual(feed([buf], MAX), [err('line-too-long'), err('line-too-long'), line('PING ok')]);
    assert.deepEqual(feed(bytewise(buf), MAX), [err('line-too-long'), err('line-too-long'), line('PING ok')]);
  });
});

describe('LineDecoder: the label of a refused line (labeled-response)', () => {
  function labels(chunks: Buffer[], max = 512): { error: FramingError; label: string | undefined }[] {
    const seen: { error: FramingError; label: string | undefined }[] = [];
    const d = new LineDecoder(max, { onLine: () => {}, onFramingError: (error, label) => seen.push({ error, label }) });
    for (const c of chunks) d.push(c);
    return seen;
  }
  const bytes = (...parts: (string | number[])[]): Buffer =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  test('invalid UTF-8 after the tags: the label is read, whole or byte by byte', () => {
    const buf = bytes('@label=标签;+x=1 PRIVMSG #a :', [0xff, 0xc3], '\r\n');
    assert.deepEqual(labels([buf]), [{ error: 'invalid-utf8', label: '标签' }]);
    assert.deepEqual(labels(bytewise(buf)), [{ error: 'invalid-utf8', label: '标签' }]);
  });

  test('invalid UTF-8 in another tag still leaves the label readable', () => {
    assert.deepEqual(labels([bytes('@+x=', [0xff], ';label=ok PING\r\n')]), [{ error: 'invalid-utf8', label: 'ok' }]);
  });

  test('invalid UTF-8 inside the label: no label', () => {
    assert.deepEqual(labels([bytes('@label=a', [0xff], ' PING\r\n')]), [{ error: 'invalid-utf8', label: undefined }]);
  });

  test('NUL and bare CR, on the ASCII path and the byte path', () => {
    assert.deepEqual(labels([bytes('@label=n1 PING :a\0b\r\n')]), [{ error: 'nul-byte', label: 'n1' }]);
    assert.deepEqual(labels([bytes('@label=c1 PING :é\rb\r\n')]), [{ error: 'bare-cr', label: 'c1' }]);
  });

  test('too long, whole in one read or overflowing across reads', () => {
    const long = bytes('@label=big PRIVMSG #a :', 'x'.repeat(100), '\r\n');
    assert.deepEqual(labels([long], 32), [{ error: 'line-too-long', label: 'big' }]);
    assert.deepEqual(labels(bytewise(long), 32), [{ error: 'line-too-long', label: 'big' }]);
  });

  test('no tag section, no label', () => {
    assert.deepEqual(labels([bytes('PING label=x', [0xff], '\r\n')]), [{ error: 'invalid-utf8', label: undefined }]);
  });
});
