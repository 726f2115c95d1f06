// SqliteStore beyond the shared contract: schema migrations from the first schema, WAL,
// durability (close/reopen, flush, kill -9), batching of writes, and clear errors on bad files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from '../../src/storage/sqlite-driver.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../src/storage/migrations.ts';
import { targetsQuery } from '../../src/storage/sqlite-db.ts';
import { DEFAULT_MAX_BATCH, SqliteStore, type FlushInfo } from '../../src/storage/sqlite-store.ts';
import { conversationKey, type StoredMessage } from '../../src/storage/store.ts';

const T = 1_700_000_000_000;
let dir = '';
let files = 0;
const freshPath = (): string => join(dir, `db-${++files}.sqlite`);

function message(n: number, target = '#room', extra: Partial<StoredMessage> = {}): StoredMessage {
  return { msgid: `m${n}`, target, time: T + n, source: 'alice!a@host', command: 'PRIVMSG', text: `text ${n} 你好`, ...extra };
}

/** Rows as another connection (another process) would see them on disk. */
function msgidsOnDisk(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT msgid FROM messages ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** A promise for the next flush of a store created with `onFlush: next.callback`. */
function flushWatcher(): { callback: (info: FlushInfo) => void; next: () => Promise<FlushInfo> } {
  let waiting: ((info: FlushInfo) => void) | undefined;
  return {
    callback: (info) => waiting?.(info),
    next: () => new Promise((resolve) => (waiting = resolve)),
  };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parlor-sqlite-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('schema migrations', () => {
  test('are numbered 1, 2, … in order', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
  });

  test('a database of the first schema opens with its history intact and gains the new tables', async () => {
    const path = freshPath();
    const old = new Database(path);
    assert.equal(migrate(old, MIGRATIONS.slice(0, 1)), 1);
    const insert = old.prepare('INSERT INTO messages (msgid, target, time, source, command, text) VALUES (?, ?, ?, ?, ?, ?)');
    const dm = conversationKey('alice', 'bob');
    insert.run('old1', '#room', T + 1, 'alice!a@host', 'PRIVMSG', 'before the upgrade 你好');
    insert.run('old2', dm, T + 2, 'bob!b@host', 'NOTICE', 'private');
    insert.run('old3', '#room', T + 3, 'carol!c@host', 'PRIVMSG', 'second');
    old.close();

    const store = new SqliteStore({ path });
    try {
      assert.deepEqual(await store.latest('#room', 10), [
        { msgid: 'old1', target: '#room', time: T + 1, source: 'alice!a@host', command: 'PRIVMSG', text: 'before the upgrade 你好' },
        { msgid: 'old3', target: '#room', time: T + 3, source: 'carol!c@host', command: 'PRIVMSG', text: 'second' },
      ]);
      // A private line keyed by nicks, its sender's account unknown: nobody can be shown to own
      // it, so schema 3 dropped it (see the v2 → v3 test below).
      assert.deepEqual(await store.after(dm, { time: T }, 10), []);
      assert.deepEqual(await store.targets('bob', [], T, T + 10, 10), []);
      assert.deepEqual(await store.targets('alice', ['#room'], T, T + 10, 10), [{ target: '#room', latest: T + 3 }]);
      // New columns and tables work.
      store.appendMessage(message(4, '#room', { account: 'Alice', tags: { '+draft/reply': 'old1' } }));
      assert.deepEqual((await store.latest('#room', 1))[0], message(4, '#room', { account: 'Alice', tags: { '+draft/reply': 'old1' } }));
      assert.equal(await store.createAccount({ name: 'Alice', passwordHash: 'h', createdAt: T, verified: true, suspended: false }), true);
      await store.saveChannel({ name: '#Room', founder: 'Alice', registeredAt: T, topic: '', topicSetBy: '', topicSetAt: 0, modes: 'nt', bans: [], operators: ['Alice'] });
      await store.saveBan({ list: 'ban', kind: 'cidr', mask: '192.0.2.0/24', reason: 'spam', setBy: 'oper', setAt: T });
      assert.equal((await store.getAccount('alice'))?.name, 'Alice');
      assert.equal((await store.getChannel('#room'))?.founder, 'Alice');
      assert.equal((await store.listBans()).length, 1);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });

  test('a database of schema 3 gains account skeletons, filled in for the accounts it has', async () => {
    const path = freshPath();
    const old = new Database(path);
    assert.equal(migrate(old, MIGRATIONS.slice(0, 3)), 3);
    const insert = old.prepare('INSERT INTO accounts (name_key, name, password_hash, created_at, verified) VALUES (?, ?, ?, ?, 1)');
    insert.run('boss', 'boss', 'h', T);
    insert.run('alice', 'Alice', 'h', T);
    old.close();

    const store = new SqliteStore({ path });
    try {
      // "ВОЅЅ" (Cyrillic) looks like boss; "aⅼice" (a Roman numeral fifty) like Alice.
      assert.deepEqual((await store.accountsLike('\u0412\u041e\u0405\u0405')).map((a) => a.name), ['boss']);
      assert.deepEqual((await store.accountsLike('a\u217cice')).map((a) => a.name), ['Alice']);
      assert.equal(await store.createAccount({ name: 'b0ss', passwordHash: 'h', createdAt: T, verified: true, suspended: false }), true);
      assert.deepEqual((await store.accountsLike('BOSS')).map((a) => a.name), ['b0ss', 'boss']);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    assert.deepEqual(db.prepare('SELECT name, skeleton FROM accounts ORDER BY name_key').all(), [
      { name: 'Alice', skeleton: 'alice' },
      { name: 'b0ss', skeleton: 'boss' },
      { name: 'boss', skeleton: 'boss' },
    ]);
    db.close();
  });

  test('a database newer than the code is refused with a clear error', async () => {
    const path = freshPath();
    await new SqliteStore({ path }).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => new SqliteStore({ path }), /cannot open the database .*schema version \d+, newer than this version of Parlor/);
  });
});

const ids = (list: StoredMessage[]): string[] => list.map((m) => m.msgid);

describe('query plans', () => {
  test('CHATHISTORY TARGETS seeks each conversation’s newest message in an index; neither table is scanned', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    // Enough conversations and messages that the statistics close() gathers (PRAGMA optimize)
    // make the planner choose as it would on a real server.
    for (let i = 0; i < 2000; i++) {
      store.appendMessage(message(2 * i, `#room${i % 300}`));
      store.appendMessage(message(2 * i + 1, conversationKey(`user${i % 200}`, `user${(i * 7) % 200}`)));
    }
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      for (const ascending of [true, false]) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${targetsQuery(ascending)}`).all('user1', 'user1', '["#room1","#room2"]', 0, T * 2, 10) as { detail: string }[]).map((r) => r.detail);
        const text = plan.join('\n');
        assert.ok(!plan.some((d) => /^SCAN (messages|m|conversations|c)\b/.test(d)), text);
        assert.ok(plan.includes('SEARCH m USING COVERING INDEX messages_target_time (target=?)'), text);
        assert.equal(plan.filter((d) => d.startsWith('SEARCH m ')).length, 1, `one seek per conversation:\n${text}`);
      }
    } finally {
      db.close();
    }
  });
});

describe('opening', () => {
  test('the database is in WAL mode, in a directory created for it', async () => {
    const path = join(dir, 'nested', 'deeper', 'parlor.db');
    const store = new SqliteStore({ path });
    store.appendMessage(message(1));
    await store.flush();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    await store.close();
  });

  test('a file that is not a database gives a clear error', () => {
    const path = freshPath();
    writeFileSync(path, 'this is not a SQLite database\n'.repeat(200));
    assert.throws(
      () => new SqliteStore({ path }),
      (err: Error) => err.message.startsWith(`cannot open the database ${path}: `) && /not a (SQLite )?database/.test(err.message),
    );
  });

  test('an unusable path gives a clear error', () => {
    const file = freshPath();
    writeFileSync(file, 'a plain file');
    const path = join(file, 'parlor.db'); // a "directory" that is a file
    assert.throws(() => new SqliteStore({ path }), (err: Error) => err.message.startsWith(`cannot open the database ${path}: `) && /is not a directory|ENOTDIR/.test(err.message));
  });
});

describe('durability', () => {
  test('everything survives close and reopen', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    for (let i = 1; i <= 5; i++) first.appendMessage(message(i));
    first.appendMessage(message(6, conversationKey('alice', 'bob'), { account: 'Alice', tags: { '+draft/react': '👍' } }));
    await first.createAccount({ name: 'Alice', passwordHash: 'h', email: 'a@example.org', createdAt: T, verified: true, suspended: false });
    await first.saveChannel({ name: '#中文', founder: 'Alice', registeredAt: T, topic: '话题', topicSetBy: 'alice', topicSetAt: T, modes: 'ntk', key: 'k', bans: [{ mask: 'x!*@*', setBy: 'alice', setAt: T }], operators: ['Alice'] });
    await first.saveBan({ list: 'mute', kind: 'mask', mask: 'loud!*@*', reason: 'flood', setBy: 'oper', setAt: T, expiresAt: T + 60_000 });
    // No flush(): close() writes what is queued.
    await first.close();

    const second = new SqliteStore({ path });
    try {
      assert.deepEqual(ids(await second.latest('#room', 10)), ['m1', 'm2', 'm3', 'm4', 'm5']);
      assert.deepEqual(await second.latest(conversationKey('bob', 'alice'), 10), [message(6, conversationKey('alice', 'bob'), { account: 'Alice', tags: { '+draft/react': '👍' } })]);
      assert.equal((await second.getAccount('ALICE'))?.email, 'a@example.org');
      assert.equal((await second.getChannel('#中文'))?.topic, '话题');
      assert.equal((await second.listBans())[0]?.expiresAt, T + 60_000);
      // Insertion order continues after the reopen for messages of the same millisecond.
      second.appendMessage(message(7, '#room', { time: T + 5 }));
      assert.deepEqual(ids(await second.after('#room', { msgid: 'm4' }, 10)), ['m5', 'm7']);
    } finally {
      await second.close();
    }
  });

  test('a message is on disk once flush() resolves, not before', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, flushIntervalMs: 60_000 });
    store.appendMessage(message(0)); // creates the file's contents
    await store.flush();
    store.appendMessage(message(1));
    assert.deepEqual(msgidsOnDisk(path), ['m0']);
    assert.equal(store.queued, 1);
    await store.flush();
    assert.deepEqual(msgidsOnDisk(path), ['m0', 'm1']);
    assert.equal(store.queued, 0);
    await store.close();
  });

  test('kill -9: every message accepted more than a second before the kill is in history', { timeout: 60_000 }, async () => {
    const path = freshPath();
    const fixture = fileURLToPath(new URL('./fixtures/append-loop.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    const accepted: { n: number; at: number }[] = [];
    let flushed = 0;
    let killedAt = 0;
    const lines = createInterface({ input: child.stdout });
    const done = new Promise<void>((resolve) => lines.on('close', resolve));
    lines.on('line', (line) => {
      const [kind, n, at] = line.split(' ');
      if (kind === 'A') accepted.push({ n: Number(n), at: Number(at) });
      if (kind === 'F') flushed = Math.max(flushed, Number(n));
      // Kill once it has been accepting messages for 1.5 s.
      if (killedAt === 0 && accepted.length > 0 && accepted[accepted.length - 1]!.at - accepted[0]!.at >= 1500) {
        killedAt = Date.now();
        child.kill('SIGKILL');
      }
    });
    await done;
    assert.equal(await exited, 'SIGKILL', `the child ended on its own: ${stderr}`);

    let mustHave = 0;
    for (const a of accepted) if (a.at <= killedAt - 1000) mustHave = Math.max(mustHave, a.n);
    assert.ok(mustHave > 0, 'messages were accepted more than a second before the kill');
    const need = Math.max(mustHave, flushed);

    const db = new Database(path);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const stored = new Set(db.prepare('SELECT msgid FROM messages').pluck().all() as string[]);
    db.close();
    const missing: string[] = [];
    for (let n = 1; n <= need && missing.length < 5; n++) if (!stored.has(`m${n}`)) missing.push(`m${n}`);
    assert.deepEqual(missing, [], `of m1…m${need} (${mustHave} accepted >1 s before the kill, ${flushed} reported flushed), ${stored.size} stored`);

    // Read back through the store too. The child may have committed a batch past `need` whose F
    // line it never wrote (the writer thread's commit reaches its main thread a moment later), so
    // ask for the message just after m(need-1), not the newest.
    const store = new SqliteStore({ path });
    assert.equal((await store.after('#load', { msgid: `m${need - 1}` }, 1))[0]?.msgid, `m${need}`);
    await store.close();
  });
});

describe('batched writes', () => {
  test('many appends in one turn are written in one transaction', async () => {
    const store = new SqliteStore({ path: freshPath(), flushIntervalMs: 60_000 });
    try {
      const before = { ...store.stats };
      for (let i = 1; i <= 500; i++) store.appendMessage(message(i));
      assert.equal(store.stats.transactions, before.transactions, 'nothing is written while appending');
      await store.flush();
      assert.equal(store.stats.transactions - before.transactions, 1);
      assert.equal(store.stats.messagesWritten - before.messagesWritten, 500);
      assert.equal((await store.latest('#room', 1000)).length, 500);
    } finally {
      await store.close();
    }
  });

  test('the timer writes queued messages within flushIntervalMs, without flush()', async () => {
    const watcher = flushWatcher();
    const path = freshPath();
    const store = new SqliteStore({ path, flushIntervalMs: 50, onFlush: watcher.callback });
    try {
      await store.ready(); // the writer thread started, as `parlor serve` waits for it
      const flushed = watcher.next();
      const started = Date.now();
      for (let i = 1; i <= 3; i++) store.appendMessage(message(i));
      const info = await flushed;
      const elapsed = Date.now() - started;
      assert.equal(info.messages, 3);
      // Without the timer nothing is written until flush(); the upper bound leaves room for a loaded machine.
      assert.ok(elapsed >= 40 && elapsed < 10_000, `written after ${elapsed} ms`);
      assert.deepEqual(msgidsOnDisk(path), ['m1', 'm2', 'm3']);
      assert.equal(store.stats.transactions, 1);
    } finally {
      await store.close();
    }
  });

  test('reaching maxBatch writes on the next turn, in transactions of maxBatch messages', async () => {
    const path = freshPath();
    const sizes: number[] = [];
    let allWritten: () => void = () => {};
    const written = new Promise<void>((resolve) => (allWritten = resolve));
    const onFlush = (info: FlushInfo): void => {
      sizes.push(info.messages);
      if (sizes.reduce((a, b) => a + b, 0) === 250) allWritten();
    };
    const store = new SqliteStore({ path, flushIntervalMs: 60_000, maxBatch: 100, onFlush });
    try {
      for (let i = 1; i <= 250; i++) store.appendMessage(message(i));
      assert.equal(store.stats.transactions, 0);
      await written; // without flush(): the writes follow each other, the timer is a minute away
      assert.deepEqual(sizes, [100, 100, 50]);
      assert.equal(store.stats.transactions, 3);
      assert.deepEqual(msgidsOnDisk(path), Array.from({ length: 250 }, (_, i) => `m${i + 1}`));
    } finally {
      await store.close();
    }
  });

  test('by default, a load writes DEFAULT_MAX_BATCH (4000) messages per transaction', async () => {
    // Bigger commits cost the writer thread less a message (bench/privmsg-micro.ts --accounts).
    assert.equal(DEFAULT_MAX_BATCH, 4000);
    const sizes: number[] = [];
    const store = new SqliteStore({ path: freshPath(), flushIntervalMs: 60_000, onFlush: (info) => sizes.push(info.messages) });
    try {
      for (let i = 1; i <= DEFAULT_MAX_BATCH + 10; i++) store.appendMessage(message(i));
      await store.flush();
      assert.deepEqual(sizes, [DEFAULT_MAX_BATCH, 10]);
    } finally {
      await store.close();
    }
  });

  test('purge and prune work through more rows than one delete chunk', async () => {
    const store = new SqliteStore({ path: freshPath() });
    try {
      for (let i = 1; i <= 5000; i++) store.appendMessage(message(i));
      for (let i = 1; i <= 4500; i++) store.appendMessage(message(10_000 + i, '#big'));
      assert.equal(await store.prune(T + 1001, 1000), 1000 + 3000 + 3500);
      assert.deepEqual(ids(await store.latest('#room', 1)), ['m5000']);
      assert.equal((await store.before('#room', { msgid: 'm5000' }, 10_000)).length, 999);
      assert.equal(await store.purge('#room'), 1000);
      assert.equal((await store.latest('#big', 10_000)).length, 1000);
    } finally {
      await store.close();
    }
  });

  test('close() checkpoints and leaves no WAL behind', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    for (let i = 1; i <= 2000; i++) store.appendMessage(message(i));
    await store.flush();
    assert.ok(existsSync(`${path}-wal`));
    await store.close();
    assert.equal(existsSync(`${path}-wal`), false);
    assert.equal(msgidsOnDisk(path).length, 2000);
  });

  test('appends after close are dropped and counted', async () => {
    const store = new SqliteStore({ path: freshPath() });
    await store.close();
    store.appendMessage(message(1));
    assert.equal(store.stats.dropped, 1);
    await store.close(); // twice is harmless
  });
});
