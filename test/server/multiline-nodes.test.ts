// IRCv3 multiline across two nodes: a batch sent on node a is one `message` event in the log,
// and reaches node b's clients as a batch (with the capability) or as lines (without), on a
// shared in-process log and on a delayed one; its echo waits for the log's verdict.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { CONCAT_TAG } from '../../src/protocol/multiline.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { DelayedLog } from '../helpers/delayed-bus.ts';
import { joinAll, mask, settle, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ML_CAPS = ['batch', 'draft/multiline', 'message-tags', 'echo-message', 'labeled-response'];

async function receiveBatch(c: RawClient): Promise<{ msgid: string | undefined; label: string | undefined; text: string }> {
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'draft/multiline');
  const ref = open.msg.params[0]!.slice(1);
  const rest = await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`);
  let text = '';
  rest.slice(0, -1).forEach((r, i) => {
    assert.equal(r.msg.tags.batch, ref);
    if (i > 0 && r.msg.tags[CONCAT_TAG] === undefined) text += '\n';
    text += r.msg.params[1];
  });
  return { msgid: open.msg.tags.msgid, label: open.msg.tags.label, text };
}

const servers: TestServer[] = [];
const logs: DelayedLog<NetworkEvent>[] = [];
after(async () => {
  for (const t of servers) await t.close();
  for (const l of logs) await l.close();
});

for (const kind of ['in-process', 'delayed'] as const) {
  describe(`draft/multiline across two nodes (${kind} log)`, () => {
    test('a batch from node a: a batch on node b for a client with the capability, lines for one without, one msgid everywhere', async () => {
      const store = new MemoryStore();
      const shared = kind === 'in-process' ? new InProcessBus<NetworkEvent>() : undefined;
      const log = kind === 'delayed' ? new DelayedLog<NetworkEvent>() : undefined;
      if (log) logs.push(log);
      const node = async (name: string): Promise<TestServer> => {
        const t = await startServer({ server: { name: `${name}.parlor` } }, { bus: shared ?? log!.node(name), nodeId: name, store });
        servers.push(t);
        return t;
      };
      const a = await node('a');
      const b = await node('b');
      const alice = await a.register('alice', ML_CAPS);
      const bob = await b.register('bob', ['batch', 'draft/multiline', 'message-tags']);
      const carol = await b.register('carol', ['message-tags']);
      await joinAll('#x', alice, bob, carol);
      await log?.settled();
      await settle(alice, bob, carol);

      alice.send('@label=m1 BATCH +r draft/multiline #x', '@batch=r PRIVMSG #x :第一行', '@batch=r PRIVMSG #x :second ', `@batch=r;${CONCAT_TAG} PRIVMSG #x :line`, 'BATCH -r');
      const echo = await receiveBatch(alice);
      assert.equal(echo.label, 'm1');
      assert.equal(echo.text, '第一行\nsecond line');
      const got = await receiveBatch(bob);
      assert.equal(got.text, '第一行\nsecond line');
      assert.equal(got.msgid, echo.msgid);
      const lines = [await carol.waitFor('PRIVMSG'), await carol.waitFor('PRIVMSG'), await carol.waitFor('PRIVMSG')];
      assert.deepEqual(lines.map((r) => r.msg.params[1]), ['第一行', 'second ', 'line']);
      assert.equal(lines[0]!.msg.tags.msgid, echo.msgid);
      assert.equal(lines[0]!.msg.source, mask('alice'));

      // And back, privately, from node b to node a.
      bob.send('BATCH +p draft/multiline alice', '@batch=p PRIVMSG alice :hi', '@batch=p PRIVMSG alice :there', 'BATCH -p');
      assert.equal((await receiveBatch(alice)).text, 'hi\nthere');
    });
  });
}
