// Issue 18's races over rooms, as regression tests: two real servers on a DelayedLog, node a
// reading the log at once and node b 20 ms later. Before issue 18 two users joining a new room
// from two nodes each became its only operator on their own node, a `+l 2` room took two
// racing JOINs, and a KICK racing a PRIVMSG was seen in different orders on the two nodes.
// Seeds are printed; PARLOR_SEED replays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../helpers/seed.ts';
import { firstOf, namesOf, twoNodes, type Cluster } from '../helpers/race-cluster.ts';
import type { RawClient } from '../helpers/raw-client.ts';

const SEED = seedFromEnv(18);

const endOfNames = (room: string) => (r: { msg: { command: string; params: string[] } }) => r.msg.command === '366' && r.msg.params[1] === room;

/** Joins each client to `room` in turn, then waits until every node and client has seen it all. */
async function joinAll(cluster: Cluster, room: string, ...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    c.send(`JOIN ${room}`);
    await c.waitFor(endOfNames(room));
  }
  await cluster.settled(...clients);
  for (const c of clients) c.drain();
}

test('race: two users JOIN a new room from two nodes at once — exactly one founding operator, the same NAMES on both nodes', async (t) => {
  const { cluster, a, b } = await twoNodes(t, SEED);
  const [alice, bob] = await Promise.all([a.register('alice'), b.register('bob')]);
  await cluster.settled(alice, bob);
  for (let round = 1; round <= 3; round++) {
    const room = `#new${round}`;
    alice.send(`JOIN ${room}`);
    bob.send(`JOIN ${room}`);
    await Promise.all([alice.waitFor(endOfNames(room)), bob.waitFor(endOfNames(room))]);
    await cluster.settled(alice, bob);
    const [onA, onB] = [await namesOf(alice, room), await namesOf(bob, room)];
    assert.deepEqual(onA, onB, `${room}: NAMES is the same on both nodes`);
    assert.equal(onA.length, 2);
    assert.equal(onA.filter((n) => n.startsWith('@')).length, 1, `${room}: exactly one founding operator (${onA.join(' ')})`);
  }
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: two JOINs race into a +l 2 room with one member — one gets 471, never 3 members', async (t) => {
  const { cluster, a, b } = await twoNodes(t, SEED);
  const [op, onA, onB] = await Promise.all([a.register('op'), a.register('racera'), b.register('racerb')]);
  await joinAll(cluster, '#full', op);
  op.send('MODE #full +l 2');
  await op.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+l');
  await cluster.settled(op, onA, onB);

  const opMark = op.received.length;
  onA.send('JOIN #full');
  onB.send('JOIN #full');
  const outcomes = await Promise.all([firstOf(onA, 'JOIN', '471'), firstOf(onB, 'JOIN', '471')]);
  assert.deepEqual(outcomes.map((r) => r.msg.command).sort(), ['471', 'JOIN'], 'exactly one got in');
  await cluster.settled(op, onA, onB);
  const joinsSeen = op.since(opMark).filter((r) => r.msg.command === 'JOIN');
  assert.equal(joinsSeen.length, 1, 'the operator saw exactly one newcomer');
  for (const server of [a, b]) assert.equal(server.server.network.channel('#full')?.members.size, 2, `${server.server.nodeId}: 2 members`);
  assert.equal((await namesOf(op, '#full')).length, 2);
  assert.deepEqual(await namesOf(op, '#full'), await namesOf(onB, '#full'));
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: a KICK racing a PRIVMSG — members on both nodes see the two lines in the same order', async (t) => {
  const { cluster, a, b } = await twoNodes(t, SEED);
  const [alice, watcherA, bob, watcherB] = await Promise.all([a.register('alice'), a.register('watcha'), b.register('bob'), b.register('watchb')]);
  await joinAll(cluster, '#room', alice, watcherA, watcherB);
  const orders: string[] = [];
  for (let round = 1; round <= 6; round++) {
    if (round === 4) {
      // From now on a message from outside the room is delivered too: both lines reach everyone.
      alice.send('MODE #room -n');
      await alice.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '-n');
    }
    await joinAll(cluster, '#room', bob);
    const marks = [watcherA, watcherB].map((c) => c.received.length);
    // Both at once; on alternate rounds the message is sent first.
    const kick = (): void => alice.send(`KICK #room bob :round ${round}`);
    const say = (): void => bob.send(`PRIVMSG #room :round ${round}`);
    if (round % 2) [kick, say].forEach((f) => f());
    else [say, kick].forEach((f) => f());
    await watcherA.waitFor('KICK');
    await watcherB.waitFor('KICK');
    await cluster.settled(alice, bob, watcherA, watcherB);
    const [seenA, seenB] = [watcherA, watcherB].map((c, i) =>
      c
        .since(marks[i]!)
        .filter((r) => r.msg.command === 'KICK' || r.msg.command === 'PRIVMSG')
        .map((r) => r.msg.command),
    );
    assert.deepEqual(seenA, seenB, `round ${round}: the same lines in the same order on both nodes`);
    assert.ok(seenA!.includes('KICK'));
    orders.push(seenA!.join(','));
  }
  t.diagnostic(`orders seen: ${orders.join(' | ')}`);
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});
