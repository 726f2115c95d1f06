// Look-alikes of registered account names under `casemapping: precis` (lookalike-accounts.ts):
// no look-alike account may be registered, the nick guard treats a look-alike nick like the
// name itself while the owner is away, and the owner changing to the name takes it from the
// look-alike's holder at once. Two ASCII names are never look-alikes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { ManualClock } from '../helpers/clock.ts';
import { joinAll, settle } from '../helpers/irc.ts';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const GRACE = 30_000;
const PASSWORD = 'correct horse battery';
// "ВОЅЅ" and "ВОЅЅ2": Cyrillic ВЕ, O, DZE, DZE, shown as BOSS, the skeleton of boss.
const TWIN = '\u0412\u041e\u0405\u0405';

const guardNotice = (r: Received): boolean => r.msg.command === 'NOTICE' && /belongs to the account/.test(r.msg.params[1] ?? '');

describe('look-alikes of registered accounts (precis)', () => {
  let t: TestServer;
  const clock = new ManualClock();
  before(async () => {
    t = await startServer(
      { server: { casemapping: 'precis' }, accounts: { passwordCost: 4, nickGraceMs: GRACE } },
      { store: new MemoryStore(), clock },
    );
    await addAccount(t, 'boss', PASSWORD);
  });
  after(() => t.close());

  test('REGISTER of a look-alike of an account is refused ACCOUNT_EXISTS; an ASCII look-alike of an ASCII one is not', async () => {
    const c = await t.register(`${TWIN}2`);
    try {
      c.send(`NICK ${TWIN}`);
      await c.waitFor('NICK');
      c.send(`REGISTER * * :${PASSWORD}`);
      const fail = await c.waitFor((r) => r.msg.command === 'FAIL' || r.msg.command === 'REGISTER');
      assert.deepEqual(fail.msg.params.slice(0, 3), ['REGISTER', 'ACCOUNT_EXISTS', TWIN], fail.raw);
      assert.match(fail.msg.params[3]!, /looks too like the account boss/);
      assert.equal(await t.server.store.getAccount(TWIN), undefined);
      // b0ss looks like boss too, but both are ASCII: told apart as they always were.
      c.send('NICK b0ss');
      await c.waitFor('NICK');
      c.send(`REGISTER * * :${PASSWORD}`);
      assert.deepEqual((await c.waitFor('REGISTER')).msg.params.slice(0, 2), ['SUCCESS', 'b0ss']);
    } finally {
      c.send('QUIT');
      await c.waitClose();
      // The twin would look like it too: the tests below are about boss alone.
      await t.server.store.deleteAccount('b0ss');
    }
  });

  test('the holder of the twin, the owner away, is told whose it is and renamed Guest… after the grace period', async () => {
    const squatter = await t.register(TWIN);
    try {
      const notice = await squatter.waitFor(guardNotice);
      assert.match(notice.msg.params[1]!, new RegExp(`^The nick ${TWIN} looks like boss, which belongs to the account boss\\.`));
      clock.advance(GRACE);
      const nick = await squatter.waitFor('NICK');
      assert.match(nick.msg.params[0]!, /^Guest\d{5}$/);
    } finally {
      squatter.send('QUIT');
      await squatter.waitClose();
    }
  });

  test('the owner changing to their nick takes it from the twin at once: the twin and its room hear it renamed', async () => {
    const squatter = await t.register(TWIN);
    const friend = await t.register('friend');
    const owner = await loginUser(t, 'bossaway', 'boss', PASSWORD);
    try {
      await joinAll('#office', squatter, friend);
      await settle(squatter, friend, owner);
      owner.send('NICK boss');
      assert.equal((await owner.waitFor('NICK')).msg.params[0], 'boss');
      const renamed = await squatter.waitFor('NICK');
      const guest = renamed.msg.params[0]!;
      assert.match(guest, /^Guest\d{5}$/);
      assert.ok(renamed.msg.source?.startsWith(`${TWIN}!`), renamed.raw);
      const told = await squatter.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[0] === guest);
      assert.match(told.msg.params[1]!, /looks like boss, the nick of an account whose owner has logged in and taken it, so you are now Guest\d{5}/);
      const seen = await friend.waitFor('NICK');
      assert.deepEqual([seen.msg.source?.split('!')[0], seen.msg.params[0]], [TWIN, guest]);
      // The twin cannot come back while the owner is on the nick.
      squatter.send(`NICK ${TWIN}`);
      assert.equal((await squatter.waitFor('433')).msg.params[2], 'Nickname is too like one already in use');
    } finally {
      for (const c of [squatter, friend, owner]) c.send('QUIT');
      for (const c of [squatter, friend, owner]) await c.waitClose();
    }
  });

  test('the owner may hold the twin of their own account unwarned; someone logged in to another account may not', async () => {
    await addAccount(t, 'other', PASSWORD);
    const owner = await loginUser(t, TWIN, 'boss', PASSWORD);
    const other = await loginUser(t, 'someone', 'other', PASSWORD);
    try {
      await settle(owner);
      assert.ok(!owner.received.some(guardNotice));
      owner.send('NICK bosses');
      await owner.waitFor('NICK');
      other.send(`NICK ${TWIN}`);
      await other.waitFor('NICK');
      await other.waitFor(guardNotice);
      // Being logged in to some other account gives no right to the twin: the owner takes it.
      const boss = await loginUser(t, 'boss2', 'boss', PASSWORD);
      boss.send('NICK boss');
      await boss.waitFor('NICK');
      assert.match((await other.waitFor('NICK')).msg.params[0]!, /^Guest\d{5}$/);
      boss.send('QUIT');
      await boss.waitClose();
    } finally {
      owner.send('QUIT');
      other.send('QUIT');
      await owner.waitClose();
      await other.waitClose();
    }
  });
});
