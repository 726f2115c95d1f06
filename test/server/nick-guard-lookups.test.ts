// The nick guard (accounts.ts guardNick) asks the store about a nick only when an account may
// be named like it or look like it (Store.mayHaveAccountLike): a registration whose nick is
// near no account costs no account query, while one on an account's nick or a look-alike of it
// is still found and told.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import type { AccountRecord } from '../../src/storage/store.ts';
import { addAccount } from '../helpers/accounts.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const guardNotice = (r: Received): boolean => r.msg.command === 'NOTICE' && /belongs to the account/.test(r.msg.params[1] ?? '');

/** A store that records which nicks its account lookups were for. */
class CountingStore extends MemoryStore {
  readonly asked: string[] = [];
  override getAccount(name: string): Promise<AccountRecord | undefined> {
    this.asked.push(name);
    return super.getAccount(name);
  }
  override accountsLike(nick: string): Promise<AccountRecord[]> {
    this.asked.push(nick);
    return super.accountsLike(nick);
  }
}

describe('the nick guard asks the store only about nicks near an account', () => {
  const store = new CountingStore();
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { casemapping: 'precis' }, accounts: { passwordCost: 4 } }, { store });
    await addAccount(t, 'boss', 'correct horse battery');
  });
  after(() => t.close());

  test('registering as a nick no account is near makes no account lookup', async () => {
    const c = await t.register('alice');
    c.send('NICK carol');
    await c.waitFor('NICK');
    assert.deepEqual(store.asked.filter((nick) => nick === 'alice' || nick === 'carol'), []);
    assert.equal(c.received.filter(guardNotice).length, 0);
  });

  test("an account's nick, in another case or as a look-alike, is still looked up and guarded", async () => {
    for (const nick of ['BOSS', '\u0412\u041e\u0405\u0405']) {
      const c = await t.register(nick);
      await c.waitFor(guardNotice);
      assert.ok(store.asked.includes(nick), nick);
      c.send('QUIT');
      await c.waitClose();
    }
  });
});
