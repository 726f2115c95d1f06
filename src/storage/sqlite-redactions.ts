// Tombstones of deleted messages (REDACT) in SQLite: table redactions (migration 5). A message
// deleted while still queued, or appended after its deletion, must not come back: every batch
// written deletes, in its own transaction, those of its msgids that have a tombstone. This
// store is the table's only writer (one `parlor serve` per data directory), so it counts the
// tombstones, and a batch costs nothing more while there are none (the usual case).
import type { Database as Db, Statement } from 'better-sqlite3';
import type { StoredMessage } from './store.ts';

export class SqliteRedactions {
  private readonly insert: Statement;
  private readonly deleteMessage: Statement;
  private readonly deleteBatch: Statement;
  private readonly prune: Statement;
  private count: number;
  /** Records the tombstone and deletes the message, at once; true when a message went. */
  readonly redact: (msgid: string, time: number) => boolean;

  constructor(db: Db) {
    this.count = db.prepare('SELECT count(*) FROM redactions').pluck().get() as number;
    this.insert = db.prepare('INSERT OR IGNORE INTO redactions (msgid, time) VALUES (?, ?)');
    this.deleteMessage = db.prepare('DELETE FROM messages WHERE msgid = ?');
    this.deleteBatch = db.prepare('DELETE FROM messages WHERE msgid IN (SELECT r.msgid FROM redactions r JOIN json_each(?) j ON r.msgid = j.value)');
    this.prune = db.prepare('DELETE FROM redactions WHERE time < ?');
    this.redact = db.transaction((msgid: string, time: number): boolean => {
      this.count += this.insert.run(msgid, time).changes;
      return this.deleteMessage.run(msgid).changes === 1;
    });
  }

  /** Within the batch's transaction, after its inserts: deletes the ones deleted before. */
  dropRedacted(batch: readonly StoredMessage[]): void {
    if (this.count === 0) return;
    this.deleteBatch.run(JSON.stringify(batch.map((m) => m.msgid)));
  }

  /** Forgets the tombstones recorded before `before` (ms); returns how many went. */
  pruneBefore(before: number): number {
    const n = this.prune.run(before).changes;
    this.count -= n;
    return n;
  }
}
