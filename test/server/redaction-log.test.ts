// message.redact in the log: the reducer checks the right the writer found again at the
// entry's position (a room operator deopped meanwhile, an IRC operator without +o, a sender
// whose window closed while the entry waited, someone else); and the cluster's history writer
// applies deletions in log order, so a deletion right after its message, in the same batch or
// the next, leaves nothing behind.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent, RedactEvent } from '../../src/network/events.ts';
import { NetworkState } from '../../src/network/network-state.ts';
import { Reducer } from '../../src/network/reducer.ts';
import { HistoryWriter, type AppliedEntries, type HistoryFeed, type HistorySink } from '../../src/node/history-writer.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import type { StoredMessage } from '../../src/storage/store.ts';

const T0 = 1_700_000_000_000;

class Log {
  readonly state = new NetworkState();
  readonly reducer = new Reducer(this.state, { serverName: 'a.test' });
  position = 0;
  constructor() {
    this.apply({ type: 'node.up', nodeId: 'n1' });
  }
  apply(event: NetworkEvent, time = T0 + this.position + 1): ReturnType<Reducer['apply']> {
    this.position++;
    return this.reducer.apply({ position: this.position, epoch: 'e1', time, ref: 0, event });
  }
}

const introduce = (uid: string, nick: string, account?: string): NetworkEvent => ({
  type: 'user.introduce', uid, nodeId: 'n1', nick, username: 'u', hostname: 'h.example', realname: 'R', secure: false, address: '10.0.0.1', modes: '', account,
});

const redact = (uid: string, as: RedactEvent['as'], extra: Partial<RedactEvent> = {}): RedactEvent => ({
  type: 'message.redact', uid, target: { kind: 'channel', name: '#room' }, msgid: 'm1', reason: undefined, redactMsgid: 'r1', as, sentAt: T0, windowMs: 60_000, sender: undefined, ...extra,
});

/** A room with op (1, founder) and member (2, logged in to "bee"), and an outsider (3). */
function room(): Log {
  const log = new Log();
  log.apply(introduce('1', 'op'));
  log.apply(introduce('2', 'member', 'Bee'));
  log.apply(introduce('3', 'outsider'));
  log.apply({ type: 'channel.join', uid: '1', channel: '#room', key: undefined, msgid: 'j1' });
  log.apply({ type: 'channel.join', uid: '2', channel: '#room', key: undefined, msgid: 'j2' });
  return log;
}

const refusal = (o: ReturnType<Reducer['apply']>): string | undefined => (o.verdict.ok ? undefined : o.verdict.refusal?.numeric);

describe('reducer: message.redact', () => {
  test('a room operator: delivered to the members with the capability, the actor left out; refused once deopped', () => {
    const log = room();
    const done = log.apply(redact('1', 'room-operator', { reason: 'spam' }));
    assert.equal(done.verdict.ok, true);
    const d = done.deliveries.find((x) => x.to === 'channel');
    assert.ok(d && d.to === 'channel');
    assert.equal(d.cap, 'draft/message-redaction');
    assert.equal(d.except, '1');
    assert.equal(d.out.line(0), ':op!u@h.example REDACT #room m1 spam');
    log.apply({ type: 'channel.mode', uid: '1', setBy: 'op', channel: '#room', changes: [{ add: false, mode: 'o', arg: '1' }], msgid: 'x' });
    assert.equal(refusal(log.apply(redact('1', 'room-operator'))), 'REDACT_FORBIDDEN');
  });

  test('an IRC operator needs +o at that position', () => {
    const log = room();
    assert.equal(refusal(log.apply(redact('3', 'oper'))), 'REDACT_FORBIDDEN');
    log.apply({ type: 'user.mode', uid: '3', changes: [{ add: true, mode: 'o' }] });
    assert.equal(log.apply(redact('3', 'oper')).verdict.ok, true);
  });

  test("the sender: by account or by uid, within the window at the entry's time", () => {
    const log = room();
    assert.equal(log.apply(redact('2', 'sender', { sender: { account: 'bee' } })).verdict.ok, true);
    assert.equal(log.apply(redact('2', 'sender', { sender: { uid: '2' } })).verdict.ok, true);
    assert.equal(refusal(log.apply(redact('3', 'sender', { sender: { account: 'bee' } }))), 'REDACT_FORBIDDEN');
    assert.equal(refusal(log.apply(redact('3', 'sender', { sender: { uid: '2' } }))), 'REDACT_FORBIDDEN');
    assert.equal(refusal(log.apply(redact('3', 'sender', { sender: undefined }))), 'REDACT_FORBIDDEN');
    const late = log.apply(redact('2', 'sender', { sender: { uid: '2' } }), T0 + 60_001);
    assert.equal(refusal(late), 'REDACT_WINDOW_EXPIRED');
    assert.deepEqual(!late.verdict.ok && late.verdict.refusal?.params, ['#room', 'm1', '60']);
  });

  test('a private one reaches the other side, addressed to their nick; the actor gone changes nothing', () => {
    const log = room();
    const done = log.apply(redact('2', 'sender', { sender: { uid: '2' }, target: { kind: 'user', uid: '3', nick: 'outsider' } }));
    assert.deepEqual(
      done.deliveries.map((d) => (d.to === 'user' ? [d.uid, d.cap, d.out.line(0)] : d.to)),
      [['3', 'draft/message-redaction', ':member!u@h.example REDACT outsider m1']],
    );
    log.apply({ type: 'user.quit', uid: '2', reason: 'bye', msgid: 'q' });
    assert.equal(log.apply(redact('2', 'sender', { sender: { uid: '2' } })).verdict.ok, false);
  });
});

class Feed implements HistoryFeed {
  handle: ((entries: LogEntry<NetworkEvent>[]) => Promise<void>) | undefined;
  start(handle: (entries: LogEntry<NetworkEvent>[]) => Promise<void>): void {
    this.handle = handle;
  }
  async close(): Promise<void> {}
}

/** A MemoryStore as the cluster's sink. */
class StoreSink implements HistorySink {
  constructor(readonly store: MemoryStore) {}
  async writeMessages(messages: StoredMessage[]): Promise<void> {
    for (const m of messages) this.store.appendMessage(m);
  }
  deleteMessage(msgid: string, time: number): Promise<boolean> {
    return this.store.deleteMessage(msgid, time);
  }
}

class Replica implements AppliedEntries {
  onPassedOver: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
  async whenReached(): Promise<boolean> {
    return true;
  }
}

const entry = (position: number, event: NetworkEvent): LogEntry<NetworkEvent> => ({ position, epoch: 'a~1', time: T0 + position, ref: 0, event });
const said = (position: number): LogEntry<NetworkEvent> =>
  entry(position, { type: 'message', command: 'PRIVMSG', uid: 'u1', target: { kind: 'channel', name: '#room' }, text: `line ${position}`, clientTags: {}, msgid: `m${position}`, history: { key: '#room', source: 'a!a@h' } });
const deleted = (position: number, msgid: string): LogEntry<NetworkEvent> => entry(position, redact('u1', 'sender', { msgid, sender: { uid: 'u1' } }));

describe('history writer: deletions in log order', () => {
  test('a message deleted in its own batch is never written; one of an earlier batch is deleted; a refused deletion is not applied', async () => {
    const store = new MemoryStore();
    const feed = new Feed();
    const replica = new Replica();
    const writer = new HistoryWriter(feed, new StoreSink(store), replica);
    writer.start();
    await feed.handle!([said(1), said(2), deleted(3, 'm2'), said(4)]);
    assert.deepEqual((await store.latest('#room', 10)).map((m) => m.text), ['line 1', 'line 4']);
    assert.equal(writer.written, 2);
    await feed.handle!([deleted(5, 'm1')]);
    assert.deepEqual((await store.latest('#room', 10)).map((m) => m.text), ['line 4']);
    const refused = deleted(6, 'm4');
    replica.onPassedOver!(refused);
    await feed.handle!([refused]);
    assert.deepEqual((await store.latest('#room', 10)).map((m) => m.text), ['line 4']);
    await writer.close();
  });
});
