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
  /** One user, or a Set when several share a skeleton: most share it with no one, and a Set each would cost memory per user. */
  private readonly bySkeleton = new Map<string, User | Set<User>>();
  private readonly skeletonOf = new Map<User, string>();
  /**
   * Users indexed whose nick is not ASCII: while there are none (always under rfc1459), an
   * ASCII nick has no twin, and is answered without its skeleton.
   */
  private readonly nonAsciiUsers = new Set<User>();
  /**
   * Whether every nick is indexed. With `everyone` (the users in the network), ASCII nicks are
   * left out until the first nick that is not ASCII, when they are all indexed at once: until
   * then no nick can have a twin, and under rfc1459 (every nick ASCII) a user costs the index
   * nothing.
   */
  private indexing: boolean;

  constructor(private readonly everyone?: () => Iterable<User>) {
    this.indexing = everyone === undefined;
  }

  add(user: User): void {
    if (!this.indexing) {
      if (isAscii(user.nick)) return;
      this.indexEveryone();
    }
    this.remove(user);
    const skeleton = nickSkeleton(user.nick);
    this.skeletonOf.set(user, skeleton);
    if (!isAscii(user.nick)) this.nonAsciiUsers.add(user);
    const users = this.bySkeleton.get(skeleton);
    if (users === undefined) this.bySkeleton.set(skeleton, user);
    else if (users instanceof Set) users.add(user);
    else this.bySkeleton.set(skeleton, new Set([users, user]));
  }

  remove(user: User): void {
    const skeleton = this.skeletonOf.get(user);
    if (skeleton === undefined) return;
    this.skeletonOf.delete(user);
    this.nonAsciiUsers.delete(user);
    const users = this.bySkeleton.get(skeleton);
    if (users === user) {
      this.bySkeleton.delete(skeleton);
    } else if (users instanceof Set) {
      users.delete(user);
      if (users.size === 1) this.bySkeleton.set(skeleton, users.values().next().value!);
    }
  }

  clear(): void {
    this.bySkeleton.clear();
    this.skeletonOf.clear();
    this.nonAsciiUsers.clear();
    this.indexing = this.everyone === undefined;
  }

  private indexEveryone(): void {
    this.indexing = true;
    for (const user of this.everyone!()) this.add(user);
  }

  /** Someone other than `self` whose nick looks like `nick`, when one of the two is not ASCII. */
  twinOf(nick: string, self?: User): User | undefined {
    return this.twinsOf(nick, self)[0];
  }

  /** Everyone twinOf could answer (more than one only for a non-ASCII `nick`: bob0 and bobO). */
  twinsOf(nick: string, self?: User): User[] {
    const asciiNick = isAscii(nick);
    if (asciiNick && this.nonAsciiUsers.size === 0) return [];
    if (!this.indexing) this.indexEveryone();
    const users = this.bySkeleton.get(nickSkeleton(nick));
    if (users === undefined) return [];
    return (users instanceof Set ? [...users] : [users]).filter((u) => u !== self && (!asciiNick || !isAscii(u.nick)));
  }
}

/**
 * Everyone in the way of `self` taking `nick`: whoever holds it (in any case) and whoever holds
 * a look-alike of it. At most one, but for the ASCII twins a non-ASCII `nick` can have.
 */
export function nickOccupants(network: NetworkView, nick: string, self?: User): User[] {
  const twins = network.lookalikes.twinsOf(nick, self);
  const holder = network.nicks.get(foldCase(nick));
  const held = holder !== undefined && holder !== self;
  if (twins.length === 0) return held ? [holder] : [];
  return held && !twins.includes(holder) ? [...twins, holder] : twins;
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
