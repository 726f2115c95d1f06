// One node's handle on a DelayedLog (delayed-bus.ts): it delivers every entry of the shared
// log to its subscribers late, by its own delay and jitter, always in position order, and
// drops or repeats deliveries as its seeded PRNG (or dropNext/duplicateNext) decides.
import type { Bus, Snapshot } from '../../src/cluster/bus.ts';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';

/** Per-node delivery behaviour (log-wide defaults, overridable per node). */
export interface DeliveryOptions {
  /** Fewest milliseconds between an append and its delivery to a node (default 0). */
  minDelayMs?: number;
  /** Most milliseconds (default 5); each delivery draws a delay in between. */
  maxDelayMs?: number;
  /** Probability that a delivery to a node is repeated (default 0). */
  duplicateRate?: number;
  /** Probability that a delivery to a node never happens (default 0). */
  dropRate?: number;
}

export interface NodeControls {
  readonly nodeId: string;
  readonly paused: boolean;
  /** False once killed or closed. */
  readonly alive: boolean;
  /** Holds this node's deliveries until resume(). */
  pause(): void;
  /** Delivers what was held, in order, then carries on. */
  resume(): void;
  /** The node dies: no more deliveries, its calls are refused, the others hear it is lost. */
  kill(): void;
  /** Drops the deliveries of the next `count` entries appended. */
  dropNext(count?: number): void;
  /** Delivers each of the next `count` entries appended twice. */
  duplicateNext(count?: number): void;
}

/** What a handle needs of the log they all share (DelayedLog). */
export interface SharedLog<E> {
  append(epoch: string, ref: number, event: E): void;
  readAfter(position: number): Promise<LogEntry<E>[]>;
  saveSnapshot(snapshot: Snapshot): void;
  latestSnapshot(): Snapshot | undefined;
  /** The liveness watch: the other nodes hear that this one is lost, after a while. */
  reportLostLater(nodeId: string, epoch: string | undefined): void;
  /** A delivery was made or held: settled() looks again. */
  changed(): void;
}

interface Delivery<E> {
  entry: LogEntry<E>;
  dueAt: number;
}

const wallClock = (): number => performance.now();

export function checkDelivery(options: DeliveryOptions): Required<DeliveryOptions> {
  const { minDelayMs = 0, maxDelayMs = 5, duplicateRate = 0, dropRate = 0 } = options;
  if (!(minDelayMs >= 0 && maxDelayMs >= minDelayMs)) throw new RangeError(`Invalid delays ${minDelayMs}..${maxDelayMs}`);
  for (const rate of [duplicateRate, dropRate]) if (!(rate >= 0 && rate <= 1)) throw new RangeError(`Invalid rate ${rate}`);
  return { minDelayMs, maxDelayMs, duplicateRate, dropRate };
}

export class DelayedNode<E> implements Bus<E>, NodeControls {
  private readonly handlers = new Set<(entry: LogEntry<E>) => void>();
  private readonly lostHandlers = new Set<(nodeId: string, epoch: string | undefined) => void>();
  /** The epoch of this handle's last append: the incarnation a liveness watch would have seen. */
  private lastEpoch: string | undefined;
  private queue: Delivery<E>[] = [];
  private lastDueAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private dropCount = 0;
  private duplicateCount = 0;
  private isPaused = false;
  private state: 'alive' | 'killed' | 'closed' = 'alive';

  constructor(
    private readonly log: SharedLog<E>,
    readonly nodeId: string,
    private readonly options: Required<DeliveryOptions>,
    private readonly random: () => number,
  ) {}

  get alive(): boolean {
    return this.state === 'alive';
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Deliveries still to make (held ones included). */
  get backlog(): number {
    return this.queue.length;
  }

  append(epoch: string, ref: number, event: E): void {
    this.refuseUnlessAlive('append');
    this.lastEpoch = epoch;
    this.log.append(epoch, ref, event);
  }

  subscribe(handler: (entry: LogEntry<E>) => void): () => void {
    const own = (entry: LogEntry<E>): void => handler(entry); // one registration per call
    if (this.alive) this.handlers.add(own);
    return () => void this.handlers.delete(own);
  }

  async readAfter(position: number): Promise<LogEntry<E>[]> {
    this.refuseUnlessAlive('readAfter');
    return this.log.readAfter(position);
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.refuseUnlessAlive('saveSnapshot');
    this.log.saveSnapshot(snapshot);
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    this.refuseUnlessAlive('latestSnapshot');
    return this.log.latestSnapshot();
  }

  onNodeLost(handler: (nodeId: string, epoch: string | undefined) => void): () => void {
    const own = (nodeId: string, epoch: string | undefined): void => handler(nodeId, epoch);
    if (this.alive) this.lostHandlers.add(own);
    return () => void this.lostHandlers.delete(own);
  }

  async close(): Promise<void> {
    if (this.state === 'alive') this.state = 'closed';
    this.stop();
  }

  pause(): void {
    this.isPaused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.log.changed();
  }

  resume(): void {
    this.isPaused = false;
    this.schedule();
  }

  kill(): void {
    if (!this.alive) return;
    this.state = 'killed';
    this.stop();
    this.log.reportLostLater(this.nodeId, this.lastEpoch);
  }

  dropNext(count = 1): void {
    this.dropCount += count;
  }

  duplicateNext(count = 1): void {
    this.duplicateCount += count;
  }

  // --- for the log ---

  /** Plans the delivery of a new entry: always the same draws, so the schedule follows the seed. */
  enqueue(entry: LogEntry<E>): void {
    const [dropDraw, duplicateDraw, delayDraw, repeatDelayDraw] = [this.random(), this.random(), this.random(), this.random()];
    let drop = dropDraw < this.options.dropRate;
    let duplicate = duplicateDraw < this.options.duplicateRate;
    if (this.dropCount > 0) [drop, this.dropCount] = [true, this.dropCount - 1];
    else if (this.duplicateCount > 0) [duplicate, this.duplicateCount] = [true, this.duplicateCount - 1];
    if (drop) return;
    const now = wallClock();
    // Never before the previous delivery: a later entry does not overtake an earlier one.
    this.lastDueAt = Math.max(this.lastDueAt, now + this.delay(delayDraw));
    this.queue.push({ entry, dueAt: this.lastDueAt });
    if (duplicate) {
      this.lastDueAt = Math.max(this.lastDueAt, now + this.delay(repeatDelayDraw));
      this.queue.push({ entry, dueAt: this.lastDueAt });
    }
    this.schedule();
  }

  reportLost(nodeId: string, epoch?: string): void {
    for (const handler of [...this.lostHandlers]) if (this.lostHandlers.has(handler)) handler(nodeId, epoch);
  }

  /** Stops for good: timers cleared, deliveries and handlers forgotten. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.handlers.clear();
    this.lostHandlers.clear();
    if (this.state === 'alive') this.state = 'closed';
    this.log.changed();
  }

  private delay(draw: number): number {
    const { minDelayMs, maxDelayMs } = this.options;
    return minDelayMs + Math.floor(draw * (maxDelayMs - minDelayMs + 1));
  }

  private schedule(): void {
    const next = this.queue[0];
    if (this.timer || this.isPaused || !this.alive || !next) return;
    this.timer = setTimeout(() => this.deliverDue(), Math.max(0, Math.ceil(next.dueAt - wallClock())));
  }

  private deliverDue(): void {
    this.timer = undefined;
    try {
      while (this.alive && !this.isPaused && this.queue[0] && this.queue[0].dueAt <= wallClock()) {
        const { entry } = this.queue.shift()!;
        for (const handler of [...this.handlers]) if (this.handlers.has(handler)) handler(entry);
      }
    } finally {
      this.schedule();
      this.log.changed();
    }
  }

  private refuseUnlessAlive(what: string): void {
    if (this.state !== 'alive') throw new Error(`${what} refused: node ${this.nodeId} is ${this.state}`);
  }
}
