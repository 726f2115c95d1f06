// IRCv3 bot-mode across two nodes, on one in-process log and on a delayed one (node b reads
// everything 20 ms late): a bot on node a is a bot on node b too, in WHO, WHOX, WHOIS and the
// bot tag of what it sends, to message-tags clients only; dropping +B is seen everywhere; and
// both nodes hold the same state (snapshot digests, which carry user modes).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { snapshotDigest } from '../../src/network/snapshot.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { is, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { twoNodes } from '../helpers/race-cluster.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TAGS = ['message-tags', 'server-time'];
const from = (nick: string, command: string) => (r: Received) => r.msg.command === command && r.msg.source?.split('!')[0] === nick;

interface Pair {
  a: TestServer;
  b: TestServer;
  /** Every node has read every entry and each client has been sent what concerns it. */
  settled(...clients: RawClient[]): Promise<void>;
}

async function inProcessPair(t: TestContext): Promise<Pair> {
  const bus = new InProcessBus<NetworkEvent>();
  const store = new MemoryStore();
  const a = await startServer({ server: { name: 'a.parlor' } }, { bus, nodeId: 'a', store });
  const b = await startServer({ server: { name: 'b.parlor' } }, { bus, nodeId: 'b', store });
  t.after(async () => {
    await a.close();
    await b.close();
  });
  return {
    a,
    b,
    async settled(...clients) {
      for (const c of clients) await c.sync();
    },
  };
}

async function delayedPair(t: TestContext): Promise<Pair> {
  const { cluster, a, b } = await twoNodes(t, 16);
  return { a, b, settled: (...clients) => cluster.settled(...clients) };
}

for (const [kind, open] of [
  ['in-process', inProcessPair],
  ['delayed', delayedPair],
] as const) {
  test(`a bot on node a is a bot on node b (${kind} log)`, async (t) => {
    const { a, b, settled } = await open(t);
    const bot = await a.register('robo', TAGS);
    const human = await b.register('human', TAGS);
    const plain = await b.register('plain');
    for (const c of [human, plain]) {
      c.send('JOIN #bots');
      await c.waitFor(is('366', c === human ? 'human' : 'plain', '#bots'));
    }
    bot.send('MODE robo +B');
    await bot.waitFor(is('MODE', 'robo', '+B'));
    bot.send('JOIN #bots');
    const join = await human.waitFor(from('robo', 'JOIN'));
    assert.equal(join.msg.tags.bot, '', join.raw);
    const plainJoin = await plain.waitFor(from('robo', 'JOIN'));
    assert.ok(!plainJoin.raw.startsWith('@'), plainJoin.raw);

    bot.send('PRIVMSG #bots :beep from node a');
    const said = await human.waitFor(from('robo', 'PRIVMSG'));
    assert.equal(said.msg.tags.bot, '', said.raw);
    const plainSaid = await plain.waitFor(from('robo', 'PRIVMSG'));
    assert.equal(plainSaid.raw, ':robo!robo@127.0.0.1 PRIVMSG #bots :beep from node a');

    human.send('WHO #bots');
    const who = await until(human, is('315'));
    assert.equal(who.find((r) => r.msg.command === '352' && r.msg.params[5] === 'robo')?.msg.params[6], 'HB');
    human.send('WHO #bots %tnf,7');
    const whox = await until(human, is('315'));
    assert.equal(whox.find((r) => r.msg.command === '354' && r.msg.params[2] === 'robo')?.msg.params[3], 'HB');
    human.send('WHOIS robo');
    const whois = await until(human, is('318'));
    assert.ok(whois.some((r) => r.msg.command === '335' && r.msg.params[1] === 'robo'), whois.map((r) => r.raw).join('\n'));

    await settled(bot, human, plain);
    assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));

    // Dropped on node a: node b tags nothing more and WHO says so.
    bot.send('MODE robo -B');
    await bot.waitFor(is('MODE', 'robo', '-B'));
    bot.send('PRIVMSG #bots :a person now');
    const untagged = await human.waitFor(from('robo', 'PRIVMSG'));
    assert.equal(untagged.msg.tags.bot, undefined, untagged.raw);
    human.send('WHO robo');
    assert.equal((await human.waitFor('352')).msg.params[6], 'H');
    await settled(bot, human, plain);
    assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));
  });
}
