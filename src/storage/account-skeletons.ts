// The data step of the migrations that give accounts their `skeleton` column (SQLite schema 4,
// PostgreSQL schema 3): every account name's TR39 skeleton (protocol/nick-skeleton.ts), so
// that a nick or a new account looking like a registered account's name is found by an index
// (Store.accountsLike), whether or not its owner is online. SQL cannot compute a skeleton,
// so the rows already there are filled in here, in the migration's transaction.
//
// Part of released migrations: never change what it does, add a later migration instead.
import type { Database } from 'better-sqlite3';
import type { ClientBase } from 'pg';
import { nickSkeleton } from '../protocol/nick-skeleton.ts';

interface NameRow {
  name_key: string;
  name: string;
}

export function fillAccountSkeletonsSqlite(db: Database): void {
  const rows = db.prepare('SELECT name_key, name FROM accounts').all() as NameRow[];
  const update = db.prepare('UPDATE accounts SET skeleton = ? WHERE name_key = ?');
  for (const row of rows) update.run(nickSkeleton(row.name), row.name_key);
}

/** Rows updated per statement: the migration holds the accounts table locked, so one round trip per account would keep every node waiting for as long. */
const POSTGRES_BATCH = 1000;

export async function fillAccountSkeletonsPostgres(client: ClientBase): Promise<void> {
  const { rows } = await client.query<NameRow>('SELECT name_key, name FROM accounts');
  for (let i = 0; i < rows.length; i += POSTGRES_BATCH) {
    const batch = rows.slice(i, i + POSTGRES_BATCH);
    await client.query(
      'UPDATE accounts AS a SET skeleton = v.skeleton FROM unnest($1::text[], $2::text[]) AS v (name_key, skeleton) WHERE a.name_key = v.name_key',
      [batch.map((row) => row.name_key), batch.map((row) => nickSkeleton(row.name))],
    );
  }
}
