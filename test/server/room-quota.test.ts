// Registered rooms are capped (issue 12, item 7): one account may register
// accounts.maxRoomsPerAccount rooms and the server holds accounts.maxRegisteredRooms in all;
// past either REGISTER #room answers FAIL (ACCOUNT_ROOM_LIMIT, SERVER_ROOM_LIMIT) and nothing
// is stored. The counts are those of the SQLite store, so they hold after a restart;
// UNREGISTER gives a place back. Over real sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { joinAll } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const COST = 4;
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Registers `nick` logged in to the account of the same name (password: the name twice). */
async function loggedIn(t: TestServer, nick: string): Promise<RawClient> {
  const c = await t.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'CAP REQ :sasl');
  await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
  c.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${b64(`\0${nick}\0${nick}${nick}`)}`);
  await c.waitFor('903');
  c.send('CAP END');
  await c.waitFor('376');
  return c;
}

/** REGISTER #room: the NOTICE that says it is registered, or the FAIL. */
async function registerRoom(c: RawClient, room: string): Promise<Received> {
  c.send(`REGISTER ${room}`);
  return c.waitFor((r) => r.msg.command === 'FAIL' || (r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith(`${room} is now registered`)));
}

function assertRegistered(r: Received, room: string): void {
  assert.equal(r.msg.command, 'NOTICE', `${room} refused: ${r.raw}`);
}

describe('registered rooms are capped per account and in all', () => {
  let dir: string;
  let t: TestServer;
  const config = { accounts: { passwordCost: COST, maxRoomsPerAccount: 2, maxRegisteredRooms: 3 } };
  const start = (): Promise<TestServer> => startServer(config, { store: new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 }) });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parlor-room-quota-'));
    const store = new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
    for (const name of ['owner', 'other', 'third']) {
      await store.createAccount({ name, passwordHash: await hashPassword(name + name, COST), createdAt: 0, verified: true, suspended: false });
    }
    await store.close();
    t = await start();
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('defaults: 10 rooms per account, 1000 on the server', () => {
    const defaults = parseConfig({}).accounts;
    assert.equal(defaults.maxRoomsPerAccount, 10);
    assert.equal(defaults.maxRegisteredRooms, 1000);
  });

  test('past its own cap an account is refused with ACCOUNT_ROOM_LIMIT; past the total anyone is, with SERVER_ROOM_LIMIT', async () => {
    const owner = await loggedIn(t, 'owner');
    for (const room of ['#a', '#b', '#c']) await joinAll(room, owner);
    assertRegistered(await registerRoom(owner, '#a'), '#a');
    assertRegistered(await registerRoom(owner, '#b'), '#b');
    const refused = await registerRoom(owner, '#c');
    assert.deepEqual(refused.msg.params.slice(0, 3), ['REGISTER', 'ACCOUNT_ROOM_LIMIT', '#c']);
    assert.equal(t.server.network.channel('#c')?.registration, undefined);

    const other = await loggedIn(t, 'other');
    await joinAll('#d', other);
    assertRegistered(await registerRoom(other, '#d'), '#d');
    const third = await loggedIn(t, 'third');
    await joinAll('#e', third);
    const full = await registerRoom(third, '#e');
    assert.deepEqual(full.msg.params.slice(0, 3), ['REGISTER', 'SERVER_ROOM_LIMIT', '#e']);
    await t.server.store.flush();
    assert.deepEqual((await t.server.store.listChannels()).map((c) => c.name).sort(), ['#a', '#b', '#d']);
  });

  test('after a restart on the same database the counts still hold; UNREGISTER gives a place back', async () => {
    await t.close();
    t = await start();
    const owner = await loggedIn(t, 'owner');
    await joinAll('#c', owner);
    const refused = await registerRoom(owner, '#c');
    assert.deepEqual(refused.msg.params.slice(0, 3), ['REGISTER', 'ACCOUNT_ROOM_LIMIT', '#c']);
    owner.send('UNREGISTER #a');
    await owner.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1] === '#a is no longer registered');
    assertRegistered(await registerRoom(owner, '#c'), '#c');
    await t.server.store.flush();
    assert.deepEqual((await t.server.store.listChannels()).map((c) => c.name).sort(), ['#b', '#c', '#d']);
  });
});
