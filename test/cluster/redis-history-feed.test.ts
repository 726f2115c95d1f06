// RedisHistoryFeed on a real redis-server: acknowledged only after the handler resolved, a
// failing batch handed again (nothing skipped), a restarted consumer reads its pending entries
// first, and a dead consumer's entries are taken over by another.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import { RedisBus } from '../../src/cluster/redis-bus.ts';
import { connectRedis, openRedis } from '../../src/cluster/redis-connection.ts';
import { RedisHistoryFeed, type RedisHistoryFeedOptions } from '../../src/cluster/redis-history-feed.ts';
import { logKeys } from '../../src/cluster/redis-scripts.ts';
import { startRedis, within, type RedisServer } from '../helpers/redis.ts';

type Event = { n: number };

/** Settles a promise from outside. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RedisHistoryFeed', () => {
  let server: RedisServer;
  let raw: Redis;
  const toClose: { close(): Promise<void> }[] = [];

  before(async () => {
    server = await startRedis();
    raw = openRedis(server.url, { name: 'test' });
    await connectRedis(raw, server.url);
  });
  after(async () => {
    for (const item of toClose.reverse()) await item.close();
    raw.disconnect();
    await server.stop();
  });

  /** A log with the history group, and `count` entries appended. */
  const log = async (count: number) => {
    const namespace = `${server.namespace}-${randomBytes(4).toString('hex')}`;
    const bus = await RedisBus.connect<Event>({ url: server.url, namespace, historyGroup: 'history', downEvent: () => ({ n: -1 }) });
    toClose.push(bus);
    for (let n = 1; n <= count; n++) await bus.append('e', 0, { n });
    const stream = logKeys(namespace).stream;
    const pending = async (): Promise<number> => ((await raw.call('XPENDING', stream, 'history')) as [number])[0];
    const feed = async (options: Partial<RedisHistoryFeedOptions> & { consumer: string }) => {
      const opened = await RedisHistoryFeed.connect<Event>({ url: server.url, namespace, retryMs: 10, blockMs: 100, ...options });
      toClose.push(opened);
      return opened;
    };
    return { bus, pending, feed };
  };
  const numbers = (entries: LogEntry<Event>[]): number[] => entries.map((e) => e.event.n);

  test('a batch is acknowledged only after the handler resolved', async () => {
    const { pending, feed } = await log(5);
    const handled = deferred<LogEntry<Event>[]>();
    const release = deferred();
    const reader = await feed({ consumer: 'a' });
    reader.start(async (entries) => {
      handled.resolve(entries);
      await release.promise;
    });
    assert.deepEqual(numbers(await within(handled.promise, 'a batch')), [1, 2, 3, 4, 5]);
    assert.deepEqual((await within(handled.promise, 'a batch')).map((e) => e.position), [1, 2, 3, 4, 5]);
    assert.equal(await pending(), 5, 'not acknowledged while the handler runs');
    // close() ends after the batch in hand: handled, then acknowledged.
    const closed = reader.close();
    assert.equal(await pending(), 5, 'still not acknowledged');
    release.resolve();
    await within(closed, 'close()');
    assert.equal(await pending(), 0, 'acknowledged once it resolved');
  });

  test('a handler that fails twice gets the same entries again, then they are acknowledged', async () => {
    const { bus, pending, feed } = await log(3);
    const calls: number[][] = [];
    const done = deferred();
    const failedOnce = deferred();
    const reader = await feed({ consumer: 'a' });
    reader.start(async (entries) => {
      calls.push(numbers(entries));
      failedOnce.resolve();
      if (calls.length <= 2) throw new Error('store down');
      if (numbers(entries).includes(4)) done.resolve();
    });
    await within(failedOnce.promise, 'the first try');
    await bus.append('e', 0, { n: 4 });
    await within(done.promise, 'entry 4 handled');
    assert.deepEqual(calls.slice(0, 3), [[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    assert.deepEqual(calls.flat().slice(9), [4], 'then the next entry, none skipped');
    await reader.close();
    assert.equal(await pending(), 0);
  });

  test("a restarted consumer first handles what it took and never acknowledged", async () => {
    const { pending, feed } = await log(4);
    const failing = await feed({ consumer: 'a' });
    const tried = deferred();
    failing.start(async () => {
      tried.resolve();
      throw new Error('store down');
    });
    await within(tried.promise, 'the first try');
    await failing.close();
    assert.equal(await pending(), 4, 'left pending');
    const again = await feed({ consumer: 'a' });
    const handled = deferred<LogEntry<Event>[]>();
    again.start(async (entries) => handled.resolve(entries));
    assert.deepEqual(numbers(await within(handled.promise, 'a batch')), [1, 2, 3, 4]);
    await again.close();
    assert.equal(await pending(), 0);
  });

  test("a dead consumer's entries are taken over by another within claimIdleMs", async () => {
    const { pending, feed } = await log(3);
    const dying = await feed({ consumer: 'dead-node' });
    const tried = deferred();
    dying.start(async () => {
      tried.resolve();
      throw new Error('the process is about to die');
    });
    await within(tried.promise, 'the first try');
    await dying.close();
    const claimIdleMs = 300;
    const survivor = await feed({ consumer: 'live-node', claimIdleMs });
    const handled = deferred<LogEntry<Event>[]>();
    const started = Date.now();
    survivor.start(async (entries) => handled.resolve(entries));
    assert.deepEqual(numbers(await within(handled.promise, 'a batch')), [1, 2, 3]);
    // The bound tells claimIdleMs from the default (30 s) with room for a loaded machine.
    assert.ok(Date.now() - started < 10_000, `taken over in ${Date.now() - started} ms`);
    await survivor.close();
    assert.equal(await pending(), 0);
  });
});
