// Nicks in use by their skeleton (protocol/nick-skeleton.ts), so that a nick with letters
// beyond ASCII cannot pass for one in use: pаypal (Cyrillic а) or рaураl while paypal is
// online, nor paypal while the Cyrillic twin is. Two ASCII nicks are never compared (bob0 and
// bobO, alice and a|ice stay free to coexist as they always have), so the rule costs nothing
// under `casemapping: rfc1459`, where every nick is ASCII; and it needs no config, so every
// node's reducer decides alike.
import { foldCase, isAscii } from '../protocol/casemapping.ts';
import { nickSkeleton } from '../protocol/nick-skeleton.ts';
import { ADMIN_UID, type NetworkView } from './network-state.ts';
import type { User } from './state.ts';

export class LookalikeNicks {
  private readonly bySkeleton = new Map<string, Set<User>>();
  private readonly skeletonOf = new Map<User, string>();

  add(user: User): void {
    this.remove(user);
    const skeleton = nickSkeleton(user.nick);
    this.skeletonOf.set(user, skeleton);
    let users = this.bySkeleton.get(skeleton);
    if (!users) this.bySkeleton.set(skeleton, (users = new Set()));
    users.add(user);
  }

  remove(user: User): void {
    const skeleton = this.skeletonOf.get(user);
    if (skeleton === undefined) return;
    this.skeletonOf.delete(user);
    const users = this.bySkeleton.get(skeleton);
    users?.delete(user);
    if (users?.size === 0) this.bySkeleton.delete(skeleton);
  }

  clear(): void {
    this.bySkeleton.clear();
    this.skeletonOf.clear();
  }

  /** Someone other than `self` whose nick looks like `nick`, when one of the two is not ASCII. */
  twinOf(nick: string, self?: User): User | undefined {
    return this.twinsOf(nick, self)[0];
  }

  /** Everyone twinOf could answer (more than one only for a non-ASCII `nick`: bob0 and bobO). */
  twinsOf(nick: string, self?: User): User[] {
    const users = this.bySkeleton.get(nickSkeleton(nick));
    if (!users) return [];
    const asciiNick = isAscii(nick);
    return [...users].filter((u) => u !== self && (!asciiNick || !isAscii(u.nick)));
  }
}

/**
 * Everyone in the way of `self` taking `nick`: whoever holds it (in any case) and whoever holds
 * a look-alike of it. At most one, but for the ASCII twins a non-ASCII `nick` can have.
 */
export function nickOccupants(network: NetworkView, nick: string, self?: User): User[] {
  const occupants = new Set(network.lookalikes.twinsOf(nick, self));
  const holder = network.nicks.get(foldCase(nick));
  if (holder !== undefined && holder !== self) occupants.add(holder);
  return [...occupants];
}

/**
 * Whether a claimant logged in to `account`, taking `nick`, may have `occupant` (holding `nick`
 * or a look-alike of it) renamed, as ergo's nick reservation lets an account's owner regain
 * its nick: the claimant is logged in to the account named `nick`, and the occupant holds its
 * nick without a right to it, logged in neither to that account nor to one named after its
 * own nick; never the admin pseudo-user. The network state alone decides, so the writer of the
 * NICK (or the introduction) and every reducer agree.
 */
export function mayDisplace(account: string | undefined, nick: string, occupant: User): boolean {
  if (account === undefined || foldCase(account) !== foldCase(nick) || occupant.uid === ADMIN_UID) return false;
  const occupantAccount = occupant.account === undefined ? undefined : foldCase(occupant.account);
  return occupantAccount !== foldCase(account) && occupantAccount !== occupant.foldedNick;
}
