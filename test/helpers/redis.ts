// A redis-server of the test's own: a temp dir, a free loopback port, no persistence (so that
// restart() is "Redis restarted and lost the log"). With PARLOR_TEST_REDIS_URL set, that server
// is used instead, each call under a fresh key namespace; then pause/resume/restart throw.
import { cleanupOnExit } from './cleanup-on-exit.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Bus, Snapshot } from '../../src/cluster/bus.ts';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { RedisBus } from '../../src/cluster/redis-bus.ts';
import { WAIT_MS } from './wait.ts';

export interface RedisServer {
  readonly url: string;
  /** Key prefix for the RedisBus under test: fresh for each server handed out. */
  readonly namespace: string;
  readonly pid: number | undefined;
  /** Its unix socket (undefined for PARLOR_TEST_REDIS_URL). */
  readonly socketPath: string | undefined;
  /** SIGSTOP: Redis stops answering, its sockets stay open. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Kills it and starts an empty one on the same port (a restart without persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const REDIS_BINARY = process.env.PARLOR_TEST_REDIS_SERVER ?? 'redis-server';
const START_TIMEOUT_MS = 10_000;

export async function startRedis(): Promise<RedisServer> {
  const namespace = `parlor-test-${randomBytes(6).toString('hex')}`;
  const external = process.env.PARLOR_TEST_REDIS_URL;
  if (external) return externalServer(external, namespace);
  const dir = mkdtempSync(join(tmpdir(), 'parlor-redis-'));
  const port = await freePort();
  let child = await launch(dir, port);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const cancelCleanup = cleanupOnExit(killOnExit);
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    namespace,
    socketPath: join(dir, 'r.sock'),
    get pid() {
      return child.pid;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async restart() {
      await kill();
      child = await launch(dir, port);
    },
    async stop() {
      await kill();
      cancelCleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function externalServer(url: string, namespace: string): RedisServer {
  const refuse = (what: string) => (): never => {
    throw new Error(`${what} needs a redis-server of the test's own: unset PARLOR_TEST_REDIS_URL`);
  };
  return {
    url,
    namespace,
    pid: undefined,
    socketPath: undefined,
    pause: refuse('pause()'),
    resume: refuse('resume()'),
    restart: async () => refuse('restart()')(),
    stop: async () => {},
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function launch(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_BINARY,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--unixsocket', join(dir, 'r.sock'), '--dir', dir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

/** One PING over a plain socket: true on +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * A Bus whose RedisBus is still connecting: calls wait for it, subscribers are handed on. For
 * the bus contract, whose networks are built synchronously.
 */
export class ConnectingBus<E> implements Bus<E> {
  readonly ready: Promise<RedisBus<E>>;

  constructor(ready: Promise<RedisBus<E>>) {
    this.ready = ready;
  }

  async append(epoch: string, ref: number, event: E): Promise<void> {
    return (await this.ready).append(epoch, ref, event);
  }

  subscribe(handler: (entry: LogEntry<E>) => void): () => void {
    const unsubscribe = this.ready.then((bus) => bus.subscribe(handler));
    return () => void unsubscribe.then((stop) => stop());
  }

  async readAfter(position: number): Promise<LogEntry<E>[]> {
    return (await this.ready).readAfter(position);
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    return (await this.ready).saveSnapshot(snapshot);
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    return (await this.ready).latestSnapshot();
  }

  onNodeLost(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    await (await this.ready).close();
  }
}

/** Several RedisBus nodes on one log: settled() once every node has read the newest entry. */
export function redisBusNetwork<E>(
  count: number,
  connect: () => Promise<RedisBus<E>>,
): { nodes: ConnectingBus<E>[]; settled(): Promise<void>; close(): Promise<void> } {
  // Every node connected before any is used: a node reads the log from where it joined.
  const all = Promise.all(Array.from({ length: count }, () => connect()));
  const nodes = Array.from({ length: count }, (_, i) => new ConnectingBus(all.then((buses) => buses[i]!)));
  return {
    nodes,
    async settled() {
      const buses = await Promise.all(nodes.map((node) => node.ready));
      const newest = await buses[0]!.newestPosition();
      await Promise.all(buses.map((bus) => bus.delivery(newest)));
    },
    async close() {
      await Promise.all(nodes.map((node) => node.close()));
    },
  };
}

/** `promise`, or a failure naming `what` after `ms`: a broken feed fails the test, not hangs it. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

