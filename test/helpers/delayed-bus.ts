// A Bus test double that behaves like a network bus (issue 18): ONE ordered log, read by each
// node through its own handle, late (per-node delay and jitter, real timers), and — from a
// seed, or on request — twice or not at all. Appending assigns the position at once, but the
// writer too sees its entry only through its own delayed delivery. A node can be paused (its
// deliveries wait) or killed (it stops; the others hear it is lost after lostAfterMs).
//
// Determinism: every handle draws the same count of numbers from its own PRNG for every entry,
// so which deliveries are dropped or repeated, and each delay, depend only on the seed, the
// node and the entry's index. Interleaving across nodes still follows real timers.
import type { Snapshot } from '../../src/cluster/bus.ts';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import { checkDelivery, DelayedNode, type DeliveryOptions, type SharedLog } from './delayed-node.ts';
import { hash32, mulberry32, seedFromEnv } from './seed.ts';

export { DelayedNode, type DeliveryOptions, type NodeControls } from './delayed-node.ts';

const definedOnly = (options: DeliveryOptions): DeliveryOptions =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));

export interface DelayedLogOptions extends DeliveryOptions {
  /** PRNG seed; default PARLOR_SEED, else 1. Read it back from `log.seed` to print it. */
  seed?: number;
  /** The log's clock (milliseconds); entry times never go backwards. */
  now?: () => number;
  /** How long after kill() the other nodes hear the node is lost (default 10). */
  lostAfterMs?: number;
  /** How long readAfter() takes (default 1). */
  readDelayMs?: number;
}

export class DelayedLog<E> implements SharedLog<E> {
  readonly seed: number;
  private readonly now: () => number;
  private readonly delivery: Required<DeliveryOptions>;
  private readonly lostAfterMs: number;
  private readonly readDelayMs: number;
  private lastPosition = 0;
  private lastTime = 0;
  /** Entries after the snapshot's position. */
  private entries: LogEntry<E>[] = [];
  private snapshot: Snapshot | undefined;
  private readonly handles = new Map<string, DelayedNode<E>>();
  private readonly incarnations = new Map<string, number>();
  /** Reads and lost-node reports still to come (settled() waits for them), with what to do if the log closes first. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private settleWaiters: (() => void)[] = [];
  private settleCheck: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(options: DelayedLogOptions = {}) {
    this.seed = options.seed === undefined ? seedFromEnv(1) : options.seed >>> 0;
    this.now = options.now ?? Date.now;
    this.delivery = checkDelivery(options);
    this.lostAfterMs = options.lostAfterMs ?? 10;
    this.readDelayMs = options.readDelayMs ?? 1;
  }

  /** The node's handle: the live one, or a new one (a restart) if it was killed or closed. */
  node(nodeId: string, overrides: DeliveryOptions = {}): DelayedNode<E> {
    if (this.closed) throw new Error('DelayedLog is closed');
    const existing = this.handles.get(nodeId);
    if (existing?.alive) return existing;
    const incarnation = (this.incarnations.get(nodeId) ?? 0) + 1;
    this.incarnations.set(nodeId, incarnation);
    const random = mulberry32(hash32(`${this.seed}:${nodeId}:${incarnation}`));
    const handle = new DelayedNode<E>(this, nodeId, checkDelivery({ ...this.delivery, ...definedOnly(overrides) }), random);
    this.handles.set(nodeId, handle);
    return handle;
  }

  /** The last position assigned (0 for an empty log). */
  get position(): number {
    return this.lastPosition;
  }

  /** Resolves once every live, unpaused node has delivered every entry and no read or lost-node report is pending. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.settleWaiters.push(resolve);
      this.changed();
    });
  }

  /** Tells every other live node that `nodeId` is gone, now (kill() does it after lostAfterMs). */
  declareLost(nodeId: string, epoch?: string): void {
    for (const handle of [...this.handles.values()]) if (handle.alive && handle.nodeId !== nodeId) handle.reportLost(nodeId, epoch);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const handle of this.handles.values()) handle.stop();
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
    if (this.settleCheck) clearImmediate(this.settleCheck);
    this.settleCheck = undefined;
    for (const resolve of this.settleWaiters.splice(0)) resolve();
  }

  // --- for the handles ---

  append(epoch: string, ref: number, event: E): void {
    this.lastTime = Math.max(this.lastTime, this.now());
    const entry: LogEntry<E> = Object.freeze({ position: ++this.lastPosition, epoch, time: this.lastTime, ref, event });
    this.entries.push(entry);
    for (const handle of this.handles.values()) if (handle.alive) handle.enqueue(entry);
  }

  readAfter(position: number): Promise<LogEntry<E>[]> {
    return new Promise((resolve, reject) => {
      const closed = (): void => reject(new Error('DelayedLog is closed'));
      this.later(this.readDelayMs, () => resolve(this.entries.filter((e) => e.position > position)), closed);
    });
  }

  saveSnapshot(snapshot: Snapshot): void {
    if (this.snapshot && this.snapshot.position >= snapshot.position) return;
    // Entries are let go up to the snapshot before this one: one interval of slack for nodes
    // that lag (bus.ts).
    const keepAfter = this.snapshot?.position ?? 0;
    this.snapshot = snapshot;
    this.entries = this.entries.filter((e) => e.position > keepAfter);
  }

  latestSnapshot(): Snapshot | undefined {
    return this.snapshot;
  }

  reportLostLater(nodeId: string, epoch: string | undefined): void {
    this.later(this.lostAfterMs, () => this.declareLost(nodeId, epoch));
  }

  /** Something moved: settled() waiters are checked once the handlers' microtasks have run. */
  changed(): void {
    if (this.settleCheck || this.settleWaiters.length === 0) return;
    this.settleCheck = setImmediate(() => {
      this.settleCheck = undefined;
      if (this.closed || this.isSettled()) for (const resolve of this.settleWaiters.splice(0)) resolve();
    });
  }

  private isSettled(): boolean {
    if (this.timers.size > 0) return false;
    for (const handle of this.handles.values()) if (handle.alive && !handle.paused && handle.backlog > 0) return false;
    return true;
  }

  private later(ms: number, fn: () => void, onClose: () => void = () => {}): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } finally {
        this.changed();
      }
    }, ms);
    this.timers.set(timer, onClose);
  }
}
