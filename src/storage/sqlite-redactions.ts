// Tombstones of deleted messages (REDACT) in SQLite: table redactions (migration 5). A message
// deleted while still queued, or appended after its deletion, must not come back: every batch
// written deletes, in its own transaction, those of its msgids that have a tombstone
// (REDACTED_IN_BATCH, run by sqlite-batch-writes.js on the writer thread when there are any).
import type { Database as Db, Statement } from 'better-sqlite3';

export class SqliteRedactions {
  private readonly insert: Statement;
  private readonly deleteMessage: Statement;
  private readonly prune: Statement;
  /** Records the tombstone and deletes the message, at once; true when a message went. */
  readonly redact: (msgid: string, time: number) => boolean;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO redactions (msgid, time) VALUES (?, ?)');
    this.deleteMessage = db.prepare('DELETE FROM messages WHERE msgid = ?');
    this.prune = db.prepare('DELETE FROM redactions WHERE time < ?');
    this.redact = db.transaction((msgid: string, time: number): boolean => {
      this.insert.run(msgid, time);
      return this.deleteMessage.run(msgid).changes === 1;
    });
  }

  /** Forgets the tombstones recorded before `before` (ms); returns how many went. */
  pruneBefore(before: number): number {
    return this.prune.run(before).changes;
  }
}
