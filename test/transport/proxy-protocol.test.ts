// The PROXY protocol parser, fed raw bytes: whole headers, headers split at every byte,
// garbage, oversize, and the v2 LOCAL command health checks use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxyHeader, PROXY_V2_SIGNATURE, ProxyHeaderReader, type ProxyHeaderResult } from '../../src/transport/proxy-protocol.ts';

const MAX = 4096;

function v2(command: number, familyTransport: number, block: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | command;
  head[1] = familyTransport;
  head.writeUInt16BE(block.length, 2);
  return Buffer.concat([PROXY_V2_SIGNATURE, head, block]);
}

function inet4(src: number[], dst: number[], srcPort: number, dstPort: number): Buffer {
  const b = Buffer.alloc(12);
  b.set(src, 0);
  b.set(dst, 4);
  b.writeUInt16BE(srcPort, 8);
  b.writeUInt16BE(dstPort, 10);
  return b;
}

function inet6(src: Buffer, dst: Buffer, srcPort: number, dstPort: number): Buffer {
  const b = Buffer.alloc(36);
  src.copy(b, 0);
  dst.copy(b, 16);
  b.writeUInt16BE(srcPort, 32);
  b.writeUInt16BE(dstPort, 34);
  return b;
}

function header(result: ProxyHeaderResult): { source: { address: string; port: number } | undefined; rest: string } {
  assert.equal(result.kind, 'header', JSON.stringify(result));
  if (result.kind !== 'header') throw new Error('unreachable');
  return { source: result.source, rest: result.rest.toString('latin1') };
}

/** Feeds the bytes one at a time: every prefix must ask for more, the last byte decides. */
function byteByByte(data: Buffer, required = true): ProxyHeaderResult {
  const reader = new ProxyHeaderReader(MAX, required);
  let result: ProxyHeaderResult = { kind: 'need-more' };
  for (let i = 0; i < data.length; i++) {
    result = reader.push(data.subarray(i, i + 1));
    if (result.kind !== 'need-more') {
      assert.equal(i, data.length - 1, `decided early at byte ${i}: ${JSON.stringify(result)}`);
      return result;
    }
  }
  return result;
}

test('v1 TCP4 and TCP6: the source address and port, and the bytes after the header kept', () => {
  assert.deepEqual(header(parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51234 6667\r\nNICK a\r\n'), MAX)), {
    source: { address: '192.0.2.7', port: 51234 },
    rest: 'NICK a\r\n',
  });
  assert.deepEqual(header(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8:0:0::7 2001:db8::1 0 6667\r\n'), MAX)), {
    source: { address: '2001:db8::7', port: 0 },
    rest: '',
  });
  // An IPv4-mapped source is the IPv4 address, as bans and limits spell it.
  assert.equal(header(parseProxyHeader(Buffer.from('PROXY TCP6 ::ffff:192.0.2.9 ::1 1 2\r\n'), MAX)).source?.address, '192.0.2.9');
});

test('v1 UNKNOWN: no source, the connection is the proxy\'s own', () => {
  assert.deepEqual(header(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\nx'), MAX)), { source: undefined, rest: 'x' });
  assert.deepEqual(header(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'), MAX)), { source: undefined, rest: '' });
});

test('a header split at every byte is read the same, deciding only at its last byte', () => {
  const line = Buffer.from('PROXY TCP4 203.0.113.5 127.0.0.1 40000 6667\r\n');
  assert.deepEqual(header(byteByByte(line)).source, { address: '203.0.113.5', port: 40000 });
  const binary = v2(1, 0x11, inet4([203, 0, 113, 6], [127, 0, 0, 1], 40001, 6667));
  assert.deepEqual(header(byteByByte(binary)).source, { address: '203.0.113.6', port: 40001 });
});

test('v1 refuses what is not exactly a header', () => {
  const bad = [
    'PROXY TCP4 192.0.2.7 198.51.100.1 51234 6667\n', // LF without CR
    'PROXY TCP4 192.0.2.7  198.51.100.1 51234 6667\r\n', // two spaces
    'PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n', // IPv6 in TCP4
    'PROXY TCP6 192.0.2.7 2001:db8::1 1 2\r\n', // IPv4 in TCP6
    'PROXY TCP4 192.0.2.7 198.51.100.1 65536 6667\r\n', // port out of range
    'PROXY TCP4 192.0.2.7 198.51.100.1 080 6667\r\n', // leading zero
    'PROXY TCP4 192.0.2.7 198.51.100.1 -1 6667\r\n',
    'PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n',
    'PROXY TCP4 192.0.2.7 198.51.100.1 1\r\n', // a field missing
    'PROXY TCP4 192.0.2.7 198.51.100.1 1 2 3\r\n', // one too many
    'PROXY TCP4 192.0.2.7\r198.51.100.1 1 2\r\n', // CR inside
    'PROXY TCP4 192.0.2.7 198.51.100.1 1 2\0\r\n', // NUL inside
    'proxy TCP4 192.0.2.7 198.51.100.1 1 2\r\n', // lower case
    'NICK alice\r\n', // no header at all
  ];
  for (const text of bad) assert.equal(parseProxyHeader(Buffer.from(text, 'latin1'), MAX).kind, 'invalid', JSON.stringify(text));
  assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 1 2\xe9\r\n', 'latin1'), MAX).kind, 'invalid');
});

test('v1 longer than 107 bytes is refused as soon as it is past the limit, LF or not', () => {
  const long = Buffer.from('PROXY UNKNOWN ' + 'x'.repeat(120));
  assert.equal(parseProxyHeader(long, MAX).kind, 'invalid');
  assert.equal(parseProxyHeader(Buffer.from('PROXY UNKNOWN ' + 'x'.repeat(120) + '\r\n'), MAX).kind, 'invalid');
  // 107 bytes exactly is the longest allowed.
  const longest = 'PROXY UNKNOWN ' + 'y'.repeat(107 - 16) + '\r\n';
  assert.equal(longest.length, 107);
  assert.equal(parseProxyHeader(Buffer.from(longest), MAX).kind, 'header');
  // Short of the limit with no LF yet: more is needed.
  assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4'), MAX).kind, 'need-more');
});

test('v2 PROXY over IPv4 and IPv6, TLVs after the addresses skipped', () => {
  const tlv = Buffer.from([0x01, 0x00, 0x02, 0x68, 0x32]); // ALPN "h2"
  const four = v2(1, 0x11, Buffer.concat([inet4([192, 0, 2, 33], [10, 0, 0, 1], 1234, 6667), tlv]));
  assert.deepEqual(header(parseProxyHeader(Buffer.concat([four, Buffer.from('CAP LS\r\n')]), MAX)), {
    source: { address: '192.0.2.33', port: 1234 },
    rest: 'CAP LS\r\n',
  });
  const src = Buffer.alloc(16);
  src.writeUInt16BE(0x2001, 0);
  src.writeUInt16BE(0x0db8, 2);
  src.writeUInt16BE(0x0042, 14);
  const six = v2(1, 0x21, inet6(src, Buffer.alloc(16), 4711, 6667));
  assert.deepEqual(header(parseProxyHeader(six, MAX)).source, { address: '2001:db8::42', port: 4711 });
});

test('v2 LOCAL (a health check) and UNSPEC or UNIX families name no client', () => {
  assert.deepEqual(header(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0)), MAX)), { source: undefined, rest: '' });
  // LOCAL ignores whatever address block comes with it.
  assert.deepEqual(header(parseProxyHeader(v2(0, 0x11, inet4([1, 2, 3, 4], [5, 6, 7, 8], 1, 2)), MAX)).source, undefined);
  assert.deepEqual(header(parseProxyHeader(v2(1, 0x00, Buffer.alloc(0)), MAX)).source, undefined);
  assert.deepEqual(header(parseProxyHeader(v2(1, 0x31, Buffer.alloc(216)), MAX)).source, undefined);
});

test('v2 refuses a wrong version, command, family, transport, a short block and oversize', () => {
  const block = inet4([1, 2, 3, 4], [5, 6, 7, 8], 1, 2);
  const wrongVersion = v2(1, 0x11, block);
  wrongVersion[12] = 0x11;
  assert.equal(parseProxyHeader(wrongVersion, MAX).kind, 'invalid');
  assert.equal(parseProxyHeader(v2(2, 0x11, block), MAX).kind, 'invalid');
  assert.equal(parseProxyHeader(v2(1, 0x41, block), MAX).kind, 'invalid');
  assert.equal(parseProxyHeader(v2(1, 0x12, block), MAX).kind, 'invalid'); // DGRAM
  assert.equal(parseProxyHeader(v2(1, 0x13, block), MAX).kind, 'invalid');
  assert.equal(parseProxyHeader(v2(1, 0x11, block.subarray(0, 11)), MAX).kind, 'invalid');
  assert.equal(parseProxyHeader(v2(1, 0x21, Buffer.alloc(20)), MAX).kind, 'invalid');
  // Longer than allowed: refused from its length field, before the rest is waited for.
  const huge = v2(1, 0x11, Buffer.alloc(5000));
  assert.equal(parseProxyHeader(huge.subarray(0, 16), MAX).kind, 'invalid');
  // A signature that goes wrong at its last byte is not v2 (nor v1).
  const almost = Buffer.from(PROXY_V2_SIGNATURE);
  almost[11] = 0x0d;
  assert.equal(parseProxyHeader(almost, MAX).kind, 'invalid');
});

test('optional: bytes that are plainly no header are given back whole; a started header is still held to the rules', () => {
  const nick = Buffer.from('NICK alice\r\nUSER a 0 * :A\r\n');
  // Decided at the first byte that cannot start a header, with everything read so far.
  const early = new ProxyHeaderReader(MAX, false);
  assert.equal(early.push(Buffer.from('P')).kind, 'need-more');
  const decided = early.push(Buffer.from('RIVMSG'));
  assert.equal(decided.kind, 'absent');
  if (decided.kind === 'absent') assert.equal(decided.rest.toString(), 'PRIVMSG');
  const reader = new ProxyHeaderReader(MAX, false);
  const first = reader.push(nick);
  assert.equal(first.kind, 'absent');
  if (first.kind === 'absent') assert.equal(first.rest.toString(), nick.toString());
  // An empty line first is not a v2 signature for long.
  assert.equal(new ProxyHeaderReader(MAX, false).push(Buffer.from('\r\nNICK a\r\n')).kind, 'absent');
  assert.equal(new ProxyHeaderReader(MAX, false).push(Buffer.from('PROXY TCP4 nonsense\r\n')).kind, 'invalid');
  assert.equal(new ProxyHeaderReader(MAX, false).push(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n')).kind, 'header');
});

test('end of input: silence is absent when optional, a partial header is invalid either way', () => {
  assert.equal(new ProxyHeaderReader(MAX, false).end().kind, 'absent');
  assert.equal(new ProxyHeaderReader(MAX, true).end().kind, 'invalid');
  const partial = new ProxyHeaderReader(MAX, false);
  assert.equal(partial.push(Buffer.from('PROX')).kind, 'need-more');
  assert.equal(partial.end().kind, 'invalid');
});

test('random garbage never throws and never yields a source when required', () => {
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 2000; round++) {
    const length = Math.floor(random() * 64);
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
    // Sometimes with a real start, so that the deeper parts of both versions are reached.
    const start = round % 3 === 0 ? PROXY_V2_SIGNATURE : round % 3 === 1 ? Buffer.from('PROXY TCP4 ') : Buffer.alloc(0);
    const result = parseProxyHeader(Buffer.concat([start, bytes]), 256);
    assert.ok(['need-more', 'invalid', 'header'].includes(result.kind));
    if (result.kind === 'header' && result.source) assert.match(result.source.address, /^[0-9a-f.:]+$/);
  }
});
