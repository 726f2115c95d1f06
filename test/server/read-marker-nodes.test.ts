// draft/read-marker across two nodes: a marker set by a connection on node A reaches the same
// account's connection on node B through the log (readmarker.set), on a shared in-process log
// and on a delayed one; JOIN on B reports what A set; a plain client of the account hears nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus } from '../../src/cluster/bus.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, settle } from '../helpers/irc.ts';
import { startServer } from '../helpers/server.ts';

const CAP = 'draft/read-marker';
const T1 = '2024-03-01T10:00:00.000Z';
const T2 = '2024-03-01T10:00:01.000Z';

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`read markers across two nodes (${kind} log)`, () => {
    test('A sets, B hears it and JOIN on B reports it; an older one from B is answered with A’s', async () => {
      const store = new MemoryStore();
      const shared = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
      const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
      const busFor = (id: string): Bus<NetworkEvent> => shared ?? log!.node(id);
      const a = await startServer({ server: { name: 'a.parlor' } }, { bus: busFor('a'), nodeId: 'a', store });
      const b = await startServer({ server: { name: 'b.parlor' } }, { bus: busFor('b'), nodeId: 'b', store });
      try {
        await addAccount(a, 'alice', 'pw-alice-1');
        const onA = await loginUser(a, 'alice1', 'alice', 'pw-alice-1', [CAP]);
        const onB = await loginUser(b, 'alice2', 'alice', 'pw-alice-1', [CAP]);
        const plainOnB = await loginUser(b, 'alice3', 'alice', 'pw-alice-1');
        await settle(onA, onB, plainOnB);

        onA.send(`MARKREAD #lobby timestamp=${T2}`);
        assert.deepEqual((await onA.waitFor('MARKREAD')).msg.params, ['#lobby', `timestamp=${T2}`]);
        assert.deepEqual((await onB.waitFor('MARKREAD')).msg.params, ['#lobby', `timestamp=${T2}`]);

        onB.send(`MARKREAD #lobby timestamp=${T1}`);
        assert.deepEqual((await onB.waitFor('MARKREAD')).msg.params, ['#lobby', `timestamp=${T2}`]);

        onB.send('JOIN #lobby');
        assert.deepEqual((await onB.waitFor('MARKREAD')).msg.params, ['#lobby', `timestamp=${T2}`]);
        await onB.waitFor(is('366', 'alice2', '#lobby'));

        // A private marker set on B reaches A.
        onB.send(`MARKREAD bob timestamp=${T1}`);
        await onB.waitFor('MARKREAD');
        assert.deepEqual((await onA.waitFor('MARKREAD')).msg.params, ['bob', `timestamp=${T1}`]);

        await settle(plainOnB, onA);
        assert.ok(!plainOnB.received.some((r) => r.msg.command === 'MARKREAD'));
      } finally {
        await a.close();
        await b.close();
        await log?.close();
      }
    });
  });
}
