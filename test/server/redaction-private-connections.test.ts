// REDACT of a private message reaches every connection of both sides' accounts that has the
// capability, not just the recipient's: private history belongs to the accounts, so the
// sender's other connections (and the recipient's) may hold the message. The sender's see it
// under the recipient's nick, the recipient's addressed to their own nick. On one node, and
// across two nodes on an in-process and a delayed log; a connection without the cap hears nothing.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, mask, settle } from '../helpers/irc.ts';
import { FAST, SLOW } from '../helpers/race-cluster.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['draft/message-redaction', 'echo-message', 'message-tags', 'batch', 'draft/chathistory'];

for (const kind of ['one node', 'in-process log', 'delayed log'] as const) {
  describe(`REDACT of a private message, every connection of both accounts (${kind})`, () => {
    const servers: TestServer[] = [];
    const log = kind === 'delayed log' ? new DelayedLog<NetworkEvent>() : undefined;
    after(async () => {
      for (const s of servers) await s.close();
      await log?.close();
    });

    test("the sender's other connections and the recipient's all hear it; one without the cap does not", async () => {
      if (kind === 'one node') {
        servers.push(await startServer());
      } else {
        const store = new MemoryStore();
        const bus = kind === 'in-process log' ? new InProcessBus<NetworkEvent>() : undefined;
        for (const [name, delivery] of [['a', FAST], ['b', SLOW]] as const) {
          servers.push(await startServer({ server: { name: `${name}.parlor` } }, { bus: bus ?? log!.node(name, delivery), nodeId: name, store }));
        }
      }
      const a = servers[0]!;
      const b = servers.at(-1)!;
      await addAccount(a, 'alice', 'pw-alice-1');
      await addAccount(a, 'bob', 'pw-bob-1');
      const alice1 = await loginUser(a, 'alice1', 'alice', 'pw-alice-1', CAPS);
      const alice2 = await loginUser(b, 'alice2', 'alice', 'pw-alice-1', CAPS);
      const alice3 = await loginUser(b, 'alice3', 'alice', 'pw-alice-1', ['echo-message']);
      const bob1 = await loginUser(b, 'bob1', 'bob', 'pw-bob-1', CAPS);
      const bob2 = await loginUser(a, 'bob2', 'bob', 'pw-bob-1', CAPS);
      const stranger = await a.register('carol', CAPS);
      await log?.settled();
      await settle(alice1, alice2, alice3, bob1, bob2, stranger);

      alice1.send('PRIVMSG bob1 :oops, wrong window');
      const echo = await alice1.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'oops, wrong window');
      const msgid = echo.msg.tags['msgid']!;
      await bob1.waitFor(is('PRIVMSG', 'bob1', 'oops, wrong window'));

      alice1.send(`REDACT bob1 ${msgid} :wrong window`);
      await alice1.waitFor(is('REDACT', 'bob1', msgid, 'wrong window'));
      for (const [c, target] of [[bob1, 'bob1'], [alice2, 'bob1'], [bob2, 'bob2']] as const) {
        const told = await c.waitFor(is('REDACT', target, msgid, 'wrong window'));
        assert.equal(told.msg.source, mask('alice1'));
      }
      await log?.settled();
      for (const c of [alice1, alice2, alice3, bob1, bob2, stranger]) await c.sync();
      // Once each (those waited for above), and nobody else.
      const more = (c: typeof alice1): number => c.drain().filter((r) => r.msg.command === 'REDACT').length;
      assert.deepEqual([alice1, alice2, alice3, bob1, bob2, stranger].map(more), [0, 0, 0, 0, 0, 0]);
    });
  });
}
