// The PostgreSQL schema as an ordered list of migrations, and the runner that applies them.
// `parlor_schema` holds one row per applied migration. Every node of a cluster runs the
// runner when it starts, so it works under pg_advisory_xact_lock inside one transaction: nodes
// starting together take turns, the second finding the work done. Never edit a migration once
// released: add the next one. test/storage/postgres.test.ts builds a database with the first
// migration alone (with data) and opens it with the current code.
//
// Conversation keys (messages.target) are bytea, the UTF-8 of the key: a private conversation
// is `alice<NUL>bob`, and text columns cannot hold NUL. Bytes also order as SQLite's BINARY
// text does, so ties in CHATHISTORY TARGETS come out alike in both stores.
import type { ClientBase } from 'pg';
import { fillAccountSkeletonsPostgres } from './account-skeletons.ts';
import { StoreError } from './errors.ts';

export interface PostgresMigration {
  version: number;
  description: string;
  sql: string;
  /** A step in code for what SQL cannot do (TR39 skeletons); runs after `sql`, in its transaction. */
  data?: (client: ClientBase) => Promise<void>;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'message history, accounts, registered rooms, server bans',
    // `id` is the insertion order, which orders messages of the same millisecond.
    sql: `
      CREATE TABLE messages (
        id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        msgid   text NOT NULL UNIQUE,
        target  bytea NOT NULL,
        time    bigint NOT NULL,
        source  text NOT NULL,
        account text,
        command text NOT NULL,
        text    text NOT NULL,
        tags    text -- client-only tags as a JSON object; NULL when none
      );
      -- Every history query is "one conversation, in (time, id) order".
      CREATE INDEX messages_target_time ON messages (target, time, id);

      CREATE TABLE accounts (
        name_key      text PRIMARY KEY, -- the name folded (rfc1459): the authority on uniqueness
        name          text NOT NULL,
        password_hash text NOT NULL,
        email         text,
        created_at    bigint NOT NULL,
        verified      boolean NOT NULL DEFAULT false,
        suspended     boolean NOT NULL DEFAULT false
      );

      CREATE TABLE channels (
        name_key      text PRIMARY KEY, -- the name folded (rfc1459)
        name          text NOT NULL,
        founder       text NOT NULL,
        registered_at bigint NOT NULL,
        topic         text NOT NULL DEFAULT '',
        topic_set_by  text NOT NULL DEFAULT '',
        topic_set_at  bigint NOT NULL DEFAULT 0,
        modes         text NOT NULL DEFAULT '',
        key           text,
        user_limit    bigint,
        bans          text NOT NULL DEFAULT '[]', -- JSON [{mask, setBy, setAt}], saved whole
        operators     text NOT NULL DEFAULT '[]'  -- JSON [account]
      );

      CREATE TABLE server_bans (
        list       text NOT NULL CHECK (list IN ('ban', 'mute')),
        mask_key   text NOT NULL, -- the mask folded (rfc1459)
        mask       text NOT NULL,
        kind       text NOT NULL CHECK (kind IN ('mask', 'cidr')),
        reason     text NOT NULL,
        set_by     text NOT NULL,
        set_at     bigint NOT NULL,
        expires_at bigint,
        PRIMARY KEY (list, mask_key)
      );
    `,
  },
  {
    version: 2,
    description: 'CHATHISTORY TARGETS: find private conversations by either account',
    // A private key is `a<NUL>b` with a < b. Conversations of account X as the first side are
    // a range of messages_target_time (keys starting `X<NUL>`); as the second side they need
    // this column. Derived by the database, so no writer can get it wrong and no separate
    // table of conversations has to be kept in step by concurrent writers.
    sql: `
      ALTER TABLE messages ADD COLUMN peer bytea GENERATED ALWAYS AS (
        CASE WHEN position('\\x00'::bytea IN target) > 0
             THEN substring(target FROM position('\\x00'::bytea IN target) + 1) END
      ) STORED;
      CREATE INDEX messages_peer ON messages (peer, target) WHERE peer IS NOT NULL;
    `,
  },
  {
    version: 3,
    description: 'accounts found by the skeleton of their name: a look-alike nick or account is refused while the owner is away',
    // The default only serves the ALTER: the data step fills every row, createAccount each new one.
    sql: `
      ALTER TABLE accounts ADD COLUMN skeleton text NOT NULL DEFAULT '';
      CREATE INDEX accounts_skeleton ON accounts (skeleton);
    `,
    data: fillAccountSkeletonsPostgres,
  },
  {
    version: 4,
    description: 'read markers per account and conversation; SCRAM-SHA-256 keys beside the scrypt hash; ban and invite exceptions of registered rooms; tombstones of deleted messages; server secrets',
    // `scram`: the SCRAM-SHA-256 verifier, NULL until the account's next PLAIN login or
    // password change derives it (src/server/scram.ts).
    sql: `
      CREATE TABLE read_markers (
        account_key text NOT NULL,   -- the account's name folded
        target      text NOT NULL,   -- the conversation as its reader names it, folded
        time        bigint NOT NULL, -- read up to this time (ms)
        PRIMARY KEY (account_key, target)
      );
      ALTER TABLE accounts ADD COLUMN scram text;
      -- +e and +I lists as JSON [{mask, setBy, setAt}], like bans.
      ALTER TABLE channels ADD COLUMN exceptions text NOT NULL DEFAULT '[]';
      ALTER TABLE channels ADD COLUMN invites text NOT NULL DEFAULT '[]';
      -- Tombstones of deleted messages (REDACT): in a cluster a message and its deletion may be
      -- written by two nodes in either order; each side writes, commits, then checks the other's
      -- table (postgres-redactions.ts), so a message written after its deletion goes again.
      CREATE TABLE redactions (
        msgid text PRIMARY KEY,
        time  bigint NOT NULL        -- when the deletion was recorded (ms); pruned by it
      );
      CREATE INDEX redactions_time ON redactions (time);
      -- Secrets made by the server once and shared by every node (the key of SCRAM's made-up
      -- salts: src/server/scram-secret.ts); the first node's insert wins, never changed after.
      CREATE TABLE server_secrets (
        name  text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;

/** Taken by every runner, whichever database: only one migrates at a time. ("parlor" in ASCII.) */
const MIGRATION_LOCK = 0x7061726c6f72;

/**
 * Brings the database up to the last of `migrations` (all by default; tests pass a prefix to
 * build an old database) in ONE transaction under the advisory lock. Refuses a database whose
 * schema is newer than this code (StoreError SCHEMA_TOO_NEW). Returns the version reached.
 */
export async function migratePostgres(client: ClientBase, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<number> {
  const latest = migrations.length > 0 ? migrations[migrations.length - 1]!.version : 0;
  await client.query('BEGIN');
  try {
    // The lock first: concurrent CREATE TABLE IF NOT EXISTS can fail on the catalog's own keys.
    await client.query('SET LOCAL statement_timeout = 0'); // a migration may take long; waiting for the lock too
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS parlor_schema (
      version     integer PRIMARY KEY,
      description text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const found = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM parlor_schema');
    let current = found.rows[0]?.version ?? 0;
    if (current > latest) {
      throw new StoreError(
        'SCHEMA_TOO_NEW',
        `the PostgreSQL database has schema version ${current}, newer than this version of Parlor understands (${latest}); upgrade Parlor`,
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      if (m.version !== current + 1) throw new Error(`migration ${m.version} does not follow ${current}`);
      await client.query(m.sql);
      await m.data?.(client);
      await client.query('INSERT INTO parlor_schema (version, description) VALUES ($1, $2)', [m.version, m.description]);
      current = m.version;
    }
    await client.query('COMMIT');
    return current;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
