// REDACT across two nodes sharing one store, on an in-process log and on a delayed one (node b
// reads everything 20 ms late): a room operator on node a deletes a message sent from node b;
// the sender on node b deletes their own; members on either node with the capability are told,
// one without it is not, and history drops both.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { FAST, SLOW } from '../helpers/race-cluster.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['draft/message-redaction', 'echo-message', 'message-tags', 'batch', 'draft/chathistory'];

async function say(c: RawClient, target: string, text: string): Promise<string> {
  c.send(`PRIVMSG ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
  return echo.msg.tags['msgid']!;
}

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`REDACT across two nodes (${kind} log)`, () => {
    const store = new MemoryStore();
    const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
    const bus = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
      await log?.close();
    });

    test('a room operator on one node and the sender on the other delete; the client without the cap hears nothing', async () => {
      for (const [name, delivery] of [['a', FAST], ['b', SLOW]] as const) {
        servers.push(await startServer({ server: { name: `${name}.parlor` } }, { bus: bus ?? log!.node(name, delivery), nodeId: name, store }));
      }
      const [a, b] = servers as [TestServer, TestServer];
      const op = await a.register('opal', CAPS);
      const sender = await b.register('sam', CAPS);
      const plain = await b.register('plain', ['echo-message']);
      await joinAll('#x', op);
      await log?.settled();
      await joinAll('#x', sender, plain);
      await log?.settled();
      await settle(op);
      const spam = await say(sender, '#x', 'buy now');
      const oops = await say(sender, '#x', 'typo');
      await say(sender, '#x', 'kept');
      await op.waitFor(is('PRIVMSG', '#x', 'kept'));
      const plainMark = plain.received.length;

      op.send(`REDACT #x ${spam} :spam`);
      await op.waitFor(is('REDACT', '#x', spam, 'spam'));
      const told = await sender.waitFor(is('REDACT', '#x', spam, 'spam'));
      assert.equal(told.msg.source, mask('opal'));

      sender.send(`REDACT #x ${oops}`);
      await sender.waitFor(is('REDACT', '#x', oops));
      await op.waitFor(is('REDACT', '#x', oops));

      await log?.settled();
      await plain.sync();
      assert.deepEqual(plain.since(plainMark).filter((r) => r.msg.command === 'REDACT'), []);
      assert.deepEqual((await store.latest('#x', 10)).map((m) => m.text), ['kept']);
      // A plain member may not delete someone else's message.
      const third = await say(op, '#x', 'from the operator');
      await sender.waitFor(is('PRIVMSG', '#x', 'from the operator'));
      sender.send(`REDACT #x ${third}`);
      await sender.waitFor((r) => r.msg.command === 'FAIL' && r.msg.params[1] === 'REDACT_FORBIDDEN');
    });
  });
}
