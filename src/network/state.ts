// The network's shared state: users and channels. Changed only by the reducer applying the
// log's entries in order (reducer.ts), so every node holds the same picture.
import { foldCase } from '../protocol/casemapping.ts';
import { anyEntryMatches, type ListMode } from './extbans.ts';

/** What introduces a user (the user.introduce event): modes as a string of letters. */
export interface UserInit {
  uid: string;
  nodeId: string;
  nick: string;
  username: string;
  hostname: string;
  realname: string;
  signonAt: number;
  secure: boolean;
  /** The address connected from: CIDR bans and mutes match it. */
  address: string;
  modes: string;
  /** The account the user logged in to before registration completed (SASL, REGISTER). */
  account?: string | undefined;
}

const NO_MODES: ReadonlySet<string> = new Set();
const NO_CHANNELS: ReadonlySet<Channel> = new Set();

export class User {
  readonly uid: string;
  /** The node whose session this user is. */
  readonly nodeId: string;
  nick: string;
  foldedNick: string;
  username: string;
  hostname: string;
  realname: string;
  /** nick!user@host, kept current. */
  mask: string;
  signonAt: number;
  away: string | undefined = undefined;
  secure: boolean;
  readonly address: string;
  /** The account the user is logged in to (SASL or REGISTER), as it was registered. */
  account: string | undefined;
  // Most users never set a mode or join a channel, and there may be tens of thousands of
  // them: these sets are made on first use.
  private modeSet: Set<string> | undefined;
  private channelSet: Set<Channel> | undefined;

  constructor(init: UserInit) {
    this.uid = init.uid;
    this.nodeId = init.nodeId;
    this.nick = init.nick;
    this.foldedNick = foldCase(init.nick);
    this.username = init.username;
    this.hostname = init.hostname;
    this.realname = init.realname;
    this.mask = userMask(init);
    this.signonAt = init.signonAt;
    this.secure = init.secure;
    this.address = init.address;
    this.account = init.account;
    if (init.modes !== '') this.modeSet = new Set(init.modes);
  }

  /** User modes: i (invisible), o (operator), w (wallops). */
  get modes(): Set<string> {
    return (this.modeSet ??= new Set());
  }

  /** Whether the user has a mode, without making the set for a user who has none. */
  hasMode(mode: string): boolean {
    return (this.modeSet ?? NO_MODES).has(mode);
  }

  get channels(): Set<Channel> {
    return (this.channelSet ??= new Set());
  }

  /** The channels the user is in, without making a set for a user who is in none. */
  get joined(): ReadonlySet<Channel> {
    return this.channelSet ?? NO_CHANNELS;
  }
}

export function userMask(u: Pick<User, 'nick' | 'username' | 'hostname'>): string {
  // Joined, not concatenated: `+` would keep a chain of four 32-byte cons strings per user.
  return [u.nick, '!', u.username, '@', u.hostname].join('');
}

export interface ListEntry {
  mask: string;
  setBy: string;
  setAt: number;
}

/** Member status modes, highest first, with their NAMES prefixes. */
export const STATUS_MODES = ['o', 'v'] as const;
export type StatusMode = (typeof STATUS_MODES)[number];
const PREFIX_OF: Record<StatusMode, string> = { o: '@', v: '+' };

export class Membership {
  /** Status modes held, e.g. "ov". Kept in STATUS_MODES order. */
  modes = '';

  has(mode: StatusMode): boolean {
    return this.modes.includes(mode);
  }

  set(mode: StatusMode, on: boolean): boolean {
    if (this.has(mode) === on) return false;
    const next = new Set(this.modes);
    if (on) next.add(mode);
    else next.delete(mode);
    this.modes = STATUS_MODES.filter((m) => next.has(m)).join('');
    return true;
  }

  /** Prefix for NAMES/WHO: the highest one, or all of them with multi-prefix. */
  prefix(multi: boolean): string {
    if (this.modes === '') return '';
    if (!multi) return PREFIX_OF[this.modes[0] as StatusMode];
    let out = '';
    for (const m of this.modes) out += PREFIX_OF[m as StatusMode];
    return out;
  }
}

export type ChannelFlag = 'i' | 'm' | 'n' | 's' | 't';

/** A registered room's standing: it outlives its members and restarts (accounts.ts). */
export interface ChannelRegistration {
  /** The account that registered it. */
  founder: string;
  registeredAt: number;
  /** Accounts given +o on join: folded name → name as registered. The founder is always one. */
  operators: Map<string, string>;
}

export class Channel {
  readonly folded: string;
  readonly members = new Map<User, Membership>();
  readonly flags = new Set<ChannelFlag>(['n', 't']);
  key: string | undefined;
  limit: number | undefined;
  topic = '';
  topicSetBy = '';
  topicSetAt = 0;
  bans: ListEntry[] = [];
  /** Ban exceptions (+e): who matches one passes the bans. */
  exceptions: ListEntry[] = [];
  /** Invite exceptions (+I): who matches one joins past +i without an invitation. */
  invites: ListEntry[] = [];
  /** Users invited past +i, by uid. */
  readonly invited = new Set<string>();
  /** Set while the room is registered: it then stays when empty. */
  registration: ChannelRegistration | undefined;

  constructor(
    readonly name: string,
    readonly createdAt: number,
  ) {
    this.folded = foldCase(name);
  }

  /** Whether a registered room gives `account` operator status on join. */
  isOperatorAccount(account: string | undefined): boolean {
    if (account === undefined || !this.registration) return false;
    const folded = foldCase(account);
    return foldCase(this.registration.founder) === folded || this.registration.operators.has(folded);
  }

  /** The room's list for a list mode letter. */
  list(mode: ListMode): ListEntry[] {
    return mode === 'b' ? this.bans : mode === 'e' ? this.exceptions : this.invites;
  }

  /** Matched by a ban (+b) and by no ban exception (+e). */
  isBanned(user: User): boolean {
    if (this.bans.length === 0 || !anyEntryMatches(this.bans, user)) return false;
    return this.exceptions.length === 0 || !anyEntryMatches(this.exceptions, user);
  }

  /** Matched by an invite exception (+I): joins past +i uninvited. */
  isInviteExempt(user: User): boolean {
    return this.invites.length > 0 && anyEntryMatches(this.invites, user);
  }

  /** "+ntk key" as shown in RPL_CHANNELMODEIS; the key only to members. */
  modeString(showKey: boolean): string[] {
    let flags = '+' + [...this.flags].sort().join('');
    const args: string[] = [];
    if (this.key !== undefined) {
      flags += 'k';
      args.push(showKey ? this.key : '*');
    }
    if (this.limit !== undefined) {
      flags += 'l';
      args.push(String(this.limit));
    }
    return [flags, ...args];
  }
}
