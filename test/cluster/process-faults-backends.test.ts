// Faults of the cluster's backends, on three real `parlor serve` processes (issue 14): Redis
// paused (SIGSTOP) 2 s during traffic; Redis restarted without persistence (the log lost);
// PostgreSQL stopped 5 s during traffic. After each, over every node: each room has the same
// NAMES everywhere, LUSERS counts agree, and every line a client saw echoed is in CHATHISTORY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { CHAT_CAPS, Traffic, assertHistoryComplete, assertInvariants } from '../helpers/cluster-checks.ts';
import { diagnosed, reconnect, startCluster, type ClusterNode } from '../helpers/cluster-procs.ts';
import { joinAll } from '../helpers/irc.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startRedis } from '../helpers/redis.ts';

const TEST_TIMEOUT_MS = 90_000;
const REDIS_PAUSE_MS = 2_000;
const PG_DOWN_MS = 5_000;

/** A talker and a watcher on each node, all in #chat; the traffic of the talkers. */
async function chatting(nodes: ClusterNode[]): Promise<{ talkers: RawClient[]; watchers: RawClient[]; traffic: Traffic }> {
  const talkers: RawClient[] = [];
  const watchers: RawClient[] = [];
  for (const node of nodes) {
    const talker = await node.register(`talk${node.id}`, CHAT_CAPS);
    const watcher = await node.register(`watch${node.id}`, CHAT_CAPS);
    await joinAll('#chat', talker, watcher);
    talkers.push(talker);
    watchers.push(watcher);
  }
  const traffic = new Traffic(
    talkers.map((client, i) => ({ client, nick: `talk${nodes[i]!.id}` })),
    '#chat',
  );
  return { talkers, watchers, traffic };
}

/** The texts of #chat's PRIVMSGs `c` has been sent. */
const heard = (c: RawClient): Set<string> => new Set(c.received.filter((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#chat').map((r) => r.msg.params[1]!));

test('Redis paused 2 s during traffic: chat stalls and resumes, nothing lost, nobody dropped', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const redis = await startRedis();
  const cluster = await startCluster(t, { nodes: 3, redis });
  // After hooks run in order: the nodes stop first, while Redis still answers.
  t.after(() => redis.stop());
  await diagnosed(cluster, async () => {
    const { talkers, watchers, traffic } = await chatting(cluster.nodes);
    await traffic.more(30);
    redis.pause();
    const atPause = traffic.acked.length;
    // The fault's duration: Redis answers nothing for this long.
    await delay(REDIS_PAUSE_MS);
    const duringPause = traffic.acked.length - atPause;
    redis.resume();
    // Chat stalled: at most the lines already on their way back (one per talker) came through.
    assert.ok(duringPause <= talkers.length, `${duringPause} lines acknowledged while Redis was paused`);
    await traffic.more(30);
    const acked = await traffic.stop();
    t.diagnostic(`${acked.length} lines acknowledged, ${duringPause} of them while Redis was paused; ${traffic.refused} refused (FAIL)`);
    for (const c of [...talkers, ...watchers]) assert.equal(c.closed, false, 'nobody was dropped');
    const fails = talkers.flatMap((c) => c.received.filter((r) => r.msg.command === 'FAIL').map((r) => r.raw));
    if (fails.length > 0) t.diagnostic(`refusals: ${fails.join(' | ')}`);
    // Every acknowledged line reached every watcher, whichever node it is on.
    for (const [i, watcher] of watchers.entries()) {
      await watcher.sync(10_000);
      const got = heard(watcher);
      const missing = acked.filter((s) => !got.has(s.text));
      assert.deepEqual(missing, [], `lines the watcher on node ${cluster.nodes[i]!.id} never got`);
      // A line refused with FAIL may still have reached Redis (the command was on its way when it
      // paused): shown, not failed — the sender was told "try again", not "lost".
      const deliveredAnyway = traffic.refusedTexts.filter((text) => got.has(text));
      if (deliveredAnyway.length > 0) t.diagnostic(`refused but delivered on node ${cluster.nodes[i]!.id}: ${deliveredAnyway.join(', ')}`);
    }
    await assertInvariants(cluster.nodes, ['#chat'], acked);
  });
});

test('Redis restarted empty: every node drops its sessions with an ERROR and comes back; accounts and registered rooms survive', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const redis = await startRedis();
  const cluster = await startCluster(t, { nodes: 3, redis });
  // After hooks run in order: the nodes stop first, while Redis still answers.
  t.after(() => redis.stop());
  const [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await diagnosed(cluster, async () => {
    // An account and a room registered to it, on a (in PostgreSQL).
    const keeper = await a.register('keeper', CHAT_CAPS);
    keeper.send('REGISTER * * keeper-password');
    assert.deepEqual((await keeper.waitFor('REGISTER', 10_000)).msg.params.slice(0, 2), ['SUCCESS', 'keeper']);
    await joinAll('#kept', keeper);
    keeper.send('TOPIC #kept :kept in PostgreSQL');
    await keeper.waitFor('TOPIC', 10_000);
    keeper.send('REGISTER #kept');
    assert.match((await keeper.waitFor('NOTICE', 10_000)).msg.params[1]!, /^#kept is now registered to keeper/);

    const { talkers, watchers, traffic } = await chatting([a, b, c]);
    await traffic.more(30);
    const before = await traffic.stop();
    // What was acknowledged before the loss is in history (the normal path), so it must still be after.
    await assertHistoryComplete(watchers[0]!, '#chat', before);

    await redis.restart();
    for (const client of [keeper, ...talkers, ...watchers]) {
      const error = await client.waitFor('ERROR', 20_000);
      assert.ok(error.msg.params[0]!.length > 0, 'an ERROR with a reason');
      await client.waitClose(10_000);
    }
    t.diagnostic(`sessions were closed with: ${watchers[0]!.received.find((r) => r.msg.command === 'ERROR')!.raw}`);

    // Clients come back on every node, on the fresh log.
    const back = await Promise.all(cluster.nodes.map((node) => reconnect(node, `again${node.id}`, CHAT_CAPS)));
    const keeperOnC = await c.login('keeper', 'keeper', 'keeper-password', CHAT_CAPS);
    back[1]!.send('JOIN #kept');
    assert.deepEqual((await back[1]!.waitFor('332', 10_000)).msg.params.slice(1), ['#kept', 'kept in PostgreSQL']);
    keeperOnC.send('JOIN #kept');
    await keeperOnC.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === '#kept', 10_000);
    for (const client of back) await joinAll('#chat', client);
    const again = new Traffic(
      back.map((client, i) => ({ client, nick: `again${cluster.nodes[i]!.id}` })),
      '#chat',
    );
    await again.more(30);
    const after = await again.stop();
    t.diagnostic(`${before.length} lines before the restart, ${after.length} after`);
    await assertInvariants(cluster.nodes, ['#chat', '#kept'], [...before, ...after]);
  });
});

test('PostgreSQL stopped 5 s during traffic: chat goes on meanwhile, and history is complete afterwards', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const postgres = await startPostgres();
  const cluster = await startCluster(t, { nodes: 3, pgUrl: await postgres.newDatabase() });
  t.after(() => postgres.close());
  await diagnosed(cluster, async () => {
    const { talkers, traffic } = await chatting(cluster.nodes);
    await traffic.more(30);
    await postgres.stop();
    const duringOutage = traffic.acked.length;
    // The fault's duration, by the clock; chat must go on meanwhile.
    const outage = delay(PG_DOWN_MS);
    await traffic.more(30, PG_DOWN_MS);
    await outage;
    t.diagnostic(`${traffic.acked.length - duringOutage} lines acknowledged while PostgreSQL was down`);
    await postgres.start();
    await traffic.more(30);
    const acked = await traffic.stop();
    for (const client of talkers) assert.equal(client.closed, false, 'nobody was dropped');
    await assertInvariants(cluster.nodes, ['#chat'], acked);
  });
});
