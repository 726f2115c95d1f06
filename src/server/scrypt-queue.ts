// Password hashing is the most expensive thing a stranger can make the server do: each
// scrypt takes a thread of libuv's pool (4 by default, shared with file and DNS work) and
// about 32 MiB. Every hash and check goes through this queue, so that only a few run at
// once and only a few wait; beyond that an attempt is refused at once ("try again"),
// rather than making everyone's answers (and the chat's storage writes) wait behind it.

export interface ScryptQueueSettings {
  /** Hashes computed at once. */
  hashConcurrency: number;
  /** Hashes that may wait for a turn. */
  hashQueue: number;
}

/** The queue was full: the attempt was not made, and costs nothing; the client may retry. */
export class HashQueueFullError extends Error {
  override name = 'HashQueueFullError';
  readonly code = 'hash-queue-full';
  constructor() {
    super('The server is busy checking passwords; try again in a moment');
  }
}

export class ScryptQueue {
  private running = 0;
  /** Jobs of tryRun running (at most one). */
  private background = 0;
  private readonly waiting: (() => void)[] = [];
  /** Jobs started so far (tests check that a refused attempt cost no hashing). */
  started = 0;

  /** Settings are read on every call, so that a reloaded config applies at once. */
  constructor(private readonly settings: () => ScryptQueueSettings) {}

  /** Jobs running now, and waiting for a turn. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `job` when a slot is free; rejects at once with HashQueueFullError when too many wait. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.acquire();
    this.started++;
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  /**
   * Runs `job` now if the queue is idle enough, never waiting: undefined otherwise. For work
   * that can be left for later (a SCRAM verifier after a login). It never takes a login's slot:
   * it runs beside them, one such job at a time, and only while no slot is taken by all of them
   * and nobody waits, so hashing uses at most hashConcurrency + 1 threads and a login arriving
   * just after is never told the server is busy because of it.
   */
  tryRun<T>(job: () => Promise<T>): Promise<T> | undefined {
    if (this.background > 0 || this.waiting.length > 0 || this.running >= this.settings().hashConcurrency) return undefined;
    this.background++;
    this.started++;
    return (async () => {
      try {
        return await job();
      } finally {
        this.background--;
      }
    })();
  }

  private acquire(): Promise<void> {
    const { hashConcurrency, hashQueue } = this.settings();
    if (this.running < hashConcurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= hashQueue) return Promise.reject(new HashQueueFullError());
    // The slot is handed over by release(): `running` counts the waiter from then on.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next && this.running <= this.settings().hashConcurrency) {
      next();
      return;
    }
    if (next) this.waiting.unshift(next); // concurrency was lowered by a reload: shed a slot first
    this.running--;
  }
}
