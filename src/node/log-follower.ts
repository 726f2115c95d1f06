// How one node follows the network's log: it appends its own events, reads every entry back in
// position order (duplicates passed over, a gap filled by reading the log again), has the
// reducer apply each, hands the deliveries to the node's Delivery, and answers a pending commit
// when the node's own entry comes back. A command's answer must reach its client before the
// entries after its event do: when a commit is answered asynchronously, the rest of the batch
// waits for the next turn of the event loop, by which time the handler has replied.
import { isLogUnavailable } from '../cluster/errors.ts';
import { randomBytes } from 'node:crypto';
import type { Bus } from '../cluster/bus.ts';
import { LogCursor, type LogEntry } from '../cluster/log-cursor.ts';
import type { Verdict } from '../network/effects.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { Reducer } from '../network/reducer.ts';
import type { Delivery } from './delivery.ts';

/** Events held back while the log is unavailable, at most (the oldest are dropped). */
const MAX_UNSENT = 100_000;
/** How soon held-back events are sent again. */
const RESEND_MS = 1_000;

/** A commit's answer: at once when the log is in-process, later when it is a network away. */
export type Committed = Verdict | Promise<Verdict>;

/** Runs `then` on the verdict, synchronously when it is already there. */
export function afterCommit<T>(committed: Committed, then: (verdict: Verdict) => T): T | Promise<Awaited<T>> {
  return committed instanceof Promise ? committed.then(then) as Promise<Awaited<T>> : then(committed);
}

export class CommitRefusedError extends Error {
  readonly code = 'log-unavailable';
}

export class LogFollower {
  /** This incarnation of the node: entries written under an epoch declared dead are passed over. */
  epoch: string;
  private readonly cursor: LogCursor;
  private readonly pending = new Map<number, (verdict: Verdict) => void>();
  private nextRef = 0;
  /** The commit being appended right now, answered before append() returns (an in-process log). */
  private syncRef = 0;
  private syncVerdict: Verdict | undefined;
  private queue: LogEntry<NetworkEvent>[] = [];
  private draining = false;
  private resyncing = false;
  private deferred = false;
  private pendingWatch: NodeJS.Timeout | undefined;
  /** Events send() could not append while the log was unavailable, oldest first. */
  private unsent: NetworkEvent[] = [];
  private unsentTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Called for each entry applied, refused ones too (snapshots, tests). */
  onApplied: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
  /** Called for each entry passed over: refused by the reducer, or from a dead epoch (the history writer). */
  onPassedOver: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
  /** Called when the log no longer holds the next entry this node needs. */
  onLost: ((position: number) => void) | undefined;

  constructor(
    private readonly bus: Bus<NetworkEvent>,
    private readonly reducer: Reducer,
    private readonly delivery: Delivery,
    readonly nodeId: string,
    private readonly logError: (err: unknown, context: string) => void,
    /** How long a commit may wait before the log is read back for it (its entry may be lost). */
    private readonly catchUpMs = 5_000,
  ) {
    this.epoch = newEpoch(nodeId);
    // The reducer keeps the dead epochs (node.down); the cursor reads the same set.
    this.cursor = new LogCursor(0, reducer.state.deadEpochs);
  }

  /**
   * While a commit waits, the log is read back every catchUpMs: its own entry, or the last one,
   * may have been lost with nothing after it to show the gap. The timer keeps the process alive,
   * as the waiting command is work still to do.
   */
  private watchPending(): void {
    if (this.pendingWatch !== undefined) return;
    this.pendingWatch = setTimeout(() => {
      this.pendingWatch = undefined;
      if (this.pending.size === 0) return;
      this.catchUp();
      this.watchPending();
    }, this.catchUpMs);
  }

  get position(): number {
    return this.cursor.position;
  }

  /**
   * Starts reading at `position` (0, or a loaded snapshot's), catching up with what the log
   * holds after it; resolves once caught up to what was there when it started.
   */
  async start(position: number): Promise<void> {
    this.cursor.resetTo(position);
    this.resyncing = true;
    this.unsubscribe = this.bus.subscribe((entry) => this.receive(entry));
    await this.resync();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.pendingWatch);
    this.pendingWatch = undefined;
    clearTimeout(this.unsentTimer);
    this.unsentTimer = undefined;
    for (const resolve of this.pending.values()) resolve(this.unapplied());
    this.pending.clear();
  }

  /**
   * Appends `event` and answers with the reducer's verdict on it once it comes back from the
   * log. Throws (or rejects) when the log cannot take it.
   */
  commit(event: NetworkEvent): Verdict | Promise<Verdict> {
    const ref = ++this.nextRef;
    // A commit made while another is being appended (a delivery that closes a session, say)
    // must not lose the outer one's answer: both are saved and put back.
    const outerRef = this.syncRef;
    const outerVerdict = this.syncVerdict;
    this.syncRef = ref;
    this.syncVerdict = undefined;
    let appended: void | Promise<void>;
    let verdict: Verdict | undefined;
    try {
      appended = this.bus.append(this.epoch, ref, event);
    } finally {
      verdict = this.syncVerdict;
      this.syncRef = outerRef;
      this.syncVerdict = outerVerdict;
    }
    if (verdict !== undefined) return verdict;
    return new Promise<Verdict>((resolve, reject) => {
      this.pending.set(ref, resolve);
      this.watchPending();
      if (appended instanceof Promise) {
        appended.catch((err: unknown) => {
          if (!this.pending.delete(ref)) return;
          reject(err instanceof Error ? err : new CommitRefusedError(String(err)));
        });
      }
    });
  }

  /**
   * Appends without waiting for the verdict (quits of closing sessions, node.down). While the
   * log cannot be reached, such events wait and are sent again in order: a quit must not be
   * lost to a short outage (each is harmless if it lands twice). Given up with the epoch.
   */
  send(event: NetworkEvent): void {
    if (this.unsent.length > 0) {
      this.holdBack(event);
      return;
    }
    this.sendNow(event);
  }

  private sendNow(event: NetworkEvent): void {
    const failed = (err: unknown): void => {
      if (isLogUnavailable(err) && this.unsubscribe !== undefined) this.holdBack(event);
      else this.logError(err, `appending ${event.type}`);
    };
    try {
      const result = this.commit(event);
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private holdBack(event: NetworkEvent): void {
    if (this.unsent.length >= MAX_UNSENT) {
      const dropped = this.unsent.shift()!;
      this.logError(new Error(`more than ${MAX_UNSENT} events wait for the log`), `dropping ${dropped.type}`);
    }
    this.unsent.push(event);
    this.unsentTimer ??= setTimeout(() => this.sendHeldBack(), RESEND_MS);
  }

  private sendHeldBack(): void {
    this.unsentTimer = undefined;
    const events = this.unsent.splice(0);
    for (const event of events) this.sendNow(event);
  }

  /** Starts again from `position` (a snapshot just loaded), dropping what was queued. */
  restartAt(position: number): void {
    this.cursor.resetTo(position);
    this.queue = [];
    this.catchUp();
  }

  /** Reads the log back after the cursor, unless a read is under way already. */
  catchUp(): void {
    if (this.resyncing || this.unsubscribe === undefined) return;
    this.resyncing = true;
    this.resync().catch((err: unknown) => this.logError(err, 'reading the log back'));
  }

  /** A new incarnation (after this node was declared dead): its old commits are answered as refused. */
  renewEpoch(): void {
    // Held-back events are sent now, ahead of the new incarnation's node.down and node.up: a
    // quit of the old one's user is refused harmlessly, but a room unregistered or an account
    // dropped must still land.
    clearTimeout(this.unsentTimer);
    this.sendHeldBack();
    for (const resolve of this.pending.values()) resolve(this.unapplied());
    this.pending.clear();
    this.epoch = newEpoch(this.nodeId);
  }

  private receive(entry: LogEntry<NetworkEvent>): void {
    this.queue.push(entry);
    if (!this.draining && !this.resyncing && !this.deferred) this.drain();
  }

  private drain(): void {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const entry = this.queue.shift()!;
        switch (this.cursor.check(entry)) {
          case 'duplicate':
            continue;
          case 'gap':
            this.queue.unshift(entry);
            this.resyncing = true;
            this.resync().catch((err: unknown) => this.logError(err, 'reading the log after a gap'));
            return;
          case 'dead-epoch':
            this.answer(entry, this.unapplied(entry));
            this.onPassedOver?.(entry);
            this.onApplied?.(entry);
            continue;
          case 'apply':
        }
        let verdict: Verdict | undefined;
        try {
          const outcome = this.reducer.apply(entry);
          verdict = outcome.verdict;
          this.delivery.run(outcome.deliveries);
        } catch (err) {
          // A fault applying one entry must not take the node down; it is logged loudly.
          this.logError(err, `applying ${entry.event.type} at ${entry.position}`);
        }
        // Answered whatever happened: a command must not wait for ever.
        const answeredLater = this.answer(entry, verdict ?? this.unapplied(entry));
        if (verdict?.ok !== true) this.onPassedOver?.(entry);
        this.onApplied?.(entry);
        if (answeredLater) {
          // The handler replies in the microtasks after this; entries after it, in this batch
          // or the next one the transport hands over at once, wait for the next turn.
          this.deferred = true;
          setImmediate(() => {
            this.deferred = false;
            if (!this.draining && !this.resyncing) this.drain();
          });
          return;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Answers this node's own commit; true when it was waiting asynchronously. */
  private answer(entry: LogEntry<NetworkEvent>, verdict: Verdict): boolean {
    if (entry.ref === 0 || entry.epoch !== this.epoch) return false;
    if (entry.ref === this.syncRef) {
      this.syncVerdict = verdict;
      return false;
    }
    const resolve = this.pending.get(entry.ref);
    if (!resolve) return false;
    this.pending.delete(entry.ref);
    resolve(verdict);
    return true;
  }

  private unapplied(entry?: LogEntry<NetworkEvent>): Verdict {
    return { ok: false, position: entry?.position ?? this.cursor.position, time: entry?.time ?? this.reducer.state.time };
  }

  /** Reads what the log holds after the cursor, then goes on with what arrived meanwhile. */
  private async resync(): Promise<void> {
    try {
      const missed = await this.bus.readAfter(this.cursor.position);
      if (missed.length > 0) this.queue = mergeByPosition(missed, this.queue, this.cursor.position);
    } finally {
      this.resyncing = false;
    }
    const next = this.cursor.position + 1;
    if (this.queue.length > 0 && !this.queue.some((e) => e.position === next)) {
      // Let go of by the log (kept only since the newest snapshot): this node can no longer
      // follow it entry by entry, and starts again from the snapshot.
      this.queue = [];
      this.onLost?.(next);
      return;
    }
    if (!this.draining && !this.deferred) this.drain();
  }
}

/**
 * What was read back and what arrived meanwhile, in position order, one entry per position,
 * none at or below `applied`: entries in flight while the log was read must neither be
 * applied twice nor put an out-of-order entry at the head.
 */
function mergeByPosition<E>(read: LogEntry<E>[], queued: LogEntry<E>[], applied: number): LogEntry<E>[] {
  const byPosition = new Map<number, LogEntry<E>>();
  for (const e of read) if (e.position > applied) byPosition.set(e.position, e);
  for (const e of queued) if (e.position > applied && !byPosition.has(e.position)) byPosition.set(e.position, e);
  return [...byPosition.values()].sort((a, b) => a.position - b.position);
}

function newEpoch(nodeId: string): string {
  return `${nodeId}~${randomBytes(6).toString('base64url')}`;
}
