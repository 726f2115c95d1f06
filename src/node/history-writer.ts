// History in a cluster is written from the log, not by the node whose user spoke: entries come
// to one node of the network's consumer group (Redis XREADGROUP), which writes the messages in
// one transaction and only then acknowledges them. A node that dies mid-batch leaves its
// entries pending; another claims them. Writes are idempotent on msgid, so a batch written
// twice is stored once. Nothing a sender saw echoed is lost, as long as the log holds it.
import type { LogEntry } from '../cluster/log-cursor.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { StoredMessage } from '../storage/store.ts';

/** Entries of the log as a consumer group hands them out: acknowledged once handle() resolves. */
export interface HistoryFeed {
  start(handle: (entries: LogEntry<NetworkEvent>[]) => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * Where history is kept: a batch committed at once, idempotent on msgid. A message and its
 * deletion may be written by two nodes in either order: deleteMessage records a tombstone
 * before deleting, and writeMessages deletes, after committing, those with one (Store).
 */
export interface HistorySink {
  writeMessages(messages: StoredMessage[]): Promise<void>;
  /** A message deleted (message.redact) at `time`; false when it was not kept (yet). */
  deleteMessage(msgid: string, time: number): Promise<boolean>;
}

/** What the writer needs of this node's replica: which entries the network refused. */
export interface AppliedEntries {
  /** True once the replica has applied `position`; false after timeoutMs without it. */
  whenReached(position: number, timeoutMs: number): Promise<boolean>;
  onPassedOver: ((entry: LogEntry<NetworkEvent>) => void) | undefined;
}

export interface HistoryWriterOptions {
  /** How long a batch waits for this node's replica to have judged its entries. */
  judgeWaitMs?: number;
  /** Refused positions remembered (a bound: refusals are rare, but a flood of them must not grow memory). */
  maxRemembered?: number;
  /** The clock that dates deletions' tombstones (they are pruned by it: history.tombstoneMs). */
  now?: () => number;
}

export class HistoryWriter {
  /** Positions of messages the network refused or passed over: never written. */
  private readonly passedOver = new Set<number>();
  private readonly judgeWaitMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;
  /** Messages written, for metrics and tests. */
  written = 0;

  constructor(
    private readonly feed: HistoryFeed,
    private readonly sink: HistorySink,
    private readonly replica: AppliedEntries,
    options: HistoryWriterOptions = {},
  ) {
    this.judgeWaitMs = options.judgeWaitMs ?? 2_000;
    this.maxRemembered = options.maxRemembered ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.replica.onPassedOver = (entry) => {
      if (!writesHistory(entry.event)) return;
      if (this.passedOver.size >= this.maxRemembered) this.passedOver.delete(this.passedOver.values().next().value!);
      this.passedOver.add(entry.position);
    };
    this.feed.start((entries) => this.write(entries));
  }

  /** After the log was lost and started again: positions mean something new. */
  forgetPositions(): void {
    this.passedOver.clear();
  }

  async close(): Promise<void> {
    this.replica.onPassedOver = undefined;
    await this.feed.close();
  }

  private async write(entries: LogEntry<NetworkEvent>[]): Promise<void> {
    let last = 0;
    for (const e of entries) if (writesHistory(e.event)) last = Math.max(last, e.position);
    if (last === 0) return;
    // The replica reads the same log on another connection: it is normally ahead. A batch it
    // has not judged in time fails and is handed over again (unacknowledged), rather than
    // written unjudged. (An entry from before this node joined, claimed from a dead node, is
    // behind the replica: it is written as the sender saw it.)
    if (!(await this.replica.whenReached(last, this.judgeWaitMs))) throw new Error(`this node has not applied the log up to ${last} yet`);
    const messages = new Map<string, StoredMessage>();
    /** Deletions: done after the batch, in log order. */
    const deletions: string[] = [];
    for (const e of entries) {
      const event = e.event;
      if (this.passedOver.has(e.position)) continue;
      if (event.type === 'message.redact') {
        // A message deleted in the same batch is not written; its tombstone is, all the same:
        // an entry handed out again (a lost acknowledgement, a claim) may bring the message alone.
        messages.delete(event.msgid);
        deletions.push(event.msgid);
        continue;
      }
      if (event.type !== 'message' || event.history === undefined || event.command === 'TAGMSG') continue;
      const h = event.history;
      messages.set(event.msgid, { msgid: event.msgid, target: h.key, time: e.time, source: h.source, account: h.account, command: event.command, text: event.text, tags: h.tags });
    }
    // A batch is handed over again when its write fails, and also when it was written but its
    // acknowledgement was lost: what it skipped must still be skipped then, so the positions are
    // kept (maxRemembered bounds them; forgetPositions() clears them with the log).
    if (messages.size > 0) await this.sink.writeMessages([...messages.values()]);
    this.written += messages.size;
    // A message and its deletion handed to two nodes at once, the deletion written first: the
    // tombstone it leaves makes the message's writer delete it after committing (HistorySink).
    for (const msgid of deletions) await this.sink.deleteMessage(msgid, this.now());
  }
}

/** Entries that change history: kept messages and deletions. */
function writesHistory(event: NetworkEvent): boolean {
  return (event.type === 'message' && event.history !== undefined) || event.type === 'message.redact';
}
