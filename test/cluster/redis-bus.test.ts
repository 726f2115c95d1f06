// RedisBus on a real redis-server (test/helpers/redis.ts): positions and ids, snapshots and
// trimming, liveness (reaping, a paused Redis), a Redis that restarted empty, and one away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LogError } from '../../src/cluster/errors.ts';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import { RedisBus, type RedisBusOptions } from '../../src/cluster/redis-bus.ts';
import { connectRedis, openRedis, redisOptionsFromUrl } from '../../src/cluster/redis-connection.ts';
import { logKeys } from '../../src/cluster/redis-scripts.ts';
import { startRedis, within, type RedisServer } from '../helpers/redis.ts';

type Event = { type: 'say'; n: number } | { type: 'down'; nodeId: string; epoch: string };

const downEvent = (nodeId: string, epoch: string): Event => ({ type: 'down', nodeId, epoch });

/** The first entry delivered to `bus` that matches. */
function nextEntry(bus: RedisBus<Event>, matches: (entry: LogEntry<Event>) => boolean): Promise<LogEntry<Event>> {
  return new Promise((resolve) => {
    const stop = bus.subscribe((entry) => {
      if (!matches(entry)) return;
      stop();
      resolve(entry);
    });
  });
}

test('Redis URLs: redis://, rediss://, unix://, credentials and database', () => {
  assert.deepEqual(redisOptionsFromUrl('redis://127.0.0.1:6380'), { host: '127.0.0.1', port: 6380 });
  assert.deepEqual(redisOptionsFromUrl('redis://u:p%40ss@redis.example/2'), { username: 'u', password: 'p@ss', db: 2, host: 'redis.example', port: 6379 });
  assert.deepEqual(redisOptionsFromUrl('rediss://redis.example:6390'), { host: 'redis.example', port: 6390, tls: { servername: 'redis.example' } });
  assert.deepEqual(redisOptionsFromUrl('unix:///run/redis/r.sock?db=1'), { db: 1, path: '/run/redis/r.sock' });
  assert.throws(() => redisOptionsFromUrl('http://x'), /Unsupported Redis URL scheme/);
  assert.throws(() => redisOptionsFromUrl('redis://x/abc'), /Invalid Redis database number/);
});

describe('RedisBus', () => {
  let server: RedisServer;
  let raw: Redis;
  const opened: RedisBus<Event>[] = [];

  before(async () => {
    server = await startRedis();
    raw = openRedis(server.url, { name: 'test' });
    await connectRedis(raw, server.url);
  });
  after(async () => {
    await Promise.all(opened.map((bus) => bus.close()));
    raw.disconnect();
    await server.stop();
  });

  /** `count` nodes on one fresh log. */
  const network = async (count: number, options: Partial<RedisBusOptions<Event>> = {}) => {
    const namespace = `${server.namespace}-${randomBytes(4).toString('hex')}`;
    const buses = await Promise.all(
      Array.from({ length: count }, () => RedisBus.connect<Event>({ url: server.url, namespace, downEvent, ...options })),
    );
    opened.push(...buses);
    return { buses, keys: logKeys(namespace), namespace };
  };
  const logged = async (stream: string): Promise<[string, string[]][]> => (await raw.call('XRANGE', stream, '-', '+')) as [string, string[]][];

  test('concurrent appends from 3 nodes get contiguous positions, non-decreasing times, ids `${time}-${position}`', async () => {
    const { buses, keys } = await network(3);
    const seen: LogEntry<Event>[] = [];
    buses[0]!.subscribe((entry) => seen.push(entry));
    await Promise.all(buses.flatMap((bus, node) => Array.from({ length: 30 }, (_, i) => bus.append(`e${node}`, i, { type: 'say', n: node * 100 + i }))));
    await within(buses[0]!.delivery(90), 'delivery of 90 entries');
    assert.deepEqual(seen.map((e) => e.position), Array.from({ length: 90 }, (_, i) => i + 1));
    assert.ok(seen.every((e, i) => i === 0 || e.time >= seen[i - 1]!.time), 'time never goes backwards');
    assert.deepEqual((await logged(keys.stream)).map(([id]) => id), seen.map((e) => `${e.time}-${e.position}`));
    assert.equal(new Set(seen.map((e) => (e.event.type === 'say' ? e.event.n : -1))).size, 90, 'each append once');
  });

  test('connects over a unix socket', { skip: process.env.PARLOR_TEST_REDIS_URL ? 'an external server' : false }, async () => {
    const bus = await RedisBus.connect<Event>({ url: `unix://${server.socketPath}`, namespace: `${server.namespace}-unix`, downEvent });
    opened.push(bus);
    const first = nextEntry(bus, () => true);
    await bus.append('e', 0, { type: 'say', n: 1 });
    assert.equal((await within(first, 'the entry')).event.type, 'say');
  });

  test('a snapshot is written by one node at a time: while the lease is held elsewhere, saving is skipped', async () => {
    const { buses, keys } = await network(2);
    for (let n = 1; n <= 4; n++) await buses[0]!.append('e', 0, { type: 'say', n });
    await raw.set(keys.snapshotLease, 'another-node', 'PX', 10_000);
    await buses[0]!.saveSnapshot({ position: 3, data: 'skipped' });
    assert.equal(await buses[1]!.latestSnapshot(), undefined);
    await raw.del(keys.snapshotLease);
    await Promise.all([buses[0]!.saveSnapshot({ position: 3, data: 's3' }), buses[1]!.saveSnapshot({ position: 4, data: 's4' })]);
    const stored = await buses[0]!.latestSnapshot();
    assert.ok(stored?.data === 's3' || stored?.data === 's4', `one of them: ${JSON.stringify(stored)}`);
    assert.equal(await raw.exists(keys.snapshotLease), 0, 'the lease is let go after saving');
  });

  test('trimming keeps one interval of slack: entries up to the previous snapshot go', async () => {
    const { buses, keys } = await network(2);
    for (let n = 1; n <= 10; n++) await buses[0]!.append('e', 0, { type: 'say', n });
    await buses[1]!.delivery(10);
    await buses[0]!.saveSnapshot({ position: 4, data: 's4' });
    assert.equal((await logged(keys.stream)).length, 10, 'the first snapshot trims nothing');
    await buses[1]!.saveSnapshot({ position: 8, data: 's8' });
    assert.deepEqual((await buses[1]!.readAfter(0)).map((e) => e.position), [5, 6, 7, 8, 9, 10]);
    assert.deepEqual((await buses[0]!.readAfter(4)).map((e) => e.position), [5, 6, 7, 8, 9, 10]);
    assert.deepEqual(await buses[0]!.latestSnapshot(), { position: 8, data: 's8' });
  });

  test("trimming keeps what the history group has not handled, unless that backlog exceeds maxBacklog", async () => {
    const errors: unknown[] = [];
    const { buses, keys } = await network(1, { historyGroup: 'history', logError: (err) => errors.push(err) });
    const [bus] = buses as [RedisBus<Event>];
    for (let n = 1; n <= 12; n++) await bus.append('e', 0, { type: 'say', n });
    // The history writer handled 1-2 and holds 3-4 unacknowledged; 5 on were never delivered.
    const read = async (count: number) =>
      ((await raw.call('XREADGROUP', 'GROUP', 'history', 'w', 'COUNT', count, 'STREAMS', keys.stream, '>')) as [string, [string][]][])[0]![1].map(([id]) => id);
    await raw.call('XACK', keys.stream, 'history', ...(await read(2)));
    await read(2);
    await bus.saveSnapshot({ position: 6, data: 's6' });
    await bus.saveSnapshot({ position: 10, data: 's10' });
    assert.deepEqual((await bus.readAfter(0)).map((e) => e.position)[0], 3, 'kept from the oldest unacknowledged');
    // Acknowledged: the bound becomes the first never delivered (5), still below the snapshot's 6.
    const pending = (await raw.call('XPENDING', keys.stream, 'history', '-', '+', 10)) as [string][];
    await raw.call('XACK', keys.stream, 'history', ...pending.map(([id]) => id));
    await bus.saveSnapshot({ position: 11, data: 's11' });
    assert.equal((await bus.readAfter(0))[0]!.position, 5, 'kept from the first never delivered');
    assert.equal(errors.length, 0, 'nothing to report');

    const small = await network(1, { historyGroup: 'history', maxBacklog: 3, logError: (err) => errors.push(err) });
    const [other] = small.buses as [RedisBus<Event>];
    for (let n = 1; n <= 10; n++) await other.append('e', 0, { type: 'say', n });
    await other.saveSnapshot({ position: 4, data: 's4' });
    await other.saveSnapshot({ position: 8, data: 's8' });
    assert.equal((await other.readAfter(0))[0]!.position, 5, 'a backlog past maxBacklog is trimmed');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /backlog of 10 entries exceeds maxBacklog 3/);
  });

  const liveness = { heartbeatMs: 50, deadAfterMs: 400, commandTimeoutMs: 300 } as const;

  test('a node that stops beating is reaped by exactly one node.down, with 3 reapers; its later beats are refused', async () => {
    const { buses, keys } = await network(4, liveness);
    const [victim, ...reapers] = buses as [RedisBus<Event>, ...RedisBus<Event>[]];
    buses.forEach((bus, i) => bus.keepAlive(`node${i}`, () => `epoch${i}`));
    await Promise.all(buses.map((bus) => bus.heartbeat()));
    const down = nextEntry(reapers[0]!, (e) => e.event.type === 'down');
    victim.stopHeartbeat(); // a crashed process: its heartbeat stays, and ages
    assert.deepEqual((await within(down, 'a node.down')).event, { type: 'down', nodeId: 'node0', epoch: 'epoch0' });
    // Every reaper beats (and reaps) again at once: still one node.down.
    await Promise.all(reapers.map((bus) => bus.heartbeat()));
    const downs = (await logged(keys.stream)).filter(([, fields]) => fields.includes(JSON.stringify(downEvent('node0', 'epoch0'))));
    assert.equal(downs.length, 1, 'one node.down');
    assert.equal(await raw.hexists(keys.heartbeats, 'node0'), 0);
    assert.equal(await victim.heartbeat(), 'dead', 'a reaped epoch beats no more');
    assert.equal(await raw.hexists(keys.heartbeats, 'node0'), 0);
  });

  test('two reapers finding one stale node at once append one node.down', async () => {
    const { buses, keys } = await network(3, liveness);
    buses.forEach((bus, i) => bus.keepAlive(`node${i}`, () => `epoch${i}`));
    buses.forEach((bus) => bus.stopHeartbeat());
    const [seconds] = (await raw.call('TIME')) as [string];
    await raw.hset(keys.heartbeats, 'victim', `victim-epoch|${Number(seconds) * 1000 - 1000}`);
    await Promise.all(buses.map((bus) => bus.heartbeat()));
    const downs = (await logged(keys.stream)).filter(([, fields]) => fields.includes(JSON.stringify(downEvent('victim', 'victim-epoch'))));
    assert.equal(downs.length, 1, 'one node.down');
  });

  test('a paused redis-server (longer than deadAfterMs) reaps nobody', async () => {
    const { buses, keys } = await network(3, liveness);
    buses.forEach((bus, i) => bus.keepAlive(`node${i}`, () => `epoch${i}`));
    await Promise.all(buses.map((bus) => bus.heartbeat()));
    // Beats by hand from here, so that one node is first to beat after the pause.
    buses.forEach((bus) => bus.stopHeartbeat());
    server.pause();
    await new Promise((resolve) => setTimeout(resolve, 2 * liveness.deadAfterMs)); // the pause itself
    server.resume();
    for (const bus of buses) assert.equal(await bus.heartbeat(), 'ok');
    assert.deepEqual((await logged(keys.stream)).length, 0, 'no node.down');
    assert.deepEqual(Object.keys(await raw.hgetall(keys.heartbeats)).sort(), ['node0', 'node1', 'node2']);
  });

  test('with timers running through a pause, nobody is reaped either', async () => {
    const { buses, keys } = await network(3, liveness);
    buses.forEach((bus, i) => bus.keepAlive(`node${i}`, () => `epoch${i}`));
    await Promise.all(buses.map((bus) => bus.heartbeat()));
    server.pause();
    await new Promise((resolve) => setTimeout(resolve, 2 * liveness.deadAfterMs)); // the pause itself
    server.resume();
    for (let round = 0; round < 3; round++) assert.deepEqual(await Promise.all(buses.map((bus) => bus.heartbeat())), ['ok', 'ok', 'ok']);
    assert.deepEqual((await logged(keys.stream)).length, 0, 'no node.down');
  });

  test('redis unavailable: append fails fast with LOG_UNAVAILABLE; availability goes false, then true', async () => {
    const { buses } = await network(1, { commandTimeoutMs: 300 });
    const [bus] = buses as [RedisBus<Event>];
    const availability: boolean[] = [];
    bus.onAvailability((available) => availability.push(available));
    const back = (): Promise<void> => new Promise((resolve) => bus.onAvailability((available) => available && resolve()));
    server.pause();
    const started = Date.now();
    const failure = await bus.append('e', 0, { type: 'say', n: 1 }).then(() => undefined, (err: unknown) => err);
    const elapsed = Date.now() - started;
    const returned = back();
    server.resume();
    assert.ok(failure instanceof LogError && failure.code === 'LOG_UNAVAILABLE', String(failure));
    // Below the default (2 s): the option acted, with room for a loaded machine.
    assert.ok(elapsed < 1900, `failed within the command timeout (${elapsed} ms)`);
    await bus.append('e', 0, { type: 'say', n: 2 });
    await within(returned, 'availability again');
    assert.deepEqual(availability, [false, true]);
  });

  test('redis restarted empty: onLogLost once on each node; after resetLog() positions start again at 1', async () => {
    const { buses } = await network(2, { commandTimeoutMs: 500 });
    for (let n = 1; n <= 3; n++) await buses[0]!.append('e', 0, { type: 'say', n });
    await Promise.all(buses.map((bus) => bus.delivery(3)));
    const losses = [0, 0];
    const lost = buses.map((bus, i) => new Promise<void>((resolve) => bus.onLogLost(() => (losses[i]!++, resolve()))));
    const availability: boolean[] = [];
    buses[0]!.onAvailability((available) => availability.push(available));
    await server.restart();
    await within(Promise.all(lost), 'onLogLost on each node');
    const failure = await buses[1]!.append('e', 0, { type: 'say', n: 4 }).then(() => undefined, (err: unknown) => err);
    assert.ok(failure instanceof LogError && failure.code === 'LOG_LOST', String(failure));
    assert.deepEqual(losses, [1, 1], 'once on each node');
    assert.deepEqual(availability, [false, true], 'away while Redis restarted');

    await Promise.all(buses.map((bus) => bus.resetLog()));
    const first = buses.map((bus) => nextEntry(bus, () => true));
    await buses[1]!.append('e', 0, { type: 'say', n: 5 });
    for (const entry of await within(Promise.all(first), 'position 1 on each node')) assert.deepEqual([entry.position, entry.event], [1, { type: 'say', n: 5 }]);
    assert.deepEqual((await buses[0]!.readAfter(0)).map((e) => e.position), [1]);
    assert.deepEqual(losses, [1, 1]);

    // A reset tried again (the node's restart failed later on) leaves the new log alone.
    await buses[0]!.resetLog();
    await buses[1]!.append('e', 0, { type: 'say', n: 6 });
    assert.deepEqual((await buses[0]!.readAfter(0)).map((e) => e.position), [1, 2]);
  });

  test('redis came back with an older copy of the log (same epoch, positions given out again): lost, and the copy is let go', async () => {
    const { buses, keys } = await network(2, { commandTimeoutMs: 500 });
    for (let n = 1; n <= 3; n++) await buses[0]!.append('e', 0, { type: 'say', n });
    await Promise.all(buses.map((bus) => bus.delivery(3)));
    const lost = buses.map((bus) => new Promise<void>((resolve) => bus.onLogLost(resolve)));
    // What an RDB snapshot from before entry 3 gives back: entry 3 and the counter's last step gone.
    const [, , third] = await logged(keys.stream);
    await raw.call('XDEL', keys.stream, third![0]);
    await raw.set(keys.position, '2');
    await raw.set(keys.time, '0');
    await buses[1]!.append('e', 0, { type: 'say', n: 30 });
    await within(Promise.all(lost), 'position 3 seen again under another id: onLogLost on each node');
    const epochBefore = await raw.get(keys.epoch);
    await Promise.all(buses.map((bus) => bus.resetLog()));
    assert.notEqual(await raw.get(keys.epoch), epochBefore, 'a new log, not the older copy');
    const first = nextEntry(buses[0]!, () => true);
    await buses[1]!.append('e', 0, { type: 'say', n: 31 });
    const entry = await within(first, 'position 1 of the new log');
    assert.deepEqual([entry.position, entry.event], [1, { type: 'say', n: 31 }]);
  });
});
