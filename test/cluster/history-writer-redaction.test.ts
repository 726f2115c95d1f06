// A message and its deletion written by two nodes of a cluster: history is written from the
// log by a consumer group, so a message's entry and its message.redact entry may go to two
// history writers (src/node/history-writer.ts), the deletion written first. The tombstone it
// leaves (Store.deleteMessage) makes the message's writer delete it again after committing, so
// it never comes back: on a store shared in process, and on PostgreSQL with two stores (two
// nodes' pools), in every order of the two sides' statements and when run at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { HistoryWriter, type AppliedEntries, type HistoryFeed, type HistorySink } from '../../src/node/history-writer.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { batchParams, INSERT_BATCH, type RunQuery } from '../../src/storage/postgres-history.ts';
import { dropRedacted, redactMessage } from '../../src/storage/postgres-redactions.ts';
import { PostgresStore } from '../../src/storage/postgres-store.ts';
import type { StoredMessage } from '../../src/storage/store.ts';
import { sharedPostgres } from '../helpers/postgres.ts';

const T = Date.UTC(2026, 0, 1);

class Feed implements HistoryFeed {
  private handle: ((entries: LogEntry<NetworkEvent>[]) => Promise<void>) | undefined;
  start(handle: (entries: LogEntry<NetworkEvent>[]) => Promise<void>): void {
    this.handle = handle;
  }
  deliver(entries: LogEntry<NetworkEvent>[]): Promise<void> {
    return this.handle!(entries);
  }
  async close(): Promise<void> {}
}

/** A replica ahead of the feed that refused nothing. */
class Replica implements AppliedEntries {
  onPassedOver: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
  async whenReached(): Promise<boolean> {
    return true;
  }
}

/** A MemoryStore shared by the nodes of one process, as a history sink. */
class MemorySink implements HistorySink {
  constructor(private readonly store: MemoryStore) {}
  async writeMessages(messages: StoredMessage[]): Promise<void> {
    for (const m of messages) this.store.appendMessage(m);
  }
  deleteMessage(msgid: string, time: number): Promise<boolean> {
    return this.store.deleteMessage(msgid, time);
  }
}

const said = (position: number, msgid: string): LogEntry<NetworkEvent> => ({
  position,
  epoch: 'a~1',
  time: T + position,
  ref: 0,
  event: { type: 'message', command: 'PRIVMSG', uid: 'a-1', target: { kind: 'channel', name: '#room' }, text: `text of ${msgid}`, clientTags: {}, msgid, history: { key: '#room', source: 'sam!sam@h' } },
});

const deleted = (position: number, msgid: string): LogEntry<NetworkEvent> => ({
  position,
  epoch: 'b~1',
  time: T + position,
  ref: 0,
  event: { type: 'message.redact', uid: 'a-1', target: { kind: 'channel', name: '#room' }, msgid, reason: undefined, redactMsgid: `r-${msgid}`, as: 'sender', sentAt: T, windowMs: 60_000, sender: { uid: 'a-1' } },
});

/** A node's history writer on its own sink. */
function node(sink: HistorySink): { feed: Feed; writer: HistoryWriter } {
  const feed = new Feed();
  const writer = new HistoryWriter(feed, sink, new Replica(), { now: () => T + 60_000 });
  writer.start();
  return { feed, writer };
}

describe('a message and its deletion written by two nodes (MemoryStore shared)', () => {
  test('the deletion written first: the message written after it does not come back', async () => {
    const store = new MemoryStore();
    const [a, b] = [node(new MemorySink(store)), node(new MemorySink(store))];
    await b.feed.deliver([deleted(2, 'm1')]);
    await a.feed.deliver([said(1, 'm1'), said(3, 'm3')]);
    assert.deepEqual((await store.latest('#room', 10)).map((m) => m.msgid), ['m3']);
  });
});

describe('a message and its deletion written by two nodes (PostgreSQL)', () => {
  let url: string;
  const stores: PostgresStore[] = [];
  let pool: pg.Pool;
  before(async () => {
    url = await (await sharedPostgres()).newDatabase();
    for (let i = 0; i < 2; i++) stores.push(await PostgresStore.open({ url }));
    pool = new pg.Pool({ connectionString: url, max: 4 });
  });
  after(async () => {
    for (const s of stores) await s.close();
    await pool.end();
  });

  const kept = async (msgids: string[]): Promise<string[]> =>
    (await pool.query<{ msgid: string }>('SELECT msgid FROM messages WHERE msgid = ANY($1::text[]) ORDER BY msgid', [msgids])).rows.map((r) => r.msgid);

  test('the deletion written first by one node, the message after by another: it does not come back', async () => {
    const [a, b] = [node(stores[0]!), node(stores[1]!)];
    await b.feed.deliver([deleted(2, 'p1')]);
    await a.feed.deliver([said(1, 'p1'), said(3, 'p3')]);
    assert.deepEqual(await kept(['p1', 'p3']), ['p3']);
    // The tombstone stays (pruned later by time), so a copy handed out again stays deleted too.
    await a.feed.deliver([said(1, 'p1')]);
    assert.deepEqual(await kept(['p1']), []);
  });

  test("every order of the two sides' statements leaves the message deleted", async () => {
    const run: RunQuery = async (sql, params) => {
      const r = await pool.query(sql, params);
      return { rows: r.rows, rowCount: r.rowCount };
    };
    // W: the writer's INSERT of its batch, then its check; D: the tombstone, then the DELETE.
    const orders = ['WWDD', 'WDWD', 'WDDW', 'DWWD', 'DWDW', 'DDWW'];
    for (const order of orders) {
      const msgid = `o-${order}`;
      const turns = new Turns([...order]);
      const writer = turns.runFor('W', run);
      const deleter = turns.runFor('D', run);
      const message: StoredMessage = { msgid, target: '#room', time: T, source: 'sam!sam@h', command: 'PRIVMSG', text: order };
      await Promise.all([
        (async () => {
          const params = batchParams([message]);
          await writer(INSERT_BATCH, params);
          await dropRedacted(writer, params[0]!);
        })(),
        redactMessage(deleter, msgid, T),
      ]);
      assert.deepEqual(await kept([msgid]), [], `order ${order}`);
    }
  });

  test('many pairs written at once by two nodes: none comes back, the others are all kept', async () => {
    const [a, b] = [node(stores[0]!), node(stores[1]!)];
    const pairs = 40;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < pairs; i++) {
      // Alternate which node gets the message and which the deletion.
      const [mine, theirs] = i % 2 === 0 ? [a, b] : [b, a];
      writes.push(mine.feed.deliver([said(10 + 3 * i, `c${i}`), said(11 + 3 * i, `k${i}`)]), theirs.feed.deliver([deleted(12 + 3 * i, `c${i}`)]));
    }
    await Promise.all(writes);
    const all = Array.from({ length: pairs }, (_, i) => [`c${i}`, `k${i}`]).flat();
    assert.deepEqual(await kept(all), Array.from({ length: pairs }, (_, i) => `k${i}`).sort());
  });
});

/** Lets statements of two sides run one at a time in a given order of sides. */
class Turns {
  private index = 0;
  private waiters: (() => void)[] = [];
  constructor(private readonly order: string[]) {}

  runFor(side: string, run: RunQuery): RunQuery {
    return (async (sql: string, params: unknown[]) => {
      while (this.order[this.index] !== side) await new Promise<void>((resolve) => this.waiters.push(resolve));
      try {
        return await run(sql, params);
      } finally {
        this.index++;
        const waiting = this.waiters;
        this.waiters = [];
        for (const wake of waiting) wake();
      }
    }) as RunQuery;
  }
}
