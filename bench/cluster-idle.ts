// Idle connections on a cluster: node after node, a forked load process registers `perNode`
// clients on one node; once every node counts them (LUSERS), every node's RSS is read. So the
// growth of the node they connected to is the cost of a local connection, and the growth of
// the other nodes is the cost of knowing a remote user (each node holds the whole network).
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { IdleCommand, IdleReply } from './cluster-idle-client.ts';
import type { ClusterNodeProcess } from './cluster-nodes.ts';
import { sampleProcess } from './load/proc.ts';

export interface IdleResult {
  nodes: number;
  perNode: number;
  held: number;
  failed: number;
  disconnects: number;
  registrationsPerSec: number;
  /** Per node: its RSS growth while its own clients registered, per client. */
  localBytesPerConnection: number[];
  /** Mean RSS growth of a node per user registered on another node. */
  remoteBytesPerUser: number;
  /** Sum of the nodes' RSS growth over all connections. */
  clusterBytesPerConnection: number;
  rssBeforeMB: number[];
  rssAfterMB: number[];
  errors: string[];
}

const CONCURRENCY = 250;
const SYNC_DEADLINE_MS = 60_000;
const SYNC_POLL_MS = 100;
const CLIENT_SCRIPT = fileURLToPath(new URL('./cluster-idle-client.ts', import.meta.url));

/** A plain client on one node that asks LUSERS for the network's user count. */
class Observer {
  private rest = '';
  private onCount: ((n: number) => void) | undefined;
  private onWelcome: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      const lines = (this.rest + chunk.toString('utf8')).split('\r\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, nick: string): Promise<Observer> {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const observer = new Observer(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`observer ${nick} not welcomed in 30 s`)), 30_000);
      observer.onWelcome = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.write(`NICK ${nick}\r\nUSER o 0 * :bench observer\r\n`);
    });
    return observer;
  }

  private onLine(line: string): void {
    if (line.startsWith('PING ')) return void this.socket.write(`PONG ${line.slice(5)}\r\n`);
    const [, command, , count] = line.split(' ', 4);
    if (command === '001') this.onWelcome?.();
    // :server 266 nick <users> <max> :Current global users …
    if (command === '266') this.onCount?.(Number(count));
  }

  globalUsers(): Promise<number> {
    return new Promise((resolve) => {
      this.onCount = resolve;
      this.socket.write('LUSERS\r\n');
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function forkLoad(): { child: ChildProcess; ask(cmd: IdleCommand): Promise<IdleReply> } {
  const child = fork(CLIENT_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    child,
    ask: (cmd) =>
      new Promise((resolve, reject) => {
        child.once('message', (reply: IdleReply) => resolve(reply));
        child.once('exit', (code) => reject(new Error(`idle load process exited (${String(code)})`)));
        child.send(cmd);
      }),
  };
}

/** Waits until every observer's node counts at least `users` users on the network. */
async function everyNodeCounts(observers: Observer[], users: number): Promise<void> {
  const deadline = Date.now() + SYNC_DEADLINE_MS;
  for (const o of observers) {
    while ((await o.globalUsers()) < users) {
      if (Date.now() > deadline) throw new Error(`the nodes did not all count ${users} users within ${SYNC_DEADLINE_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    }
  }
}

export async function runIdle(nodes: ClusterNodeProcess[], perNode: number): Promise<IdleResult> {
  const observers: Observer[] = [];
  const loads: ReturnType<typeof forkLoad>[] = [];
  const errors: string[] = [];
  try {
    for (const [i, n] of nodes.entries()) observers.push(await Observer.connect(n.port, `obs${i}`));
    let users = observers.length;
    await everyNodeCounts(observers, users);
    const rss = (): number[] => nodes.map((n) => sampleProcess(n.pid).rssBytes);
    const before = rss();
    let last = before;
    const local: number[] = [];
    const remote: number[] = [];
    let held = 0;
    let failed = 0;
    let seconds = 0;
    for (const [i, n] of nodes.entries()) {
      const load = forkLoad();
      loads.push(load);
      const reply = await load.ask({ type: 'register', port: n.port, prefix: `i${i}x`, count: perNode, concurrency: CONCURRENCY });
      if (reply.type !== 'registered') throw new Error('unexpected reply from the idle load process');
      held += reply.ok;
      failed += reply.failed;
      seconds += reply.seconds;
      errors.push(...reply.errors);
      users += reply.ok;
      await everyNodeCounts(observers, users);
      const now = rss();
      local.push(reply.ok > 0 ? (now[i]! - last[i]!) / reply.ok : NaN);
      for (const j of nodes.keys()) if (j !== i && reply.ok > 0) remote.push((now[j]! - last[j]!) / reply.ok);
      last = now;
    }
    let disconnects = 0;
    for (const load of loads.splice(0)) {
      const closed = await load.ask({ type: 'close' });
      if (closed.type === 'closed') disconnects += closed.disconnects;
    }
    const grown = last.reduce((sum, r, i) => sum + r - before[i]!, 0);
    return {
      nodes: nodes.length,
      perNode,
      held,
      failed,
      disconnects,
      registrationsPerSec: seconds > 0 ? held / seconds : 0,
      localBytesPerConnection: local,
      remoteBytesPerUser: remote.length > 0 ? remote.reduce((a, b) => a + b, 0) / remote.length : NaN,
      clusterBytesPerConnection: held > 0 ? grown / held : NaN,
      rssBeforeMB: before.map((b) => b / 2 ** 20),
      rssAfterMB: last.map((b) => b / 2 ** 20),
      errors: [...new Set(errors)].slice(0, 5),
    };
  } finally {
    for (const o of observers) o.close();
    for (const load of loads) load.child.kill('SIGKILL');
  }
}
