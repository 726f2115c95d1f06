// Private-chat micro-benchmark: servers from createServer (the config of bench/parlor-bench.yaml)
// in this process, P pairs of raw TCP clients per server in a child process, each client sending
// M PRIVMSGs to its partner with at most W in flight (as pairs-200 does). Measured per round,
// over the sending phase only: this process's CPU time (user + system, getrusage) per message —
// the clients run elsewhere, so it is the servers' own, and unlike wall-clock busy time it does
// not grow when a busy machine takes the core away — and the event loop's busy (wall-clock) time.
//
//   node --import tsx bench/privmsg-micro.ts [--pairs 100] [--count 500] [--rounds 10]
//        [--store sqlite|memory] [--caps server-time,message-tags]
//        [--root /path/to/checkout ...] [--dist] [--profile DIR] [--accounts]
//
// --root (repeatable; this checkout by default) names the checkouts to compare, an older
// commit's worktree say. Each gets its own server and clients, all in this one process, and the
// rounds alternate between them (A B A B …): on a shared, noisy machine both see the same
// conditions, which separate runs do not. The first round of each warms the JIT and is left out.
// --dist loads each server from the checkout's built dist/ (`npm run build`) instead of src/ via
// tsx, as the npm package runs. --caps makes every client request these capabilities (not
// echo-message: the clients count every PRIVMSG they receive, and would count their echoes).
// --profile writes a CPU profile of each checkout's measured rounds into DIR.
// --accounts (sqlite): every client logs in (SASL PLAIN) to its own account, as pairs-200's do,
// so that every message is stored; a round then lasts until the store has written them all
// (store.flush()), and its CPU is split by thread (/proc/self/task/<tid>/stat): the event
// loop's, the writer thread's (the threads the store started) and the rest (GC, libuv).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { benchServerInput, CpuProfiler, median } from './micro-common.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '100' },
    count: { type: 'string', default: '500' },
    window: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '10' },
    store: { type: 'string', default: 'sqlite' },
    caps: { type: 'string', default: '' },
    root: { type: 'string', multiple: true },
    dist: { type: 'boolean', default: false },
    profile: { type: 'string' },
    accounts: { type: 'boolean', default: false },
  },
});
const here = fileURLToPath(new URL('.', import.meta.url));
const roots = (values.root ?? [join(here, '..')]).map((r) => resolve(r));
const pairs = Number(values.pairs);
const count = Number(values.count);
const rounds = Number(values.rounds);
const caps = values.caps === '' ? [] : values.caps!.split(',');
const messagesPerRound = pairs * 2 * count;
const accounts = values.accounts;
if (accounts && values.store !== 'sqlite') throw new Error('--accounts needs --store sqlite');
const BENCH_PASSWORD = 'bench-password';

// The clients of one server: plain JavaScript, so the child needs no loader. Each client counts
// the PRIVMSG lines it receives without decoding them (as the bench's non-witness clients do); a
// sender tops its window up whenever its partner has received more. Each 'go' is one round.
const CLIENT_SOURCE = `
const net = require('node:net');
const { port, pairs, count, window: win, caps, password } = JSON.parse(process.argv[1]);
const n = pairs * 2;
const clients = [];
let registered = 0;
let done = 0;
let start = 0;
const padding = 'x'.repeat(40);
const NEEDLE = Buffer.from(' PRIVMSG ');
function pump(c) {
  const partner = clients[c.k ^ 1];
  let out = '';
  while (c.sent < count && c.sent - partner.received < win) {
    c.sent++;
    out += 'PRIVMSG c' + (c.k ^ 1) + ' :~' + c.k + ',' + c.sent + ',' + performance.now().toFixed(3) + ' ' + padding + '\\r\\n';
  }
  if (out !== '') c.socket.write(out);
}
for (let k = 0; k < n; k++) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  const c = { k, socket, sent: 0, received: 0, registered: false, rest: '' };
  clients.push(c);
  const wanted = password === undefined ? caps : caps.concat('sasl');
  // With a login, CAP END follows the SASL exchange (903).
  const capLines = wanted.length > 0 ? 'CAP REQ :' + wanted.join(' ') + '\\r\\n' + (password === undefined ? 'CAP END\\r\\n' : '') : '';
  socket.on('connect', () => socket.write(capLines + 'NICK c' + k + '\\r\\nUSER b 0 * :bench client\\r\\n'));
  socket.on('data', (chunk) => {
    if (!c.registered) {
      const data = c.rest + chunk.toString('latin1');
      if (password !== undefined && !c.saslDone) {
        if (/ CAP \\S+ ACK /.test(data) && !c.saslAsked) { c.saslAsked = true; socket.write('AUTHENTICATE PLAIN\\r\\n'); }
        if (/^AUTHENTICATE \\+/m.test(data) && !c.saslSent) { c.saslSent = true; socket.write('AUTHENTICATE ' + Buffer.from('\\0c' + k + '\\0' + password).toString('base64') + '\\r\\n'); }
        if (/ 90[24568] /.test(data) || / CAP \\S+ NAK /.test(data)) { process.send({ type: 'error', error: 'c' + k + ' login failed: ' + data.slice(-300) }); return; }
        if (/ 903 /.test(data)) { c.saslDone = true; socket.write('CAP END\\r\\n'); }
        c.rest = data.slice(-600);
        if (!c.saslDone) return;
      }
      if (!/ 001 /.test(data)) { c.rest = data.slice(-600); return; }
      c.registered = true;
      c.rest = '';
      if (++registered === n) process.send({ type: 'registered' });
      return;
    }
    let at = chunk.indexOf(NEEDLE);
    let got = 0;
    while (at !== -1) { got++; at = chunk.indexOf(NEEDLE, at + NEEDLE.length); }
    if (got === 0) return;
    c.received += got;
    if (c.received === count && ++done === n) {
      process.send({ type: 'done', wallMs: performance.now() - start });
      return;
    }
    pump(clients[k ^ 1]);
  });
  socket.on('error', (err) => process.send({ type: 'error', error: err.message }));
}
process.on('message', (m) => {
  if (m === 'stop') { for (const c of clients) c.socket.destroy(); process.exit(0); }
  start = performance.now();
  done = 0;
  for (const c of clients) { c.sent = 0; c.received = 0; }
  for (const c of clients) pump(c);
});
`;

interface Round {
  wallMs: number;
  /** Server process CPU time (user + system) over the sending phase, per message. */
  cpuUsPerMsg: number;
  /** The event loop's busy time (wall clock) over the sending phase, per message. */
  busyUsPerMsg: number;
  /** With --accounts: CPU per message of the main thread, of the store's writer thread(s), of the others. */
  threads?: { main: number; writer: number; other: number };
}

interface Subject {
  root: string;
  label: string;
  server: { close(): Promise<void> };
  clients: ChildProcess;
  next(type: string): Promise<{ wallMs: number }>;
  dataDir: string | undefined;
  /** The store's flush(), and the threads it started (its writer). */
  store: { flush(): Promise<void> } | undefined;
  writerTids: string[];
  rounds: Round[];
  profile: CpuProfiler | undefined;
}

async function load(root: string, relative: string): Promise<Record<string, unknown>> {
  const path = values.dist ? join(root, 'dist', relative.replace(/\.ts$/, '.js')) : join(root, 'src', relative);
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

async function start(root: string, index: number): Promise<Subject> {
  const { parseConfig } = (await load(root, 'server/config.ts')) as { parseConfig: (input: unknown) => unknown };
  const { createServer } = (await load(root, 'server/server.ts')) as {
    createServer: (deps: unknown) => { listen(): Promise<{ port: number }>; close(): Promise<void> };
  };
  const { createLogger } = (await load(root, 'cli/logger.ts')) as { createLogger: (o: unknown) => unknown };
  // As parlor-bench.yaml: every client logs in at once (--accounts), more than the default queue of password checks.
  const input = benchServerInput({ auth: { hashQueue: 1000 } });

  let dataDir: string | undefined;
  let store: unknown;
  let writerTids: string[] = [];
  if (values.store === 'sqlite') {
    const { SqliteStore } = (await load(root, 'storage/sqlite-store.ts')) as { SqliteStore: new (o: unknown) => { ready(): Promise<void> } };
    dataDir = mkdtempSync(join(os.tmpdir(), 'parlor-pmmicro-'));
    if (accounts) {
      const { benchLogin, seedAccounts } = (await import(pathToFileURL(join(root, 'bench/bench-accounts.ts')).href)) as typeof import('./bench-accounts.ts');
      const names = Array.from({ length: pairs * 2 }, (_, k) => `c${k}`);
      await seedAccounts(dataDir, names, await benchLogin(BENCH_PASSWORD));
    }
    const before = new Set(threadIds());
    const sqlite = new SqliteStore({ path: join(dataDir, 'parlor.db') });
    await sqlite.ready();
    writerTids = threadIds().filter((t) => !before.has(t));
    store = sqlite;
  } else {
    const { MemoryStore } = (await load(root, 'storage/memory-store.ts')) as { MemoryStore: new () => unknown };
    store = new MemoryStore();
  }
  // As `parlor serve --log-level warn` writes: pino, synchronously, to stderr.
  const logger = createLogger({ level: 'warn', format: 'json' });
  const server = createServer({ config: parseConfig(input), store, logger });
  const { port } = await server.listen();
  const clientArgs = JSON.stringify({ port, pairs, count, window: Number(values.window), caps, password: accounts ? BENCH_PASSWORD : undefined });
  const clients = spawn(process.execPath, ['-e', CLIENT_SOURCE, clientArgs], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, { done: (m: { wallMs: number }) => void; fail: (err: Error) => void }>();
  let failure: Error | undefined;
  clients.on('message', (m: { type: string; error?: string; wallMs: number }) => {
    if (m.type === 'error') {
      failure ??= new Error(m.error);
      for (const w of waiting.values()) w.fail(failure); // a login that failed, say: stop waiting
      return;
    }
    waiting.get(m.type)?.done(m);
  });
  clients.on('exit', (code) => {
    if (code !== 0) failure ??= new Error(`clients exited with ${code}`);
  });
  const next = (type: string): Promise<{ wallMs: number }> =>
    new Promise((done, fail) => {
      if (failure) return fail(failure);
      waiting.set(type, { done, fail });
      clients.once('exit', () => fail(failure ?? new Error('clients exited')));
    });
  await next('registered');
  const label = `${index + 1}:${basename(root)}`;
  return { root, label, server, clients, next, dataDir, store: store as Subject['store'], writerTids, rounds: [], profile: undefined };
}

/** This process's threads (Linux). */
function threadIds(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}

/** CPU time (µs) each thread has used so far: utime + stime of /proc/self/task/<tid>/stat. */
function threadCpu(): Map<string, number> {
  const usPerTick = 1e6 / 100; // USER_HZ
  const cpu = new Map<string, number>();
  for (const tid of threadIds()) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(tid, (Number(fields[11]) + Number(fields[12])) * usPerTick);
    } catch {
      // the thread ended
    }
  }
  return cpu;
}

async function oneRound(s: Subject, keep: boolean): Promise<void> {
  if (keep && values.profile && !s.profile) {
    // Profiling is per process: one checkout's rounds are sampled while the others run too.
    s.profile = await CpuProfiler.open();
  }
  await s.profile?.start();
  const finished = s.next('done');
  const elu0 = performance.eventLoopUtilization();
  const threads0 = accounts ? threadCpu() : undefined;
  const cpu0 = process.cpuUsage();
  s.clients.send('go');
  const { wallMs } = await finished;
  // With accounts every message is stored: the round lasts until the writer has them all.
  if (accounts) await s.store!.flush();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  await s.profile?.save(values.profile!, `privmsg-${s.label.replace(/[^\w.-]/g, '_')}-${s.rounds.length}`);
  if (!keep) return;
  const round: Round = { wallMs, cpuUsPerMsg: (cpu.user + cpu.system) / messagesPerRound, busyUsPerMsg: (elu.active * 1000) / messagesPerRound };
  if (threads0) {
    const split = { main: 0, writer: 0, other: 0 };
    for (const [tid, us] of threadCpu()) {
      const used = (us - (threads0.get(tid) ?? 0)) / messagesPerRound;
      if (tid === String(process.pid)) split.main += used;
      else if (s.writerTids.includes(tid)) split.writer += used;
      else split.other += used;
    }
    round.threads = split;
  }
  s.rounds.push(round);
}


const subjects: Subject[] = [];
for (const [i, root] of roots.entries()) subjects.push(await start(root, i));
try {
  for (let r = 0; r <= rounds; r++) for (const s of subjects) await oneRound(s, r > 0);
} finally {
  for (const s of subjects) {
    s.clients.send('stop');
    s.profile?.close();
    await s.server.close();
    if (s.dataDir) rmSync(s.dataDir, { recursive: true, force: true });
  }
}

const range = (xs: number[], digits: number): string => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
console.log(`pairs=${pairs} count=${count} rounds=${rounds} store=${values.store}${accounts ? ' accounts (every message stored)' : ''} caps=${caps.join(',') || '-'}${values.dist ? ' dist' : ''}: median [min–max] of the rounds`);
const first = subjects[0]!;
for (const s of subjects) {
  const cpu = s.rounds.map((r) => r.cpuUsPerMsg);
  // Each round against the first checkout's round just before it: the pairs share conditions.
  const ratio = s === first ? '' : `   vs 1: ${range(s.rounds.map((r, i) => r.cpuUsPerMsg / first.rounds[i]!.cpuUsPerMsg), 3)}×`;
  const perSec = s.rounds.map((r) => messagesPerRound / (r.wallMs / 1000));
  console.log(`${s.label.padEnd(16)} server CPU ${range(cpu, 2)} µs/msg${ratio}   busy ${range(s.rounds.map((r) => r.busyUsPerMsg), 2)} µs/msg   ${range(perSec, 0)} msg/s   (${s.root})`);
  if (accounts) {
    const part = (pick: (t: NonNullable<Round['threads']>) => number): string => range(s.rounds.map((r) => pick(r.threads!)), 2);
    const stats = (s.store as { stats?: { flushes: number; messagesWritten: number } }).stats;
    const perFlush = stats === undefined || stats.flushes === 0 ? '' : `   ${Math.round(stats.messagesWritten / stats.flushes)} messages per batch`;
    console.log(`${''.padEnd(16)} by thread (µs/msg): main ${part((t) => t.main)}   writer ${part((t) => t.writer)}   other ${part((t) => t.other)}${perFlush}`);
  }
}
