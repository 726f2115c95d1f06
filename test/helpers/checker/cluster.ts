// The checker's network: real ParlorServers sharing one seeded DelayedLog, each reading it with
// its own delay and jitter (and, when asked, the odd lost or repeated delivery). Nodes can be
// killed — their log handle dies, their clients' connections are cut, the others hear it is
// lost and declare it down — and restarted as a new server on a new handle with the same node
// id, which catches up from the newest snapshot and the log after it. A handle of its own,
// never faulty, records every entry the log assigns: the checker's copy of the log.
import type { LogEntry } from '../../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../../src/network/events.ts';
import { MemoryStore } from '../../../src/storage/memory-store.ts';
import { DelayedLog, type DeliveryOptions } from '../delayed-bus.ts';
import { startServer, type TestServer } from '../server.ts';

export interface ClusterOptions {
  seed: number;
  /** Per-node delivery (delay, jitter, fault rates), by node id. */
  delivery: Readonly<Record<string, DeliveryOptions>>;
  /** A snapshot every this many entries (the config's minimum is 100). */
  snapshotEvery: number;
}

export interface ClusterNode {
  readonly nodeId: string;
  /** 1 for the first start, then one more at each restart. */
  readonly incarnation: number;
  readonly test: TestServer;
  /** Set when killed: the incarnation that died. */
  killedEpoch: string | undefined;
}

const OBSERVER = '~checker';

export class CheckerCluster {
  readonly log: DelayedLog<NetworkEvent>;
  /** History, shared as a cluster's store of record is: any node finds a message REDACT names. */
  readonly store = new MemoryStore();
  /** Every entry, in position order, once each. */
  readonly entries: LogEntry<NetworkEvent>[] = [];
  /** Every server started, killed ones included (they are closed at the end). */
  readonly started: ClusterNode[] = [];
  /** Times a node had to be told to read the log back to reach its end (a lost last delivery). */
  catchUps = 0;
  private readonly current = new Map<string, ClusterNode>();

  constructor(readonly options: ClusterOptions) {
    this.log = new DelayedLog<NetworkEvent>({ seed: options.seed, lostAfterMs: 10 });
    const observer = this.log.node(OBSERVER, { minDelayMs: 0, maxDelayMs: 0, dropRate: 0, duplicateRate: 0 });
    observer.subscribe((entry) => {
      if (entry.position === this.entries.length + 1) this.entries.push(entry);
      else if (entry.position > this.entries.length) throw new Error(`the checker's own handle missed position ${this.entries.length + 1}`);
    });
  }

  /** Starts (or restarts) a node; resolves once it has caught up and takes clients. */
  async start(nodeId: string): Promise<ClusterNode> {
    const previous = this.current.get(nodeId);
    if (previous && previous.killedEpoch === undefined) throw new Error(`node ${nodeId} is running`);
    const incarnation = (previous?.incarnation ?? 0) + 1;
    const test = await startServer(
      {
        server: { name: `${nodeId}.parlor` },
        // A lost last delivery shows no gap: the node reads back this often (the config's minimum).
        cluster: { snapshotEvery: this.options.snapshotEvery, catchUpMs: 100 },
        // The connections of a killed node are cut; closing the rest at the end need not linger.
        limits: { closeTimeoutMs: 100 },
      },
      { bus: this.log.node(nodeId, this.options.delivery[nodeId] ?? {}), nodeId, store: this.store },
    );
    const node: ClusterNode = { nodeId, incarnation, test, killedEpoch: undefined };
    this.current.set(nodeId, node);
    this.started.push(node);
    return node;
  }

  node(nodeId: string): ClusterNode {
    const node = this.current.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return node;
  }

  /** Nodes running now. */
  live(): ClusterNode[] {
    return [...this.current.values()].filter((n) => n.killedEpoch === undefined);
  }

  /** Node ids whose last incarnation was killed. */
  dead(): string[] {
    return [...this.current.values()].filter((n) => n.killedEpoch !== undefined).map((n) => n.nodeId);
  }

  /**
   * The node dies: its log handle stops (no more deliveries, appends refused) and the others
   * hear it is lost after a moment. The caller cuts its clients' connections.
   */
  kill(nodeId: string): ClusterNode {
    const node = this.node(nodeId);
    node.killedEpoch = node.test.server.replica.epoch;
    this.log.node(nodeId).kill();
    return node;
  }

  /**
   * Resolves once every live node has applied every entry: the log settled, and a node still
   * short of the end (its last delivery lost, which no later entry reveals) told to read back.
   */
  async settle(maxRounds = 40, limitMs = 15_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    for (let round = 0; round < maxRounds; round++) {
      // A node that reads the log back without end (a wedged follower) keeps it from settling.
      await settledBefore(this.log, deadline, () => this.live().map((n) => `${n.nodeId}@${n.test.server.replica.position}`).join(', '));
      const behind = this.live().filter((n) => n.test.server.replica.position < this.log.position);
      if (behind.length === 0) return;
      for (const n of behind) {
        this.catchUps++;
        n.test.server.replica.catchUp();
      }
      // A read back is a timer of the log's: settled() waits for it next round.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const where = this.live().map((n) => `${n.nodeId}@${n.test.server.replica.position}`);
    throw new Error(`nodes did not reach the log's end (${this.log.position}): ${where.join(', ')}`);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.started.map((n) => n.test.close()));
    await this.log.close();
  }
}

async function settledBefore(log: DelayedLog<NetworkEvent>, deadline: number, where: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the log did not settle (at ${log.position}; ${where()})`)), Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([log.settled(), late]);
  } finally {
    clearTimeout(timer);
  }
}
