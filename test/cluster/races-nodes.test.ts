// Issue 18's races over nodes coming and going, as regression tests: real servers on a
// DelayedLog, one node reading it 20 ms after the other. Before issue 18 a node started later
// knew nothing of the network (and one of its users could take a nick already held), and a
// node that died left its users on the others forever. Seeds are printed; PARLOR_SEED replays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../helpers/seed.ts';
import { FAST, firstOf, lusersOf, namesOf, openCluster, SLOW, whoOf, type Cluster } from '../helpers/race-cluster.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import type { TestServer } from '../helpers/server.ts';

const SEED = seedFromEnv(18);
const ROOMS = ['#one', '#two', '#three'];

/** 14 users over nodes a and b, in three rooms, a few invisible, one topic: a network to catch up with. */
async function populate(cluster: Cluster, a: TestServer, b: TestServer): Promise<RawClient[]> {
  const users: RawClient[] = [];
  for (let i = 0; i < 14; i++) {
    const c = await (i % 2 ? b : a).register(`user${i}`);
    if (i % 5 === 0) c.send(`MODE user${i} +i`);
    c.send(`JOIN ${ROOMS.slice(0, 1 + (i % 3)).join(',')}`);
    users.push(c);
  }
  users[0]!.send('TOPIC #one :the first room');
  await cluster.settled(...users);
  return users;
}

/** What a user on each node is told of the whole network. */
async function viewFrom(c: RawClient): Promise<unknown> {
  const names: Record<string, string[]> = {};
  const who: Record<string, string[]> = {};
  for (const room of ROOMS) {
    names[room] = await namesOf(c, room);
    who[room] = await whoOf(c, room);
  }
  return { names, who, everyone: await whoOf(c, '*'), lusers: await lusersOf(c) };
}

async function lateNodeSeesAll(cluster: Cluster, a: TestServer, b: TestServer): Promise<void> {
  const c = await cluster.start('c', FAST);
  const [onA, onC] = await Promise.all([a.register('aska'), c.register('askc')]);
  await cluster.settled(onA, onC);
  const seenFromA = await viewFrom(onA);
  assert.deepEqual(await viewFrom(onC), seenFromA, 'the late node sees every user and room');
  assert.equal((seenFromA as { everyone: string[] }).everyone.length, 14 - 3 + 2, 'WHO * lists the visible users');
  assert.equal((seenFromA as { lusers: { global: string } }).lusers.global, '16');

  // Nobody there can take a nick held elsewhere, at registration or later.
  const newcomer = await c.connect();
  newcomer.send('NICK user0', 'USER x 0 * :x');
  assert.equal((await firstOf(newcomer, '001', '433')).msg.command, '433');
  onC.send('NICK user1');
  assert.equal((await firstOf(onC, 'NICK', '433')).msg.command, '433');
  await cluster.settled(onA, onC);
  const [digestA, digestB, digestC] = cluster.digests('a', 'b', 'c');
  assert.equal(digestB, digestA);
  assert.equal(digestC, digestA, 'the late node holds the same network');
  assert.equal(b.server.network.userByNick('user0')?.uid, c.server.network.userByNick('user0')?.uid);
}

test('race: a node started later sees every user and room (WHO, LUSERS, NAMES) and its users cannot take a nick held', async (t) => {
  const cluster = openCluster(t, { seed: SEED });
  const [a, b] = [await cluster.start('a', FAST), await cluster.start('b', SLOW)];
  await populate(cluster, a, b);
  await lateNodeSeesAll(cluster, a, b);
});

test('race: a node started later from a snapshot and the log after it sees every user and room', async (t) => {
  const cluster = openCluster(t, { seed: SEED });
  const config = { cluster: { snapshotEvery: 100 } };
  const [a, b] = [await cluster.start('a', FAST, config), await cluster.start('b', SLOW, config)];
  const users = await populate(cluster, a, b);
  // Enough entries for a snapshot, and some after it.
  for (let i = 0; i < 120; i++) users[(i % 5) * 3]!.send(`PRIVMSG #one :line ${i}`);
  await cluster.settled(...users);
  const snapshot = cluster.log.latestSnapshot();
  assert.ok(snapshot, 'a snapshot was written');
  assert.ok(snapshot.position < cluster.log.position, 'the late node reads entries after the snapshot too');
  await lateNodeSeesAll(cluster, a, b);
});

test('race: a node killed — its users QUIT everywhere with *.net *.split, their nicks free, gone from NAMES and LUSERS', async (t) => {
  const cluster = openCluster(t, { seed: SEED, lostAfterMs: 10 });
  const [a, b, c] = [await cluster.start('a', FAST), await cluster.start('b', SLOW), await cluster.start('c', { minDelayMs: 5, maxDelayMs: 10 })];
  const [alice, carol] = await Promise.all([a.register('alice'), c.register('carol')]);
  const [bob, bea] = await Promise.all([b.register('bob'), b.register('bea')]);
  for (const u of [alice, carol, bob, bea]) u.send('JOIN #room');
  await cluster.settled(alice, carol, bob, bea);
  assert.equal((await lusersOf(alice)).global, '4');
  const marks = [alice, carol].map((u) => u.received.length);

  cluster.handles.get('b')!.kill(); // a and c hear b is lost after lostAfterMs, and each declares it down

  for (const observer of [alice, carol]) {
    const quits = [await observer.waitFor('QUIT'), await observer.waitFor('QUIT')];
    assert.deepEqual(quits.map((r) => r.msg.source?.split('!')[0]).sort(), ['bea', 'bob']);
    for (const q of quits) assert.equal(q.msg.params[0], '*.net *.split');
  }
  await cluster.settled(alice, carol);
  for (const [i, observer] of [alice, carol].entries()) {
    const quits = observer.since(marks[i]!).filter((r) => r.msg.command === 'QUIT');
    assert.equal(quits.length, 2, 'each QUIT once, though two nodes declared b down');
    assert.deepEqual(await namesOf(observer, '#room'), ['@alice', 'carol'].sort());
    assert.equal((await lusersOf(observer)).global, '2');
  }
  for (const server of [a, c]) {
    assert.equal(server.server.network.nodes.has('b'), false, `${server.server.nodeId} knows b is down`);
    assert.equal(server.server.network.userByNick('bob'), undefined);
  }
  // Their nicks are free, on either node.
  const [newBob, newBea] = await Promise.all([a.register('bob'), c.register('bea')]);
  await cluster.settled(newBob, newBea, alice);
  assert.deepEqual(await whoOf(alice, 'bob'), await whoOf(newBob, 'bob'));
  const [digestA, digestC] = cluster.digests('a', 'c');
  assert.equal(digestA, digestC, 'the nodes left hold the same network');

  // The killed node's process is still running here: it must still shut down, its log gone.
  const killed = cluster.nodes.get('b')!;
  cluster.nodes.delete('b');
  await killed.close();
});
