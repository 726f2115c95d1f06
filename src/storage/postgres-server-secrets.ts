// Server secrets in PostgreSQL: table server_secrets (migration 4), shared by every node. The
// first node's insert wins; the others' do nothing (ON CONFLICT waits for a concurrent insert
// of the same name to commit) and read the winner in a statement of their own, whose snapshot
// includes it. A secret is never changed or deleted, so that read always finds it.
import type { RunQuery } from './postgres-history.ts';

/** Stores `candidate` as the secret `name` unless one is kept, and returns the kept one. */
export async function keepServerSecret(run: RunQuery, name: string, candidate: string): Promise<string> {
  const inserted = await run('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, candidate]);
  if (inserted.rowCount === 1) return candidate;
  const { rows } = await run<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name]);
  const kept = rows[0]?.value;
  if (kept === undefined) throw new Error(`the server secret ${JSON.stringify(name)} was not kept`);
  return kept;
}
