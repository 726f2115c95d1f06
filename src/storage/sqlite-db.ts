// Opening the SQLite file (pragmas, migrations, clear errors), and the row shapes of its tables
// (see migrations.ts) with their conversion to Store records.
import Database from './sqlite-driver.js';
import type { Database as Db } from 'better-sqlite3';
import { foldCase } from '../protocol/casemapping.ts';
import { checkDatabase, DatabaseFileError, prepareDatabaseFile, restrictDatabaseFiles, type DatabaseFileErrorCode } from './database-file.ts';
import { migrate } from './migrations.ts';
import { channelListsFromColumns } from './channel-lists.ts';
import type { AccountRecord, ChannelRecord, StoredBan, StoredMessage } from './store.ts';

export interface OpenDatabaseOptions {
  /** Run `PRAGMA quick_check` before using the file (default true). */
  quickCheck?: boolean;
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  let db: Db | undefined;
  try {
    const onDisk = path !== ':memory:';
    if (onDisk) prepareDatabaseFile(path);
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && onDisk) throw new Error(`write-ahead logging is not available here (journal mode is ${String(mode)})`);
    db.pragma('synchronous = NORMAL'); // durable against a process crash: see sqlite-store.ts
    if (onDisk && options.quickCheck !== false) checkDatabase(db);
    migrate(db);
    if (onDisk) restrictDatabaseFiles(path);
    return db;
  } catch (err) {
    db?.close();
    throw new DatabaseOpenError(path, err);
  }
}

/** Why the database could not be opened; `code` is stable, the message says what to do. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
  readonly code: DatabaseFileErrorCode | 'unusable';

  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot open the database ${path}: ${explain(cause)}`, { cause });
    const sqliteCode = (cause as { code?: unknown }).code;
    if (cause instanceof DatabaseFileError) this.code = cause.code;
    else this.code = sqliteCode === 'SQLITE_NOTADB' || sqliteCode === 'SQLITE_CORRUPT' ? 'damaged' : 'unusable';
  }
}

function explain(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return `${message} (the file is damaged or not a SQLite database)`;
  if (code === 'SQLITE_CANTOPEN') return `${message} (is the directory writable?)`;
  return message;
}

export { MESSAGE_COLUMNS } from './sqlite-batch-writes.js';

export interface MessageRow {
  msgid: string;
  target: string;
  time: number;
  source: string;
  account: string | null;
  command: 'PRIVMSG' | 'NOTICE';
  text: string;
  tags: string | null;
}

export interface AccountRow {
  name: string;
  password_hash: string;
  email: string | null;
  created_at: number;
  verified: number;
  suspended: number;
  scram: string | null;
}

export interface ChannelRow {
  name: string;
  founder: string;
  registered_at: number;
  topic: string;
  topic_set_by: string;
  topic_set_at: number;
  modes: string;
  key: string | null;
  user_limit: number | null;
  bans: string;
  operators: string;
  exceptions: string;
  invites: string;
}

export interface BanRow {
  list: 'ban' | 'mute';
  mask: string;
  kind: 'mask' | 'cidr';
  reason: string;
  set_by: string;
  set_at: number;
  expires_at: number | null;
}

export function toMessage(r: MessageRow): StoredMessage {
  const m: StoredMessage = { msgid: r.msgid, target: r.target, time: r.time, source: r.source, command: r.command, text: r.text };
  if (r.account !== null) m.account = r.account;
  if (r.tags !== null) m.tags = JSON.parse(r.tags) as Record<string, string>;
  return m;
}

export function toAccount(r: AccountRow): AccountRecord {
  const a: AccountRecord = { name: r.name, passwordHash: r.password_hash, createdAt: r.created_at, verified: r.verified === 1, suspended: r.suspended === 1 };
  if (r.email !== null) a.email = r.email;
  if (r.scram !== null) a.scram = r.scram;
  return a;
}

export function toChannel(r: ChannelRow): ChannelRecord {
  const c: ChannelRecord = {
    name: r.name,
    founder: r.founder,
    registeredAt: r.registered_at,
    topic: r.topic,
    topicSetBy: r.topic_set_by,
    topicSetAt: r.topic_set_at,
    modes: r.modes,
    ...channelListsFromColumns(r.bans, r.exceptions, r.invites),
    operators: JSON.parse(r.operators) as string[],
  };
  if (r.key !== null) c.key = r.key;
  if (r.user_limit !== null) c.limit = r.user_limit;
  return c;
}

export function toBan(r: BanRow): StoredBan {
  const b: StoredBan = { list: r.list, kind: r.kind, mask: r.mask, reason: r.reason, setBy: r.set_by, setAt: r.set_at };
  if (r.expires_at !== null) b.expiresAt = r.expires_at;
  return b;
}

export function byFoldedName(a: { name: string }, b: { name: string }): number {
  const [ka, kb] = [foldCase(a.name), foldCase(b.name)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * CHATHISTORY TARGETS: parameters account, account, channels as a JSON array, lo, hi, limit.
 * Each conversation's newest message is one seek in messages_target_time; the window and the
 * order apply to that. The conversations come from their indexes (accounts, key), so no query
 * scans either table (test/storage/sqlite.test.ts checks the plan).
 */
export function targetsQuery(ascending: boolean): string {
  const direction = ascending ? 'ASC' : 'DESC';
  // MATERIALIZED: computed once per conversation, not once for each use of `latest` below.
  return `WITH newest AS MATERIALIZED (
      SELECT c.target AS target, (SELECT MAX(m.time) FROM messages m WHERE m.target = c.target) AS latest
      FROM conversations c
      WHERE c.account_a = ? OR c.account_b = ? OR c.target IN (SELECT value FROM json_each(?))
    )
    SELECT target, latest FROM newest
    WHERE latest > ? AND latest < ?
    ORDER BY latest ${direction}, target ${direction}
    LIMIT ?`;
}
