// `npm run bench -- --cluster 1,2,3 [--quick] [--idle N]`: for each node count, every workload
// on N fresh `parlor serve --cluster` nodes (ids a, b, c…) sharing one Redis (the log) and one
// PostgreSQL (the store). Reports deliveries/s, CPU per delivery summed over the nodes, Redis
// and PostgreSQL, each node's share, same- vs cross-node latency, log events/s, and memory per
// idle connection. Results go to <out>/cluster-latest.{json,md}.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { runIdle, type IdleResult } from './cluster-idle.ts';
import { clusterWorkloads, latencyOf, runLoad, type ClusterWorkload } from './cluster-load.ts';
import { cpuBetween, historyDrained, logPosition, redisCommandCalls, NODE_IDS, sampleResources, startBackends, startNode, type Backends, type ClusterNodeProcess, type ResourceSample } from './cluster-nodes.ts';
import { clusterMarkdown, type LoadResult } from './cluster-report.ts';

export interface ClusterBenchOptions {
  nodeCounts: number[];
  quick: boolean;
  /** Idle connections per node. */
  idlePerNode: number;
  only?: string[] | undefined;
  outDir: string;
  /** CPU profiles of the nodes, one directory per node count and workload. */
  profileDir?: string | undefined;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const nodesLabel = (count: number): string => `${count} node${count === 1 ? '' : 's'}`;

/** The single-server bench's settings (bench/parlor-bench.yaml) plus a cluster's. */
async function writeConfig(dir: string): Promise<string> {
  const base = parseYaml(await readFile(join(here, 'parlor-bench.yaml'), 'utf8')) as Record<string, unknown>;
  delete base.storage; // --store and --data-dir per node
  const path = join(dir, 'parlor-cluster.yaml');
  await writeFile(path, toYaml(base));
  return path;
}

async function startNodes(count: number, backends: Backends, dir: string, configPath: string, profileDir?: string): Promise<ClusterNodeProcess[]> {
  await backends.admin.flushall();
  const pgUrl = await backends.postgres.newDatabase();
  const nodes: ClusterNodeProcess[] = [];
  try {
    // One after another: the first migrates the fresh database, each prints "joined (k nodes)".
    for (const id of NODE_IDS.slice(0, count)) {
      nodes.push(await startNode({ id, configPath, dir, redisUrl: backends.redis.url, pgUrl, profileDir }));
    }
    return nodes;
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
}

async function measureLoad(w: ClusterWorkload, nodes: ClusterNodeProcess[], backends: Backends): Promise<LoadResult> {
  let from: ResourceSample | undefined;
  let to: ResourceSample | undefined;
  let positionFrom = 0;
  let positionTo = 0;
  let historySeconds = NaN;
  let callsFrom = new Map<string, number>();
  let callsTo = new Map<string, number>();
  const loadCpu0 = process.cpuUsage();
  const run = await runLoad(
    w,
    nodes.map((n) => n.port),
    {
      beforeSend: async () => {
        positionFrom = await logPosition(backends);
        callsFrom = await redisCommandCalls(backends);
        from = sampleResources(nodes, backends);
      },
      afterSend: async () => {
        positionTo = await logPosition(backends);
        // The work a message causes ends when its history is written: CPU is counted up to then.
        historySeconds = await historyDrained(backends);
        callsTo = await redisCommandCalls(backends);
        to = sampleResources(nodes, backends);
      },
    },
  );
  const loadCpu = process.cpuUsage(loadCpu0);
  const cpu = cpuBetween(from!, to!);
  const received = run.workers.reduce((n, o) => n + o.received, 0);
  const seconds = (Math.max(...run.workers.map((o) => o.lastReceivedAt)) - run.sendStart) / 1000;
  const all = latencyOf(run, () => true);
  const same = latencyOf(run, (node) => node === 0);
  const cross = latencyOf(run, (node) => node !== 0);
  const nodeDeliveries = nodes.map((_, i) => run.workers.filter((o) => o.node === i).reduce((n, o) => n + o.received, 0));
  return {
    nodes: nodes.length,
    workload: w.name,
    measure: w.measure,
    clients: w.clients.length,
    registered: run.registered,
    expected: w.expected,
    received,
    lost: Math.max(0, w.expected - received),
    disconnects: run.workers.reduce((n, o) => n + o.disconnects, 0),
    seconds,
    deliveriesPerSec: seconds > 0 ? received / seconds : 0,
    latP50Ms: all.percentile(50),
    latP99Ms: all.percentile(99),
    sameP50Ms: same.percentile(50),
    sameP99Ms: same.percentile(99),
    crossP50Ms: cross.percentile(50),
    crossP99Ms: cross.percentile(99),
    nodeCpuSeconds: cpu.nodes,
    nodeDeliveries,
    redisCpuSeconds: cpu.redis,
    postgresCpuSeconds: cpu.postgres,
    loadCpuSeconds: (loadCpu.user + loadCpu.system) / 1e6,
    logEvents: positionTo - positionFrom,
    historyDrainSeconds: historySeconds,
    xreadCalls: (callsTo.get('xread') ?? 0) - (callsFrom.get('xread') ?? 0),
    redisCalls: Object.fromEntries([...callsTo].map(([name, n]) => [name, n - (callsFrom.get(name) ?? 0)]).filter(([, n]) => n !== 0)),
    errors: [...new Set(run.workers.flatMap((o) => o.errors))].slice(0, 5),
  };
}

export async function runClusterBench(options: ClusterBenchOptions): Promise<number> {
  const scratch = await mkdtemp(join(os.tmpdir(), 'parlor-cluster-bench-'));
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  console.log(`machine: ${machine}`);
  const loads: LoadResult[] = [];
  let failures = 0;
  const idles: IdleResult[] = [];
  const wanted = (name: string): boolean => !options.only || options.only.some((o) => name.startsWith(o));
  let backends: Backends | undefined;
  try {
    backends = await startBackends();
    console.log(`redis ${backends.redis.url} (pid ${backends.redis.pid}), postgresql port ${backends.postgres.port} (postmaster pid ${backends.postmasterPid})`);
    const configPath = await writeConfig(scratch);
    for (const count of options.nodeCounts) {
      const list = clusterWorkloads(count, { factor: options.quick ? 0.25 : 1 }).filter((w) => wanted(w.name));
      for (const w of list) {
        const profileDir = options.profileDir && join(options.profileDir, `${count}-${w.name}`);
        const nodes = await startNodes(count, backends, scratch, configPath, profileDir);
        try {
          const r = await measureLoad(w, nodes, backends);
          loads.push(r);
          console.log(`- ${nodesLabel(count)} ${w.name}: ${Math.round(r.deliveriesPerSec).toLocaleString('en-US')}/s, lost ${r.lost}, disconnects ${r.disconnects}${r.errors.length ? `, errors: ${r.errors.join('; ')}` : ''}`);
        } catch (err) {
          failures++;
          console.log(`- ${nodesLabel(count)} ${w.name}: FAILED ${(err as Error).message}`);
        } finally {
          await Promise.all(nodes.map((n) => n.stop()));
        }
      }
      if (wanted('idle')) {
        const nodes = await startNodes(count, backends, scratch, configPath);
        try {
          const r = await runIdle(nodes, options.idlePerNode);
          idles.push(r);
          console.log(`- ${nodesLabel(count)} idle-${options.idlePerNode}: ${r.held}/${count * options.idlePerNode} held, disconnects ${r.disconnects}${r.errors.length ? `, errors: ${r.errors.join('; ')}` : ''}`);
        } catch (err) {
          failures++;
          console.log(`- ${nodesLabel(count)} idle: FAILED ${(err as Error).message}`);
        } finally {
          await Promise.all(nodes.map((n) => n.stop()));
        }
      }
    }
  } finally {
    await backends?.stop();
    await rm(scratch, { recursive: true, force: true });
  }

  const table = clusterMarkdown(loads, idles);
  console.log(`\n${table}\n`);
  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, 'cluster-latest.json'), JSON.stringify({ date: new Date().toISOString(), machine, quick: options.quick, loads, idles }, null, 2));
  await writeFile(join(options.outDir, 'cluster-latest.md'), `${table}\n`);
  console.log(`results written to ${options.outDir}`);
  const bad = failures > 0 || loads.some((r) => r.lost > 0 || r.disconnects > 0) || idles.some((r) => r.failed > 0 || r.disconnects > 0);
  if (bad) console.log('WARNING: failed runs, losses, failed registrations or disconnects (see above)');
  return bad ? 1 : 0;
}
