// Registered rooms over real sockets: REGISTER #room by a logged-in channel operator and
// each refusal; the room outlives its members with its topic, modes, key, limit, bans and
// operator accounts; nobody is made operator for joining it first, its operators are on
// join; everything survives a restart (a second server on the same store); UNREGISTER;
// deleting the founder's account unregisters it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { during, is, joinAll, mask, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER = 'test.parlor';
const COST = 4;
const ACCOUNTS = ['Founder', 'helper', 'stranger', 'solo'];

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const fail = (r: Received): boolean => r.msg.command === 'FAIL';

async function start(store: MemoryStore): Promise<TestServer> {
  // ParlorServer.listen() has restored them before it takes clients.
  return startServer({ accounts: { passwordCost: COST } }, { store });
}

/** Registers `nick`, logged in to `account` with SASL PLAIN (password: the account, twice). */
async function loggedIn(t: TestServer, nick: string, account: string): Promise<RawClient> {
  const c = await t.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'CAP REQ :sasl');
  await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
  c.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${b64(`\0${account}\0${account}${account}`)}`);
  await c.waitFor('903');
  c.send('CAP END');
  await c.waitFor('376');
  return c;
}

/** NAMES of `room` as `c` sees it. */
async function names(c: RawClient, room: string): Promise<string[]> {
  c.send(`NAMES ${room}`);
  const r = await c.waitFor('353');
  await c.waitFor('366');
  return r.msg.params[3]!.split(' ').sort();
}

async function quit(...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    c.send('QUIT :bye');
    await c.waitClose();
  }
}

describe('registered rooms', () => {
  const store = new MemoryStore();
  let t: TestServer;
  before(async () => {
    for (const name of ACCOUNTS) {
      await store.createAccount({ name, passwordHash: await hashPassword(name + name, COST), createdAt: 0, verified: true, suspended: false });
    }
    t = await start(store);
  });
  after(() => t.close());

  test('refusals: not logged in, no such room, not a member, not an operator, already registered', async () => {
    const anon = await t.register('anon');
    await joinAll('#mine', anon);
    anon.send('REGISTER #mine');
    assert.deepEqual((await anon.waitFor(fail)).msg.params.slice(0, 3), ['REGISTER', 'ACCOUNT_REQUIRED', '#mine']);
    const solo = await loggedIn(t, 'solo', 'solo');
    solo.send('REGISTER #nowhere');
    assert.deepEqual((await solo.waitFor('403')).msg.params.slice(0, 2), ['solo', '#nowhere']);
    solo.send('REGISTER #mine');
    assert.deepEqual((await solo.waitFor('442')).msg.params.slice(0, 2), ['solo', '#mine']);
    await joinAll('#mine', solo);
    solo.send('REGISTER #mine');
    assert.deepEqual((await solo.waitFor('482')).msg.params.slice(0, 2), ['solo', '#mine']);
    await joinAll('#solo', solo);
    solo.send('REGISTER #solo');
    const ok = await solo.waitFor('NOTICE');
    assert.match(ok.msg.params[1]!, /^#solo is now registered to solo/);
    solo.send('REGISTER #solo');
    assert.deepEqual((await solo.waitFor(fail)).msg.params.slice(0, 3), ['REGISTER', 'ALREADY_REGISTERED', '#solo']);
    solo.send('UNREGISTER #solo');
    await solo.waitFor(is('NOTICE', 'solo', '#solo is no longer registered'));
    assert.equal(await store.getChannel('#solo'), undefined);
    solo.send('UNREGISTER #solo');
    assert.deepEqual((await solo.waitFor(fail)).msg.params.slice(0, 3), ['UNREGISTER', 'NOT_REGISTERED', '#solo']);
    await quit(anon, solo);
  });

  test('the room keeps its topic, modes, bans and operators when empty; joining first gives no op', async () => {
    const founder = await loggedIn(t, 'boss', 'Founder');
    const helper = await loggedIn(t, 'help', 'helper');
    const anon = await t.register('plainjoe');
    await joinAll('#Club', founder, helper, anon);
    founder.send('REGISTER #club');
    await founder.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('#Club is now registered to Founder'));
    founder.send('TOPIC #club :Members only', 'MODE #club +mkl-t sesame 10', 'MODE #club +b bad!*@*', 'MODE #club +o help');
    await founder.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+o');
    await settle(founder);
    let saved = await store.getChannel('#club');
    assert.equal(saved?.name, '#Club');
    assert.equal(saved?.founder, 'Founder');
    assert.equal(saved?.topic, 'Members only');
    assert.equal(saved?.modes, 'mn');
    assert.equal(saved?.key, 'sesame');
    assert.equal(saved?.limit, 10);
    assert.deepEqual(saved?.bans.map((b) => b.mask), ['bad!*@*']);
    assert.deepEqual([...saved!.operators].sort(), ['Founder', 'helper']);

    // -o on a logged-in operator takes them off the list; +o puts them back.
    founder.send('MODE #club -o help');
    await founder.waitFor('MODE');
    await settle(founder);
    assert.deepEqual((await store.getChannel('#club'))?.operators, ['Founder']);
    founder.send('MODE #club +o help');
    await founder.waitFor('MODE');
    await settle(founder);

    await quit(founder, helper, anon);
    const looker = await t.register('looker');
    looker.send('LIST #club');
    assert.deepEqual((await looker.waitFor('322')).msg.params, ['looker', '#Club', '0', 'Members only']);
    looker.send('JOIN #club');
    assert.deepEqual((await looker.waitFor('475')).msg.params.slice(0, 2), ['looker', '#Club']);
    looker.send('JOIN #club sesame');
    await looker.waitFor(is('366', 'looker', '#Club'));
    assert.deepEqual(await names(looker, '#club'), ['looker'], 'the first to join an empty registered room is not its operator');
    looker.send('MODE #club', 'MODE #club b');
    assert.deepEqual((await looker.waitFor('324')).msg.params.slice(1), ['#Club', '+mnkl', 'sesame', '10']);
    assert.deepEqual((await looker.waitFor('367')).msg.params.slice(1, 3), ['#Club', 'bad!*@*']);

    // The helper account is an operator again on joining, and the others see it.
    const back = await loggedIn(t, 'helpagain', 'helper');
    const [seen] = await during(back, [looker], () => back.send('JOIN #club sesame'));
    assert.deepEqual(seen.map((r) => r.raw), [`:${mask('helpagain')} JOIN #Club`, `:${SERVER} MODE #Club +o helpagain`]);
    assert.deepEqual(await names(back, '#club'), ['@helpagain', 'looker']);
    saved = await store.getChannel('#club');
    assert.equal(saved?.topic, 'Members only');
    await quit(looker, back);
  });

  test('after a restart on the same store: the room, its settings and its operators are back', async () => {
    await t.close();
    t = await start(store);
    const first = await t.register('firstin');
    first.send('LIST');
    assert.deepEqual((await first.waitFor('322')).msg.params, ['firstin', '#Club', '0', 'Members only']);
    first.send('JOIN #club sesame');
    await first.waitFor(is('366', 'firstin', '#Club'));
    assert.deepEqual(await names(first, '#club'), ['firstin']);
    first.send('TOPIC #club', 'MODE #club', 'MODE #club b');
    assert.deepEqual((await first.waitFor('332')).msg.params.slice(1), ['#Club', 'Members only']);
    assert.deepEqual((await first.waitFor('333')).msg.params.slice(1, 3), ['#Club', 'boss!boss@127.0.0.1']);
    assert.deepEqual((await first.waitFor('324')).msg.params.slice(1), ['#Club', '+mnkl', 'sesame', '10']);
    assert.deepEqual((await first.waitFor('367')).msg.params.slice(1, 3), ['#Club', 'bad!*@*']);

    const boss = await loggedIn(t, 'boss', 'Founder');
    const [seen] = await during(boss, [first], () => boss.send('JOIN #club sesame'));
    assert.deepEqual(seen.map((r) => r.raw), [`:${mask('boss')} JOIN #Club`, `:${SERVER} MODE #Club +o boss`]);
    const helper = await loggedIn(t, 'help', 'helper');
    helper.send('JOIN #club sesame');
    await helper.waitFor(is('366', 'help', '#Club'));
    assert.deepEqual(await names(helper, '#club'), ['@boss', '@help', 'firstin']);

    // Only the founder (or an IRC operator) may unregister it.
    helper.send('UNREGISTER #club');
    assert.deepEqual((await helper.waitFor(fail)).msg.params.slice(0, 3), ['UNREGISTER', 'NOT_FOUNDER', '#Club']);
    await quit(first, boss, helper);
  });

  test('deleting the founder account unregisters the room, which then goes when empty', async () => {
    const s = await loggedIn(t, 'stranger', 'stranger');
    await joinAll('#temp', s);
    s.send('REGISTER #temp');
    await s.waitFor('NOTICE');
    await quit(s);
    assert.ok(t.server.network.channel('#temp'), 'kept while registered and empty');
    assert.deepEqual(await runConsoleLine(t.server, 'delete-account stranger'), [
      'deleted the account stranger; 0 connection(s) logged out; rooms no longer registered: #temp',
    ]);
    assert.equal(t.server.network.channel('#temp'), undefined);
    assert.equal(await store.getChannel('#temp'), undefined);
    assert.ok(await store.getChannel('#club'), 'the others stay');
  });
});
