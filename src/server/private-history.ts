// Private history belongs to accounts, not nicks (as in ergo). A private PRIVMSG/NOTICE is
// stored only when BOTH sides are logged in, under the key of both folded account names, and
// only a reader logged in to one of those accounts gets it back. Whoever takes a nick later,
// during a registered nick's grace period or after, reads nothing of its previous holder's;
// users without an account have no private history at all (CHATHISTORY answers them with an
// empty batch, TARGETS lists their rooms alone); a nick change loses nothing, since
// nicks are not part of the key. Deleting an account forgets its conversations (Store
// forgetAccount), so a later account of the same name starts empty. Accounts cannot be renamed;
// a rename would have to rekey these conversations.
import { foldCase } from '../protocol/casemapping.ts';
import { conversationAccounts } from '../storage/records.ts';
import { conversationKey, type Store, type StoredMessage } from '../storage/store.ts';
import { ADMIN_UID, type NetworkView } from '../network/network-state.ts';
import type { User } from '../network/state.ts';

/**
 * The admin pseudo-user has no account, yet its conversations are kept like anyone's (a
 * logged-in user reads both sides back): under this name, which no account can have ('*' is
 * not allowed in a nick), so no account named like the admin nick ever reads them.
 */
export const ADMIN_CONVERSATION_SIDE = '*admin';

/** A user's side of a private conversation: their folded account, the admin's own side, or none. */
function conversationSide(u: User): string | undefined {
  if (u.uid === ADMIN_UID) return ADMIN_CONVERSATION_SIDE;
  return u.account === undefined ? undefined : foldCase(u.account);
}

/** The key a private message from `from` to `to` is stored under; undefined: it is not stored. */
export function storedConversation(from: User, to: User): string | undefined {
  const a = conversationSide(from);
  const b = conversationSide(to);
  // Someone logged out has no private history, with the admin or anyone.
  return a === undefined || b === undefined ? undefined : conversationKey(a, b);
}

/**
 * The (folded) account a reader means by a private target name: the account of that name when
 * there is one (accounts are named after nicks, and a registered nick is its account's, so
 * this holds even while someone else sits on the nick in its grace period), else the account
 * of whoever is online with that nick. A name with neither names no conversation with data.
 */
export async function accountNamed(network: NetworkView, store: Store, name: string): Promise<string> {
  if (network.admin !== undefined && foldCase(name) === foldCase(network.admin.nick)) return ADMIN_CONVERSATION_SIDE;
  if ((await store.getAccount(name)) !== undefined) return foldCase(name);
  return foldCase(network.userByNick(name)?.account ?? name);
}

/** The conversation `reader` may read with `name`; undefined when it has none (no account). */
export async function readableConversation(network: NetworkView, store: Store, reader: User, name: string): Promise<string | undefined> {
  const mine = reader.account;
  if (mine === undefined) return undefined;
  return conversationKey(foldCase(mine), await accountNamed(network, store, name));
}

/**
 * How TARGETS names the other side of a private conversation of `reader`'s: its account's
 * name, as its owner spells the nick when online with it (asked for again, the name finds
 * this conversation).
 */
export function peerName(network: NetworkView, reader: User, target: string): string | undefined {
  const sides = conversationAccounts(target);
  if (!sides || reader.account === undefined) return undefined;
  const mine = foldCase(reader.account);
  const peer = sides[0] === mine ? sides[1] : sides[0];
  if (peer === ADMIN_CONVERSATION_SIDE) return network.admin?.nick;
  const online = network.userByNick(peer);
  return online?.account !== undefined && foldCase(online.account) === peer ? online.nick : peer;
}

/** Whether the reader (logged in to `account`) sent this stored private message. */
export function sentBy(m: StoredMessage, account: string | undefined): boolean {
  return account !== undefined && m.account !== undefined && foldCase(m.account) === foldCase(account);
}
