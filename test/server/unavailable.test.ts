// When the cluster's log or its store of record cannot be reached, over real sockets: commands
// that need the log answer FAIL <cmd> TEMPORARILY_UNAVAILABLE (a plain-text user reads it as a
// line) and nothing reaches anyone; they work again once it is back; quits made meanwhile are
// held back and reach the others, in order, when it is back. With the database down, SASL,
// CHATHISTORY and REGISTER say "try again" while the chat goes on.
import { hashPassword } from '../../src/server/passwords.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../src/storage/errors.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { addAccount } from '../helpers/accounts.ts';
import { nodeOnFaultyLog, plainUser } from '../helpers/faulty-bus.ts';
import { is, join, joinAll, linesSince, mask, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer } from '../helpers/server.ts';

const LOG_DOWN_TEXT = 'The network is unavailable right now, so this may not have been done; try again in a moment';
const DB_DOWN_TEXT = 'The database is unavailable right now; try again in a moment';
const TIMESTAMPED = (text: string): ((r: Received) => boolean) => (r) => /^\[\d{2}:\d{2}:\d{2}\] /.test(r.raw) && r.raw.endsWith(text);


/** The FAIL `command` answer, its parameters. */
async function failOf(c: RawClient, command: string): Promise<string[]> {
  return (await c.waitFor(is('FAIL', command))).msg.params;
}

describe('the log unavailable', () => {
  test('PRIVMSG, JOIN and NICK answer FAIL … TEMPORARILY_UNAVAILABLE, a plain-text user reads why, nobody else sees anything; all work again once it is back', async (t) => {
    const { bus, s } = await nodeOnFaultyLog(t);
    const alice = await s.register('alice');
    const bob = await s.register('bob');
    await joinAll('#lobby', alice, bob);
    const carol = await plainUser(s, 'carol');
    await bob.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('carol!') === true);
    await settle(alice, bob);
    const bobMark = bob.received.length;

    bus.goDown();
    alice.send('PRIVMSG #lobby :lost words');
    assert.deepEqual(await failOf(alice, 'PRIVMSG'), ['PRIVMSG', 'TEMPORARILY_UNAVAILABLE', LOG_DOWN_TEXT]);
    alice.send('JOIN #elsewhere');
    assert.deepEqual(await failOf(alice, 'JOIN'), ['JOIN', 'TEMPORARILY_UNAVAILABLE', LOG_DOWN_TEXT]);
    alice.send('NICK alicia');
    assert.deepEqual(await failOf(alice, 'NICK'), ['NICK', 'TEMPORARILY_UNAVAILABLE', LOG_DOWN_TEXT]);
    carol.send('anyone there?');
    await carol.waitFor(TIMESTAMPED(`!!! ${LOG_DOWN_TEXT}`));

    // Nothing of it reached bob (PING is answered by the node itself: everything before it was handled).
    const seen = await linesSince(bob, bobMark);
    assert.deepEqual(seen.map((r) => r.raw), []);
    assert.deepEqual(bus.refusedAppends.map((e) => e.type), ['message', 'channel.join', 'user.nick', 'message']);

    bus.comeBack();
    alice.send('PRIVMSG #lobby :back again');
    assert.equal((await bob.waitFor('PRIVMSG')).raw, `:${mask('alice')} PRIVMSG #lobby :back again`);
    await join(alice, 'alice', '#elsewhere');
    alice.send('NICK alicia');
    assert.equal((await bob.waitFor('NICK')).raw, `:${mask('alice')} NICK alicia`);
    carol.send('yes, me');
    const said = await bob.waitFor('PRIVMSG');
    assert.deepEqual([said.msg.source?.split('!')[0], ...said.msg.params], ['carol', '#lobby', 'yes, me']);
  });

  test('quits made while it is away are held back and reach the others once it is back, in order', async (t) => {
    const { bus, s } = await nodeOnFaultyLog(t);
    const [alice, bob, watcher] = [await s.register('alice'), await s.register('bob'), await s.register('watcher')];
    await joinAll('#room', alice, bob, watcher);
    const mark = watcher.received.length;

    bus.goDown();
    alice.send('QUIT :first');
    await alice.waitClose();
    bob.send('QUIT :second');
    await bob.waitClose();
    // Held back: the log took nothing yet.
    assert.deepEqual((await linesSince(watcher, mark)).map((r) => r.raw), []);

    bus.comeBack();
    // Sent again within a second of the log's return, in the order they were made.
    const first = await watcher.waitFor('QUIT', 5_000);
    const second = await watcher.waitFor('QUIT', 5_000);
    assert.deepEqual([first.raw, second.raw], [`:${mask('alice')} QUIT :Quit: first`, `:${mask('bob')} QUIT :Quit: second`]);
    assert.equal(s.server.network.userByNick('alice'), undefined);
    assert.equal(s.server.network.userByNick('bob'), undefined);
    // Each once.
    assert.equal((await linesSince(watcher, mark)).filter((r) => r.msg.command === 'QUIT').length, 2);
  });
});

/**
 * A store whose database can be switched off: every asynchronous method then rejects with
 * StoreError STORE_UNAVAILABLE, as PostgresStore does when PostgreSQL is down. appendMessage
 * never fails (PostgresStore queues), flush and close always work (shutdown), and so does
 * mayHaveAccountLike (no query: PostgresStore always says true).
 */
function faultyStore(inner: Store): { store: Store; setDown(down: boolean): void } {
  let down = false;
  const alwaysWorks = new Set<PropertyKey>(['appendMessage', 'flush', 'close', 'mayHaveAccountLike']);
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || alwaysWorks.has(key)) return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        if (down) return Promise.reject(new StoreError('STORE_UNAVAILABLE', 'the database cannot be reached (test: switched off)'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, setDown: (d) => (down = d) };
}

describe('the store unavailable', () => {
  test('SASL PLAIN gets 904 saying so, CHATHISTORY and REGISTER answer FAIL … TEMPORARILY_UNAVAILABLE; the chat goes on', async (t) => {
    const { store, setDown } = faultyStore(new MemoryStore());
    const s = await startServer({ accounts: { passwordCost: 4 } }, { store });
    t.after(() => s.close());
    await addAccount(s, 'dora', 'dora-password');
    const alice = await s.register('alice', ['draft/chathistory', 'batch', 'server-time', 'message-tags']);
    const bob = await s.register('bob');
    await joinAll('#chat', alice, bob);

    setDown(true);
    const dora = await s.connect();
    dora.send('CAP LS 302', 'NICK dora', 'USER dora 0 * :Dora', 'CAP REQ :sasl');
    await dora.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
    dora.send('AUTHENTICATE PLAIN');
    await dora.waitFor((r) => r.msg.command === 'AUTHENTICATE' && r.msg.params[0] === '+');
    dora.send(`AUTHENTICATE ${Buffer.from('\0dora\0dora-password', 'utf8').toString('base64')}`);
    const saslFail = await dora.waitFor('904');
    assert.equal(saslFail.msg.params.at(-1), 'SASL authentication failed: the account database is unavailable right now; try again in a moment');

    alice.send('CHATHISTORY LATEST #chat * 10');
    assert.deepEqual(await failOf(alice, 'CHATHISTORY'), ['CHATHISTORY', 'TEMPORARILY_UNAVAILABLE', DB_DOWN_TEXT]);

    bob.send('REGISTER * * a-long-password');
    const registerFail = await failOf(bob, 'REGISTER');
    assert.deepEqual(registerFail.slice(0, 3), ['REGISTER', 'TEMPORARILY_UNAVAILABLE', 'bob']);

    alice.send('PRIVMSG #chat :still talking');
    assert.equal((await bob.waitFor('PRIVMSG')).raw, `:${mask('alice')} PRIVMSG #chat :still talking`);
    bob.send('PRIVMSG alice :me too');
    assert.deepEqual((await alice.waitFor('PRIVMSG')).msg.params, ['alice', 'me too']);

    // Back: SASL works again.
    setDown(false);
    dora.send('AUTHENTICATE PLAIN');
    await dora.waitFor((r) => r.msg.command === 'AUTHENTICATE' && r.msg.params[0] === '+');
    dora.send(`AUTHENTICATE ${Buffer.from('\0dora\0dora-password', 'utf8').toString('base64')}`);
    await dora.waitFor('903');
  });

  test('bans set and lifted while it is away reach it once it is back, in the order made', async (t) => {
    const { store, setDown } = faultyStore(new MemoryStore());
    const s = await startServer({ opers: [{ name: 'root', password: await hashPassword('s3cret', 4) }] }, { store });
    t.after(() => s.close());
    const op = await s.register('op');
    op.send('OPER root s3cret');
    await op.waitFor('381');
    setDown(true);
    for (const line of ['KLINE 127.0.0.5 :first', 'UNKLINE 127.0.0.5', 'KLINE 127.0.0.6 :second']) {
      op.send(line);
      await op.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]!.startsWith('***'));
    }
    assert.ok(s.server.storeWrites.pending > 0, 'the writes wait');
    setDown(false);
    await s.server.storeWrites.whenIdle();
    // The lifted ban was not written back after its removal: the order held.
    assert.deepEqual((await store.listBans()).map((b) => b.mask), ['127.0.0.6']);
  });
});
