// Registration micro-benchmark, in process: a server from createServer (the config of
// bench/parlor-bench.yaml) on this thread, N raw TCP clients connecting at once from a worker
// thread. Per run: wall time from the first connect to the last 001, the server thread's busy
// time (event-loop utilization) and the time spent in command handlers, per registration.
//
//   node --import tsx bench/register-micro.ts [--store sqlite|memory] [--n 500] [--reps 10]
//        [--root /path/to/other/checkout] [--cold]
//
// --root runs another checkout's server (an older commit's worktree, say) with this script.
// --cold starts a fresh process for every run, as `npm run bench` does (a cold JIT); otherwise
// every run gets a fresh server in this one process and the first run is left out.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { CpuProfiler, mainThreadCpuNs, repeatRuns, spread } from './micro-common.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    n: { type: 'string', default: '500' },
    reps: { type: 'string', default: '10' },
    root: { type: 'string' },
    cold: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    /** Writes a CPU profile of each run's registration window (server thread) into this folder. */
    profile: { type: 'string' },
  },
});
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(values.root ?? join(here, '..'));
const n = Number(values.n);
const reps = Number(values.reps);

interface Run {
  wallMs: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Server thread busy time over the run, per registration. */
  busyUsPerReg: number;
  /** Server thread time on a CPU over the run (schedstat), per registration: unlike busy time, not inflated by other processes on a shared machine. */
  cpuUsPerReg: number;
  /** Inside command handlers (NICK, USER), per registration. */
  handlerUsPerReg: number;
  /** Inside accept(), per connection. */
  acceptUsPerConn: number;
  /** Server thread idle share over the run. */
  idle: number;
  /** The slowest single accept() and handler call (one-time costs show here). */
  acceptMaxMs: number;
  handlerMaxMs: number;
}

// The clients: plain JavaScript, so the worker needs no loader.
const CLIENT_SOURCE = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { port, n } = workerData;
const start = performance.now();
const times = [];
let done = 0;
const sockets = [];
for (let k = 0; k < n; k++) {
  const t0 = performance.now();
  const s = net.connect({ port, host: '127.0.0.1' });
  sockets.push(s);
  s.setNoDelay(true);
  let rest = '';
  let registered = false;
  s.on('connect', () => s.write('NICK c' + k + '\\r\\nUSER b 0 * :bench client\\r\\n'));
  s.on('data', (chunk) => {
    if (registered) return;
    let data = rest + chunk.toString('latin1');
    let from = 0, nl;
    while ((nl = data.indexOf('\\n', from)) !== -1) {
      const line = data.slice(from, nl);
      from = nl + 1;
      const sp = line.indexOf(' ');
      if (line.slice(sp + 1, sp + 4) === '001') {
        registered = true;
        times.push(performance.now() - t0);
        if (++done === n) {
          const wallMs = performance.now() - start;
          for (const x of sockets) x.destroy();
          parentPort.postMessage({ wallMs, times });
        }
        return;
      }
    }
    rest = data.slice(from);
  });
  s.on('error', (err) => parentPort.postMessage({ error: err.message }));
}
`;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function oneRun(): Promise<Run> {
  const { parseConfig } = await import(join(root, 'src/server/config.ts'));
  const { createServer } = await import(join(root, 'src/server/server.ts'));
  const input: Record<string, unknown> = {
    server: { name: 'bench.parlor', port: 0 },
    limits: { sendQueueBytes: 10485760, pingIntervalMs: 600000, registrationTimeoutMs: 600000, channelsPerUser: 100 },
  };
  const isCurrentApi = 'storage' in parseConfig({});
  let dataDir: string | undefined;
  let store: unknown;
  let logger: unknown;
  if (isCurrentApi) {
    Object.assign(input, {
      connections: { max: 100000 },
      flood: { burst: 1000000, commandsPerSecond: 1000000, recvQueueBytes: 10485760 },
      admin: { auditLog: null },
      web: { enabled: false },
    });
    if (values.store === 'sqlite') {
      const { SqliteStore } = await import(join(root, 'src/storage/sqlite-store.ts'));
      dataDir = mkdtempSync(join(os.tmpdir(), 'parlor-regmicro-'));
      store = new SqliteStore({ path: join(dataDir, 'parlor.db') });
    } else {
      const { MemoryStore } = await import(join(root, 'src/storage/memory-store.ts'));
      store = new MemoryStore();
    }
    // As `parlor serve --log-level warn` writes: pino, synchronously, to stderr.
    const { createLogger } = await import(join(root, 'src/cli/logger.ts'));
    logger = createLogger({ level: 'warn', format: 'json' });
  }
  const server = createServer({ config: parseConfig(input), ...(store ? { store } : {}), ...(logger ? { logger } : {}) });
  let handlerMs = 0;
  let acceptMs = 0;
  let acceptMaxMs = 0;
  let handlerMaxMs = 0;
  const dispatch = server.dispatch.bind(server);
  server.dispatch = (session: unknown, msg: unknown) => {
    const t = performance.now();
    try {
      return dispatch(session, msg);
    } finally {
      const spent = performance.now() - t;
      handlerMs += spent;
      handlerMaxMs = Math.max(handlerMaxMs, spent);
    }
  };
  const accept = server.accept.bind(server);
  server.accept = (conn: unknown) => {
    const t = performance.now();
    accept(conn);
    const spent = performance.now() - t;
    acceptMs += spent;
    acceptMaxMs = Math.max(acceptMaxMs, spent);
  };
  const { port } = await server.listen();
  const profiler = values.profile ? await CpuProfiler.open() : undefined;
  await profiler?.start();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuNs();
  const result = await new Promise<{ wallMs: number; times: number[] }>((done, fail) => {
    const worker = new Worker(CLIENT_SOURCE, { eval: true, workerData: { port, n } });
    worker.on('message', (m: { error?: string; wallMs: number; times: number[] }) => {
      if (m.error) fail(new Error(m.error));
      else done(m);
      void worker.terminate();
    });
    worker.on('error', fail);
  });
  const elu = performance.eventLoopUtilization(elu0);
  const cpuNs = mainThreadCpuNs() - cpu0;
  if (profiler) {
    await profiler.save(values.profile!, `register-${process.pid}-${Date.now()}`);
    profiler.close();
  }
  await server.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  const sorted = [...result.times].sort((a, b) => a - b);
  return {
    wallMs: result.wallMs,
    perSec: n / (result.wallMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    busyUsPerReg: (elu.active * 1000) / n,
    cpuUsPerReg: cpuNs / 1000 / n,
    handlerUsPerReg: (handlerMs * 1000) / n,
    acceptUsPerConn: (acceptMs * 1000) / n,
    idle: 1 - elu.utilization,
    acceptMaxMs,
    handlerMaxMs,
  };
}

const childArgs = [fileURLToPath(import.meta.url), '--json', '--reps', '1', '--n', String(n), '--store', values.store!, '--root', root, ...(values.profile ? ['--profile', values.profile] : [])];
const runs = await repeatRuns<Run>({ oneRun, reps, cold: values.cold!, json: values.json!, childArgs, cwd: root });

if (values.json) {
  process.stdout.write(JSON.stringify(runs));
} else {
  const f = (k: keyof Run, digits = 0): string => spread(runs, k, digits);
  console.log(`${root} store=${values.store} n=${n} ${values.cold ? 'cold' : 'warm'} runs=${runs.length} (median [min–max])`);
  console.log(`  registrations/s ${f('perSec')}   wall ${f('wallMs', 1)} ms   p50 ${f('p50Ms', 1)} ms   p99 ${f('p99Ms', 1)} ms`);
  console.log(`  server busy ${f('busyUsPerReg', 1)} µs/reg   on a CPU ${f('cpuUsPerReg', 1)} µs/reg   handlers ${f('handlerUsPerReg', 1)} µs/reg   accept ${f('acceptUsPerConn', 1)} µs/conn   idle ${f('idle', 2)}`);
  console.log(`  slowest single call: accept ${f('acceptMaxMs', 2)} ms   handler ${f('handlerMaxMs', 2)} ms`);
}
