// Server secrets in SQLite: table server_secrets (migration 5). A secret is written once and
// never changed, so "insert unless there, then read" needs no transaction: whichever process
// inserted first, the read returns its value.
import type { Statement } from 'better-sqlite3';

/** Stores `candidate` as the secret `name` unless one is kept, and returns the kept one. */
export function keepServerSecret(statement: (sql: string) => Statement, name: string, candidate: string): string {
  statement('INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)').run(name, candidate);
  const kept = statement('SELECT value FROM server_secrets WHERE name = ?').pluck().get(name) as string | undefined;
  if (kept === undefined) throw new Error(`the server secret ${JSON.stringify(name)} was not kept`);
  return kept;
}
