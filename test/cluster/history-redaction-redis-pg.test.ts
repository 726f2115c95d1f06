// A message and its deletion on the real pipeline of a cluster: a Redis Stream log, its history
// consumer group read by two nodes (RedisHistoryFeed, one entry per batch so that a message and
// its deletion go to either), each node's HistoryWriter on its own PostgresStore. A node that
// gets a message to be deleted holds its write until the deletion was written elsewhere (or a
// moment, when it holds the deletion itself): the deletion first, then the message, the race of
// the tombstones. No deleted message is left in PostgreSQL; every other one is there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import { RedisBus } from '../../src/cluster/redis-bus.ts';
import { RedisHistoryFeed } from '../../src/cluster/redis-history-feed.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { HistoryWriter, type AppliedEntries, type HistorySink } from '../../src/node/history-writer.ts';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import type { StoredMessage } from '../../src/storage/store.ts';
import { sharedPostgres } from '../helpers/postgres.ts';
import { startRedis, within, type RedisServer } from '../helpers/redis.ts';

const PAIRS = 12;

class Replica implements AppliedEntries {
  onPassedOver: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
  async whenReached(): Promise<boolean> {
    return true;
  }
}

/** Deletions written so far, by msgid, shared by the two nodes' sinks (the test's view). */
class Deletions {
  private readonly done = new Set<string>();
  private readonly waiting = new Map<string, (() => void)[]>();
  /** Messages whose write waited for their deletion, written on another node first. */
  deletedFirst = 0;
  /** Message writes completed (one entry per batch: one per message). */
  written = 0;

  get count(): number {
    return this.done.size;
  }

  mark(msgid: string): void {
    this.done.add(msgid);
    for (const wake of this.waiting.get(msgid) ?? []) wake();
    this.waiting.delete(msgid);
  }

  /** Resolves true once `msgid`'s deletion is written, false after `ms` (this node holds it itself). */
  awaitDeletion(msgid: string, ms: number): Promise<boolean> {
    if (this.done.has(msgid)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      const list = this.waiting.get(msgid) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.waiting.set(msgid, list);
    });
  }
}

/** A node's store as its history sink, holding back the write of a message to be deleted. */
class RacingSink implements HistorySink {
  constructor(
    private readonly store: PostgresStore,
    private readonly deletions: Deletions,
  ) {}

  async writeMessages(messages: StoredMessage[]): Promise<void> {
    for (const m of messages) {
      if (m.msgid.startsWith('gone-') && (await this.deletions.awaitDeletion(m.msgid, 300))) this.deletions.deletedFirst++;
    }
    await this.store.writeMessages(messages);
    this.deletions.written += messages.length;
  }

  async deleteMessage(msgid: string, time: number): Promise<boolean> {
    const deleted = await this.store.deleteMessage(msgid, time);
    this.deletions.mark(msgid);
    return deleted;
  }
}

let redis: RedisServer;
let url: string;
const toClose: { close(): Promise<void> }[] = [];
before(async () => {
  redis = await startRedis();
  url = await (await sharedPostgres()).newDatabase();
});
after(async () => {
  for (const item of toClose.reverse()) await item.close();
  await redis.stop();
});

const say = (msgid: string): NetworkEvent => ({
  type: 'message',
  command: 'PRIVMSG',
  uid: 'a-1',
  target: { kind: 'channel', name: '#room' },
  text: `text of ${msgid}`,
  clientTags: {},
  msgid,
  history: { key: '#room', source: 'sam!sam@h' },
});

const redact = (msgid: string): NetworkEvent => ({
  type: 'message.redact',
  uid: 'a-1',
  target: { kind: 'channel', name: '#room' },
  msgid,
  reason: undefined,
  redactMsgid: `r-${msgid}`,
  as: 'sender',
  sentAt: 0,
  windowMs: 60_000,
  sender: { uid: 'a-1' },
});

test('messages deleted while two nodes write history from the Redis log stay deleted in PostgreSQL', async () => {
  const namespace = `${redis.namespace}-${randomBytes(4).toString('hex')}`;
  const bus = await RedisBus.connect<NetworkEvent>({ url: redis.url, namespace, historyGroup: 'history', downEvent: (nodeId, epoch) => ({ type: 'node.down', nodeId, epoch, reason: 'test' }) });
  toClose.push(bus);
  const deletions = new Deletions();
  for (const node of ['a', 'b']) {
    const store = await PostgresStore.open({ url });
    toClose.push(store);
    const feed = await RedisHistoryFeed.connect<NetworkEvent>({ url: redis.url, namespace, consumer: node, batchSize: 1, blockMs: 100, retryMs: 10 });
    const writer = new HistoryWriter(feed, new RacingSink(store, deletions), new Replica());
    toClose.push(writer);
    writer.start();
  }
  for (let i = 0; i < PAIRS; i++) {
    await bus.append('e~1', 0, say(`gone-${i}`));
    await bus.append('e~1', 0, redact(`gone-${i}`));
    await bus.append('e~1', 0, say(`kept-${i}`));
  }

  const check = await PostgresStore.open({ url });
  toClose.push(check);
  const all = async (): Promise<string[]> => (await check.latest('#room', 1000)).map((m) => m.msgid).sort();
  const expected = Array.from({ length: PAIRS }, (_, i) => `kept-${i}`).sort();
  // Every entry handled: each message's write and each deletion done.
  await within(
    (async () => {
      for (;;) {
        if (deletions.written === 2 * PAIRS && deletions.count === PAIRS) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })(),
    'every entry to be written',
    20_000,
  );
  assert.deepEqual(await all(), expected);
  assert.ok(deletions.deletedFirst > 0, 'at least one deletion was written before its message, on the other node');
});
