// Ban and invite exceptions across two nodes on the delayed log (test/helpers/delayed-bus.ts):
// an operator on node A sets +b/+e/+I (with the $a:<account> extban) and users on node B are
// let in or kept out by them; an operator on B reads the lists A set; every node holds the
// same network (snapshot digests), and a snapshot carries the lists to a node loading it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkEvent } from '../../src/network/events.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { loadSnapshot, snapshotDigest, takeSnapshot } from '../../src/network/snapshot.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, join, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** JOIN's outcome: 'joined', or the refusing numeric. */
async function tryJoin(c: RawClient, room: string): Promise<string> {
  c.send(`JOIN ${room}`);
  const r = await c.waitFor((x) => (x.msg.command === 'JOIN' && x.msg.params[0] === room) || ['471', '473', '474', '475'].includes(x.msg.command));
  if (r.msg.command !== 'JOIN') return r.msg.command;
  await c.waitFor(is('366'));
  return 'joined';
}

async function mode(c: RawClient, line: string): Promise<string[]> {
  c.send(`MODE ${line}`);
  return (await c.waitFor('MODE')).msg.params;
}

async function listOf(c: RawClient, room: string, letter: 'e' | 'I'): Promise<string[]> {
  const [entry, end] = letter === 'e' ? ['348', '349'] : ['346', '347'];
  c.send(`MODE ${room} ${letter}`);
  const lines = await until(c, is(end));
  return lines.filter((r) => r.msg.command === entry).map((r) => r.msg.params[2]!);
}

describe('exceptions across two nodes (delayed log)', () => {
  const log = new DelayedLog<NetworkEvent>();
  const store = new MemoryStore();
  const servers: TestServer[] = [];
  const startNode = async (name: string): Promise<TestServer> => {
    const t = await startServer({ server: { name: `${name}.parlor` }, accounts: { passwordCost: 4 } }, { bus: log.node(name), nodeId: name, store });
    servers.push(t);
    return t;
  };
  after(async () => {
    for (const t of servers) await t.close();
    await log.close();
  });

  test('+b/+e and +i/+I set on A decide JOINs on B; B reads the lists; the nodes agree', async (t) => {
    t.diagnostic(`seed ${log.seed} (set PARLOR_SEED to replay)`);
    const a = await startNode('a');
    const b = await startNode('b');
    await addAccount(a, 'bobby', 'pw-bobby');

    const op = await a.register('cl_op');
    await join(op, 'cl_op', '#cx');
    assert.deepEqual(await mode(op, '#cx +be *!*@127.0.0.1 $a:Bobby'), ['#cx', '+be', '*!*@127.0.0.1', '$a:Bobby']);
    await join(op, 'cl_op', '#cy');
    assert.deepEqual(await mode(op, '#cy +iI cl_guest!*@*'), ['#cy', '+iI', 'cl_guest!*@*']);
    await log.settled();

    const bobby = await loginUser(b, 'cl_bobby', 'bobby', 'pw-bobby');
    const anon = await b.register('cl_anon');
    const guest = await b.register('cl_guest');
    assert.equal(await tryJoin(bobby, '#cx'), 'joined');
    assert.equal(await tryJoin(anon, '#cx'), '474');
    assert.equal(await tryJoin(guest, '#cy'), 'joined');
    assert.equal(await tryJoin(anon, '#cy'), '473');

    // An operator on B reads what A set, and removes an entry A's members see go.
    await mode(op, '#cx +o cl_bobby');
    await bobby.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+o');
    assert.deepEqual(await listOf(bobby, '#cx', 'e'), ['$a:Bobby']);
    assert.deepEqual(await mode(bobby, '#cx -e $a:bobby'), ['#cx', '-e', '$a:Bobby']);
    assert.deepEqual((await op.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '-e')).msg.params, ['#cx', '-e', '$a:Bobby']);
    await log.settled();
    assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));

    // A third node started now replays the log to the same lists.
    const c = await startNode('c');
    await log.settled();
    assert.equal(snapshotDigest(c.server.network), snapshotDigest(a.server.network));
    assert.deepEqual(
      c.server.network.channel('#cy')!.invites.map((e) => e.mask),
      ['cl_guest!*@*'],
    );
  });

  test('a snapshot carries the exception lists to a state loading it', () => {
    const a = servers[0]!;
    const snapshot = takeSnapshot(a.server.network);
    const data = JSON.parse(snapshot.data) as { channels: { name: string; bans: unknown[]; exceptions: { mask: string }[]; invites: { mask: string }[] }[] };
    const cy = data.channels.find((ch) => ch.name === '#cy')!;
    assert.deepEqual(cy.invites.map((e) => e.mask), ['cl_guest!*@*']);
    const admin = a.server.network.admin;
    const loaded = new NetworkState(admin && { nick: admin.nick, hostname: admin.hostname });
    loadSnapshot(loaded, snapshot);
    assert.equal(takeSnapshot(loaded).data, snapshot.data);
    assert.deepEqual(loaded.channel('#cy')!.invites.map((e) => e.mask), ['cl_guest!*@*']);
  });
});

describe('MAXLIST across two nodes (delayed log)', () => {
  test('operators on A and B each add a ban with one place left: the first in the log is set, the other gets 478', async (t) => {
    const log = new DelayedLog<NetworkEvent>();
    t.diagnostic(`seed ${log.seed} (set PARLOR_SEED to replay)`);
    const store = new MemoryStore();
    const nodeA = log.node('a');
    const nodeB = log.node('b');
    const config = (name: string) => ({ server: { name: `${name}.parlor` }, limits: { bansPerChannel: 2 } });
    const a = await startServer(config('a'), { bus: nodeA, nodeId: 'a', store });
    const b = await startServer(config('b'), { bus: nodeB, nodeId: 'b', store });
    try {
      const opA = await a.register('race_a');
      await join(opA, 'race_a', '#race');
      const opB = await b.register('race_b');
      await log.settled();
      await join(opB, 'race_b', '#race');
      assert.deepEqual(await mode(opA, '#race +o race_b'), ['#race', '+o', 'race_b']);
      assert.deepEqual(await mode(opA, '#race +b first'), ['#race', '+b', 'first!*@*']);
      await log.settled();
      await opB.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[2] === 'first!*@*');

      // Neither node hears of the other's entry before writing its own: both see one place left.
      nodeA.pause();
      nodeB.pause();
      const at = log.position;
      opA.send('MODE #race +b from_a');
      while (log.position === at) await new Promise((r) => setImmediate(r));
      opB.send('MODE #race +b from_b');
      while (log.position === at + 1) await new Promise((r) => setImmediate(r));
      nodeA.resume();
      nodeB.resume();

      assert.deepEqual((await opA.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[2] === 'from_a!*@*')).msg.params, ['#race', '+b', 'from_a!*@*']);
      assert.deepEqual((await opB.waitFor('478')).msg.params, ['race_b', '#race', 'b', 'Channel ban list is full']);
      await log.settled();
      for (const node of [a, b]) assert.deepEqual(node.server.network.channel('#race')!.bans.map((e) => e.mask), ['first!*@*', 'from_a!*@*']);
      assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));
      await opB.sync();
      assert.ok(!opB.drain().some((r) => r.msg.command === 'MODE' && r.msg.params.includes('from_b!*@*')));
    } finally {
      await a.close();
      await b.close();
      await log.close();
    }
  });
});
