// Registration and JOIN without sockets: a server from createServer (the config of
// register-micro.ts) in this process, N connections that are plain objects (the Connection
// interface; output queued and encoded into one Buffer per "turn", as tcp.ts does), each
// sending NICK and USER; then, with --join, every user JOINs one room in turn. Measures the
// main thread's time on a CPU (Linux schedstat) per registration and per JOIN: the server's
// own JavaScript, without the kernel's socket work or a load generator on the same cores,
// so that an A/B comparison on a shared, busy machine is steadier than register-micro's.
//
//   node --import tsx bench/register-core.ts [--n 500] [--reps 10] [--cold] [--join 2000]
//        [--store sqlite|memory] [--root /path/to/other/checkout] [--profile DIR]
//
// --cold: a fresh process for every run, measuring the first N registrations (a cold JIT, as
// `npm run bench` has); otherwise every run gets a fresh server in this process and the first
// run is left out. --join J registers J users (instead of N) and measures their JOINs of #big.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchServerInput, CpuProfiler, mainThreadCpuNs, repeatRuns, spread } from './micro-common.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    n: { type: 'string', default: '500' },
    join: { type: 'string', default: '0' },
    reps: { type: 'string', default: '10' },
    root: { type: 'string' },
    cold: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(values.root ?? join(here, '..'));
const joiners = Number(values.join);
const n = joiners > 0 ? joiners : Number(values.n);
const reps = Number(values.reps);

interface Run {
  /** Main thread CPU per registration (accept, NICK, USER, the welcome encoded), µs. */
  regUs: number;
  /** Main thread CPU per JOIN (the fan-out to every member and NAMES encoded), µs. */
  joinUs: number;
  /** Bytes written per JOIN, over all members. */
  joinBytes: number;
}


interface Handler {
  onLine(line: string, bytes: number): void;
  onClose(reason: string): void;
}

/** A connection without a socket: what tcp.ts does with output, minus the write itself. */
class FakeConnection {
  static nextId = 0;
  readonly id = `fake-${++FakeConnection.nextId}`;
  readonly transport = 'tcp';
  readonly remotePort = 40000;
  readonly secure = false;
  closed = false;
  handler: Handler | undefined;
  private queue: (string | Buffer)[] | undefined;
  private pending = 0;
  private buffers = false;
  written = 0;

  constructor(
    readonly remoteAddress: string,
    private readonly dirty: FakeConnection[],
  ) {}

  attach(handler: Handler): void {
    this.handler = handler;
  }
  send(line: string): void {
    this.enqueue(line + '\r\n', Buffer.byteLength(line) + 2);
  }
  sendPrepared(line: Buffer): void {
    this.buffers = true;
    this.enqueue(line, line.length);
  }
  private enqueue(data: string | Buffer, bytes: number): void {
    if (this.queue === undefined) {
      this.queue = [];
      this.dirty.push(this);
    }
    this.queue.push(data);
    this.pending += bytes;
  }
  flush(): void {
    const queue = this.queue;
    if (queue === undefined) return;
    this.queue = undefined;
    let out: Buffer;
    if (queue.length === 1) out = typeof queue[0] === 'string' ? Buffer.from(queue[0]) : queue[0]!;
    else if (!this.buffers) out = Buffer.from(queue.join(''), 'utf8');
    else {
      out = Buffer.allocUnsafe(this.pending);
      let offset = 0;
      for (const item of queue) offset += typeof item === 'string' ? out.write(item, offset) : item.copy(out, offset);
    }
    this.written += out.length;
    this.pending = 0;
    this.buffers = false;
  }
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.handler?.onClose(reason);
  }
  pause(): void {}
  resume(): void {}
  get queuedBytes(): number {
    return this.pending;
  }
  whenDrained(): Promise<void> {
    return Promise.resolve();
  }
  keepAlive(): void {}
}

async function oneRun(): Promise<Run> {
  const { parseConfig } = await import(join(root, 'src/server/config.ts'));
  const { createServer } = await import(join(root, 'src/server/server.ts'));
  const { createLogger } = await import(join(root, 'src/cli/logger.ts'));
  let dataDir: string | undefined;
  let store: unknown;
  if (values.store === 'sqlite') {
    const { SqliteStore } = await import(join(root, 'src/storage/sqlite-store.ts'));
    dataDir = mkdtempSync(join(os.tmpdir(), 'parlor-regcore-'));
    store = new SqliteStore({ path: join(dataDir, 'parlor.db') });
  } else {
    const { MemoryStore } = await import(join(root, 'src/storage/memory-store.ts'));
    store = new MemoryStore();
  }
  const config = parseConfig(benchServerInput());
  const server = createServer({ config, store, logger: createLogger({ level: 'warn', format: 'json' }) });
  await server.listen();
  const dirty: FakeConnection[] = [];
  /** One event-loop turn's writes: every connection with output encodes it once. */
  const flush = (): void => {
    for (const c of dirty.splice(0)) c.flush();
  };
  const conns: FakeConnection[] = [];
  const profiler = values.profile ? await CpuProfiler.open() : undefined;
  await profiler?.start();
  const reg0 = mainThreadCpuNs();
  for (let k = 0; k < n; k++) {
    const conn = new FakeConnection(`10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, dirty);
    conns.push(conn);
    server.accept(conn);
    conn.handler!.onLine(`NICK c${k}`, 8);
    conn.handler!.onLine('USER b 0 * :bench client', 25);
    // Many connections register in one turn of the real server.
    if (k % 50 === 49) flush();
  }
  flush();
  await new Promise((r) => setImmediate(r));
  const regNs = mainThreadCpuNs() - reg0;
  const unregistered = conns.filter((c) => c.written === 0 || ![...server.sessions].some((s: { conn: unknown; registered: boolean }) => s.conn === c && s.registered)).length;
  if (unregistered > 0) throw new Error(`${unregistered} connections did not register`);
  let joinNs = 0;
  let joinBytes = 0;
  if (joiners > 0) {
    const before = conns.reduce((a, c) => a + c.written, 0);
    const join0 = mainThreadCpuNs();
    for (let k = 0; k < n; k++) {
      conns[k]!.handler!.onLine('JOIN #big', 9);
      if (k % 50 === 49) flush();
    }
    flush();
    await new Promise((r) => setImmediate(r));
    joinNs = mainThreadCpuNs() - join0;
    joinBytes = (conns.reduce((a, c) => a + c.written, 0) - before) / n;
  }
  if (profiler) {
    await profiler.save(values.profile!, `regcore-${process.pid}-${Date.now()}`);
    profiler.close();
  }
  for (const c of conns) c.close('bye');
  await server.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  return { regUs: regNs / 1000 / n, joinUs: joinNs / 1000 / n, joinBytes };
}

const childArgs = [fileURLToPath(import.meta.url), '--json', '--reps', '1', '--n', String(n), '--join', String(joiners), '--store', values.store!, '--root', root];
if (values.profile) childArgs.push('--profile', values.profile);
const runs = await repeatRuns<Run>({ oneRun, reps, cold: values.cold!, json: values.json!, childArgs, cwd: root });

if (values.json) {
  process.stdout.write(JSON.stringify(runs));
} else {
  const f = (k: keyof Run, digits = 1): string => spread(runs, k, digits);
  console.log(`${root} store=${values.store} n=${n} ${values.cold ? 'cold' : 'warm'} runs=${runs.length} (median [min–max])`);
  console.log(`  CPU µs a registration ${f('regUs')}` + (joiners > 0 ? `   CPU µs a JOIN ${f('joinUs')}   bytes a JOIN ${f('joinBytes', 0)}` : ''));
}
