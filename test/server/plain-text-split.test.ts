// A plain-text (nc) user's long line becomes PRIVMSGs that fit 512 bytes once relayed with
// their `:nick!user@host ` in front: the exact room once the welcome has shown their mask,
// room for the longest before. Unit tests on the view, and one over real sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PlainTextView } from '../../src/server/plain-text.ts';
import type { IrcMessage } from '../../src/protocol/message.ts';
import { is, join } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const LINE = 512;
const NICK30 = 'abcdefghijklmnopqrstuvwxyz0123';
/** The longest source before the welcome has shown the real one: USERLEN and HOSTLEN of 64. */
const WORST_MASK = `${NICK30}!${'u'.repeat(64)}@${'h'.repeat(64)}`;
const CHINESE = Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7) % 2000))).join('');

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Texts of the PRIVMSGs, each checked to fit a line once relayed from `mask`. */
function relayedTexts(commands: IrcMessage[], target: string, mask: string): string[] {
  return commands.map((m) => {
    assert.equal(m.command, 'PRIVMSG');
    assert.equal(m.params[0], target);
    const relayed = `:${mask} PRIVMSG ${target} :${m.params[1]}\r\n`;
    assert.ok(bytes(relayed) <= LINE, `${bytes(relayed)} bytes relayed`);
    return m.params[1]!;
  });
}

describe('plain text: a long line is split with room for the sender’s mask', () => {
  test('2,000 Chinese characters from a 30-character nick: every piece fits with the worst-case mask', () => {
    const view = new PlainTextView('#lobby');
    view.currentRoom = '#lobby';
    const said = view.input(CHINESE, NICK30);
    assert.ok(said.commands !== undefined && said.commands.length > 1, 'several messages');
    assert.equal(relayedTexts(said.commands, '#lobby', WORST_MASK).join(''), CHINESE);

    const action = view.input(`/me ${CHINESE}`, NICK30).commands!;
    const texts = relayedTexts(action, '#lobby', WORST_MASK);
    for (const text of texts) assert.ok(text.startsWith('\x01ACTION ') && text.endsWith('\x01'), 'each piece a whole ACTION');
    assert.equal(texts.map((text) => text.slice(8, -1)).join(''), CHINESE);
  });

  test('once the welcome has shown the mask, pieces take exactly the room it leaves', () => {
    const view = new PlainTextView('#lobby');
    view.currentRoom = '#lobby';
    const mask = `${NICK30}!${NICK30.slice(0, 18)}@127.0.0.1`;
    view.render(`:test.parlor 001 ${NICK30} :Welcome to the Parlor IRC Network ${mask}`, NICK30, 0);
    const commands = view.input(`/msg someone ${CHINESE}`, NICK30).commands!;
    assert.equal(relayedTexts(commands, 'someone', mask).join(''), CHINESE);
    for (const m of commands.slice(0, -1)) {
      const relayed = bytes(`:${mask} PRIVMSG someone :${m.params[1]}\r\n`);
      assert.ok(relayed > LINE - 3, `${relayed} bytes: less than a character left over`);
    }
  });
});

describe('plain text over sockets', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 } });
  });
  after(() => t.close());

  test('the longest line a person may type, in Chinese, by a 30-character nick, reaches the room whole in full pieces', async () => {
    const reader = await t.register('reader');
    await join(reader, 'reader', '#lobby');
    const person = await t.connect();
    person.send(NICK30);
    await person.waitFor(new RegExp(`^\\[\\d{2}:\\d{2}:\\d{2}\\] ${escape('*** In #lobby: ')}`));
    await reader.waitFor(is('JOIN', '#lobby'));
    const mask = t.server.network.userByNick(NICK30)!.mask;

    const text = CHINESE.slice(0, 170); // 510 bytes: a line's worth
    assert.equal(bytes(text), 510);
    person.send(text, 'the end');
    const pieces: string[] = [];
    for (;;) {
      const r = await reader.waitFor(is('PRIVMSG', '#lobby'));
      assert.equal(r.msg.source, mask);
      const size = bytes(`${r.raw}\r\n`);
      assert.ok(size <= LINE, `${size} bytes`);
      if (r.msg.params[1] === 'the end') break;
      pieces.push(r.msg.params[1]!);
    }
    assert.equal(pieces.join(''), text);
    assert.equal(pieces.length, 2);
    assert.ok(bytes(`:${mask} PRIVMSG #lobby :${pieces[0]}\r\n`) > LINE - 3, 'the first piece fills its line');
    person.send('exit');
    await person.waitClose();
  });
});
