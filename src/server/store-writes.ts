// Writes of network changes to the store of record (a ban set, a registered room changed), one
// after another in the order made. The network has the change already (the log applied it);
// the store must end up with it too, or a restart (or a lost log) would undo it. So a write that
// fails because the database is away waits and is tried again, and those after it wait behind
// it: a ban removed must not be overtaken by the older write that set it.
import { isStoreUnavailable } from '../storage/errors.ts';

export interface StoreWritesOptions {
  logError: (err: unknown, context: string) => void;
  /** Writes waiting at most; past it the newest is dropped, and logged. */
  maxQueued?: number;
  /** The first wait before trying again; it doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

interface Write {
  run: () => Promise<unknown>;
  what: string;
}

export class StoreWrites {
  private readonly queue: Write[] = [];
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private stopped = false;
  private readonly maxQueued: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: StoreWritesOptions) {
    this.maxQueued = options.maxQueued ?? 10_000;
    this.retryMs = options.retryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
  }

  /** Writes waiting (the one under way included). */
  get pending(): number {
    return this.queue.length;
  }

  /** `run` is called when the write's turn comes, and again for each retry. */
  add(run: () => Promise<unknown>, what: string): void {
    if (this.stopped) return;
    if (this.queue.length >= this.maxQueued) {
      this.options.logError(new Error(`more than ${this.maxQueued} store writes wait for the database`), `dropping: ${what}`);
      return;
    }
    this.queue.push({ run, what });
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once every write waiting now has been made (or given up). */
  whenIdle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Waits until every write has been made, or `ms` has passed (at shutdown); then stops retrying. */
  async stop(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([this.running ?? Promise.resolve(), deadline]);
    clearTimeout(timer);
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    if (this.queue.length > 0) this.options.logError(new Error(`${this.queue.length} store writes were not made (the database is unavailable)`), 'stopping');
  }

  private async drain(): Promise<void> {
    let waitMs = this.retryMs;
    let told = false;
    while (this.queue.length > 0 && !this.stopped) {
      const head = this.queue[0]!;
      try {
        await head.run();
        this.queue.shift();
        waitMs = this.retryMs;
        told = false;
      } catch (err) {
        if (!isStoreUnavailable(err)) {
          this.options.logError(err, head.what);
          this.queue.shift();
          continue;
        }
        // Said once per outage, not at every try.
        if (!told) this.options.logError(err, `${head.what}; trying again until the database is back`);
        told = true;
        await this.pause(waitMs);
        waitMs = Math.min(waitMs * 2, this.maxRetryMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
      this.retryTimer.unref();
    });
  }
}
