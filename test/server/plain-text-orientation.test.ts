// What a person at nc needs to know where they are in time and place: replayed history shows
// the time each line was said (the date too when not today) between an "earlier messages"
// line and a "now" line, and after /part or a kick they are told where their lines go now.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from '../helpers/irc.ts';
import { ManualClock } from '../helpers/clock.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clockTime, stampOf } from '../../src/server/plain-text.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';

const exactly = (text: string) => (r: { raw: string }) => r.raw === text;

/** A person at nc: their nick as the first line; waits until they are in #lobby. */
async function person(t: TestServer, nick: string): Promise<RawClient> {
  const c = await t.connect();
  c.writeRaw(`${nick}\n`);
  await c.waitFor((r) => r.raw.includes('*** In #lobby: '));
  return c;
}

describe('plain text: replayed history on join', () => {
  const clock = new ManualClock(new Date(2026, 4, 5, 12, 0, 0).getTime());
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 }, history: { replayOnJoin: 5 } }, { store: new MemoryStore(), clock });
  });
  after(() => t.close());

  test('each replayed line carries the time it was said, between "earlier" and "now" lines', async () => {
    const bob = await t.register('bob');
    await join(bob, 'bob', '#lobby');
    const saidAt = clock.now();
    bob.send('PRIVMSG #lobby :hello');
    await bob.sync();
    clock.advance(7 * 60_000 + 32_000);
    const nc = await t.connect();
    nc.writeRaw('carol\n');
    await nc.waitFor(exactly('--- Earlier messages in #lobby ---'));
    const line = await nc.waitFor((r) => r.raw.endsWith('<bob> hello'));
    assert.equal(line.raw, `[${clockTime(saidAt)}] <bob> hello`);
    assert.equal(clockTime(saidAt), '12:00:00');
    await nc.waitFor(exactly('--- Now ---'));
    // What is said now shows now's time (bob, silent for minutes, has been timed out meanwhile).
    const hal = await t.register('hal');
    await join(hal, 'hal', '#lobby');
    hal.send('PRIVMSG #lobby :and now');
    assert.equal((await nc.waitFor((r) => r.raw.endsWith('<hal> and now'))).raw, `[${clockTime(clock.now())}] <hal> and now`);
    assert.equal(clockTime(clock.now()), '12:07:32');
    nc.writeRaw('exit\n');
    await nc.waitClose();
    bob.close();
  });

  test('a line said on another day shows its date; the markers are in the reader’s language', async () => {
    const dave = await t.register('dave');
    await join(dave, 'dave', '#old');
    const saidAt = clock.now();
    dave.send('PRIVMSG #old :yesterday’s news');
    await dave.sync();
    clock.advance(24 * 3600_000);
    const nc = await person(t, 'erin');
    nc.writeRaw('/lang zh\n');
    await nc.waitFor((r) => r.raw.includes('已切换为中文'));
    nc.writeRaw('/join #old\n');
    await nc.waitFor(exactly('--- #old 之前的消息 ---'));
    const line = await nc.waitFor((r) => r.raw.endsWith('<dave> yesterday’s news'));
    assert.equal(line.raw, `${stampOf(saidAt, clock.now())} <dave> yesterday’s news`);
    assert.match(line.raw, /^\[2026-05-\d\d \d\d:\d\d:\d\d\] /);
    await nc.waitFor(exactly('--- 以下是现在的消息 ---'));
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });
});

describe('plain text: where lines go after leaving a room', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 } });
  });
  after(() => t.close());

  test('after /part the person is told the room they now talk in; after the last, that they are in none', async () => {
    const nc = await person(t, 'frank');
    nc.writeRaw('/join #second\n');
    await nc.waitFor((r) => r.raw.includes('*** You joined #second.'));
    nc.writeRaw('/part\n');
    await nc.waitFor((r) => r.raw.endsWith('<-- You left #second'));
    await nc.waitFor(exactly('*** Now talking in #lobby'));
    nc.writeRaw('/part\n');
    await nc.waitFor((r) => r.raw.endsWith('<-- You left #lobby'));
    await nc.waitFor(exactly('You are not in a room: /join #room, or /msg nick text.'));
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });

  test('after a kick, likewise, in the person’s language', async () => {
    const op = await t.register('opper');
    await join(op, 'opper', '#ops');
    const nc = await person(t, 'gina');
    nc.writeRaw('/lang zh\n');
    await nc.waitFor((r) => r.raw.includes('已切换为中文'));
    nc.writeRaw('/join #ops\n');
    await nc.waitFor((r) => r.raw.includes('你已进入 #ops'));
    op.send('KICK #ops gina :out');
    await nc.waitFor((r) => r.raw.endsWith('<-- 你被 opper 踢出了 #ops（out）'));
    await nc.waitFor(exactly('*** 现在在 #lobby 聊天'));
    nc.writeRaw('exit\n');
    await nc.waitClose();
  });
});
