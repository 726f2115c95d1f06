// Pure unit tests of what bans, limits and flood control are made of: ban targets and the
// ban list (bans.ts), IP addresses and CIDR ranges (address.ts), durations (duration.ts),
// the connection gate (admission.ts) and the token bucket (flood.ts). No sockets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { cidrContains, formatCidr, formatIp, networkKey, parseCidr, parseIp, type IpAddress } from '../../src/protocol/address.ts';
import { formatDuration, parseDuration } from '../../src/protocol/duration.ts';
import { ConnectionGate } from '../../src/server/admission.ts';
import { BanList, parseBanTarget, type ServerBan } from '../../src/network/bans.ts';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { TokenBucket } from '../../src/server/flood.ts';

const RUNS = 500;

/** An entry as the admin actions make it; `expiresAt` undefined = permanent. */
function ban(target: string, expiresAt?: number, reason = 'because'): ServerBan {
  const parsed = parseBanTarget(target);
  assert.ok(parsed, `a valid target: ${target}`);
  return { ...parsed, reason, setBy: 'console', setAt: 0, expiresAt };
}

const ip = (text: string): IpAddress => {
  const a = parseIp(text);
  assert.ok(a, `a valid address: ${text}`);
  return a;
};

const cidr = (text: string) => {
  const c = parseCidr(text);
  assert.ok(c, `a valid range: ${text}`);
  return c;
};

const bytesOf = (a: IpAddress | undefined): number[] | undefined => (a ? [...a.bytes] : undefined);

describe('parseBanTarget', () => {
  test('nicks and masks', () => {
    const cases: [string, string][] = [
      ['bob', 'bob!*@*'],
      ['Bob[away]', 'Bob[away]!*@*'],
      ['bob!*@*', 'bob!*@*'],
      ['bob!', 'bob!*@*'],
      ['bob!ident', 'bob!ident@*'],
      ['user@host.example', '*!user@host.example'],
      ['*@1.2.3.4', '*!*@1.2.3.4'],
      ['nick@', '*!nick@*'],
      ['*!*@*.example.com', '*!*@*.example.com'],
      ['b?b', 'b?b!*@*'],
      ['*.example.com', '*!*@*.example.com'],
    ];
    for (const [input, mask] of cases) assert.deepEqual(parseBanTarget(input), { kind: 'mask', mask }, input);
  });

  test('addresses and ranges, each in one normal form', () => {
    const cases: [string, string][] = [
      ['1.2.3.4', '1.2.3.4'],
      ['1.2.3.4/32', '1.2.3.4'],
      ['::ffff:1.2.3.4', '1.2.3.4'],
      ['::1', '::1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['2001:DB8:0::1', '2001:db8::1'],
      ['2001:db8::1/128', '2001:db8::1'],
      ['10.0.0.0/8', '10.0.0.0/8'],
      ['10.1.2.3/8', '10.0.0.0/8'],
      ['192.168.7.9/23', '192.168.6.0/23'],
      ['2001:DB8::/32', '2001:db8::/32'],
      ['2001:db8:1:2::9/48', '2001:db8:1::/48'],
      ['0.0.0.0/0', '0.0.0.0/0'],
    ];
    for (const [input, mask] of cases) assert.deepEqual(parseBanTarget(input), { kind: 'cidr', mask }, input);
  });

  test('garbage, and masks that would ban everyone → undefined', () => {
    for (const input of ['', 'a b', 'bob !x@y', '#room', '1bob', '-x', '1.2.3.4/33', '::/129', '*', '@', '!', '*!*@*', '*@*', '*!*']) {
      assert.equal(parseBanTarget(input), undefined, JSON.stringify(input));
    }
  });
});

describe('BanList', () => {
  test('add, replace (same mask in any case or spelling), remove by the form typed', () => {
    const list = new BanList();
    list.add(ban('bob', undefined, 'first'));
    list.add(ban('10.1.2.3/8'));
    list.add(ban('2001:DB8::1'));
    assert.equal(list.size, 3);
    list.add(ban('BOB', undefined, 'second'));
    assert.equal(list.size, 3, 'BOB!*@* replaces bob!*@*');
    assert.deepEqual(
      list.list(0).map((b) => [b.mask, b.reason]),
      [
        ['BOB!*@*', 'second'],
        ['10.0.0.0/8', 'because'],
        ['2001:db8::1', 'because'],
      ],
      'replaced in place, with the new spelling and reason',
    );
    assert.equal(list.remove('bob')?.mask, 'BOB!*@*');
    assert.equal(list.remove('10.200.0.1/8')?.mask, '10.0.0.0/8');
    assert.equal(list.remove('2001:db8:0:0::1')?.mask, '2001:db8::1');
    assert.equal(list.remove('bob'), undefined);
    assert.equal(list.remove('nothing!*@*'), undefined);
    assert.equal(list.size, 0);
  });

  test('entries are listed oldest first, and the latest reason wins', () => {
    const list = new BanList();
    list.add(ban('a'));
    list.add(ban('b'));
    list.add(ban('c'));
    assert.deepEqual(
      list.list(0).map((b) => b.mask),
      ['a!*@*', 'b!*@*', 'c!*@*'],
    );
    list.add(ban('A', undefined, 'again'));
    assert.equal(list.list(0).find((b) => b.mask.toLowerCase() === 'a!*@*')?.reason, 'again');
  });

  test('list() and expire() drop what has expired; match() ignores it even before', () => {
    const list = new BanList();
    list.add(ban('short', 1_000));
    list.add(ban('long', 5_000));
    list.add(ban('forever'));
    assert.equal(list.match(999, '1.2.3.4', 'short!u@h')?.mask, 'short!*@*');
    assert.equal(list.match(1_000, '1.2.3.4', 'short!u@h'), undefined, 'an entry ends at its expiry time');
    assert.equal(list.size, 3, 'match() does not drop it');
    assert.deepEqual(
      list.list(999).map((b) => b.mask),
      ['short!*@*', 'long!*@*', 'forever!*@*'],
    );
    assert.deepEqual(
      list.list(1_000).map((b) => b.mask),
      ['long!*@*', 'forever!*@*'],
    );
    assert.equal(list.size, 2);
    assert.deepEqual(
      list.expire(10_000).map((b) => b.mask),
      ['long!*@*'],
    );
    assert.deepEqual(list.expire(10_000), []);
    assert.deepEqual(
      list.list(Number.MAX_SAFE_INTEGER).map((b) => b.mask),
      ['forever!*@*'],
    );
  });

  test('match by address (before registration) and by mask', () => {
    const list = new BanList();
    assert.equal(list.match(0, '10.1.1.1', 'x!y@z'), undefined, 'an empty list matches nothing');
    list.add(ban('10.0.0.0/8', undefined, 'net'));
    list.add(ban('2001:db8::/32', undefined, 'net6'));
    list.add(ban('*!*@*.spam.example', undefined, 'host'));
    list.add(ban('Troll', undefined, 'nick'));
    // By address alone: only the ranges apply.
    assert.equal(list.match(0, '10.200.3.4')?.reason, 'net');
    assert.equal(list.match(0, '11.0.0.1'), undefined);
    assert.equal(list.match(0, '2001:db8:ffff::1')?.reason, 'net6');
    assert.equal(list.match(0, '2001:db9::1'), undefined);
    assert.equal(list.match(0, 'not an address'), undefined);
    // With the user's mask, masks apply too, case-insensitively.
    assert.equal(list.match(0, '11.0.0.1', 'troll!u@host')?.reason, 'nick');
    assert.equal(list.match(0, '11.0.0.1', 'TROLL!u@host')?.reason, 'nick');
    assert.equal(list.match(0, '11.0.0.1', 'nice!u@mail.SPAM.example')?.reason, 'host');
    assert.equal(list.match(0, '11.0.0.1', 'nice!u@example.org'), undefined);
    assert.equal(list.match(0, '11.0.0.1', 'trolls!u@host'), undefined, 'a nick ban is the whole nick');
  });

  test('an IPv4-mapped IPv6 address matches IPv4 ranges and addresses', () => {
    const list = new BanList();
    list.add(ban('192.0.2.0/24', undefined, 'v4 range'));
    list.add(ban('198.51.100.7', undefined, 'v4 address'));
    assert.equal(list.match(0, '::ffff:192.0.2.55')?.reason, 'v4 range');
    assert.equal(list.match(0, '::ffff:198.51.100.7')?.reason, 'v4 address');
    assert.equal(list.match(0, '::ffff:198.51.100.8'), undefined);
    // An IPv6 range does not take in IPv4 clients.
    const six = new BanList();
    six.add(ban('::/0'));
    assert.equal(six.match(0, '2001:db8::1')?.mask, '::/0');
    assert.equal(six.match(0, '192.0.2.1'), undefined);
  });
});

describe('parseIp and formatIp', () => {
  test('IPv4', () => {
    assert.deepEqual(bytesOf(parseIp('1.2.3.4')), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    assert.equal(ip('1.2.3.4').v4, true);
    assert.equal(formatIp(ip('0.0.0.0')), '0.0.0.0');
    assert.equal(formatIp(ip('255.255.255.255')), '255.255.255.255');
    assert.equal(formatIp(ip('::ffff:1.2.3.4')), '1.2.3.4');
    assert.equal(ip('::ffff:1.2.3.4').v4, true);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', '256.0.0.0', '1.2.3.-1', '1.2.3.4 ', ' 1.2.3.4', '1..2.3', '1.2.3.0x1', '1.2.3.1234', '::ffff:1.2.3.256']) {
      assert.equal(parseIp(bad), undefined, JSON.stringify(bad));
    }
  });

  test('IPv6, with :: anywhere and an IPv4 tail', () => {
    const cases: [string, number[]][] = [
      ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
      ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
      ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
      ['1::8', [1, 0, 0, 0, 0, 0, 0, 8]],
      ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
      ['1:2:3:4:5:6:7::', [1, 2, 3, 4, 5, 6, 7, 0]],
      ['::2:3:4:5:6:7:8', [0, 2, 3, 4, 5, 6, 7, 8]],
      ['2001:DB8::ABCD', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xabcd]],
      ['::1.2.3.4', [0, 0, 0, 0, 0, 0, 0x102, 0x304]],
      ['64:ff9b::192.0.2.33', [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x221]],
      ['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x102, 0x304]],
    ];
    for (const [text, groups] of cases) {
      const a = parseIp(text);
      assert.ok(a, text);
      assert.equal(a.v4, false, text);
      assert.deepEqual([...a.bytes], groups.flatMap((g) => [g >> 8, g & 0xff]), text);
    }
    for (const bad of [
      ':',
      ':::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '::1:2:3:4:5:6:7:8',
      '1::2::3',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      '12345::',
      'g::',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7:1.2.3.4',
      '::1.2.3',
      '1.2.3.4::',
      '[::1]',
    ]) {
      assert.equal(parseIp(bad), undefined, JSON.stringify(bad));
    }
  });

  test('an IPv4-mapped address is IPv4 however it is written', () => {
    // The same 16 bytes must compare the same: cidrContains() tells the families apart by v4.
    for (const text of ['::FFFF:1.2.3.4', '0:0:0:0:0:ffff:1.2.3.4', '::ffff:102:304']) {
      const a = parseIp(text);
      assert.deepEqual(bytesOf(a), bytesOf(parseIp('1.2.3.4')), text);
      assert.equal(a?.v4, true, `${text} is 1.2.3.4`);
    }
  });

  test('an IPv4 tail after ::ffff:<group> makes a plain IPv6 address', () => {
    // ::ffff:1:2.3.4.5 is valid (0:0:0:0:ffff:1:203:405), not a mapped one.
    assert.deepEqual(bytesOf(parseIp('::ffff:1:2.3.4.5')), [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 1, 2, 3, 4, 5]);
  });

  test('formatIp writes RFC 5952 text: lower case, no leading zeros, the longest zero run as ::', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['1:0:0:0:0:0:0:1', '1::1'],
      ['0:1:0:1:0:1:0:1', '0:1:0:1:0:1:0:1'],
      ['fe80::0abc:0001', 'fe80::abc:1'],
    ];
    for (const [input, out] of cases) assert.equal(formatIp(ip(input)), out, input);
  });

  test('property: format then parse gives back the 16 bytes, and the text is canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatIp({ bytes, v4: false });
        const back = parseIp(text);
        assert.ok(back, text);
        assert.deepEqual([...back.bytes], [...bytes], text);
        assert.equal(formatIp(back), formatIp(parseIp(formatIp(back))!), 'formatting is stable');
        assert.ok((text.match(/::/g) ?? []).length <= 1, text);
        assert.doesNotMatch(text, /(^|:)0[0-9a-f]/, text);
        assert.doesNotMatch(text, /[A-F]/, text);
      }),
      propertyParams({ numRuns: RUNS }),
    );
    // Addresses with many zero groups, where the compression choices are.
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
        const text = formatIp({ bytes, v4: false });
        assert.deepEqual([...parseIp(text)!.bytes], [...bytes], text);
        // RFC 5952 4.2: the longest run of two or more zero groups, the first if tied.
        let best = 0;
        let run = 0;
        for (const g of groups) best = Math.max(best, (run = g === 0 ? run + 1 : 0));
        const shown = text.split(':').length - (text.includes('::') ? 2 : 0);
        if (best >= 2) assert.ok(text.includes('::'), text);
        else assert.ok(!text.includes('::'), text);
        if (best >= 2 && text !== '::') assert.ok(shown <= 8 - best + 1, text);
      }),
      propertyParams({ numRuns: RUNS }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (quad) => {
        const text = quad.join('.');
        assert.equal(formatIp(ip(text)), text);
        assert.equal(formatIp(ip(`::ffff:${text}`)), text);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});

describe('CIDR ranges', () => {
  test('parseCidr: a prefix within the family, or a bare address', () => {
    assert.equal(cidr('10.0.0.0/8').prefix, 8);
    assert.equal(cidr('1.2.3.4').prefix, 32);
    assert.equal(cidr('::1').prefix, 128);
    assert.equal(cidr('2001:db8::/32').prefix, 32);
    assert.equal(formatCidr(cidr('2001:DB8::/32')), '2001:db8::/32');
    for (const bad of ['1.2.3.4/33', '::/129', '1.2.3.4/', '1.2.3.4/-1', '1.2.3.4/a', '1.2.3.4/1/2', '/8', 'x/8']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });

  test('cidrContains at the edges: /0, /1, /31, /32, /127, /128, and across families', () => {
    const has = (range: string, addr: string): boolean => cidrContains(cidr(range), ip(addr));
    assert.ok(has('0.0.0.0/0', '0.0.0.0'));
    assert.ok(has('0.0.0.0/0', '255.255.255.255'));
    assert.ok(!has('0.0.0.0/0', '::1'), 'an IPv4 range holds no IPv6 address');
    assert.ok(has('::/0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
    assert.ok(has('128.0.0.0/1', '200.1.1.1'));
    assert.ok(!has('128.0.0.0/1', '127.255.255.255'));
    assert.ok(has('10.0.0.0/31', '10.0.0.0'));
    assert.ok(has('10.0.0.0/31', '10.0.0.1'));
    assert.ok(!has('10.0.0.0/31', '10.0.0.2'));
    assert.ok(has('10.0.0.7/32', '10.0.0.7'));
    assert.ok(!has('10.0.0.7/32', '10.0.0.6'));
    assert.ok(has('10.128.0.0/9', '10.255.1.1'));
    assert.ok(!has('10.128.0.0/9', '10.127.1.1'));
    assert.ok(has('2001:db8::/127', '2001:db8::'));
    assert.ok(has('2001:db8::/127', '2001:db8::1'));
    assert.ok(!has('2001:db8::/127', '2001:db8::2'));
    assert.ok(has('2001:db8::5/128', '2001:db8::5'));
    assert.ok(!has('2001:db8::5/128', '2001:db8::4'));
    assert.ok(!has('::/0', '1.2.3.4'), 'an IPv6 range holds no IPv4 address');
  });

  test('networkKey: the address masked to the prefix, as text', () => {
    assert.equal(networkKey(ip('1.2.3.4'), 32, 64), '1.2.3.4/32');
    assert.equal(networkKey(ip('1.2.3.4'), 24, 64), '1.2.3.0/24');
    assert.equal(networkKey(ip('1.2.3.4'), 8, 64), '1.0.0.0/8');
    assert.equal(networkKey(ip('1.2.3.4'), 0, 64), '0.0.0.0/0');
    assert.equal(networkKey(ip('1.2.255.4'), 20, 64), '1.2.240.0/20');
    assert.equal(networkKey(ip('2001:db8:1:2:3:4:5:6'), 32, 64), '2001:db8:1:2::/64');
    assert.equal(networkKey(ip('2001:db8:1:2:3:4:5:6'), 32, 48), '2001:db8:1::/48');
    assert.equal(networkKey(ip('2001:db8:1:2:3:4:5:6'), 32, 128), '2001:db8:1:2:3:4:5:6/128');
    assert.equal(networkKey(ip('2001:db8:1:2:3:4:5:ffff'), 32, 127), '2001:db8:1:2:3:4:5:fffe/127');
  });

  test('property: an address lies in its own network, at every prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }), (bytes, prefix) => {
        const a: IpAddress = { bytes, v4: false };
        const key = networkKey(a, 32, prefix);
        assert.ok(cidrContains(cidr(key), a), key);
        assert.equal(networkKey(cidr(key).address, 32, prefix), key, 'the key of the network is itself');
      }),
      propertyParams({ numRuns: RUNS }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), (quad, prefix) => {
        const a = ip(quad.join('.'));
        const key = networkKey(a, prefix, 64);
        assert.ok(cidrContains(cidr(key), a), key);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});

describe('durations', () => {
  test('parseDuration: units, sums, any case', () => {
    const cases: [string, number][] = [
      ['30s', 30_000],
      ['90s', 90_000],
      ['10m', 600_000],
      ['2h', 7_200_000],
      ['7d', 604_800_000],
      ['1w', 604_800_000],
      ['1h30m', 5_400_000],
      ['1H30M', 5_400_000],
      ['1d12h', 129_600_000],
      ['1w1d1h1m1s', 694_861_000],
      ['0h5m', 300_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  test('parseDuration: not a duration → undefined', () => {
    // (Spaced and fractional spellings such as '1h 30m' and '1.5h' are durations: test/protocol/duration.test.ts.)
    for (const text of ['0s', '0h0m', '', '10', '5x', 'h', '-5m', '1hh', 'perm', '99999999999999999999w']) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });

  test('formatDuration: the two largest units, rounded down', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [999, '0s'],
      [-5_000, '0s'],
      [1_000, '1s'],
      [59_999, '59s'],
      [60_000, '1m'],
      [90_000, '1m 30s'],
      [3_600_000, '1h'],
      [3_599_999, '59m 59s'],
      [3_661_000, '1h 1m'],
      [86_400_000, '1d'],
      [90_061_000, '1d 1h'],
      [604_800_000, '7d'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  });

  test('property: below an hour, what formatDuration writes parses back (without the space) to the same time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_599 }), (seconds) => {
        const text = formatDuration(seconds * 1000).replace(' ', '');
        assert.equal(parseDuration(text), seconds * 1000, text);
      }),
      propertyParams({ numRuns: RUNS }),
    );
  });
});

describe('ConnectionGate', () => {
  const settings = (input: ConfigInput['connections'] = {}) => parseConfig({ connections: input }).connections;

  test('server full: refused at the limit, whatever the address', () => {
    const gate = new ConnectionGate(settings({ max: 2 }));
    assert.equal(gate.admit('1.2.3.4', 1, 0).refusal, undefined);
    const r = gate.admit('1.2.3.5', 2, 0).refusal;
    assert.deepEqual(r, { code: 'server-full', message: 'Server is full (2 connections); try again later' });
    assert.equal(gate.admit('127.0.0.1', 2, 0).refusal?.code, 'server-full', 'exempt addresses too');
  });

  test('per IP: counted until released; loopback is exempt by default', () => {
    const gate = new ConnectionGate(settings({ perIp: 2, throttleConnections: 0, exempt: [] }));
    const a = gate.admit('1.2.3.4', 0, 0);
    const b = gate.admit('1.2.3.4', 0, 0);
    assert.equal(a.key, '1.2.3.4/32');
    assert.equal(b.refusal, undefined);
    assert.deepEqual(gate.admit('1.2.3.4', 0, 0).refusal, { code: 'per-ip', message: 'Too many connections from your address (2 allowed)' });
    assert.equal(gate.admit('1.2.3.5', 0, 0).refusal, undefined, 'another address has its own count');
    gate.release(a.key);
    assert.equal(gate.admit('1.2.3.4', 0, 0).refusal, undefined, 'released: room for one more');
    assert.equal(gate.admit('1.2.3.4', 0, 0).refusal?.code, 'per-ip');
    assert.equal(gate.admit('127.0.0.1', 0, 0).refusal, undefined);
    assert.equal(gate.admit('127.0.0.1', 0, 0).refusal, undefined);
    assert.equal(gate.admit('127.0.0.1', 0, 0).refusal?.code, 'per-ip', 'no exemption when exempt is empty');

    const defaults = new ConnectionGate(settings({ perIp: 1 }));
    for (let i = 0; i < 50; i++) {
      for (const addr of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) {
        const adm = defaults.admit(addr, 0, 0);
        assert.deepEqual(adm, { refusal: undefined, key: undefined }, addr);
      }
    }
    assert.deepEqual(defaults.admit('not-an-ip', 0, 0), { refusal: undefined, key: undefined }, 'an address that is no IP is not counted');
  });

  test('release: unknown keys and double releases do no harm', () => {
    const gate = new ConnectionGate(settings({ perIp: 2, throttleConnections: 0, exempt: [] }));
    gate.release(undefined);
    gate.release('9.9.9.9/32');
    const a = gate.admit('1.2.3.4', 0, 0);
    gate.release(a.key);
    gate.release(a.key);
    gate.admit('1.2.3.4', 0, 0);
    gate.admit('1.2.3.4', 0, 0);
    assert.equal(gate.admit('1.2.3.4', 0, 0).refusal?.code, 'per-ip', 'the count did not go below zero');
  });

  test('custom exemptions, and networks counted together (ipv4Prefix, ipv6Prefix)', () => {
    const gate = new ConnectionGate(settings({ perIp: 1, throttleConnections: 0, exempt: ['10.0.0.0/8'], ipv4Prefix: 24 }));
    for (let i = 0; i < 5; i++) assert.equal(gate.admit(`10.0.0.${i}`, 0, 0).refusal, undefined);
    assert.equal(gate.admit('1.2.3.4', 0, 0).key, '1.2.3.0/24');
    assert.equal(gate.admit('1.2.3.99', 0, 0).refusal?.code, 'per-ip', 'same /24');
    assert.equal(gate.admit('1.2.4.1', 0, 0).refusal, undefined, 'another /24');
    assert.equal(gate.admit('127.0.0.1', 0, 0).refusal, undefined);
    assert.equal(gate.admit('127.0.0.1', 0, 0).refusal?.code, 'per-ip', 'loopback is no longer exempt');
    // IPv6 counts /64s by default.
    assert.equal(gate.admit('2001:db8::1', 0, 0).key, '2001:db8::/64');
    assert.equal(gate.admit('2001:db8::2:3', 0, 0).refusal?.code, 'per-ip');
    assert.equal(gate.admit('2001:db8:0:1::1', 0, 0).refusal, undefined);
  });

  test('cidrLimits: one allowance shared by a whole network; 0 refuses it', () => {
    const gate = new ConnectionGate(
      settings({
        perIp: 1,
        throttleConnections: 0,
        exempt: [],
        cidrLimits: [
          { cidr: '10.0.0.0/8', max: 3 },
          { cidr: '192.0.2.0/24', max: 0 },
        ],
      }),
    );
    const first = gate.admit('10.0.0.1', 0, 0);
    assert.equal(first.key, 'rule:10.0.0.0/8');
    assert.equal(gate.admit('10.0.0.1', 0, 0).refusal, undefined, 'more than perIp from one address inside the rule');
    assert.equal(gate.admit('10.200.3.4', 0, 0).refusal, undefined);
    assert.deepEqual(gate.admit('10.9.9.9', 0, 0).refusal, { code: 'per-ip', message: 'Too many connections from your address (3 allowed)' });
    gate.release(first.key);
    assert.equal(gate.admit('10.9.9.9', 0, 0).refusal, undefined);
    assert.equal(gate.admit('11.0.0.1', 0, 0).refusal, undefined);
    assert.equal(gate.admit('11.0.0.1', 0, 0).refusal?.code, 'per-ip', 'outside the rule, perIp applies');
    assert.deepEqual(gate.admit('192.0.2.1', 0, 0).refusal, { code: 'per-ip', message: 'Too many connections from your address (0 allowed)' });
  });

  test('throttle: so many new connections per window and address, then refused until the window ends', () => {
    const gate = new ConnectionGate(settings({ perIp: 100, throttleConnections: 2, throttleWindowMs: 60_000, exempt: [] }));
    const t0 = 1_000_000;
    for (let i = 0; i < 2; i++) {
      const a = gate.admit('1.2.3.4', 0, t0);
      assert.equal(a.refusal, undefined);
      gate.release(a.key); // closing does not give the attempt back
    }
    assert.deepEqual(gate.admit('1.2.3.4', 0, t0).refusal, {
      code: 'throttled',
      message: 'Too many connections from your address too quickly; try again in 60 seconds',
    });
    assert.equal(gate.admit('1.2.3.5', 0, t0).refusal, undefined, 'other addresses are not held back');
    assert.equal(gate.admit('1.2.3.4', 0, t0 + 30_500).refusal?.message, 'Too many connections from your address too quickly; try again in 30 seconds');
    gate.sweep(t0 + 30_000);
    assert.equal(gate.admit('1.2.3.4', 0, t0 + 59_999).refusal?.code, 'throttled', 'sweep keeps a window that has not ended');
    assert.equal(gate.admit('1.2.3.4', 0, t0 + 60_000).refusal, undefined, 'a new window');
    assert.equal(gate.admit('1.2.3.4', 0, t0 + 60_001).refusal, undefined);
    assert.equal(gate.admit('1.2.3.4', 0, t0 + 60_002).refusal?.code, 'throttled');
    gate.sweep(t0 + 200_000);
    assert.equal(gate.admit('1.2.3.4', 0, t0 + 200_000).refusal, undefined, 'after a sweep the address starts afresh');
    // Exempt addresses are never throttled.
    const loop = new ConnectionGate(settings({ throttleConnections: 1 }));
    for (let i = 0; i < 10; i++) assert.equal(loop.admit('127.0.0.1', 0, t0).refusal, undefined);
  });

  test('setMax/setPerIp change the live values; configure() puts the config values back', () => {
    const s = settings({ max: 50, perIp: 4, exempt: [], throttleConnections: 0 });
    const gate = new ConnectionGate(s);
    assert.equal(gate.maxConnections, 50);
    assert.equal(gate.maxPerIp, 4);
    gate.setMax(2);
    gate.setPerIp(1);
    assert.equal(gate.maxConnections, 2);
    assert.equal(gate.maxPerIp, 1);
    assert.equal(gate.admit('1.1.1.1', 2, 0).refusal?.code, 'server-full');
    gate.admit('1.1.1.1', 0, 0);
    assert.equal(gate.admit('1.1.1.1', 0, 0).refusal?.code, 'per-ip');
    gate.configure(s);
    assert.equal(gate.maxConnections, 50);
    assert.equal(gate.maxPerIp, 4);
    assert.equal(gate.admit('1.1.1.1', 2, 0).refusal, undefined);
    gate.configure(settings({ max: 7, perIp: 9, exempt: ['1.1.1.0/24'] }));
    assert.equal(gate.maxConnections, 7);
    assert.equal(gate.maxPerIp, 9);
    for (let i = 0; i < 20; i++) assert.equal(gate.admit('1.1.1.1', 0, 0).refusal, undefined, 'the new exemption applies');
  });
});

describe('TokenBucket', () => {
  const s = { burst: 3, commandsPerSecond: 2 };

  test('a burst passes at once, then the wait until the next token', () => {
    const b = new TokenBucket(s, 0);
    assert.deepEqual([b.take(s, 0), b.take(s, 0), b.take(s, 0)], [0, 0, 0]);
    assert.equal(b.take(s, 0), 500);
    assert.equal(b.take(s, 250), 250);
    assert.equal(b.take(s, 500), 0);
    assert.equal(b.take(s, 500), 500);
  });

  test('the wait is the exact time left, not a millisecond more', () => {
    const b = new TokenBucket(s, 0);
    for (let i = 0; i < 3; i++) b.take(s, 0);
    assert.equal(b.take(s, 250), 250);
    // 0.998 tokens: the last one comes in 1 ms (floating-point error must not make it 2).
    assert.equal(b.take(s, 499), 1);
  });

  test('refills at the rate, and never beyond the burst', () => {
    const b = new TokenBucket(s, 0);
    for (let i = 0; i < 3; i++) b.take(s, 0);
    assert.deepEqual([b.take(s, 1_000), b.take(s, 1_000), b.take(s, 1_000)], [0, 0, 500], 'one second: two tokens');
    const idle = new TokenBucket(s, 0);
    for (let i = 0; i < 3; i++) idle.take(s, 0);
    const after = [0, 0, 0, 0].map(() => idle.take(s, 3_600_000));
    assert.deepEqual(after, [0, 0, 0, 500], 'an hour idle: still only the burst');
  });

  test('new settings apply at the next take', () => {
    const b = new TokenBucket(s, 0);
    for (let i = 0; i < 3; i++) b.take(s, 0);
    const faster = { burst: 3, commandsPerSecond: 10 };
    assert.equal(b.take(faster, 0), 100);
    const smaller = { burst: 1, commandsPerSecond: 2 };
    assert.deepEqual([b.take(smaller, 10_000), b.take(smaller, 10_000)], [0, 500], 'capped at the new burst');
  });

  test('property: a client that waits the time it is told is let through', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 60 }),
        (burst, rate, gaps) => {
          const settings = { burst, commandsPerSecond: rate };
          let now = 1_000_000;
          const b = new TokenBucket(settings, now);
          for (const gap of gaps) {
            now += gap;
            const wait = b.take(settings, now);
            assert.ok(Number.isInteger(wait) && wait >= 0, String(wait));
            if (wait > 0) {
              assert.ok(wait <= Math.ceil(1000 / rate), `at most one token's time: ${wait}`);
              now += wait;
              assert.equal(b.take(settings, now), 0, `after waiting ${wait} ms`);
            }
          }
        },
      ),
      propertyParams({ numRuns: RUNS }),
    );
  });
});
