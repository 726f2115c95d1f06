// LINKS (364 RPL_LINKS, 365 RPL_ENDOFLINKS): a single server lists itself; a network of
// several nodes lists every node up, itself at 0 hops and the others at 1, by the server
// names WHOIS (312) and WHO show for their users — on an in-process and a delayed log. A node
// gone is no longer listed; one that starts later knows the names (they are network state).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { loadSnapshot, snapshotDigest, takeSnapshot } from '../../src/network/snapshot.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { joinAll, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** The 364s and the 365 a LINKS gets (or its error), as [command, ...params without the nick]. */
async function links(c: RawClient, line: string): Promise<string[][]> {
  c.send(line);
  const lines = await until(c, (r) => r.msg.command === '365' || r.msg.command === '402');
  return lines.filter((r) => ['364', '365', '402'].includes(r.msg.command)).map((r) => [r.msg.command, ...r.msg.params.slice(1)]);
}

describe('LINKS on a single server', () => {
  let t: TestServer;
  after(() => t.close());

  test('lists itself at 0 hops; a mask that matches nothing lists none', async () => {
    t = await startServer();
    const c = await t.register('me');
    assert.deepEqual(await links(c, 'LINKS'), [
      ['364', 'test.parlor', 'test.parlor', '0 Parlor'],
      ['365', '*', 'End of /LINKS list'],
    ]);
    assert.deepEqual(await links(c, 'LINKS test.*'), [
      ['364', 'test.parlor', 'test.parlor', '0 Parlor'],
      ['365', 'test.*', 'End of /LINKS list'],
    ]);
    assert.deepEqual(await links(c, 'LINKS other.*'), [['365', 'other.*', 'End of /LINKS list']]);
  });

  test('LINKS <server> <mask>: an unknown server is 402', async () => {
    const c = await t.register('me2');
    assert.deepEqual(await links(c, 'LINKS test.parlor *'), [
      ['364', 'test.parlor', 'test.parlor', '0 Parlor'],
      ['365', '*', 'End of /LINKS list'],
    ]);
    assert.deepEqual(await links(c, 'LINKS nowhere.example *'), [['402', 'nowhere.example', 'No such server']]);
  });

  test('WHOIS names this server (312)', async () => {
    const c = await t.register('me3');
    c.send('WHOIS me3');
    assert.deepEqual((await c.waitFor('312')).msg.params, ['me3', 'me3', 'test.parlor', 'Parlor']);
  });
});

type LogKind = 'in-process' | 'delayed';

interface Nodes {
  start(id: string): Promise<TestServer>;
  settled(): Promise<void>;
  /** Stops one node (it leaves the network). */
  stop(t: TestServer): Promise<void>;
  close(): Promise<void>;
}

function network(kind: LogKind): Nodes {
  const inProcess = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
  const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
  const servers: TestServer[] = [];
  return {
    async start(id) {
      const t = await startServer({ server: { name: `${id}.parlor` } }, { bus: inProcess ?? log!.node(id), nodeId: id });
      servers.push(t);
      return t;
    },
    settled: async () => {
      await log?.settled();
    },
    async stop(t) {
      servers.splice(servers.indexOf(t), 1);
      await t.close();
    },
    async close() {
      for (const t of servers) await t.close();
      await log?.close();
    },
  };
}

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`LINKS on two nodes (${kind} log)`, () => {
    test('each node lists itself at 0 hops and the other at 1, by the names WHOIS and WHO show', async () => {
      const nodes = network(kind);
      try {
        const a = await nodes.start('a');
        const b = await nodes.start('b');
        await nodes.settled();
        const onA = await a.register('onA');
        const onB = await b.register('onB');
        await nodes.settled();
        assert.deepEqual(await links(onA, 'LINKS'), [
          ['364', 'a.parlor', 'a.parlor', '0 Parlor node a'],
          ['364', 'b.parlor', 'a.parlor', '1 Parlor node b'],
          ['365', '*', 'End of /LINKS list'],
        ]);
        assert.deepEqual(await links(onB, 'LINKS'), [
          ['364', 'b.parlor', 'b.parlor', '0 Parlor node b'],
          ['364', 'a.parlor', 'b.parlor', '1 Parlor node a'],
          ['365', '*', 'End of /LINKS list'],
        ]);
        assert.deepEqual(await links(onA, 'LINKS b.*'), [
          ['364', 'b.parlor', 'a.parlor', '1 Parlor node b'],
          ['365', 'b.*', 'End of /LINKS list'],
        ]);
        assert.deepEqual(await links(onA, 'LINKS b.parlor a*'), [
          ['364', 'a.parlor', 'a.parlor', '0 Parlor node a'],
          ['365', 'a*', 'End of /LINKS list'],
        ]);

        // WHOIS and WHO on node A name node B for its user, and node A for its own.
        onA.send('WHOIS onB');
        assert.deepEqual((await onA.waitFor('312')).msg.params, ['onA', 'onB', 'b.parlor', 'Parlor']);
        onA.send('WHOIS onA');
        assert.deepEqual((await onA.waitFor('312')).msg.params, ['onA', 'onA', 'a.parlor', 'Parlor']);
        onA.send('WHO onB');
        assert.equal((await onA.waitFor('352')).msg.params[4], 'b.parlor');
        onA.send('WHO onB %tns,7');
        assert.deepEqual((await onA.waitFor('354')).msg.params, ['onA', '7', 'b.parlor', 'onB']);

        // Both nodes hold the same names: their states are equal.
        assert.equal(snapshotDigest(a.server.network), snapshotDigest(b.server.network));
      } finally {
        await nodes.close();
      }
    });

    test('a node that starts later knows the others; one that leaves is no longer listed', async () => {
      const nodes = network(kind);
      try {
        const a = await nodes.start('a');
        const b = await nodes.start('b');
        const onA = await a.register('onA');
        const onB = await b.register('onB');
        await joinAll('#split', onA, onB);
        const c = await nodes.start('c');
        await nodes.settled();
        const onC = await c.register('onC');
        assert.deepEqual((await links(onC, 'LINKS')).map((l) => l[1]), ['c.parlor', 'a.parlor', 'b.parlor', '*']);

        await nodes.stop(b);
        // Node B's user quits everywhere once its node.down is applied.
        await onA.waitFor((r) => r.msg.command === 'QUIT' && r.msg.source?.startsWith('onB!') === true);
        await nodes.settled();
        assert.deepEqual(await links(onA, 'LINKS'), [
          ['364', 'a.parlor', 'a.parlor', '0 Parlor node a'],
          ['364', 'c.parlor', 'a.parlor', '1 Parlor node c'],
          ['365', '*', 'End of /LINKS list'],
        ]);
      } finally {
        await nodes.close();
      }
    });
  });
}

describe('node names in the network state', () => {
  test('a snapshot keeps them; an older snapshot without them loads, nodes then go by their ids', () => {
    const state = new NetworkState();
    state.nodes.set('a', 'a~1');
    state.nodes.set('b', 'b~1');
    state.nodeNames.set('a', 'a.example');
    const loaded = new NetworkState();
    loadSnapshot(loaded, takeSnapshot(state));
    assert.equal(loaded.serverNameOf('a'), 'a.example');
    assert.equal(loaded.serverNameOf('b'), 'b');
    assert.equal(snapshotDigest(loaded), snapshotDigest(state));

    const old = JSON.parse(takeSnapshot(state).data) as Record<string, unknown>;
    delete old['nodeNames'];
    const fromOld = new NetworkState();
    loadSnapshot(fromOld, { position: 0, data: JSON.stringify(old) });
    assert.equal(fromOld.serverNameOf('a'), 'a');
  });
});
