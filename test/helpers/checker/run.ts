// One run of the randomized checker of issue 18: three nodes on a seeded DelayedLog, a few dozen
// clients sending random commands without waiting, node kills and restarts; then, once the log
// has settled and every client's last command is answered, the invariants (invariants.ts).
import { hash32, mulberry32 } from '../seed.ts';
import { Actor } from './actor.ts';
import { CheckerCluster } from './cluster.ts';
import { checkRun } from './invariants.ts';
import { checkRedactedHistory } from './redactions.ts';
import { DEFAULT_WEIGHTS, OpGenerator, type Op, type OpWeights } from './ops.ts';
import { replayLog } from './replay.ts';
import type { DeliveryOptions } from '../delayed-bus.ts';

export interface CheckerOptions {
  seed: number;
  /** Commands (and node events) to run. */
  ops: number;
  actorsPerNode?: number;
  /** Chance that a delivery to a node is lost, or made twice (each). */
  faultRate?: number;
  weights?: OpWeights;
  /** A snapshot every this many entries (default 100, the config's minimum: restarts load one). */
  snapshotEvery?: number;
}

export interface CheckerResult {
  seed: number;
  violations: string[];
  stats: Record<string, number | string>;
}

const NODE_IDS = ['a', 'b', 'c'];

export async function runChecker(options: CheckerOptions): Promise<CheckerResult> {
  const random = mulberry32(hash32(`checker:${options.seed}`));
  const cluster = new CheckerCluster({ seed: options.seed, delivery: deliveries(random, options.faultRate ?? 0), snapshotEvery: options.snapshotEvery ?? 100 });
  const run = new CheckerRun(cluster, new OpGenerator(random, options.weights ?? DEFAULT_WEIGHTS), options.actorsPerNode ?? 8);
  try {
    return await run.execute(options.seed, options.ops);
  } finally {
    await cluster.close();
  }
}

/** Each node its own pace: one quick, one slower, one jittery; the same for a seed. */
function deliveries(random: () => number, faultRate: number): Record<string, DeliveryOptions> {
  const pace = (min: number, spread: number): DeliveryOptions => {
    const minDelayMs = Math.floor(random() * (min + 1));
    return { minDelayMs, maxDelayMs: minDelayMs + 1 + Math.floor(random() * spread), dropRate: faultRate, duplicateRate: faultRate };
  };
  return { a: pace(1, 3), b: pace(3, 8), c: pace(2, 15) };
}

class CheckerRun {
  readonly actors: Actor[] = [];
  private readonly names: string[] = [];
  private readonly counts = { kills: 0, restarts: 0, quits: 0, lines: 0 };
  private readonly unanswered: string[] = [];

  constructor(
    private readonly cluster: CheckerCluster,
    private readonly ops: OpGenerator,
    private readonly actorsPerNode: number,
  ) {}

  async execute(seed: number, count: number): Promise<CheckerResult> {
    for (const nodeId of NODE_IDS) await this.cluster.start(nodeId);
    for (const nodeId of NODE_IDS) await this.connect(nodeId, this.actorsPerNode);
    try {
      for (let i = 0; i < count; i++) {
        await this.perform(this.ops.next(this.choices()));
        // Bursts sent at once, then a pause of a few milliseconds for the log to move: pacing, not syncing.
        if (this.ops.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, this.ops.below(4)));
      }
      await this.settle();
    } catch (err) {
      // A node stuck short of the log's end, a client never welcomed: reported with where each node stood.
      const where = this.cluster.live().map((n) => `${n.nodeId}#${n.incarnation}@${n.test.server.replica.position}`);
      return { seed, violations: [`the run stopped: ${(err as Error).message.split('\n')[0]} (log at ${this.cluster.log.position}; ${where.join(', ')})`], stats: this.counts };
    }
    const entries = this.cluster.entries;
    const config = this.cluster.live()[0]!.test.server.config;
    const facts = replayLog(entries, { whowasLimit: config.limits.whowasEntries, adminNick: config.admin.pseudoUser ? config.admin.nick : undefined });
    const violations = [...this.unanswered, ...checkRun(this.cluster, facts, this.actors), ...(await checkRedactedHistory(this.cluster.live(), facts.redactions))];
    const refused = [...facts.refusedAtApply].map(([what, n]) => `${what}×${n}`).join(', ');
    const creations = [...facts.creations.values()].reduce((sum, list) => sum + list.length, 0);
    const redactions = [...facts.redactions.values()].filter((d) => d.accepted).length;
    return {
      seed,
      violations,
      stats: { entries: entries.length, actors: this.actors.length, ...this.counts, roomsCreated: creations, redactions, catchUps: this.cluster.catchUps, refusedAtApply: refused || 'none' },
    };
  }

  private choices() {
    return {
      active: this.actors.filter((a) => a.active),
      names: this.names,
      liveNodes: this.cluster.live().map((n) => n.nodeId),
      deadNodes: this.cluster.dead(),
    };
  }

  private async perform(op: Op): Promise<void> {
    switch (op.kind) {
      case 'send':
        if (op.afterMs !== undefined) await new Promise((resolve) => setTimeout(resolve, op.afterMs));
        this.counts.lines += op.sends.length;
        for (const [actor, line] of op.sends) actor.send(line);
        return;
      case 'quit':
        this.counts.quits++;
        op.actor.quit();
        return this.connect(this.ops.pick(this.cluster.live()).nodeId, 1);
      case 'kill': {
        this.counts.kills++;
        this.cluster.kill(op.nodeId);
        const cut = this.actors.filter((a) => a.active && a.nodeId === op.nodeId);
        for (const actor of cut) actor.cut();
        // The people come back on the nodes still up.
        for (const actor of cut) await this.connect(this.ops.pick(this.cluster.live().filter((n) => n.nodeId !== actor.nodeId)).nodeId, 1);
        return;
      }
      case 'restart':
        this.counts.restarts++;
        await this.cluster.start(op.nodeId);
        return this.connect(op.nodeId, Math.ceil(this.actorsPerNode / 2));
    }
  }

  /** Registers `count` new actors on the node (names fixed before any waiting: a seed replays them). */
  private async connect(nodeId: string, count: number): Promise<void> {
    const node = this.cluster.node(nodeId);
    const first = this.names.length + 1;
    const names = Array.from({ length: count }, (_, i) => `u${first + i}`);
    this.names.push(...names);
    const made = await Promise.all(names.map((name) => Actor.register(node.test, name, node.nodeId, node.incarnation)));
    this.actors.push(...made);
  }

  /**
   * The run's end: every client's commands answered (a PING's PONG comes after them), every
   * node at the log's end, then every client sent all that applying it produced (PING again).
   */
  private async settle(): Promise<void> {
    await this.syncAll('its commands were not all answered');
    await this.cluster.settle();
    await this.syncAll('it was not sent what the log produced');
  }

  private async syncAll(what: string): Promise<void> {
    const connected = this.actors.filter((a) => a.connected);
    // A connection its node closes meanwhile (the node starting again) answers no more: that ends the wait too.
    const answered = (a: Actor): Promise<void> => Promise.race([a.client.sync(10_000), a.client.waitClose(10_000)]);
    const results = await Promise.allSettled(connected.map(answered));
    results.forEach((r, i) => {
      const actor = connected[i]!;
      if (r.status === 'rejected' && actor.connected) this.unanswered.push(`${actor.name} on ${actor.nodeId}: ${what} (${String(r.reason)})`);
    });
  }
}
