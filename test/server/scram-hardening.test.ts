// SCRAM-SHA-256 against a prober and a flood, without accounts.scramSecret set: the made-up salt
// of an unknown account stays the same across a restart and on every node sharing the store
// (it is kept there, read once per server, and its failure looks like any store failure), so
// that it cannot be told from a real account's; the verifier derived
// after a PLAIN login takes a free hashing slot or waits for the next login, never running
// beside a full queue; chunks of exactly 400 bytes; and the exchange's order (907 after a login).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { base64ToText, textToBase64 } from '../../src/protocol/scram-messages.ts';
import { ScramClientExchange } from '../../src/clients/scram.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SCRAM_SALT_SECRET_NAME, ScramSaltSecret } from '../../src/server/scram-secret.ts';
import { StoreError } from '../../src/storage/errors.ts';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { sharedPostgres } from '../helpers/postgres.ts';
import { addAccount, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import { startParlor, type ParlorProcess } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { challenge, connectSasl, eventually, plainLogin, scramLogin, scramUpToFinal, sendChunks } from './scram-exchange.ts';

/** The salt `server` answers `account` with. */
async function saltFor(server: TestServer, account: string): Promise<string> {
  const probe = await connectSasl(server, 'prober');
  const run = await scramUpToFinal(probe, account, 'a guess');
  probe.close();
  assert.equal(run.afterFinal, 'numeric:904 SASL authentication failed');
  return run.serverFirst!.split(',')[1]!;
}

describe('the made-up salt without accounts.scramSecret', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test('is the same after the server process restarts on the same data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parlor-scram-secret-'));
    dirs.push(dir);
    // Real processes: a secret made per process would differ in the second one.
    const serve = (): Promise<ParlorProcess> => startParlor(dir, ['--no-console', '--data-dir', join(dir, 'data')]);
    const probe = async (p: ParlorProcess, account: string): Promise<string> => {
      const c = await p.connect();
      c.send('CAP LS 302', 'NICK prober', 'USER prober 0 * :prober', 'CAP REQ sasl');
      await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
      const run = await scramUpToFinal(c, account, 'a guess');
      c.close();
      return run.serverFirst!.split(',')[1]!;
    };
    const first = await serve();
    let before: string;
    try {
      before = await probe(first, 'ghost');
      assert.equal(await probe(first, 'GHOST'), before, 'the same name, folded');
      assert.notEqual(await probe(first, 'phantom'), before, 'another name, another salt');
    } finally {
      await first.stop();
    }
    const second = await serve();
    try {
      assert.equal(await probe(second, 'ghost'), before);
    } finally {
      await second.stop();
    }
  });

  test('is the same on two nodes sharing the store, even when both start on an empty one', async (t: TestContext) => {
    const store = new MemoryStore();
    const bus = new InProcessBus<NetworkEvent>();
    const nodes: TestServer[] = [];
    t.after(async () => {
      for (const n of nodes) await n.close();
    });
    for (const nodeId of ['a', 'b']) {
      nodes.push(await startServer({ server: { name: `${nodeId}.parlor` }, accounts: { passwordCost: TEST_PASSWORD_COST } }, { bus, nodeId, store }));
    }
    const [a, b] = nodes as [TestServer, TestServer];
    // Both nodes asked at once, before either has made the secret: after that, they agree.
    await Promise.all([saltFor(a, 'nobody'), saltFor(b, 'nobody')]);
    const fromA = await saltFor(a, 'nobody');
    assert.equal(await saltFor(b, 'nobody'), fromA);
    assert.equal(await saltFor(a, 'nobody'), fromA);
  });

  test('lives among the server secrets: deleting accounts and read-marker limits do not reach it', async () => {
    const store = new MemoryStore();
    const serve = (): Promise<TestServer> => startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store });
    const t = await serve();
    let before: string;
    try {
      before = await saltFor(t, 'ghost');
      const kept = await store.serverSecret(SCRAM_SALT_SECRET_NAME, 'not this one');
      assert.equal(Buffer.from(kept, 'base64').length, 32, '256 random bits');
      for (const name of ['parlor', 'scram']) {
        await addAccount(t, name, 'some password');
        await store.setReadMarker(name, '#room', 1, 1);
        await store.deleteAccount(name);
      }
      assert.equal(await store.serverSecret(SCRAM_SALT_SECRET_NAME, 'not this one'), kept);
    } finally {
      await t.close();
    }
    // A server started afresh reads it again from the store: the same salt.
    const again = await serve();
    try {
      assert.equal(await saltFor(again, 'ghost'), before);
    } finally {
      await again.close();
    }
  });
});

/** A MemoryStore whose serverSecret can be held, or made to fail as an unreachable database does; calls counted. */
class SecretStore extends MemoryStore {
  secretReads = 0;
  accountReads = 0;
  down = false;
  /** While set, serverSecret waits for it. */
  hold: Promise<void> | undefined;

  override async serverSecret(name: string, candidate: string): Promise<string> {
    this.secretReads++;
    await this.hold;
    if (this.down) throw new StoreError('STORE_UNAVAILABLE', 'the database cannot be reached (test: switched off)');
    return super.serverSecret(name, candidate);
  }

  override async getAccount(name: string): ReturnType<MemoryStore['getAccount']> {
    this.accountReads++;
    if (this.down) throw new StoreError('STORE_UNAVAILABLE', 'the database cannot be reached (test: switched off)');
    return super.getAccount(name);
  }
}

describe('the salt secret read from the store', () => {
  test('is read once, beside the account on the first attempt; later attempts read only the account', async (t: TestContext) => {
    const store = new SecretStore();
    const s = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store });
    t.after(() => s.close());
    let release!: () => void;
    store.hold = new Promise<void>((resolve) => (release = resolve));
    const first = saltFor(s, 'ghost');
    // The account is looked up while the secret is still on its way: together, not one after the other.
    await eventually(async () => store.secretReads === 1 && store.accountReads === 1, 'both reads under way');
    release();
    const salt = await first;
    store.hold = undefined;
    assert.equal(await saltFor(s, 'ghost'), salt);
    assert.notEqual(await saltFor(s, 'phantom'), salt);
    assert.equal(store.secretReads, 1, 'no read of the secret after the first');
    assert.equal(store.accountReads, 3);
  });

  test('unavailable: the attempt fails as for a known account whose lookup fails, and the next one reads it again', async (t: TestContext) => {
    const store = new SecretStore();
    const s = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store });
    t.after(() => s.close());
    await addAccount(s, 'dora', 'dora-password');
    const firstAnswer = async (account: string): Promise<string> => {
      const c = await connectSasl(s, 'prober');
      const run = await scramUpToFinal(c, account, 'a guess');
      c.close();
      assert.equal(run.serverFirst, undefined);
      return run.afterFinal;
    };
    const unavailable = 'numeric:904 SASL authentication failed: the account database is unavailable right now; try again in a moment';
    store.down = true;
    assert.equal(await firstAnswer('ghost'), unavailable);
    assert.equal(await firstAnswer('dora'), unavailable);
    store.down = false;
    const salt = await saltFor(s, 'ghost');
    assert.equal(store.secretReads, 3);
    // Known now: a database away again fails the account lookup alone, the same way.
    store.down = true;
    assert.equal(await firstAnswer('ghost'), unavailable);
    assert.equal(store.secretReads, 3);
    store.down = false;
    assert.equal(await saltFor(s, 'ghost'), salt);
  });
});

// The secret through each store of record, as nodes share it: two stores on one database.
const stores: [string, () => Promise<() => Promise<Store>>][] = [
  ['MemoryStore', async () => {
    const store = new MemoryStore();
    return async () => store;
  }],
  ['SqliteStore', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parlor-scram-secret-'));
    scratch.push(dir);
    return async () => new SqliteStore({ path: join(dir, 'parlor.db'), flushIntervalMs: 20 });
  }],
  ['PostgresStore', async () => {
    const url = await (await sharedPostgres()).newDatabase();
    return () => PostgresStore.open({ url });
  }],
];
const scratch: string[] = [];
after(() => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

for (const [kind, database] of stores) {
  test(`the salt secret in ${kind}: made once, the same for every store on the database, and after reopening`, async () => {
    const open = await database();
    const [a, b] = [await open(), await open()];
    const secretOf = (store: Store, configured?: string): Promise<Buffer> => new ScramSaltSecret(store, () => configured).get();
    // Both made at once, on an empty database: they agree at once.
    const [fromA, fromB] = await Promise.all([secretOf(a), secretOf(b)]);
    assert.equal(fromA.length, 32);
    assert.deepEqual(fromB, fromA);
    assert.deepEqual(await secretOf(b), fromA);
    // A configured one wins, and the store is not asked.
    assert.deepEqual(await secretOf(a, 'configured secret!'), Buffer.from('configured secret!'));
    if (kind !== 'MemoryStore') {
      await a.close();
      await b.close();
      const again = await open();
      assert.deepEqual(await secretOf(again), fromA);
      await again.close();
    }
  });
}

describe('the verifier made after a PLAIN login', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST }, auth: { hashConcurrency: 1, hashQueue: 8 } }, { store: new MemoryStore() });
  });
  after(() => t.close());

  test('takes a free hashing slot; with someone waiting for one it is left for the next login', async () => {
    await addAccount(t, 'legacy', 'from before scram');
    const { hashing } = t.server;
    // The one slot held, the login waits behind it, and another job behind the login.
    let releaseFirst!: () => void;
    let releaseSecond!: () => void;
    const first = hashing.run(() => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const c = await connectSasl(t, 'legacy');
    const login = plainLogin(c, 'legacy', 'from before scram');
    await eventually(async () => hashing.load.waiting === 1, 'the login waiting for the slot');
    const second = hashing.run(() => new Promise<void>((resolve) => (releaseSecond = resolve)));
    const started = hashing.started;
    releaseFirst();
    await first;
    // The login's check ran, then handed the slot to the job waiting: no derivation beside it.
    await eventually(async () => hashing.started === started + 2, 'the login and the waiting job started');
    assert.equal(hashing.load.running, 1);
    releaseSecond();
    await second;
    assert.equal(await login, '903');
    await c.sync();
    assert.equal(hashing.started, started + 2, 'no derivation started');
    assert.equal((await t.server.store.getAccount('legacy'))?.scram, undefined);

    // The next login, with the queue idle, makes it; then SCRAM works.
    const d = await connectSasl(t, 'legacy2');
    assert.equal(await plainLogin(d, 'legacy', 'from before scram'), '903');
    await eventually(async () => (await t.server.store.getAccount('legacy'))?.scram !== undefined, 'the verifier saved');
    const e = await connectSasl(t, 'legacy3');
    assert.equal(await scramLogin(e, 'legacy', 'from before scram'), 'legacy');
  });
});

describe('SCRAM exchange edges', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: new MemoryStore() });
    const owner = await t.register('edgy', ['draft/account-registration']);
    owner.send('REGISTER * * :edge of the world');
    await owner.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
    owner.send('QUIT');
    await owner.waitClose();
  });
  after(() => t.close());

  test('a client-first of exactly 400 bytes of base64, then `+`, is one message', async () => {
    const c = await connectSasl(t, 'edgy');
    // A nonce long enough that the client-first's base64 is exactly 400 bytes.
    let nonce = '';
    while (ScramClientExchange.start('edgy', 'edge of the world', nonce + 'n')!.first().length <= 400) nonce += 'n';
    const client = ScramClientExchange.start('edgy', 'edge of the world', nonce)!;
    assert.equal(client.first().length, 400);
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.equal(await challenge(c), '');
    const mark = c.received.length;
    sendChunks(c, client.first());
    const serverFirst = await challenge(c);
    assert.ok(base64ToText(serverFirst)!.startsWith(`r=${nonce}`), serverFirst);
    const final = await client.final(serverFirst);
    sendChunks(c, final);
    assert.match(base64ToText(await challenge(c))!, /^v=/);
    c.send('AUTHENTICATE +');
    await c.waitFor('903');
    // The server's first answer came in one piece: no 904 before it.
    assert.ok(!c.since(mark).some((r) => r.msg.command === '904'));
  });

  test('after a login, a new exchange is refused with 907; a mechanism name in mid-exchange is data, and fails', async () => {
    const c = await connectSasl(t, 'edgy2');
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.equal(await challenge(c), '');
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.equal(await challenge(c), 'numeric:904 SASL authentication failed');
    assert.equal(await scramLogin(c, 'edgy', 'edge of the world'), 'edgy');
    c.send('AUTHENTICATE SCRAM-SHA-256');
    assert.equal((await c.waitFor('907')).msg.params.at(-1), 'You have already authenticated using SASL');
    c.send(`AUTHENTICATE ${textToBase64('n,,n=edgy,r=again')}`);
    assert.equal((await c.waitFor('907')).msg.command, '907');
  });
});
