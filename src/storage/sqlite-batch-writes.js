// @ts-check
// Writing a batch of messages to SQLite in ONE transaction: the multi-row inserts, each new
// conversation's row, and the deletion of those of the batch that have a tombstone. Runs on
// the writer thread (sqlite-writer-worker.js), or on the event loop with `storage.writer: inline`.
//
// Plain JavaScript (type-checked through JSDoc), like the thread's entry: a worker thread
// starts in a tenth of the time when it needs no TypeScript loader (tsx) in a checkout.

/** @typedef {import('better-sqlite3').Database} Db */
/** @typedef {import('better-sqlite3').Statement} Statement */
/**
 * A batch as it crosses to the writer thread: the MESSAGE_COLUMNS values of each message one
 * after the other, tags already JSON. A flat array of strings and numbers is what structured
 * cloning copies fastest (objects cost it more), and it binds as is.
 * @typedef {(string | number | null)[]} MessageRows
 */

export const MESSAGE_COLUMNS = 'msgid, target, time, source, account, command, text, tags';
export const FIELDS_PER_MESSAGE = 8;
/** Deletes the messages of a batch (its msgids as a JSON array) that have a tombstone. */
export const REDACTED_IN_BATCH = 'DELETE FROM messages WHERE msgid IN (SELECT r.msgid FROM redactions r JOIN json_each(?) j ON r.msgid = j.value)';
/** Rows per INSERT: per-statement overhead is most of the cost of a small insert. */
export const ROWS_PER_INSERT = 32;

/**
 * @param {readonly import('./store.js').StoredMessage[]} batch
 * @returns {MessageRows}
 */
export function flattenMessages(batch) {
  /** @type {MessageRows} */
  const rows = new Array(batch.length * FIELDS_PER_MESSAGE);
  let k = 0;
  for (const m of batch) {
    rows[k++] = m.msgid;
    rows[k++] = m.target;
    rows[k++] = m.time;
    rows[k++] = m.source;
    rows[k++] = m.account ?? null;
    rows[k++] = m.command;
    rows[k++] = m.text;
    rows[k++] = m.tags !== undefined && Object.keys(m.tags).length > 0 ? JSON.stringify(m.tags) : null;
  }
  return rows;
}

export class MessageBatchWriter {
  /** Conversations known to have their row, to skip redundant inserts. Only a cache. */
  #knownTargets = new Set();
  /** @type {(rows: MessageRows) => void} */
  #transaction;
  /** @type {Statement} */
  #dropEmpty;

  /** @param {Db} db */
  constructor(db) {
    /** @param {number} rows */
    const insert = (rows) => db.prepare(`INSERT OR IGNORE INTO messages (${MESSAGE_COLUMNS}) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
    const insertMany = insert(ROWS_PER_INSERT);
    const insertOne = insert(1);
    const insertConversation = db.prepare('INSERT OR IGNORE INTO conversations (target, account_a, account_b) VALUES (?, ?, ?)');
    // Asked inside the write transaction, which sees every tombstone committed before it; one
    // committed after it deletes the message itself (SqliteRedactions.redact). One seek.
    const anyTombstone = db.prepare('SELECT EXISTS (SELECT 1 FROM redactions)').pluck();
    const dropRedacted = db.prepare(REDACTED_IN_BATCH);
    this.#dropEmpty = db.prepare('DELETE FROM conversations WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.target = conversations.target)');
    const width = ROWS_PER_INSERT * FIELDS_PER_MESSAGE;
    this.#transaction = db.transaction((/** @type {MessageRows} */ rows) => {
      const count = rows.length / FIELDS_PER_MESSAGE;
      const whole = (count - (count % ROWS_PER_INSERT)) * FIELDS_PER_MESSAGE;
      let k = 0;
      for (; k < whole; k += width) insertMany.run(rows.slice(k, k + width));
      for (; k < rows.length; k += FIELDS_PER_MESSAGE) insertOne.run(rows.slice(k, k + FIELDS_PER_MESSAGE));
      for (let t = 1; t < rows.length; t += FIELDS_PER_MESSAGE) {
        const target = /** @type {string} */ (rows[t]);
        if (this.#knownTargets.has(target)) continue;
        // A private conversation's key holds its two accounts around a NUL (records.ts conversationAccounts).
        const nul = target.indexOf('\u0000');
        insertConversation.run(target, nul < 0 ? null : target.slice(0, nul), nul < 0 ? null : target.slice(nul + 1));
        this.#knownTargets.add(target);
      }
      if (anyTombstone.get() === 1) {
        const msgids = [];
        for (let m = 0; m < rows.length; m += FIELDS_PER_MESSAGE) msgids.push(rows[m]);
        dropRedacted.run(JSON.stringify(msgids));
      }
    });
  }

  /**
   * Writes the rows in one transaction; throws (and writes nothing) when it fails.
   * @param {MessageRows} rows
   */
  write(rows) {
    try {
      this.#transaction(rows);
    } catch (err) {
      this.#knownTargets.clear(); // it may name rows the rollback took away
      throw err;
    }
  }

  /** After purge or prune: the conversations left without a message go. */
  dropEmptyConversations() {
    this.#dropEmpty.run();
    this.#knownTargets.clear();
  }
}
