// Issue 18's races over nicks, as regression tests: two real servers on a DelayedLog, node a
// reading the log at once and node b 20 ms later, so b's view of the network lags what the
// log has decided. Before issue 18 both nodes accepted the same nick, and `PRIVMSG carol`
// reached different people depending on the sender's node. Seeds are printed; PARLOR_SEED
// replays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../helpers/seed.ts';
import { firstOf, twoNodes, whoOf, type Cluster } from '../helpers/race-cluster.ts';
import type { RawClient } from '../helpers/raw-client.ts';

const SEED = seedFromEnv(18);

/** Sends a PRIVMSG to `nick` from `from`, and returns which of `candidates` received it. */
async function whoReceives(cluster: Cluster, from: RawClient, nick: string, text: string, candidates: RawClient[]): Promise<number[]> {
  const marks = candidates.map((c) => c.received.length);
  from.send(`PRIVMSG ${nick} :${text}`);
  await cluster.settled(from, ...candidates);
  return candidates.flatMap((c, i) => (c.since(marks[i]!).some((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text) ? [i] : []));
}

test('race: the same nick registered on two nodes at once — one gets 001, the other 433 and registers under another nick', async (t) => {
  const { cluster, a, b } = await twoNodes(t, SEED);
  const [onA, onB] = await Promise.all([a.connect(), b.connect()]);
  onA.send('NICK carol', 'USER carol 0 * :Carol on a');
  onB.send('NICK carol', 'USER carol 0 * :Carol on b');
  const outcomes = await Promise.all([firstOf(onA, '001', '433'), firstOf(onB, '001', '433')]);
  assert.deepEqual(outcomes.map((r) => r.msg.command).sort(), ['001', '433'], 'exactly one of them is carol');
  const [winner, loser] = outcomes[0]!.msg.command === '001' ? [onA, onB] : [onB, onA];

  loser.send('NICK carol2');
  assert.equal((await firstOf(loser, '001', '433')).msg.params[0], 'carol2');
  await firstOf(loser, '376', '422');
  await firstOf(winner, '376', '422');

  // The same carol, whichever node is asked or writes.
  const [askA, askB] = await Promise.all([a.register('aska'), b.register('askb')]);
  await cluster.settled(askA, askB);
  assert.deepEqual(await whoOf(askA, 'carol'), await whoOf(askB, 'carol'));
  assert.equal((await whoOf(askA, 'carol')).length, 1);
  assert.deepEqual(await whoReceives(cluster, askA, 'carol', 'from a', [winner, loser]), [0]);
  assert.deepEqual(await whoReceives(cluster, askB, 'carol', 'from b', [winner, loser]), [0]);
  assert.deepEqual(await whoReceives(cluster, askB, 'carol2', 'to the other', [winner, loser]), [1]);
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});

test('race: NICK carol from two nodes at once — one wins, the other gets 433 and keeps its nick', async (t) => {
  const { cluster, a, b } = await twoNodes(t, SEED);
  const [x, y] = await Promise.all([a.register('xavier'), b.register('yvonne')]);
  const [askA, askB] = await Promise.all([a.register('aska'), b.register('askb')]);
  await cluster.settled(x, y, askA, askB);

  x.send('NICK carol');
  y.send('NICK carol');
  const outcomes = await Promise.all([firstOf(x, 'NICK', '433'), firstOf(y, 'NICK', '433')]);
  assert.deepEqual(outcomes.map((r) => r.msg.command).sort(), ['433', 'NICK'], 'exactly one of them became carol');
  const winnerIndex = outcomes[0]!.msg.command === 'NICK' ? 0 : 1;
  const loserNick = winnerIndex === 0 ? 'yvonne' : 'xavier';
  assert.equal(outcomes[1 - winnerIndex]!.msg.params[1], 'carol', '433 names the nick refused');

  // PRIVMSG carol reaches the same person from either node; the loser still has its nick.
  assert.deepEqual(await whoReceives(cluster, askA, 'carol', 'to carol from a', [x, y]), [winnerIndex]);
  assert.deepEqual(await whoReceives(cluster, askB, 'carol', 'to carol from b', [x, y]), [winnerIndex]);
  assert.deepEqual(await whoReceives(cluster, askA, loserNick, 'to the loser', [x, y]), [1 - winnerIndex]);
  for (const server of [a, b]) {
    assert.equal(server.server.network.userByNick('carol')?.nick, 'carol');
    assert.equal(server.server.network.userByNick(loserNick)?.nick, loserNick);
  }
  const [digestA, digestB] = cluster.digests('a', 'b');
  assert.equal(digestA, digestB, 'both nodes hold the same network');
});
