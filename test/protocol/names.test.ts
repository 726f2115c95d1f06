// Names and masks: rfc1459 case folding, nickname and channel validation, wildcard masks and
// ban-mask completion, and the RPL_ISUPPORT tokens built from the limits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CASEMAPPING, foldCase, sameName } from '../../src/protocol/casemapping.ts';
import { isChannelName, isValidChannel, isValidNick, sanitizeUsername } from '../../src/protocol/validate.ts';
import { hasWildcards, matchMask, normalizeBanMask } from '../../src/protocol/mask.ts';
import { isupportTokens, type IsupportLimits } from '../../src/protocol/isupport.ts';
import { CAPABILITIES, isCapability } from '../../src/protocol/caps.ts';

describe('casemapping (rfc1459)', () => {
  test('the advertised casemapping is rfc1459', () => {
    assert.equal(CASEMAPPING, 'rfc1459');
  });

  const folds: [string, string][] = [
    ['ABCXYZ', 'abcxyz'],
    ['abc', 'abc'],
    ['[', '{'],
    [']', '}'],
    ['\\', '|'],
    ['~', '^'],
    ['Nick[Away]', 'nick{away}'],
    ['A\\B~C', 'a|b^c'],
    ['{}|^', '{}|^'],
    ['#Chan-1_`', '#chan-1_`'],
    ['ÀÉÎ', 'àéî'], // beyond ASCII a nick folds as PRECIS does (casemapping: precis)
    ['#ÀÉÎ', '#ÀÉÎ'], // a room's name does not: rooms are stored under the ASCII fold
    ['#Ünïcode中文🎉', '#Ünïcode中文🎉'],
    ['@AZ[', '@az{'], // '@' (0x40) and '`' (0x60) are not letters
    ['', ''],
  ];
  for (const [input, want] of folds) {
    test(`foldCase(${JSON.stringify(input)}) = ${JSON.stringify(want)}`, () => {
      assert.equal(foldCase(input), want);
    });
  }

  test('foldCase never produces characters outside what it was given plus ASCII lower case', () => {
    for (let c = 0; c < 0x80; c++) {
      const f = foldCase(String.fromCharCode(c)).charCodeAt(0);
      assert.ok(f < 0x80, `0x${c.toString(16)} folds to 0x${f.toString(16)}`);
    }
  });

  test('foldCase is idempotent', () => {
    const all = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c)).join('');
    assert.equal(foldCase(foldCase(all)), foldCase(all));
  });

  const same: [string, string, boolean][] = [
    ['Nick', 'nICK', true],
    ['nick[1]', 'NICK{1}', true],
    ['a\\b', 'A|B', true],
    ['#chan~', '#CHAN^', true],
    ['nick', 'nick_', false],
    ['#É', '#é', false], // no Unicode case folding of room names
    ['É', 'é', true], // of nicks, yes
    ['^', '~', true],
    ['`', '@', false],
  ];
  for (const [a, b, want] of same) {
    test(`sameName(${JSON.stringify(a)}, ${JSON.stringify(b)}) is ${want}`, () => {
      assert.equal(sameName(a, b), want);
    });
  }
});

describe('isValidNick', () => {
  const valid = ['amy', 'a', 'Amy2', 'a-b', 'a1-', '[x]', '{x}', '\\x', '`x', '_x', '^x', '|x', 'x|y^z', 'N'.repeat(9)];
  for (const nick of valid) {
    test(`${JSON.stringify(nick)} is valid`, () => assert.equal(isValidNick(nick, 9), true));
  }
  const invalid: [string, string][] = [
    ['', 'empty'],
    ['1abc', 'starts with a digit'],
    ['-abc', 'starts with -'],
    ['#abc', 'starts with #'],
    ['&abc', 'starts with &'],
    [':abc', 'starts with :'],
    ['$abc', 'starts with $'],
    ['a b', 'space'],
    ['a,b', 'comma'],
    ['a*b', '*'],
    ['a?b', '?'],
    ['a!b', '!'],
    ['a@b', '@'],
    ['a.b', '.'],
    ['a~b', '~'],
    ['ñame', 'non-ASCII'],
    ['a\tb', 'tab'],
    ['N'.repeat(10), 'longer than the limit'],
  ];
  for (const [nick, why] of invalid) {
    test(`${JSON.stringify(nick)} is invalid (${why})`, () => assert.equal(isValidNick(nick, 9), false));
  }
  test('the limit is a parameter', () => {
    assert.equal(isValidNick('abcdef', 6), true);
    assert.equal(isValidNick('abcdef', 5), false);
  });
});

describe('isValidChannel', () => {
  const valid = ['#a', '#chan', '#Chan-1_x', '#a.b', '#a!b', '#a@b', '#频道', '#🎉party', '#é', '##two'];
  for (const name of valid) {
    test(`${JSON.stringify(name)} is valid`, () => assert.equal(isValidChannel(name, 50), true));
  }
  const invalid: [string, string][] = [
    ['', 'empty'],
    ['#', 'only the prefix'],
    ['chan', 'no prefix'],
    ['&chan', '& is not in CHANTYPES'],
    ['+chan', '+ is not in CHANTYPES'],
    ['#a b', 'space'],
    ['#a,b', 'comma'],
    ['#a\x07b', 'BEL'],
    ['#a:b', 'colon'],
    ['#a\0b', 'NUL'],
    ['#a\rb', 'CR'],
    ['#a\nb', 'LF'],
    ['#a\tb', 'tab'],
    ['#a\x7fb', 'DEL'],
  ];
  for (const [name, why] of invalid) {
    test(`${JSON.stringify(name)} is invalid (${why})`, () => assert.equal(isValidChannel(name, 50), false));
  }

  test('the length limit counts UTF-8 bytes', () => {
    const ascii = '#' + 'a'.repeat(9); // 10 bytes
    assert.equal(isValidChannel(ascii, 10), true);
    assert.equal(isValidChannel(ascii + 'a', 10), false);
    const chinese = '#' + '中'.repeat(3); // 1 + 9 bytes, 4 characters
    assert.equal(isValidChannel(chinese, 10), true);
    assert.equal(isValidChannel(chinese + 'a', 10), false);
    const emoji = '#🎉🎉'; // 9 bytes, 5 UTF-16 units
    assert.equal(isValidChannel(emoji, 9), true);
    assert.equal(isValidChannel(emoji, 8), false);
  });

  test('isChannelName looks only at the prefix', () => {
    assert.equal(isChannelName('#x'), true);
    assert.equal(isChannelName('#'), true);
    assert.equal(isChannelName('x'), false);
    assert.equal(isChannelName(''), false);
  });
});

describe('sanitizeUsername', () => {
  const rows: [string, string | undefined][] = [
    ['amy', 'amy'],
    ['~amy', 'amy'], // the ident marker is the server's to add
    ['abcdefghijklmnop', 'abcdefghij'],
    ['a b', undefined],
    ['a@b', undefined],
    ['a!b', undefined],
    ['a*b', undefined],
    ['~', undefined],
    ['', undefined],
  ];
  for (const [raw, want] of rows) {
    test(`${JSON.stringify(raw)} → ${JSON.stringify(want)}`, () => assert.equal(sanitizeUsername(raw, 10), want));
  }
});

describe('masks', () => {
  const normalized: [string, string][] = [
    ['nick', 'nick!*@*'],
    ['user@host', '*!user@host'],
    ['*.example.com', '*!*@*.example.com'],
    ['host.example.com', '*!*@host.example.com'],
    ['2001:db8::1', '*!*@2001:db8::1'],
    ['nick!user', 'nick!user@*'],
    ['nick!user@host', 'nick!user@host'],
    ['*!*@*', '*!*@*'],
    ['@host', '*!*@host'],
    ['user@', '*!user@*'],
    ['nick!', 'nick!*@*'],
    ['!user@host', '*!user@host'],
    ['nick!@host', 'nick!*@host'],
    ['*', '*!*@*'],
    ['', '*!*@*'],
  ];
  for (const [mask, want] of normalized) {
    test(`normalizeBanMask(${JSON.stringify(mask)}) = ${JSON.stringify(want)}`, () => {
      assert.equal(normalizeBanMask(mask), want);
    });
  }

  const matches: [string, string, boolean][] = [
    ['nick!*@*', 'nick!user@host', true],
    ['nick!*@*', 'nick2!user@host', false],
    ['*!*@*', 'a!b@c', true],
    ['*!*@*.example.com', 'n!u@host.example.com', true],
    ['*!*@*.example.com', 'n!u@a.b.example.com', true],
    ['*!*@*.example.com', 'n!u@example.com', false],
    ['*!*@*.example.com', 'n!u@host.example.org', false],
    ['*!user@*', 'nick!user@host', true],
    ['*!user@*', 'nick!user2@host', false],
    ['NICK!*@*', 'nick!u@h', true], // case-insensitive
    ['nick!*@*', 'NiCk!u@h', true],
    ['[foo]!*@*', '{FOO}!u@h', true], // rfc1459: [ ] fold to { }
    ['a\\b!*@*', 'A|B!u@h', true],
    ['*!~u@*', '*!^u@*', true], // ~ and ^ are the same letter
    ['n?ck!*@*', 'nick!u@h', true],
    ['n?ck!*@*', 'nck!u@h', false],
    ['n?ck!*@*', 'niick!u@h', false],
    ['???', 'abc', true],
    ['???', 'ab', false],
    ['*', '', true],
    ['a*', 'a', true],
    ['*a*b*', 'xxaxxbxx', true],
    ['*a*b*', 'xxbxxaxx', false],
    ['a.b!*@*', 'axb!u@h', false], // regex characters are literal
    ['a.b!*@*', 'a.b!u@h', true],
    ['(x)+$^|{}!*@*', '(x)+$^|{}!u@h', true],
    ['*!*@1.2.3.4', 'n!u@1.2.3.4', true],
    ['*!*@1.2.3.4', 'n!u@1.2.3.45', false],
    ['#?', '#🎉', true], // '?' is one character, even outside the BMP
    ['#中?', '#中文', true],
    ['#*文', '#中文', true],
    ['#É*', '#é', false], // no Unicode case folding
  ];
  for (const [mask, subject, want] of matches) {
    test(`matchMask(${JSON.stringify(mask)}, ${JSON.stringify(subject)}) is ${want}`, () => {
      assert.equal(matchMask(mask, subject), want);
    });
  }

  test('a subject containing a newline is still matched as a whole', () => {
    assert.equal(matchMask('*', 'a\nb'), true);
    assert.equal(matchMask('a?b', 'a\nb'), true);
    assert.equal(matchMask('a', 'a\nb'), false);
  });

  test('many different masks in a row match correctly (nothing is cached)', () => {
    for (let i = 0; i < 10_050; i++) {
      assert.equal(matchMask(`n${i}!*@*`, `N${i}!u@h`), true);
    }
    assert.equal(matchMask('n5!*@*', 'n6!u@h'), false);
  });

  test('hasWildcards', () => {
    assert.equal(hasWildcards('a*'), true);
    assert.equal(hasWildcards('a?'), true);
    assert.equal(hasWildcards('abc'), false);
  });
});

describe('RPL_ISUPPORT tokens', () => {
  const limits: IsupportLimits = {
    network: 'TestNet',
    nickLen: 30,
    channelLen: 50,
    topicLen: 390,
    kickLen: 255,
    awayLen: 200,
    userLen: 10,
    hostLen: 64,
    maxChannels: 20,
    maxTargets: 4,
    namesTargets: 10,
    maxModes: 6,
    maxBans: 60,
    monitorLimit: 100,
    lineLen: 512,
    chathistory: 100,
  };
  const tokens = isupportTokens(limits);

  const expected = [
    'ACCOUNTEXTBAN=a',
    'AWAYLEN=200',
    'CASEMAPPING=rfc1459',
    'CHANLIMIT=#:20',
    'CHANMODES=beI,k,l,imnst',
    'CHANNELLEN=50',
    'CHANTYPES=#',
    'CHATHISTORY=100',
    'ELIST=CMNTU',
    'EXCEPTS=e',
    'EXTBAN=$,a',
    'HOSTLEN=64',
    'INVEX=I',
    'KEYLEN=32',
    'KICKLEN=255',
    'LINELEN=512',
    'MAXLIST=b:60,e:60,I:60',
    'MODES=6',
    'MONITOR=100',
    'MSGREFTYPES=msgid,timestamp',
    'NETWORK=TestNet',
    'NICKLEN=30',
    'PREFIX=(ov)@+',
    'SAFELIST',
    'STATUSMSG=@+',
    'TOPICLEN=390',
    'USERLEN=10',
    'UTF8ONLY',
    'WHOX',
  ];
  for (const token of expected) {
    test(`includes ${token}`, () => assert.ok(tokens.includes(token), tokens.join(' ')));
  }

  test('TARGMAX carries the target limit for messages', () => {
    const targmax = tokens.find((t) => t.startsWith('TARGMAX='));
    assert.ok(targmax);
    const entries = new Map(targmax.slice('TARGMAX='.length).split(',').map((e) => e.split(':') as [string, string]));
    assert.equal(entries.get('PRIVMSG'), '4');
    assert.equal(entries.get('NOTICE'), '4');
    assert.equal(entries.get('TAGMSG'), '4');
    assert.equal(entries.get('KICK'), '', 'KICK takes any number of nicks');
    assert.equal(entries.get('NAMES'), '10', 'NAMES takes several rooms');
  });

  test('every token is KEY or KEY=value, without spaces, each key once', () => {
    const keys = new Set<string>();
    for (const t of tokens) {
      assert.match(t, /^[A-Z0-9]+(?:=[^ ]*)?$/);
      const key = t.split('=')[0]!;
      assert.ok(!keys.has(key), `duplicate ${key}`);
      keys.add(key);
    }
  });
});

describe('capabilities', () => {
  test('the offered capabilities are known, others are not', () => {
    for (const cap of ['message-tags', 'server-time', 'echo-message', 'labeled-response', 'batch', 'multi-prefix']) {
      assert.ok((CAPABILITIES as readonly string[]).includes(cap), cap);
      assert.equal(isCapability(cap), true);
    }
    assert.equal(isCapability('sasl-nope'), false);
    assert.equal(isCapability(''), false);
    assert.equal(isCapability('toString'), false);
  });
});
