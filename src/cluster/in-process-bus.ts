// The log of a network whose nodes share one process (a single server; tests). Appending
// gives the next position and the time now, never earlier than the last entry's, and hands
// the entry to every subscriber before it returns. Entries since the newest snapshot are
// kept, so that a node started later can catch up.
import type { Bus, Snapshot } from './bus.ts';
import type { LogEntry } from './log-cursor.ts';

export interface InProcessBusOptions {
  /** The log's clock (milliseconds). */
  now?: () => number;
  /**
   * Entries kept for nodes that catch up (beyond the newest snapshot); 0 for a network of one
   * node, where nobody reads the log back. Older ones are let go (a node then needs a snapshot).
   */
  retain?: number;
}

export class InProcessBus<E> implements Bus<E> {
  private handlers: ((entry: LogEntry<E>) => void)[] = [];
  private readonly lostHandlers = new Set<(nodeId: string, epoch: string | undefined) => void>();
  private position = 0;
  private lastTime = 0;
  /** Entries after the snapshot's position. */
  private entries: LogEntry<E>[] = [];
  private snapshot: Snapshot | undefined;
  private delivering = false;
  private readonly outbox: LogEntry<E>[] = [];
  private readonly now: () => number;
  private readonly retain: number;

  constructor(options: InProcessBusOptions = {}) {
    this.now = options.now ?? Date.now;
    this.retain = options.retain ?? Infinity;
  }

  append(epoch: string, ref: number, event: E): void {
    this.lastTime = Math.max(this.lastTime, this.now());
    const entry: LogEntry<E> = { position: ++this.position, epoch, time: this.lastTime, ref, event };
    if (this.retain > 0) {
      this.entries.push(entry);
      if (this.entries.length > this.retain * 2) this.entries = this.entries.slice(-this.retain);
    }
    // An entry appended while one is being handed out (a delivery that closes a session, say)
    // waits until every subscriber has had the one before: all see the log in order.
    if (this.delivering) {
      this.outbox.push(entry);
      return;
    }
    this.delivering = true;
    try {
      for (const handler of this.handlers) handler(entry);
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) {
        for (const handler of this.handlers) handler(next);
      }
    } finally {
      this.delivering = false;
    }
  }

  subscribe(handler: (entry: LogEntry<E>) => void): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  async readAfter(position: number): Promise<LogEntry<E>[]> {
    return this.entries.filter((e) => e.position > position);
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    if (this.snapshot && this.snapshot.position >= snapshot.position) return;
    // Entries are let go up to the snapshot before this one: one interval of slack for nodes
    // that lag (bus.ts).
    const keepAfter = this.snapshot?.position ?? 0;
    this.snapshot = snapshot;
    this.entries = this.entries.filter((e) => e.position > keepAfter);
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    return this.snapshot;
  }

  /** Tells every node that `nodeId` is gone (what a liveness watch would find). */
  reportLost(nodeId: string, epoch?: string): void {
    for (const handler of this.lostHandlers) handler(nodeId, epoch);
  }

  onNodeLost(handler: (nodeId: string, epoch: string | undefined) => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers = [];
    this.lostHandlers.clear();
  }
}
