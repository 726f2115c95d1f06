// UTF-8 nicknames (server.casemapping: precis): the fold, which nicks are valid, the skeleton
// that catches look-alikes, and mentions of such nicks in the clients.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { casemappingToken, foldCase, foldNick } from '../../src/protocol/casemapping.ts';
import { nickSkeleton } from '../../src/protocol/nick-skeleton.ts';
import { normalizeNick } from '../../src/protocol/unicode-nick.ts';
import { isValidNick, sanitizeUsername } from '../../src/protocol/validate.ts';
import { isupportTokens } from '../../src/protocol/isupport.ts';
import { LookalikeNicks } from '../../src/network/lookalike-nicks.ts';
import { User } from '../../src/network/state.ts';
import { mentions } from '../../src/clients/mention.ts';

describe('the fold beyond ASCII', () => {
  const folds: [string, string][] = [
    ['ＡＢＣ', 'abc'], // full-width Latin is Latin (NFKC)
    ['Жора', 'жора'],
    ['ΣΟΦΟΣ', 'σοφοσ'], // final sigma is sigma
    ['σοφος', 'σοφοσ'],
    ['Zoe\u0301', 'zoé'], // decomposed and composed alike
    ['张三', '张三'],
    ['Ａ[Ｂ]', 'a{b}'], // the rfc1459 specials still fold after NFKC
    ['#Ärger', '#Ärger'], // room names keep the ASCII fold
  ];
  for (const [input, want] of folds) {
    test(`${JSON.stringify(input)} folds to ${JSON.stringify(want)}`, () => {
      assert.equal(foldCase(input), want);
      assert.equal(foldCase(foldCase(input)), foldCase(input), 'idempotent');
    });
  }

  test('ASCII folds as rfc1459, whatever else', () => {
    assert.equal(foldNick('Nick[Away]~'), 'nick{away}^');
    assert.equal(foldCase('Nick[Away]~'), 'nick{away}^');
  });

  test('张三 and 張三 are two nicks (different characters), ＡＢＣ and abc one', () => {
    assert.notEqual(foldCase('张三'), foldCase('張三'));
    assert.equal(foldCase('ＡＢＣ'), foldCase('abc'));
  });

  test('the ISUPPORT token follows the casemapping', () => {
    assert.equal(casemappingToken('rfc1459'), 'rfc1459');
    assert.equal(casemappingToken('precis'), 'rfc8265');
    const limits = { network: 'P', nickLen: 30, channelLen: 64, topicLen: 390, kickLen: 390, awayLen: 390, userLen: 18, hostLen: 64, maxChannels: 50, maxTargets: 4, namesTargets: 10, maxModes: 6, maxBans: 100, monitorLimit: 100, lineLen: 512, chathistory: 0 };
    assert.ok(isupportTokens(limits).includes('CASEMAPPING=rfc1459'));
    assert.ok(isupportTokens({ ...limits, casemapping: 'precis' }).includes('CASEMAPPING=rfc8265'));
    assert.ok(isupportTokens({ ...limits, casemapping: 'precis' }).includes('UTF8ONLY'));
  });
});

describe('which nicks precis takes', () => {
  const valid = ['张三', '張三', '小明abc', 'abc小明', '山田タロウ', '김철수', 'Kim철수', 'Zoë', 'Жора', 'Ελένη', 'ＡＢＣ', 'José_1', '[张三]', 'שלום', 'مرحبا', 'नमस्ते', 'alice', 'a-b', 'é'];
  for (const nick of valid) {
    test(`${JSON.stringify(nick)} is valid under precis`, () => assert.ok(isValidNick(nick, 30, 'precis')));
  }
  const invalid: [string, string][] = [
    ['a\u200Dlice', 'zero-width joiner'],
    ['a\u200Blice', 'zero-width space'],
    ['abc\u202Exyz', 'right-to-left override'],
    ['\u2066abc', 'bidi isolate'],
    ['p\u0430ypal', 'Latin with a Cyrillic а'],
    ['Ѕсоtt', 'Cyrillic with Latin'],
    ['abcαβγ', 'Latin with Greek'],
    ['张三Жора', 'Han with Cyrillic'],
    ['\u0301abc', 'a combining mark first'],
    ['e\u0301\u0301\u0301\u0301', 'four marks on one letter'],
    ['\u3164', 'the Hangul filler (a letter that shows nothing)'],
    ['a\u3164b', 'a Hangul filler inside'],
    ['a\u00A0b', 'a no-break space'],
    ['a\u3000b', 'an ideographic space'],
    ['😀a', 'an emoji'],
    ['a★', 'a symbol'],
    ['ab٣', 'a digit other than 0-9'],
    ['1张三', 'a digit first'],
    ['-张三', "'-' first"],
    ['张三!x', "'!'"],
    ['张三@x', "'@'"],
    ['张*', "'*'"],
    ['张?', "'?'"],
    ['张,三', "','"],
    ['张 三', 'a space'],
    ['#张三', "'#' (a room)"],
    [':张三', "':'"],
    ['Ꭺbc', 'Cherokee (a limited-use script, like Latin to the eye)'],
    ['张三\u0000', 'NUL'],
    ['张三\r', 'CR'],
  ];
  for (const [nick, why] of invalid) {
    test(`refused: ${why}`, () => assert.equal(isValidNick(nick, 30, 'precis'), false));
  }

  test('rfc1459 takes none of the new ones, and precis every rfc1459 one', () => {
    for (const nick of valid) if (!/^[\x20-\x7e]*$/.test(nick)) assert.equal(isValidNick(nick, 30, 'rfc1459'), false, nick);
    for (const nick of ['alice', 'Nick[Away]', '`x', 'a-1', '^_^', '{|}']) {
      assert.ok(isValidNick(nick, 30, 'rfc1459'), nick);
      assert.ok(isValidNick(nick, 30, 'precis'), nick);
    }
  });

  test('the length counts UTF-8 bytes: 张三 is 6', () => {
    assert.ok(isValidNick('张三', 6, 'precis'));
    assert.equal(isValidNick('张三', 5, 'precis'), false);
    assert.ok(isValidNick('张'.repeat(10), 30, 'precis'));
    assert.equal(isValidNick('张'.repeat(11), 30, 'precis'), false);
  });

  test('a nick is kept NFC', () => {
    assert.equal(normalizeNick('Zoe\u0301', true), 'Zo\u00e9');
    assert.equal(normalizeNick('Zoe\u0301', false), 'Zoe\u0301');
  });

  test('a username is cut between characters', () => {
    assert.equal(sanitizeUsername('𠀀𠀁𠀂', 2), '𠀀𠀁');
  });
});

describe('skeletons and look-alikes', () => {
  test('Cyrillic and Latin look-alikes share a skeleton', () => {
    assert.equal(nickSkeleton('p\u0430ypal'), nickSkeleton('paypal'));
    assert.equal(nickSkeleton('РАУРАL'), nickSkeleton('paypal'));
    assert.equal(nickSkeleton('\u0440\u0430\u0440\u0430'), nickSkeleton('papa')); // рара: all Cyrillic
    assert.equal(nickSkeleton('ＡＢＣ'), nickSkeleton('abc'));
    assert.notEqual(nickSkeleton('张三'), nickSkeleton('張三'));
  });

  const user = (uid: string, nick: string): User =>
    new User({ uid, nodeId: 'n', nick, username: 'u', hostname: 'h', realname: 'r', signonAt: 0, secure: false, address: '127.0.0.1', modes: '' });

  test('a non-ASCII nick cannot pass for one in use, nor the other way round', () => {
    const index = new LookalikeNicks();
    const latin = user('1', 'papa');
    index.add(latin);
    assert.equal(index.twinOf('\u0440\u0430\u0440\u0430'), latin);
    assert.equal(index.twinOf('papa', latin), undefined, 'oneself is no twin');
    index.remove(latin);
    const cyrillic = user('2', '\u0440\u0430\u0440\u0430');
    index.add(cyrillic);
    assert.equal(index.twinOf('papa'), cyrillic);
  });

  test('two ASCII nicks are never twins (bob0 and bobO, alice and a|ice)', () => {
    const index = new LookalikeNicks();
    index.add(user('1', 'bob0'));
    index.add(user('2', 'alice'));
    assert.equal(index.twinOf('bobO'), undefined);
    assert.equal(index.twinOf('a|ice'), undefined);
  });
});

describe('mentions of Unicode nicks', () => {
  const cases: [string, string, boolean][] = [
    ['张三你好', '张三', true], // Chinese has no spaces between words
    ['你好，张三！', '张三', true],
    ['张三丰来了', '张三', true],
    ['철수가 왔다', '철수', true], // a Korean particle on the name
    ['ЖОРА, привет', 'Жора', true],
    ['Жорик пришёл', 'Жора', false],
    ['hi ＡＢＣ', 'abc', true],
    ['Zoëy is here', 'Zoë', false],
    ['bobé', 'bob', false],
    ['hi bob!', 'bob', true],
    ['[bob]s', 'bob', false],
    ['𠀀张三', '张三', true],
  ];
  for (const [text, nick, want] of cases) {
    test(`${JSON.stringify(text)} ${want ? 'mentions' : 'does not mention'} ${nick}`, () => assert.equal(mentions(text, nick), want));
  }
});
