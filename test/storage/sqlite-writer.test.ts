// SqliteStore's message writes on a worker thread (sqlite-writer.ts, sqlite-message-queue.ts):
// reads see what was appended before them, a failed batch or a dead thread loses nothing,
// close() drains the thread, and the event loop keeps turning while a batch is committed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/storage/sqlite-driver.js';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { WorkerWriter, WriterThreadError, writerThreadArgv } from '../../src/storage/sqlite-writer.ts';
import { conversationKey, type StoredMessage } from '../../src/storage/store.ts';

const T = 1_700_000_000_000;
let dir = '';
let files = 0;
const freshPath = (): string => join(dir, `db-${++files}.sqlite`);

function message(n: number, target = '#room', extra: Partial<StoredMessage> = {}): StoredMessage {
  return { msgid: `m${n}`, target, time: T + n, source: 'alice!a@host', command: 'PRIVMSG', text: `text ${n} 你好`, ...extra };
}

function countOnDisk(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  } finally {
    db.close();
  }
}

function writerThread(store: SqliteStore) {
  assert.ok(store.writer instanceof WorkerWriter, 'the default writer is the worker thread');
  return store.writer.thread;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'parlor-sqlite-writer-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite writer thread', () => {
  test('queries see the messages appended just before them', async () => {
    const store = new SqliteStore({ path: freshPath(), flushIntervalMs: 60_000 });
    try {
      assert.ok(writerThread(store));
      const dm = conversationKey('alice', 'bob');
      for (let i = 1; i <= 300; i++) store.appendMessage(message(i));
      store.appendMessage(message(301, dm, { account: 'alice' }));
      assert.equal(store.queued, 301);
      assert.deepEqual(
        (await store.latest('#room', 2)).map((m) => m.msgid),
        ['m299', 'm300'],
      );
      store.appendMessage(message(302));
      assert.equal((await store.findMessage('m302'))?.text, 'text 302 你好');
      store.appendMessage(message(303, dm, { account: 'bob' }));
      assert.deepEqual(await store.targets('bob', [], T, T + 1000, 10), [{ target: dm, latest: T + 303 }]);
      assert.equal(store.queued, 0);
    } finally {
      await store.close();
    }
  });

  test('a failed batch stays queued, is reported, and is written once the disk accepts it', async () => {
    const path = freshPath();
    const errors: unknown[] = [];
    let reported: () => void = () => {};
    const firstError = new Promise<void>((resolve) => (reported = resolve));
    const store = new SqliteStore({
      path,
      flushIntervalMs: 20,
      onError: (err) => {
        errors.push(err);
        reported();
      },
    });
    const other = new Database(path);
    try {
      store.appendMessage(message(0));
      await store.flush(); // the file has its tables
      other.exec("CREATE TRIGGER refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'the disk says no'); END");
      for (let i = 1; i <= 3; i++) store.appendMessage(message(i));
      await firstError; // the timer's write
      assert.match(String(errors[0]), /the disk says no/);
      assert.equal(store.queued, 3);
      await assert.rejects(store.flush(), /the disk says no/);
      assert.equal(store.queued, 3);
      other.exec('DROP TRIGGER refuse');
      await store.flush();
      assert.equal(store.queued, 0);
      assert.deepEqual(
        (await store.latest('#room', 10)).map((m) => m.msgid),
        ['m0', 'm1', 'm2', 'm3'],
      );
      assert.ok(store.stats.errors >= 2);
      assert.equal(store.stats.dropped, 0);
    } finally {
      other.close();
      await store.close();
    }
  });

  test('a writer thread that dies is replaced, and no message is lost', async () => {
    const path = freshPath();
    const errors: unknown[] = [];
    const store = new SqliteStore({ path, flushIntervalMs: 60_000, onError: (err) => errors.push(err) });
    const other = new Database(path);
    try {
      const first = writerThread(store)!;
      for (let i = 1; i <= 500; i++) store.appendMessage(message(i));
      // Another connection holds the write lock, so the batch is still in the thread's hands
      // (waiting on busy_timeout) when the thread is stopped.
      other.exec('BEGIN IMMEDIATE');
      const flushed = store.flush().then(
        () => 'written',
        (err: unknown) => err,
      );
      const stopped = first.terminate();
      other.exec('ROLLBACK');
      await stopped;
      const outcome = await flushed;
      if (outcome !== 'written') {
        assert.ok(outcome instanceof WriterThreadError, String(outcome));
        assert.match(outcome.message, /writer thread stopped/);
        assert.ok(errors.some((e) => e instanceof WriterThreadError));
        assert.equal(store.queued, 500, 'the batch went back in the queue');
      }
      store.appendMessage(message(501));
      await store.flush();
      const second = writerThread(store);
      assert.ok(second && second !== first, 'a new thread writes');
      assert.equal(store.queued, 0);
      assert.equal(countOnDisk(path), 501);
    } finally {
      other.close();
      await store.close();
    }
  });

  test('close() while the thread dies mid-batch tries again with a new thread: nothing is lost', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, flushIntervalMs: 60_000, onError: () => {} });
    const other = new Database(path);
    try {
      const first = writerThread(store)!;
      for (let i = 1; i <= 5000; i++) store.appendMessage(message(i));
      other.exec('BEGIN IMMEDIATE'); // the batch waits in the thread's hands
      const closed = store.close();
      const stopped = first.terminate();
      other.exec('ROLLBACK');
      await stopped;
      await closed;
      assert.equal(countOnDisk(path), 5000);
      assert.equal(store.stats.dropped, 0);
    } finally {
      other.close();
    }
  });

  test('a metrics hook that throws leaves no reader waiting, and is reported as a warning', async () => {
    const store = new SqliteStore({
      path: freshPath(),
      flushIntervalMs: 60_000,
      onFlush: () => {
        throw new Error('the metrics hook broke');
      },
    });
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    try {
      store.appendMessage(message(1));
      assert.deepEqual(
        (await store.latest('#room', 10)).map((m) => m.msgid),
        ['m1'],
      );
      store.appendMessage(message(2));
      assert.equal((await store.findMessage('m2'))?.msgid, 'm2');
      assert.match(String(await warned), /the metrics hook broke/);
    } finally {
      await store.close();
    }
  });

  test('a deletion while its message\'s batch fails is kept: the message does not come back when written', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, flushIntervalMs: 60_000, onError: () => {} });
    const other = new Database(path);
    try {
      store.appendMessage(message(0));
      await store.flush();
      other.exec("CREATE TRIGGER refuse BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'the disk says no'); END");
      store.appendMessage(message(5));
      await store.deleteMessage('m5', T + 5);
      other.exec('DROP TRIGGER refuse');
      await store.flush();
      assert.deepEqual(
        (await store.latest('#room', 10)).map((m) => m.msgid),
        ['m0'],
      );
    } finally {
      other.close();
      await store.close();
    }
  });

  test('a thread that cannot open the database says why', async () => {
    const writer = new WorkerWriter(join(dir, 'no-such-dir', 'db.sqlite'));
    await assert.rejects(writer.ready(), /cannot open .*no-such-dir/);
    await writer.close().catch(() => undefined);
  });

  test('close() writes the queue through the thread, ends it, and closes both connections', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, flushIntervalMs: 60_000 });
    const thread = writerThread(store)!;
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    for (let i = 1; i <= 5000; i++) store.appendMessage(message(i, `#room${i % 7}`));
    await store.close();
    assert.equal(await exited, 0);
    assert.equal(existsSync(`${path}-wal`), false, 'the last connection to close removed the WAL');
    assert.equal(countOnDisk(path), 5000);
    store.appendMessage(message(5001));
    assert.equal(store.stats.dropped, 1);
  });

  test('the event loop keeps turning while a big batch is committed', async () => {
    for (const writer of ['worker', 'inline'] as const) {
      const store = new SqliteStore({ path: freshPath(), flushIntervalMs: 60_000, maxBatch: 1_000_000, writer });
      try {
        for (let i = 1; i <= 20_000; i++) store.appendMessage(message(i, `#room${i % 50}`));
        let turns = 0;
        let written = false;
        const flushed = store.flush().then(() => (written = true));
        const count = (): void => {
          if (written) return;
          turns++;
          setImmediate(count);
        };
        setImmediate(count);
        await flushed;
        if (writer === 'worker') assert.ok(turns >= 2, `${turns} turns of the event loop during the commit`);
        else assert.equal(turns, 0, 'inline, the commit holds the event loop');
        assert.equal(store.stats.messagesWritten, 20_000);
      } finally {
        await store.close();
      }
    }
  });

  test('a main-connection write waits for the batch in flight to be answered, not for its lock', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, flushIntervalMs: 60_000, maxBatch: 1_000_000 });
    const reader = (): number => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM read_markers').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    try {
      for (let i = 1; i <= 5000; i++) store.appendMessage(message(i));
      const flushed = store.flush(); // the batch is now the thread's
      const marked = store.setReadMarker('alice', '#room', T + 1, 100);
      // Had the write gone to the main connection at once, it would have waited (blocking)
      // for the thread's commit, and be on disk now.
      assert.equal(reader(), 0);
      assert.deepEqual(await marked, { time: T + 1, moved: true });
      await flushed;
      assert.equal(reader(), 1);
      assert.equal(countOnDisk(path), 5000);
      // Idle, it is written at once.
      void store.setReadMarker('bob', '#room', T + 2, 100);
      assert.equal(reader(), 2);
    } finally {
      await store.close();
    }
  });

  test('storage.writer inline writes on the main connection, with the same results', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, writer: 'inline', flushIntervalMs: 60_000 });
    try {
      assert.equal(store.writer instanceof WorkerWriter, false);
      for (let i = 1; i <= 40; i++) store.appendMessage(message(i));
      assert.equal((await store.latest('#room', 100)).length, 40);
      assert.equal(store.stats.transactions, 1);
      assert.equal(await store.deleteMessage('m40', T), true);
      store.appendMessage(message(40)); // a late copy of a deleted message stays deleted
      assert.equal(await store.findMessage('m40'), undefined);
    } finally {
      await store.close();
    }
  });

  test('a message written after its deletion is deleted by the thread too', async () => {
    const store = new SqliteStore({ path: freshPath(), flushIntervalMs: 60_000 });
    try {
      store.appendMessage(message(1));
      assert.equal(await store.deleteMessage('m1', T), true);
      store.appendMessage(message(1)); // a copy arriving late (a cluster writes history from its log)
      store.appendMessage(message(2));
      assert.deepEqual(
        (await store.latest('#room', 10)).map((m) => m.msgid),
        ['m2'],
      );
    } finally {
      await store.close();
    }
  });

  test('the thread is started with the profilers\' options only: no tsx loader, nothing a worker refuses', () => {
    assert.deepEqual(
      writerThreadArgv(['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '--import=tsx', '--require', '/x/node_modules/tsx/dist/preflight.cjs', '--max-old-space-size=512', '--secure-heap=0', '--node-snapshot', '--heap-prof']),
      ['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--heap-prof'],
    );
    assert.deepEqual(writerThreadArgv(['--import', './other.mjs', '--stack-trace-limit=10']), []);
  });
});
