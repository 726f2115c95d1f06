// One contract for every Bus implementation: several nodes read one ordered log. Each node
// here applies what it is delivered through a LogCursor, as a real node does (a duplicate is
// passed over, a gap is filled with readAfter), so the suite also holds on a lossy log. Runs
// on InProcessBus and on the delayed double (several seeds; PARLOR_SEED replays one), with and
// without duplicated and dropped deliveries.
import { after, describe, test, type TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { Bus } from '../../src/cluster/bus.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import { LogCursor, type CursorVerdict, type LogEntry } from '../../src/cluster/log-cursor.ts';
import { DelayedLog, type DeliveryOptions } from '../helpers/delayed-bus.ts';
import { seedsFromEnv } from '../helpers/seed.ts';
import { RedisBus } from '../../src/cluster/redis-bus.ts';
import { redisBusNetwork, startRedis } from '../helpers/redis.ts';

type Event = { n: number; from: string };

export interface BusNetwork {
  /** One handle per node, all on one log. */
  readonly nodes: Bus<Event>[];
  /** Resolves once every delivery under way has been made. */
  settled(): Promise<void>;
  close(): Promise<void>;
  /** Printed by every test, for a randomized network. */
  readonly seed?: number;
  /** May deliver an entry twice or not at all. */
  readonly lossy: boolean;
}

export type MakeNetwork = (options: { nodes: number; now?: () => number }) => BusNetwork;

/** A node's reading of the log: every delivery, each verdict, and what was applied. */
class Reader {
  readonly cursor = new LogCursor();
  readonly delivered: LogEntry<Event>[] = [];
  readonly verdicts: CursorVerdict[] = [];
  readonly applied: LogEntry<Event>[] = [];
  readonly unsubscribe: () => void;
  private catchingUp: Promise<void> | undefined;
  private gapWhileCatchingUp = false;

  /** `tamper` plays the transport's faults on top of the bus's own: drop or repeat a delivery. */
  constructor(
    private readonly bus: Bus<Event>,
    private readonly tamper: (entry: LogEntry<Event>, cursorPosition: number) => 'drop' | 'twice' | undefined = () => undefined,
  ) {
    this.unsubscribe = bus.subscribe((entry) => this.receive(entry));
  }

  private receive(entry: LogEntry<Event>): void {
    const fault = this.tamper(entry, this.cursor.position);
    if (fault === 'drop') return;
    for (let i = fault === 'twice' ? 2 : 1; i > 0; i--) {
      this.delivered.push(entry);
      if (this.take(entry) === 'gap') void this.catchUp();
    }
  }

  private take(entry: LogEntry<Event>): CursorVerdict {
    const verdict = this.cursor.check(entry);
    this.verdicts.push(verdict);
    if (verdict === 'apply') this.applied.push(entry);
    if (verdict === 'gap' && this.catchingUp) this.gapWhileCatchingUp = true;
    return verdict;
  }

  /** Reads what the cursor misses from the log (again, if a gap showed up meanwhile). */
  catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      do {
        this.gapWhileCatchingUp = false;
        for (const entry of await this.bus.readAfter(this.cursor.position)) if (this.take(entry) === 'gap') break;
      } while (this.gapWhileCatchingUp);
    })().finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }
}

const positions = (entries: readonly LogEntry<Event>[]): number[] => entries.map((e) => e.position);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function busContract(name: string, makeNetwork: MakeNetwork): void {
  describe(`Bus contract: ${name}`, () => {
    const open = (t: TestContext, options: Parameters<MakeNetwork>[0]): BusNetwork => {
      const network = makeNetwork(options);
      if (network.seed !== undefined) t.diagnostic(`seed ${network.seed} (set PARLOR_SEED to replay)`);
      t.after(() => network.close());
      return network;
    };
    /** Waits for deliveries, then lets each reader fetch what it was never delivered (a lost last entry). */
    const drain = async (network: BusNetwork, readers: Reader[]): Promise<void> => {
      await network.settled();
      await Promise.all(readers.map((r) => r.catchUp()));
      await network.settled();
    };

    test('every node applies the same entries in the same order; positions are 1, 2, 3…', async (t) => {
      const network = open(t, { nodes: 3 });
      const readers = network.nodes.map((bus) => new Reader(bus));
      for (let n = 0; n < 30; n++) await network.nodes[n % 3]!.append(`e${n % 3}`, 0, { n, from: `node${n % 3}` });
      await drain(network, readers);
      const [first] = readers;
      assert.deepEqual(positions(first!.applied), range(1, 30));
      assert.deepEqual(first!.applied.map((e) => e.event.n).sort((a, b) => a - b), range(0, 29), 'every append is in the log once');
      for (const reader of readers) {
        assert.deepEqual(reader.applied, first!.applied, 'the same entries, in the same order, on every node');
        const seen = positions(reader.delivered);
        assert.ok(seen.every((p, i) => i === 0 || p >= seen[i - 1]!), `deliveries in position order: ${seen.join(',')}`);
        if (!network.lossy) assert.deepEqual(seen, range(1, 30), 'a lossless bus delivers each entry once');
      }
    });

    test('the appender gets its own entry back, with its epoch and ref', async (t) => {
      const network = open(t, { nodes: 2 });
      const readers = network.nodes.map((bus) => new Reader(bus));
      await network.nodes[0]!.append('alpha-1', 7, { n: 1, from: 'alpha' });
      await network.nodes[1]!.append('beta-1', 0, { n: 2, from: 'beta' });
      await drain(network, readers);
      for (const reader of readers) {
        assert.deepEqual(
          reader.applied.map(({ position, epoch, ref, event }) => ({ position, epoch, ref, event })),
          [
            { position: 1, epoch: 'alpha-1', ref: 7, event: { n: 1, from: 'alpha' } },
            { position: 2, epoch: 'beta-1', ref: 0, event: { n: 2, from: 'beta' } },
          ],
        );
      }
      if (!network.lossy) assert.deepEqual(positions(readers[0]!.delivered), [1, 2], 'through subscribe, not only readAfter');
    });

    test("time comes from the log's clock and never goes backwards", async (t) => {
      const clock = [1000, 900, 1100, 1100, 1050, 1200];
      let tick = 0;
      const network = open(t, { nodes: 2, now: () => clock[Math.min(tick++, clock.length - 1)]! });
      const readers = network.nodes.map((bus) => new Reader(bus));
      for (let n = 0; n < clock.length; n++) await network.nodes[n % 2]!.append('e', 0, { n, from: 'x' });
      await drain(network, readers);
      for (const reader of readers) assert.deepEqual(reader.applied.map((e) => e.time), [1000, 1000, 1100, 1100, 1100, 1200]);
    });

    test('readAfter(p) gives exactly the entries after p, to any node', async (t) => {
      const network = open(t, { nodes: 2 });
      const readers = network.nodes.map((bus) => new Reader(bus));
      for (let n = 1; n <= 10; n++) await network.nodes[0]!.append('e', n, { n, from: 'a' });
      await drain(network, readers);
      for (const bus of network.nodes) {
        assert.deepEqual(await bus.readAfter(4), readers[0]!.applied.slice(4));
        assert.deepEqual(positions(await bus.readAfter(0)), range(1, 10));
        assert.deepEqual(await bus.readAfter(10), []);
      }
      // A node that starts late catches up from a position, then reads on live.
      const late = new Reader(network.nodes[1]!);
      late.cursor.resetTo(6);
      await late.catchUp();
      await network.nodes[0]!.append('e', 11, { n: 11, from: 'a' });
      await drain(network, [...readers, late]);
      assert.deepEqual(positions(late.applied), range(7, 11));
    });

    test('a LogCursor applies each position once: a repeat is a duplicate, a lost one a gap that readAfter fills', async (t) => {
      const network = open(t, { nodes: 2 });
      // In one phase the node is handed an entry twice, in a later one it loses one: each time
      // an entry it would apply next (the bus itself may also lose or repeat some).
      let fault: 'twice' | 'drop' | undefined = 'twice';
      const faulty = new Reader(network.nodes[1]!, (entry, cursorPosition) => {
        if (!fault || entry.position !== cursorPosition + 1) return undefined;
        const now = fault;
        fault = undefined;
        return now;
      });
      const readers = [new Reader(network.nodes[0]!), faulty];
      let n = 0;
      /** Appends batches until the armed fault has been played (the bus may lose its target). */
      const appendUntilPlayed = async (): Promise<void> => {
        for (let batch = 0; batch < 10 && (batch === 0 || fault); batch++) {
          for (let i = 0; i < 4; i++, n++) await network.nodes[n % 2]!.append('e', n, { n, from: 'x' });
          await drain(network, readers);
        }
        assert.equal(fault, undefined, 'the fault was played');
      };
      await appendUntilPlayed();
      assert.ok(faulty.verdicts.includes('duplicate'), `verdicts: ${faulty.verdicts.join(',')}`);
      if (!network.lossy) assert.equal(faulty.verdicts.filter((v) => v !== 'apply').length, 1, 'one duplicate and nothing else');
      fault = 'drop';
      await appendUntilPlayed();
      assert.ok(faulty.verdicts.includes('gap'), `verdicts: ${faulty.verdicts.join(',')}`);
      assert.deepEqual(positions(faulty.applied), range(1, n), 'each position applied once, in order');
      assert.deepEqual(faulty.applied, readers[0]!.applied, 'the refilled entries are the ones the others applied');
    });

    test('snapshots: the newest saved is the latest, for every node; entries after it stay readable', async (t) => {
      const network = open(t, { nodes: 2 });
      const [a, b] = network.nodes as [Bus<Event>, Bus<Event>];
      assert.equal(await b.latestSnapshot(), undefined);
      for (let n = 1; n <= 6; n++) await a.append('e', 0, { n, from: 'a' });
      await network.settled();
      await a.saveSnapshot({ position: 3, data: 's3' });
      await b.saveSnapshot({ position: 5, data: 's5' });
      await a.saveSnapshot({ position: 4, data: 's4-stale' });
      assert.deepEqual(await a.latestSnapshot(), { position: 5, data: 's5' });
      assert.deepEqual(await b.latestSnapshot(), { position: 5, data: 's5' });
      assert.deepEqual(positions(await b.readAfter(5)), [6]);
      const held = positions(await a.readAfter(0));
      assert.deepEqual(held, range(held[0] ?? 6, 6), 'what is held is contiguous up to the newest entry');
    });

    test('unsubscribe stops delivery to that handler only', async (t) => {
      const network = open(t, { nodes: 2 });
      const [a, b] = network.nodes as [Bus<Event>, Bus<Event>];
      const dropped = new Reader(b);
      const kept = new Reader(b);
      await a.append('e', 0, { n: 1, from: 'a' });
      await drain(network, [dropped, kept]);
      dropped.unsubscribe();
      const deliveredBefore = dropped.delivered.length;
      await a.append('e', 0, { n: 2, from: 'a' });
      await a.append('e', 0, { n: 3, from: 'a' });
      await network.settled();
      await kept.catchUp();
      assert.equal(dropped.delivered.length, deliveredBefore, 'nothing after unsubscribe');
      assert.deepEqual(positions(kept.applied), [1, 2, 3]);
    });
  });
}

busContract('InProcessBus', ({ nodes, now }) => {
  const bus = new InProcessBus<Event>({ now });
  return { nodes: Array.from({ length: nodes }, () => bus), settled: async () => {}, close: () => bus.close(), lossy: false };
});

const delayed = (seed: number, faults: DeliveryOptions): MakeNetwork => ({ nodes, now }) => {
  const log = new DelayedLog<Event>({ seed, now, ...faults });
  const lossy = (faults.duplicateRate ?? 0) > 0 || (faults.dropRate ?? 0) > 0;
  // Each node its own delays, so that nodes really read the log at different times.
  const handles = Array.from({ length: nodes }, (_, i) => log.node(`node${i}`, { minDelayMs: i, maxDelayMs: 2 + 2 * i }));
  return { nodes: handles, settled: () => log.settled(), close: () => log.close(), seed: log.seed, lossy };
};

for (const seed of seedsFromEnv([1, 2, 3])) {
  busContract(`DelayedLog (seed ${seed})`, delayed(seed, {}));
  busContract(`DelayedLog, lossy (seed ${seed})`, delayed(seed, { duplicateRate: 0.25, dropRate: 0.25 }));
}

// RedisBus (issue 14): each node its own RedisBus on one real redis-server, a fresh key
// namespace per network.
const redisServer = startRedis();
redisServer.catch(() => {}); // reported by the first test that needs it
after(async () => (await redisServer.catch(() => undefined))?.stop());
busContract('RedisBus', ({ nodes, now }) => {
  const namespace = `contract-${randomBytes(6).toString('hex')}`;
  const network = redisBusNetwork<Event>(nodes, async () => {
    const { url, namespace: base } = await redisServer;
    return RedisBus.connect<Event>({ url, namespace: `${base}-${namespace}`, clock: now, downEvent: (nodeId) => ({ n: -1, from: nodeId }) });
  });
  return { ...network, lossy: false };
});
