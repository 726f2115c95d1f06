// Nicks that look like a registered account's name (TR39 skeleton, protocol/nick-skeleton.ts),
// whether or not the account's owner is online: the network's look-alike rule
// (network/lookalike-nicks.ts) only compares nicks in use. As ergo does, a registered name's
// skeleton is reserved: no account may be registered under a look-alike of it, the nick guard
// treats a look-alike like the name itself, and the owner logging in takes the name from
// whoever holds it or a look-alike of it (at NICK, or as they connect with SASL). Two ASCII names are never look-alikes (bob0 and bobO), as
// on the network, so nothing changes under `casemapping: rfc1459`, where every nick is ASCII.
import { foldCase, isAscii } from '../protocol/casemapping.ts';
import { mayDisplace, nickOccupants } from '../network/lookalike-nicks.ts';
import type { NickDisplacement } from '../network/events.ts';
import type { User } from '../network/state.ts';
import type { AccountRecord, Store } from '../storage/store.ts';
import type { CommandHost } from './command-services.ts';
import type { Session } from './session.ts';

/** An account, other than the one of `nick`'s very name, that `nick` looks like. */
export async function lookalikeAccount(store: Store, nick: string, except?: string): Promise<AccountRecord | undefined> {
  // Most nicks look like no account: nothing to fold then.
  const accounts = await store.accountsLike(nick);
  if (accounts.length === 0) return undefined;
  const folded = foldCase(nick);
  const excepted = except === undefined ? undefined : foldCase(except);
  const asciiNick = isAscii(nick);
  for (const account of accounts) {
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
 * When a claimant logged in to `account` takes `nick` (the account's name) while someone else
 * holds it, or a look-alike of it, without a right to it: who is to be renamed, and to what
 * (ergo's nick reservation: the owner regains the nick). `self`: the claimant, once
 * registered. The reducer checks it all again at the entry's place in the log.
 */
export function ownerDisplacement(host: CommandHost, account: string | undefined, nick: string, self: User | undefined, guest: () => string): NickDisplacement | undefined {
  const occupants = nickOccupants(host.network, nick, self);
  if (occupants.length !== 1 || !mayDisplace(account, nick, occupants[0]!)) return undefined;
  return { uid: occupants[0]!.uid, nick: guest(), msgid: host.ids.newMsgid() };
}

/**
 * Whether a connection still registering may have `nick` though someone holds it (or a
 * look-alike) now: it is, or may yet become, logged in to the account named `nick`, whose
 * owner would take it (ownerDisplacement). Clients usually send NICK before their SASL login
 * (CAP LS, NICK, USER, AUTHENTICATE…, CAP END), so while CAP negotiation is open a nick an
 * account could take is kept; whether the client did log in is decided when registration
 * completes (commands/registration.ts), as ergo settles a nick given before registration.
 */
export async function mayTakeOnceLoggedIn(host: CommandHost, session: Session, nick: string): Promise<boolean> {
  const occupants = nickOccupants(host.network, nick);
  if (occupants.length !== 1) return false;
  const occupant = occupants[0]!;
  if (session.preAccount !== undefined) return mayDisplace(session.preAccount, nick, occupant);
  if (!session.capNegotiating || !mayDisplace(nick, nick, occupant)) return false;
  // The nick must be an account's for a login to give it; a lookup that fails gives nothing.
  const account = await host.services.store.getAccount(nick).catch((err: unknown) => {
    host.services.logError(err, 'checking whether a nick is registered');
    return undefined;
  });
  return account !== undefined && account.verified && !account.suspended && mayDisplace(account.name, nick, occupant);
}
