// An account's owner gets its nick, as ergo's nick reservation gives it: whoever holds the nick
// itself, or (casemapping: precis) a look-alike of it, without being logged in to the account
// is renamed Guest… at once when the owner changes to it, or connects with it logged in by
// SASL in the usual order (CAP LS, NICK, USER, AUTHENTICATE…, CAP END): the NICK given before
// the login is kept while a login could still give it, and settled when registration ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { joinAll, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
// "ВОЅЅ": Cyrillic ВЕ, O, DZE, DZE, shown as BOSS, the skeleton of boss.
const TWIN = '\u0412\u041e\u0405\u0405';
const GUEST = /^Guest\d{5}$/;

const welcomed = (r: Received): boolean => r.msg.command === '001';
const takenNotice = (guest: string) => (r: Received) => r.msg.command === 'NOTICE' && r.msg.params[0] === guest;

async function quitAll(...clients: RawClient[]): Promise<void> {
  for (const c of clients) c.send('QUIT');
  for (const c of clients) await c.waitClose();
}

/** The holder renamed Guest… by the owner taking `nick`: the guest nick, after checking what the holder was told. */
async function renamedByOwner(holder: RawClient, oldNick: string, told: RegExp): Promise<string> {
  const renamed = await holder.waitFor('NICK');
  assert.ok(renamed.msg.source?.startsWith(`${oldNick}!`), renamed.raw);
  const guest = renamed.msg.params[0]!;
  assert.match(guest, GUEST);
  const notice = await holder.waitFor(takenNotice(guest));
  assert.match(notice.msg.params[1]!, told);
  return guest;
}

for (const casemapping of ['rfc1459', 'precis'] as const) {
  describe(`the owner regains the nick of their account (${casemapping})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startServer({ server: { casemapping }, accounts: { passwordCost: 4, nickGraceMs: 60_000 } }, { store: new MemoryStore() });
      await addAccount(t, 'boss', PASSWORD);
      await addAccount(t, 'other', PASSWORD);
    });
    after(() => t.close());

    test('NICK boss after logging in renames the exact holder Guest…; its room sees it', async () => {
      const squatter = await t.register('boss');
      const friend = await t.register('friend');
      const owner = await loginUser(t, 'bossaway', 'boss', PASSWORD);
      try {
        await joinAll('#office', squatter, friend);
        await settle(squatter, friend, owner);
        owner.send('NICK boss');
        assert.equal((await owner.waitFor('NICK')).msg.params[0], 'boss');
        const guest = await renamedByOwner(squatter, 'boss', /^boss is the nick of an account whose owner has logged in and taken it, so you are now Guest\d{5}\.$/);
        const seen = await friend.waitFor('NICK');
        assert.deepEqual([seen.msg.source?.split('!')[0], seen.msg.params[0]], ['boss', guest]);
      } finally {
        await quitAll(squatter, friend, owner);
      }
    });

    test('connecting with SASL (NICK before the login) takes the nick from its exact holder', async () => {
      const squatter = await t.register('boss');
      try {
        const owner = await loginUser(t, 'boss', 'boss', PASSWORD);
        const welcome = owner.received.find(welcomed);
        assert.equal(welcome?.msg.params[0], 'boss', welcome?.raw);
        assert.ok(!owner.received.some((r) => r.msg.command === '433'));
        await renamedByOwner(squatter, 'boss', /^boss is the nick of an account whose owner has logged in and taken it/);
        await quitAll(owner);
      } finally {
        await quitAll(squatter);
      }
    });

    test('a holder logged in to the account keeps the nick: a second session of the owner is refused', async () => {
      const first = await loginUser(t, 'boss', 'boss', PASSWORD);
      const second = await loginUser(t, 'boss2', 'boss', PASSWORD);
      try {
        second.send('NICK boss');
        assert.equal((await second.waitFor('433')).msg.params[2], 'Nickname is already in use');
        await settle(first);
        assert.ok(!first.received.some((r) => r.msg.command === 'NICK'));
      } finally {
        await quitAll(first, second);
      }
    });

    test('while CAP is open the nick waits for the end of registration: without the login it is refused then', async () => {
      const squatter = await t.register('boss');
      const c = await t.connect();
      try {
        c.send('CAP LS 302', 'NICK boss', 'USER x 0 * :X');
        await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS');
        await c.sync();
        assert.ok(!c.received.some((r) => r.msg.command === '433'), 'not refused before CAP END');
        c.send('CAP END');
        assert.equal((await c.waitFor('433')).msg.params[1], 'boss');
        c.send('NICK bystander');
        assert.equal((await c.waitFor(welcomed)).msg.params[0], 'bystander');
        await settle(squatter);
        assert.ok(!squatter.received.some((r) => r.msg.command === 'NICK'));
      } finally {
        await quitAll(squatter, c);
      }
    });

    test('logged in to another account, the nick is refused when registration ends; nobody is renamed', async () => {
      const squatter = await t.register('boss');
      const c = await t.connect();
      try {
        c.send('CAP LS 302', 'NICK boss', 'USER x 0 * :X', 'CAP REQ :sasl');
        await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
        c.send('AUTHENTICATE PLAIN');
        await c.waitFor('AUTHENTICATE');
        c.send(`AUTHENTICATE ${Buffer.from(`\0other\0${PASSWORD}`).toString('base64')}`);
        await c.waitFor('903');
        c.send('CAP END');
        assert.equal((await c.waitFor('433')).msg.params[1], 'boss');
        await settle(squatter);
        assert.ok(!squatter.received.some((r) => r.msg.command === 'NICK'));
      } finally {
        await quitAll(squatter, c);
      }
    });

    test('a held nick no account has is refused at NICK, CAP or not', async () => {
      const holder = await t.register('plainuser');
      const c = await t.connect();
      try {
        c.send('CAP LS 302', 'NICK plainuser');
        assert.equal((await c.waitFor('433')).msg.params[1], 'plainuser');
        c.send('CAP END');
        const d = await t.connect();
        d.send('NICK plainuser');
        assert.equal((await d.waitFor('433')).msg.params[1], 'plainuser');
        d.close();
      } finally {
        await quitAll(holder);
        c.close();
      }
    });
  });
}

describe('the owner connecting with SASL takes the nick from a look-alike (precis)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { casemapping: 'precis' }, accounts: { passwordCost: 4, nickGraceMs: 60_000 } }, { store: new MemoryStore() });
    await addAccount(t, 'boss', PASSWORD);
  });
  after(() => t.close());

  test('NICK boss before the SASL login, while ВОЅЅ is held: the owner is boss, the holder Guest…', async () => {
    const squatter = await t.register(TWIN);
    try {
      const owner = await loginUser(t, 'boss', 'boss', PASSWORD);
      assert.equal(owner.received.find(welcomed)?.msg.params[0], 'boss');
      await renamedByOwner(squatter, TWIN, new RegExp(`^${TWIN} looks like boss, the nick of an account whose owner has logged in and taken it`));
      // The twin cannot come back while the owner is on the nick.
      squatter.send(`NICK ${TWIN}`);
      assert.equal((await squatter.waitFor('433')).msg.params[2], 'Nickname is too like one already in use');
      await quitAll(owner);
    } finally {
      await quitAll(squatter);
    }
  });

  test('without the login, the look-alike is refused when registration ends', async () => {
    const squatter = await t.register(TWIN);
    const c = await t.connect();
    try {
      c.send('CAP LS 302', 'NICK boss', 'USER x 0 * :X', 'CAP END');
      const refused = await c.waitFor('433');
      assert.deepEqual(refused.msg.params.slice(1), ['boss', 'Nickname is too like one already in use']);
    } finally {
      await quitAll(squatter);
      c.close();
    }
  });
});
