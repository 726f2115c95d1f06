// What a node on a shared log does when the log fails it for long (src/server/cluster-watch.ts),
// over real sockets, in one process, on a log that fails on demand (test/helpers/faulty-bus.ts):
// without the log for longer than cluster.unavailableCloseMs every client is closed with a
// clear ERROR, and once it is back the node says its old incarnation is gone (node.down) and
// comes back under a new one (node.up); when the log is lost every client is closed at once,
// and the node starts again on the new log with its registered rooms and bans, from the store.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { snapshotDigest } from '../../src/network/snapshot.ts';
import { LOG_LOST_REASON, UNAVAILABLE_REASON } from '../../src/server/cluster-watch.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { ManualClock } from '../helpers/clock.ts';
import { FaultyBus, nodeOnFaultyLog as faultyNode, plainUser } from '../helpers/faulty-bus.ts';
import { is, join, joinAll, mask, settle } from '../helpers/irc.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const OPERS: ConfigInput['opers'] = [{ name: 'root', password: await hashPassword('s3cret', 4) }];

/** A node on a failing log, with quick account hashing. */
const nodeOnFaultyLog = (t: TestContext, input: ConfigInput, store?: Store): Promise<{ bus: FaultyBus; s: TestServer }> =>
  faultyNode(t, { accounts: { passwordCost: 4 }, ...input }, store);

/** The ERROR a client is closed with, then the close itself. */
async function closedWith(c: RawClient, reason: string): Promise<void> {
  assert.equal((await c.waitFor('ERROR')).raw, `ERROR :Closing Link: 127.0.0.1 (${reason})`);
  await c.waitClose();
}

/** `first` says something in `room` and `second` hears it. */
async function chat(first: RawClient, firstNick: string, second: RawClient, room: string): Promise<void> {
  first.send(`PRIVMSG ${room} :anyone here?`);
  assert.equal((await second.waitFor('PRIVMSG')).raw, `:${mask(firstNick)} PRIVMSG ${room} :anyone here?`);
}

describe('the log unavailable for longer than cluster.unavailableCloseMs', () => {
  test('every client gets ERROR with the reason; once it is back the log has node.down for the old epoch, then node.up for a new one; new clients connect and chat', async (t) => {
    const { bus, s } = await nodeOnFaultyLog(t, { cluster: { unavailableCloseMs: 200 } });
    const alice = await s.register('alice');
    const bob = await s.register('bob');
    await joinAll('#room', alice, bob);
    const carol = await plainUser(s, 'carol');
    const oldEpoch = s.server.replica.epoch;

    bus.goDown();
    await closedWith(alice, UNAVAILABLE_REASON);
    await closedWith(bob, UNAVAILABLE_REASON);
    await carol.waitFor((r) => r.raw === `*** Disconnected: ${UNAVAILABLE_REASON} (connection closed; press Enter or Ctrl-C if nc is still open)`);
    await carol.waitClose();
    assert.equal(s.server.sessions.size, 0);

    bus.comeBack();
    const down = await bus.waitForEntry((e) => e.event.type === 'node.down' && e.event.epoch === oldEpoch);
    const up = await bus.waitForEntry((e) => e.event.type === 'node.up' && e.event.nodeId === 'a' && e.epoch !== oldEpoch);
    assert.ok(up.position > down.position, `node.up at ${up.position} after node.down at ${down.position}`);
    assert.equal(s.server.replica.epoch, up.epoch);
    // The old incarnation's users are gone everywhere: their nicks are free.
    const left = [...s.server.network.users.values()].map((u) => u.nick).filter((nick) => nick !== s.server.config.admin.nick);
    assert.deepEqual(left, []);

    const alice2 = await s.register('alice');
    const dave = await s.register('dave');
    await joinAll('#room', alice2, dave);
    alice2.send('NAMES #room');
    assert.equal((await alice2.waitFor('353')).msg.params.at(-1), '@alice dave');
    await chat(alice2, 'alice', dave, '#room');

    // The rejoined node holds what a node reading the whole log from the start holds.
    const late = await startServer({ server: { name: 'b.parlor' } }, { bus, nodeId: 'b' });
    t.after(() => late.close());
    assert.equal(snapshotDigest(s.server.network), snapshotDigest(late.server.network));
  });

  test('back before the bound: nobody is closed and the node keeps its epoch; the bound counts from each outage', async (t) => {
    const clock = new ManualClock();
    const bus = new FaultyBus();
    const s = await startServer({ cluster: { unavailableCloseMs: 200 } }, { bus, nodeId: 'a', clock });
    t.after(async () => {
      bus.comeBack();
      await s.close();
      await bus.close();
    });
    const alice = await s.register('alice');
    const bob = await s.register('bob');
    await joinAll('#room', alice, bob);
    const epoch = s.server.replica.epoch;

    bus.goDown();
    clock.advance(199);
    bus.comeBack();
    clock.advance(1_000);
    await settle(alice, bob);
    await chat(alice, 'alice', bob, '#room');
    assert.equal(s.server.replica.epoch, epoch);
    assert.equal(s.server.sessions.size, 2);

    bus.goDown();
    clock.advance(199);
    await settle(alice, bob);
    assert.equal(s.server.sessions.size, 2);
    clock.advance(1);
    await closedWith(alice, UNAVAILABLE_REASON);
    await closedWith(bob, UNAVAILABLE_REASON);
  });
});

describe('one node of two cut off from the log for longer than the bound', () => {
  test('its users quit everywhere (node.down), it comes back under a new epoch, holds what the other node holds, and its new users chat with the other node', async (t) => {
    const log = new InProcessBus<NetworkEvent>();
    const viewA = new FaultyBus(log);
    const viewB = new FaultyBus(log);
    const a = await startServer({ server: { name: 'a.parlor' }, cluster: { unavailableCloseMs: 200 } }, { bus: viewA, nodeId: 'a' });
    const b = await startServer({ server: { name: 'b.parlor' }, cluster: { unavailableCloseMs: 200 } }, { bus: viewB, nodeId: 'b' });
    t.after(async () => {
      viewA.comeBack();
      await a.close();
      await b.close();
      await log.close();
    });
    const alice = await a.register('alice');
    const bob = await b.register('bob');
    await joinAll('#both', bob, alice);
    bob.send('TOPIC #both :before the cut');
    await alice.waitFor('TOPIC');
    const oldEpoch = a.server.replica.epoch;

    viewA.goDown();
    await closedWith(alice, UNAVAILABLE_REASON);
    // Meanwhile the network goes on without node a.
    bob.send('TOPIC #both :during the cut', 'JOIN #solo', 'PART #solo');
    await bob.waitFor(is('PART', '#solo'));

    viewA.comeBack();
    const quit = await bob.waitFor('QUIT');
    assert.equal(quit.msg.source?.split('!')[0], 'alice');
    await viewA.waitForEntry((e) => e.event.type === 'node.up' && e.event.nodeId === 'a' && e.epoch !== oldEpoch);
    const alice2 = await a.register('alice');
    alice2.send('JOIN #both');
    assert.deepEqual((await alice2.waitFor('332')).msg.params, ['alice', '#both', 'during the cut']);
    await alice2.waitFor('366');
    await chat(bob, 'bob', alice2, '#both');
    await settle(alice2, bob);
    assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));
  });
});

describe('the log lost', () => {
  test('every client gets ERROR with the reason; the node starts again on the new log with its registered room and its server ban', async (t) => {
    const store = new MemoryStore();
    const { bus, s } = await nodeOnFaultyLog(t, { opers: OPERS }, store);
    await addAccount(s, 'founder', 'founder-password');
    const founder = await loginUser(s, 'founder', 'founder', 'founder-password');
    await join(founder, 'founder', '#kept');
    founder.send('REGISTER #kept');
    await founder.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('#kept is now registered to founder'));
    founder.send('TOPIC #kept :kept across the loss');
    await founder.waitFor('TOPIC');
    const op = await s.register('op');
    op.send('OPER root s3cret');
    await op.waitFor('381');
    op.send('KLINE 127.0.0.3 :spam from there');
    await op.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('*** Banned'));
    await settle(founder, op);
    // Both are in the store of record, as the commands left them.
    assert.equal((await store.getChannel('#kept'))?.topic, 'kept across the loss');
    assert.deepEqual((await store.listBans()).map((b) => b.mask), ['127.0.0.3']);
    const oldEpoch = s.server.replica.epoch;

    bus.loseLog();
    await closedWith(founder, LOG_LOST_REASON);
    await closedWith(op, LOG_LOST_REASON);
    // Rooms are restored last, after the bans: then the node is whole again.
    const restored = await bus.waitForEntry((e) => e.event.type === 'channel.restore');
    assert.equal(bus.resets, 1);
    const log = await bus.entries();
    assert.deepEqual(
      log.map((e) => [e.position, e.event.type]),
      [
        [1, 'node.up'],
        [2, 'ban.add'],
        [3, 'channel.restore'],
      ],
    );
    assert.equal(restored.position, 3);
    assert.notEqual(s.server.replica.epoch, oldEpoch);

    // The ban is in force again.
    const banned = await RawClient.connectFrom('127.0.0.3', s.port);
    s.clients.push(banned);
    assert.equal((await banned.waitFor('ERROR')).raw, 'ERROR :Closing Link: 127.0.0.3 (Banned: spam from there)');
    await banned.waitClose();

    // The room is registered again: its topic kept, and joining it first makes nobody operator.
    const newcomer = await s.register('newcomer');
    newcomer.send('JOIN #kept');
    assert.deepEqual((await newcomer.waitFor('332')).msg.params, ['newcomer', '#kept', 'kept across the loss']);
    assert.equal((await newcomer.waitFor('353')).msg.params.at(-1), 'newcomer');
    // Its founder is operator on joining.
    const back = await loginUser(s, 'founder', 'founder', 'founder-password');
    back.send('JOIN #kept');
    await newcomer.waitFor(is('MODE', '#kept', '+o', 'founder'));
  });
});
