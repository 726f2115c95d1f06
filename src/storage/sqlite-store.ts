// The default Store: one SQLite file (better-sqlite3) in write-ahead-log mode.
//
// Message delivery never waits for the disk: appendMessage() pushes to an array and arms a
// timer; every `flushIntervalMs` (or on the next turn once `maxBatch` are queued) the queue is
// written in ONE transaction, which costs a few microseconds per message instead of a commit
// each (bench/store-bench.ts measures it), by a worker thread with its own connection
// (sqlite-message-queue.ts, sqlite-writer.ts): the event loop only hands it the batch. Queries
// wait for what was queued before them to be written, so they see it. Other writes stay on the
// main connection: rooms, bans, read markers and deletions run between two batches (whenIdle),
// so they never wait for the writer's lock; account writes may, busy_timeout, for at most one
// batch's commit (maxBatch messages, up to a few tens of ms under load).
//
// Durability: WAL with synchronous=NORMAL does not fsync on commit, but a committed
// transaction is in the WAL file (the OS page cache) the moment commit returns, so it survives
// the process dying in any way, kill -9 included; only an OS crash or power cut can lose the
// last commits. So a message is safe at most flushIntervalMs + one flush after it was accepted.
import type { Database as Db, Statement } from 'better-sqlite3';
import { foldCase } from '../protocol/casemapping.ts';
import { nickSkeleton } from '../protocol/nick-skeleton.ts';
import { byFoldedName, MESSAGE_COLUMNS, openDatabase, targetsQuery, toAccount, toBan, toChannel, toMessage, type AccountRow, type BanRow, type ChannelRow, type MessageRow } from './sqlite-db.ts';
import {
  banKey,
  channelColumns,
  clampLimit,
  cleanAccount,
  cleanBan,
  cleanChannel,
  compareBans,
  comparePositions,
  isMsgidRef,
  pointSpan,
  splitAround,
  timeSpan,
  yieldToEventLoop,
  type Position,
  type Span,
} from './records.ts';
import { rekeyBansSqlite } from './rekey-bans.ts';
import { SqliteReadMarkers } from './sqlite-read-markers.ts';
import { MessageBatchWriter } from './sqlite-batch-writes.js';
import { MessageQueue, type FlushInfo } from './sqlite-message-queue.ts';
import { SqliteRedactions } from './sqlite-redactions.ts';
import { InlineWriter, WorkerWriter, type MessageWriter } from './sqlite-writer.ts';
import { keepServerSecret } from './sqlite-server-secrets.ts';
import type { AccountRecord, ChannelRecord, HistoryRef, HistoryTarget, ReadMarkerSet, Store, StoredBan, StoredMessage } from './store.ts';

export type { FlushInfo };

export interface SqliteStoreOptions {
  /** The database file; its directory is created when missing. ':memory:' for a throwaway. */
  path: string;
  /** Longest a message waits in memory before being written (default 100). */
  flushIntervalMs?: number;
  /** Queue length that triggers a write on the next turn instead of waiting, and the most one transaction writes (default DEFAULT_MAX_BATCH). */
  maxBatch?: number;
  /** While writes fail, at most this many messages wait for a retry; older ones are dropped. */
  maxQueued?: number;
  /** After each message batch is written (metrics; tests wait on it). */
  onFlush?: (info: FlushInfo) => void;
  /** A timed write failed; its messages stay queued and are retried. */
  onError?: (err: unknown) => void;
  /** Run `PRAGMA quick_check` on opening and refuse a damaged file (default true). */
  quickCheck?: boolean;
  /** Who writes message batches: a worker thread (default) or the event loop ('inline'). */
  writer?: 'worker' | 'inline';
}

/**
 * Messages per transaction under load. Each commit rewrites, whatever its size, a page of the
 * (target, time) index per conversation it touches and the WAL frames around them: with pairs-200's
 * 100 conversations the writer thread spent ~7.5 µs a message at 1,000 a batch, ~5 at 4,000
 * (bench/privmsg-micro.ts --accounts). A commit of 4,000 takes ~20 ms on the writer thread; what
 * waits for it (a main-connection write, a history read) waits at most that.
 */
export const DEFAULT_MAX_BATCH = 4000;

/** Rows deleted per transaction by purge and prune, with a turn of the event loop between. */
const DELETE_CHUNK = 2000;

export class SqliteStore implements Store {
  readonly path: string;
  /** Counters for metrics and tests. */
  readonly stats: MessageQueue['stats'];
  /** Writes the message batches (tests reach the worker thread through it). */
  readonly writer: MessageWriter;
  private readonly db: Db;
  private readonly messages: MessageQueue;
  private closed = false;
  /**
   * Every account's folded name: most lookups (each registration's nick, guardNick) are for a
   * nick no account holds, answered here without a query. Kept exact, not a cache: this store
   * is the accounts table's only writer (one `parlor serve` per data directory).
   */
  private readonly accountKeys: Set<string>;
  /** How many accounts have each skeleton: likewise, most nicks look like no account's. */
  private readonly accountSkeletons = new Map<string, number>();
  private readonly statements = new Map<string, Statement>();
  private readonly readMarkers: SqliteReadMarkers;
  private readonly redactions: SqliteRedactions;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.db = openDatabase(options.path, { quickCheck: options.quickCheck ?? true });
    try {
      rekeyBansSqlite(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.readMarkers = new SqliteReadMarkers(this.db);
    this.redactions = new SqliteRedactions(this.db);
    this.accountKeys = new Set(this.db.prepare('SELECT name_key FROM accounts').pluck().all() as string[]);
    for (const skeleton of this.db.prepare('SELECT skeleton FROM accounts').pluck().all() as string[]) this.countSkeleton(skeleton, 1);
    // Another connection cannot open a ':memory:' database: that one writes inline.
    const inline = options.writer === 'inline' || options.path === ':memory:';
    this.writer = inline ? new InlineWriter(new MessageBatchWriter(this.db)) : new WorkerWriter(options.path);
    const maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
    this.messages = new MessageQueue({
      writer: this.writer,
      flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 100),
      maxBatch,
      maxQueued: Math.max(maxBatch, options.maxQueued ?? 100_000),
      onFlush: options.onFlush,
      onError: options.onError,
    });
    this.stats = this.messages.stats;
  }

  /**
   * Resolves once the writer thread has started and opened its connection (rejects if it
   * cannot): before it, the first messages would wait longer than flushIntervalMs.
   */
  ready(): Promise<void> {
    return this.writer.ready();
  }

  /** Messages accepted but not yet written. */
  get queued(): number {
    return this.messages.queued;
  }

  // ---- history ----

  appendMessage(message: StoredMessage): void {
    this.messages.append(message);
  }

  async latest(target: string, limit: number, after?: HistoryRef): Promise<StoredMessage[]> {
    await this.messages.drain();
    const span = after === undefined ? undefined : this.resolve(target, after);
    if (span === null) return [];
    return this.range(target, { above: span?.hi, desc: true, limit }).reverse();
  }

  async before(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.messages.drain();
    const span = this.resolve(target, ref);
    return span ? this.range(target, { below: span.lo, desc: true, limit }).reverse() : [];
  }

  async after(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.messages.drain();
    const span = this.resolve(target, ref);
    return span ? this.range(target, { above: span.hi, limit }) : [];
  }

  async around(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.messages.drain();
    const span = this.resolve(target, ref);
    if (!span) return [];
    const n = clampLimit(limit);
    const before = this.range(target, { below: span.lo, desc: true, limit: n });
    const from = this.range(target, { from: span.lo, limit: n });
    return splitAround(before, from, n);
  }

  async between(target: string, a: HistoryRef, b: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.messages.drain();
    const [sa, sb] = [this.resolve(target, a), this.resolve(target, b)];
    if (!sa || !sb) return [];
    // Counted from `a`: forwards when it is the earlier ref, backwards from it otherwise.
    if (comparePositions(sa.lo, sb.lo) <= 0) return this.range(target, { above: sa.hi, below: sb.lo, limit });
    return this.range(target, { above: sb.hi, below: sa.lo, desc: true, limit }).reverse();
  }

  async targets(account: string | undefined, channels: string[], from: number, to: number, limit: number): Promise<HistoryTarget[]> {
    await this.messages.drain();
    const ascending = from <= to;
    const [lo, hi] = ascending ? [from, to] : [to, from];
    const found = this.statement(targetsQuery(ascending)).all(account ?? null, account ?? null, JSON.stringify(channels), lo, hi, clampLimit(limit)) as { target: string; latest: number }[];
    const targets: HistoryTarget[] = found.map((r) => ({ target: r.target, latest: r.latest }));
    // Counted from `from`; oldest first either way.
    return ascending ? targets : targets.reverse();
  }

  async purge(target: string): Promise<number> {
    await this.messages.drain();
    const removed = await this.deleteInChunks('SELECT id FROM messages WHERE target = ? LIMIT ?', [target]);
    if (!this.closed) await this.writer.dropEmptyConversations();
    return removed;
  }

  async forgetAccount(account: string): Promise<number> {
    await this.messages.drain();
    const targets = this.statement('SELECT target FROM conversations WHERE account_a = ? OR account_b = ?').pluck().all(account, account) as string[];
    let removed = 0;
    for (const target of targets) {
      if (this.closed) return removed;
      removed += await this.deleteInChunks('SELECT id FROM messages WHERE target = ? LIMIT ?', [target]);
    }
    if (!this.closed) await this.writer.dropEmptyConversations();
    return removed;
  }

  async prune(before: number, keepPerTarget: number): Promise<number> {
    await this.messages.drain();
    const targets = this.statement('SELECT target FROM conversations').pluck().all() as string[];
    const keep = clampLimit(keepPerTarget);
    let removed = 0;
    for (const [i, target] of targets.entries()) {
      if (this.closed) return removed;
      if (i % 32 === 31) await yieldToEventLoop();
      if (Number.isFinite(before)) removed += await this.deleteInChunks('SELECT id FROM messages WHERE target = ? AND time < ? LIMIT ?', [target, before]);
      if (keep < Number.MAX_SAFE_INTEGER) {
        removed += await this.deleteInChunks('SELECT id FROM messages WHERE target = ? ORDER BY time DESC, id DESC LIMIT ? OFFSET ?', [target], keep);
      }
    }
    if (!this.closed) await this.writer.dropEmptyConversations();
    return removed;
  }

  async findMessage(msgid: string): Promise<StoredMessage | undefined> {
    await this.messages.drain();
    const row = this.statement(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE msgid = ?`).get(msgid) as MessageRow | undefined;
    return row && toMessage(row);
  }

  async deleteMessage(msgid: string, time: number): Promise<boolean> {
    // A failed batch is retried later: the tombstone must be written all the same, and the
    // batch's own tombstone check then removes the message when it is finally written.
    await this.messages.drain().catch(() => undefined);
    return this.messages.whenIdle(() => this.redactions.redact(msgid, time));
  }

  async pruneRedactions(before: number): Promise<number> {
    return this.messages.whenIdle(() => this.redactions.pruneBefore(before));
  }

  // ---- accounts ----

  async createAccount(account: AccountRecord): Promise<boolean> {
    const a = cleanAccount(account);
    const skeleton = nickSkeleton(a.name);
    const result = this.statement(
      'INSERT OR IGNORE INTO accounts (name_key, name, password_hash, email, created_at, verified, suspended, skeleton, scram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(foldCase(a.name), a.name, a.passwordHash, a.email ?? null, a.createdAt, a.verified ? 1 : 0, a.suspended ? 1 : 0, skeleton, a.scram ?? null);
    this.accountKeys.add(foldCase(a.name)); // new, or already there
    if (result.changes === 1) this.countSkeleton(skeleton, 1);
    return result.changes === 1;
  }

  private countSkeleton(skeleton: string, change: 1 | -1): void {
    const count = (this.accountSkeletons.get(skeleton) ?? 0) + change;
    if (count > 0) this.accountSkeletons.set(skeleton, count);
    else this.accountSkeletons.delete(skeleton);
  }

  async getAccount(name: string): Promise<AccountRecord | undefined> {
    const key = foldCase(name);
    if (!this.accountKeys.has(key)) return undefined;
    const row = this.statement('SELECT * FROM accounts WHERE name_key = ?').get(key) as AccountRow | undefined;
    return row && toAccount(row);
  }

  async updateAccount(name: string, change: Partial<Omit<AccountRecord, 'name'>>): Promise<boolean> {
    const current = await this.getAccount(name);
    if (!current) return false;
    const a = cleanAccount({ ...current, ...change, name: current.name });
    this.statement('UPDATE accounts SET password_hash = ?, email = ?, created_at = ?, verified = ?, suspended = ?, scram = ? WHERE name_key = ?').run(
      a.passwordHash,
      a.email ?? null,
      a.createdAt,
      a.verified ? 1 : 0,
      a.suspended ? 1 : 0,
      a.scram ?? null,
      foldCase(name),
    );
    return true;
  }

  async deleteAccount(name: string): Promise<boolean> {
    const key = foldCase(name);
    this.readMarkers.forget(key);
    const skeleton = this.statement('DELETE FROM accounts WHERE name_key = ? RETURNING skeleton').pluck().get(key) as string | undefined;
    this.accountKeys.delete(key);
    if (skeleton !== undefined) this.countSkeleton(skeleton, -1);
    return skeleton !== undefined;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = this.statement('SELECT * FROM accounts').all() as AccountRow[];
    return rows.map(toAccount).sort(byFoldedName);
  }

  mayHaveAccountLike(nick: string): boolean {
    return this.accountKeys.has(foldCase(nick)) || this.accountSkeletons.has(nickSkeleton(nick));
  }

  async accountsLike(nick: string): Promise<AccountRecord[]> {
    const skeleton = nickSkeleton(nick);
    if (!this.accountSkeletons.has(skeleton)) return [];
    const rows = this.statement('SELECT * FROM accounts WHERE skeleton = ?').all(skeleton) as AccountRow[];
    return rows.map(toAccount).sort(byFoldedName);
  }

  // ---- registered rooms ----

  async saveChannel(channel: ChannelRecord): Promise<void> {
    const c = cleanChannel(channel);
    await this.messages.whenIdle(() =>
      this.statement(
      `INSERT OR REPLACE INTO channels (name_key, name, founder, registered_at, topic, topic_set_by, topic_set_at, modes, key, user_limit, bans, operators, exceptions, invites)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(...channelColumns(c)),
    );
  }

  async getChannel(name: string): Promise<ChannelRecord | undefined> {
    const row = this.statement('SELECT * FROM channels WHERE name_key = ?').get(foldCase(name)) as ChannelRow | undefined;
    return row && toChannel(row);
  }

  async deleteChannel(name: string): Promise<boolean> {
    return this.messages.whenIdle(() => this.statement('DELETE FROM channels WHERE name_key = ?').run(foldCase(name)).changes === 1);
  }

  async listChannels(): Promise<ChannelRecord[]> {
    const rows = this.statement('SELECT * FROM channels').all() as ChannelRow[];
    return rows.map(toChannel).sort(byFoldedName);
  }

  // ---- server bans and mutes ----

  async saveBan(ban: StoredBan): Promise<void> {
    const b = cleanBan(ban);
    await this.messages.whenIdle(() =>
      this.statement('INSERT OR REPLACE INTO server_bans (list, mask_key, mask, kind, reason, set_by, set_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        b.list,
        banKey(b.mask),
        b.mask,
        b.kind,
        b.reason,
        b.setBy,
        b.setAt,
        b.expiresAt ?? null,
      ),
    );
  }

  async deleteBan(list: 'ban' | 'mute', mask: string): Promise<void> {
    await this.messages.whenIdle(() => this.statement('DELETE FROM server_bans WHERE list = ? AND mask_key = ?').run(list, banKey(mask)));
  }

  async listBans(): Promise<StoredBan[]> {
    const rows = this.statement('SELECT * FROM server_bans').all() as BanRow[];
    return rows.map(toBan).sort(compareBans);
  }

  // ---- read markers ----

  async readMarker(account: string, target: string): Promise<number | undefined> {
    return this.readMarkers.get(foldCase(account), foldCase(target));
  }

  async setReadMarker(account: string, target: string, time: number, maxPerAccount: number): Promise<ReadMarkerSet> {
    return this.messages.whenIdle(() => this.readMarkers.set(foldCase(account), foldCase(target), time, maxPerAccount));
  }

  async serverSecret(name: string, candidate: string): Promise<string> {
    return keepServerSecret((sql) => this.statement(sql), name, candidate);
  }

  // ---- lifecycle ----

  async flush(): Promise<void> {
    await this.messages.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.messages.close(); // the writer's connection closes first
      this.db.pragma('optimize');
    } finally {
      this.db.close(); // the last connection: checkpoints and removes the WAL
    }
  }

  // ---- internals ----

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Where `ref` sits in `target`; null for a msgid that is not in that conversation. */
  private resolve(target: string, ref: HistoryRef): Span | null {
    if (!isMsgidRef(ref)) return timeSpan(ref.time);
    const row = this.statement('SELECT time, id FROM messages WHERE msgid = ? AND target = ?').get(ref.msgid, target) as { time: number; id: number } | undefined;
    return row ? pointSpan(row.time, row.id) : null;
  }

  /** Messages of `target` within bounds: above/below exclusive, from inclusive. */
  private range(target: string, q: { above?: Position | undefined; from?: Position; below?: Position; desc?: boolean; limit: number }): StoredMessage[] {
    const limit = clampLimit(q.limit);
    if (limit === 0) return [];
    let where = 'target = ?';
    const params: unknown[] = [target];
    const bound = (op: string, at: Position | undefined): void => {
      if (at === undefined) return;
      where += ` AND (time, id) ${op} (?, ?)`;
      params.push(at.time, at.seq);
    };
    bound('>', q.above);
    bound('>=', q.from);
    bound('<', q.below);
    const order = q.desc ? 'time DESC, id DESC' : 'time, id';
    const rows = this.statement(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY ${order} LIMIT ?`).all(...params, limit) as MessageRow[];
    return rows.map(toMessage);
  }

  /**
   * Deletes the messages `select` names (its last placeholders are LIMIT, then `offset` when
   * given), a chunk per transaction with a turn of the event loop between, until none are left.
   */
  private async deleteInChunks(select: string, params: unknown[], offset?: number): Promise<number> {
    const stmt = this.statement(`DELETE FROM messages WHERE id IN (${select})`);
    const args = offset === undefined ? [...params, DELETE_CHUNK] : [...params, DELETE_CHUNK, offset];
    let removed = 0;
    for (;;) {
      if (this.closed) return removed;
      this.stats.transactions++;
      const n = await this.messages.whenIdle(() => this.db.transaction(() => stmt.run(...args).changes)());
      removed += n;
      if (n < DELETE_CHUNK) return removed;
      await yieldToEventLoop();
    }
  }
}
