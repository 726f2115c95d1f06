// PostgresStore's history: the batch insert, the CHATHISTORY queries and the chunked deletes.
// They answer as SqliteStore's do (the same (time, id) order, the same Span bounds from
// records.ts); conversation keys are bytea (see postgres-schema.ts), so they go in as the UTF-8
// of the key and come back through decodeTarget.
import {
  clampLimit,
  comparePositions,
  FIRST_SEQ,
  isMsgidRef,
  pointSpan,
  splitAround,
  timeSpan,
  yieldToEventLoop,
  type Position,
  type Span,
} from './records.ts';
import type { HistoryRef, HistoryTarget, StoredMessage } from './store.ts';

/** Runs one statement (errors already mapped to StoreError by the store). */
export type RunQuery = <Row extends object>(sql: string, params: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>;

/** Rows deleted per statement by purge, forgetAccount and prune, with a turn of the event loop between. */
const DELETE_CHUNK = 2000;

const COLUMNS = 'msgid, target, time, source, account, command, text, tags';

interface MessageRow {
  msgid: string;
  target: Buffer;
  time: string;
  source: string;
  account: string | null;
  command: 'PRIVMSG' | 'NOTICE';
  text: string;
  tags: string | null;
}

/**
 * The whole batch in ONE statement: columns as arrays, unnested in array order (so `id`, the
 * order among messages of one millisecond, follows the order of arrival). A msgid already
 * stored, or repeated in the batch, keeps its first row: the write is idempotent.
 */
export const INSERT_BATCH = `
  INSERT INTO messages (${COLUMNS})
  SELECT msgid, target, time, source, account, command, text, tags
  FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS m(msgid, target, time, source, account, command, text, tags, n)
  ORDER BY n
  ON CONFLICT (msgid) DO NOTHING`;

/** The parameters of INSERT_BATCH. */
export function batchParams(batch: readonly StoredMessage[]): unknown[][] {
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const m of batch) {
    const tags = m.tags !== undefined && Object.keys(m.tags).length > 0 ? JSON.stringify(m.tags) : null;
    const row = [noNul(m.msgid), encodeTarget(m.target), sqlTime(m.time), noNul(m.source), m.account === undefined ? null : noNul(m.account), m.command, noNul(m.text), tags];
    row.forEach((value, i) => columns[i]!.push(value));
  }
  return columns;
}

export function encodeTarget(target: string): Buffer {
  return Buffer.from(target, 'utf8');
}

function decodeTarget(target: Buffer): string {
  return target.toString('utf8');
}

/**
 * PostgreSQL text cannot hold NUL, and one such message would fail its whole batch again and
 * again. Nothing with NUL ever reaches the wire, so it is replaced rather than refused.
 */
function noNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** Bound of a bigint parameter: beyond it (±Infinity included) every stored time compares alike. */
const TIME_LIMIT = 2 ** 62;

/** A time as a bigint parameter: whole (rounded towards `round`), within bigint, NaN as 0. */
export function sqlTime(time: number, round: (n: number) => number = Math.trunc): string {
  if (Number.isNaN(time)) return '0';
  return String(Math.max(-TIME_LIMIT, Math.min(TIME_LIMIT, round(time))));
}

/**
 * A Span bound as whole numbers that select the same rows: a fractional time t has no message
 * of its own, so "before t" is "before ceil(t)" and "after t" is "after floor(t)".
 */
function boundParams(at: Position): [string, string] {
  const round = at.seq === FIRST_SEQ ? Math.ceil : Math.floor;
  return [sqlTime(at.time, round), String(at.seq)];
}

function toMessage(r: MessageRow): StoredMessage {
  const m: StoredMessage = { msgid: r.msgid, target: decodeTarget(r.target), time: Number(r.time), source: r.source, command: r.command, text: r.text };
  if (r.account !== null) m.account = r.account;
  if (r.tags !== null) m.tags = JSON.parse(r.tags) as Record<string, string>;
  return m;
}

/**
 * Distinct conversation keys by a loose index scan: each step is one seek for the next key
 * after the previous, so the cost is the number of conversations, not of messages.
 */
function distinctTargets(name: string, where: string): string {
  return `${name}(target) AS (
      SELECT (SELECT m.target FROM messages m WHERE ${where} ORDER BY m.target LIMIT 1)
      UNION ALL
      SELECT (SELECT m.target FROM messages m WHERE ${where} AND m.target > p.target ORDER BY m.target LIMIT 1)
      FROM ${name} p WHERE p.target IS NOT NULL
    )`;
}

/**
 * The private conversations of an account ($1 = `X<NUL>`, $2 = `X\x01`, $3 = X, as bytes):
 * as the first side, the keys in [$1, $2); as the second, the rows whose peer is X.
 */
const ACCOUNT_CONVERSATIONS = `${distinctTargets('first_side', 'm.target >= $1 AND m.target < $2')},
    ${distinctTargets('second_side', 'm.peer = $3')},
    conversations AS (
      SELECT target FROM first_side WHERE target IS NOT NULL
      UNION SELECT target FROM second_side WHERE target IS NOT NULL
    )`;

function accountParams(account: string | undefined): [Buffer | null, Buffer | null, Buffer | null] {
  if (account === undefined) return [null, null, null];
  return [encodeTarget(`${account}\u0000`), encodeTarget(`${account}\u0001`), encodeTarget(account)];
}

/** CHATHISTORY TARGETS: each candidate's newest message is one backward seek in messages_target_time. */
function targetsQuery(ascending: boolean): string {
  const direction = ascending ? 'ASC' : 'DESC';
  return `WITH RECURSIVE ${ACCOUNT_CONVERSATIONS},
    candidates AS (
      SELECT target FROM conversations
      UNION SELECT unnest($4::bytea[])
    ),
    newest AS (
      SELECT c.target, (SELECT max(m.time) FROM messages m WHERE m.target = c.target) AS latest FROM candidates c
    )
    SELECT target, latest FROM newest
    WHERE latest > $5 AND latest < $6
    ORDER BY latest ${direction}, target ${direction}
    LIMIT $7`;
}

interface RangeQuery {
  above?: Position | undefined;
  from?: Position;
  below?: Position;
  desc?: boolean;
  limit: number;
}

/** The history queries over one connection pool; every method reads committed rows only. */
export class PostgresHistory {
  constructor(
    private readonly run: RunQuery,
    /** False once the store is closing: long deletes stop between chunks. */
    private readonly open: () => boolean,
  ) {}

  async latest(target: string, limit: number, after?: HistoryRef): Promise<StoredMessage[]> {
    const span = after === undefined ? undefined : await this.resolve(target, after);
    if (span === null) return [];
    return (await this.range(target, { above: span?.hi, desc: true, limit })).reverse();
  }

  async before(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const span = await this.resolve(target, ref);
    return span ? (await this.range(target, { below: span.lo, desc: true, limit })).reverse() : [];
  }

  async after(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const span = await this.resolve(target, ref);
    return span ? this.range(target, { above: span.hi, limit }) : [];
  }

  async around(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const span = await this.resolve(target, ref);
    if (!span) return [];
    const n = clampLimit(limit);
    const [before, from] = await Promise.all([this.range(target, { below: span.lo, desc: true, limit: n }), this.range(target, { from: span.lo, limit: n })]);
    return splitAround(before, from, n);
  }

  async between(target: string, a: HistoryRef, b: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const [sa, sb] = await Promise.all([this.resolve(target, a), this.resolve(target, b)]);
    if (!sa || !sb) return [];
    // Counted from `a`: forwards when it is the earlier ref, backwards from it otherwise.
    if (comparePositions(sa.lo, sb.lo) <= 0) return this.range(target, { above: sa.hi, below: sb.lo, limit });
    return (await this.range(target, { above: sb.hi, below: sa.lo, desc: true, limit })).reverse();
  }

  async targets(account: string | undefined, channels: string[], from: number, to: number, limit: number): Promise<HistoryTarget[]> {
    const ascending = from <= to;
    const [lo, hi] = ascending ? [from, to] : [to, from];
    const n = clampLimit(limit);
    if (n === 0) return [];
    const { rows } = await this.run<{ target: Buffer; latest: string }>(targetsQuery(ascending), [
      ...accountParams(account),
      channels.map(encodeTarget),
      sqlTime(lo, Math.floor),
      sqlTime(hi, Math.ceil),
      n,
    ]);
    const found = rows.map((r) => ({ target: decodeTarget(r.target), latest: Number(r.latest) }));
    // Counted from `from`; oldest first either way.
    return ascending ? found : found.reverse();
  }

  async purge(target: string): Promise<number> {
    return this.deleteInChunks('SELECT id FROM messages WHERE target = $1 LIMIT $2', [encodeTarget(target)]);
  }

  async forgetAccount(account: string): Promise<number> {
    const { rows } = await this.run<{ target: Buffer }>(`WITH RECURSIVE ${ACCOUNT_CONVERSATIONS} SELECT target FROM conversations`, accountParams(account));
    let removed = 0;
    for (const { target } of rows) {
      if (!this.open()) return removed;
      removed += await this.deleteInChunks('SELECT id FROM messages WHERE target = $1 LIMIT $2', [target]);
    }
    return removed;
  }

  async prune(before: number, keepPerTarget: number): Promise<number> {
    const { rows } = await this.run<{ target: Buffer }>(`WITH RECURSIVE ${distinctTargets('every', 'true')} SELECT target FROM every WHERE target IS NOT NULL`, []);
    const keep = clampLimit(keepPerTarget);
    let removed = 0;
    for (const { target } of rows) {
      if (!this.open()) return removed;
      if (Number.isFinite(before)) {
        removed += await this.deleteInChunks('SELECT id FROM messages WHERE target = $1 AND time < $3 LIMIT $2', [target], sqlTime(before, Math.ceil));
      }
      if (keep < Number.MAX_SAFE_INTEGER) {
        removed += await this.deleteInChunks('SELECT id FROM messages WHERE target = $1 ORDER BY time DESC, id DESC LIMIT $2 OFFSET $3', [target], keep);
      }
    }
    return removed;
  }

  /** Where `ref` sits in `target`; null for a msgid that is not in that conversation. */
  async findMessage(msgid: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.run<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE msgid = $1`, [msgid]);
    return rows[0] && toMessage(rows[0]);
  }

  private async resolve(target: string, ref: HistoryRef): Promise<Span | null> {
    if (!isMsgidRef(ref)) return timeSpan(ref.time);
    const { rows } = await this.run<{ time: string; id: string }>('SELECT time, id FROM messages WHERE msgid = $1 AND target = $2', [ref.msgid, encodeTarget(target)]);
    const row = rows[0];
    return row ? pointSpan(Number(row.time), Number(row.id)) : null;
  }

  /** Messages of `target` within bounds: above/below exclusive, from inclusive. */
  private async range(target: string, q: RangeQuery): Promise<StoredMessage[]> {
    const limit = clampLimit(q.limit);
    if (limit === 0) return [];
    let where = 'target = $1';
    const params: unknown[] = [encodeTarget(target)];
    const bound = (op: string, at: Position | undefined): void => {
      if (at === undefined) return;
      params.push(...boundParams(at));
      where += ` AND (time, id) ${op} ($${params.length - 1}::bigint, $${params.length}::bigint)`;
    };
    bound('>', q.above);
    bound('>=', q.from);
    bound('<', q.below);
    const order = q.desc ? 'time DESC, id DESC' : 'time, id';
    params.push(limit);
    const { rows } = await this.run<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`, params);
    return rows.map(toMessage);
  }

  /**
   * Deletes the messages `select` names ($2 is its LIMIT, $3 `extra` when given), a chunk per
   * statement (each its own short transaction) with a turn of the event loop between.
   */
  private async deleteInChunks(select: string, params: unknown[], extra?: unknown): Promise<number> {
    const args = extra === undefined ? [...params, DELETE_CHUNK] : [...params, DELETE_CHUNK, extra];
    let removed = 0;
    for (;;) {
      if (!this.open()) return removed;
      const { rowCount } = await this.run(`DELETE FROM messages WHERE id IN (${select})`, args);
      removed += rowCount ?? 0;
      if ((rowCount ?? 0) < DELETE_CHUNK) return removed;
      await yieldToEventLoop();
    }
  }
}
