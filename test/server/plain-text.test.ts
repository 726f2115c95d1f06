// Plain-text mode over real sockets: a person at `nc` (or telnet) is greeted, picks a
// nickname, lands in #lobby and chats with IRC clients as an equal: typed lines become IRC
// commands, IRC lines come back as readable text. Limits (flood, bans, mutes) apply to them
// as to anyone; PINGs do not, since a person cannot answer them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigInput } from '../../src/server/config.ts';
import type { ServerDeps } from '../../src/server/server.ts';
import { ManualClock } from '../helpers/clock.ts';
import { is, join, mask, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A timestamped plain-text line, exactly: `[HH:MM:SS] text`. */
const at = (text: string): RegExp => new RegExp(`^\\[\\d{2}:\\d{2}:\\d{2}\\] ${escape(text)}$`);
/** A timestamped plain-text line starting with `text`. */
const atStart = (text: string): RegExp => new RegExp(`^\\[\\d{2}:\\d{2}:\\d{2}\\] ${escape(text)}`);
/** A line without a timestamp, exactly. */
const exactly = (text: string): RegExp => new RegExp(`^${escape(text)}$`);

const GREETING = [/^Welcome to Parlor \(test\.parlor\), a chat server\.$/, /plain-text mode/, /^Choose a nickname/];
const isGreeting = (raw: string): boolean => GREETING.some((re) => re.test(raw));

/** Connects as a person: the greeting, the nickname typed, up to the room's people list. */
async function plain(t: TestServer, nick: string, room = '#lobby'): Promise<RawClient> {
  const c = await t.connect();
  c.send(nick);
  await c.waitFor(/^Choose a nickname/);
  await c.waitFor(atStart(`*** In ${room}: `));
  return c;
}

/** A plain user's own round trip: lines handled in order, so all before it was handled. */
async function plainSync(c: RawClient): Promise<void> {
  c.send('/sync-marker');
  await c.waitFor(exactly('Unknown command /sync-marker. Type /help for the list.'));
}

async function withServer(input: ConfigInput, deps: Omit<ServerDeps, 'config'>, body: (t: TestServer) => Promise<void>): Promise<void> {
  const t = await startServer(input, deps);
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

describe('plain text: the greeting', () => {
  test('a connection that says nothing is greeted after greetAfterMs', async () => {
    await withServer({ plainText: { greetAfterMs: 50 } }, {}, async (t) => {
      const c = await t.connect();
      for (const re of GREETING) await c.waitFor(re);
      assert.deepEqual(
        c.received.map((r) => r.raw),
        ['Welcome to Parlor (test.parlor), a chat server.', 'You are in plain-text mode: type and press Enter. (IRC clients are welcome here too.)', '中文用户请输入 /lang zh', 'Choose a nickname (letters, digits and - _ [ ] { } | ^ `, not starting with a digit):'],
      );
    });
  });

  test('an IRC client that speaks at once never sees it, though a silent one does', async () => {
    const clock = new ManualClock();
    await withServer({ plainText: { greetAfterMs: 50 } }, { clock }, async (t) => {
      // Accepted in order: once irc1 is registered, the silent connection's session exists.
      const silent = await t.connect();
      const irc = await t.register('irc1');
      clock.advance(1_000);
      for (const re of GREETING) await silent.waitFor(re);
      await irc.sync();
      assert.ok(irc.received.some((r) => r.msg.command === '001'));
      assert.deepEqual(
        irc.received.filter((r) => isGreeting(r.raw)).map((r) => r.raw),
        [],
      );
      // Everything the IRC client was sent is IRC: a source, a known command or numeric.
      for (const r of irc.since(0)) assert.match(r.raw, /^:test\.parlor (\d{3}|NOTICE|MODE) /);
    });
  });
});

describe('plain text over a socket', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 } });
  });
  after(() => t.close());

  /** An IRC client registered and in #lobby. */
  async function ircInLobby(nick: string): Promise<RawClient> {
    const c = await t.register(nick);
    await join(c, nick, '#lobby');
    await settle(c);
    return c;
  }

  test('choosing a nickname: an invalid one, a taken one, then a good one', async () => {
    const taker = await t.register('taken');
    const c = await t.connect();
    await c.waitFor(/^Choose a nickname/);
    c.send('bad nick!');
    await c.waitFor(exactly('"bad nick!" cannot be a nickname. Try another (letters and digits, not starting with a digit):'));
    c.send('taken');
    await c.waitFor(at('!!! taken: Nickname is already in use'));
    c.send('chooser');
    await c.waitFor(at('*** Welcome to the Parlor IRC Network'));
    await c.waitFor(exactly('  Hello from the test server'));
    assert.equal(c.received.filter((r) => isGreeting(r.raw)).length, 3, 'greeted once');
    await c.waitFor(at('*** You joined #lobby. Type to talk; /help for commands.'));
    const names = await c.waitFor(atStart('*** In #lobby: '));
    assert.match(names.raw, /: (@?chooser)(, |$)|, @?chooser(, |$)/);
    // The person's address and chosen nick, as IRC clients see them: the username comes from
    // the nick that was accepted, not from the rejected first try.
    taker.send('WHOIS chooser');
    const whois = await taker.waitFor('311');
    c.send('exit');
    taker.send('QUIT');
    await Promise.all([c.waitClose(), taker.waitClose()]);
    assert.deepEqual(whois.msg.params.slice(1), ['chooser', 'chooser', '127.0.0.1', '*', 'plain-text user']);
  });

  test('room chat both ways, Chinese and emoji intact, /me both ways', async () => {
    const irc = await ircInLobby('irc1');
    const c = await plain(t, 'pal');
    await irc.waitFor((r) => r.raw === `:${mask('pal')} JOIN #lobby`);

    c.send('hello from nc');
    assert.equal((await irc.waitFor('PRIVMSG')).raw, ':pal!pal@127.0.0.1 PRIVMSG #lobby :hello from nc');
    irc.send('PRIVMSG #lobby :hello from irc');
    await c.waitFor(at('<irc1> hello from irc'));

    c.send('你好，世界 😀👍');
    assert.equal((await irc.waitFor('PRIVMSG')).msg.params[1], '你好，世界 😀👍');
    irc.send('PRIVMSG #lobby :回复 🎉');
    await c.waitFor(at('<irc1> 回复 🎉'));

    c.send('/me waves');
    assert.equal((await irc.waitFor('PRIVMSG')).raw, ':pal!pal@127.0.0.1 PRIVMSG #lobby :\x01ACTION waves\x01');
    irc.send('PRIVMSG #lobby :\x01ACTION waves back\x01');
    await c.waitFor(at('* irc1 waves back'));

    // Own lines are not echoed back to the person (their terminal shows what they typed).
    await plainSync(c);
    assert.equal(c.received.filter((r) => /hello from nc|你好|ACTION|\* pal /.test(r.raw)).length, 0);
    c.send('exit');
    await c.waitClose();
    irc.send('QUIT');
    await irc.waitClose();
  });

  test('joins, parts, quits, kicks, nick changes and topics as short notices', async () => {
    const op = await t.register('op1');
    await join(op, 'op1', '#events');
    const c = await plain(t, 'watcher');
    c.send('/join #events');
    await c.waitFor(at('*** You joined #events. Type to talk; /help for commands.'));
    await op.waitFor(is('JOIN', '#events'));

    const other = await t.register('other1');
    other.send('JOIN #events');
    await c.waitFor(at('--> other1 joined #events'));
    other.send('NICK other2');
    await c.waitFor(at('--- other1 is now known as other2'));
    op.send('TOPIC #events :party at eight');
    await c.waitFor(at('--- op1 set the topic of #events: party at eight'));
    other.send('PART #events :brb');
    await c.waitFor(at('<-- other2 left #events (brb)'));
    other.send('JOIN #events');
    await c.waitFor(at('--> other2 joined #events'));
    op.send('KICK #events other2 :too loud');
    await c.waitFor(at('<-- other2 was kicked from #events by op1 (too loud)'));
    other.send('JOIN #events');
    await c.waitFor(at('--> other2 joined #events'));
    other.send('QUIT :off to bed');
    await c.waitFor(at('<-- other2 quit (Quit: off to bed)'));

    // Kicked from the current room: back to #lobby, where text now goes.
    op.send('KICK #events watcher :enough');
    await c.waitFor(at('<-- You were kicked from #events by op1 (enough)'));
    const lobby = await ircInLobby('lobbyist');
    c.send('back in the lobby');
    assert.equal((await lobby.waitFor('PRIVMSG')).raw, ':watcher!watcher@127.0.0.1 PRIVMSG #lobby :back in the lobby');
    for (const x of [c, op, lobby]) x.send(x === c ? 'exit' : 'QUIT');
    await Promise.all([c, op, lobby].map((x) => x.waitClose()));
  });

  test('private messages both ways, and a server broadcast', async () => {
    const irc = await t.register('priv1');
    const c = await plain(t, 'privpal');
    c.send('/msg priv1 hello there');
    assert.equal((await irc.waitFor('PRIVMSG')).raw, ':privpal!privpal@127.0.0.1 PRIVMSG priv1 :hello there');
    irc.send('PRIVMSG privpal :hi back 😀');
    await c.waitFor(at('(private) *priv1* hi back 😀'));
    irc.send('NOTICE privpal :a notice');
    await c.waitFor(at('(private) -priv1- a notice'));
    irc.send('PRIVMSG privpal :\x01ACTION nods\x01');
    await c.waitFor(at('(private) * priv1 nods'));
    c.send('/msg nobody-here hi');
    await c.waitFor(at('!!! nobody-here: No such nick/channel'));

    t.server.admin.broadcast(t.server.admin.consoleActor, 'maintenance at noon');
    await c.waitFor(at('*** BROADCAST from test.parlor: maintenance at noon'));
    c.send('exit');
    irc.send('QUIT');
    await Promise.all([c.waitClose(), irc.waitClose()]);
  });

  test('/join, switching rooms, /part, /nick, /who, /rooms, /topic, /help, unknown, //text', async () => {
    const irc = await ircInLobby('cmd1');
    const c = await plain(t, 'cmdpal');
    c.send('/join #cmdroom');
    await c.waitFor(at('*** You joined #cmdroom. Type to talk; /help for commands.'));
    await c.waitFor(at('*** In #cmdroom: @cmdpal'));
    const roomWatcher = await t.register('cmd2');
    await join(roomWatcher, 'cmd2', '#cmdroom');
    await c.waitFor(at('--> cmd2 joined #cmdroom'));

    // Text goes to the room joined last; others' lines in #lobby say where they were said.
    c.send('in the new room');
    assert.equal((await roomWatcher.waitFor('PRIVMSG')).raw, ':cmdpal!cmdpal@127.0.0.1 PRIVMSG #cmdroom :in the new room');
    irc.send('PRIVMSG #lobby :over in the lobby');
    await c.waitFor(at('#lobby <cmd1> over in the lobby'));
    roomWatcher.send('PRIVMSG #cmdroom :here');
    await c.waitFor(at('<cmd2> here'));

    c.send('/join #lobby');
    await c.waitFor(exactly('*** Now talking in #lobby'));
    c.send('//text with a slash');
    assert.equal((await irc.waitFor('PRIVMSG')).raw, ':cmdpal!cmdpal@127.0.0.1 PRIVMSG #lobby :/text with a slash');
    roomWatcher.send('PRIVMSG #cmdroom :still here');
    await c.waitFor(at('#cmdroom <cmd2> still here'));

    c.send('/who');
    const who = await c.waitFor(atStart('*** In #lobby: '));
    assert.ok(who.raw.split(': ')[1]!.split(', ').some((n) => n.replace(/^[@+]/, '') === 'cmd1'));

    c.send('/rooms');
    const lobbyLine = await c.waitFor(/^ {2}#lobby \(\d+ people\)$/);
    assert.ok(lobbyLine);
    await c.waitFor(at('*** End of the room list; /join #room to enter one'));
    const list = c.received.filter((r) => /^ {2}#/.test(r.raw)).map((r) => r.raw);
    assert.ok(list.includes('  #cmdroom (2 people)'), list.join('\n'));

    c.send('/topic #cmdroom');
    await c.waitFor(at('*** #cmdroom has no topic'));
    c.send('/topic #cmdroom talk about commands');
    await c.waitFor(at('--- cmdpal set the topic of #cmdroom: talk about commands'));
    assert.equal((await roomWatcher.waitFor('TOPIC')).raw, ':cmdpal!cmdpal@127.0.0.1 TOPIC #cmdroom :talk about commands');
    c.send('/join #cmdroom', '/topic');
    await c.waitFor(exactly('*** Now talking in #cmdroom'));
    await c.waitFor(at('*** Topic of #cmdroom: talk about commands'));

    c.send('/help');
    await c.waitFor(exactly('Type a line and press Enter to say it in the current room.'));
    await c.waitFor(/^ {2}\/quit \[reason\] +leave \(or type: exit\)$/);
    c.send('/dance wildly');
    await c.waitFor(exactly('Unknown command /dance. Type /help for the list.'));

    c.send('/nick cmdpal2');
    await c.waitFor(at('--- You are now known as cmdpal2'));
    assert.equal((await irc.waitFor('NICK')).raw, ':cmdpal!cmdpal@127.0.0.1 NICK cmdpal2');
    c.send('/nick cmd1');
    await c.waitFor(at('!!! cmd1: Nickname is already in use'));

    c.send('/part');
    await c.waitFor(at('<-- You left #cmdroom'));
    assert.equal((await roomWatcher.waitFor('PART')).raw, ':cmdpal2!cmdpal@127.0.0.1 PART #cmdroom');
    c.send('/part see you');
    await c.waitFor(at('<-- You left #lobby (see you)'));
    assert.equal((await irc.waitFor('PART')).raw, ':cmdpal2!cmdpal@127.0.0.1 PART #lobby :see you');
    c.send('anyone?');
    await c.waitFor(exactly('You are not in a room: /join #room, or /msg nick text.'));
    await irc.sync();
    assert.equal(irc.drain().filter((r) => r.msg.command === 'PRIVMSG').length, 0);

    for (const x of [c, irc, roomWatcher]) x.send(x === c ? 'exit' : 'QUIT');
    await Promise.all([c, irc, roomWatcher].map((x) => x.waitClose()));
  });

  test('leaving with exit: others see the QUIT, the person is told, the socket closes', async () => {
    const irc = await ircInLobby('bye1');
    const c = await plain(t, 'leaver');
    await irc.waitFor(is('JOIN', '#lobby'));
    c.send('exit');
    assert.equal((await irc.waitFor('QUIT')).raw, ':leaver!leaver@127.0.0.1 QUIT :Quit: Leaving');
    await c.waitFor(exactly('*** Disconnected: Quit: Leaving (connection closed; press Enter or Ctrl-C if nc is still open)'));
    await c.waitClose();

    const d = await plain(t, 'quitter');
    await irc.waitFor(is('JOIN', '#lobby'));
    d.send('/quit bye');
    assert.equal((await irc.waitFor('QUIT')).raw, ':quitter!quitter@127.0.0.1 QUIT :Quit: bye');
    await d.waitFor(exactly('*** Disconnected: Quit: bye (connection closed; press Enter or Ctrl-C if nc is still open)'));
    await d.waitClose();
    // Nothing raw reached the person: no ERROR line, only the rendered one.
    assert.equal(d.received.filter((r) => r.raw.startsWith('ERROR')).length, 0);
    irc.send('QUIT');
    await irc.waitClose();
  });

  test('exit before choosing a nickname closes the connection', async () => {
    const c = await t.connect();
    await c.waitFor(/^Choose a nickname/);
    c.send('exit');
    await c.waitFor(/^\*\*\* Disconnected: /);
    await c.waitClose();
  });

  test('UTF-8 characters split across writes arrive intact', async () => {
    const irc = await ircInLobby('utf1');
    const c = await plain(t, 'splitter');
    const bytes = Buffer.from('中文 and 😀 emoji\r\n', 'utf8');
    const inChinese = 1; // inside 中 (3 bytes)
    const inEmoji = bytes.indexOf(Buffer.from('😀', 'utf8')) + 2; // inside 😀 (4 bytes)
    c.writeRaw(bytes.subarray(0, inChinese));
    c.writeRaw(bytes.subarray(inChinese, inEmoji));
    c.writeRaw(bytes.subarray(inEmoji));
    assert.equal((await irc.waitFor('PRIVMSG')).msg.params[1], '中文 and 😀 emoji');
    // And a nickname line split the same way is one line too.
    const d = await t.connect();
    d.writeRaw('sp');
    d.writeRaw('lit2\r');
    d.writeRaw('\n');
    await d.waitFor(at('*** You joined #lobby. Type to talk; /help for commands.'));
    for (const x of [c, d]) x.send('exit');
    irc.send('QUIT');
    await Promise.all([c, d, irc].map((x) => x.waitClose()));
  });

  test('a long line reaches IRC clients as several messages, each a valid IRC line', async () => {
    const irc = await ircInLobby('long1');
    const c = await plain(t, 'longpal');
    // 500 bytes typed: fine as input, but `PRIVMSG #lobby :` + text would pass 510 bytes.
    const text = `${'文字 '.repeat(70)}${'x'.repeat(500 - Buffer.byteLength('文字 '.repeat(70)))}`;
    assert.equal(Buffer.byteLength(text), 500);
    c.send(text, 'the end');
    const pieces: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await irc.waitFor('PRIVMSG');
      if (r.msg.params[1] === 'the end') break;
      assert.ok(Buffer.byteLength(`${r.raw}\r\n`) <= 512, r.raw);
      pieces.push(r.msg.params[1]!);
    }
    assert.ok(pieces.length > 1);
    assert.equal(pieces.join(''), text);
    c.send('exit');
    irc.send('QUIT');
    await Promise.all([c.waitClose(), irc.waitClose()]);
  });

  test('lines the server refuses (bare CR, not UTF-8) are explained in words', async () => {
    const c = await plain(t, 'framer');
    c.writeRaw('a\rb\r\n');
    await c.waitFor(at('!!! Message rejected: it contains a CR not followed by LF'));
    c.writeRaw(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a])); // "café" in Latin-1
    await c.waitFor(at('!!! Message rejected: it is not valid UTF-8'));
    c.send('exit');
    await c.waitClose();
  });

  test('telnet: negotiation first is ignored, the nickname accepted; IAC mid-line stripped', async () => {
    const irc = await ircInLobby('tel1');
    const c = await t.connect();
    // What telnet sends on connecting, with no line end: still a silent connection.
    c.writeRaw(Buffer.from([255, 251, 1, 255, 251, 3, 255, 253, 31]));
    await c.waitFor(/^Choose a nickname/);
    c.writeRaw(Buffer.concat([Buffer.from([255, 253, 3]), Buffer.from('telly\r\n')]));
    await c.waitFor(at('*** Welcome to the Parlor IRC Network'));
    await c.waitFor(atStart('*** In #lobby: '));
    await irc.waitFor((r) => r.raw === `:${mask('telly')} JOIN #lobby`);
    c.writeRaw(Buffer.concat([Buffer.from('hel'), Buffer.from([255, 251, 1]), Buffer.from('lo 你'), Buffer.from([255, 241]), Buffer.from('好\r\n')]));
    assert.equal((await irc.waitFor('PRIVMSG')).raw, ':telly!telly@127.0.0.1 PRIVMSG #lobby :hello 你好');
    c.send('exit');
    irc.send('QUIT');
    await Promise.all([c.waitClose(), irc.waitClose()]);
  });
});

describe('plain text: limits apply', () => {
  test('flooding: the same Excess Flood as an IRC client', async () => {
    const clock = new ManualClock();
    await withServer({ plainText: { greetAfterMs: 50 }, flood: { burst: 5, commandsPerSecond: 2, recvQueueBytes: 4096 } }, { clock }, async (t) => {
      const irc = await t.register('obs');
      await join(irc, 'obs', '#lobby');
      const c = await plain(t, 'flooder');
      await irc.waitFor(is('JOIN', '#lobby'));
      const text = 'x'.repeat(100);
      c.send(...Array.from({ length: 60 }, (_, i) => `${i} ${text}`));
      await c.waitFor(exactly('*** Disconnected: Excess Flood (connection closed; press Enter or Ctrl-C if nc is still open)'));
      await c.waitClose();
      const quit = await irc.waitFor('QUIT');
      assert.equal(quit.raw, ':flooder!flooder@127.0.0.1 QUIT :Excess Flood');
      assert.equal(t.server.stats.floodDisconnects, 1);
    });
  });

  test('a server ban disconnects the person with readable lines', async () => {
    await withServer({ plainText: { greetAfterMs: 50 } }, {}, async (t) => {
      const irc = await t.register('obs');
      await join(irc, 'obs', '#lobby');
      const c = await plain(t, 'pal');
      await irc.waitFor(is('JOIN', '#lobby'));
      t.server.admin.ban(t.server.admin.consoleActor, 'pal', undefined, 'no');
      await c.waitFor(at('!!! You are banned from this server: no'));
      await c.waitFor(exactly('*** Disconnected: Banned: no (connection closed; press Enter or Ctrl-C if nc is still open)'));
      await c.waitClose();
      assert.equal((await irc.waitFor('QUIT')).raw, ':pal!pal@127.0.0.1 QUIT :Banned: no');
    });
  });

  test('a muted person is told, and their lines get a readable 404', async () => {
    await withServer({ plainText: { greetAfterMs: 50 } }, {}, async (t) => {
      const irc = await t.register('obs');
      await join(irc, 'obs', '#lobby');
      const c = await plain(t, 'hush');
      await irc.waitFor(is('JOIN', '#lobby'));
      t.server.admin.mute(t.server.admin.consoleActor, 'hush', undefined, 'calm down');
      await c.waitFor(at('-test.parlor- You have been muted by the server operators: calm down. You can read but not speak.'));
      c.send('let me speak');
      await c.waitFor(at('!!! #lobby: Cannot send to channel (you are muted: calm down)'));
      await irc.sync();
      assert.equal(irc.drain().filter((r) => r.msg.command === 'PRIVMSG').length, 0);
      // Reading still works.
      irc.send('PRIVMSG #lobby :you can still read this');
      await c.waitFor(at('<obs> you can still read this'));
    });
  });

  test('a kill and a server shutdown are told in words', async () => {
    await withServer({ plainText: { greetAfterMs: 50 } }, {}, async (t) => {
      const victim = await plain(t, 'victim');
      const stayer = await plain(t, 'stayer');
      await victim.waitFor(at('--> stayer joined #lobby'));
      t.server.admin.kill(t.server.admin.consoleActor, 'victim', 'go away');
      await victim.waitFor(at('*** You were disconnected by test.parlor: Killed (admin (go away))'));
      await victim.waitFor(exactly('*** Disconnected: Killed (admin (go away)) (connection closed; press Enter or Ctrl-C if nc is still open)'));
      await victim.waitClose();
      await stayer.waitFor(at('<-- victim quit (Killed (admin (go away)))'));
      await t.server.close();
      await stayer.waitFor(exactly('*** Disconnected: Server shutting down (connection closed; press Enter or Ctrl-C if nc is still open)'));
      await stayer.waitClose();
    });
  });

  test('people are not PINGed; an idle IRC client is', async () => {
    const clock = new ManualClock();
    const limits = { pingIntervalMs: 1_000, pingTimeoutMs: 1_000 };
    await withServer({ plainText: { greetAfterMs: 50 }, limits }, { clock }, async (t) => {
      const idle = await t.register('idle');
      const c = await plain(t, 'person');
      // Beyond interval + timeout in one step: the IRC client cannot answer in between.
      clock.advance(4_000);
      await idle.waitFor('PING');
      assert.match((await idle.waitFor('ERROR')).raw, /^ERROR :Closing Link: 127\.0\.0\.1 \(Ping timeout: \d+ seconds\)$/);
      await idle.waitClose();

      const watcher = await t.register('watcher');
      await join(watcher, 'watcher', '#lobby');
      c.send('still here');
      assert.equal((await watcher.waitFor('PRIVMSG')).raw, ':person!person@127.0.0.1 PRIVMSG #lobby :still here');
      await plainSync(c);
      assert.equal(c.received.filter((r) => /PING|Disconnected/.test(r.raw)).length, 0);
      assert.equal(c.closed, false);
    });
  });

  test('plainText.enabled false: a first line that is not IRC gets 421 as before', async () => {
    await withServer({ plainText: { enabled: false, greetAfterMs: 50 } }, {}, async (t) => {
      const c = await t.connect();
      c.send('hello there');
      const reply = await c.waitFor('421');
      assert.deepEqual(reply.msg.params, ['*', 'HELLO', 'Unknown command']);
      await c.sync();
      assert.deepEqual(
        c.received.filter((r) => r.msg.command !== 'PONG').map((r) => r.raw),
        [reply.raw],
      );
      // Still an IRC connection: registering works.
      c.send('NICK late', 'USER late 0 * :Late');
      await c.waitFor('001');
    });
  });
});
