// Nicks that look like a registered account's name (TR39 skeleton, protocol/nick-skeleton.ts),
// whether or not the account's owner is online: the network's look-alike rule
// (network/lookalike-nicks.ts) only compares nicks in use. As ergo does, a registered name's
// skeleton is reserved: no account may be registered under a look-alike of it, the nick guard
// treats a look-alike like the name itself, and the owner logging in takes the name from
// whoever holds a look-alike of it. Two ASCII names are never look-alikes (bob0 and bobO), as
// on the network, so nothing changes under `casemapping: rfc1459`, where every nick is ASCII.
import { foldCase, isAscii } from '../protocol/casemapping.ts';
import { mayDisplaceTwin } from '../network/lookalike-nicks.ts';
import type { NickDisplacement } from '../network/events.ts';
import type { User } from '../network/state.ts';
import type { AccountRecord, Store } from '../storage/store.ts';
import type { CommandHost } from './command-services.ts';

/** An account, other than the one of `nick`'s very name, that `nick` looks like. */
export async function lookalikeAccount(store: Store, nick: string, except?: string): Promise<AccountRecord | undefined> {
  const folded = foldCase(nick);
  const excepted = except === undefined ? undefined : foldCase(except);
  const asciiNick = isAscii(nick);
  for (const account of await store.accountsLike(nick)) {
    const name = foldCase(account.name);
    if (name !== folded && name !== excepted && (!asciiNick || !isAscii(account.name))) return account;
  }
  return undefined;
}

/**
 * The account whose nick `nick` is, by its name or by looking like it; undefined when none, or
 * when it is `own` (the account the nick's user is logged in to).
 */
export async function accountOfNick(store: Store, nick: string, own: string | undefined): Promise<AccountRecord | undefined> {
  const exact = await store.getAccount(nick);
  if (exact) return own !== undefined && foldCase(own) === foldCase(exact.name) ? undefined : exact;
  return lookalikeAccount(store, nick, own);
}

/**
 * When `claimant`, logged in to the account named `nick`, changes to it while someone else
 * holds a look-alike of it without a right to it: who is to be renamed, and to what. The
 * reducer checks it all again at the entry's place in the log (reducer.ts displaceTwin).
 */
export function twinDisplacement(host: CommandHost, claimant: User, nick: string, guest: () => string): NickDisplacement | undefined {
  const twins = host.network.lookalikes.twinsOf(nick, claimant);
  if (twins.length !== 1 || !mayDisplaceTwin(claimant, nick, twins[0]!)) return undefined;
  return { uid: twins[0]!.uid, nick: guest(), msgid: host.ids.newMsgid() };
}
