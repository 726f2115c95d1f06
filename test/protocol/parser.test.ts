// parseLine, serializeMessage and the tag escaping of IRCv3 message-tags, fed raw line texts
// (Modern IRC "Message format"). Table-driven: each row is one line and what it must give.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeTagValue,
  findLabel,
  type IrcMessage,
  parseLine,
  parseTags,
  ProtocolError,
  type ProtocolErrorCode,
  serializeMessage,
  serializeParams,
  serializeTags,
  shownCommand,
  type Tags,
  unescapeTagValue,
  utf8Length,
} from '../../src/protocol/message.ts';

interface Expected {
  tags?: Tags;
  source?: string;
  command: string;
  params?: string[];
}

function check(line: string, want: Expected): void {
  const got = parseLine(line);
  assert.deepEqual(
    got,
    { tags: want.tags ?? {}, source: want.source, command: want.command, params: want.params ?? [] },
    `parsing ${JSON.stringify(line)}`,
  );
}

function throwsCode(line: string, code: ProtocolErrorCode): void {
  assert.throws(
    () => parseLine(line),
    (e: unknown) => e instanceof ProtocolError && e.code === code && e.name === 'ProtocolError',
    `${JSON.stringify(line)} must throw ${code}`,
  );
}

describe('parseLine: message tags', () => {
  const rows: [string, string, Tags][] = [
    ['simple value', '@id=123 PING', { id: '123' }],
    ['escaped semicolon', '@k=a\\:b PING', { k: 'a;b' }],
    ['escaped space', '@k=a\\sb PING', { k: 'a b' }],
    ['escaped backslash', '@k=a\\\\b PING', { k: 'a\\b' }],
    ['escaped CR', '@k=a\\rb PING', { k: 'a\rb' }],
    ['escaped LF', '@k=a\\nb PING', { k: 'a\nb' }],
    ['all escapes together', '@k=\\:\\s\\\\\\r\\n PING', { k: '; \\\r\n' }],
    ['double backslash then s is a backslash and s', '@k=\\\\s PING', { k: '\\s' }],
    ['unknown escape drops the backslash', '@k=a\\bc PING', { k: 'abc' }],
    ['unknown escape of a non-ASCII char', '@k=\\é PING', { k: 'é' }],
    ['trailing lone backslash is dropped', '@k=abc\\ PING', { k: 'abc' }],
    ['value of only a backslash', '@k=\\ PING', { k: '' }],
    ['empty value', '@k= PING', { k: '' }],
    ['key without value', '@k PING', { k: '' }],
    ['several tags', '@a=1;b;c=3 PING', { a: '1', b: '', c: '3' }],
    ['repeated key: last wins', '@a=1;b=2;a=3 PING', { a: '3', b: '2' }],
    ['repeated key: last wins even when empty', '@a=1;a PING', { a: '' }],
    ['client-only tag', '@+draft/reply=abc PING', { '+draft/reply': 'abc' }],
    ['client-only tag without vendor', '@+typing=active PING', { '+typing': 'active' }],
    ['vendor key', '@example.com/foo=bar PING', { 'example.com/foo': 'bar' }],
    ['client-only vendor key', '@+example.com/foo=bar PING', { '+example.com/foo': 'bar' }],
    ['key with digits and dash', '@my-key2=x PING', { 'my-key2': 'x' }],
    ['value may contain =', '@k=a=b= PING', { k: 'a=b=' }],
    ['value with UTF-8', '@k=日本\\s🎉 PING', { k: '日本 🎉' }],
    ['empty parts between ; are skipped', '@a=1;;b=2; PING', { a: '1', b: '2' }],
  ];
  for (const [name, line, tags] of rows) {
    test(name, () => check(line, { tags, command: 'PING' }));
  }

  test('tags, source and params together', () => {
    check('@time=2024-01-01T00:00:00.000Z;msgid=x :nick!u@h PRIVMSG #chan :hi there', {
      tags: { time: '2024-01-01T00:00:00.000Z', msgid: 'x' },
      source: 'nick!u@h',
      command: 'PRIVMSG',
      params: ['#chan', 'hi there'],
    });
  });

  const invalid: [string, string][] = [
    ['empty key', '@=v PING'],
    ['key with underscore', '@bad_key=v PING'],
    ['key with a space escape', '@k\\s=v PING'],
    ['only a +', '@+=v PING'],
    ['vendor without key name', '@example.com/=v PING'],
    ['empty vendor', '@/foo=v PING'],
    ['two slashes', '@a/b/c=v PING'],
    ['non-ASCII key', '@ключ=v PING'],
    ['+ not at the start', '@a+b=v PING'],
  ];
  for (const [name, line] of invalid) {
    test(`invalid tag key: ${name} → INVALID_TAGS`, () => throwsCode(line, 'INVALID_TAGS'));
  }
});

describe('parseLine: source, command, params', () => {
  const rows: [string, string, Expected][] = [
    ['no source', 'PING x', { command: 'PING', params: ['x'] }],
    ['source', ':irc.example.com PING x', { source: 'irc.example.com', command: 'PING', params: ['x'] }],
    ['full source', ':n!u@h.example QUIT :bye', { source: 'n!u@h.example', command: 'QUIT', params: ['bye'] }],
    ['no params', 'LIST', { command: 'LIST' }],
    ['multiple spaces between params', 'USER  a   0  *   :Real  Name', { command: 'USER', params: ['a', '0', '*', 'Real  Name'] }],
    ['leading spaces before the command', '   PING x', { command: 'PING', params: ['x'] }],
    ['several spaces after tags and source', '@a=1   :src   PING   x', { tags: { a: '1' }, source: 'src', command: 'PING', params: ['x'] }],
    ['trailing spaces after the last middle param', 'JOIN #a   ', { command: 'JOIN', params: ['#a'] }],
    ['trailing with spaces', 'PRIVMSG #a :hello  world ', { command: 'PRIVMSG', params: ['#a', 'hello  world '] }],
    ['trailing containing ":"', 'PRIVMSG #a :a:b :c', { command: 'PRIVMSG', params: ['#a', 'a:b :c'] }],
    ['trailing starting with ":"', 'PRIVMSG #a ::)', { command: 'PRIVMSG', params: ['#a', ':)'] }],
    ['empty trailing', 'PRIVMSG #a :', { command: 'PRIVMSG', params: ['#a', ''] }],
    ['only an empty trailing', 'AWAY :', { command: 'AWAY', params: [''] }],
    ['trailing of only spaces', 'TOPIC #a :   ', { command: 'TOPIC', params: ['#a', '   '] }],
    ['middle param containing ":"', 'MODE #a +b a:b', { command: 'MODE', params: ['#a', '+b', 'a:b'] }],
    ['numeric command', ':srv 001 nick :Welcome', { source: 'srv', command: '001', params: ['nick', 'Welcome'] }],
    ['numeric 433', ':srv 433 * nick :Nickname is already in use', { source: 'srv', command: '433', params: ['*', 'nick', 'Nickname is already in use'] }],
    ['lowercase command is upper-cased', 'privmsg #a :x', { command: 'PRIVMSG', params: ['#a', 'x'] }],
    ['mixed-case command is upper-cased', 'PrivMsg #a x', { command: 'PRIVMSG', params: ['#a', 'x'] }],
    ['params are not case-folded', 'JOIN #MiXeD', { command: 'JOIN', params: ['#MiXeD'] }],
    ['Chinese text in trailing', 'PRIVMSG #a :你好，世界', { command: 'PRIVMSG', params: ['#a', '你好，世界'] }],
    ['emoji in trailing', 'PRIVMSG #a :🎉👍🏽 ok', { command: 'PRIVMSG', params: ['#a', '🎉👍🏽 ok'] }],
    ['UTF-8 channel name as middle param', 'JOIN #频道🎉', { command: 'JOIN', params: ['#频道🎉'] }],
    ['tab is not a separator', 'PRIVMSG #a\tb c', { command: 'PRIVMSG', params: ['#a\tb', 'c'] }],
    // Any word is a command (as in ergo and InspIRCd); dispatch answers an unknown one with 421.
    ['command with an underscore', '@label=deadbeef NONEXISTENT_COMMAND', { tags: { label: 'deadbeef' }, command: 'NONEXISTENT_COMMAND' }],
    ['lowercase command with an underscore', 'foo_bar x', { command: 'FOO_BAR', params: ['x'] }],
    ['punctuation command', '!!! x', { command: '!!!', params: ['x'] }],
    ['command with digits and letters', 'priv1 x', { command: 'PRIV1', params: ['x'] }],
    ['non-ASCII command: only ASCII letters are upper-cased', 'приветé x', { command: 'приветé', params: ['x'] }],
    ['dotless i is not upper-cased into I', 'pıng x', { command: 'PıNG', params: ['x'] }],
    ['15 params', 'CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 :15 x', {
      command: 'CMD',
      params: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15 x'],
    }],
  ];
  for (const [name, line, want] of rows) {
    test(name, () => check(line, want));
  }

  const errors: [string, string, ProtocolErrorCode][] = [
    ['empty line', '', 'EMPTY_LINE'],
    ['one space', ' ', 'EMPTY_LINE'],
    ['many spaces', '      ', 'EMPTY_LINE'],
    ['only tags', '@a=1', 'NO_COMMAND'],
    ['only tags and spaces', '@a=1   ', 'NO_COMMAND'],
    ['only source', ':irc.example.com', 'NO_COMMAND'],
    ['tags and source', '@a=1 :irc.example.com ', 'NO_COMMAND'],
    ['two-digit numeric', '01 x', 'INVALID_COMMAND'],
    ['four-digit numeric', '0001 x', 'INVALID_COMMAND'],
    ['command starting with ":" after source', ':src :PING', 'INVALID_COMMAND'],
    ['a second tags word where the command goes', '@a=1 @b PING', 'INVALID_COMMAND'],
    ['empty tags, then "@" as the command (found by the property test, seed -173267735)', '@ @', 'INVALID_COMMAND'],
    ['bad tag wins over a good command', '@a_b=1 PING', 'INVALID_TAGS'],
  ];
  for (const [name, line, code] of errors) {
    test(`${name} → ${code}`, () => throwsCode(line, code));
  }

  test('INVALID_COMMAND carries the word as sent', () => {
    assert.throws(
      () => parseLine('@label=x 0001 a b'),
      (e: unknown) => e instanceof ProtocolError && e.command === '0001',
    );
  });
});

describe('findLabel: the label of a line that did not parse', () => {
  const rows: [string, string, string | undefined][] = [
    ['a plain label', '@label=abc 0001', 'abc'],
    ['after leading spaces', '  @label=abc :x :y', 'abc'],
    ['among other tags, even a bad one', '@a_b=1;label=q1;+x=2 PING', 'q1'],
    ['escaped', '@label=a\\sb\\: PING', 'a b;'],
    ['the last of two', '@label=one;label=two PING', 'two'],
    ['UTF-8', '@label=标签🎉 PING', '标签🎉'],
    ['only in the tag section', 'PRIVMSG #a :@label=x', undefined],
    ['not in a parameter after tags', '@a=1 PRIVMSG #a label=x', undefined],
    ['no tags', 'PING x', undefined],
    ['a key that only ends in label', '@xlabel=1 PING', undefined],
    ['empty', '@label= PING', undefined],
    ['64 bytes is the most', `@label=${'x'.repeat(64)} PING`, 'x'.repeat(64)],
    ['65 bytes is too long (labeled-response)', `@label=${'x'.repeat(65)} PING`, undefined],
    ['a NUL in it', '@label=a\0b PING', undefined],
    ['tags without a command', '@label=alone', 'alone'],
  ];
  for (const [name, line, label] of rows) {
    test(name, () => assert.equal(findLabel(line), label));
  }
});

describe('shownCommand: a client\'s command as a reply shows it', () => {
  test('short words are shown as sent', () => assert.equal(shownCommand('FOO_BAR'), 'FOO_BAR'));
  test('long words are cut to 32 characters, whole code points', () => {
    assert.equal(shownCommand('A'.repeat(100)), 'A'.repeat(32));
    const emoji = shownCommand('🎉'.repeat(40));
    assert.equal(Array.from(emoji).length, 32);
    assert.equal(emoji, '🎉'.repeat(32));
  });
  test('CR, LF and NUL never get through', () => assert.doesNotMatch(shownCommand('A\r\nB\0C'), /[\r\n\0]/));
});

describe('serializeMessage', () => {
  const msg = (m: Partial<IrcMessage> & { command: string }): IrcMessage => ({ tags: {}, params: [], ...m });
  const rows: [string, IrcMessage, string][] = [
    ['command only', msg({ command: 'PING' }), 'PING'],
    ['simple params', msg({ command: 'JOIN', params: ['#a', 'key'] }), 'JOIN #a key'],
    ['empty last param needs ":"', msg({ command: 'PRIVMSG', params: ['#a', ''] }), 'PRIVMSG #a :'],
    ['last param with a space', msg({ command: 'PRIVMSG', params: ['#a', 'hi there'] }), 'PRIVMSG #a :hi there'],
    ['last param starting with ":"', msg({ command: 'PRIVMSG', params: ['#a', ':)'] }), 'PRIVMSG #a ::)'],
    ['last param with ":" inside stays plain', msg({ command: 'MODE', params: ['#a', '+b', 'a:b'] }), 'MODE #a +b a:b'],
    ['source', msg({ source: 'n!u@h', command: 'NICK', params: ['m'] }), ':n!u@h NICK m'],
    ['empty source is left out', msg({ source: '', command: 'PING', params: ['x'] }), 'PING x'],
    ['tags with escapes', msg({ tags: { a: 'x y;z\\', b: '' }, command: 'TAGMSG', params: ['#a'] }), '@a=x\\sy\\:z\\\\;b TAGMSG #a'],
    ['tags, source, trailing', msg({ tags: { msgid: '1' }, source: 's', command: '001', params: ['n', 'Welcome home'] }), '@msgid=1 :s 001 n :Welcome home'],
    ['UTF-8 trailing', msg({ command: 'PRIVMSG', params: ['#频道', '你好 🎉'] }), 'PRIVMSG #频道 :你好 🎉'],
  ];
  for (const [name, m, line] of rows) {
    test(name, () => {
      assert.equal(serializeMessage(m), line);
      const back = parseLine(line);
      assert.deepEqual(back.params, m.params);
      assert.deepEqual(back.tags, m.tags);
    });
  }

  test('serializeParams has a leading space and is empty for no params', () => {
    assert.equal(serializeParams([]), '');
    assert.equal(serializeParams(['a']), ' a');
    assert.equal(serializeParams(['a', 'b c']), ' a :b c');
  });

  test('serializeTags leaves out "=" for empty values', () => {
    assert.equal(serializeTags({}), '');
    assert.equal(serializeTags({ a: '', b: '1' }), 'a;b=1');
  });

  test('utf8Length counts bytes', () => {
    assert.equal(utf8Length('abc'), 3);
    assert.equal(utf8Length('é'), 2);
    assert.equal(utf8Length('中'), 3);
    assert.equal(utf8Length('🎉'), 4);
  });
});

describe('escapeTagValue / unescapeTagValue', () => {
  const rows: [string, string][] = [
    ['plain', 'plain'],
    ['a;b', 'a\\:b'],
    ['a b', 'a\\sb'],
    ['a\\b', 'a\\\\b'],
    ['a\rb', 'a\\rb'],
    ['a\nb', 'a\\nb'],
    ['; \\\r\n', '\\:\\s\\\\\\r\\n'],
    ['tab\tstays', 'tab\tstays'],
    ['', ''],
    ['日本 🎉', '日本\\s🎉'],
  ];
  for (const [raw, escaped] of rows) {
    test(`${JSON.stringify(raw)} ⇄ ${JSON.stringify(escaped)}`, () => {
      assert.equal(escapeTagValue(raw), escaped);
      assert.equal(unescapeTagValue(escaped), raw);
    });
  }

  test('escaped values contain no space, semicolon, CR or LF', () => {
    const escaped = escapeTagValue('a; b\r\n\\c');
    assert.doesNotMatch(escaped, /[ ;\r\n]/);
  });

  test('parseTags of an empty string is empty', () => {
    assert.deepEqual(parseTags(''), {});
  });
});
