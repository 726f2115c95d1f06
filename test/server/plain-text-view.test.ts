// Plain-text mode without sockets: PlainTextView.input (typed lines → IRC commands),
// PlainTextView.render (IRC lines → text for people), looksLikeIrc (how a first line is told
// apart) and stripTelnet (telnet negotiation taken out of a line). Table-driven.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IrcMessage } from '../../src/protocol/message.ts';
import { COMMANDS } from '../../src/server/command-table.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { clockTime, greeting, looksLikeIrc, plainHelp, PlainTextView, stampOf } from '../../src/server/plain-text.ts';
import { stripTelnet } from '../../src/transport/line-decoder.ts';

const cmd = (command: string, ...params: string[]): IrcMessage => ({ tags: {}, command, params });

/** 2026-01-02 03:04:05 local time: the view shows times as the server's clock reads them. */
const NOW = new Date(2026, 0, 2, 3, 4, 5).getTime();
const localDate = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const T = '[03:04:05]';

/** A view for `pal`, joined to the given rooms (the last one current), as the server would. */
function viewIn(...rooms: string[]): PlainTextView {
  const v = new PlainTextView('#lobby');
  for (const room of rooms) v.render(`:pal!pal@127.0.0.1 JOIN ${room}`, 'pal', NOW);
  return v;
}

describe('clockTime and greeting', () => {
  test('clockTime is HH:MM:SS, zero-padded, in local time', () => {
    assert.equal(clockTime(NOW), '03:04:05');
    assert.equal(clockTime(new Date(2026, 5, 7, 23, 59, 9).getTime()), '23:59:09');
  });

  test('the greeting names the network and server and asks for a nickname', () => {
    const lines = greeting('test.parlor', 'Parlor');
    assert.equal(lines.length, 4);
    assert.equal(lines[0], 'Welcome to Parlor (test.parlor), a chat server.');
    assert.match(lines[1]!, /plain-text mode/);
    assert.match(lines[2]!, /\/lang zh/, 'offers Chinese in Chinese');
    assert.match(lines[3]!, /^Choose a nickname/);
  });
});

describe('looksLikeIrc', () => {
  const isCommand = (verb: string): boolean => COMMANDS.has(verb);
  const cases: [string, boolean][] = [
    ['NICK alice', true],
    ['USER alice 0 * :Alice', true],
    ['CAP LS 302', true],
    ['PASS secret', true],
    ['JOIN #a', true],
    ['PING x', true],
    ['@label=1 NICK alice', true],
    [':alice NICK bob', true],
    ['alice', false],
    ['Hello there', false],
    ['nick alice', false], // IRC clients send commands in capitals
    ['BOB', false], // capitals but not a command: a nickname
    ['NICKNAME', false],
    ['hello NICK', false],
    ['你好', false],
    ['/join #lobby', false],
    ['999 x', false],
  ];
  for (const [line, expected] of cases) {
    test(`${JSON.stringify(line)} → ${expected ? 'IRC' : 'a person'}`, () => {
      assert.equal(looksLikeIrc(line, isCommand), expected);
    });
  }
});

describe('PlainTextView.input before a nickname is chosen', () => {
  const cases: [string, ReturnType<PlainTextView['input']>][] = [
    ['pal', { commands: [cmd('NICK', 'pal'), cmd('USER', 'pal', '0', '*', 'plain-text user')] }],
    ['  pal  ', { commands: [cmd('NICK', 'pal'), cmd('USER', 'pal', '0', '*', 'plain-text user')] }],
    ['p[a]l_^', { commands: [cmd('NICK', 'p[a]l_^'), cmd('USER', 'p[a]l_^', '0', '*', 'plain-text user')] }],
    ['a'.repeat(25), { commands: [cmd('NICK', 'a'.repeat(25)), cmd('USER', 'a'.repeat(18), '0', '*', 'plain-text user')] }],
    ['exit', { commands: [cmd('QUIT', 'Leaving')] }],
    ['/quit', { commands: [cmd('QUIT', 'Leaving')] }],
    ['EXIT', { commands: [cmd('QUIT', 'Leaving')] }],
    ['/quit now', { commands: [cmd('QUIT', 'Leaving')] }],
    ['exit-man', { commands: [cmd('NICK', 'exit-man'), cmd('USER', 'exit-man', '0', '*', 'plain-text user')] }],
    ['exit[1]', { commands: [cmd('NICK', 'exit[1]'), cmd('USER', 'exit[1]', '0', '*', 'plain-text user')] }],
    ['/nick pal', { commands: [cmd('NICK', 'pal'), cmd('USER', 'pal', '0', '*', 'plain-text user')] }],
    ['/NICK  pal', { commands: [cmd('NICK', 'pal'), cmd('USER', 'pal', '0', '*', 'plain-text user')] }],
  ];
  for (const [typed, expected] of cases) {
    test(`${JSON.stringify(typed)}`, () => {
      assert.deepEqual(new PlainTextView('#lobby').input(typed, undefined), expected);
    });
  }

  for (const bad of ['bad nick!', '9lives', 'two words', '#room', '/help', '/nick']) {
    test(`${JSON.stringify(bad)} is refused with a clear message, nothing sent`, () => {
      const r = new PlainTextView('#lobby').input(bad, undefined);
      assert.equal(r.commands, undefined);
      assert.deepEqual(r.reply, [`"${bad}" cannot be a nickname. Try another (letters and digits, not starting with a digit):`]);
    });
  }

  test('a non-ASCII nick under rfc1459 is told the server takes only ASCII; a long one, the limit', () => {
    assert.deepEqual(new PlainTextView('#lobby').input('é', undefined).reply, ['"é" cannot be a nickname: this server takes only ASCII nicknames (letters a-z, digits and - _ [ ] { } | ^ `). Try another:']);
    assert.deepEqual(new PlainTextView('#lobby').input('x'.repeat(31), undefined).reply, [`"${'x'.repeat(31)}" is too long for a nickname: at most 30 characters. Try a shorter one:`]);
  });
});

describe('PlainTextView.input once registered, in #lobby', () => {
  const action = (text: string): string => `\x01ACTION ${text}\x01`;
  const cases: [string, ReturnType<PlainTextView['input']>][] = [
    ['hello', { commands: [cmd('PRIVMSG', '#lobby', 'hello')] }],
    ['  indented  ', { commands: [cmd('PRIVMSG', '#lobby', '  indented')] }],
    ['你好 😀', { commands: [cmd('PRIVMSG', '#lobby', '你好 😀')] }],
    ['//join is not a command', { commands: [cmd('PRIVMSG', '#lobby', '/join is not a command')] }],
    ['PRIVMSG #x :raw irc is just text', { commands: [cmd('PRIVMSG', '#lobby', 'PRIVMSG #x :raw irc is just text')] }],
    ['', { reply: [] }],
    ['   ', { reply: [] }],
    ['exit', { commands: [cmd('QUIT', 'Leaving')] }],
    ['EXIT', { commands: [cmd('QUIT', 'Leaving')] }],
    ['exit now', { commands: [cmd('PRIVMSG', '#lobby', 'exit now')] }],
    ['/quit', { commands: [cmd('QUIT', 'Leaving')] }],
    ['/quit see you', { commands: [cmd('QUIT', 'see you')] }],
    ['/exit', { commands: [cmd('QUIT', 'Leaving')] }],
    ['/me waves', { commands: [cmd('PRIVMSG', '#lobby', action('waves'))] }],
    ['/ME waves twice', { commands: [cmd('PRIVMSG', '#lobby', action('waves twice'))] }],
    ['/msg bob hi there', { commands: [cmd('PRIVMSG', 'bob', 'hi there')] }],
    ['/msg  bob   hi  there', { commands: [cmd('PRIVMSG', 'bob', 'hi  there')] }],
    ['/query #other hi', { commands: [cmd('PRIVMSG', '#other', 'hi')] }],
    ['/msg bob', { reply: ['Usage: /msg nick text'] }],
    ['/msg', { reply: ['Usage: /msg nick text'] }],
    ['/join #other', { commands: [cmd('JOIN', '#other')] }],
    ['/join other', { commands: [cmd('JOIN', '#other')] }],
    ['/j #other', { commands: [cmd('JOIN', '#other')] }],
    ['/join', { reply: ['Usage: /join #room'] }],
    ['/join #lobby', { reply: ['*** Now talking in #lobby'] }],
    ['/join #LOBBY', { reply: ['*** Now talking in #lobby'] }],
    ['/part', { commands: [cmd('PART', '#lobby')] }],
    ['/part bye all', { commands: [cmd('PART', '#lobby', 'bye all')] }],
    ['/part #other', { commands: [cmd('PART', '#other')] }],
    ['/leave #other why not', { commands: [cmd('PART', '#other', 'why not')] }],
    ['/nick pal2', { commands: [cmd('NICK', 'pal2')] }],
    ['/nick', { reply: ['Usage: /nick newname'] }],
    ['/who', { commands: [cmd('NAMES', '#lobby')] }],
    ['/names #other', { commands: [cmd('NAMES', '#other')] }],
    ['/rooms', { commands: [cmd('LIST')] }],
    ['/list', { commands: [cmd('LIST')] }],
    ['/topic', { commands: [cmd('TOPIC', '#lobby')] }],
    ['/topic a new topic', { commands: [cmd('TOPIC', '#lobby', 'a new topic')] }],
    ['/topic #other', { commands: [cmd('TOPIC', '#other')] }],
    ['/topic #other their topic', { commands: [cmd('TOPIC', '#other', 'their topic')] }],
    ['/help', { reply: plainHelp(createTranslator('en')) }],
    ['/frobnicate now', { reply: ['Unknown command /frobnicate. Type /help for the list.'] }],
    ['/', { reply: ['Unknown command /. Type /help for the list.'] }],
  ];
  for (const [typed, expected] of cases) {
    test(`${JSON.stringify(typed)}`, () => {
      assert.deepEqual(viewIn('#lobby').input(typed, 'pal'), expected);
    });
  }

  test('/me with nothing to do asks for text rather than sending an empty action', () => {
    assert.deepEqual(viewIn('#lobby').input('/me', 'pal'), { reply: ['Usage: /me does something'] });
  });

  test('a long line is cut into messages that fit an IRC line once relayed, never mid-character', () => {
    const text = `${'中文 '.repeat(60)}${'😀'.repeat(40)} and the end`;
    for (const [typed, target, action] of [
      [text, '#lobby', false],
      [`/me ${text}`, '#lobby', true],
      [`/msg someone ${text}`, 'someone', false],
    ] as const) {
      const r = viewIn('#lobby').input(typed, 'pal');
      assert.ok(r.commands !== undefined && r.commands.length > 1, typed);
      const texts = r.commands.map((m) => {
        assert.equal(m.command, 'PRIVMSG');
        assert.equal(m.params[0], target);
        // Relayed with pal's source (seen in its JOIN) in front, each still fits 512 bytes with CR LF.
        assert.ok(Buffer.byteLength(`:pal!pal@127.0.0.1 PRIVMSG ${target} :${m.params[1]}\r\n`) <= 512, 'fits once relayed');
        assert.ok(!m.params[1]!.includes('\uFFFD'));
        if (!action) return m.params[1]!;
        assert.ok(m.params[1]!.startsWith('\x01ACTION ') && m.params[1]!.endsWith('\x01'));
        assert.equal(m.params[1]!.slice(1, -1).includes('\x01'), false);
        return m.params[1]!.slice(8, -1);
      });
      assert.equal(texts.join(''), text);
    }
  });

  test('/join of a joined room switches to it: text goes there, no JOIN sent', () => {
    const v = viewIn('#lobby', '#other');
    assert.equal(v.currentRoom, '#other');
    assert.deepEqual(v.input('/join lobby', 'pal'), { reply: ['*** Now talking in #lobby'] });
    assert.equal(v.currentRoom, '#lobby');
    assert.deepEqual(v.input('hi', 'pal'), { commands: [cmd('PRIVMSG', '#lobby', 'hi')] });
  });
});

describe('PlainTextView.input in no room', () => {
  const notInRoom = { reply: ['You are not in a room: /join #room, or /msg nick text.'] };
  const cases: [string, ReturnType<PlainTextView['input']>][] = [
    ['hello', notInRoom],
    ['//slash', notInRoom],
    ['/me waves', { reply: ['You are not in a room: /join #room first.'] }],
    ['/part', { reply: ['You are not in a room.'] }],
    ['/who', { reply: ['You are not in a room.'] }],
    ['/topic', { reply: ['You are not in a room.'] }],
    ['/topic some text', { reply: ['You are not in a room.'] }],
    ['/msg bob hi', { commands: [cmd('PRIVMSG', 'bob', 'hi')] }],
    ['/join #a', { commands: [cmd('JOIN', '#a')] }],
    ['/part #a', { commands: [cmd('PART', '#a')] }],
    ['/who #a', { commands: [cmd('NAMES', '#a')] }],
  ];
  for (const [typed, expected] of cases) {
    test(`${JSON.stringify(typed)}`, () => {
      assert.deepEqual(new PlainTextView('#lobby').input(typed, 'pal'), expected);
    });
  }

  test('after leaving the last room, text is refused with a clear message', () => {
    const v = viewIn('#lobby');
    v.render(':pal!pal@127.0.0.1 PART #lobby', 'pal', NOW);
    assert.equal(v.currentRoom, undefined);
    assert.deepEqual(v.input('anyone?', 'pal'), notInRoom);
  });
});

describe('PlainTextView.afterWelcome', () => {
  test('joins the default room', () => {
    assert.deepEqual(new PlainTextView('#lobby').afterWelcome(), [cmd('JOIN', '#lobby')]);
  });
  test("joins nothing when the default room is ''", () => {
    assert.deepEqual(new PlainTextView('').afterWelcome(), []);
  });
});

describe('PlainTextView.render for pal in #lobby (and #other, joined first)', () => {
  const bob = ':bob!bob@10.0.0.2';
  const cases: [string, string | undefined][] = [
    // Messages
    [`${bob} PRIVMSG #lobby :hi all`, `${T} <bob> hi all`],
    [`${bob} PRIVMSG #LOBBY :hi all`, `${T} <bob> hi all`],
    [`${bob} PRIVMSG #lobby :你好 😀`, `${T} <bob> 你好 😀`],
    [`${bob} PRIVMSG #other :over here`, `${T} #other <bob> over here`],
    [`${bob} PRIVMSG @#lobby :ops only`, `${T} <bob> ops only`],
    [`${bob} NOTICE #lobby :a notice`, `${T} -bob- a notice`],
    [`${bob} NOTICE #other :a notice`, `${T} #other -bob- a notice`],
    [`${bob} PRIVMSG #lobby :\x01ACTION waves\x01`, `${T} * bob waves`],
    [`${bob} PRIVMSG #other :\x01ACTION waves\x01`, `${T} #other * bob waves`],
    [`${bob} PRIVMSG #lobby :\x01ACTION no end`, `${T} * bob no end`],
    [`${bob} PRIVMSG #lobby :\x01VERSION\x01`, undefined],
    [`${bob} PRIVMSG pal :psst`, `${T} (private) *bob* psst`],
    [`${bob} NOTICE pal :psst`, `${T} (private) -bob- psst`],
    [`${bob} PRIVMSG pal :\x01ACTION hugs you\x01`, `${T} (private) * bob hugs you`],
    [`${bob} PRIVMSG pal :\x01PING 123\x01`, undefined],
    [`${bob} PRIVMSG #lobby :\x02bold\x02 \x1ditalic\x1d \x0304,01red\x03 \x0fplain`, `${T} <bob> bold italic red plain`],
    [':test.parlor NOTICE $* :restart at noon', `${T} *** BROADCAST from test.parlor: restart at noon`],
    [':test.parlor PRIVMSG $* :restart at noon', `${T} *** BROADCAST from test.parlor: restart at noon`],
    [':test.parlor NOTICE pal :You have been muted', `${T} -test.parlor- You have been muted`],
    // Said on another day than now (replayed history): the date is shown too.
    ['@time=2026-03-04T05:06:07.000Z :bob!b@h PRIVMSG #lobby :late', `[${localDate(Date.parse('2026-03-04T05:06:07.000Z'))} ${clockTime(Date.parse('2026-03-04T05:06:07.000Z'))}] <bob> late`],
    ['@time=2026-01-02T01:00:00.000Z :bob!b@h PRIVMSG #lobby :today', `${stampOf(Date.parse('2026-01-02T01:00:00.000Z'), NOW)} <bob> today`],
    // Others coming and going
    [`${bob} JOIN #lobby`, `${T} --> bob joined #lobby`],
    [`${bob} JOIN #lobby * :Bob Realname`, `${T} --> bob joined #lobby`],
    [`${bob} PART #lobby`, `${T} <-- bob left #lobby`],
    [`${bob} PART #lobby :see you`, `${T} <-- bob left #lobby (see you)`],
    [`${bob} QUIT :Quit: gone`, `${T} <-- bob quit (Quit: gone)`],
    [`${bob} QUIT`, `${T} <-- bob quit`],
    [`${bob} KICK #lobby carl :spam`, `${T} <-- carl was kicked from #lobby by bob (spam)`],
    [`${bob} KICK #lobby carl`, `${T} <-- carl was kicked from #lobby by bob`],
    [`${bob} NICK bobby`, `${T} --- bob is now known as bobby`],
    [`${bob} TOPIC #lobby :new topic`, `${T} --- bob set the topic of #lobby: new topic`],
    [`${bob} MODE #lobby +o carl`, `${T} --- bob sets mode +o carl on #lobby`],
    [':pal MODE pal +i', undefined],
    [`${bob} INVITE pal #secret`, `${T} --- bob invites you to #secret (type /join #secret)`],
    [':test.parlor WALLOPS :hear ye', `${T} *** WALLOPS from test.parlor: hear ye`],
    [`:test.parlor KILL pal :Killed (admin (bye))`, `${T} *** You were disconnected by test.parlor: Killed (admin (bye))`],
    // Protocol machinery a person does not need
    ['PING :test.parlor', undefined],
    [':test.parlor PONG test.parlor :x', undefined],
    [':test.parlor CAP pal LS :sasl', undefined],
    [':test.parlor BATCH +b1 chathistory #lobby', undefined],
    ['ERROR :Closing Link: 127.0.0.1 (Quit: bye)', '*** Disconnected: Quit: bye (connection closed; press Enter or Ctrl-C if nc is still open)'],
    ['ERROR :Closing Link: 127.0.0.1 (Banned: no)', '*** Disconnected: Banned: no (connection closed; press Enter or Ctrl-C if nc is still open)'],
    ['ERROR :Server is full', '*** Disconnected: Server is full (connection closed; press Enter or Ctrl-C if nc is still open)'],
    [':test.parlor FAIL * INVALID_UTF8 :Message rejected: it is not valid UTF-8', `${T} !!! Message rejected: it is not valid UTF-8`],
    [':test.parlor WARN REHASH CERTS_EXPIRED :Certificate expires soon', `${T} *** Certificate expires soon`],
    // Numerics
    [':test.parlor 001 pal :Welcome to the Parlor IRC Network pal!pal@127.0.0.1', `${T} *** Welcome to the Parlor IRC Network`],
    [':test.parlor 002 pal :Your host is test.parlor', undefined],
    [':test.parlor 005 pal NICKLEN=30 :are supported by this server', undefined],
    [':test.parlor 251 pal :There are 2 users', undefined],
    [':test.parlor 375 pal :- test.parlor Message of the day -', undefined],
    [':test.parlor 372 pal :- Hello from the test server', '  Hello from the test server'],
    [':test.parlor 376 pal :End of /MOTD command.', undefined],
    [':test.parlor 422 pal :MOTD File is missing', undefined],
    [':test.parlor 353 pal = #lobby :@bob pal carl', `${T} *** In #lobby: @bob, pal, carl`],
    [':test.parlor 366 pal #lobby :End of /NAMES list', undefined],
    [':test.parlor 332 pal #lobby :the topic', `${T} *** Topic of #lobby: the topic`],
    [':test.parlor 333 pal #lobby bob 1700000000', undefined],
    [':test.parlor 331 pal #lobby :No topic is set', `${T} *** #lobby has no topic`],
    [':test.parlor 321 pal Channel :Users  Name', undefined],
    [':test.parlor 322 pal #lobby 3 :chat here', '  #lobby (3 people): chat here'],
    [':test.parlor 322 pal #quiet 1 :', '  #quiet (1 person)'],
    [':test.parlor 323 pal :End of /LIST', `${T} *** End of the room list; /join #room to enter one`],
    [':test.parlor 433 * bob :Nickname is already in use', `${T} !!! bob: Nickname is already in use`],
    [':test.parlor 401 pal nobody :No such nick/channel', `${T} !!! nobody: No such nick/channel`],
    [':test.parlor 404 pal #lobby :Cannot send to channel (you are muted: no)', `${T} !!! #lobby: Cannot send to channel (you are muted: no)`],
    [':test.parlor 465 pal :You are banned from this server: no', `${T} !!! You are banned from this server: no`],
    [':test.parlor 305 pal :You are no longer marked as being away', `${T} *** You are no longer marked as being away`],
    // Anything else, unparseable included, is shown as it is
    [`${bob} FROB a b`, `${T} FROB a b`],
    [':onlyasource', ':onlyasource'],
  ];
  for (const [wire, expected] of cases) {
    test(JSON.stringify(wire), () => {
      const v = viewIn('#other', '#lobby');
      assert.equal(v.render(wire, 'pal', NOW), expected);
    });
  }
});

describe('PlainTextView.render keeps track of rooms', () => {
  test('own JOIN: announced, and the room becomes the current one', () => {
    const v = new PlainTextView('#lobby');
    assert.equal(v.render(':pal!pal@h JOIN #Lobby', 'PAL', NOW), `${T} *** You joined #Lobby. Type to talk; /help for commands.`);
    assert.equal(v.currentRoom, '#Lobby');
    assert.deepEqual([...v.rooms.values()], ['#Lobby']);
  });

  test('own PART of the current room: another joined room becomes current', () => {
    const v = viewIn('#lobby', '#other');
    assert.equal(v.render(':pal!pal@h PART #other :done', 'pal', NOW), `${T} <-- You left #other (done)`);
    assert.equal(v.currentRoom, '#lobby');
    assert.deepEqual([...v.rooms.values()], ['#lobby']);
  });

  test('own PART of another room leaves the current one alone', () => {
    const v = viewIn('#lobby', '#other');
    v.render(':pal!pal@h PART #lobby', 'pal', NOW);
    assert.equal(v.currentRoom, '#other');
  });

  test('kicked from the current room: said so, and another room becomes current', () => {
    const v = viewIn('#lobby', '#other');
    assert.equal(v.render(':bob!b@h KICK #other pal :out', 'pal', NOW), `${T} <-- You were kicked from #other by bob (out)`);
    assert.equal(v.currentRoom, '#lobby');
    assert.deepEqual(v.input('still here', 'pal'), { commands: [cmd('PRIVMSG', '#lobby', 'still here')] });
  });

  test('someone else kicked: the rooms stay', () => {
    const v = viewIn('#lobby');
    v.render(':bob!b@h KICK #lobby carl', 'pal', NOW);
    assert.equal(v.currentRoom, '#lobby');
  });

  test('own NICK change reads "You are now known as"', () => {
    assert.equal(viewIn('#lobby').render(':pal!pal@h NICK pal2', 'pal', NOW), `${T} --- You are now known as pal2`);
  });
});

describe('stripTelnet', () => {
  const IAC = 255;
  const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  const cases: [string, Buffer, Buffer][] = [
    ['no IAC: unchanged', bytes('hello'), bytes('hello')],
    ['WILL/WILL before a nickname', bytes([IAC, 251, 1, IAC, 251, 3], 'pal'), bytes('pal')],
    ['DO/DONT/WONT', bytes([IAC, 253, 1], 'a', [IAC, 254, 3], 'b', [IAC, 252, 34]), bytes('ab')],
    ['in the middle of a line', bytes('hel', [IAC, 253, 1], 'lo'), bytes('hello')],
    ['around UTF-8', bytes('你', [IAC, 251, 31], '好'), bytes('你好')],
    ['two-byte commands (NOP, AYT, GA)', bytes('a', [IAC, 241], 'b', [IAC, 246], 'c', [IAC, 249]), bytes('abc')],
    ['subnegotiation up to IAC SE', bytes('x', [IAC, 250, 31, 0, 80, 0, 24, IAC, 240], 'y'), bytes('xy')],
    ['unterminated subnegotiation: the rest goes', bytes('x', [IAC, 250, 24, 0, 65]), bytes('x')],
    ['CR NUL at the end (telnet CR) is dropped', bytes([IAC, 251, 1], 'pal', [13, 0]), bytes('pal')],
    ['IAC IAC (an escaped 0xFF) is kept for the UTF-8 check', bytes('a', [IAC, IAC], 'b'), bytes('a', [IAC, IAC], 'b')],
    ['IAC before a non-command byte is kept', bytes('a', [IAC, 0x41]), bytes('a', [IAC, 0x41])],
    ['IAC WILL with an option ≥ 0x80 is not a negotiation', bytes([IAC, 251, 0x80]), bytes([IAC, 251, 0x80])],
    ['IAC WILL cut short is kept', bytes('a', [IAC, 251]), bytes('a', [IAC, 251])],
    ['a lone IAC at the end is kept', bytes('a', [IAC]), bytes('a', [IAC])],
    ['only negotiation: nothing left', bytes([IAC, 251, 1, IAC, 253, 3]), bytes('')],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.deepEqual(stripTelnet(input), expected);
    });
  }
});
