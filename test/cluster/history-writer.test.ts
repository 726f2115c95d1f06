// The cluster's history writer (src/node/history-writer.ts) on a fake feed, sink and replica:
// what it writes of a batch of log entries, what it leaves out (messages the network refused or
// passed over, entries carrying no history, TAGMSG), that it waits for the replica to have
// judged the batch, and that a batch handed over again — after a failed write, or after a
// write whose acknowledgement was lost — is written as the first time, refusals still left out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { HistoryWriter, type AppliedEntries, type HistoryFeed, type HistorySink } from '../../src/node/history-writer.ts';
import { StoreError } from '../../src/storage/errors.ts';
import type { StoredMessage } from '../../src/storage/store.ts';

/** Hands the writer the batches the test gives it, as a consumer group would; resolves when handled (acknowledged). */
class FakeFeed implements HistoryFeed {
  private handle: ((entries: LogEntry<NetworkEvent>[]) => Promise<void>) | undefined;
  closed = false;

  start(handle: (entries: LogEntry<NetworkEvent>[]) => Promise<void>): void {
    this.handle = handle;
  }

  deliver(entries: LogEntry<NetworkEvent>[]): Promise<void> {
    assert.ok(this.handle, 'the writer has started the feed');
    return this.handle(entries);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Keeps each batch written; fails the next `failures` writes with STORE_UNAVAILABLE. */
class FakeSink implements HistorySink {
  readonly batches: StoredMessage[][] = [];
  failures = 0;
  attempts = 0;

  async writeMessages(messages: StoredMessage[]): Promise<void> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      throw new StoreError('STORE_UNAVAILABLE', 'the database cannot be reached (test)');
    }
    this.batches.push(messages);
  }

  async deleteMessage(): Promise<boolean> {
    return false;
  }
}

/** A replica the test drives: which positions it was waited for, and when that wait ends. */
class FakeReplica implements AppliedEntries {
  onPassedOver: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
  readonly waits: { position: number; timeoutMs: number; release: (reached?: boolean) => void }[] = [];
  /** Answer every wait at once (a replica ahead of the feed). */
  ahead = true;

  whenReached(position: number, timeoutMs: number): Promise<boolean> {
    if (this.ahead) {
      this.waits.push({ position, timeoutMs, release: () => {} });
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waits.push({ position, timeoutMs, release: (reached = true) => resolve(reached) }));
  }

  /** The network refused (or passed over) this entry. */
  passOver(entry: LogEntry<NetworkEvent>): void {
    assert.ok(this.onPassedOver, 'the writer listens for passed-over entries');
    this.onPassedOver(entry);
  }
}

const TIME = Date.UTC(2026, 0, 1);

/** A room message at `position`, carrying what history keeps (or not, with `history: false`). */
function message(position: number, options: { history?: boolean; command?: 'PRIVMSG' | 'NOTICE' | 'TAGMSG' } = {}): LogEntry<NetworkEvent> {
  const command = options.command ?? 'PRIVMSG';
  const event: NetworkEvent = {
    type: 'message',
    command,
    uid: 'a-1',
    target: { kind: 'channel', name: '#room' },
    text: command === 'TAGMSG' ? '' : `line ${position}`,
    clientTags: {},
    msgid: `m${position}`,
    ...(options.history === false ? {} : { history: { key: '#room', source: 'alice!alice@127.0.0.1', account: 'alice', ...(position % 2 === 0 ? { tags: { '+reply': 'm1' } } : {}) } }),
  };
  return { position, epoch: 'a~1', time: TIME + position, ref: 0, event };
}

function other(position: number): LogEntry<NetworkEvent> {
  return { position, epoch: 'a~1', time: TIME + position, ref: 0, event: { type: 'user.quit', uid: 'a-9', reason: 'Quit', msgid: `q${position}` } };
}

const msgids = (batch: StoredMessage[] | undefined): string[] => (batch ?? []).map((m) => m.msgid);

function started(options?: ConstructorParameters<typeof HistoryWriter>[3]): { feed: FakeFeed; sink: FakeSink; replica: FakeReplica; writer: HistoryWriter } {
  const feed = new FakeFeed();
  const sink = new FakeSink();
  const replica = new FakeReplica();
  const writer = new HistoryWriter(feed, sink, replica, options);
  writer.start();
  return { feed, sink, replica, writer };
}

describe('HistoryWriter', () => {
  test('writes the batch as StoredMessages in one write: the entry time, the history key, source, account and kept tags', async () => {
    const { feed, sink, writer } = started();
    await feed.deliver([message(1), message(2, { command: 'NOTICE' })]);
    assert.deepEqual(sink.batches, [
      [
        { msgid: 'm1', target: '#room', time: TIME + 1, source: 'alice!alice@127.0.0.1', account: 'alice', command: 'PRIVMSG', text: 'line 1', tags: undefined },
        { msgid: 'm2', target: '#room', time: TIME + 2, source: 'alice!alice@127.0.0.1', account: 'alice', command: 'NOTICE', text: 'line 2', tags: { '+reply': 'm1' } },
      ],
    ]);
    assert.equal(writer.written, 2);
  });

  test('messages the network refused or passed over are not written', async () => {
    const { feed, sink, replica, writer } = started();
    const batch = [message(1), message(2), message(3)];
    replica.passOver(batch[1]!);
    // A refused entry that is no message with history is no concern of the writer's.
    replica.passOver(other(4));
    await feed.deliver(batch);
    assert.deepEqual(sink.batches.map(msgids), [['m1', 'm3']]);
    assert.equal(writer.written, 2);
  });

  test('entries without history, other events and TAGMSG are left out; a batch with nothing to write writes nothing and waits for nothing', async () => {
    const { feed, sink, replica } = started();
    await feed.deliver([other(1), message(2, { history: false })]);
    assert.equal(sink.attempts, 0);
    assert.deepEqual(replica.waits, []);
    await feed.deliver([message(3, { command: 'TAGMSG' }), message(4), other(5), message(6, { history: false })]);
    assert.deepEqual(sink.batches.map(msgids), [['m4']]);
  });

  test('a batch whose write fails is written once when handed over again, with the same messages left out', async () => {
    const { feed, sink, replica, writer } = started();
    const batch = [message(1), message(2), message(3)];
    replica.passOver(batch[0]!);
    sink.failures = 1;
    await assert.rejects(feed.deliver(batch), (err: unknown) => err instanceof StoreError && err.code === 'STORE_UNAVAILABLE');
    assert.deepEqual(sink.batches, []);
    assert.equal(writer.written, 0);
    await feed.deliver(batch);
    assert.deepEqual(sink.batches.map(msgids), [['m2', 'm3']]);
    assert.equal(sink.attempts, 2);
    assert.equal(writer.written, 2);
  });

  test('a batch handed over again after it was written (its acknowledgement lost) still leaves out what was refused', async () => {
    const { feed, sink, replica } = started();
    const batch = [message(1), message(2)];
    replica.passOver(batch[1]!);
    await feed.deliver(batch);
    await feed.deliver(batch);
    // Written twice is stored once (idempotent on msgid); the refused one never.
    assert.deepEqual(sink.batches.map(msgids), [['m1'], ['m1']]);
  });

  test('waits for the replica to have judged the batch, up to the last message carrying history', async () => {
    const { feed, sink, replica } = started({ judgeWaitMs: 1_234 });
    replica.ahead = false;
    const batch = [message(1), message(2), message(3, { history: false }), other(4)];
    const handled = feed.deliver(batch);
    // Nothing written before the replica has reached position 2.
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(
      replica.waits.map(({ position, timeoutMs }) => ({ position, timeoutMs })),
      [{ position: 2, timeoutMs: 1_234 }],
    );
    assert.equal(sink.attempts, 0);
    // Judged meanwhile: the second was refused.
    replica.passOver(batch[1]!);
    replica.waits[0]!.release();
    await handled;
    assert.deepEqual(sink.batches.map(msgids), [['m1']]);
  });

  test('a batch the replica has not judged in time is not written: it fails, to be handed over again', async () => {
    const { feed, sink, replica } = started({ judgeWaitMs: 50 });
    replica.ahead = false;
    const batch = [message(1), message(2)];
    const first = feed.deliver(batch).then(
      () => 'written',
      (err: unknown) => (err as Error).message,
    );
    replica.waits[0]!.release(false);
    assert.match(await first, /has not applied the log up to 2/);
    assert.equal(sink.attempts, 0);
    // Handed over again, once the replica has judged it (the second refused).
    const again = feed.deliver(batch);
    replica.passOver(batch[1]!);
    replica.waits[1]!.release(true);
    await again;
    assert.deepEqual(sink.batches.map(msgids), [['m1']]);
  });

  test('the refusals remembered are bounded (the oldest let go), forgotten with the log, and close() stops listening and closes the feed', async () => {
    const { feed, sink, replica, writer } = started({ maxRemembered: 2 });
    const batch = [message(1), message(2), message(3)];
    for (const e of batch) replica.passOver(e);
    await feed.deliver(batch);
    // Position 1 was let go to remember 3: written as the sender saw it.
    assert.deepEqual(sink.batches.map(msgids), [['m1']]);

    replica.passOver(message(7));
    writer.forgetPositions();
    await feed.deliver([message(7)]);
    assert.deepEqual(sink.batches.map(msgids), [['m1'], ['m7']]);

    await writer.close();
    assert.equal(replica.onPassedOver, undefined);
    assert.equal(feed.closed, true);
  });
});
