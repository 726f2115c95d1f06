// Several real `parlor serve` processes forming one network on a real Redis (the log) and a
// real PostgreSQL (the store of record), for tests of the cluster as people run it (issue 14).
// Each node is a child process whose stdout and stderr are kept line by line; waits resolve
// on a matching line (never on time) with a deadline that fails the test. Everything started
// here is stopped when the test (or suite) ends: SIGCONT, SIGTERM, then SIGKILL after 5 s.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { hashPassword } from '../../src/server/passwords.ts';
import { PARLOR_BIN, within } from './cli.ts';
import { sharedPostgres } from './postgres.ts';
import { RawClient, type Received } from './raw-client.ts';
import { startRedis } from './redis.ts';

/** The operator every node knows: OPER root s3cret. */
export const OPER_NAME = 'root';
export const OPER_PASSWORD = 's3cret';
/** scrypt cost of accounts made in these tests (REGISTER): fast. */
const PASSWORD_COST = 4;
const STOP_GRACE_MS = 5_000;
const START_TIMEOUT_MS = 30_000;
/** Lines of each node's output shown when a test fails. */
const TAIL_LINES = 30;

/** What the harness needs of a Redis server (test/helpers/redis.ts gives more). */
export interface RedisHandle {
  url: string;
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Small timings, so that faults resolve within a test; a test's `config` may override them. */
const BASE_CONFIG = {
  flood: { burst: 100_000, commandsPerSecond: 100_000 },
  history: { replayOnJoin: 0, maxQuery: 1000 },
  accounts: { passwordCost: PASSWORD_COST, registrationsPerAddress: 0 },
  admin: { auditLog: null },
  cluster: { heartbeatMs: 300, deadAfterMs: 3000, catchUpMs: 1000 },
};

type Section = Record<string, unknown>;

/** `extra` over `base`, one level deep per section (as mergeConfigInput does). */
function mergeSections(base: Section, extra: Section): Section {
  const out: Section = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const old = out[key];
    const bothObjects = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof old === 'object' && old !== null && !Array.isArray(old);
    out[key] = bothObjects ? { ...(old as Section), ...(value as Section) } : value;
  }
  return out;
}

export interface ClusterNode {
  readonly id: string;
  /** The chat port (kept across restart()). */
  readonly port: number;
  readonly webPort: number;
  readonly pid: number;
  /** stdout and stderr lines of every incarnation so far, in arrival order, prefixed "out: " / "err: ". */
  readonly lines: string[];
  /** Whether the current process is still running. */
  readonly running: boolean;
  /** The exit code or signal of the current process, once it has exited. */
  readonly exited: Promise<number | string | null>;
  /** Index into `lines` from which waitLine looks. */
  mark(): number;
  /** The first stdout line at or after `from` (default: the current incarnation's start) matching `re`. */
  waitLine(re: RegExp, timeoutMs?: number, from?: number): Promise<RegExpExecArray>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM (after SIGCONT), SIGKILL if it has not exited within 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts the node again (same id, same chat port) and waits until it joined the cluster. */
  restart(): Promise<void>;
  connect(): Promise<RawClient>;
  /** Connects, registers `nick` with `caps`, and waits for the end of the MOTD. */
  register(nick: string, caps?: string[]): Promise<RawClient>;
  /** Connects as `nick` logged in to `account` with SASL PLAIN, with `caps`; at the end of the MOTD. */
  login(nick: string, account: string, password: string, caps?: string[]): Promise<RawClient>;
  /** Its last lines of output (stdout and stderr), for a failure's report. */
  tail(): string;
}

export interface Cluster {
  readonly redis: RedisHandle;
  readonly pgUrl: string;
  readonly nodes: ClusterNode[];
  /** Starts one more node on the same Redis and database and waits until it joined. */
  addNode(id: string): Promise<ClusterNode>;
  node(id: string): ClusterNode;
  /** Each node's last stderr lines. */
  tails(): string;
  /** Stops every client and node (and Redis, when the harness started it). */
  close(): Promise<void>;
}

export interface ClusterOptions {
  nodes?: number;
  /** YAML config over the harness's, section by section. */
  config?: Section;
  /** A Redis of the test's own (then the test stops it). */
  redis?: RedisHandle;
  /** A database of the test's own. */
  pgUrl?: string;
}

const NODE_IDS = ['a', 'b', 'c', 'd', 'e', 'f'];

/**
 * Starts Redis and a fresh database (unless given) and `nodes` nodes a, b, c… one after
 * another, each waiting for its "joined cluster" line. With `t`, everything is stopped when
 * the test ends; without, the caller calls close() (a suite's after hook).
 */
export async function startCluster(t: TestContext | undefined, options: ClusterOptions = {}): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'parlor-cluster-'));
  const ownRedis = options.redis === undefined;
  const redis: RedisHandle = options.redis ?? (await startRedis());
  const nodes: ClusterNode[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    if (ownRedis) await redis.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  t?.after(close);
  try {
    const pgUrl = options.pgUrl ?? (await (await sharedPostgres()).newDatabase());
    const config = mergeSections(BASE_CONFIG, {
      opers: [{ name: OPER_NAME, password: await hashPassword(OPER_PASSWORD, PASSWORD_COST) }],
      ...options.config,
    });
    const configPath = join(dir, 'parlor.yaml');
    await writeFile(configPath, toYaml(config));
    const cluster: Cluster = {
      redis,
      pgUrl,
      nodes,
      async addNode(id) {
        const node = await startNode({ id, dir, configPath, redisUrl: redis.url, pgUrl });
        nodes.push(node);
        return node;
      },
      node(id) {
        const found = nodes.find((n) => n.id === id);
        if (!found) throw new Error(`no node ${id}`);
        return found;
      },
      tails() {
        return nodes.map((n) => `--- node ${n.id} (pid ${n.pid}, ${n.running ? 'running' : 'exited'}), its last lines:\n${n.tail()}`).join('\n');
      },
      close,
    };
    for (const id of NODE_IDS.slice(0, options.nodes ?? 3)) await cluster.addNode(id);
    return cluster;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs `body`; when it fails, prints each node's last stderr lines before failing. */
export async function diagnosed(cluster: Cluster, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    console.error(`cluster nodes' last ${TAIL_LINES} lines of output:\n${cluster.tails()}`);
    throw err;
  }
}

interface NodeSpec {
  id: string;
  dir: string;
  configPath: string;
  redisUrl: string;
  pgUrl: string;
}

interface LineWaiter {
  re: RegExp;
  from: number;
  resolve: (m: RegExpExecArray) => void;
}

async function startNode(spec: NodeSpec): Promise<ClusterNode> {
  const lines: string[] = [];
  const stderrLines: string[] = [];
  let waiters: LineWaiter[] = [];
  const clients: RawClient[] = [];
  let child: ChildProcessWithoutNullStreams;
  let exited: Promise<number | string | null> = Promise.resolve(null);
  let running = false;
  let incarnationStart = 0;
  let port = 0;
  let webPort = 0;

  const scan = (w: LineWaiter): RegExpExecArray | undefined => {
    for (let i = w.from; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.startsWith('out: ')) continue;
      const m = w.re.exec(line.slice(5));
      if (m) return m;
    }
    return undefined;
  };
  const push = (line: string): void => {
    lines.push(line);
    for (const w of [...waiters]) {
      const m = scan(w);
      if (m) {
        waiters = waiters.filter((x) => x !== w);
        w.resolve(m);
      }
    }
  };
  const splitter = (prefix: string, also?: string[]): ((chunk: string) => void) => {
    let partial = '';
    return (chunk) => {
      partial += chunk;
      let i: number;
      while ((i = partial.indexOf('\n')) !== -1) {
        const line = partial.slice(0, i).replace(/\r$/, '');
        partial = partial.slice(i + 1);
        also?.push(line);
        push(prefix + line);
      }
    };
  };

  const waitLine = (re: RegExp, timeoutMs = 10_000, from = incarnationStart): Promise<RegExpExecArray> => {
    const waiter: LineWaiter = { re, from, resolve: () => {} };
    const found = scan(waiter);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== waiter);
        reject(new Error(`node ${spec.id}: timed out after ${timeoutMs} ms waiting for ${String(re)}; its last lines:\n${lines.slice(-TAIL_LINES).join('\n')}`));
      }, timeoutMs);
      waiter.resolve = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      waiters.push(waiter);
    });
  };

  const launch = async (): Promise<void> => {
    incarnationStart = lines.length;
    const args = [
      PARLOR_BIN,
      'serve',
      '--no-console',
      '--config',
      spec.configPath,
      '--cluster',
      spec.redisUrl,
      '--store',
      spec.pgUrl,
      '--node-id',
      spec.id,
      '--name',
      `${spec.id}.parlor`,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--web-port',
      '0',
      '--data-dir',
      join(spec.dir, `data-${spec.id}`),
    ];
    child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    running = true;
    child.stdout.setEncoding('utf8').on('data', splitter('out: '));
    child.stderr.setEncoding('utf8').on('data', splitter('err: ', stderrLines));
    child.stdin.on('error', () => {});
    const proc = child;
    exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        running = false;
        push(`out: (exited: ${String(code ?? signal)})`);
        resolve(code ?? signal);
      }),
    );
    const early = exited.then((code) => {
      throw new Error(`node ${spec.id} exited (${String(code)}) before joining the cluster; stderr:\n${stderrLines.slice(-TAIL_LINES).join('\n')}`);
    });
    early.catch(() => {});
    try {
      const joined = within(
        Promise.all([
          waitLine(/^parlor listening on \S+:(\d+)$/, START_TIMEOUT_MS),
          waitLine(/^parlor web on https?:\/\/\S+:(\d+)$/, START_TIMEOUT_MS),
          waitLine(new RegExp(`^parlor node ${spec.id} joined cluster \\((\\d+) nodes?\\)$`), START_TIMEOUT_MS),
        ]),
        START_TIMEOUT_MS,
        `node ${spec.id} to join the cluster`,
      );
      const [listening, web] = await Promise.race([joined, early]);
      port = Number(listening[1]);
      webPort = Number(web[1]);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  };

  const stop = async (): Promise<void> => {
    for (const c of clients) c.close();
    clients.length = 0;
    if (!running) return;
    const proc = child;
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    try {
      await within(exited, STOP_GRACE_MS, `node ${spec.id} to exit on SIGTERM`);
    } catch {
      proc.kill('SIGKILL');
      await within(exited, STOP_GRACE_MS, `node ${spec.id} to exit on SIGKILL`);
    }
  };

  const node: ClusterNode = {
    id: spec.id,
    get port() {
      return port;
    },
    get webPort() {
      return webPort;
    },
    get pid() {
      return child.pid ?? -1;
    },
    lines,
    get running() {
      return running;
    },
    get exited() {
      return exited;
    },
    mark: () => lines.length,
    waitLine,
    signal(sig) {
      if (running) child.kill(sig);
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async connect() {
      const c = await RawClient.connect(port);
      clients.push(c);
      return c;
    },
    async register(nick, caps = []) {
      const c = await node.connect();
      if (caps.length > 0) {
        c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, `CAP REQ :${caps.join(' ')}`);
        await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
        c.send('CAP END');
      } else {
        c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`);
      }
      await c.waitFor(endOfMotd, 10_000);
      return c;
    },
    async login(nick, account, password, caps = []) {
      const c = await node.connect();
      c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, `CAP REQ :${['sasl', ...caps].join(' ')}`);
      await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
      c.send('AUTHENTICATE PLAIN');
      await c.waitFor((r) => r.msg.command === 'AUTHENTICATE' && r.msg.params[0] === '+');
      c.send(`AUTHENTICATE ${Buffer.from(`\0${account}\0${password}`, 'utf8').toString('base64')}`);
      const outcome = await c.waitFor((r) => ['903', '904', '905', 'FAIL'].includes(r.msg.command), 10_000);
      if (outcome.msg.command !== '903') throw new Error(`SASL login of ${account} on node ${spec.id} failed: ${outcome.raw}`);
      c.send('CAP END');
      await c.waitFor(endOfMotd, 10_000);
      return c;
    },
    tail: () => lines.slice(-TAIL_LINES).join('\n'),
  };
  await launch();
  return node;
}

const endOfMotd = (r: Received): boolean => r.msg.command === '376' || r.msg.command === '422';

/**
 * Registers `nick` on `node`, trying again while the node refuses (it is rebuilding after a
 * fault and closes or errors new connections): a client's reconnect, bounded by `timeoutMs`.
 */
export async function reconnect(node: ClusterNode, nick: string, caps: string[] = [], timeoutMs = 20_000): Promise<RawClient> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await node.register(nick, caps);
    } catch (err) {
      lastError = err;
      // A reconnecting client's back-off: the node gives no signal to wait for from outside.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`could not register ${nick} on node ${node.id} within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}
