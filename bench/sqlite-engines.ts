// better-sqlite3 (what Parlor uses) against Node's built-in `node:sqlite` (DatabaseSync, Node
// ≥ 22.5), on the work the message store does: batched inserts as sqlite-batch-writes.js makes
// them (multi-row INSERT of 32 rows, one transaction per 1000 messages, each new conversation's
// row, the tombstone check) and the hottest history queries (latest N of a conversation, a
// message by msgid, the page before a msgid). Same schema (migrations.ts), same pragmas (WAL,
// synchronous=NORMAL). Rounds alternate the engines' order; medians are printed.
//   node --import tsx bench/sqlite-engines.ts [messages=100000] [rounds=3]
// better-sqlite3 must be built for the Node that runs this: .ci/with-node.sh 24 node --import tsx bench/sqlite-engines.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../src/storage/sqlite-driver.js';
import { MESSAGE_COLUMNS } from '../src/storage/sqlite-db.ts';
import { FIELDS_PER_MESSAGE, flattenMessages, ROWS_PER_INSERT, type MessageRows } from '../src/storage/sqlite-batch-writes.js';
import { MIGRATIONS } from '../src/storage/migrations.ts';
import { conversationAccounts } from '../src/storage/records.ts';
import type { StoredMessage } from '../src/storage/store.ts';

const TOTAL = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const BATCH = 1000; // messages per transaction (storage maxBatch default)
const TARGETS = 40; // half rooms, half private conversations (account a NUL account b)
const QUERIES = 3000;
const PAGE = 50;

type Value = string | number | null;

/** The little both engines are asked to do, so that the loops below are the same code. */
interface Statement {
  run(params: Value[]): void;
  get(params: Value[]): unknown;
  all(params: Value[]): unknown[];
}
interface Engine {
  name: string;
  sqliteVersion: string;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** `fn` inside BEGIN … COMMIT (ROLLBACK when it throws). */
  transaction(fn: () => void): void;
  close(): void;
}

const PRAGMAS = 'PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;';

function openBetterSqlite3(path: string): Engine {
  const db = new Database(path);
  db.exec(PRAGMAS);
  return {
    name: 'better-sqlite3',
    sqliteVersion: db.prepare('SELECT sqlite_version()').pluck().get() as string,
    exec: (sql) => db.exec(sql),
    prepare: (sql) => {
      const s = db.prepare(sql);
      // An array binds as its elements (what sqlite-batch-writes.js passes).
      return { run: (p) => void s.run(p), get: (p) => s.get(p), all: (p) => s.all(p) };
    },
    transaction: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  };
}

/** node:sqlite's DatabaseSync, as far as this file uses it (@types/node 20 does not know it). */
interface SyncStatement {
  run(...params: Value[]): unknown;
  get(...params: Value[]): unknown;
  all(...params: Value[]): unknown[];
}
interface SyncDatabase {
  exec(sql: string): void;
  prepare(sql: string): SyncStatement;
  close(): void;
}
type DatabaseSyncClass = new (path: string) => SyncDatabase;

async function loadNodeSqlite(): Promise<DatabaseSyncClass | string> {
  const specifier = 'node:sqlite'; // a variable: the type checker runs against Node 20's types
  try {
    const mod = (await import(specifier)) as { DatabaseSync: DatabaseSyncClass };
    return mod.DatabaseSync;
  } catch (err) {
    return `node:sqlite is not available on Node ${process.version} (22.5+; 22.5–22.12 need --experimental-sqlite): ${(err as Error).message}`;
  }
}

function openNodeSqlite(DatabaseSync: DatabaseSyncClass, path: string): Engine {
  const db = new DatabaseSync(path);
  db.exec(PRAGMAS);
  const version = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
  return {
    name: 'node:sqlite',
    sqliteVersion: version.v,
    exec: (sql) => db.exec(sql),
    prepare: (sql) => {
      const s = db.prepare(sql);
      return { run: (p) => void s.run(...p), get: (p) => s.get(...p), all: (p) => s.all(...p) };
    },
    transaction: (fn) => {
      db.exec('BEGIN');
      try {
        fn();
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },
    close: () => db.close(),
  };
}

function targetName(i: number): string {
  const t = i % TARGETS;
  return t % 2 === 0 ? `#room${t}` : `acct${t}\u0000acct${t + 1}`;
}

function makeMessages(n: number): StoredMessage[] {
  const base = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    msgid: `${base.toString(36)}-${i.toString(36).padStart(8, '0')}`,
    target: targetName(i),
    time: base + Math.floor(i / 10),
    source: `user${i % 500}!~u${i % 500}@host-${i % 97}.example.net`,
    account: i % 3 === 0 ? `acct${i % 500}` : undefined,
    command: 'PRIVMSG',
    text: `message ${i}: the quick brown fox jumps over the lazy dog, 敏捷的棕色狐狸 ${i % 13}`,
    tags: i % 10 === 0 ? { '+draft/reply': `reply-${i}` } : undefined,
  }));
}

/** sqlite-batch-writes.js's MessageBatchWriter, written against Engine. */
function batchWriter(db: Engine): (rows: MessageRows) => void {
  const insert = (n: number): Statement =>
    db.prepare(`INSERT OR IGNORE INTO messages (${MESSAGE_COLUMNS}) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
  const insertMany = insert(ROWS_PER_INSERT);
  const insertOne = insert(1);
  const insertConversation = db.prepare('INSERT OR IGNORE INTO conversations (target, account_a, account_b) VALUES (?, ?, ?)');
  const anyTombstone = db.prepare('SELECT EXISTS (SELECT 1 FROM redactions) AS any');
  const known = new Set<string>();
  const width = ROWS_PER_INSERT * FIELDS_PER_MESSAGE;
  return (rows) =>
    db.transaction(() => {
      const count = rows.length / FIELDS_PER_MESSAGE;
      const whole = (count - (count % ROWS_PER_INSERT)) * FIELDS_PER_MESSAGE;
      let k = 0;
      for (; k < whole; k += width) insertMany.run(rows.slice(k, k + width));
      for (; k < rows.length; k += FIELDS_PER_MESSAGE) insertOne.run(rows.slice(k, k + FIELDS_PER_MESSAGE));
      for (let t = 1; t < rows.length; t += FIELDS_PER_MESSAGE) {
        const target = rows[t] as string;
        if (known.has(target)) continue;
        const sides = conversationAccounts(target);
        insertConversation.run([target, sides?.[0] ?? null, sides?.[1] ?? null]);
        known.add(target);
      }
      if ((anyTombstone.get([]) as { any: number }).any === 1) throw new Error('no tombstones in this benchmark');
    });
}

interface Sample {
  insertWallUs: number;
  insertCpuUs: number;
  latestUs: number;
  byMsgidUs: number;
  beforeUs: number;
  bytesPerMessage: number;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Runs `fn` `n` times; CPU µs per call (steadier than wall time on a shared machine). */
function perCall(n: number, fn: (i: number) => void): number {
  const cpu0 = cpuMicros();
  for (let i = 0; i < n; i++) fn(i);
  return (cpuMicros() - cpu0) / n;
}

function measure(open: (path: string) => Engine, dir: string, batches: MessageRows[], messages: StoredMessage[]): { sample: Sample; sqliteVersion: string } {
  const path = join(dir, `engine-${Math.random().toString(36).slice(2)}.db`);
  const db = open(path);
  for (const m of MIGRATIONS) db.exec(m.sql); // the data steps have nothing to do on an empty database
  const write = batchWriter(db);

  const wall0 = performance.now();
  const cpu0 = cpuMicros();
  for (const rows of batches) write(rows);
  const insertCpuUs = (cpuMicros() - cpu0) / messages.length;
  const insertWallUs = ((performance.now() - wall0) * 1000) / messages.length;
  const bytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);

  const latest = db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE target = ? ORDER BY time DESC, id DESC LIMIT ?`);
  const byMsgid = db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE msgid = ?`);
  const resolve = db.prepare('SELECT time, id FROM messages WHERE msgid = ? AND target = ?');
  const before = db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE target = ? AND (time, id) < (?, ?) ORDER BY time DESC, id DESC LIMIT ?`);
  const pick = (i: number): StoredMessage => messages[(i * 7919) % messages.length]!;

  const latestUs = perCall(QUERIES, (i) => {
    if (latest.all([targetName(i), PAGE]).length !== PAGE) throw new Error('short page');
  });
  const byMsgidUs = perCall(QUERIES, (i) => {
    if (byMsgid.get([pick(i).msgid]) === undefined) throw new Error('missing message');
  });
  const beforeUs = perCall(QUERIES, (i) => {
    const m = pick(i);
    const at = resolve.get([m.msgid, m.target]) as { time: number; id: number };
    before.all([m.target, at.time, at.id, PAGE]);
  });
  const sqliteVersion = db.sqliteVersion;
  db.close();
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  return { sample: { insertWallUs, insertCpuUs, latestUs, byMsgidUs, beforeUs, bytesPerMessage: bytes / messages.length }, sqliteVersion };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const messages = makeMessages(TOTAL);
const batches: MessageRows[] = [];
for (let i = 0; i < messages.length; i += BATCH) batches.push(flattenMessages(messages.slice(i, i + BATCH)));

const engines: { name: string; open: (path: string) => Engine }[] = [{ name: 'better-sqlite3', open: openBetterSqlite3 }];
const nodeSqlite = await loadNodeSqlite();
if (typeof nodeSqlite === 'string') console.log(nodeSqlite);
else engines.push({ name: 'node:sqlite', open: (path) => openNodeSqlite(nodeSqlite, path) });

const dir = mkdtempSync(join(tmpdir(), 'parlor-sqlite-engines-'));
const samples = new Map<string, Sample[]>(engines.map((e) => [e.name, []]));
const versions = new Map<string, string>();
try {
  measure(engines[0]!.open, dir, batches.slice(0, 20), messages.slice(0, 20 * BATCH)); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? engines : [...engines].reverse();
    for (const engine of order) {
      const { sample, sqliteVersion } = measure(engine.open, dir, batches, messages);
      samples.get(engine.name)!.push(sample);
      versions.set(engine.name, sqliteVersion);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`Node ${process.version}, ${TOTAL.toLocaleString('en-US')} messages in transactions of ${BATCH}, ${QUERIES} queries each; median of ${ROUNDS} rounds`);
const columns: [string, keyof Sample, number][] = [
  ['insert µs/msg (wall)', 'insertWallUs', 2],
  ['insert µs/msg (CPU)', 'insertCpuUs', 2],
  [`latest ${PAGE} CPU µs`, 'latestUs', 1],
  ['by msgid CPU µs', 'byMsgidUs', 2],
  [`before msgid ${PAGE} CPU µs`, 'beforeUs', 1],
  ['bytes/msg', 'bytesPerMessage', 0],
];
console.log(['engine (SQLite)'.padEnd(30), ...columns.map(([title]) => title.padStart(24))].join(''));
for (const engine of engines) {
  const rows = samples.get(engine.name)!;
  const cells = columns.map(([, key, digits]) => median(rows.map((r) => r[key])).toFixed(digits).padStart(24));
  console.log([`${engine.name} (${versions.get(engine.name)})`.padEnd(30), ...cells].join(''));
}
