// The store of record of a cluster: PostgreSQL through a node-postgres pool. It answers exactly
// as SqliteStore and MemoryStore do (test/contracts/store.test.ts), but is written for many
// `parlor serve` processes sharing one database:
//
// - Unique constraints are the authority (account names, registered rooms, bans); there is no
//   in-process cache of what the database holds, since another node may change it any time.
// - appendMessage() only queues; a timer writes batches in ONE statement (unnest of column
//   arrays, ON CONFLICT (msgid) DO NOTHING). While the database is down the queue keeps at most
//   `maxQueued` (oldest dropped, onError told) and drains when it is back. writeMessages() is
//   the direct path for the cluster's history writer, which acknowledges the log only after.
// - A database that cannot be reached or does not answer in time makes every method reject
//   with StoreError('STORE_UNAVAILABLE') within about connectTimeoutMs (or statementTimeoutMs).
import pg from 'pg';
import { foldCase } from '../protocol/casemapping.ts';
import { nickSkeleton } from '../protocol/nick-skeleton.ts';
import { StoreError } from './errors.ts';
import { batchParams, INSERT_BATCH, PostgresHistory } from './postgres-history.ts';
import { dropRedacted, pruneRedactions, redactMessage } from './postgres-redactions.ts';
import { migratePostgres, POSTGRES_MIGRATIONS, type PostgresMigration } from './postgres-schema.ts';
import { rekeyBansPostgres } from './rekey-bans.ts';
import { PostgresReadMarkers } from './postgres-read-markers.ts';
import { keepServerSecret } from './postgres-server-secrets.ts';
import { byKey, toAccount, toBan, toChannel, type AccountRow, type BanRow, type ChannelRow } from './postgres-rows.ts';
import { banKey, cleanAccount, cleanBan, channelColumns, cleanChannel, cleanMessage, compareBans } from './records.ts';
import type { FlushInfo } from './sqlite-store.ts';
import type { AccountRecord, ChannelRecord, HistoryRef, HistoryTarget, ReadMarkerSet, Store, StoredBan, StoredMessage } from './store.ts';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Longest a message waits in memory before being written (default 100). */
  flushIntervalMs?: number;
  /** Messages per INSERT; this many queued triggers a write on the next turn (default 1000). */
  maxBatch?: number;
  /** While writes fail, at most this many messages wait for a retry; older ones are dropped. */
  maxQueued?: number;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** A statement running longer is cancelled and its call rejects (default 5000). */
  statementTimeoutMs?: number;
  /** Longest wait for a connection before a call rejects (default 3000). */
  connectTimeoutMs?: number;
  /** A background failure: a timed write (its messages stay queued), a dropped message, a lost connection. */
  onError?: (err: unknown) => void;
  /** After each message batch is written. */
  onFlush?: (info: FlushInfo) => void;
  /** Tests build old databases with a prefix of the migrations. */
  migrations?: readonly PostgresMigration[];
}

/** SQLSTATE classes of a database that is going away or overloaded, not of a wrong query. */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);
/** Messages of node-postgres and pg-pool for a connection that failed, ended or timed out. */
const CONNECTION_FAILURE = /connect|connection|terminated|timeout|not queryable|pool after calling end/i;

function isUnavailable(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return UNAVAILABLE_CLASSES.has(err.code?.slice(0, 2) ?? '') || err.code === '55P03';
  if (!(err instanceof Error)) return false;
  // A system error: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH…
  if (typeof (err as { syscall?: unknown }).syscall === 'string') return true;
  return CONNECTION_FAILURE.test(err.message);
}

function storeError(err: unknown): unknown {
  if (err instanceof StoreError || !isUnavailable(err)) return err;
  return new StoreError('STORE_UNAVAILABLE', `the PostgreSQL database is unavailable: ${(err as Error).message}`, { cause: err });
}

export class PostgresStore implements Store {
  /** Counters for metrics and tests. */
  readonly stats = { flushes: 0, messagesWritten: 0, flushMs: 0, maxFlushMs: 0, errors: 0, dropped: 0 };
  private readonly pool: pg.Pool;
  private readonly history: PostgresHistory;
  private readonly readMarkers = new PostgresReadMarkers((sql, params) => this.query(sql, params));
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly onFlush: ((info: FlushInfo) => void) | undefined;
  // The queue: the message appended n-th (from 0) is pending[n - pendingBase] until n < dequeued.
  private pending: StoredMessage[] = [];
  private pendingBase = 0;
  private dequeued = 0;
  private appended = 0;
  /** Dropping the oldest for want of room; onError is told once per spell. */
  private overflowing = false;
  /** Writes run one after the other. */
  private writeChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;

  /** Connects, applies the migrations (StoreError SCHEMA_TOO_NEW for a newer database), and returns the store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    // A connection of its own, without statement timeouts: a migration may take long.
    const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: connectTimeoutMs, application_name: 'parlor migrations' });
    client.on('error', () => {}); // a failure also rejects the query in progress
    try {
      await client.connect();
      await migratePostgres(client, options.migrations ?? POSTGRES_MIGRATIONS);
      await rekeyBansPostgres(client);
    } catch (err) {
      throw storeError(err);
    } finally {
      await client.end().catch(() => {});
    }
    return new PostgresStore(options);
  }

  private constructor(options: PostgresStoreOptions) {
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 100);
    this.maxBatch = Math.max(1, options.maxBatch ?? 1000);
    this.maxQueued = Math.max(this.maxBatch, options.maxQueued ?? 100_000);
    this.onError = options.onError;
    this.onFlush = options.onFlush;
    const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: Math.max(1, options.poolSize ?? 10),
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
      statement_timeout: statementTimeoutMs,
      // A server that stops answering altogether (paused, network gone) is not cancelled by
      // its own statement_timeout: give up on the client side a little later.
      query_timeout: statementTimeoutMs + 1000,
      keepAlive: true,
      application_name: 'parlor',
    });
    // An idle connection that breaks (server restart) is dropped by the pool; not fatal.
    this.pool.on('error', (err) => this.onError?.(storeError(err)));
    this.history = new PostgresHistory((sql, params) => this.query(sql, params), () => this.closing === undefined);
  }

  /** Messages accepted but not yet written. */
  get queued(): number {
    return this.appended - this.dequeued;
  }

  // ---- history ----

  appendMessage(message: StoredMessage): void {
    if (this.closing !== undefined) {
      this.stats.dropped++;
      return;
    }
    this.pending.push(cleanMessage(message));
    this.appended++;
    const excess = this.queued - this.maxQueued;
    if (excess > 0) {
      this.stats.dropped += excess;
      this.dequeueTo(this.dequeued + excess);
      if (!this.overflowing) {
        this.overflowing = true;
        this.onError?.(new StoreError('STORE_UNAVAILABLE', `history is not being written and ${this.maxQueued} messages wait: dropping the oldest`));
      }
    }
    this.schedule();
  }

  /**
   * Writes `messages` now, in one statement, idempotent on msgid; resolves once committed.
   * Rejects with StoreError('STORE_UNAVAILABLE') when the database cannot be reached or times out.
   */
  async writeMessages(messages: StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.insertBatch(messages.map(cleanMessage));
  }

  async latest(target: string, limit: number, after?: HistoryRef): Promise<StoredMessage[]> {
    await this.writeQueued();
    return this.history.latest(target, limit, after);
  }

  async before(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.writeQueued();
    return this.history.before(target, ref, limit);
  }

  async after(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.writeQueued();
    return this.history.after(target, ref, limit);
  }

  async around(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.writeQueued();
    return this.history.around(target, ref, limit);
  }

  async between(target: string, a: HistoryRef, b: HistoryRef, limit: number): Promise<StoredMessage[]> {
    await this.writeQueued();
    return this.history.between(target, a, b, limit);
  }

  async targets(account: string | undefined, channels: string[], from: number, to: number, limit: number): Promise<HistoryTarget[]> {
    await this.writeQueued();
    return this.history.targets(account, channels, from, to, limit);
  }

  async purge(target: string): Promise<number> {
    await this.writeQueued();
    return this.history.purge(target);
  }

  async forgetAccount(account: string): Promise<number> {
    await this.writeQueued();
    return this.history.forgetAccount(account);
  }

  async prune(before: number, keepPerTarget: number): Promise<number> {
    await this.writeQueued();
    return this.history.prune(before, keepPerTarget);
  }

  async findMessage(msgid: string): Promise<StoredMessage | undefined> {
    await this.writeQueued();
    return this.history.findMessage(msgid);
  }

  async deleteMessage(msgid: string, time: number): Promise<boolean> {
    await this.writeQueued();
    return redactMessage((sql, params) => this.query(sql, params), msgid, time);
  }

  async pruneRedactions(before: number): Promise<number> {
    return pruneRedactions((sql, params) => this.query(sql, params), before);
  }

  // ---- accounts ----

  async createAccount(account: AccountRecord): Promise<boolean> {
    const a = cleanAccount(account);
    try {
      const { rowCount } = await this.query(
        `INSERT INTO accounts (name_key, name, password_hash, email, created_at, verified, suspended, skeleton, scram)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name_key) DO NOTHING`,
        [foldCase(a.name), a.name, a.passwordHash, a.email ?? null, a.createdAt, a.verified, a.suspended, nickSkeleton(a.name), a.scram ?? null],
      );
      return rowCount === 1;
    } catch (err) {
      if (err instanceof pg.DatabaseError && err.code === '23505') return false; // unique_violation
      throw err;
    }
  }

  async getAccount(name: string): Promise<AccountRecord | undefined> {
    const { rows } = await this.query<AccountRow>('SELECT name, password_hash, email, created_at, verified, suspended, scram FROM accounts WHERE name_key = $1', [foldCase(name)]);
    return rows[0] && toAccount(rows[0]);
  }

  async updateAccount(name: string, change: Partial<Omit<AccountRecord, 'name'>>): Promise<boolean> {
    // One UPDATE of the fields given, not read-then-write: another node may change the others.
    const columns: [string, unknown][] = [];
    if (change.passwordHash !== undefined) columns.push(['password_hash', change.passwordHash]);
    if ('email' in change) columns.push(['email', change.email ?? null]);
    if (change.createdAt !== undefined) columns.push(['created_at', change.createdAt]);
    if (change.verified !== undefined) columns.push(['verified', change.verified]);
    if (change.suspended !== undefined) columns.push(['suspended', change.suspended]);
    if ('scram' in change) columns.push(['scram', change.scram ?? null]);
    const set = columns.length === 0 ? 'name_key = name_key' : columns.map(([column], i) => `${column} = $${i + 2}`).join(', ');
    const { rowCount } = await this.query(`UPDATE accounts SET ${set} WHERE name_key = $1`, [foldCase(name), ...columns.map(([, value]) => value)]);
    return rowCount === 1;
  }

  async deleteAccount(name: string): Promise<boolean> {
    await this.readMarkers.forget(foldCase(name));
    const { rowCount } = await this.query('DELETE FROM accounts WHERE name_key = $1', [foldCase(name)]);
    return rowCount === 1;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const { rows } = await this.query<AccountRow & { name_key: string }>('SELECT * FROM accounts', []);
    return byKey(rows).map(toAccount);
  }

  /** Other nodes create and delete accounts: only a query can tell (Store.mayHaveAccountLike). */
  mayHaveAccountLike(): boolean {
    return true;
  }

  async accountsLike(nick: string): Promise<AccountRecord[]> {
    const { rows } = await this.query<AccountRow & { name_key: string }>('SELECT * FROM accounts WHERE skeleton = $1', [nickSkeleton(nick)]);
    return byKey(rows).map(toAccount);
  }

  // ---- registered rooms ----

  async saveChannel(channel: ChannelRecord): Promise<void> {
    const c = cleanChannel(channel);
    await this.query(
      `INSERT INTO channels (name_key, name, founder, registered_at, topic, topic_set_by, topic_set_at, modes, key, user_limit, bans, operators, exceptions, invites)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (name_key) DO UPDATE SET
         name = EXCLUDED.name, founder = EXCLUDED.founder, registered_at = EXCLUDED.registered_at, topic = EXCLUDED.topic,
         topic_set_by = EXCLUDED.topic_set_by, topic_set_at = EXCLUDED.topic_set_at, modes = EXCLUDED.modes, key = EXCLUDED.key,
         user_limit = EXCLUDED.user_limit, bans = EXCLUDED.bans, operators = EXCLUDED.operators,
         exceptions = EXCLUDED.exceptions, invites = EXCLUDED.invites`,
      channelColumns(c),
    );
  }

  async getChannel(name: string): Promise<ChannelRecord | undefined> {
    const { rows } = await this.query<ChannelRow>('SELECT * FROM channels WHERE name_key = $1', [foldCase(name)]);
    return rows[0] && toChannel(rows[0]);
  }

  async deleteChannel(name: string): Promise<boolean> {
    const { rowCount } = await this.query('DELETE FROM channels WHERE name_key = $1', [foldCase(name)]);
    return rowCount === 1;
  }

  async listChannels(): Promise<ChannelRecord[]> {
    const { rows } = await this.query<ChannelRow & { name_key: string }>('SELECT * FROM channels', []);
    return byKey(rows).map(toChannel);
  }

  // ---- server bans and mutes ----

  async saveBan(ban: StoredBan): Promise<void> {
    const b = cleanBan(ban);
    await this.query(
      `INSERT INTO server_bans (list, mask_key, mask, kind, reason, set_by, set_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (list, mask_key) DO UPDATE SET
         mask = EXCLUDED.mask, kind = EXCLUDED.kind, reason = EXCLUDED.reason, set_by = EXCLUDED.set_by,
         set_at = EXCLUDED.set_at, expires_at = EXCLUDED.expires_at`,
      [b.list, banKey(b.mask), b.mask, b.kind, b.reason, b.setBy, b.setAt, b.expiresAt ?? null],
    );
  }

  async deleteBan(list: 'ban' | 'mute', mask: string): Promise<void> {
    await this.query('DELETE FROM server_bans WHERE list = $1 AND mask_key = $2', [list, banKey(mask)]);
  }

  async listBans(): Promise<StoredBan[]> {
    const { rows } = await this.query<BanRow>('SELECT * FROM server_bans', []);
    return rows.map(toBan).sort(compareBans);
  }

  // ---- read markers ----

  async readMarker(account: string, target: string): Promise<number | undefined> {
    return this.readMarkers.get(foldCase(account), foldCase(target));
  }

  async setReadMarker(account: string, target: string, time: number, maxPerAccount: number): Promise<ReadMarkerSet> {
    return this.readMarkers.set(foldCase(account), foldCase(target), time, maxPerAccount);
  }

  async serverSecret(name: string, candidate: string): Promise<string> {
    return keepServerSecret((sql, params) => this.query(sql, params), name, candidate);
  }

  // ---- lifecycle ----

  /** Writes everything queued so far; rejects (the messages stay queued) when the database is unavailable. */
  async flush(): Promise<void> {
    await this.writeQueued();
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.cancelTimer();
      try {
        await this.writeQueued();
      } catch (err) {
        this.stats.dropped += this.queued;
        this.onError?.(err);
      } finally {
        await this.pool.end();
      }
    })();
    return this.closing;
  }

  // ---- internals ----

  private async query<Row extends object = Record<string, unknown>>(sql: string, params: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }> {
    try {
      const result = await this.pool.query<Row>(sql, params);
      return { rows: result.rows, rowCount: result.rowCount };
    } catch (err) {
      throw storeError(err);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closing !== undefined) return;
    // Not unref'd: a process that ends on its own writes its queue first.
    this.timer = this.queued >= this.maxBatch ? setImmediate(this.timedFlush) : setTimeout(this.timedFlush, this.flushIntervalMs);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private readonly timedFlush = (): void => {
    this.cancelTimer();
    this.writeQueued().then(
      () => {
        if (this.queued > 0) this.schedule();
      },
      (err: unknown) => {
        this.stats.errors++;
        this.onError?.(err);
        // Retry later, without keeping the process alive for a database that may stay down.
        if (this.timer === undefined && this.closing === undefined) this.timer = setTimeout(this.timedFlush, Math.max(this.flushIntervalMs, 1000)).unref();
      },
    );
  };

  /** Writes every message queued so far, after any write already under way. */
  private writeQueued(): Promise<void> {
    const goal = this.appended;
    const write = this.writeChain.catch(() => {}).then(() => this.writeUpTo(goal));
    this.writeChain = write;
    return write;
  }

  private async writeUpTo(goal: number): Promise<void> {
    while (this.dequeued < goal) {
      const start = this.dequeued;
      const end = Math.min(goal, start + this.maxBatch);
      const batch = this.pending.slice(start - this.pendingBase, end - this.pendingBase);
      const started = performance.now();
      try {
        await this.insertBatch(batch);
      } catch (err) {
        if (err instanceof StoreError) throw err; // unavailable: the batch stays queued
        await this.writeOneByOne(batch, err);
      }
      this.dequeueTo(end);
      this.overflowing = false;
      const ms = performance.now() - started;
      this.stats.flushes++;
      this.stats.messagesWritten += batch.length;
      this.stats.flushMs += ms;
      this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, ms);
      this.onFlush?.({ messages: batch.length, ms });
    }
  }

  /**
   * The database refused the batch itself (not a failure to reach it): retrying it whole would
   * fail for ever and hold up every message behind it, so each is written alone and only the
   * ones refused are dropped.
   */
  private async writeOneByOne(batch: StoredMessage[], cause: unknown): Promise<void> {
    this.onError?.(cause);
    for (const message of batch) {
      try {
        await this.insertBatch([message]);
      } catch (err) {
        if (err instanceof StoreError) throw err;
        this.stats.dropped++;
        this.onError?.(err);
      }
    }
  }

  /**
   * One INSERT of the batch, committed; then, in a statement of its own, those of its messages
   * deleted meanwhile (a tombstone: postgres-redactions.ts) are deleted again. A failure after
   * the insert leaves the batch to be written again, which the insert ignores and the check repeats.
   */
  private async insertBatch(batch: readonly StoredMessage[]): Promise<void> {
    const params = batchParams(batch);
    await this.query(INSERT_BATCH, params);
    await dropRedacted((sql, p) => this.query(sql, p), params[0]!);
  }

  /** Forgets the messages before the `seq`-th appended (written or dropped). */
  private dequeueTo(seq: number): void {
    if (seq <= this.dequeued) return;
    this.dequeued = seq;
    const consumed = this.dequeued - this.pendingBase;
    // Compact now and then, not on every message: dropping one at a time stays cheap.
    if (consumed >= 1024 && consumed * 2 >= this.pending.length) {
      this.pending = this.pending.slice(consumed);
      this.pendingBase = this.dequeued;
    } else if (consumed === this.pending.length) {
      this.pending = [];
      this.pendingBase = this.dequeued;
    }
  }
}
