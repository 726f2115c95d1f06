// Faults of a node, on three real `parlor serve` processes sharing one Redis and one
// PostgreSQL (issue 14): a node killed with SIGKILL during traffic, and a node stopped
// (SIGSTOP) longer than deadAfterMs then continued. After each, over every surviving node:
// each room has the same NAMES on every node, LUSERS counts agree, and every line a client saw
// echoed is in CHATHISTORY exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHAT_CAPS, Traffic, assertInvariants, historyOf } from '../helpers/cluster-checks.ts';
import { diagnosed, reconnect, startCluster, type ClusterNode } from '../helpers/cluster-procs.ts';
import { joinAll } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';

const DEAD_AFTER_MS = 3000;
const SPLIT = '*.net *.split';
const TEST_TIMEOUT_MS = 90_000;
/** The history feed's claimIdleMs (30 s), its claim period (half that) and some slack. */
const CLAIM_WAIT_MS = 50_000;

const quitOf = (nick: string) => (r: Received) => r.msg.command === 'QUIT' && r.msg.source?.split('!')[0] === nick;
const joinOf = (nick: string) => (r: Received) => r.msg.command === 'JOIN' && r.msg.source?.split('!')[0] === nick;

/** A talker on each node and a watcher on each node, all in #chat. */
async function populate(nodes: ClusterNode[]): Promise<{ talkers: RawClient[]; watchers: RawClient[] }> {
  const talkers: RawClient[] = [];
  const watchers: RawClient[] = [];
  for (const node of nodes) {
    const talker = await node.register(`talk${node.id}`, CHAT_CAPS);
    const watcher = await node.register(`watch${node.id}`, CHAT_CAPS);
    await joinAll('#chat', talker, watcher);
    talkers.push(talker);
    watchers.push(watcher);
  }
  return { talkers, watchers };
}

test('SIGKILL of node b during traffic: its users split off a and c; every acknowledged line is in history; b restarts into the network', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const cluster = await startCluster(t, { nodes: 3 });
  const [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await diagnosed(cluster, async () => {
    const { talkers, watchers } = await populate([a, b, c]);
    // Someone on b who is in no room with anyone: WHOIS must forget them too.
    const loner = await b.register('loner');
    await joinAll('#alone', loner);
    const traffic = new Traffic(
      talkers.map((client, i) => ({ client, nick: `talk${'abc'[i]}` })),
      '#chat',
    );
    await traffic.more(30);
    const killedAt = Date.now();
    b.signal('SIGKILL');
    assert.equal(await b.exited, 'SIGKILL');
    for (const watcher of [watchers[0]!, watchers[2]!]) {
      for (const nick of ['talkb', 'watchb']) assert.deepEqual((await watcher.waitFor(quitOf(nick), 20_000)).msg.params, [SPLIT]);
    }
    t.diagnostic(`b's users quit on a and c ${Date.now() - killedAt} ms after SIGKILL`);
    watchers[0]!.send('WHOIS loner');
    await watchers[0]!.waitFor((r) => r.msg.command === '401' && r.msg.params[1] === 'loner', 10_000);
    // Chat goes on between a and c.
    await traffic.more(20);
    const acked = await traffic.stop();
    t.diagnostic(`${acked.length} lines acknowledged (${traffic.countOf('talkb')} on b), ${traffic.refused} refused`);
    // b's history consumer may have held entries it had not written: the restarted b reads its
    // own pending entries back first; were it gone for good, another node would claim them only
    // once idle for the feed's claimIdleMs (30 s), hence the generous bound.
    const early = await historyOf(watchers[0]!, '#chat');
    if (!('fail' in early)) {
      const have = new Set(early.msgids);
      const missing = acked.filter((said) => !have.has(said.msgid));
      t.diagnostic(`right after the split, history lacked ${missing.length} acknowledged lines (${['a', 'b', 'c'].map((id) => `${missing.filter((m) => m.nick === `talk${id}`).length} from talk${id}`).join(', ')})`);
    }
    // The same node id starts again (a new incarnation) and joins the network a and c kept.
    await b.restart();
    const checkedAt = Date.now();
    await assertInvariants([a, b, c], ['#chat', '#alone'], acked, CLAIM_WAIT_MS);
    t.diagnostic(`invariants held after ${Date.now() - checkedAt} ms`);
  });
});

test('SIGSTOP of node b past deadAfterMs, then SIGCONT: it was declared dead, drops its clients with ERROR, takes them back', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const cluster = await startCluster(t, { nodes: 3, config: { cluster: { deadAfterMs: DEAD_AFTER_MS } } });
  const [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await diagnosed(cluster, async () => {
    const { talkers, watchers } = await populate([a, b, c]);
    const traffic = new Traffic(
      talkers.map((client, i) => ({ client, nick: `talk${'abc'[i]}` })),
      '#chat',
    );
    await traffic.more(30);
    const mark = b.mark();
    const stoppedAt = Date.now();
    b.signal('SIGSTOP');
    for (const watcher of [watchers[0]!, watchers[2]!]) {
      for (const nick of ['talkb', 'watchb']) assert.deepEqual((await watcher.waitFor(quitOf(nick), DEAD_AFTER_MS + 15_000)).msg.params, [SPLIT]);
    }
    const declaredAfter = Date.now() - stoppedAt;
    t.diagnostic(`b declared dead ${declaredAfter} ms after SIGSTOP`);
    assert.ok(declaredAfter >= DEAD_AFTER_MS - 500, `not before deadAfterMs: ${declaredAfter} ms`);
    await traffic.more(10);
    b.signal('SIGCONT');

    // b reads its own node.down: its clients are told and closed, cleanly.
    const error = await watchers[1]!.waitFor('ERROR', 15_000);
    t.diagnostic(`b's clients were told: ${error.raw}`);
    await watchers[1]!.waitClose(10_000);
    await talkers[1]!.waitClose(10_000);
    assert.ok(talkers[1]!.received.some((r) => r.msg.command === 'ERROR'), 'the talker on b got an ERROR too');
    // The process lives on and takes clients again, a and c see them.
    assert.ok(b.running, 'node b still runs');
    const back = await reconnect(b, 'watchb', CHAT_CAPS);
    back.send('JOIN #chat');
    for (const watcher of [watchers[0]!, watchers[2]!]) await watcher.waitFor(joinOf('watchb'), 10_000);
    t.diagnostic(`b's stdout since SIGSTOP: ${b.lines.slice(mark).filter((l) => l.startsWith('out: ')).join(' | ') || '(nothing)'}`);

    const acked = await traffic.stop();
    t.diagnostic(`${acked.length} lines acknowledged (${traffic.countOf('talkb')} on b), ${traffic.refused} refused`);
    await assertInvariants([a, b, c], ['#chat'], acked);
  });
});
