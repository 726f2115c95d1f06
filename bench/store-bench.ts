// Micro-benchmark of the message store: what appendMessage() costs the caller (the delivery
// path), what the batched writes cost the event loop, and a few queries.
//   node --import tsx bench/store-bench.ts [messages]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import type { Store, StoredMessage } from '../src/storage/store.ts';

const TOTAL = Number(process.argv[2] ?? 200_000);
const PER_TURN = 1000; // messages appended per event-loop turn, as a busy server would
const TARGETS = 20;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function makeMessages(n: number, offset = 0): StoredMessage[] {
  const base = Date.now();
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    return {
      msgid: `${base.toString(36)}-${i.toString(36).padStart(8, '0')}`,
      target: `#room${i % TARGETS}`,
      time: base + Math.floor(i / 10),
      source: `user${i % 500}!~u${i % 500}@host-${i % 97}.example.net`,
      command: 'PRIVMSG',
      text: `message ${i}: the quick brown fox jumps over the lazy dog, 敏捷的棕色狐狸 ${i % 13}`,
      tags: i % 10 === 0 ? { '+draft/reply': `reply-${i}` } : undefined,
    };
  });
}

/** Appends in turns of PER_TURN; returns the time spent inside appendMessage, in ms. */
async function appendAll(store: Store, messages: StoredMessage[]): Promise<number> {
  let callerMs = 0;
  for (let i = 0; i < messages.length; i += PER_TURN) {
    const end = Math.min(messages.length, i + PER_TURN);
    const t0 = performance.now();
    for (let j = i; j < end; j++) store.appendMessage(messages[j]!);
    callerMs += performance.now() - t0;
    await turn(); // let timers, and the store's flushes, run as they would between socket reads
  }
  return callerMs;
}

function fmt(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function sqliteRun(dir: string, messages: StoredMessage[]): Promise<void> {
  const path = join(dir, 'bench.db');
  const store = new SqliteStore({ path });
  const wall0 = performance.now();
  const callerMs = await appendAll(store, messages);
  await store.flush();
  const wallMs = performance.now() - wall0;
  const s = store.stats;
  console.log(`SqliteStore (WAL, synchronous=NORMAL, flushIntervalMs 100, maxBatch 1000), ${messages.length.toLocaleString()} messages:`);
  console.log(`  caller time per appendMessage      ${fmt((callerMs * 1e6) / messages.length, 1)} ns`);
  console.log(`  flushes                            ${s.flushes} (avg ${fmt(s.messagesWritten / s.flushes, 0)} messages each)`);
  console.log(`  flush cost per 1000 messages       ${fmt((s.flushMs / s.messagesWritten) * 1000)} ms  (slowest flush ${fmt(s.maxFlushMs)} ms)`);
  console.log(`  write cost per message             ${fmt((s.flushMs * 1000) / s.messagesWritten)} µs`);
  console.log(`  end-to-end throughput              ${fmt(messages.length / (wallMs / 1000), 0)} messages/s`);
  const bytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  console.log(`  database + WAL size                ${fmt(bytes / messages.length, 0)} bytes/message`);

  // Queries on the filled database.
  const targets = Array.from({ length: TARGETS }, (_, i) => `#room${i}`);
  const q = 2000;
  let t0 = performance.now();
  for (let i = 0; i < q; i++) await store.latest(targets[i % TARGETS]!, 50);
  console.log(`  latest(target, 50)                 ${fmt(((performance.now() - t0) * 1000) / q, 1)} µs`);
  t0 = performance.now();
  const perTarget = Math.floor(messages.length / TARGETS);
  for (let i = 0; i < q; i++) {
    // A message of that target, well past its first 50.
    const index = (50 + ((i * 7919) % (perTarget - 50))) * TARGETS + (i % TARGETS);
    await store.before(targets[i % TARGETS]!, { msgid: messages[index]!.msgid }, 50);
  }
  console.log(`  before(target, msgid, 50)          ${fmt(((performance.now() - t0) * 1000) / q, 1)} µs`);
  t0 = performance.now();
  for (let i = 0; i < q / 10; i++) await store.targets('user1', targets, 0, Date.now() * 2, 50);
  console.log(`  targets(nick, 20 channels)         ${fmt(((performance.now() - t0) * 1000) / (q / 10), 1)} µs`);
  await store.close();

  // The same writes committed one by one, for contrast (what batching saves).
  const single = new SqliteStore({ path: join(dir, 'single.db') });
  const few = makeMessages(2000, messages.length);
  t0 = performance.now();
  for (const m of few) {
    single.appendMessage(m);
    await single.flush();
  }
  console.log(`  one transaction per message        ${fmt(((performance.now() - t0) * 1000) / few.length)} µs per message`);
  await single.close();
}

/**
 * A steady 10,000 messages/s for a few seconds (500 every 50 ms, written every 100 ms), as a busy server
 * would see: what each flush costs the event loop, checkpoints included.
 */
async function pacedRun(dir: string, seconds: number): Promise<void> {
  const flushes: number[] = [];
  const store = new SqliteStore({ path: join(dir, 'paced.db'), onFlush: (info) => flushes.push(info.ms) });
  const perTurn = 500;
  const turns = (seconds * 1000) / 50;
  const messages = makeMessages(perTurn * turns, 10_000_000);
  const started = performance.now();
  for (let t = 0; t < turns; t++) {
    for (let j = t * perTurn; j < (t + 1) * perTurn; j++) store.appendMessage(messages[j]!);
    const due = started + (t + 1) * 50;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  await store.close();
  flushes.sort((a, b) => a - b);
  const pct = (p: number): number => flushes[Math.min(flushes.length - 1, Math.floor(p * flushes.length))]!;
  const busy = flushes.reduce((a, b) => a + b, 0);
  console.log(
    `  ${flushes.length} flushes, p50 ${fmt(pct(0.5))} ms, p99 ${fmt(pct(0.99))} ms, max ${fmt(flushes[flushes.length - 1]!)} ms;` +
      ` event loop busy writing ${fmt((busy / (seconds * 1000)) * 100, 1)} % of the time`,
  );
}

async function memoryRun(messages: StoredMessage[]): Promise<void> {
  const store = new MemoryStore({ maxPerTarget: 1_000_000 });
  const callerMs = await appendAll(store, messages);
  console.log(`MemoryStore: caller time per appendMessage ${fmt((callerMs * 1e6) / messages.length, 1)} ns`);
  await store.close();
}

/** How fast this machine runs SQLite at all, to read the other numbers against. */
function reference(): void {
  const db = new Database(':memory:');
  const noop = db.prepare('SELECT ?');
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) noop.get(i);
  console.log(`Reference: a no-op better-sqlite3 statement takes ${fmt(((performance.now() - t0) * 1000) / n)} µs here`);
  db.close();
}

const dir = mkdtempSync(join(tmpdir(), 'parlor-store-bench-'));
try {
  reference();
  const messages = makeMessages(TOTAL);
  await sqliteRun(dir, messages);
  const seconds = 8;
  console.log(`Steady 10,000 messages/s for ${seconds} s (flushes of ~1000 messages):`);
  await pacedRun(dir, seconds);
  await memoryRun(messages);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
