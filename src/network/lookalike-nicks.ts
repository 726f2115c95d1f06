// Nicks in use by their skeleton (protocol/nick-skeleton.ts), so that a nick with letters
// beyond ASCII cannot pass for one in use: pаypal (Cyrillic а) or рaураl while paypal is
// online, nor paypal while the Cyrillic twin is. Two ASCII nicks are never compared (bob0 and
// bobO, alice and a|ice stay free to coexist as they always have), so the rule costs nothing
// under `casemapping: rfc1459`, where every nick is ASCII; and it needs no config, so every
// node's reducer decides alike.
import { isAscii } from '../protocol/casemapping.ts';
import { nickSkeleton } from '../protocol/nick-skeleton.ts';
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
    const users = this.bySkeleton.get(nickSkeleton(nick));
    if (!users) return undefined;
    const asciiNick = isAscii(nick);
    for (const u of users) if (u !== self && (!asciiNick || !isAscii(u.nick))) return u;
    return undefined;
  }
}
