// Read markers (IRCv3 draft/read-marker) in PostgreSQL: table read_markers (migration 4). Many
// nodes write at once, so moving forward is one statement (an upsert that changes the row only
// for a later time), never a read then a write.
import type { ReadMarkerSet } from './store.ts';

type Query = <Row extends object>(sql: string, params: unknown[]) => Promise<{ rows: Row[] }>;

export class PostgresReadMarkers {
  constructor(private readonly query: Query) {}

  async get(account: string, target: string): Promise<number | undefined> {
    const { rows } = await this.query<{ time: string }>('SELECT time FROM read_markers WHERE account_key = $1 AND target = $2', [account, target]);
    return rows[0] === undefined ? undefined : Number(rows[0].time);
  }

  /**
   * Moves a marker forward only; returns the time stored and whether it moved. A new one beyond
   * the limit drops the account's oldest others. The upsert changes the row only for a later
   * time, so a row comes back exactly when this call moved the marker.
   */
  async set(account: string, target: string, time: number, maxPerAccount: number): Promise<ReadMarkerSet> {
    const { rows } = await this.query<{ inserted: boolean }>(
      `INSERT INTO read_markers (account_key, target, time) VALUES ($1, $2, $3)
       ON CONFLICT (account_key, target) DO UPDATE SET time = EXCLUDED.time WHERE read_markers.time < EXCLUDED.time
       RETURNING (xmax = 0) AS inserted`,
      [account, target, time],
    );
    const row = rows[0];
    if (row === undefined) {
      // At or past `time` already: answered with what is kept (later still, if another node moved it meanwhile).
      return { time: (await this.get(account, target)) ?? time, moved: false };
    }
    if (row.inserted) {
      await this.query(
        `DELETE FROM read_markers WHERE account_key = $1 AND target IN (
           SELECT target FROM read_markers WHERE account_key = $1 AND target <> $2 ORDER BY time DESC, target OFFSET $3)`,
        [account, target, Math.max(0, maxPerAccount - 1)],
      );
    }
    return { time, moved: true };
  }

  /** The account's own markers, and everyone's about a private conversation with it. */
  async forget(account: string): Promise<void> {
    await this.query('DELETE FROM read_markers WHERE account_key = $1 OR target = $1', [account]);
  }
}
