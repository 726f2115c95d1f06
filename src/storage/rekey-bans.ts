// Server bans are stored under banKey(mask), and banKey changed with Unicode nicks: a non-ASCII
// mask now folds as PRECIS (ÄRGER → ärger) where it used to keep its non-ASCII letters as they
// were. A row saved before that keeps its old mask_key, so deleteBan (which looks the new key
// up) would miss it and the ban would come back at the next start, and saving the mask again
// could add a second row. So each store, when it opens, moves such rows to their current key,
// merging rows that now share one (the newest set_at wins). It is not a numbered migration:
// the key follows the fold in code, so it is checked at every open, and costs one read of a
// small table when there is nothing to do.
import type { Database } from 'better-sqlite3';
import type { ClientBase } from 'pg';
import { banKey } from './records.ts';

/** A server_bans row as either SQL store returns it (PostgreSQL gives int8 as strings). */
export interface ServerBanRow {
  list: string;
  mask_key: string;
  mask: string;
  kind: string;
  reason: string;
  set_by: string;
  set_at: number | string;
  expires_at: number | string | null;
}

export interface BanRekeyPlan {
  /** Rows to delete, by their primary key as stored. */
  remove: { list: string; mask_key: string }[];
  /** Rows to insert once those are gone, under their current key. */
  insert: ServerBanRow[];
}

/** Which rows sit under a stale key, and the one row each such (list, key) keeps. */
export function planBanRekey(rows: readonly ServerBanRow[]): BanRekeyPlan {
  const groups = new Map<string, { key: string; rows: ServerBanRow[] }>();
  for (const row of rows) {
    const key = banKey(row.mask);
    const id = `${row.list}\u0000${key}`;
    const group = groups.get(id);
    if (group) group.rows.push(row);
    else groups.set(id, { key, rows: [row] });
  }
  const plan: BanRekeyPlan = { remove: [], insert: [] };
  for (const { key, rows: group } of groups.values()) {
    if (group.length === 1 && group[0]!.mask_key === key) continue;
    // The newest wins; between equals, the row already under the current key (saved since).
    let keep = group[0]!;
    for (const row of group.slice(1)) {
      const [t, best] = [Number(row.set_at), Number(keep.set_at)];
      if (t > best || (t === best && row.mask_key === key && keep.mask_key !== key)) keep = row;
    }
    for (const row of group) plan.remove.push({ list: row.list, mask_key: row.mask_key });
    plan.insert.push({ ...keep, mask_key: key });
  }
  return plan;
}

const INSERT_COLUMNS = '(list, mask_key, mask, kind, reason, set_by, set_at, expires_at)';

function insertValues(row: ServerBanRow): unknown[] {
  return [row.list, row.mask_key, row.mask, row.kind, row.reason, row.set_by, row.set_at, row.expires_at];
}

/** Re-keys the SQLite store's server_bans in one transaction; returns the rows rewritten. */
export function rekeyBansSqlite(db: Database): number {
  return db.transaction(() => {
    const plan = planBanRekey(db.prepare('SELECT * FROM server_bans').all() as ServerBanRow[]);
    const remove = db.prepare('DELETE FROM server_bans WHERE list = ? AND mask_key = ?');
    const insert = db.prepare(`INSERT INTO server_bans ${INSERT_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const row of plan.remove) remove.run(row.list, row.mask_key);
    for (const row of plan.insert) insert.run(...insertValues(row));
    return plan.insert.length;
  }).immediate();
}

/**
 * Re-keys PostgreSQL's server_bans in one transaction; returns the rows rewritten. Nodes may
 * open the database together: the table lock makes one do it and the others find it done.
 */
export async function rekeyBansPostgres(client: ClientBase): Promise<number> {
  const read = async (): Promise<BanRekeyPlan> => planBanRekey((await client.query<ServerBanRow>('SELECT * FROM server_bans')).rows);
  // Most opens have nothing to move: look before taking a lock that holds up other nodes' writes.
  if ((await read()).insert.length === 0) return 0;
  await client.query('BEGIN');
  try {
    await client.query('LOCK TABLE server_bans IN SHARE ROW EXCLUSIVE MODE');
    const plan = await read();
    for (const row of plan.remove) await client.query('DELETE FROM server_bans WHERE list = $1 AND mask_key = $2', [row.list, row.mask_key]);
    for (const row of plan.insert) await client.query(`INSERT INTO server_bans ${INSERT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, insertValues(row));
    await client.query('COMMIT');
    return plan.insert.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
