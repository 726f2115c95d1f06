// Deleting an account forgets its private history BEFORE its name is free again: were the name
// freed first, an account registered under it while the history was being deleted (in chunks,
// the event loop turning between them), or after that deletion failed, would read the old
// owner's conversations. Over real sockets, on a store whose forgetting the test can fail or
// hold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeAccount } from '../../src/server/accounts.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'server-time'];
const PASSWORD = 'correct horse battery';

/** A memory store whose next forgetAccount fails, or waits for the test once its work is done. */
class ControlledStore extends MemoryStore {
  failNext = false;
  private hold: { gate: Promise<void>; reached: () => void } | undefined;

  /** The next forgetAccount, its work done, waits for `gate`; resolves once it does. */
  holdNext(gate: Promise<void>): Promise<void> {
    return new Promise((reached) => (this.hold = { gate, reached }));
  }

  override async forgetAccount(account: string): Promise<number> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk I/O error');
    }
    const hold = this.hold;
    this.hold = undefined;
    const removed = await super.forgetAccount(account);
    if (hold) {
      hold.reached();
      await hold.gate;
    }
    return removed;
  }
}

let t: TestServer;
let store: ControlledStore;
before(async () => {
  store = new ControlledStore();
  t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store });
  await addAccount(t, 'bob', PASSWORD);
});
after(() => t.close());

async function say(c: RawClient, nick: string, target: string, text: string): Promise<void> {
  c.send(`PRIVMSG ${target} :${text}`);
  await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.split('!')[0] === nick && r.msg.params[1] === text);
}

/** The texts CHATHISTORY LATEST answers with. */
async function latest(c: RawClient, peer: string): Promise<string[]> {
  c.send(`CHATHISTORY LATEST ${peer} * 10`);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH');
  const lines = await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${open.msg.params[0]!.slice(1)}`);
  return lines.slice(0, -1).map((r) => r.msg.params[1]!);
}

async function quit(...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    c.send('QUIT');
    await c.waitClose();
  }
}

test('a deletion whose forgetting fails leaves the account in place: its name cannot be registered by someone else to read the history', async () => {
  await addAccount(t, 'erin', PASSWORD);
  const erin = await loginUser(t, 'erin', 'erin', PASSWORD, CAPS);
  const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
  await say(erin, 'erin', 'bob', 'erin’s secret');
  store.failNext = true;
  await assert.rejects(removeAccount(t.server, t.server.admin.consoleActor, 'erin'), /disk I\/O error/);
  assert.ok(await t.server.store.getAccount('erin'), 'the account is still there');
  assert.equal(await t.server.store.createAccount({ name: 'Erin', passwordHash: 'x', createdAt: t.server.now(), verified: true, suspended: false }), false);
  assert.deepEqual(await latest(erin, 'bob'), ['erin’s secret']);
  // Tried again, it goes, and the name starts empty.
  await removeAccount(t.server, t.server.admin.consoleActor, 'erin');
  await erin.waitFor('901');
  await addAccount(t, 'erin', 'another password');
  const newcomer = await loginUser(t, 'erin2', 'erin', 'another password', CAPS);
  assert.deepEqual(await latest(newcomer, 'bob'), []);
  await quit(erin, bob, newcomer);
});

test('while the history is being forgotten the name stays taken, and what the account said meanwhile is forgotten too', async () => {
  await addAccount(t, 'fay', PASSWORD);
  await addAccount(t, 'gus', PASSWORD);
  const fay = await loginUser(t, 'fay', 'fay', PASSWORD, CAPS);
  const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
  const gus = await loginUser(t, 'gus', 'gus', PASSWORD, CAPS);
  await say(fay, 'fay', 'bob', 'fay’s secret');

  let open!: () => void;
  const reached = store.holdNext(new Promise<void>((resolve) => (open = resolve)));
  const removal = removeAccount(t.server, t.server.admin.consoleActor, 'fay');
  await reached;
  // Mid-deletion (a first pass of forgetting done): the name is not free to take...
  assert.equal(await t.server.store.createAccount({ name: 'Fay', passwordHash: 'x', createdAt: t.server.now(), verified: true, suspended: false }), false);
  // ...and fay, still logged in, says more: forgotten as well.
  await say(fay, 'fay', 'gus', 'said while the history went');
  open();
  await removal;
  await fay.waitFor('901');

  await addAccount(t, 'fay', 'another password');
  const newcomer = await loginUser(t, 'fay2', 'fay', 'another password', CAPS);
  assert.deepEqual(await latest(newcomer, 'bob'), []);
  assert.deepEqual(await latest(newcomer, 'gus'), []);
  assert.deepEqual(await latest(gus, 'fay'), []);
  await quit(fay, bob, gus, newcomer);
});
