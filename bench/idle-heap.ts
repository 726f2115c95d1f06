// What an idle registered connection costs, and where: a server from createServer (the config of
// bench/parlor-bench.yaml, SQLite store) in this process, N raw TCP clients from a child process
// that register (NICK, USER) and then sit idle.
//
//   node --import tsx bench/idle-heap.ts [--n 10000] [--store sqlite|memory] [--root DIR]
//        [--no-snapshot] [--top 40] [--keep DIR]
//
// Prints, per connection: RSS growth right after the last 001 (what `npm run bench`'s idle-N
// reports: garbage of registration included) and after a full GC; V8 heapUsed, external and
// arrayBuffers growth. Then, unless --no-snapshot, a heap snapshot is taken with the clients
// connected and another after they have all gone (the baseline: taking it first would leave
// its own memory in the RSS figures), and the difference is printed by constructor: count,
// shallow bytes, bytes per connection. The file descriptor limit is raised as bench/run.sh does.
// --root runs another checkout's server (an older commit's worktree) with this script.
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchServerInput } from './micro-common.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    store: { type: 'string', default: 'sqlite' },
    root: { type: 'string' },
    'no-snapshot': { type: 'boolean', default: false },
    top: { type: 'string', default: '40' },
    /** Keep the two snapshots in this folder (for Chrome DevTools' comparison view). */
    keep: { type: 'string' },
    /** Set by the re-exec below: the descriptor limit is already raised. */
    'fd-raised': { type: 'boolean', default: false },
    'client-child': { type: 'boolean', default: false },
    /** Sample every allocation over the registration window, garbage included, and print the top functions. */
    allocations: { type: 'boolean', default: false },
    /** No warm-up round: code compiled and spaces grown during registration count, as in `npm run bench`. */
    cold: { type: 'boolean', default: false },
    /** The clients' real name (the bench's is "bench client"), and a line each sends first, in the same packet. */
    realname: { type: 'string', default: 'bench client' },
    preamble: { type: 'string' },
    /** For these groups (comma-separated, as printed), what holds them: retainer and edge, counted. */
    retainers: { type: 'string' },
  },
});

const self = fileURLToPath(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(values.root ?? join(here, '..'));
const n = Number(values.n);

// ---- The clients (a child process, so that their memory is not the server's) ----
if (values['client-child']) {
  await runClients();
  // runClients keeps the process alive until told to close.
} else if (!values['fd-raised']) {
  // N sockets in this process and N in the child: raise the soft limit to the hard one.
  // Room to parse two snapshots; in NODE_OPTIONS, as the store's worker thread refuses it in execArgv.
  const args = [...process.execArgv, self, '--fd-raised', ...process.argv.slice(2)];
  const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=4096` };
  const child = spawnSync('bash', ['-c', `ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${quoted}`], { stdio: 'inherit', cwd: root, env });
  process.exit(child.status ?? 1);
} else {
  await measure();
}

async function runClients(): Promise<void> {
  const net = await import('node:net');
  const port = Number(process.env.IDLE_HEAP_PORT);
  const count = Number(process.env.IDLE_HEAP_N);
  const realname = values.realname!;
  const preamble = values.preamble === undefined ? '' : `${values.preamble}\r\n`;
  const sockets: import('node:net').Socket[] = [];
  const send = (m: object): void => void process.send!(m);
  let registered = 0;
  let started = 0;
  let closed = 0;
  const CONCURRENCY = 250;
  const startOne = (): void => {
    const k = started++;
    const s = net.connect({ port, host: '127.0.0.1' });
    sockets.push(s);
    let seen = '';
    let done = false;
    s.on('connect', () => s.write(`${preamble}NICK i${k}\r\nUSER b 0 * :${realname}\r\n`));
    s.on('data', (chunk: Buffer) => {
      if (done) return; // idle from now on: later lines (none expected) are dropped
      seen = (seen + chunk.toString('latin1')).slice(-4096);
      if (/^:\S+ 001 /m.test(seen)) {
        done = true;
        seen = '';
        if (++registered === count) send({ type: 'registered' });
        else if (started < count) startOne();
      }
    });
    s.on('error', (err) => send({ type: 'error', message: err.message }));
    s.on('close', () => {
      if (++closed === count) send({ type: 'closed' });
    });
  };
  for (let i = 0; i < Math.min(CONCURRENCY, count); i++) startOne();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'close') for (const s of sockets) s.destroy();
    if (m.type === 'exit') process.exit(0);
  });
}

/** RSS of the main thread's malloc arena (the `[heap]` mapping): sockets, libuv, read buffers. */
function mallocHeapRss(): number {
  const smaps = readFileSync('/proc/self/smaps', 'utf8');
  const at = smaps.indexOf(' [heap]\n');
  if (at === -1) return 0;
  const m = /\nRss:\s+(\d+) kB/.exec(smaps.slice(at));
  return m ? Number(m[1]) * 1024 : 0;
}

interface Memory {
  mallocHeap: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

async function measure(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const fullGc = (): void => {
    for (let i = 0; i < 3; i++) gc();
  };
  const memory = (): Memory => {
    const m = process.memoryUsage();
    return { mallocHeap: mallocHeapRss(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  };

  const { parseConfig } = await import(join(root, 'src/server/config.ts'));
  const { createServer } = await import(join(root, 'src/server/server.ts'));
  const input = benchServerInput();

  const dataDir = mkdtempSync(join(os.tmpdir(), 'parlor-idleheap-'));
  let store: unknown;
  if (values.store === 'sqlite') {
    const { SqliteStore } = await import(join(root, 'src/storage/sqlite-store.ts'));
    store = new SqliteStore({ path: join(dataDir, 'parlor.db') });
  } else {
    const { MemoryStore } = await import(join(root, 'src/storage/memory-store.ts'));
    store = new MemoryStore();
  }
  const { createLogger } = await import(join(root, 'src/cli/logger.ts'));
  const logger = createLogger({ level: 'warn', format: 'json' });
  const server = createServer({ config: parseConfig(input), store, logger });
  const { port } = await server.listen();
  const sessions = (server as unknown as { sessions: Set<unknown> }).sessions;
  const openSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  const socketsAtStart = openSockets();

  const waitFor = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise((r) => setTimeout(r, 20));
  };
  const clients = (count: number): { ready: Promise<void>; close(): Promise<void> } => {
    const clientArgs = ['--client-child', '--realname', values.realname!, ...(values.preamble === undefined ? [] : ['--preamble', values.preamble])];
    const child = fork(self, clientArgs, { env: { ...process.env, IDLE_HEAP_PORT: String(port), IDLE_HEAP_N: String(count) }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let onClosed: () => void = () => {};
    const ready = new Promise<void>((done, fail) => {
      child.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'registered') done();
        else if (m.type === 'closed') onClosed();
        else if (m.type === 'error') fail(new Error(m.message));
      });
      child.on('exit', (code) => fail(new Error(`clients exited with ${code}`)));
    });
    return {
      ready,
      close: async () => {
        const gone = new Promise<void>((r) => (onClosed = r));
        child.send({ type: 'close' });
        await gone;
        child.send({ type: 'exit' });
        // Sessions end at the client's FIN; their sockets close a moment later.
        await waitFor(() => sessions.size === 0 && openSockets() <= socketsAtStart);
      },
    };
  };

  // Warm up: compile the registration path and make what is made once per server.
  if (!values.cold) {
    const warm = clients(Math.min(500, n));
    await warm.ready;
    await warm.close();
    await new Promise((r) => setTimeout(r, 200));
    fullGc();
  }
  const before = memory();
  const spacesBefore = v8.getHeapSpaceStatistics();
  const sampler = values.allocations ? await startAllocationSampling() : undefined;
  const run = clients(n);
  await run.ready;
  await waitFor(() => sessions.size === n);
  const afterRegister = memory();
  const spacesAfter = v8.getHeapSpaceStatistics();
  const allocations = await sampler?.stop();
  fullGc();
  const afterGc = memory();

  const per = (a: number, b: number): string => `${((b - a) / n).toFixed(0)} B`;
  console.log(`${root} store=${values.store} n=${n}, per connection:`);
  console.log(`  RSS right after the last 001 ${per(before.rss, afterRegister.rss)} (as bench idle-N), after a full GC ${per(before.rss, afterGc.rss)}`);
  console.log(`  heapUsed ${per(before.heapUsed, afterGc.heapUsed)}   external ${per(before.external, afterGc.external)}   arrayBuffers ${per(before.arrayBuffers, afterGc.arrayBuffers)}   (after GC; heapUsed before GC ${per(before.heapUsed, afterRegister.heapUsed)})`);
  console.log(`  heapTotal ${per(before.heapTotal, afterGc.heapTotal)} (V8 pages: used and free); RSS outside the V8 heap (sockets, libuv handles, malloc) ${per(before.rss - before.heapTotal, afterGc.rss - afterGc.heapTotal)}`);

  const spaceGrowth = spacesAfter
    .map((after) => {
      const b = spacesBefore.find((x) => x.space_name === after.space_name)!;
      return `${after.space_name.replace('_space', '')} ${((after.space_size - b.space_size) / 2 ** 20).toFixed(1)}`;
    })
    .join(', ');
  console.log(`  malloc's main arena ([heap]) ${per(before.mallocHeap, afterRegister.mallocHeap)} right after, ${per(before.mallocHeap, afterGc.mallocHeap)} after GC`);
  console.log(`  V8 spaces' committed size, growth over registration (MB): ${spaceGrowth}`);
  if (allocations) printAllocations(allocations, n, Number(values.top));

  if (!values['no-snapshot']) {
    const dir = values.keep ? resolve(values.keep) : dataDir;
    mkdirSync(dir, { recursive: true });
    const withClients = v8.writeHeapSnapshot(join(dir, 'connected.heapsnapshot'));
    await run.close();
    fullGc();
    const baseline = v8.writeHeapSnapshot(join(dir, 'baseline.heapsnapshot'));
    const left = memory();
    console.log(`  left after all ${n} closed (heapUsed vs before): ${per(before.heapUsed, left.heapUsed)}`);
    await server.close();
    const diff = diffSnapshots(summarize(baseline), summarize(withClients));
    printDiff(diff, n, Number(values.top));
    if (values.retainers) printRetainers(withClients, baseline, values.retainers.split(','), n);
  } else {
    await run.close();
    await server.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** The sampling heap profiler, keeping the samples of objects collected since (garbage counts). */
async function startAllocationSampling(): Promise<{ stop(): Promise<SamplingNode> }> {
  const inspector = await import('node:inspector/promises');
  const session = new inspector.Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
  return {
    stop: async () => {
      const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
      session.disconnect();
      return profile.head;
    },
  };
}

/** Bytes allocated per registration by the function that allocated them (self), most first. */
function printAllocations(head: SamplingNode, n: number, top: number): void {
  const bySite = new Map<string, number>();
  const walk = (node: SamplingNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(head);
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  console.log(`\nallocated over registration, garbage included: ${(total / n).toFixed(0)} B per connection; by function (self):`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(bytes / n).toFixed(0).padStart(8)}  ${site}`);
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  count: number;
  bytes: number;
}

/** Nodes of a heap snapshot grouped as DevTools' summary does: by constructor, or by kind. */
function summarize(file: string): Map<string, Group> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const groups = new Map<string, Group>();
  const { stride, sizeAt, keyOf } = nodeReader(snapshot);
  for (let i = 0; i < snapshot.nodes.length; i += stride) {
    const key = keyOf(i);
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.nodes[i + sizeAt]!;
    groups.set(key, group);
  }
  return groups;
}

function nodeReader(snapshot: Snapshot): { stride: number; sizeAt: number; edgeCountAt: number; keyOf(i: number): string } {
  const { node_fields: fields, node_types: nodeTypes } = snapshot.snapshot.meta;
  const types = nodeTypes[0];
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const { nodes, strings } = snapshot;
  const keyOf = (i: number): string => {
    const type = types[nodes[i + typeAt]!]!;
    const name = strings[nodes[i + nameAt]!]!;
    switch (type) {
      case 'object':
      case 'native':
        return name;
      case 'closure':
        return `(closure) ${name || '(anonymous)'}`;
      case 'array':
      case 'hidden':
      case 'object shape':
      case 'synthetic':
        return `(${type}) ${name.replace(/ @\d+$/, '').slice(0, 60)}`;
      default:
        return `(${type})`;
    }
  };
  return { stride: fields.length, sizeAt: fields.indexOf('self_size'), edgeCountAt: fields.indexOf('edge_count'), keyOf };
}

/**
 * Which objects (and through which property) hold the nodes of the given groups that the
 * connections made (gone by the baseline: node ids are kept across snapshots), most common first.
 */
function printRetainers(file: string, baselineFile: string, wanted: string[], n: number): void {
  const base = JSON.parse(readFileSync(baselineFile, 'utf8')) as Snapshot;
  const baseStride = base.snapshot.meta.node_fields.length;
  const baseIdAt = base.snapshot.meta.node_fields.indexOf('id');
  const baseIds = new Set<number>();
  for (let i = 0; i < base.nodes.length; i += baseStride) baseIds.add(base.nodes[i + baseIdAt]!);
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const { stride, edgeCountAt, keyOf } = nodeReader(snapshot);
  const idAt = snapshot.snapshot.meta.node_fields.indexOf('id');
  const { edge_fields: edgeFields, edge_types: edgeTypes } = snapshot.snapshot.meta;
  const edgeStride = edgeFields.length;
  const edgeTypeAt = edgeFields.indexOf('type');
  const edgeNameAt = edgeFields.indexOf('name_or_index');
  const toAt = edgeFields.indexOf('to_node');
  const { nodes, edges, strings } = snapshot;
  const counts = new Map<string, number>();
  let edge = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const from = keyOf(i);
    for (let e = 0; e < nodes[i + edgeCountAt]!; e++, edge += edgeStride) {
      const target = edges[edge + toAt]!;
      if (baseIds.has(nodes[target + idAt]!)) continue;
      const to = keyOf(target);
      if (!wanted.includes(to)) continue;
      const type = edgeTypes[0][edges[edge + edgeTypeAt]!]!;
      if (type === 'weak') continue;
      const raw = type === 'element' || type === 'hidden' ? '[]' : strings[edges[edge + edgeNameAt]!]!;
      const name = /^\d+$/.test(raw) ? '[]' : raw;
      const key = `${to} <- ${from}.${name}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  console.log(`\nretainers of what the connections made, per connection:`);
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${(count / n).toFixed(2).padStart(8)}  ${key}`);
}

function diffSnapshots(base: Map<string, Group>, now: Map<string, Group>): [string, Group][] {
  const out: [string, Group][] = [];
  for (const [key, g] of now) {
    const b = base.get(key) ?? { count: 0, bytes: 0 };
    if (g.count !== b.count || g.bytes !== b.bytes) out.push([key, { count: g.count - b.count, bytes: g.bytes - b.bytes }]);
  }
  for (const [key, b] of base) if (!now.has(key)) out.push([key, { count: -b.count, bytes: -b.bytes }]);
  return out.sort((x, y) => y[1].bytes - x[1].bytes);
}

function printDiff(diff: [string, Group][], n: number, top: number): void {
  const total = diff.reduce((s, [, g]) => s + g.bytes, 0);
  console.log(`\nheap snapshot, connected minus baseline: ${(total / n).toFixed(0)} B shallow per connection`);
  console.log(`${'bytes/conn'.padStart(10)} ${'count/conn'.padStart(10)}  constructor or kind`);
  for (const [key, g] of diff.slice(0, top)) {
    console.log(`${(g.bytes / n).toFixed(1).padStart(10)} ${(g.count / n).toFixed(2).padStart(10)}  ${key}`);
  }
  const rest = diff.slice(top).reduce((s, [, g]) => s + g.bytes, 0);
  console.log(`${(rest / n).toFixed(1).padStart(10)} ${''.padStart(10)}  (the rest)`);
}

