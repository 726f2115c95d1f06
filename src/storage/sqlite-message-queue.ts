// SqliteStore's queue of accepted messages. appendMessage() only pushes to an array and arms a
// timer; every `flushIntervalMs` (or on the next turn once `maxBatch` are queued) the queue
// goes to the writer (sqlite-writer.ts) as one batch, one transaction, of at most `maxBatch`
// messages. One batch is in flight at a time: what arrives meanwhile waits for its answer, then
// goes at once if due. The cap keeps each commit, and so each wait of a main-connection write
// for the writer's lock, short when the queue has grown behind a slow commit.
// drain() is how reads see every message accepted before them; whenIdle() how the main
// connection's writes keep out of the thread's way.
import type { StoredMessage } from './store.ts';
import { flattenMessages } from './sqlite-batch-writes.js';
import type { MessageWriter } from './sqlite-writer.ts';

/** Tries at writing the queue at close() before what is left is given up (and counted as dropped). */
const CLOSE_ATTEMPTS = 3;

export interface FlushInfo {
  /** Messages written by this flush. */
  messages: number;
  /** Time the transaction took, on the writer thread (on the event loop with the inline writer). */
  ms: number;
}

export interface MessageQueueOptions {
  writer: MessageWriter;
  flushIntervalMs: number;
  maxBatch: number;
  /** While writes fail, at most this many messages wait for a retry; older ones are dropped. */
  maxQueued: number;
  onFlush?: ((info: FlushInfo) => void) | undefined;
  onError?: ((err: unknown) => void) | undefined;
}

interface Waiter {
  /** Resolved once this many messages, counted from the first ever accepted, are settled. */
  upTo: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class MessageQueue {
  /** Counters for metrics and tests (SqliteStore adds its maintenance transactions). */
  readonly stats = { transactions: 0, flushes: 0, messagesWritten: 0, flushMs: 0, maxFlushMs: 0, errors: 0, dropped: 0 };
  private queue: StoredMessage[] = [];
  /** The batch the writer has, until it answers. */
  private sending: StoredMessage[] | undefined;
  /** Messages ever accepted, and of them those written or dropped, oldest first. */
  private accepted = 0;
  private settled = 0;
  private waiters: Waiter[] = [];
  /** Main-connection writes waiting for the batch in flight to be answered. */
  private idleWrites: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** The timer fired while a batch was in flight: send the queue as soon as it is answered. */
  private due = false;
  private closed = false;

  constructor(private readonly options: MessageQueueOptions) {}

  /** Messages accepted but not yet written. */
  get queued(): number {
    return this.queue.length + (this.sending?.length ?? 0);
  }

  append(message: StoredMessage): void {
    if (this.closed) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(message);
    this.accepted++;
    // Not unref'd: a process that ends on its own writes its queue first.
    if (this.queue.length >= this.options.maxBatch) {
      this.immediate ??= setImmediate(this.timedFlush);
    } else {
      this.timer ??= setTimeout(this.timedFlush, this.options.flushIntervalMs);
    }
  }

  /** Resolves once every message accepted so far is written; rejects if a write of them fails. */
  drain(): Promise<void> {
    const upTo = this.accepted;
    if (this.settled >= upTo) return Promise.resolve();
    const settledThen = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    this.send();
    return settledThen;
  }

  /**
   * Runs `write` (on the main connection) when no batch is in flight: then the writer thread
   * holds no lock, and the write does not wait for one on the event loop (busy_timeout would
   * make it wait the length of a commit). At once when idle; otherwise as soon as the batch is
   * answered, before the next is sent.
   */
  whenIdle<T>(write: () => T): Promise<T> {
    if (this.sending === undefined) {
      try {
        return Promise.resolve(write());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<T>((resolve, reject) =>
      this.idleWrites.push(() => {
        try {
          resolve(write());
        } catch (err) {
          reject(err);
        }
      }),
    );
  }

  /**
   * Writes what is queued, then closes the writer; later appends are dropped and counted. A
   * failed write is tried again at once (the next request restarts a writer thread that died),
   * up to CLOSE_ATTEMPTS times; what is still unwritten then is counted as dropped.
   */
  async close(): Promise<void> {
    this.closed = true;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.drain();
          break;
        } catch (err) {
          if (attempt < CLOSE_ATTEMPTS) continue;
          this.stats.dropped += this.queue.length;
          this.settled += this.queue.length;
          this.queue = [];
          throw err;
        }
      }
    } finally {
      this.clearTimers();
      await this.options.writer.close();
    }
  }

  private readonly timedFlush = (): void => {
    this.clearTimers(); // both: the other one would fire a needless flush (or cut a retry's wait short)
    if (this.sending !== undefined) this.due = true;
    else this.send();
  };

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private send(): void {
    if (this.sending !== undefined || this.queue.length === 0) return;
    this.clearTimers();
    const batch = this.queue.length <= this.options.maxBatch ? this.queue : this.queue.slice(0, this.options.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    this.due = this.queue.length > 0; // what is left was due with the rest: it goes next
    this.sending = batch;
    this.stats.transactions++;
    this.options.writer.write(flattenMessages(batch)).then(
      (ms) => this.written(batch, ms),
      (err: unknown) => this.failed(batch, err),
    );
  }

  private written(batch: StoredMessage[], ms: number): void {
    this.sending = undefined;
    this.runIdleWrites();
    this.settled += batch.length;
    const s = this.stats;
    s.flushes++;
    s.messagesWritten += batch.length;
    s.flushMs += ms;
    s.maxFlushMs = Math.max(s.maxFlushMs, ms);
    this.settleWaiters();
    const waited = this.waiters.length > 0;
    if (this.due || waited || this.queue.length >= this.options.maxBatch) this.send();
    else if (this.queue.length > 0) this.timer ??= setTimeout(this.timedFlush, this.options.flushIntervalMs);
    // Last, and guarded: a hook that throws must not leave readers waiting or writes unsent.
    callHook(() => this.options.onFlush?.({ messages: batch.length, ms }));
  }

  /** The batch goes back at the head of the queue, to be retried; no message is skipped. */
  private failed(batch: StoredMessage[], err: unknown): void {
    this.sending = undefined;
    this.runIdleWrites();
    this.stats.errors++;
    this.queue = batch.concat(this.queue);
    const excess = this.queue.length - this.options.maxQueued;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.stats.dropped += excess;
      this.settled += excess;
    }
    this.settleWaiters(err);
    // Retry later, without keeping the process alive for a disk that may stay broken; once
    // closing, close() retries at once instead.
    this.clearTimers();
    this.due = false;
    if (this.queue.length > 0 && !this.closed) this.timer = setTimeout(this.timedFlush, Math.max(this.options.flushIntervalMs, 1000)).unref();
    callHook(() => this.options.onError?.(err));
  }

  private runIdleWrites(): void {
    const writes = this.idleWrites;
    this.idleWrites = [];
    for (const write of writes) write();
  }

  /** Resolves the waiters whose messages are all settled; with `err`, rejects the others. */
  private settleWaiters(err?: unknown): void {
    let i = 0;
    while (i < this.waiters.length && this.waiters[i]!.upTo <= this.settled) this.waiters[i++]!.resolve();
    const rest = this.waiters.slice(i);
    if (err === undefined) {
      this.waiters = rest;
      return;
    }
    this.waiters = [];
    for (const w of rest) w.reject(err);
  }
}

/** A metrics or logging hook's failure is not the store's: it is reported as a process warning, never thrown into the queue. */
function callHook(hook: () => void): void {
  try {
    hook();
  } catch (err) {
    process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'SqliteStoreHookWarning');
  }
}
