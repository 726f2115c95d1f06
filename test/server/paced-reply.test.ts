// Long replies are paced to the asker's send queue (issue 12, item 7), over real sockets:
// LIST of 12,000 rooms with 390-byte topics (about 5 MB, more than loopback's socket buffers
// hold) reaches a client that stops reading, every entry then 323, never "SendQ exceeded",
// while two others chat; a labeled LIST is one labeled-response batch; a client that leaves
// mid-reply ends it. WHO, NAMES and JOIN of a room of 2,000 (users of another node) and a
// CHATHISTORY batch of 300 long lines do the same under a 32 KiB send queue, where they used
// to cut the asker off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/server/session.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { is, joinAll } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ROOMS = 12_000;
/** A 390-byte topic (the longest allowed), different per room. */
const topicOf = (i: number): string => `room ${i} `.padEnd(390, 'abcdefghij');
const roomName = (i: number): string => `#room-${String(i).padStart(5, '0')}`;

/** The server's session of a registered client, to look at its connection. */
function sessionOf(t: TestServer, nick: string): Session {
  const uid = t.server.network.userByNick(nick)?.uid;
  const session = uid === undefined ? undefined : t.server.local(uid);
  assert.ok(session, `no session for ${nick}`);
  return session;
}

/** `rounds` messages each way between two clients in #chat, each waited for. */
async function chat(a: RawClient, b: RawClient, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    a.send(`PRIVMSG #chat :ping ${i}`);
    await b.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === `ping ${i}`);
    b.send(`PRIVMSG #chat :pong ${i}`);
    await a.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === `pong ${i}`);
  }
}

/** Counts the times the server made `nick`'s reply wait for the client to read. */
function countDrainWaits(t: TestServer, nick: string): { waits: number } {
  const conn = sessionOf(t, nick).conn;
  const counter = { waits: 0 };
  const whenDrained = conn.whenDrained.bind(conn);
  Object.defineProperty(conn, 'whenDrained', {
    value: () => {
      counter.waits++;
      return whenDrained();
    },
  });
  return counter;
}

const noError = (c: RawClient): void =>
  assert.equal(
    c.received.find((r) => r.msg.command === 'ERROR'),
    undefined,
    'the client was cut off',
  );

describe(`LIST of ${ROOMS} registered rooms with long topics`, () => {
  const store = new MemoryStore();
  let t: TestServer;
  before(async () => {
    for (let i = 0; i < ROOMS; i++) {
      await store.saveChannel({
        name: roomName(i),
        founder: 'seed',
        registeredAt: 0,
        topic: topicOf(i),
        topicSetBy: 'seed',
        topicSetAt: 0,
        modes: 'nt',
        bans: [],
        operators: [],
      });
    }
    t = await startServer({}, { store });
  });
  after(() => t.close());

  test('a client that stops reading gets every room and 323 once it reads again; two others chat meanwhile', async (ctx) => {
    const alice = await t.register('alice');
    const bob = await t.register('bob');
    await joinAll('#chat', alice, bob);
    const slow = await t.register('slow');
    const waits = countDrainWaits(t, 'slow');
    const mark = slow.received.length;
    slow.socket.pause();
    slow.send('LIST');
    await chat(alice, bob, 20);
    const conn = sessionOf(t, 'slow').conn;
    ctx.diagnostic(`while paused: ${conn.queuedBytes} bytes wait on the server for the slow client`);
    assert.equal(conn.closed, false);
    assert.ok(conn.queuedBytes <= t.server.config.limits.sendQueueBytes);
    slow.socket.resume();
    await slow.waitFor('323', 60_000);
    const lines = slow.since(mark);
    noError(slow);
    assert.equal(lines[0]!.msg.command, '321');
    assert.equal(lines.at(-1)!.msg.command, '323');
    const entries = lines.filter((r) => r.msg.command === '322');
    const byName = new Map(entries.map((r) => [r.msg.params[1]!, r.msg.params[3]!]));
    assert.equal(entries.length, ROOMS + 1, 'every room once, #chat included');
    for (const i of [0, 1, 4_321, ROOMS - 1]) assert.equal(byName.get(roomName(i)), topicOf(i));
    ctx.diagnostic(`the reply waited ${waits.waits} times for the client to read`);
    // The client is served again once the reply has ended.
    await chat(alice, bob, 1);
    slow.send('PING after-list');
    await slow.waitFor(is('PONG', 'test.parlor', 'after-list'));
  });

  test('labeled LIST: one labeled-response batch holds 321, every entry and 323', async () => {
    const c = await t.register('labeler', ['labeled-response', 'batch']);
    c.send('@label=big LIST');
    const start = await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.tags.label === 'big');
    const ref = start.msg.params[0]!.slice(1);
    assert.equal(start.msg.params[1], 'labeled-response');
    const mark = c.received.indexOf(start) + 1;
    await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`, 60_000);
    const inside = c.since(mark).slice(0, -1);
    noError(c);
    assert.ok(inside.every((r) => r.msg.tags.batch === ref));
    assert.equal(inside[0]!.msg.command, '321');
    assert.equal(inside.at(-1)!.msg.command, '323');
    assert.equal(inside.filter((r) => r.msg.command === '322').length, ROOMS + 1);
  });

  test('a client that leaves in the middle of LIST ends the reply; the others go on', async () => {
    const alice = await t.register('alice2');
    const bob = await t.register('bob2');
    const quitter = await t.register('quitter');
    await joinAll('#chat', alice, bob, quitter);
    quitter.socket.pause();
    quitter.send('LIST');
    await chat(alice, bob, 3);
    quitter.close();
    const quit = await alice.waitFor((r) => r.msg.command === 'QUIT' && r.msg.source?.startsWith('quitter!') === true);
    assert.notEqual(quit.msg.params[0], 'SendQ exceeded');
    assert.equal(t.server.network.userByNick('quitter'), undefined);
    await chat(alice, bob, 3);
  });
});

describe('WHO, NAMES, JOIN and CHATHISTORY under a 32 KiB send queue', () => {
  const MEMBERS = 2_000;
  let t: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  before(async () => {
    t = await startServer({ limits: { sendQueueBytes: 32 * 1024 }, history: { maxQuery: 300 } });
    alice = await t.register('alice');
    bob = await t.register('bob');
    await joinAll('#chat', alice, bob);
    // Users without sockets (as if connected elsewhere), so that the room is huge without 2,000 sockets.
    for (let i = 0; i < MEMBERS; i++) {
      const nick = `member${String(i).padStart(4, '0')}`.padEnd(30, 'x');
      t.server.publish({ type: 'user.introduce', uid: `far-${i}`, nodeId: t.server.nodeId, nick, username: 'member', hostname: 'far.example.org', realname: 'A member from far away', secure: false, address: '192.0.2.1', modes: '' });
      t.server.publish({ type: 'channel.join', uid: `far-${i}`, channel: '#huge', key: undefined, msgid: `far-join-${i}` });
    }
  });
  after(() => t.close());

  test('WHO #huge: every one of the first 500 members then 315, to a client that stops reading', async () => {
    const slow = await t.register('slowwho');
    const mark = slow.received.length;
    slow.socket.pause();
    slow.send('WHO #huge');
    await chat(alice, bob, 5);
    slow.socket.resume();
    await slow.waitFor('315', 30_000);
    noError(slow);
    const replies = slow.since(mark).filter((r) => r.msg.command === '352');
    assert.equal(replies.length, 500);
    assert.equal(new Set(replies.map((r) => r.msg.params[5])).size, 500);
  });

  test('NAMES #huge with userhost-in-names: every member in 353s, then 366', async () => {
    const slow = await t.register('slownames', ['userhost-in-names']);
    const mark = slow.received.length;
    slow.socket.pause();
    slow.send('NAMES #huge');
    await chat(alice, bob, 5);
    slow.socket.resume();
    await slow.waitFor(is('366', 'slownames', '#huge'), 30_000);
    noError(slow);
    const names = slow
      .since(mark)
      .filter((r) => r.msg.command === '353')
      .flatMap((r) => r.msg.params[3]!.split(' '));
    assert.equal(names.length, MEMBERS);
    assert.ok(names.every((n) => n.endsWith('!member@far.example.org')));
  });

  test('JOIN #huge with userhost-in-names: the JOIN, every member then 366, to a client that stops reading', async () => {
    const joiner = await t.register('joiner', ['userhost-in-names']);
    const mark = joiner.received.length;
    joiner.socket.pause();
    joiner.send('JOIN #huge');
    await chat(alice, bob, 5);
    joiner.socket.resume();
    await joiner.waitFor(is('366', 'joiner', '#huge'), 30_000);
    noError(joiner);
    const lines = joiner.since(mark);
    assert.equal(lines[0]!.msg.command, 'JOIN');
    const names = lines.filter((r) => r.msg.command === '353').flatMap((r) => r.msg.params[3]!.split(' '));
    assert.equal(names.length, MEMBERS + 1);
    assert.ok(names.includes('joiner!joiner@127.0.0.1'));
  });

  test('CHATHISTORY LATEST of 300 long lines: the whole batch, in order', async () => {
    const writer = await t.register('writer');
    await joinAll('#log', writer);
    for (let i = 0; i < 300; i++) writer.send(`PRIVMSG #log :${`line ${i} `.padEnd(400, '.')}`);
    await writer.sync();
    await t.server.store.flush();
    const reader = await t.register('reader', ['draft/chathistory', 'batch', 'server-time', 'message-tags']);
    await joinAll('#log', reader);
    reader.send('CHATHISTORY LATEST #log * 300');
    const start = await reader.waitFor((r: Received) => r.msg.command === 'BATCH' && r.msg.params[1] === 'chathistory');
    const ref = start.msg.params[0]!.slice(1);
    const mark = reader.received.indexOf(start) + 1;
    await reader.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`, 30_000);
    noError(reader);
    const lines = reader.since(mark).filter((r) => r.msg.command === 'PRIVMSG');
    assert.equal(lines.length, 300);
    assert.ok(lines.every((r, i) => r.msg.tags.batch === ref && r.msg.params[1]!.startsWith(`line ${i} `)));
  });
});
