// Private-chat micro-benchmark: servers from createServer (the config of bench/parlor-bench.yaml)
// in this process, P pairs of raw TCP clients per server in a child process, each client sending
// M PRIVMSGs to its partner with at most W in flight (as pairs-200 does). Measured per round,
// over the sending phase only: this process's CPU time (user + system, getrusage) per message —
// the clients run elsewhere, so it is the servers' own, and unlike wall-clock busy time it does
// not grow when a busy machine takes the core away — and the event loop's busy (wall-clock) time.
//
//   node --import tsx bench/privmsg-micro.ts [--pairs 100] [--count 500] [--rounds 10]
//        [--store sqlite|memory] [--caps server-time,message-tags]
//        [--root /path/to/checkout ...] [--dist] [--profile DIR]
//
// --root (repeatable; this checkout by default) names the checkouts to compare, an older
// commit's worktree say. Each gets its own server and clients, all in this one process, and the
// rounds alternate between them (A B A B …): on a shared, noisy machine both see the same
// conditions, which separate runs do not. The first round of each warms the JIT and is left out.
// --dist loads each server from the checkout's built dist/ (`npm run build`) instead of src/ via
// tsx, as the npm package runs. --caps makes every client request these capabilities (not
// echo-message: the clients count every PRIVMSG they receive, and would count their echoes).
// --profile writes a CPU profile of each checkout's measured rounds into DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

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
  },
});
const here = fileURLToPath(new URL('.', import.meta.url));
const roots = (values.root ?? [join(here, '..')]).map((r) => resolve(r));
const pairs = Number(values.pairs);
const count = Number(values.count);
const rounds = Number(values.rounds);
const caps = values.caps === '' ? [] : values.caps!.split(',');
const messagesPerRound = pairs * 2 * count;

// The clients of one server: plain JavaScript, so the child needs no loader. Each client counts
// the PRIVMSG lines it receives without decoding them (as the bench's non-witness clients do); a
// sender tops its window up whenever its partner has received more. Each 'go' is one round.
const CLIENT_SOURCE = `
const net = require('node:net');
const { port, pairs, count, window: win, caps } = JSON.parse(process.argv[1]);
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
  const capLines = caps.length > 0 ? 'CAP REQ :' + caps.join(' ') + '\\r\\nCAP END\\r\\n' : '';
  socket.on('connect', () => socket.write(capLines + 'NICK c' + k + '\\r\\nUSER b 0 * :bench client\\r\\n'));
  socket.on('data', (chunk) => {
    if (!c.registered) {
      const data = c.rest + chunk.toString('latin1');
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
}

interface Subject {
  root: string;
  label: string;
  server: { close(): Promise<void> };
  clients: ChildProcess;
  next(type: string): Promise<{ wallMs: number }>;
  dataDir: string | undefined;
  rounds: Round[];
  profile: inspector.Session | undefined;
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
  const input = {
    server: { name: 'bench.parlor', port: 0 },
    limits: { sendQueueBytes: 10485760, pingIntervalMs: 600000, registrationTimeoutMs: 600000, channelsPerUser: 100 },
    connections: { max: 100000 },
    flood: { burst: 1000000, commandsPerSecond: 1000000, recvQueueBytes: 10485760 },
    admin: { auditLog: null },
    web: { enabled: false },
  };
  let dataDir: string | undefined;
  let store: unknown;
  if (values.store === 'sqlite') {
    const { SqliteStore } = (await load(root, 'storage/sqlite-store.ts')) as { SqliteStore: new (o: unknown) => unknown };
    dataDir = mkdtempSync(join(os.tmpdir(), 'parlor-pmmicro-'));
    store = new SqliteStore({ path: join(dataDir, 'parlor.db') });
  } else {
    const { MemoryStore } = (await load(root, 'storage/memory-store.ts')) as { MemoryStore: new () => unknown };
    store = new MemoryStore();
  }
  // As `parlor serve --log-level warn` writes: pino, synchronously, to stderr.
  const logger = createLogger({ level: 'warn', format: 'json' });
  const server = createServer({ config: parseConfig(input), store, logger });
  const { port } = await server.listen();
  const clientArgs = JSON.stringify({ port, pairs, count, window: Number(values.window), caps });
  const clients = spawn(process.execPath, ['-e', CLIENT_SOURCE, clientArgs], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (m: { wallMs: number }) => void>();
  let failure: Error | undefined;
  clients.on('message', (m: { type: string; error?: string; wallMs: number }) => {
    if (m.type === 'error') failure ??= new Error(m.error);
    waiting.get(m.type)?.(m);
  });
  clients.on('exit', (code) => {
    if (code !== 0) failure ??= new Error(`clients exited with ${code}`);
  });
  const next = (type: string): Promise<{ wallMs: number }> =>
    new Promise((done, fail) => {
      if (failure) return fail(failure);
      waiting.set(type, done);
      clients.once('exit', () => fail(failure ?? new Error('clients exited')));
    });
  await next('registered');
  const label = `${index + 1}:${basename(root)}`;
  return { root, label, server, clients, next, dataDir, rounds: [], profile: undefined };
}

async function oneRound(s: Subject, keep: boolean): Promise<void> {
  if (keep && values.profile && !s.profile) {
    // Profiling is per process: one checkout's rounds are sampled while the others run too.
    s.profile = new inspector.Session();
    s.profile.connect();
    await s.profile.post('Profiler.enable');
    await s.profile.post('Profiler.setSamplingInterval', { interval: 100 });
  }
  if (s.profile) await s.profile.post('Profiler.start');
  const finished = s.next('done');
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  s.clients.send('go');
  const { wallMs } = await finished;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  if (s.profile) {
    const { profile } = await s.profile.post('Profiler.stop');
    mkdirSync(values.profile!, { recursive: true });
    writeFileSync(join(values.profile!, `privmsg-${s.label.replace(/[^\w.-]/g, '_')}-${s.rounds.length}.cpuprofile`), JSON.stringify(profile));
  }
  if (!keep) return;
  s.rounds.push({ wallMs, cpuUsPerMsg: (cpu.user + cpu.system) / messagesPerRound, busyUsPerMsg: (elu.active * 1000) / messagesPerRound });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const subjects: Subject[] = [];
for (const [i, root] of roots.entries()) subjects.push(await start(root, i));
try {
  for (let r = 0; r <= rounds; r++) for (const s of subjects) await oneRound(s, r > 0);
} finally {
  for (const s of subjects) {
    s.clients.send('stop');
    s.profile?.disconnect();
    await s.server.close();
    if (s.dataDir) rmSync(s.dataDir, { recursive: true, force: true });
  }
}

const range = (xs: number[], digits: number): string => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
console.log(`pairs=${pairs} count=${count} rounds=${rounds} store=${values.store} caps=${caps.join(',') || '-'}${values.dist ? ' dist' : ''}: median [min–max] of the rounds`);
const first = subjects[0]!;
for (const s of subjects) {
  const cpu = s.rounds.map((r) => r.cpuUsPerMsg);
  // Each round against the first checkout's round just before it: the pairs share conditions.
  const ratio = s === first ? '' : `   vs 1: ${range(s.rounds.map((r, i) => r.cpuUsPerMsg / first.rounds[i]!.cpuUsPerMsg), 3)}×`;
  const perSec = s.rounds.map((r) => messagesPerRound / (r.wallMs / 1000));
  console.log(`${s.label.padEnd(16)} server CPU ${range(cpu, 2)} µs/msg${ratio}   busy ${range(s.rounds.map((r) => r.busyUsPerMsg), 2)} µs/msg   ${range(perSec, 0)} msg/s   (${s.root})`);
}
