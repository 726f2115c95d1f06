// Schema 3's data step: private history keyed by nicks (schema 2) becomes keyed by accounts.
//
// Under schema 2 a private conversation was `nickA<NUL>nickB`, so whoever took a nick later read
// what its previous holder said. Each old conversation moves to the key of its two ACCOUNTS
// only when its rows prove who they were: every row carries its sender's account, each side
// (nick) spoke with one account throughout, both sides spoke (a self-conversation has one
// side), and each of those accounts exists now and already existed when each of its rows was
// sent. Anything else (a side without an account, a nick that changed hands, a side that never
// answered, a sender who is neither side, an account deleted since or registered again after
// the rows by someone else) is deleted: nobody can be shown to own it, and kept under a nick
// key it would only wait to be read by the next holder of that nick, under an account key by
// the next to register that name (schema 2 kept history when an account was deleted).
//
// Part of a released migration: never change what it does, add a later migration instead.
import type { Database } from 'better-sqlite3';
import { foldCase } from '../protocol/casemapping.ts';
import { conversationAccounts } from './records.ts';
import { conversationKey } from './store.ts';

interface OldRow {
  source: string;
  account: string | null;
  time: number;
}

/**
 * The folded account of each side of a nick-keyed conversation, or undefined when unproven.
 * `createdAt`: when the account of that folded name was made, undefined when there is none.
 */
function provenAccounts(rows: Iterable<OldRow>, nicks: [string, string], createdAt: (account: string) => number | undefined): [string, string] | undefined {
  const bySide = new Map<string, string>();
  for (const row of rows) {
    if (row.account === null) return undefined;
    const bang = row.source.indexOf('!');
    const sender = foldCase(bang < 0 ? row.source : row.source.slice(0, bang));
    if (sender !== nicks[0] && sender !== nicks[1]) return undefined;
    const account = foldCase(row.account);
    // The account of that name now must be the one that sent the row: one made after it is
    // another's (the sender's was deleted, its name taken again).
    const created = createdAt(account);
    if (created === undefined || created > row.time) return undefined;
    const known = bySide.get(sender);
    if (known !== undefined && known !== account) return undefined;
    bySide.set(sender, account);
  }
  const [a, b] = [bySide.get(nicks[0]), bySide.get(nicks[1])];
  return a !== undefined && b !== undefined ? [a, b] : undefined;
}

/** Rekeys or deletes every private conversation, then rebuilds their rows of `conversations`. */
export function rekeyPrivateHistory(db: Database): void {
  // Text functions stop at NUL, so private keys are found as bytes.
  const privateTargets = db.prepare("SELECT DISTINCT target FROM messages WHERE instr(CAST(target AS BLOB), x'00') > 0").pluck().all() as string[];
  const rowsOf = db.prepare('SELECT source, account, time FROM messages WHERE target = ?');
  const accountCreated = db.prepare('SELECT created_at FROM accounts WHERE name_key = ?').pluck();
  const createdAt = (account: string): number | undefined => (accountCreated.get(account) as number | undefined) ?? undefined;
  const move = db.prepare('UPDATE messages SET target = ? WHERE target = ?');
  const remove = db.prepare('DELETE FROM messages WHERE target = ?');
  for (const target of privateTargets) {
    const nicks = conversationAccounts(target)!;
    const accounts = provenAccounts(rowsOf.iterate(target) as Iterable<OldRow>, nicks, createdAt);
    if (accounts === undefined) remove.run(target);
    else move.run(conversationKey(accounts[0], accounts[1]), target);
  }
  db.prepare('DELETE FROM conversations WHERE account_a IS NOT NULL OR account_b IS NOT NULL').run();
  const insert = db.prepare('INSERT OR IGNORE INTO conversations (target, account_a, account_b) VALUES (?, ?, ?)');
  const rekeyed = db.prepare("SELECT DISTINCT target FROM messages WHERE instr(CAST(target AS BLOB), x'00') > 0").pluck().all() as string[];
  for (const target of rekeyed) {
    const [a, b] = conversationAccounts(target)!;
    insert.run(target, a, b);
  }
}
