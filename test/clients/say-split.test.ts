// The client core cuts a long message into PRIVMSGs that still fit 512 bytes once the server
// puts `:nick!user@host ` in front: with the exact room once its own `user@host` is known
// (the welcome, its own JOIN, CHGHOST, 396), else with room for the longest one. The terminal
// and web clients share this (effects.ts say()). Unit tests on the core, and one over a real
// socket with the largest nick and username a Parlor server allows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { say, type EffectHost } from '../../src/clients/effects.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { is, join } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startClient, waitUntil } from './helpers.ts';

const LINE = 512;
const NICK30 = 'abcdefghijklmnopqrstuvwxyz0123';
/** The longest source a user of a Parlor server at its largest limits could have: NICKLEN 30 here, USERLEN and HOSTLEN 64. */
const WORST_MASK = `${NICK30}!${'u'.repeat(64)}@${'h'.repeat(64)}`;
const CHINESE = Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7) % 2000))).join('');

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function fakeHost(nick: string): { host: EffectHost; sent: string[] } {
  const model = new ChatModel('irc.test');
  model.nick = nick;
  model.status = 'registered';
  const sent: string[] = [];
  const host: EffectHost = {
    model,
    inbound: newInboundState(),
    pending: [],
    registered: true,
    hasCap: () => false,
    send: (line) => sent.push(line),
    quit: () => {},
    forgetRoom: () => {},
  };
  return { host, sent };
}

/** The texts sent, each checked to fit a line when relayed with `mask` in front. */
function relayedTexts(sent: string[], mask: string): string[] {
  return sent.map((line) => {
    assert.ok(bytes(`:${mask} ${line}\r\n`) <= LINE, `${bytes(`:${mask} ${line}\r\n`)} bytes relayed`);
    return parseLine(line).params[1]!;
  });
}

describe('say(): pieces that fit once relayed', () => {
  test('2,000 Chinese characters from a 30-character nick, own host unknown: every piece fits with the worst-case mask', () => {
    const { host, sent } = fakeHost(NICK30);
    say(host, '#room', CHINESE);
    assert.ok(sent.length > 1, 'several messages');
    assert.equal(relayedTexts(sent, WORST_MASK).join(''), CHINESE);

    sent.length = 0;
    say(host, 'someone', CHINESE, 'action');
    const actions = relayedTexts(sent, WORST_MASK);
    for (const a of actions) assert.ok(a.startsWith('\x01ACTION ') && a.endsWith('\x01'), 'each piece a whole ACTION');
    assert.equal(actions.map((a) => a.slice(8, -1)).join(''), CHINESE);

    sent.length = 0;
    say(host, '#room', CHINESE, 'notice');
    assert.equal(relayedTexts(sent, WORST_MASK).join(''), CHINESE);
  });

  test('once the welcome shows our user@host, pieces take exactly the room it leaves', () => {
    const { host, sent } = fakeHost(NICK30);
    const mask = `${NICK30}!${NICK30.slice(0, 10)}@127.0.0.1`;
    applyMessage(host.model, parseLine(`:irc.test 001 ${NICK30} :Welcome to the Parlor IRC Network ${mask}`), host.inbound);
    assert.equal(host.inbound.ownUserHost, `${NICK30.slice(0, 10)}@127.0.0.1`);
    say(host, '#room', CHINESE);
    const texts = relayedTexts(sent, mask);
    assert.equal(texts.join(''), CHINESE);
    // Full lines: each piece but the last leaves less than one character (3 bytes) unused.
    for (const line of sent.slice(0, -1)) assert.ok(bytes(`:${mask} ${line}\r\n`) > LINE - 3, `${bytes(`:${mask} ${line}\r\n`)} bytes`);
  });

  test('our user@host is followed through our JOIN, CHGHOST and 396, and not taken from others', () => {
    const { host } = fakeHost('me');
    const apply = (line: string): void => applyMessage(host.model, parseLine(line), host.inbound);
    apply(':irc.test 001 me :Welcome');
    assert.equal(host.inbound.ownUserHost, undefined, 'a welcome without the mask tells nothing');
    apply(':other!o@elsewhere.example JOIN #room');
    assert.equal(host.inbound.ownUserHost, undefined);
    apply(':me!~me@192.0.2.1 JOIN #room');
    assert.equal(host.inbound.ownUserHost, '~me@192.0.2.1');
    apply(':me!~me@192.0.2.1 CHGHOST ident a.much.longer.host.example');
    assert.equal(host.inbound.ownUserHost, 'ident@a.much.longer.host.example');
    apply(':irc.test 396 me cloak/me :is now your displayed host');
    assert.equal(host.inbound.ownUserHost, 'ident@cloak/me');
  });
});

describe('the terminal client against a server at its largest nick and username', () => {
  let t: TestServer;
  let client: IrcClient | undefined;
  before(async () => {
    t = await startServer({ limits: { nickLength: 64, userLength: 64 } });
  });
  after(async () => {
    await client?.quit();
    await t.close();
  });

  test('2,000 Chinese characters typed by a 64-character nick arrive complete, in pieces that fit 512 bytes', async () => {
    const nick = `n${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2)}`.slice(0, 64);
    const reader = await t.register('reader');
    await join(reader, 'reader', '#wide');
    client = await startClient(t.port, nick, { username: nick });
    client.input('/join #wide');
    await waitUntil(client, () => client!.model.find('#wide')?.joined, 'the JOIN');
    await reader.waitFor(is('JOIN', '#wide'));
    const mask = t.server.network.userByNick(nick)!.mask;
    assert.ok(bytes(`:${mask} `) > 100, 'a source longer than the 100 bytes clients used to keep');

    client.input(CHINESE);
    client.input('the end');
    const pieces: string[] = [];
    for (;;) {
      const r = await reader.waitFor(is('PRIVMSG', '#wide'));
      assert.ok(bytes(`${r.raw}\r\n`) <= LINE, `${bytes(r.raw) + 2} bytes`);
      if (r.msg.params[1] === 'the end') break;
      pieces.push(r.msg.params[1]!);
    }
    assert.ok(pieces.length > 1, 'several messages');
    assert.equal(pieces.join(''), CHINESE);
  });
});
