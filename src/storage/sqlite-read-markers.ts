// Read markers (IRCv3 draft/read-marker) in SQLite: table read_markers (migration 5), one row
// per account and conversation, both folded. Synchronous like the rest of SqliteStore, so a
// read-then-write needs no more than a transaction: an IMMEDIATE one, which takes the write lock
// before its read, since the writer thread may commit between a deferred one's read and write
// (SQLITE_BUSY, which no busy timeout retries).
import type { Database as Db, Statement } from 'better-sqlite3';
import type { ReadMarkerSet } from './store.ts';

export class SqliteReadMarkers {
  private readonly select: Statement;
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly trim: Statement;
  private readonly forgetAll: Statement;
  /** Moves a marker forward only; returns the time stored and whether it moved. */
  readonly set: (account: string, target: string, time: number, maxPerAccount: number) => ReadMarkerSet;

  constructor(db: Db) {
    this.select = db.prepare('SELECT time FROM read_markers WHERE account_key = ? AND target = ?').pluck();
    this.insert = db.prepare('INSERT INTO read_markers (account_key, target, time) VALUES (?, ?, ?)');
    this.update = db.prepare('UPDATE read_markers SET time = ? WHERE account_key = ? AND target = ?');
    // Beyond the limit the oldest others go; the marker just set stays whatever its time.
    this.trim = db.prepare(
      `DELETE FROM read_markers WHERE account_key = ? AND target IN (
         SELECT target FROM read_markers WHERE account_key = ? AND target <> ? ORDER BY time DESC, target LIMIT -1 OFFSET ?)`,
    );
    // The account's own markers, and everyone's about a private conversation with it (keyed by
    // its folded name): a later account of the same name starts with none of them.
    this.forgetAll = db.prepare('DELETE FROM read_markers WHERE account_key = ? OR target = ?');
    const set = db.transaction((account: string, target: string, time: number, maxPerAccount: number): ReadMarkerSet => {
      const current = this.select.get(account, target) as number | undefined;
      if (current !== undefined) {
        if (time <= current) return { time: current, moved: false };
        this.update.run(time, account, target);
        return { time, moved: true };
      }
      this.insert.run(account, target, time);
      this.trim.run(account, account, target, Math.max(0, maxPerAccount - 1));
      return { time, moved: true };
    });
    this.set = (account, target, time, maxPerAccount) => set.immediate(account, target, time, maxPerAccount);
  }

  get(account: string, target: string): number | undefined {
    return this.select.get(account, target) as number | undefined;
  }

  forget(account: string): void {
    this.forgetAll.run(account, account);
  }
}
