// Issue 18's races over a log that repeats or loses a delivery, as regression tests: two real
// servers on a DelayedLog, node a reading it at once and node b 20 ms later. Before issue 18
// one event delivered twice left a ghost member, and one event lost left a member missing from
// NAMES who still received the room. Seeds are printed; PARLOR_SEED replays one.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../helpers/seed.ts';
import { FAST, namesOf, openCluster, SLOW, type Cluster } from '../helpers/race-cluster.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import type { TestServer } from '../helpers/server.ts';

const SEED = seedFromEnv(18);

async function twoNodes(t: TestContext, config = {}): Promise<{ cluster: Cluster; a: TestServer; b: TestServer }> {
  const cluster = openCluster(t, { seed: SEED });
  const a = await cluster.start('a', FAST, config);
  const b = await cluster.start('b', SLOW, config);
  return { cluster, a, b };
}

const endOfNames = (room: string) => (r: Received) => r.msg.command === '366' && r.msg.params[1] === room;
const commandsOf = (lines: Received[], ...commands: string[]): string[] =>
  lines.filter((r) => commands.includes(r.msg.command)).map((r) => `${r.msg.command} ${r.msg.params.join(' ')}`);

/** alice on a and bob on b, both in #room, every node caught up. */
async function aliceAndBob(cluster: Cluster, a: TestServer, b: TestServer): Promise<[RawClient, RawClient]> {
  const [alice, bob] = await Promise.all([a.register('alice'), b.register('bob')]);
  bob.send('JOIN #room');
  await bob.waitFor(endOfNames('#room'));
  await cluster.settled(alice, bob);
  return [alice, bob];
}

test('race: entries delivered twice — no ghost member, every line once', async (t) => {
  const { cluster, a, b } = await twoNodes(t);
  const [alice, bob] = await aliceAndBob(cluster, a, b);
  const mark = bob.received.length;

  // b reads each of alice's JOIN, PRIVMSG and PART twice.
  cluster.handles.get('b')!.duplicateNext(3);
  alice.send('JOIN #room');
  await alice.waitFor(endOfNames('#room'));
  alice.send('PRIVMSG #room :said once', 'PART #room :bye');
  await alice.waitFor('PART');
  await cluster.settled(alice, bob);

  assert.deepEqual(commandsOf(bob.since(mark), 'JOIN', 'PRIVMSG', 'PART'), ['JOIN #room', 'PRIVMSG #room said once', 'PART #room bye']);
  assert.deepEqual(await namesOf(bob, '#room'), ['@bob'], 'no ghost alice on b');
  assert.deepEqual(await namesOf(alice, '#room'), ['@bob']);
  bob.send('PRIVMSG #room :anyone?');
  await cluster.settled(alice, bob);
  assert.equal(alice.drain().filter((r) => r.msg.command === 'PRIVMSG').length, 0, 'alice, gone, is not sent the room');

  // b's own entry, twice: one answer.
  const ownMark = bob.received.length;
  cluster.handles.get('b')!.duplicateNext(1);
  bob.send('JOIN #second');
  await bob.waitFor(endOfNames('#second'));
  await cluster.settled(alice, bob);
  assert.equal(commandsOf(bob.since(ownMark), 'JOIN', '366').length, 2, 'one JOIN and one end of NAMES');
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: an entry lost — the node notices the gap at the next entry, reads it back, NAMES right, the room delivered', async (t) => {
  const { cluster, a, b } = await twoNodes(t);
  const [alice, bob] = await aliceAndBob(cluster, a, b);
  const mark = bob.received.length;

  cluster.handles.get('b')!.dropNext(1); // b never hears alice's JOIN…
  alice.send('JOIN #room');
  await alice.waitFor(endOfNames('#room'));
  alice.send('PRIVMSG #room :after the lost join'); // …until this one shows it a gap
  await bob.waitFor('PRIVMSG');
  await cluster.settled(alice, bob);
  assert.deepEqual(commandsOf(bob.since(mark), 'JOIN', 'PRIVMSG'), ['JOIN #room', 'PRIVMSG #room after the lost join'], 'the JOIN read back, before the message');
  assert.deepEqual(await namesOf(bob, '#room'), ['@bob', 'alice']);
  assert.equal(b.server.network.position, cluster.log.position);

  // The room is delivered both ways, and a PART reaches b.
  bob.send('PRIVMSG #room :from b');
  assert.equal((await alice.waitFor('PRIVMSG')).msg.params[1], 'from b');
  alice.send('PART #room');
  assert.equal((await bob.waitFor('PART')).msg.source?.split('!')[0], 'alice');
  await cluster.settled(alice, bob);
  assert.deepEqual(await namesOf(bob, '#room'), ['@bob']);
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: a node loses its own entry — its command is answered once a later entry shows the gap', async (t) => {
  const { cluster, a, b } = await twoNodes(t);
  const [alice, bob] = await aliceAndBob(cluster, a, b);
  alice.send('JOIN #room');
  await alice.waitFor(endOfNames('#room'));
  await cluster.settled(alice, bob);

  cluster.handles.get('b')!.dropNext(1); // b never hears bob's own PRIVMSG…
  bob.send('PRIVMSG #room :lost on the way back');
  assert.equal((await alice.waitFor('PRIVMSG')).msg.params[1], 'lost on the way back', 'the log has it');
  alice.send('PRIVMSG #room :a later entry'); // …until this one shows b the gap
  assert.equal((await bob.waitFor('PRIVMSG', 4000)).msg.params[1], 'a later entry', 'before the periodic read-back (5 s)');
  bob.send('PRIVMSG #room :and the next');
  assert.equal((await alice.waitFor('PRIVMSG')).msg.params[1], 'and the next', "bob's session goes on");
  await cluster.settled(alice, bob);
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: the last entry lost, nothing after it — the periodic read-back (cluster.catchUpMs) finds it', async (t) => {
  const { cluster, a, b } = await twoNodes(t, { cluster: { catchUpMs: 100 } });
  const [alice, bob] = await aliceAndBob(cluster, a, b);
  const mark = bob.received.length;
  cluster.handles.get('b')!.dropNext(1);
  alice.send('JOIN #room');
  await alice.waitFor(endOfNames('#room'));
  assert.equal((await bob.waitFor('JOIN', 10_000)).msg.source?.split('!')[0], 'alice');
  await cluster.settled(alice, bob);
  assert.equal(commandsOf(bob.since(mark), 'JOIN').length, 1);
  assert.deepEqual(await namesOf(bob, '#room'), ['@bob', 'alice']);
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: a starting node loses its own node.up — it still joins, by the periodic read-back', async (t) => {
  const cluster = openCluster(t, { seed: SEED });
  const config = { cluster: { catchUpMs: 100 } };
  const a = await cluster.start('a', FAST, config);
  // c's handle exists before the node starts: the next entry, its own node.up, never reaches it.
  cluster.log.node('c', SLOW).dropNext(1);
  let deadline: NodeJS.Timeout | undefined;
  const c = await Promise.race([
    cluster.start('c', SLOW, config),
    new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(() => reject(new Error('node c never finished joining: its node.up was lost and nothing read it back')), 15_000);
    }),
  ]).finally(() => clearTimeout(deadline));
  const [alice, carol] = await Promise.all([a.register('alice'), c.register('carol')]);
  await cluster.settled(alice, carol);
  const [digestA, digestC] = cluster.digests('a', 'c');
  assert.equal(digestA, digestC, 'both nodes hold the same network');
});
