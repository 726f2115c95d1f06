// The history writer's reading of the network log (issue 14): a consumer of a Redis consumer
// group, so that each entry is written to the store of record by one node, and an entry a node
// took but never finished (it died) is taken over by another. A batch is acknowledged (XACK)
// only once the handler has resolved — after its transaction committed — and a handler that
// fails gets the same batch again: nothing is skipped. The handler must be idempotent (an
// entry may come twice: a claim, a lost acknowledgement). RedisBus.connect creates the group
// (historyGroup), so that it sees every entry from the first.
import type { Redis } from 'ioredis';
import type { LogEntry } from './log-cursor.ts';
import { connectRedis, openRedis } from './redis-connection.ts';
import { logKeys, parseStreamEntry, type RawStreamEntry } from './redis-scripts.ts';

export interface RedisHistoryFeedOptions {
  url: string;
  namespace?: string;
  group?: string;
  /** This node's name in the group (its node id). */
  consumer: string;
  batchSize?: number;
  blockMs?: number;
  /** Entries another consumer has held unacknowledged this long are taken over. */
  claimIdleMs?: number;
  commandTimeoutMs?: number;
  /** A failed batch is tried again after this, doubling up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  logError?: (err: unknown, context: string) => void;
}

type Settings = Required<RedisHistoryFeedOptions>;
export type HistoryHandler<E> = (entries: LogEntry<E>[]) => Promise<void>;

export class RedisHistoryFeed<E> {
  private readonly stream: string;
  private closing = false;
  /** True while a read may be blocked on the server (close() then cuts the connection). */
  private reading = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  private constructor(
    private readonly settings: Settings,
    private readonly redis: Redis,
  ) {
    this.stream = logKeys(settings.namespace).stream;
  }

  static async connect<E>(options: RedisHistoryFeedOptions): Promise<RedisHistoryFeed<E>> {
    const settings: Settings = {
      namespace: 'parlor',
      group: 'history',
      batchSize: 500,
      blockMs: 1000,
      claimIdleMs: 30_000,
      commandTimeoutMs: 2000,
      retryMs: 100,
      maxRetryMs: 5000,
      logError: () => {},
      ...options,
    };
    // Blocking reads: no command timeout, but a socket silent well past a BLOCK is dead.
    const redis = openRedis(settings.url, {
      name: `parlor-history:${settings.namespace}:${settings.consumer}`,
      socketTimeoutMs: settings.blockMs + settings.commandTimeoutMs,
    });
    await connectRedis(redis, settings.url);
    redis.on('error', () => {});
    return new RedisHistoryFeed<E>(settings, redis);
  }

  /** Hands `handle` batches, in position order, until close(). */
  start(handle: HistoryHandler<E>): void {
    this.running = this.run(handle);
  }

  /** Stops after the batch in hand (handled and acknowledged, or left pending for a retry). */
  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    if (this.reading) this.redis.disconnect();
    await this.running;
    this.redis.disconnect();
  }

  private async run(handle: HistoryHandler<E>): Promise<void> {
    const { group, consumer, batchSize, blockMs, claimIdleMs } = this.settings;
    // After a restart, what this consumer took and never acknowledged comes first.
    let pendingAfter: string | undefined = '0';
    let nextClaim = Date.now() + claimIdleMs / 2;
    let failures = 0;
    while (!this.closing) {
      try {
        if (Date.now() >= nextClaim) {
          await this.claimIdle(handle);
          nextClaim = Date.now() + claimIdleMs / 2;
          continue;
        }
        const block = pendingAfter === undefined ? ['BLOCK', Math.min(blockMs, Math.max(1, nextClaim - Date.now()))] : [];
        this.reading = true;
        const reply = (await this.redis.call(
          'XREADGROUP', 'GROUP', group, consumer, 'COUNT', batchSize, ...block, 'STREAMS', this.stream, pendingAfter ?? '>',
        )) as [string, RawStreamEntry[]][] | null;
        this.reading = false;
        if (this.closing) return;
        const batch = reply?.[0]?.[1] ?? [];
        if (pendingAfter !== undefined) pendingAfter = batch.length > 0 ? batch[batch.length - 1]![0] : undefined;
        if (batch.length > 0) await this.handleAndAck(handle, batch);
        failures = 0;
      } catch (err) {
        this.reading = false;
        if (this.closing) return;
        this.settings.logError(err, 'history feed');
        await this.pause(this.backoff(failures++));
      }
    }
  }

  /** Takes over entries any consumer (a dead node) has held too long, and handles them. */
  private async claimIdle(handle: HistoryHandler<E>): Promise<void> {
    const { group, consumer, batchSize, claimIdleMs } = this.settings;
    let cursor = '0-0';
    do {
      const [next, claimed] = (await this.redis.call(
        'XAUTOCLAIM', this.stream, group, consumer, claimIdleMs, cursor, 'COUNT', batchSize,
      )) as [string, RawStreamEntry[], string[]?];
      if (this.closing) return;
      if (claimed.length > 0) await this.handleAndAck(handle, claimed);
      cursor = next;
    } while (cursor !== '0-0' && !this.closing);
  }

  /** Handles a batch until it succeeds (or close()), then acknowledges it. */
  private async handleAndAck(handle: HistoryHandler<E>, batch: RawStreamEntry[]): Promise<void> {
    const entries: LogEntry<E>[] = [];
    for (const raw of batch) {
      try {
        const parsed = parseStreamEntry<E>(raw);
        if (parsed) entries.push(parsed.entry);
      } catch (err) {
        // An entry that cannot be read never will be: said, and acknowledged with the rest.
        this.settings.logError(err, `history feed: unreadable entry ${raw[0]}`);
      }
    }
    entries.sort((a, b) => a.position - b.position);
    for (let attempt = 0; entries.length > 0; attempt++) {
      try {
        await handle(entries);
        break;
      } catch (err) {
        this.settings.logError(err, 'history feed: handler');
        if (this.closing) return;
        await this.pause(this.backoff(attempt));
        if (this.closing) return;
      }
    }
    await this.redis.call('XACK', this.stream, this.settings.group, ...batch.map(([id]) => id));
  }

  private backoff(attempt: number): number {
    return Math.min(this.settings.retryMs * 2 ** Math.min(attempt, 20), this.settings.maxRetryMs);
  }

  /** Waits `ms`, or less if close() comes first. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
