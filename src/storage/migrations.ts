// The SQLite schema as an ordered list of migrations. A database records the last one applied
// in `PRAGMA user_version`; opening it applies the rest, each in its own transaction. Never
// edit a migration once released: add the next one. test/storage/sqlite.test.ts builds
// databases with the first migrations alone (with data) and opens them with the current code.
import type { Database } from 'better-sqlite3';
import { fillAccountSkeletonsSqlite } from './account-skeletons.ts';
import { rekeyPrivateHistory } from './private-history-migration.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** A step in code for what SQL cannot do (rfc1459 folding); runs after `sql`, in its transaction. */
  data?: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'message history',
    // `id` is the insertion order, which orders messages of the same millisecond; being an
    // INTEGER PRIMARY KEY it survives VACUUM, unlike an implicit rowid.
    sql: `
      CREATE TABLE messages (
        id      INTEGER PRIMARY KEY,
        msgid   TEXT NOT NULL UNIQUE,
        target  TEXT NOT NULL,
        time    INTEGER NOT NULL,
        source  TEXT NOT NULL,
        command TEXT NOT NULL,
        text    TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'accounts, registered rooms, server bans; sender account and tags on messages',
    sql: `
      ALTER TABLE messages ADD COLUMN account TEXT;
      -- Client-only tags kept with a message, as a JSON object; NULL when none.
      ALTER TABLE messages ADD COLUMN tags TEXT;
      -- Every history query is "one conversation, in time order"; the implicit rowid at the
      -- end of each index entry makes this (target, time, id).
      CREATE INDEX messages_target_time ON messages (target, time);

      -- One row per conversation with history. Private ones ("a<NUL>b") name both nicks, so
      -- CHATHISTORY TARGETS finds a user's conversations without scanning messages.
      CREATE TABLE conversations (
        target TEXT PRIMARY KEY,
        nick_a TEXT,
        nick_b TEXT
      ) WITHOUT ROWID;
      CREATE INDEX conversations_nick_a ON conversations (nick_a);
      CREATE INDEX conversations_nick_b ON conversations (nick_b);
      -- Text functions stop at NUL, so the key is split as bytes.
      INSERT INTO conversations (target, nick_a, nick_b)
        SELECT target,
               CASE WHEN p > 0 THEN CAST(substr(b, 1, p - 1) AS TEXT) END,
               CASE WHEN p > 0 THEN CAST(substr(b, p + 1) AS TEXT) END
        FROM (SELECT target, CAST(target AS BLOB) AS b, instr(CAST(target AS BLOB), x'00') AS p
              FROM (SELECT DISTINCT target FROM messages));

      CREATE TABLE accounts (
        name_key      TEXT PRIMARY KEY, -- the name folded (rfc1459)
        name          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        email         TEXT,
        created_at    INTEGER NOT NULL,
        verified      INTEGER NOT NULL DEFAULT 0,
        suspended     INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      CREATE TABLE channels (
        name_key      TEXT PRIMARY KEY, -- the name folded (rfc1459)
        name          TEXT NOT NULL,
        founder       TEXT NOT NULL,
        registered_at INTEGER NOT NULL,
        topic         TEXT NOT NULL DEFAULT '',
        topic_set_by  TEXT NOT NULL DEFAULT '',
        topic_set_at  INTEGER NOT NULL DEFAULT 0,
        modes         TEXT NOT NULL DEFAULT '',
        key           TEXT,
        user_limit    INTEGER,
        bans          TEXT NOT NULL DEFAULT '[]', -- JSON [{mask, setBy, setAt}], saved whole
        operators     TEXT NOT NULL DEFAULT '[]'  -- JSON [account]
      ) WITHOUT ROWID;

      CREATE TABLE server_bans (
        list       TEXT NOT NULL CHECK (list IN ('ban', 'mute')),
        mask_key   TEXT NOT NULL, -- the mask folded (rfc1459)
        mask       TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('mask', 'cidr')),
        reason     TEXT NOT NULL,
        set_by     TEXT NOT NULL,
        set_at     INTEGER NOT NULL,
        expires_at INTEGER,
        PRIMARY KEY (list, mask_key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'private history belongs to accounts: conversations keyed by both account names, not nicks',
    // The index rows of private conversations are rebuilt by the data step.
    sql: `
      ALTER TABLE conversations RENAME COLUMN nick_a TO account_a;
      ALTER TABLE conversations RENAME COLUMN nick_b TO account_b;
      DROP INDEX conversations_nick_a;
      DROP INDEX conversations_nick_b;
      CREATE INDEX conversations_account_a ON conversations (account_a);
      CREATE INDEX conversations_account_b ON conversations (account_b);
    `,
    data: rekeyPrivateHistory,
  },
  {
    version: 4,
    description: 'accounts found by the skeleton of their name: a look-alike nick or account is refused while the owner is away',
    // The default only serves the ALTER: the data step fills every row, createAccount each new one.
    sql: `
      ALTER TABLE accounts ADD COLUMN skeleton TEXT NOT NULL DEFAULT '';
      CREATE INDEX accounts_skeleton ON accounts (skeleton);
    `,
    data: fillAccountSkeletonsSqlite,
  },
  {
    version: 5,
    description: 'read markers per account and conversation; SCRAM-SHA-256 keys beside the scrypt hash; ban and invite exceptions of registered rooms; tombstones of deleted messages; server secrets',
    // `scram`: the SCRAM-SHA-256 verifier (iterations, salt, StoredKey, ServerKey), NULL until
    // the account's next PLAIN login or password change derives it (src/server/scram.ts).
    sql: `
      CREATE TABLE read_markers (
        account_key TEXT NOT NULL,    -- the account's name folded
        target      TEXT NOT NULL,    -- the conversation as its reader names it, folded
        time        INTEGER NOT NULL, -- read up to this time (ms)
        PRIMARY KEY (account_key, target)
      ) WITHOUT ROWID;
      ALTER TABLE accounts ADD COLUMN scram TEXT;
      -- +e and +I lists as JSON [{mask, setBy, setAt}], like bans; columns of their own so that an
      -- older Parlor reading the row never takes an exception for a ban.
      ALTER TABLE channels ADD COLUMN exceptions TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE channels ADD COLUMN invites TEXT NOT NULL DEFAULT '[]';
      -- Tombstones of deleted messages (REDACT): a message written after its deletion (still
      -- queued, or a log entry written late) is deleted again (sqlite-redactions.ts).
      CREATE TABLE redactions (
        msgid TEXT PRIMARY KEY,
        time  INTEGER NOT NULL        -- when the deletion was recorded (ms); pruned by it
      ) WITHOUT ROWID;
      CREATE INDEX redactions_time ON redactions (time);
      -- Secrets made by the server once and shared by every process on the database (the key
      -- of SCRAM's made-up salts: src/server/scram-secret.ts); never changed once written.
      CREATE TABLE server_secrets (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` up to the last of `migrations` (all of them by default; tests pass a prefix to
 * build an old database). Refuses a database newer than this code rather than guess at it.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.length > 0 ? migrations[migrations.length - 1]!.version : 0;
  let current = schemaVersion(db);
  if (current > latest) {
    throw new Error(`the database has schema version ${current}, newer than this version of Parlor understands (${latest}); upgrade Parlor`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    if (m.version !== current + 1) throw new Error(`migration ${m.version} does not follow ${current}`);
    db.transaction(() => {
      db.exec(m.sql);
      m.data?.(db);
      // user_version is in the database header, so it commits or rolls back with the rest.
      db.pragma(`user_version = ${m.version}`);
    })();
    current = m.version;
  }
  return current;
}
