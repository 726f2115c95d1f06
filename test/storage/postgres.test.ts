// PostgresStore beyond the Store contract: migrations (from an old schema with data, nodes
// starting together, a newer schema refused), unique constraints as the authority between
// nodes, the direct idempotent batch write, and a database that goes away and comes back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { StoreError } from '../../src/storage/errors.ts';
import { batchParams, INSERT_BATCH } from '../../src/storage/postgres-history.ts';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../../src/storage/postgres-schema.ts';
import { PostgresStore, type PostgresStoreOptions } from '../../src/storage/postgres-store.ts';
import { conversationKey, type StoredMessage } from '../../src/storage/store.ts';
import { sharedPostgres, startPostgres, type PostgresServer } from '../helpers/postgres.ts';

const T = 1_700_000_000_000;

function message(n: number, target = '#room', time = T + n * 1000): StoredMessage {
  return { msgid: `m${n}`, target, time, source: 'alice!a@host', command: 'PRIVMSG', text: `text ${n} 你好` };
}

const ids = (list: StoredMessage[]): string[] => list.map((m) => m.msgid);

async function freshDatabase(): Promise<string> {
  return (await sharedPostgres()).newDatabase();
}

async function sql<Row extends object>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function schemaVersions(url: string): Promise<number[]> {
  return (await sql<{ version: number }>(url, 'SELECT version FROM parlor_schema ORDER BY version')).map((r) => r.version);
}

function isStoreError(code: StoreError['code']) {
  return (err: unknown): boolean => err instanceof StoreError && err.code === code;
}

/** Resolves with the next error the store reports in the background. */
function nextError(errors: { waiters: ((err: unknown) => void)[] }): Promise<unknown> {
  return new Promise((resolve) => errors.waiters.push(resolve));
}

function errorSink(): { waiters: ((err: unknown) => void)[]; seen: unknown[]; onError: (err: unknown) => void } {
  const sink = {
    waiters: [] as ((err: unknown) => void)[],
    seen: [] as unknown[],
    onError: (err: unknown) => {
      sink.seen.push(err);
      for (const w of sink.waiters.splice(0)) w(err);
    },
  };
  return sink;
}

describe('PostgresStore migrations', () => {
  test('a database at version 1 with data is brought to the latest, its data kept and usable', async () => {
    const url = await freshDatabase();
    const ab = conversationKey('alice', 'bob');
    const old = await PostgresStore.open({ url, migrations: POSTGRES_MIGRATIONS.slice(0, 1) });
    try {
      // Messages as version 1 wrote them (this code's writeMessages also reads a later table).
      await sql(url, INSERT_BATCH, batchParams([message(1), message(2, ab, T + 2000), message(3, conversationKey('bob', 'carol'), T + 3000)]));
      // Accounts as version 1 wrote them (this code's createAccount fills in a later column).
      for (const name of ['Alice', 'boss']) {
        await sql(url, 'INSERT INTO accounts (name_key, name, password_hash, created_at, verified, suspended) VALUES ($1, $2, $3, $4, true, false)', [name.toLowerCase(), name, 'h', T]);
      }
      await old.saveBan({ list: 'ban', kind: 'mask', mask: '*!*@evil', reason: 'r', setBy: 'oper', setAt: T });
    } finally {
      await old.close();
    }
    assert.deepEqual(await schemaVersions(url), [1]);

    const store = await PostgresStore.open({ url });
    try {
      assert.deepEqual(await schemaVersions(url), POSTGRES_MIGRATIONS.map((m) => m.version));
      assert.equal(POSTGRES_SCHEMA_VERSION, 4);
      assert.deepEqual(ids(await store.latest('#room', 10)), ['m1']);
      assert.deepEqual(ids(await store.latest(ab, 10)), ['m2']);
      // Migration 2 indexes old rows too: bob is the second side of alice<NUL>bob.
      assert.deepEqual(await store.targets('bob', ['#room'], 0, T * 2, 10), [
        { target: '#room', latest: T + 1000 },
        { target: ab, latest: T + 2000 },
        { target: conversationKey('bob', 'carol'), latest: T + 3000 },
      ]);
      assert.equal((await store.getAccount('ALICE'))?.verified, true);
      // Migration 3 gave the accounts already there their skeletons: "ВОЅЅ" looks like boss.
      assert.deepEqual((await store.accountsLike('\u0412\u041e\u0405\u0405')).map((a) => a.name), ['boss']);
      assert.deepEqual((await store.accountsLike('a\u217cice')).map((a) => a.name), ['Alice']);
      assert.equal((await store.listBans()).length, 1);
      assert.equal(await store.createAccount({ name: 'alice', passwordHash: 'x', createdAt: T, verified: false, suspended: false }), false);
    } finally {
      await store.close();
    }
  });

  test('two nodes migrating one fresh database at once both succeed, each migration applied once', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url }), PostgresStore.open({ url })]);
    try {
      assert.deepEqual(await schemaVersions(url), POSTGRES_MIGRATIONS.map((m) => m.version));
      await stores[0]!.writeMessages([message(1)]);
      assert.deepEqual(ids(await stores[2]!.latest('#room', 10)), ['m1']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('a database with a newer schema is refused with SCHEMA_TOO_NEW naming both versions', async () => {
    const url = await freshDatabase();
    await (await PostgresStore.open({ url })).close();
    await sql(url, "INSERT INTO parlor_schema (version, description) VALUES (99, 'from the future')");
    await assert.rejects(PostgresStore.open({ url }), (err: unknown) => {
      assert.ok(isStoreError('SCHEMA_TOO_NEW')(err), String(err));
      assert.match((err as Error).message, /schema version 99/);
      assert.match((err as Error).message, new RegExp(`\\(${POSTGRES_SCHEMA_VERSION}\\)`));
      return true;
    });
    // Nothing was changed by the refusal.
    assert.deepEqual(await schemaVersions(url), [...POSTGRES_MIGRATIONS.map((m) => m.version), 99]);
  });
});

describe('PostgresStore between nodes', () => {
  test('createAccount racing on two stores: the unique constraint lets exactly one win', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url })]);
    try {
      const names = Array.from({ length: 20 }, (_, i) => `User${i}`);
      const results = await Promise.all(
        names.flatMap((name) => [
          a.createAccount({ name, passwordHash: 'a', createdAt: T, verified: false, suspended: false }),
          b.createAccount({ name: name.toLowerCase(), passwordHash: 'b', createdAt: T, verified: false, suspended: false }),
        ]),
      );
      for (let i = 0; i < names.length; i++) {
        assert.equal([results[2 * i], results[2 * i + 1]].filter(Boolean).length, 1, names[i]);
      }
      assert.equal((await a.listAccounts()).length, names.length);
      // No cache: what one node created, the other sees at once, and the name stays taken.
      assert.ok(await b.getAccount('user3'));
      assert.equal(await b.deleteAccount('USER3'), true);
      assert.equal(await a.getAccount('user3'), undefined);
      assert.equal(await a.createAccount({ name: 'user3', passwordHash: 'a', createdAt: T, verified: false, suspended: false }), true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('writeMessages is idempotent on msgid: the same batch twice is stored once, in order', async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open({ url });
    try {
      const batch = [message(3), message(1), message(2), { ...message(1), text: 'a duplicate in the batch' }];
      await store.writeMessages(batch);
      await store.writeMessages(batch);
      await store.writeMessages([]);
      assert.deepEqual(await store.latest('#room', 10), [message(1), message(2), message(3)]);
      assert.deepEqual(await sql(url, 'SELECT count(*)::int AS count FROM messages'), [{ count: 3 }]);
    } finally {
      await store.close();
    }
  });

  test('purge, prune and forgetAccount get through more rows than one delete chunk', async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open({ url, maxBatch: 1000 });
    try {
      const ab = conversationKey('alice', 'bob');
      const many = (prefix: string, target: string, count: number): StoredMessage[] =>
        Array.from({ length: count }, (_, i) => ({ ...message(i, target, T + i), msgid: `${prefix}${i}` }));
      for (const m of [...many('r', '#room', 4500), ...many('o', '#other', 4500), ...many('p', ab, 2500)]) store.appendMessage(m);
      assert.equal(await store.prune(0, 100), 4400 + 4400 + 2400);
      assert.deepEqual(ids(await store.latest('#room', 1)), ['r4499']);
      assert.equal((await store.latest('#other', 1000)).length, 100);
      assert.equal(await store.purge('#room'), 100);
      assert.equal(await store.forgetAccount('bob'), 100);
      await store.writeMessages(many('q', '#other', 2100));
      assert.equal(await store.prune(T + 2050, Infinity), 2050);
      assert.deepEqual(await store.targets('alice', ['#room', '#other'], 0, T * 2, 10), [{ target: '#other', latest: T + 4499 }]);
    } finally {
      await store.close();
    }
  });

  test('a NUL in a message does not hold up its batch', async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open({ url });
    try {
      store.appendMessage({ ...message(1), text: 'bad\u0000text' });
      store.appendMessage(message(2));
      assert.deepEqual(ids(await store.latest('#room', 10)), ['m1', 'm2']);
      assert.equal((await store.latest('#room', 1, { msgid: 'm1' }))[0]?.msgid, 'm2');
      assert.equal((await store.latest('#room', 10))[0]?.text, 'bad\uFFFDtext');
    } finally {
      await store.close();
    }
  });

  test('close() writes the queue, then later appends are dropped', async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open({ url, flushIntervalMs: 60_000 });
    store.appendMessage(message(1));
    await store.close();
    store.appendMessage(message(2));
    assert.equal(store.stats.dropped, 1);
    const reopened = await PostgresStore.open({ url });
    try {
      assert.deepEqual(ids(await reopened.latest('#room', 10)), ['m1']);
    } finally {
      await reopened.close();
    }
  });

  test('a statement that outlives statementTimeoutMs rejects with STORE_UNAVAILABLE', async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open({ url, statementTimeoutMs: 300 });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      await assert.rejects(store.getAccount('alice'), isStoreError('STORE_UNAVAILABLE'));
      // Below the default (5 s): the option acted; without it the lock would hold the call for good.
      assert.ok(Date.now() - started < 4500, `took ${Date.now() - started} ms`);
      await locker.query('ROLLBACK');
      assert.equal(await store.getAccount('alice'), undefined);
    } finally {
      await locker.end();
      await store.close();
    }
  });
});

describe('PostgresStore while the database is down', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.close());

  async function openStore(extra: Partial<PostgresStoreOptions> = {}): Promise<{ store: PostgresStore; errors: ReturnType<typeof errorSink> }> {
    const errors = errorSink();
    const store = await PostgresStore.open({ url: await server.newDatabase(), flushIntervalMs: 20, connectTimeoutMs: 1000, onError: errors.onError, ...extra });
    return { store, errors };
  }

  test('calls reject STORE_UNAVAILABLE quickly, appends keep queuing, and flush drains once it is back', async () => {
    const { store, errors } = await openStore();
    try {
      store.appendMessage(message(1));
      await store.flush();
      await server.stop();

      const started = Date.now();
      await assert.rejects(store.getAccount('alice'), isStoreError('STORE_UNAVAILABLE'));
      assert.ok(Date.now() - started < 1000 + 1000, `took ${Date.now() - started} ms`);
      await assert.rejects(store.createAccount({ name: 'bob', passwordHash: 'h', createdAt: T, verified: false, suspended: false }), isStoreError('STORE_UNAVAILABLE'));
      await assert.rejects(store.writeMessages([message(50)]), isStoreError('STORE_UNAVAILABLE'));
      await assert.rejects(store.latest('#room', 10), isStoreError('STORE_UNAVAILABLE'));

      const failedWrite = nextError(errors);
      for (let i = 2; i <= 40; i++) store.appendMessage(message(i));
      assert.ok(isStoreError('STORE_UNAVAILABLE')(await failedWrite));
      assert.equal(store.queued, 39);
      await assert.rejects(store.flush(), isStoreError('STORE_UNAVAILABLE'));
      assert.equal(store.queued, 39);

      await server.start();
      await store.flush();
      assert.equal(store.queued, 0);
      assert.deepEqual(ids(await store.latest('#room', 100)), Array.from({ length: 40 }, (_, i) => `m${i + 1}`));
      assert.equal(store.stats.dropped, 0);
    } finally {
      await store.close();
    }
  });

  test('the queue keeps at most maxQueued while down: the oldest go, onError is told once', async () => {
    const { store, errors } = await openStore({ maxBatch: 5, maxQueued: 10, flushIntervalMs: 60_000 });
    try {
      await server.stop();
      for (let i = 1; i <= 25; i++) store.appendMessage(message(i));
      assert.equal(store.queued, 10);
      assert.equal(store.stats.dropped, 15);
      const full = errors.seen.filter((e) => e instanceof StoreError && /dropping the oldest/.test(e.message));
      assert.equal(full.length, 1);
      await server.start();
      await store.flush();
      assert.deepEqual(ids(await store.latest('#room', 100)), Array.from({ length: 10 }, (_, i) => `m${i + 16}`));
    } finally {
      await store.close();
    }
  });

  test('opening against a stopped server rejects STORE_UNAVAILABLE', async () => {
    const url = await server.newDatabase();
    await server.stop();
    try {
      await assert.rejects(PostgresStore.open({ url, connectTimeoutMs: 1000 }), isStoreError('STORE_UNAVAILABLE'));
    } finally {
      await server.start();
    }
  });
});
