// No line Parlor sends passes 512 bytes without its tags, CR LF included (issue 13): a long
// PRIVMSG from a long mask is cut where it is said, at a character boundary, and the relayed
// line, the echo-message echo and the CHATHISTORY replay all carry the same cut text; to a
// room, to a person, to `@#room`, as a CTCP ACTION, with the largest nick and username the
// config allows. Lines made elsewhere (TOPIC, KICK, WHOIS channels, a long MOTD line) are
// kept within 512 by the net in outgoing.ts. Over real sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { is, join, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const LINE = 512;
const PASSWORD = 'line length password';
/** What the sender needs to see its echo and read history, tags and all. */
const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
/** Chinese and emoji: 3- and 4-byte characters, so a cut at a byte count lands inside one. */
const MIXED = '中文字😀';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** The line without its tag section. */
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);
const fitsLine = (r: Received): void => assert.ok(bytes(body(r)) + 2 <= LINE, `${bytes(body(r)) + 2} bytes: ${body(r).slice(0, 80)}…`);

/** A nick of exactly `length` characters. */
const nickOf = (length: number, start: string): string => (start + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2)).slice(0, length);

/** The longest start of `text` within `max` bytes that ends between characters. */
function cutAt(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (bytes(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/**
 * Text that makes `COMMAND target :text` exactly 510 bytes, the most a client may send, and
 * whose cut to `room` bytes falls inside a character (so that a cut by bytes would break it).
 */
function longText(lineStart: string, room: number, wrap = (t: string): string => t): string {
  const size = 510 - bytes(lineStart);
  for (let lead = 0; lead < 4; lead++) {
    let inner = 'x'.repeat(lead);
    while (bytes(wrap(inner + MIXED)) <= size) inner += MIXED;
    inner += 'y'.repeat(size - bytes(wrap(inner)));
    const text = wrap(inner);
    if (bytes(cutAt(text, room)) < room) return text;
  }
  throw new Error('no text whose cut falls inside a character');
}

/** Bytes of text left once `:mask COMMAND target :` and CR LF are counted. */
const roomFor = (source: string, command: string, target: string): number => LINE - 2 - bytes(`:${source} ${command} ${target} :`);

describe('lines relayed from a long mask fit 512 bytes (default limits)', () => {
  let t: TestServer;
  const SENDER = nickOf(30, 's');
  const PEER = nickOf(30, 'p');
  let sender: RawClient;
  let senderMask: string;

  before(async () => {
    t = await startServer({});
    await addAccount(t, SENDER, PASSWORD);
    await addAccount(t, PEER, PASSWORD);
    sender = await loginUser(t, SENDER, SENDER, PASSWORD, CAPS);
    const user = t.server.network.userByNick(SENDER)!;
    senderMask = user.mask;
    assert.equal(SENDER.length, 30);
    assert.equal(senderMask, `${SENDER}!${SENDER.slice(0, 18)}@127.0.0.1`);
  });
  after(() => t.close());

  /** The text of the newest CHATHISTORY line of `target`, seen by the sender, checked to fit. */
  async function replayed(target: string): Promise<Received> {
    sender.send(`CHATHISTORY LATEST ${target} * 1`);
    const lines = await until(sender, (r) => r.msg.command === 'BATCH' && r.msg.params[0]!.startsWith('-'));
    const said = lines.filter((r) => r.msg.command === 'PRIVMSG' || r.msg.command === 'NOTICE');
    assert.equal(said.length, 1, lines.map((r) => r.raw).join('\n'));
    fitsLine(said[0]!);
    return said[0]!;
  }

  test('a 510-byte PRIVMSG to a room: relayed, echoed and replayed within 512 bytes, cut between characters', async () => {
    const reader = await t.register('reader1');
    await join(reader, 'reader1', '#long');
    await join(sender, SENDER, '#long');
    const room = roomFor(senderMask, 'PRIVMSG', '#long');
    const text = longText('PRIVMSG #long :', room);
    assert.equal(bytes(`PRIVMSG #long :${text}`), 510);
    const expected = cutAt(text, room);
    assert.ok(bytes(expected) < room, 'the byte limit falls inside a character');

    sender.send(`PRIVMSG #long :${text}`);
    const relayed = await reader.waitFor(is('PRIVMSG', '#long'));
    assert.deepEqual([relayed.msg.source, ...relayed.msg.params], [senderMask, '#long', expected]);
    fitsLine(relayed);
    const echo = await sender.waitFor(is('PRIVMSG', '#long'));
    assert.equal(body(echo), relayed.raw, 'the echo is the relayed line');
    assert.equal((await replayed('#long')).msg.params[1], expected, 'history keeps what was relayed');
  });

  test('a 510-byte PRIVMSG to a person: the target shown is their nick; relayed, echoed and replayed the same', async () => {
    const peer = await loginUser(t, PEER, PEER, PASSWORD);
    const room = roomFor(senderMask, 'PRIVMSG', PEER);
    const text = longText(`PRIVMSG ${PEER} :`, room);
    const expected = cutAt(text, room);
    assert.ok(bytes(expected) < room, 'the byte limit falls inside a character');

    sender.send(`PRIVMSG ${PEER} :${text}`);
    const relayed = await peer.waitFor(is('PRIVMSG', PEER));
    assert.deepEqual([relayed.msg.source, ...relayed.msg.params], [senderMask, PEER, expected]);
    fitsLine(relayed);
    const echo = await sender.waitFor(is('PRIVMSG', PEER));
    assert.equal(body(echo), relayed.raw);
    assert.equal((await replayed(PEER)).msg.params[1], expected);
  });

  test('to @#room the status prefix counts; a cut CTCP ACTION keeps its closing \\x01', async () => {
    const op = await t.register('opreader');
    await join(op, 'opreader', '#ops'); // first in: the room's operator
    await join(sender, SENDER, '#ops');

    const room = roomFor(senderMask, 'PRIVMSG', '@#ops');
    const text = longText('PRIVMSG @#ops :', room);
    const expected = cutAt(text, room);
    assert.ok(bytes(expected) < room, 'the byte limit falls inside a character');
    sender.send(`PRIVMSG @#ops :${text}`);
    const relayed = await op.waitFor(is('PRIVMSG', '@#ops'));
    assert.deepEqual([relayed.msg.source, ...relayed.msg.params], [senderMask, '@#ops', expected]);
    fitsLine(relayed);
    assert.equal(body(await sender.waitFor(is('PRIVMSG', '@#ops'))), relayed.raw);

    const action = longText('NOTICE #ops :', room, (inner) => `\x01ACTION ${inner}\x01`);
    sender.send(`NOTICE #ops :${action}`);
    const got = await op.waitFor(is('NOTICE', '#ops'));
    fitsLine(got);
    const said = got.msg.params[1]!;
    assert.ok(said.startsWith('\x01ACTION ') && said.endsWith('\x01'), JSON.stringify(said.slice(-8)));
    assert.equal(said.slice(0, -1), cutAt(action.slice(0, -1), roomFor(senderMask, 'NOTICE', '#ops') - 1));
  });

  test('what the net catches: a long TOPIC, a KICK reason; the WHOIS channel list is split', async () => {
    const watcher = await t.register('watcher');
    // The longest room name: TOPICLEN (390) of topic from this mask passes 512 without a cut.
    const longRoom = `#${'r'.repeat(63)}`;
    await join(sender, SENDER, longRoom);
    await join(watcher, 'watcher', longRoom);
    const topic = cutAt(MIXED.repeat(40), 390);
    assert.ok(bytes(`:${senderMask} TOPIC ${longRoom} :${topic}`) > 510, 'would pass 512 bytes uncut');
    sender.send(`TOPIC ${longRoom} :${topic}`);
    const topicLine = await watcher.waitFor(is('TOPIC', longRoom));
    fitsLine(topicLine);
    assert.ok(topic.startsWith(topicLine.msg.params[1]!) && topicLine.msg.params[1]!.length > 100, `cut between characters: ${topicLine.raw}`);

    sender.send(`KICK ${longRoom} watcher :${topic}`);
    const kick = await watcher.waitFor(is('KICK', longRoom, 'watcher'));
    fitsLine(kick);
    assert.ok(topic.startsWith(kick.msg.params[2]!), `cut between characters: ${kick.raw}`);

    // Ten rooms of 64 characters: a WHOIS channel list far longer than a line.
    const rooms = Array.from({ length: 10 }, (_, i) => `#${String(i).repeat(63)}`);
    for (const r of rooms) await join(sender, SENDER, r);
    const mark = watcher.received.length;
    watcher.send(`WHOIS ${SENDER}`);
    await watcher.waitFor('318');
    // Split over several 319 lines as NAMES is, each within 512 bytes: no room is lost.
    const lists = watcher.since(mark).filter((r) => r.msg.command === '319');
    assert.ok(lists.length > 1, `one 319 line per ~7 rooms: ${lists.length}`);
    for (const line of lists) fitsLine(line);
    const listed = lists.flatMap((r) => r.msg.params[2]!.split(' ')).map((r) => r.replace(/^[@+]+/, ''));
    for (const r of [longRoom, ...rooms]) assert.ok(listed.includes(r), `${r} listed`);
  });
});

describe('the largest nick and username the config allows', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { nickLength: 64, userLength: 64 } });
  });
  after(() => t.close());

  test('a 64-character nick with a 64-character username: the room relay fits 512 bytes', async () => {
    const nick = nickOf(64, 'm');
    const reader = await t.register('reader64');
    const sender = await t.register(nick, ['echo-message']);
    const mask = `${nick}!${nick}@127.0.0.1`;
    assert.equal(t.server.network.userByNick(nick)!.mask, mask);
    await join(reader, 'reader64', '#big');
    await join(sender, nick, '#big');
    const room = roomFor(mask, 'PRIVMSG', '#big');
    const text = longText('PRIVMSG #big :', room);
    sender.send(`PRIVMSG #big :${text}`);
    const relayed = await reader.waitFor(is('PRIVMSG', '#big'));
    fitsLine(relayed);
    assert.equal(relayed.msg.params[1], cutAt(text, room));
    assert.equal((await sender.waitFor(is('PRIVMSG', '#big'))).raw, relayed.raw);
  });
});

describe('lines made as text', () => {
  let t: TestServer;
  const motdLine = `${'月'.repeat(150)}${'x'.repeat(100)}`;
  before(async () => {
    t = await startServer({ server: { motd: `short line\n${motdLine}` } });
  });
  after(() => t.close());

  test('a MOTD line longer than a line is cut to fit, with room for the longest nick', async () => {
    const c = await t.register(nickOf(30, 'q'));
    c.send('MOTD');
    await c.waitFor('375');
    const short = await c.waitFor('372');
    assert.equal(short.msg.params[1], '- short line');
    const long = await c.waitFor('372');
    fitsLine(long);
    assert.ok(`- ${motdLine}`.startsWith(long.msg.params[1]!) && long.msg.params[1]!.length > 100, `cut between characters: ${long.raw}`);
  });
});

describe('replies that echo an over-long word', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('each reply fits 512 bytes: the echoed word is cut, the rest of the reply kept', async () => {
    const c = await t.register(nickOf(30, 'e'), ['labeled-response', 'batch', 'draft/chathistory']);
    // Each command is one line of at most 510 bytes; its reply names the long word back.
    const word = (prefix: string, command: string): string => prefix + 'x'.repeat(509 - command.length - 1 - prefix.length);
    for (const command of ['WHOIS', 'WHOWAS', 'JOIN', 'PART', 'NAMES', 'TAGMSG', 'CAP']) {
      const prefix = command === 'JOIN' || command === 'PART' || command === 'NAMES' ? '#' : '';
      const long = word(prefix, command);
      const mark = c.received.length;
      c.send(`${command} ${long}`);
      await c.sync(); // the replies come before the PONG
      const replies = c.since(mark).filter((r) => r.msg.command !== 'PONG');
      assert.ok(replies.length > 0, command);
      for (const r of replies) {
        fitsLine(r);
        const shown = r.msg.params.find((p) => p.startsWith(long.slice(0, 20)));
        assert.ok(shown !== undefined, `${command}: ${r.raw.slice(0, 100)}`);
        assert.ok(long.startsWith(shown), `${command}: the word cut, not changed`);
        assert.ok(!r.msg.params.at(-1)!.startsWith('xxxx') || r.msg.params.length === 2, `${command}: the reply's text kept: ${r.raw.slice(-60)}`);
      }
    }
  });
});
