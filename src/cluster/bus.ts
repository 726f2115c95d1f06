// The seam between a node and the network's one ordered log (docs/architecture.md). Every
// change to shared state is appended here; the log gives it a position and a time, and every
// node — the writer too — reads it back in that order and applies it. A real transport
// (Redis, issue 14) may deliver an entry late, twice, or not at all: the node's LogCursor
// passes over duplicates and, on a gap, reads the missing entries back with readAfter().
import type { LogEntry } from './log-cursor.ts';

/** The network state at a position, serialized (src/network/snapshot.ts). */
export interface Snapshot {
  readonly position: number;
  readonly data: string;
}

export interface Bus<E> {
  /**
   * Appends an event written by the node incarnation `epoch`; `ref` is that node's own number
   * for it (its pending commit), or 0. The entry comes back through subscribe(), possibly
   * before this returns (an in-process log). Rejects, or throws, when the log cannot take it:
   * a LogError (src/cluster/errors.ts) when that may pass.
   */
  append(epoch: string, ref: number, event: E): void | Promise<void>;
  /** Entries as the log delivers them to this node: in order, but perhaps repeated or missing. */
  subscribe(handler: (entry: LogEntry<E>) => void): () => void;
  /** The entries after `position`, in order, as far as the log still holds them (catch-up, resync). */
  readAfter(position: number): Promise<LogEntry<E>[]>;
  /**
   * Keeps a snapshot. Entries at or below the position of the snapshot before it may then be
   * let go: a node that lags by less than a snapshot's interval can still read back what it
   * missed, and only one further behind starts again from the snapshot.
   */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /** The newest snapshot kept, if any. */
  latestSnapshot(): Promise<Snapshot | undefined>;
  /**
   * Called when the log's liveness watch finds a node gone — the incarnation (epoch) it watched,
   * when it knows it, so that a late report does not take down the node's next incarnation; a
   * node then appends its node.down.
   */
  onNodeLost(handler: (nodeId: string, epoch: string | undefined) => void): () => void;
  /**
   * A log shared between processes watches liveness itself: from now until close() it reports
   * this node alive under its current epoch (read at each beat), and appends node.down for a
   * node that stopped beating. Absent on a log inside one process.
   */
  keepAlive?(nodeId: string, epoch: () => string): void;
  /**
   * The log itself was lost (its server restarted without its data): every position read so
   * far means nothing any more. Called once per loss; the node drops its sessions, calls
   * resetLog() and rebuilds from the store of record.
   */
  onLogLost?(handler: () => void): () => void;
  /** After a loss: adopt the new log (positions start again at 1). */
  resetLog?(): Promise<void>;
  /** Whether the log can be reached, on each change (a node bounds how long it serves without it). */
  onAvailability?(handler: (available: boolean) => void): () => void;
  close(): Promise<void>;
}
