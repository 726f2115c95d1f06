// Hostile use of the IRCv3 commands of issue 16 (REDACT, MARKREAD, BATCH, …) over real
// sockets: what an attacker with a raw socket must not learn or break. Each test names the
// hole it closes (the last one guards an answer: store lookups are paced by flood control).
// The fuzz test (fuzz.test.ts) throws mutated forms of the same commands at the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { is, joinAll, settle } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['draft/message-redaction', 'echo-message', 'message-tags', 'batch', 'server-time', 'labeled-response'];
const HASH = await hashPassword('s3cret', 4);

/** Sends `text` to `target` and returns its msgid, from the echo. */
async function say(c: RawClient, target: string, text: string): Promise<string> {
  c.send(`PRIVMSG ${target} :${text}`);
  const echo = await c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
  const msgid = echo.msg.tags['msgid'];
  assert.ok(msgid, 'the echo has a msgid');
  return msgid;
}

/** The one answer to a labelled line, without its tags. */
async function answer(c: RawClient, label: string, line: string): Promise<string> {
  c.send(`@label=${label} ${line}`);
  const r: Received = await c.waitFor((x) => x.msg.tags['label'] === label);
  return r.raw.replace(/^@\S+ /, '');
}

describe('REDACT on a secret room by someone not in it', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ opers: [{ name: 'root', password: HASH }] });
  });
  after(() => t.close());

  test('is answered as for a room that does not exist, whether the msgid is the room’s or not', async () => {
    const owner = await t.register('owner', CAPS);
    const prober = await t.register('prober', CAPS);
    await joinAll('#hidden', owner);
    owner.send('MODE #hidden +s');
    await owner.waitFor(is('MODE', '#hidden', '+s'));
    const msgid = await say(owner, '#hidden', 'a secret');

    const missing = await answer(prober, 'm1', 'REDACT #nowhere abc');
    const known = await answer(prober, 'm2', `REDACT #hidden ${msgid}`);
    const unknown = await answer(prober, 'm3', 'REDACT #hidden abc');
    assert.match(missing, /^:test\.parlor FAIL REDACT INVALID_TARGET #nowhere :/);
    assert.equal(known, missing.replaceAll('#nowhere', '#hidden'));
    assert.equal(unknown, known);

    // A member is still told the truth, and an IRC operator may still delete.
    await joinAll('#hidden', prober);
    assert.match(await answer(prober, 'm4', `REDACT #hidden ${msgid}`), /FAIL REDACT REDACT_FORBIDDEN /);
    assert.match(await answer(prober, 'm5', 'REDACT #hidden abc'), /FAIL REDACT UNKNOWN_MSGID /);
    const oper = await t.register('root1', CAPS);
    oper.send('OPER root s3cret');
    await oper.waitFor('381');
    oper.send(`REDACT #hidden ${msgid}`);
    await oper.waitFor(is('REDACT', '#hidden', msgid));
    await owner.waitFor(is('REDACT', '#hidden', msgid));
  });
});

describe('REDACT on an invite-only room by someone not in it', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('a msgid of the room is answered as an unknown one: its msgids do not show when it is spoken in', async () => {
    const owner = await t.register('owner', CAPS);
    const prober = await t.register('prober', CAPS);
    await joinAll('#closed', owner);
    owner.send('MODE #closed +i');
    await owner.waitFor(is('MODE', '#closed', '+i'));
    const msgid = await say(owner, '#closed', 'members only');
    const known = await answer(prober, 'k1', `REDACT #closed ${msgid}`);
    const unknown = await answer(prober, 'k2', 'REDACT #closed abc');
    assert.match(unknown, /FAIL REDACT UNKNOWN_MSGID #closed abc :/);
    assert.equal(known, unknown.replace('abc', msgid));
  });
});

for (const kind of ['one node', 'two nodes'] as const) {
  describe(`REDACT of a private message while a stranger sits on the other side’s nick (${kind})`, () => {
    const servers: TestServer[] = [];
    before(async () => {
      if (kind === 'one node') {
        servers.push(await startServer());
        return;
      }
      const bus = new InProcessBus<NetworkEvent>();
      const store = new MemoryStore();
      for (const name of ['a', 'b']) servers.push(await startServer({ server: { name: `${name}.parlor` } }, { bus, nodeId: name, store }));
    });
    after(async () => {
      for (const s of servers) await s.close();
    });

    test('the stranger is not told; the other side’s own connections are, under the conversation’s name', async () => {
      const a = servers[0]!;
      const b = servers.at(-1)!;
      await addAccount(a, 'alice', 'pw-alice-1');
      await addAccount(a, 'bob', 'pw-bob-1');
      const alice = await loginUser(a, 'alice', 'alice', 'pw-alice-1', CAPS);
      const bob = await loginUser(b, 'bob', 'bob', 'pw-bob-1', CAPS);
      const msgid = await say(alice, 'bob', 'for bob only');
      await bob.waitFor(is('PRIVMSG', 'bob', 'for bob only'));
      bob.send('QUIT');
      await bob.waitClose();
      // Within the registered nick's grace period, someone without the account takes it; bob
      // is back under another nick.
      const eve = await b.register('bob', CAPS);
      const bob2 = await loginUser(a, 'bobby', 'bob', 'pw-bob-1', CAPS);
      await settle(alice, eve, bob2);

      alice.send(`REDACT bob ${msgid}`);
      await alice.waitFor(is('REDACT', 'bob', msgid));
      // bob's connection under another nick hears it as its conversation with alice.
      await bob2.waitFor(is('REDACT', 'alice', msgid));
      await settle(alice, eve, bob2);
      assert.deepEqual(eve.drain().filter((r) => r.msg.command === 'REDACT').map((r) => r.raw), []);
    });
  });
}

describe('REDACT storms and flood control', () => {
  /** A store that counts its message lookups. */
  class CountingStore extends MemoryStore {
    lookups = 0;
    override findMessage(msgid: string): ReturnType<MemoryStore['findMessage']> {
      this.lookups++;
      return super.findMessage(msgid);
    }
  }
  const store = new CountingStore();
  let t: TestServer;
  before(async () => {
    t = await startServer({ flood: { burst: 5, commandsPerSecond: 4 } }, { store });
  });
  after(() => t.close());

  test('each REDACT of an unknown msgid is a command: past the burst, the store is asked at the flood rate', async () => {
    const c = await t.register('storm', CAPS);
    await joinAll('#storm', c);
    const before = c.received.length;
    const lookupsBefore = store.lookups;
    const started = Date.now();
    for (let i = 0; i < 40; i++) c.send(`REDACT #storm nosuch${i}`);
    const failed = (n: number) => () => c.since(before).filter((r) => r.msg.command === 'FAIL').length >= n;
    await c.waitFor(failed(3));
    // Tokens refill at 4 a second: ten more answers take more than two seconds, and meanwhile
    // the store saw no lookup beyond one per answer.
    await c.waitFor(failed(13), 10_000);
    assert.ok(Date.now() - started >= 2000, 'the lookups waited their turn');
    const answered = c.since(before).filter((r) => r.msg.command === 'FAIL').length;
    assert.ok(store.lookups - lookupsBefore <= answered + 1, `${store.lookups - lookupsBefore} lookups for ${answered} answers`);
    c.close();
  });
});
