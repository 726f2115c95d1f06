// Private history belongs to accounts (issue 12, item 2), over real sockets against the
// in-memory store and a SQLite file alike: whoever takes a nick (in a registered nick's grace
// period, or logged in to another account) reads nothing of its previous holder's private
// conversations; the owner reads them from any nick once logged in; nick changes lose
// nothing; users without an account get no private history at all; rooms and JOIN replay are
// unaffected; a deleted account's conversations are forgotten, so its name registered again
// starts empty.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeAccount } from '../../src/server/accounts.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { conversationKey, type Store } from '../../src/storage/store.ts';
import { addAccount, loginUser, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { joinAll, mask, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
const PASSWORD = 'correct horse battery';
const FUTURE = 'timestamp=2100-01-01T00:00:00.000Z';
const PAST = 'timestamp=2000-01-01T00:00:00.000Z';
/** The line without its tag section. */
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);

/** Sends a message and waits for its echo; its msgid. */
async function say(c: RawClient, nick: string, target: string, text: string, command = 'PRIVMSG'): Promise<string> {
  c.send(`${command} ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === command && r.msg.source?.split('!')[0] === nick && r.msg.params[1] === text);
  return echo.msg.tags.msgid!;
}

/** The lines of the batch a CHATHISTORY request answers with (a FAIL fails the test). */
async function history(c: RawClient, command: string): Promise<Received[]> {
  c.send(command);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' || r.msg.command === 'FAIL');
  assert.equal(open.msg.command, 'BATCH', `${command} answered ${open.raw}`);
  const ref = open.msg.params[0]!.slice(1);
  const lines = (await until(c, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`)).slice(0, -1);
  for (const r of lines) assert.equal(r.msg.tags.batch, ref, r.raw);
  return lines;
}

const texts = async (c: RawClient, command: string): Promise<string[]> => (await history(c, command)).map((r) => r.msg.params[1]!);
/** TARGETS over all time: the names listed. */
const targets = async (c: RawClient): Promise<string[]> => (await history(c, `CHATHISTORY TARGETS ${FUTURE} ${PAST} 100`)).map((r) => r.msg.params[1]!);

/** Every way to ask for a private conversation: all must come back empty for an intruder. */
async function everyQuery(c: RawClient, peer: string, msgid: string): Promise<string[]> {
  return [
    ...(await texts(c, `CHATHISTORY LATEST ${peer} * 100`)),
    ...(await texts(c, `CHATHISTORY LATEST ${peer} msgid=${msgid} 100`)),
    ...(await texts(c, `CHATHISTORY BEFORE ${peer} ${FUTURE} 100`)),
    ...(await texts(c, `CHATHISTORY AFTER ${peer} ${PAST} 100`)),
    ...(await texts(c, `CHATHISTORY AROUND ${peer} msgid=${msgid} 100`)),
    ...(await texts(c, `CHATHISTORY BETWEEN ${peer} ${PAST} ${FUTURE} 100`)),
  ];
}

async function quit(...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    c.send('QUIT');
    await c.waitClose();
  }
}

const scratchDirs: string[] = [];
after(() => Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function newStore(kind: 'memory' | 'sqlite'): Promise<Store> {
  if (kind === 'memory') return new MemoryStore();
  const dir = await mkdtemp(join(tmpdir(), 'parlor-private-'));
  scratchDirs.push(dir);
  return new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
}

for (const kind of ['memory', 'sqlite'] as const) {
  describe(`private history belongs to accounts (${kind} store)`, () => {
    let t: TestServer;
    before(async () => {
      // The grace period outlasts the tests: squatters stay on the nick throughout.
      t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST, nickGraceMs: 600_000 }, history: { replayOnJoin: 10 } }, { store: await newStore(kind) });
      for (const name of ['alice', 'bob', 'mallory', 'carol', 'dan']) await addAccount(t, name, PASSWORD);
    });
    after(() => t.close());

    test('the attack: whoever takes alice’s nick after she quits reads nothing of hers, in the grace period or logged in to another account', async () => {
      const alice = await loginUser(t, 'alice', 'alice', PASSWORD, CAPS);
      const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
      await joinAll('#lobby', alice, bob);
      await say(alice, 'alice', '#lobby', 'morning all');
      const secret = await say(alice, 'alice', 'bob', 'the door code is 4321');
      await say(bob, 'bob', 'alice', 'thanks, see you at 6');
      await say(bob, 'bob', '#lobby', 'morning');
      assert.deepEqual(await texts(alice, 'CHATHISTORY LATEST bob * 10'), ['the door code is 4321', 'thanks, see you at 6']);
      await quit(alice);

      // Not logged in, on the registered nick during its grace period.
      const squatter = await t.register('alice', CAPS);
      await squatter.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.includes('belongs to the account alice'));
      assert.deepEqual(await targets(squatter), []);
      assert.deepEqual(await everyQuery(squatter, 'bob', secret), []);
      // The ordinary users chat on meanwhile.
      await say(bob, 'bob', '#lobby', 'anyone seen alice?');
      await quit(squatter);

      // Logged in to an account of their own, on alice's nick.
      const mallory = await loginUser(t, 'alice', 'mallory', PASSWORD, CAPS);
      await mallory.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.includes('belongs to the account alice'));
      assert.deepEqual(await targets(mallory), []);
      assert.deepEqual(await everyQuery(mallory, 'bob', secret), []);
      // Whatever mallory says to bob is mallory's conversation, not alice's.
      await say(mallory, 'alice', 'bob', 'it is me, alice');
      assert.deepEqual(await texts(mallory, 'CHATHISTORY LATEST bob * 10'), ['it is me, alice']);
      // bob still has both, each under its account: "alice" is alice's account even now.
      assert.deepEqual(await texts(bob, 'CHATHISTORY LATEST alice * 10'), ['the door code is 4321', 'thanks, see you at 6']);
      assert.deepEqual(await texts(bob, 'CHATHISTORY LATEST mallory * 10'), ['it is me, alice']);
      assert.deepEqual((await targets(bob)).sort(), ['#lobby', 'alice', 'mallory']);
      await quit(mallory, bob);
    });

    test('the owner logged in again from another nick reads the conversation, and nick changes on either side lose nothing', async () => {
      const carol = await loginUser(t, 'carol', 'carol', PASSWORD, CAPS);
      const dan = await loginUser(t, 'dan', 'dan', PASSWORD, CAPS);
      await say(carol, 'carol', 'dan', 'line one');
      await say(dan, 'dan', 'carol', 'line two');
      carol.send('NICK carol_');
      await carol.waitFor('NICK');
      await say(carol, 'carol_', 'dan', 'line three');
      dan.send('NICK dan_');
      await dan.waitFor((r) => r.msg.command === 'NICK' && r.msg.params[0] === 'dan_');
      await say(dan, 'dan_', 'carol_', 'line four');
      const expected = [
        `:${mask('carol')} PRIVMSG dan_ :line one`,
        `:${mask('dan')} PRIVMSG carol_ :line two`,
        `:carol_!carol@127.0.0.1 PRIVMSG dan_ :line three`,
        `:dan_!dan@127.0.0.1 PRIVMSG carol_ :line four`,
      ];
      // Lines carol's account sent name the other side, the rest carol's nick now.
      assert.deepEqual((await history(carol, 'CHATHISTORY LATEST dan_ * 10')).map(body), expected);
      await quit(carol);

      // From a new connection and another nick, logged in to carol: all of it, under either name.
      const back = await loginUser(t, 'carolyn', 'carol', PASSWORD, CAPS);
      const fromBack = expected.map((line) => line.replace(/ PRIVMSG carol_ /, ' PRIVMSG carolyn '));
      assert.deepEqual((await history(back, 'CHATHISTORY LATEST dan_ * 10')).map(body), fromBack);
      // Asked for by the account's name, the lines carol sent name what was asked for.
      assert.deepEqual((await history(back, 'CHATHISTORY LATEST dan * 10')).map(body), fromBack.map((line) => line.replace(/ PRIVMSG dan_ /, ' PRIVMSG dan ')));
      assert.ok((await targets(back)).includes('dan'));
      // dan reads the same lines by carol's account name or her nick now.
      assert.deepEqual(await texts(dan, 'CHATHISTORY LATEST carolyn * 10'), ['line one', 'line two', 'line three', 'line four']);
      assert.deepEqual(await texts(dan, 'CHATHISTORY LATEST carol * 10'), ['line one', 'line two', 'line three', 'line four']);
      await quit(back, dan);
    });

    test('users without an account get no private history at all, and nothing of theirs is stored', async () => {
      const una = await t.register('una', CAPS);
      const vic = await t.register('vic', CAPS);
      const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
      await joinAll('#open', una, vic);
      await say(una, 'una', '#open', 'room line');
      const id = await say(una, 'una', 'vic', 'unregistered to unregistered');
      await say(vic, 'vic', 'una', 'reply');
      await say(bob, 'bob', 'una', 'an account to no account');
      await say(una, 'una', 'bob', 'no account to an account');
      assert.deepEqual(await everyQuery(una, 'vic', id), []);
      assert.deepEqual(await everyQuery(vic, 'una', id), []);
      assert.deepEqual(await everyQuery(una, 'bob', id), []);
      assert.deepEqual(await texts(bob, 'CHATHISTORY LATEST una * 10'), []);
      assert.deepEqual(await targets(una), ['#open']);
      // Nothing was stored under any key of theirs, by nick or otherwise.
      await t.server.store.flush();
      for (const key of [conversationKey('una', 'vic'), conversationKey('bob', 'una')]) assert.deepEqual(await t.server.store.latest(key, 10), []);
      assert.deepEqual((await t.server.store.targets('bob', [], 0, Date.now() + 1000, 100)).map((x) => x.target).filter((k) => k.includes('una')), []);
      // The room's history is unaffected.
      assert.deepEqual(await texts(vic, 'CHATHISTORY LATEST #open * 10'), ['room line']);
      await quit(una, vic, bob);
    });

    test('JOIN replay (plain-text and capless clients) shows room lines only, never private ones', async () => {
      const alice = await loginUser(t, 'alice', 'alice', PASSWORD, CAPS);
      const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
      await joinAll('#replayed', alice, bob);
      await say(alice, 'alice', '#replayed', 'public line');
      await say(alice, 'alice', 'bob', 'private line to bob');
      await quit(alice);
      const plain = await t.register('alice');
      plain.send('JOIN #replayed');
      await plain.waitFor('366');
      const replayed = await plain.waitFor('PRIVMSG');
      assert.equal(replayed.msg.params[1], 'public line');
      await plain.sync();
      assert.deepEqual(plain.drain().filter((r) => r.msg.command === 'PRIVMSG' || r.raw.includes('private line')).map((r) => r.raw), []);
      await quit(plain, bob);
    });

    test('a deleted account’s conversations are forgotten: its name registered again starts empty', async () => {
      await addAccount(t, 'erin', PASSWORD);
      const erin = await loginUser(t, 'erin', 'erin', PASSWORD, CAPS);
      const bob = await loginUser(t, 'bob', 'bob', PASSWORD, CAPS);
      await say(erin, 'erin', 'bob', 'erin’s secret');
      assert.ok((await targets(bob)).includes('erin'));
      await removeAccount(t.server, t.server.admin.consoleActor, 'erin');
      await erin.waitFor('901');
      await quit(erin);
      await addAccount(t, 'Erin', 'another password');
      const newcomer = await loginUser(t, 'erin', 'Erin', 'another password', CAPS);
      assert.deepEqual(await targets(newcomer), []);
      assert.deepEqual(await texts(newcomer, 'CHATHISTORY LATEST bob * 10'), []);
      assert.ok(!(await targets(bob)).includes('erin'));
      assert.deepEqual(await texts(bob, 'CHATHISTORY LATEST erin * 10'), []);
      await quit(newcomer, bob);
    });
  });
}
