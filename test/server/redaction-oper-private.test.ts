// An IRC operator deletes a private message between two OTHER people. Addressed as a PRIVMSG
// from the operator would be (to the recipient's own nick), the REDACT would name the
// recipient's conversation with the operator, where the msgid is not, and the spec has clients
// ignore it there. So each side's connections are told under the OTHER side's nick, the name
// of their own conversation: `parlor chat` (the client core) then shows the line deleted by the
// operator in both sides' queries. On one node, and across two nodes on an in-process and a
// delayed log; a connection without the capability hears nothing, nor does anyone else.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { is, mask, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { FAST, SLOW } from '../helpers/race-cluster.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startClient, waitForLine, waitUntil } from '../clients/helpers.ts';

const CAPS = ['draft/message-redaction', 'echo-message', 'message-tags', 'batch', 'draft/chathistory'];
const OPERS = [{ name: 'root', password: await hashPassword('s3cret', 4) }];

for (const kind of ['one node', 'in-process log', 'delayed log'] as const) {
  describe(`an IRC operator deletes a private message between two others (${kind})`, () => {
    const servers: TestServer[] = [];
    const cores: IrcClient[] = [];
    const log = kind === 'delayed log' ? new DelayedLog<NetworkEvent>() : undefined;
    after(async () => {
      for (const c of cores) await c.quit();
      for (const s of servers) await s.close();
      await log?.close();
    });

    test("both sides' queries show it deleted by the operator; each side is told under the other's nick", async () => {
      if (kind === 'one node') {
        servers.push(await startServer({ opers: OPERS }));
      } else {
        const store = new MemoryStore();
        const bus = kind === 'in-process log' ? new InProcessBus<NetworkEvent>() : undefined;
        for (const [name, delivery] of [['a', FAST], ['b', SLOW]] as const) {
          servers.push(await startServer({ opers: OPERS, server: { name: `${name}.parlor` } }, { bus: bus ?? log!.node(name, delivery), nodeId: name, store }));
        }
      }
      const a = servers[0]!;
      const b = servers.at(-1)!;
      await addAccount(a, 'alice', 'pw-alice-1');
      await addAccount(a, 'bob', 'pw-bob-1');
      // The two sides in parlor chat's core, on different nodes; more connections of each account by hand.
      const alice = await startClient(a.port, 'alice', { sasl: { account: 'alice', password: 'pw-alice-1' } });
      cores.push(alice);
      const bob = await startClient(b.port, 'bob', { sasl: { account: 'bob', password: 'pw-bob-1' } });
      cores.push(bob);
      const alice2 = await loginUser(b, 'alice2', 'alice', 'pw-alice-1', CAPS);
      const bob2 = await loginUser(a, 'bob2', 'bob', 'pw-bob-1', CAPS);
      const bobPlain = await loginUser(b, 'bob3', 'bob', 'pw-bob-1', ['echo-message']);
      const oper = await b.register('root', CAPS);
      oper.send('OPER root s3cret');
      await oper.waitFor('381');
      await log?.settled();
      await settle(alice2, bob2, bobPlain, oper);

      alice.input('/msg bob you have been selected for a prize');
      const seen = await waitForLine(bob, ({ line }) => line.text === 'you have been selected for a prize' && line.msgid !== undefined);
      assert.equal(seen.buffer.name, 'alice');
      const msgid = seen.line.msgid!;
      const own = await waitForLine(alice, ({ line }) => line.msgid === msgid && line.self === true);
      assert.equal(own.buffer.name, 'bob');

      const marks = new Map<RawClient, number>([alice2, bob2, bobPlain, oper].map((c) => [c, c.received.length]));
      oper.send(`REDACT bob ${msgid} :spam`);
      // The operator's own answer names what it typed.
      await oper.waitFor(is('REDACT', 'bob', msgid, 'spam'));
      // Bob's side is told under alice's nick, alice's under bob's.
      for (const [c, target] of [[bob2, 'alice'], [alice2, 'bob']] as const) {
        const told = await c.waitFor(is('REDACT', target, msgid, 'spam'));
        assert.equal(told.msg.source, mask('root'));
      }
      await waitUntil(bob, () => seen.line.redacted, "bob's query with alice to show the line deleted");
      await waitUntil(alice, () => own.line.redacted, "alice's query with bob to show the line deleted");
      for (const { line } of [seen, own]) {
        assert.equal(line.text, '');
        assert.equal(line.redactedBy, 'root');
        assert.equal(line.redactReason, 'spam');
      }
      // Once each, and nothing to the connection without the capability.
      await log?.settled();
      for (const c of [alice2, bob2, bobPlain, oper]) await c.sync();
      const redacts = (c: RawClient): number => c.since(marks.get(c)!).filter((r) => r.msg.command === 'REDACT').length;
      assert.deepEqual([alice2, bob2, bobPlain, oper].map(redacts), [1, 1, 0, 1]);
      for (const c of [alice2, bob2, bobPlain, oper]) c.close();
    });
  });
}
