// X-Forwarded-For and Forwarded (RFC 7239): honoured from trusted proxies only, read from the
// right past every trusted hop, never letting a client pick its own address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardedClientAddress, TrustedProxies } from '../../src/transport/trusted-proxies.ts';

const trusted = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '2001:db8:ffff::/48']);

test('trusts matches addresses and ranges, IPv4-mapped spellings included', () => {
  assert.ok(trusted.trusts('127.0.0.1'));
  assert.ok(trusted.trusts('::ffff:127.0.0.1'));
  assert.ok(trusted.trusts('10.200.3.4'));
  assert.ok(trusted.trusts('2001:db8:ffff:1::9'));
  assert.ok(!trusted.trusts('127.0.0.2'));
  assert.ok(!trusted.trusts('2001:db8::1'));
  assert.ok(!trusted.trusts('unknown'));
  assert.ok(!new TrustedProxies([]).trusts('127.0.0.1'));
});

test('X-Forwarded-For: the rightmost untrusted hop is the client', () => {
  const xff = (value: string | string[], peer = '127.0.0.1'): string => forwardedClientAddress(peer, { 'x-forwarded-for': value }, trusted, 'x-forwarded-for');
  assert.equal(xff('198.51.100.7'), '198.51.100.7');
  // A client that sends its own X-Forwarded-For: the proxy appends what it saw; that wins.
  assert.equal(xff('6.6.6.6, 198.51.100.7'), '198.51.100.7');
  // Through two proxies, both trusted.
  assert.equal(xff('6.6.6.6, 198.51.100.7, 10.1.1.1'), '198.51.100.7');
  // Repeated header lines are one list.
  assert.equal(xff(['6.6.6.6', '198.51.100.7, 10.1.1.1']), '198.51.100.7');
  // Ports and brackets as some proxies write them; IPv6 in canonical form.
  assert.equal(xff('198.51.100.7:4711'), '198.51.100.7');
  assert.equal(xff('[2001:DB8:0::7]:4711'), '2001:db8::7');
  assert.equal(xff('2001:db8:0:0::8'), '2001:db8::8');
  assert.equal(xff('::ffff:198.51.100.9'), '198.51.100.9');
  // Every hop trusted: the leftmost.
  assert.equal(xff('10.9.9.9, 10.1.1.1'), '10.9.9.9');
});

test('a hop that is no address stops the walk at the proxy itself', () => {
  const xff = (value: string): string => forwardedClientAddress('10.0.0.5', { 'x-forwarded-for': value }, trusted, 'x-forwarded-for');
  assert.equal(xff('198.51.100.7, garbage'), '10.0.0.5');
  assert.equal(xff('198.51.100.7, 1.2.3.4:99999999'), '10.0.0.5');
  assert.equal(xff('[::1'), '10.0.0.5');
  assert.equal(xff(''), '10.0.0.5');
  assert.equal(forwardedClientAddress('10.0.0.5', {}, trusted, 'x-forwarded-for'), '10.0.0.5');
});

test('from an untrusted peer, or with the header turned off, the peer is the client whatever it claims', () => {
  assert.equal(forwardedClientAddress('198.51.100.7', { 'x-forwarded-for': '1.2.3.4' }, trusted, 'x-forwarded-for'), '198.51.100.7');
  assert.equal(forwardedClientAddress('127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }, trusted, 'none'), '127.0.0.1');
  // Only the configured header counts: a proxy that sets X-Forwarded-For passes a client's Forwarded through.
  assert.equal(forwardedClientAddress('127.0.0.1', { forwarded: 'for=1.2.3.4' }, trusted, 'x-forwarded-for'), '127.0.0.1');
  assert.equal(forwardedClientAddress('127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }, trusted, 'forwarded'), '127.0.0.1');
});

test('Forwarded (RFC 7239): for= of each element, quoted and bracketed forms, unknown stops', () => {
  const fwd = (value: string): string => forwardedClientAddress('127.0.0.1', { forwarded: value }, trusted, 'forwarded');
  assert.equal(fwd('for=192.0.2.60;proto=http;by=203.0.113.43'), '192.0.2.60');
  assert.equal(fwd('for=6.6.6.6, For="[2001:db8:cafe::17]:4711"'), '2001:db8:cafe::17');
  assert.equal(fwd('for=198.51.100.7, for=10.3.3.3;proto=https'), '198.51.100.7');
  assert.equal(fwd('for=unknown'), '127.0.0.1');
  assert.equal(fwd('for=_hidden, for=198.51.100.7'), '198.51.100.7');
  assert.equal(fwd('proto=https'), '127.0.0.1');
});
