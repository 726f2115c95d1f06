// The processes of a cluster bench: one Redis and one PostgreSQL for the whole run, and N
// `parlor serve --cluster` nodes started fresh for each workload. CPU and memory are read from
// /proc for every one of them (PostgreSQL is a postmaster and its backends).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres.ts';
import { startRedis, type RedisServer } from '../test/helpers/redis.ts';
import { sampleProcess } from './load/proc.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/** The log's stream and its position counter (src/cluster/redis-scripts.ts, namespace "parlor"). */
const STREAM_KEY = 'parlor:log';
const POSITION_KEY = `${STREAM_KEY}:position`;
export const NODE_IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

export interface Backends {
  redis: RedisServer;
  postgres: PostgresServer;
  /** Redis commands of the bench's own (FLUSHALL between runs, the log's position). */
  admin: Redis;
  postmasterPid: number;
  stop(): Promise<void>;
}

export async function startBackends(): Promise<Backends> {
  const redis = await startRedis();
  let postgres: PostgresServer | undefined;
  try {
    postgres = await startPostgres();
    const postmasterPid = findPostmaster(postgres.port);
    const admin = new Redis(redis.url, { commandTimeout: 10_000, maxRetriesPerRequest: 1, lazyConnect: true });
    await admin.connect();
    const pg = postgres;
    return {
      redis,
      postgres: pg,
      admin,
      postmasterPid,
      async stop() {
        admin.disconnect();
        await pg.close();
        await redis.stop();
      },
    };
  } catch (err) {
    await postgres?.close();
    await redis.stop();
    throw err;
  }
}

/** The log's position: every event any node appended (trimming does not lower it). */
export async function logPosition(backends: Backends): Promise<number> {
  return Number((await backends.admin.get(POSITION_KEY)) ?? 0);
}

/** Calls of each Redis command so far (INFO commandstats), e.g. xread, evalsha. */
export async function redisCommandCalls(backends: Backends): Promise<Map<string, number>> {
  const info = await backends.admin.info('commandstats');
  const calls = new Map<string, number>();
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) calls.set(m[1]!, Number(m[2]));
  }
  return calls;
}

/** The consumer group whose members write history (src/cli/cluster-node.ts). */
const HISTORY_GROUP = 'history';
const DRAIN_DEADLINE_MS = 60_000;
const DRAIN_POLL_MS = 20;

/**
 * Waits until the history writers have read and acknowledged every log entry (the group was
 * handed the newest entry, none pending): a message's work ends there. Returns seconds waited.
 */
export async function historyDrained(backends: Backends): Promise<number> {
  const start = performance.now();
  const deadline = Date.now() + DRAIN_DEADLINE_MS;
  for (;;) {
    // Not the group's lag: Redis cannot tell it once snapshots have trimmed the stream.
    const stream = toRecord((await backends.admin.call('XINFO', 'STREAM', STREAM_KEY)) as unknown[]);
    const groups = (await backends.admin.call('XINFO', 'GROUPS', STREAM_KEY)) as unknown[][];
    const group = groups.map(toRecord).find((g) => g.name === HISTORY_GROUP);
    if (!group || (group['last-delivered-id'] === stream['last-generated-id'] && group.pending === 0)) break;
    if (Date.now() > deadline) throw new Error(`history not written within ${DRAIN_DEADLINE_MS / 1000} s: ${JSON.stringify(group)}`);
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
  return (performance.now() - start) / 1000;
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** The postmaster is the postgres process started with `-c port=<port>`. */
function findPostmaster(port: number): number {
  for (const pid of livePids()) {
    const cmdline = readOr(`/proc/${pid}/cmdline`).split('\0');
    if (cmdline[0]?.endsWith('/postgres') && cmdline.includes(`port=${port}`)) return pid;
  }
  throw new Error(`no postgres process with port=${port} found in /proc`);
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process exited meanwhile
  }
}

function statFields(pid: number): string[] | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  if (stat === '') return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds of PostgreSQL: the postmaster, its live backends, and (cutime/cstime) the
 * backends that have exited, so the figure only grows.
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  const own = statFields(postmasterPid);
  if (!own) return 0;
  // Fields after the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of livePids()) {
    const fields = statFields(pid);
    if (fields && Number(fields[1]) === postmasterPid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

export interface ClusterNodeProcess {
  id: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export interface NodeOptions {
  id: string;
  configPath: string;
  dir: string;
  redisUrl: string;
  pgUrl: string;
  /** Writes a CPU profile (.cpuprofile) of the node here when it exits. */
  profileDir?: string | undefined;
}

/** Starts `parlor serve --cluster` and waits for its "joined cluster" line. */
export async function startNode(options: NodeOptions): Promise<ClusterNodeProcess> {
  const dataDir = join(options.dir, `data-${options.id}`);
  await mkdir(dataDir, { recursive: true });
  const args = [
    // One directory per node: the loader's thread writes a profile of its own.
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, `node-${options.id}`)}`] : []),
    'bin/parlor.js', 'serve', '--no-console', '--config', options.configPath,
    '--cluster', options.redisUrl, '--store', options.pgUrl, '--node-id', options.id, '--name', `${options.id}.bench.parlor`,
    '--host', '127.0.0.1', '--port', '0', '--no-web', '--data-dir', dataDir, '--log-level', 'warn',
  ];
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(kill);
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${options.id} did not join in ${START_TIMEOUT_MS / 1000} s; stderr:\n${err}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${options.id} exited (${String(code)}) before joining; stderr:\n${err}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const listening = /parlor listening on \S+:(\d+)/.exec(out);
      const joined = out.includes(`parlor node ${options.id} joined cluster`);
      if (listening && joined) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    });
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { id: options.id, pid: child.pid!, port, stop };
}

export interface ResourceSample {
  /** CPU seconds of each node, in node order. */
  nodeCpu: number[];
  nodeRss: number[];
  redisCpu: number;
  postgresCpu: number;
}

export function sampleResources(nodes: ClusterNodeProcess[], backends: Backends): ResourceSample {
  const samples = nodes.map((n) => sampleProcess(n.pid));
  return {
    nodeCpu: samples.map((s) => s.cpuSeconds),
    nodeRss: samples.map((s) => s.rssBytes),
    redisCpu: backends.redis.pid === undefined ? 0 : sampleProcess(backends.redis.pid).cpuSeconds,
    postgresCpu: postgresCpuSeconds(backends.postmasterPid),
  };
}

/** What was spent between two samples. */
export function cpuBetween(from: ResourceSample, to: ResourceSample): { nodes: number[]; redis: number; postgres: number } {
  return {
    nodes: to.nodeCpu.map((c, i) => c - from.nodeCpu[i]!),
    redis: to.redisCpu - from.redisCpu,
    postgres: to.postgresCpu - from.postgresCpu,
  };
}
