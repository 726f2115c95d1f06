// Tombstones of deleted messages (REDACT) in PostgreSQL: table redactions (migration 4).
//
// In a cluster, history is written from the log by a consumer group, so a message's entry and
// its later message.redact entry may be written by two nodes at once, the deletion first. Each
// side writes and commits, then looks at the other's table, in statements of their own (each
// its own transaction, so each reads what was committed when it began):
//   deletion:  (1) INSERT the tombstone          (2) DELETE the message
//   writer:    (1) INSERT the batch of messages  (2) DELETE those of them with a tombstone
// If the writer's (2) does not see the tombstone, it began before the deletion's (1) committed,
// so after the writer's (1) had: the deletion's (2), later still, sees the message. And the
// other way round. Whatever the interleaving, one side deletes it (READ COMMITTED suffices).
import { sqlTime, type RunQuery } from './postgres-history.ts';

/** The deletion's two statements; true when this call deleted the message. */
export async function redactMessage(run: RunQuery, msgid: string, time: number): Promise<boolean> {
  await run('INSERT INTO redactions (msgid, time) VALUES ($1, $2) ON CONFLICT (msgid) DO NOTHING', [msgid, sqlTime(time)]);
  const { rowCount } = await run('DELETE FROM messages WHERE msgid = $1', [msgid]);
  return rowCount === 1;
}

/** The writer's second statement, once its batch (these msgids) is committed. */
export async function dropRedacted(run: RunQuery, msgids: readonly unknown[]): Promise<void> {
  if (msgids.length === 0) return;
  await run('DELETE FROM messages m USING redactions r WHERE r.msgid = ANY($1::text[]) AND m.msgid = r.msgid', [msgids]);
}

/** Forgets the tombstones recorded before `before` (ms). */
export async function pruneRedactions(run: RunQuery, before: number): Promise<number> {
  const { rowCount } = await run('DELETE FROM redactions WHERE time < $1', [sqlTime(before, Math.ceil)]);
  return rowCount ?? 0;
}
