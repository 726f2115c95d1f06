// Micro-benchmark of the message store: what appendMessage() costs the caller (the delivery
// path), what the batched writes cost the event loop, and a few queries; for each SQLite writer
// (storage.writer: the worker thread, and inline on the event loop), alternating.
//   node --import tsx bench/store-bench.ts [messages] [writers=worker,inline]
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from '../src/storage/sqlite-driver.js';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { DEFAULT_MAX_BATCH, SqliteStore } from '../src/storage/sqlite-store.ts';
import type { Store, StoredMessage } from '../src/storage/store.ts';

const TOTAL = Number(process.argv[2] ?? 200_000);
const WRITERS = (process.argv[3] ?? 'worker,inline').split(',') as ('worker' | 'inline')[];
const PER_TURN = 1000; // messages appended per event-loop turn, as a busy server would
const TARGETS = 20;

/**
 * CPU time of the main thread alone, in ms (Linux: /proc, in clock ticks of 10 ms), and of the
 * whole process: the difference is the writer thread's (and V8's helpers'). CPU time, unlike
 * wall time, does not count the time other processes on a busy machine took the core.
 */
function cpuMs(): { main: number; all: number } {
  const all = process.cpuUsage();
  let main = NaN;
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    main = (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, at 100 ticks a second
  } catch {
    // not Linux
  }
  return { main, all: (all.user + all.system) / 1000 };
}

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

async function sqliteRun(dir: string, messages: StoredMessage[], writer: 'worker' | 'inline'): Promise<void> {
  const path = join(dir, `bench-${writer}.db`);
  const store = new SqliteStore({ path, writer });
  await store.flush(); // the writer thread is up
  const cpu0 = cpuMs();
  const wall0 = performance.now();
  const callerMs = await appendAll(store, messages);
  await store.flush();
  const wallMs = performance.now() - wall0;
  const cpu1 = cpuMs();
  const s = store.stats;
  console.log(`SqliteStore, writer ${writer} (WAL, synchronous=NORMAL, flushIntervalMs 100, maxBatch ${DEFAULT_MAX_BATCH}), ${messages.length.toLocaleString()} messages:`);
  console.log(`  caller time per appendMessage      ${fmt((callerMs * 1e6) / messages.length, 1)} ns`);
  console.log(
    `  CPU per message                    main thread ${fmt(((cpu1.main - cpu0.main) * 1000) / messages.length)} µs, other threads ${fmt(((cpu1.all - cpu0.all - (cpu1.main - cpu0.main)) * 1000) / messages.length)} µs`,
  );
  console.log(`  flushes                            ${s.flushes} (avg ${fmt(s.messagesWritten / s.flushes, 0)} messages each)`);
  console.log(`  transaction per 1000 messages      ${fmt((s.flushMs / s.messagesWritten) * 1000)} ms  (slowest ${fmt(s.maxFlushMs)} ms; ${writer === 'worker' ? 'on the writer thread' : 'on the event loop'})`);
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
  const single = new SqliteStore({ path: join(dir, `single-${writer}.db`), writer });
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
async function pacedRun(dir: string, seconds: number, writer: 'worker' | 'inline'): Promise<void> {
  const flushes: number[] = [];
  const store = new SqliteStore({ path: join(dir, `paced-${writer}.db`), writer, onFlush: (info) => flushes.push(info.ms) });
  await store.flush();
  const perTurn = 500;
  const turns = (seconds * 1000) / 50;
  const messages = makeMessages(perTurn * turns, 10_000_000);
  // A write on the main connection (a read marker) every 5 ms: how long the event loop waits
  // for the writer's lock while it commits.
  const markerMs: number[] = [];
  let marking = true;
  const mark = (): void => {
    if (!marking) return;
    const t0 = performance.now();
    void store.setReadMarker('reader', `#room${markerMs.length % TARGETS}`, Date.now() + markerMs.length, 100);
    markerMs.push(performance.now() - t0);
    setTimeout(mark, 5);
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = cpuMs();
  const started = performance.now();
  mark();
  for (let t = 0; t < turns; t++) {
    for (let j = t * perTurn; j < (t + 1) * perTurn; j++) store.appendMessage(messages[j]!);
    const due = started + (t + 1) * 50;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  marking = false;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu1 = cpuMs();
  delay.disable();
  await store.close();
  const pct = (list: number[], p: number): number => list[Math.min(list.length - 1, Math.floor(p * list.length))]!;
  flushes.sort((a, b) => a - b);
  markerMs.sort((a, b) => a - b);
  console.log(`  writer ${writer}: ${flushes.length} transactions, p50 ${fmt(pct(flushes, 0.5))} ms, p99 ${fmt(pct(flushes, 0.99))} ms, max ${fmt(flushes[flushes.length - 1]!)} ms`);
  console.log(
    `    main thread CPU ${fmt(((cpu1.main - cpu0.main) * 1000) / messages.length)} µs a message (appends and marker writes included), other threads ${fmt(((cpu1.all - cpu0.all - (cpu1.main - cpu0.main)) * 1000) / messages.length)} µs;` +
      ` event loop busy ${fmt(elu.utilization * 100, 1)} %;` +
      ` delay p99 ${fmt(delay.percentile(99) / 1e6)} ms, max ${fmt(delay.max / 1e6)} ms`,
  );
  console.log(`    read-marker write on the main connection: p50 ${fmt(pct(markerMs, 0.5), 3)} ms, p99 ${fmt(pct(markerMs, 0.99), 3)} ms, max ${fmt(markerMs[markerMs.length - 1]!, 3)} ms (${markerMs.length} writes)`);
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
  for (const writer of WRITERS) await sqliteRun(dir, messages, writer);
  const seconds = 8;
  console.log(`Steady 10,000 messages/s for ${seconds} s (flushes of ~1000 messages):`);
  for (const writer of WRITERS) await pacedRun(dir, seconds, writer);
  await memoryRun(messages);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
