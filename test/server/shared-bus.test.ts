// Two servers joined by one Bus behave as one network: the proof that no code reaches
// another session except through the Bus (the seam a Redis cluster will use). The same
// scenario runs on a synchronous in-process log shared by both servers and on a DelayedLog
// (issue 18), where each node reads the one log late, by its own seeded delays — so every
// answer has to wait for the log, as it will on a real network. Seeds are printed;
// PARLOR_SEED replays one.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus } from '../../src/cluster/bus.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { snapshotDigest } from '../../src/network/snapshot.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { seedsFromEnv } from '../helpers/seed.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** Starts nodes a and b on their buses; when the test ends both close, then `closeLog` runs. */
async function startPair(t: TestContext, busFor: (nodeId: string) => Bus<NetworkEvent>, closeLog = async (): Promise<void> => {}): Promise<[TestServer, TestServer]> {
  const servers: TestServer[] = [];
  // One hook, in this order: a server closing on a closed log could not say its users quit.
  t.after(async () => {
    for (const s of servers) await s.close();
    await closeLog();
  });
  for (const nodeId of ['a', 'b']) servers.push(await startServer({ server: { name: `${nodeId}.parlor` } }, { bus: busFor(nodeId), nodeId }));
  return [servers[0]!, servers[1]!];
}

async function usersOnTwoNodes(a: TestServer, b: TestServer): Promise<void> {
  const alice = await a.register('alice');
  const bob = await b.register('bob');

  // Nicks are network-wide.
  const dup = await b.connect();
  dup.send('NICK alice', 'USER x 0 * :x');
  await dup.waitFor('433');

  alice.send('JOIN #both');
  await alice.waitFor('366');
  bob.send('JOIN #both');
  const names = await bob.waitFor('353');
  assert.equal(names.msg.params.at(-1), '@alice bob');
  await alice.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('bob!') === true);

  alice.send('PRIVMSG #both :hello across nodes 你好');
  assert.equal((await bob.waitFor('PRIVMSG')).msg.params[1], 'hello across nodes 你好');
  bob.send('PRIVMSG alice :private reply');
  const pm = await alice.waitFor('PRIVMSG');
  assert.deepEqual(pm.msg.params, ['alice', 'private reply']);

  bob.send('NICK robert');
  assert.equal((await alice.waitFor('NICK')).msg.params[0], 'robert');

  alice.send('WHOIS robert');
  assert.equal((await alice.waitFor('311')).msg.params[1], 'robert');

  bob.send('QUIT :gone');
  const quit = await alice.waitFor('QUIT');
  assert.equal(quit.msg.source?.split('!')[0], 'robert');
  assert.equal(quit.msg.params[0], 'Quit: gone');
}

const SCENARIO = 'users on two nodes share rooms, private messages, nicks and quits';

describe('on one in-process log shared by both servers', () => {
  test(SCENARIO, async (t) => {
    const bus = new InProcessBus<NetworkEvent>();
    const [a, b] = await startPair(t, () => bus);
    await usersOnTwoNodes(a, b);
    assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));
  });
});

for (const seed of seedsFromEnv([1, 2, 3])) {
  describe(`on a delayed log (seed ${seed}), each node reading it 0–20 ms late`, () => {
    test(SCENARIO, async (t) => {
      const log = new DelayedLog<NetworkEvent>({ seed, minDelayMs: 0, maxDelayMs: 20 });
      t.diagnostic(`seed ${log.seed} (set PARLOR_SEED to replay)`);
      const [a, b] = await startPair(t, (nodeId) => log.node(nodeId), () => log.close());
      await usersOnTwoNodes(a, b);
      await log.settled();
      assert.equal(a.server.network.position, log.position);
      assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network), 'both nodes hold the same network');
    });
  });
}
