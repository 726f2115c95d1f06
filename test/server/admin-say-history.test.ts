// What the admin says with `say` is kept like any other message (issue 15 item 3): a
// logged-in user's conversation with the admin nick holds both sides in CHATHISTORY, and the
// admin's words in a room are in the room's history.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { addAccount, loginUser, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { join as joinRoom, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
const PASSWORD = 'correct horse battery';
const FUTURE = 'timestamp=2100-01-01T00:00:00.000Z';
const PAST = 'timestamp=2000-01-01T00:00:00.000Z';

async function history(c: RawClient, command: string): Promise<Received[]> {
  c.send(command);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' || r.msg.command === 'FAIL');
  assert.equal(open.msg.command, 'BATCH', `${command} answered ${open.raw}`);
  const ref = open.msg.params[0]!.slice(1);
  return (await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`)).slice(0, -1);
}

/** `nick: text` for each line of the batch. */
const lines = async (c: RawClient, command: string): Promise<string[]> =>
  (await history(c, command)).map((r) => `${r.msg.source!.split('!')[0]}→${r.msg.params[0]}: ${r.msg.params[1]}`);

const scratchDirs: string[] = [];
after(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function newStore(kind: 'memory' | 'sqlite'): Promise<Store> {
  if (kind === 'memory') return new MemoryStore();
  const dir = await mkdtemp(join(tmpdir(), 'parlor-admin-say-'));
  scratchDirs.push(dir);
  return new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
}

for (const kind of ['memory', 'sqlite'] as const) {
  describe(`the admin's say is kept (${kind} store)`, () => {
    let t: TestServer;
    before(async () => {
      t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: await newStore(kind) });
      for (const name of ['alice', 'bob']) await addAccount(t, name, PASSWORD);
    });
    after(() => t.close());

    test('a private conversation with the admin holds both sides, for its account only', async () => {
      const alice = await loginUser(t, 'alice', 'alice', PASSWORD, CAPS);
      alice.send('PRIVMSG admin :hello, I cannot log in on my phone');
      await alice.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === 'admin');
      const [said] = await runConsoleLine(t.server, 'say alice try again now, 你好');
      assert.match(said!, /^\[\d\d:\d\d:\d\d\] -> alice: try again now, 你好$/);
      await alice.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('admin!') === true);
      await t.server.store.flush();
      const both = ['alice→admin: hello, I cannot log in on my phone', 'admin→alice: try again now, 你好'];
      assert.deepEqual(await lines(alice, 'CHATHISTORY LATEST admin * 10'), both);
      assert.deepEqual(await lines(alice, `CHATHISTORY BETWEEN admin ${PAST} ${FUTURE} 10`), both);
      const listed = (await history(alice, `CHATHISTORY TARGETS ${FUTURE} ${PAST} 10`)).map((r) => r.msg.params[1]);
      assert.deepEqual(listed, ['admin']);

      // bob, logged in elsewhere, has no part of it.
      const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
      assert.deepEqual(await lines(bob, 'CHATHISTORY LATEST admin * 10'), []);
      // alice, back from another nick, still has it.
      alice.send('QUIT');
      await alice.waitClose();
      const again = await loginUser(t, 'alice_phone', 'alice', PASSWORD, CAPS);
      assert.deepEqual(await lines(again, 'CHATHISTORY LATEST admin * 10'), [
        'alice→admin: hello, I cannot log in on my phone',
        'admin→alice_phone: try again now, 你好',
      ]);
      for (const c of [bob, again]) {
        c.send('QUIT');
        await c.waitClose();
      }
    });

    test('what the admin says in a room is in the room\'s history', async () => {
      const carol = await t.register('carol', CAPS);
      await joinRoom(carol, 'carol', '#help');
      await runConsoleLine(t.server, 'say #help the server restarts at noon');
      await carol.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#help');
      await t.server.store.flush();
      assert.deepEqual(await lines(carol, 'CHATHISTORY LATEST #help * 10'), ['admin→#help: the server restarts at noon']);
      carol.send('QUIT');
      await carol.waitClose();
    });
  });
}
