// This node's replica of the network, changed only by applying bus events, and the local
// delivery of each event to the sessions concerned. Each event is serialized once per tag
// variant (Outgoing), whatever the number of recipients.
import { foldCase } from '../protocol/casemapping.ts';
import { RPL_LOGGEDOUT, RPL_MONOFFLINE, RPL_MONONLINE } from '../protocol/numerics.ts';
import { BanList } from './bans.ts';
import type { NetworkEvent, ModeChange } from './events.ts';
import { channelModeLines } from './mode-outgoing.ts';
import { Outgoing, TAGS_MESSAGE_TAGS } from './outgoing.ts';
import { Channel, Membership, User, userMask, type ChannelFlag, type StatusMode, type UserInit } from './state.ts';

/** What the network needs from the node it runs on. */
export interface LocalSessions {
  /** This node's session of a user, if the user is connected here. */
  local(uid: string): LocalSession | undefined;
  readonly serverName: string;
  /** A message to the admin pseudo-user: it goes to the operator's console. */
  messageToAdmin?(from: User, command: string, text: string, time: number): void;
}

/** The uid of the admin pseudo-user, present on every node without being introduced. */
export const ADMIN_UID = '0admin';

export interface LocalSession {
  readonly tagVariant: number;
  deliveryMark: number;
  hasCap(name: string): boolean;
  sendOutgoing(out: Outgoing): void;
  readonly nickOrStar: string;
}

/** A JOIN as members see it; with extended-join it names the account and realname too. */
export function joinMessage(u: User, channel: string, time: number, msgid: string, extended: boolean): Outgoing {
  const params = extended ? [channel, u.account ?? '*', u.realname] : [channel];
  return new Outgoing(u.mask, 'JOIN', params, time, msgid, undefined, u.account);
}

export interface WhowasEntry {
  nick: string;
  username: string;
  hostname: string;
  realname: string;
  time: number;
}

export class Network {
  readonly users = new Map<string, User>();
  readonly nicks = new Map<string, User>();
  readonly channels = new Map<string, Channel>();
  /** Newest last. */
  readonly whowas: WhowasEntry[] = [];
  /** folded nick → local sessions that MONITOR it. */
  readonly monitors = new Map<string, Set<LocalSession>>();
  private mark = 0;
  /** Users with +i and +o, kept current so LUSERS does not walk every user. */
  invisibleCount = 0;
  operCount = 0;
  /** Server bans (K-lines) and mutes, network-wide. */
  readonly bans = new BanList();
  readonly mutes = new BanList();
  /** Server bans applied since the start (metrics.ts). */
  bansSet = 0;
  /** PRIVMSG/NOTICE/TAGMSG copies handed to local sessions: a plain number, read at a scrape (metrics.ts). */
  messagesDelivered = 0;
  /** Users who are not people (the admin pseudo-user), left out of user counts. */
  serviceCount = 0;
  readonly admin: User | undefined;

  constructor(
    private readonly node: LocalSessions,
    private readonly whowasLimit: number,
    adminNick?: string,
  ) {
    if (adminNick !== undefined) {
      this.admin = this.introduceService({
        uid: ADMIN_UID,
        nodeId: '*',
        nick: adminNick,
        username: 'admin',
        hostname: node.serverName,
        realname: 'Server administrator: messages to this nick reach the console',
        signonAt: 0,
        secure: false,
        modes: '',
      });
    }
  }

  private introduceService(init: UserInit): User {
    const user = new User(init);
    this.users.set(user.uid, user);
    this.nicks.set(user.foldedNick, user);
    this.serviceCount++;
    return user;
  }

  /** People on the network, services not counted. */
  get userCount(): number {
    return this.users.size - this.serviceCount;
  }

  userByNick(nick: string): User | undefined {
    return this.nicks.get(foldCase(nick));
  }

  channel(name: string): Channel | undefined {
    return this.channels.get(foldCase(name));
  }

  apply(e: NetworkEvent): void {
    switch (e.type) {
      case 'user.introduce':
        return this.introduce(e);
      case 'user.nick':
        return this.changeNick(e.uid, e.nick, e.time, e.msgid);
      case 'user.quit':
        return this.quit(e.uid, e.reason, e.time, e.msgid);
      case 'user.away': {
        const u = this.users.get(e.uid);
        if (!u) return;
        u.away = e.away;
        const out = new Outgoing(u.mask, 'AWAY', e.away === undefined ? [] : [e.away], e.time, undefined, undefined, u.account);
        return this.toNeighbours(u, out, 'away-notify');
      }
      case 'user.setname': {
        const u = this.users.get(e.uid);
        if (!u) return;
        u.realname = e.realname;
        return this.toNeighbours(u, new Outgoing(u.mask, 'SETNAME', [e.realname], e.time, undefined, undefined, u.account), 'setname');
      }
      case 'user.account':
        return this.changeAccount(e.uid, e.account, e.time);
      case 'user.mode': {
        const u = this.users.get(e.uid);
        if (!u) return;
        this.countModes(u, -1);
        for (const c of e.changes) {
          if (c.add) u.modes.add(c.mode);
          else u.modes.delete(c.mode);
        }
        this.countModes(u, 1);
        return;
      }
      case 'channel.join':
        return this.join(e.uid, e.channel, e.time, e.msgid);
      case 'channel.part': {
        const u = this.users.get(e.uid);
        const ch = this.channel(e.channel);
        if (!u || !ch || !ch.members.has(u)) return;
        const params = e.reason === undefined ? [ch.name] : [ch.name, e.reason];
        this.toChannel(ch, new Outgoing(u.mask, 'PART', params, e.time, e.msgid, undefined, u.account), u.uid);
        return this.removeMember(ch, u);
      }
      case 'channel.kick': {
        const by = this.users.get(e.uid);
        const target = this.users.get(e.targetUid);
        const ch = this.channel(e.channel);
        // The console kicks as the admin pseudo-user, or as the server when there is none.
        const source = by?.mask ?? (e.uid === ADMIN_UID ? this.node.serverName : undefined);
        if (source === undefined || !target || !ch || !ch.members.has(target)) return;
        this.toChannel(ch, new Outgoing(source, 'KICK', [ch.name, target.nick, e.reason], e.time, e.msgid, undefined, by?.account), e.uid);
        return this.removeMember(ch, target);
      }
      case 'channel.topic': {
        const u = this.users.get(e.uid);
        const ch = this.channel(e.channel);
        if (!u || !ch) return;
        ch.topic = e.topic;
        ch.topicSetBy = u.mask;
        ch.topicSetAt = e.time;
        return this.toChannel(ch, new Outgoing(u.mask, 'TOPIC', [ch.name, e.topic], e.time, e.msgid, undefined, u.account), u.uid);
      }
      case 'channel.mode': {
        const ch = this.channel(e.channel);
        if (!ch) return;
        const by = e.uid === undefined ? undefined : this.users.get(e.uid);
        const params = this.applyChannelModes(ch, e.changes, by?.mask ?? this.node.serverName, e.time);
        if (params.length === 0) return;
        for (const out of channelModeLines(by?.mask ?? this.node.serverName, ch.name, params, e.time, e.msgid, by?.account)) this.toChannel(ch, out, e.uid);
        return;
      }
      case 'channel.invite': {
        const by = this.users.get(e.uid);
        const target = this.users.get(e.targetUid);
        const ch = this.channel(e.channel);
        if (!by || !target) return;
        ch?.invited.add(target.uid);
        const out = new Outgoing(by.mask, 'INVITE', [target.nick, e.channel], e.time, e.msgid, undefined, by.account);
        this.node.local(target.uid)?.sendOutgoing(out);
        if (!ch) return;
        // invite-notify: the channel's operators hear of it too.
        for (const [member, m] of ch.members) {
          if (member === by || member === target || !m.has('o')) continue;
          const s = this.node.local(member.uid);
          if (s?.hasCap('invite-notify')) s.sendOutgoing(out);
        }
        return;
      }
      case 'channel.register': {
        const ch = this.channel(e.channel);
        if (!ch) return;
        const operators = new Map<string, string>();
        for (const account of [e.founder, ...e.operators]) operators.set(foldCase(account), account);
        ch.registration = { founder: e.founder, registeredAt: e.registeredAt, operators };
        return;
      }
      case 'channel.unregister': {
        const ch = this.channel(e.channel);
        if (!ch) return;
        ch.registration = undefined;
        if (ch.members.size === 0) this.channels.delete(ch.folded);
        return;
      }
      case 'message':
        return this.message(e);
      case 'ban.add':
        if (e.list === 'ban') this.bansSet++;
        return (e.list === 'ban' ? this.bans : this.mutes).add(e.ban);
      case 'ban.remove':
        (e.list === 'ban' ? this.bans : this.mutes).remove(e.mask);
        return;
      case 'user.kill':
      case 'server.notice':
      case 'wallops':
        return; // delivered by the node (server.ts): they concern its sessions, not shared state
    }
  }

  private introduce(e: Extract<NetworkEvent, { type: 'user.introduce' }>): void {
    const user = new User(e);
    this.users.set(user.uid, user);
    this.nicks.set(user.foldedNick, user);
    this.countModes(user, 1);
    this.notifyMonitors(user.foldedNick, RPL_MONONLINE, user.mask, e.signonAt);
  }

  private changeNick(uid: string, nick: string, time: number, msgid: string): void {
    const u = this.users.get(uid);
    if (!u) return;
    const out = new Outgoing(u.mask, 'NICK', [nick], time, msgid, undefined, u.account);
    this.toNeighbours(u, out);
    this.rememberWhowas(u, time);
    const oldFolded = u.foldedNick;
    const oldNick = u.nick;
    const newFolded = foldCase(nick);
    if (this.nicks.get(oldFolded) === u) this.nicks.delete(oldFolded);
    u.nick = nick;
    u.foldedNick = newFolded;
    u.mask = userMask(u);
    this.nicks.set(newFolded, u);
    if (oldFolded !== newFolded) {
      this.notifyMonitors(oldFolded, RPL_MONOFFLINE, oldNick, time);
      this.notifyMonitors(newFolded, RPL_MONONLINE, u.mask, time);
    }
  }

  private quit(uid: string, reason: string, time: number, msgid: string): void {
    const u = this.users.get(uid);
    if (!u) return;
    this.toNeighbours(u, new Outgoing(u.mask, 'QUIT', [reason], time, msgid, undefined, u.account));
    for (const ch of [...u.joined]) this.removeMember(ch, u);
    this.rememberWhowas(u, time);
    this.countModes(u, -1);
    this.users.delete(uid);
    if (this.nicks.get(u.foldedNick) === u) this.nicks.delete(u.foldedNick);
    this.notifyMonitors(u.foldedNick, RPL_MONOFFLINE, u.nick, time);
  }

  private join(uid: string, name: string, time: number, msgid: string): void {
    const u = this.users.get(uid);
    if (!u) return;
    let ch = this.channel(name);
    const membership = new Membership();
    // A registered room stays when empty, so its first joiner is not made operator by being
    // first: only the accounts it lists are, whenever they join.
    let opByAccount = false;
    if (!ch) {
      ch = new Channel(name, time);
      this.channels.set(ch.folded, ch);
      membership.set('o', true); // the first to join runs the room
    } else if (ch.isOperatorAccount(u.account)) {
      membership.set('o', true);
      opByAccount = true;
    }
    if (ch.members.has(u)) return;
    ch.members.set(u, membership);
    ch.invited.delete(uid);
    u.channels.add(ch);
    // extended-join: members with the capability also read the account and realname.
    const plain = joinMessage(u, ch.name, time, msgid, false);
    let extended: Outgoing | undefined;
    for (const member of ch.members.keys()) {
      if (member === u) continue;
      const s = this.node.local(member.uid);
      if (s) s.sendOutgoing(s.hasCap('extended-join') ? (extended ??= joinMessage(u, ch.name, time, msgid, true)) : plain);
    }
    // The others see the status the room's registration gave; the joiner sees it in NAMES.
    if (opByAccount) this.toChannel(ch, new Outgoing(this.node.serverName, 'MODE', [ch.name, '+o', u.nick], time), uid);
    if (u.away !== undefined) {
      // away-notify: members learn right away that the newcomer is away.
      const away = new Outgoing(u.mask, 'AWAY', [u.away], time, undefined, undefined, u.account);
      for (const member of ch.members.keys()) {
        if (member === u) continue;
        const s = this.node.local(member.uid);
        if (s?.hasCap('away-notify')) s.sendOutgoing(away);
      }
    }
  }

  private countModes(u: User, sign: 1 | -1): void {
    if (u.hasMode('i')) this.invisibleCount += sign;
    if (u.hasMode('o')) this.operCount += sign;
  }

  private removeMember(ch: Channel, u: User): void {
    ch.members.delete(u);
    u.channels.delete(ch);
    if (ch.members.size === 0 && !ch.registration) this.channels.delete(ch.folded);
  }

  /** Logs a user in to an account or out (undefined); account-notify tells whoever asked. */
  private changeAccount(uid: string, account: string | undefined, time: number): void {
    const u = this.users.get(uid);
    if (!u || u.account === account) return;
    // account-tag carries the account the user had when they sent it: the old one.
    const out = new Outgoing(u.mask, 'ACCOUNT', [account ?? '*'], time, undefined, undefined, u.account);
    u.account = account;
    this.toNeighbours(u, out, 'account-notify');
    // account-notify: users hear of their own account changes too.
    const self = this.node.local(u.uid);
    if (self?.hasCap('account-notify')) self.sendOutgoing(out);
    // Logging in is answered by the command that did it; a logout (the account suspended
    // or deleted) comes from elsewhere, so the node holding the session says so.
    if (account === undefined && self) {
      self.sendOutgoing(new Outgoing(this.node.serverName, RPL_LOGGEDOUT, [u.nick, u.mask, 'You are now logged out'], time));
    }
  }

  private message(e: Extract<NetworkEvent, { type: 'message' }>): void {
    const from = this.users.get(e.uid);
    if (!from) return;
    const tagOnly = e.command === 'TAGMSG';
    const clientTags = Object.keys(e.clientTags).length > 0 ? e.clientTags : undefined;
    if (e.target.kind === 'user') {
      if (e.target.uid === ADMIN_UID) {
        if (e.command !== 'TAGMSG') this.node.messageToAdmin?.(from, e.command, e.text, e.time);
        return;
      }
      const to = this.users.get(e.target.uid);
      const s = to && this.node.local(to.uid);
      if (!to || !s) return;
      if (tagOnly && !(s.tagVariant & TAGS_MESSAGE_TAGS)) return;
      // A message to oneself is delivered even with echo-message: the echo (labelled, with
      // labeled-response) is the reply to the sender, this is what the recipient receives.
      const params = tagOnly ? [to.nick] : [to.nick, e.text];
      s.sendOutgoing(new Outgoing(from.mask, e.command, params, e.time, e.msgid, clientTags, from.account));
      this.messagesDelivered++;
      return;
    }
    const ch = this.channel(e.target.name);
    if (!ch) return;
    const prefix = e.target.statusPrefix;
    const shownTarget = (prefix ?? '') + ch.name;
    const out = new Outgoing(from.mask, e.command, tagOnly ? [shownTarget] : [shownTarget, e.text], e.time, e.msgid, clientTags, from.account);
    const minimum: StatusMode | undefined = prefix === '@' ? 'o' : prefix === '+' ? 'v' : undefined;
    let delivered = 0;
    for (const [member, m] of ch.members) {
      if (member === from) continue;
      if (minimum === 'o' && !m.has('o')) continue;
      if (minimum === 'v' && !m.has('o') && !m.has('v')) continue;
      const s = this.node.local(member.uid);
      if (!s) continue;
      if (tagOnly && !(s.tagVariant & TAGS_MESSAGE_TAGS)) continue;
      s.sendOutgoing(out);
      delivered++;
    }
    this.messagesDelivered += delivered;
  }

  /** Applies channel mode changes and returns the MODE parameters that took effect. */
  private applyChannelModes(ch: Channel, changes: ModeChange[], setBy: string, time: number): string[] {
    let modes = '';
    let sign = '';
    const args: string[] = [];
    for (const c of changes) {
      let arg: string | undefined;
      switch (c.mode) {
        case 'o':
        case 'v': {
          const target = c.arg === undefined ? undefined : this.users.get(c.arg);
          const m = target && ch.members.get(target);
          if (!target || !m || !m.set(c.mode, c.add)) continue;
          // In a registered room, operator status given or taken follows the account.
          if (c.mode === 'o' && ch.registration && target.account !== undefined) {
            const folded = foldCase(target.account);
            if (c.add) ch.registration.operators.set(folded, target.account);
            else if (folded !== foldCase(ch.registration.founder)) ch.registration.operators.delete(folded);
          }
          arg = target.nick;
          break;
        }
        case 'b': {
          const i = ch.bans.findIndex((b) => foldCase(b.mask) === foldCase(c.arg ?? ''));
          if (c.add) {
            if (i !== -1 || c.arg === undefined) continue;
            ch.bans.push({ mask: c.arg, setBy, setAt: time });
            arg = c.arg;
          } else {
            if (i === -1) continue;
            arg = ch.bans[i]!.mask;
            ch.bans.splice(i, 1);
          }
          break;
        }
        case 'k':
          if (c.add) {
            if (c.arg === undefined) continue;
            ch.key = c.arg;
            arg = c.arg;
          } else {
            if (ch.key === undefined) continue;
            arg = '*';
            ch.key = undefined;
          }
          break;
        case 'l':
          if (c.add) {
            const n = Number(c.arg);
            if (!Number.isInteger(n) || n <= 0 || ch.limit === n) continue;
            ch.limit = n;
            arg = String(n);
          } else {
            if (ch.limit === undefined) continue;
            ch.limit = undefined;
          }
          break;
        default: {
          const flag = c.mode as ChannelFlag;
          if (ch.flags.has(flag) === c.add) continue;
          if (c.add) ch.flags.add(flag);
          else ch.flags.delete(flag);
        }
      }
      const s = c.add ? '+' : '-';
      if (s !== sign) {
        modes += s;
        sign = s;
      }
      modes += c.mode;
      if (arg !== undefined) args.push(arg);
    }
    return modes === '' ? [] : [modes, ...args];
  }

  private toChannel(ch: Channel, out: Outgoing, exceptUid: string | undefined): void {
    for (const member of ch.members.keys()) {
      if (member.uid === exceptUid) continue;
      this.node.local(member.uid)?.sendOutgoing(out);
    }
  }

  /** Everyone who shares a channel with `u`, once each, except `u` itself. */
  private toNeighbours(u: User, out: Outgoing, cap?: string): void {
    const mark = ++this.mark;
    const self = this.node.local(u.uid);
    if (self) self.deliveryMark = mark;
    for (const ch of u.channels) {
      for (const member of ch.members.keys()) {
        const s = this.node.local(member.uid);
        if (!s || s.deliveryMark === mark) continue;
        s.deliveryMark = mark;
        if (cap === undefined || s.hasCap(cap)) s.sendOutgoing(out);
      }
    }
  }

  private rememberWhowas(u: User, time: number): void {
    if (this.whowasLimit === 0) return;
    this.whowas.push({ nick: u.nick, username: u.username, hostname: u.hostname, realname: u.realname, time });
    if (this.whowas.length > this.whowasLimit) this.whowas.splice(0, this.whowas.length - this.whowasLimit);
  }

  private notifyMonitors(folded: string, numeric: typeof RPL_MONONLINE | typeof RPL_MONOFFLINE, target: string, time: number): void {
    const watchers = this.monitors.get(folded);
    if (!watchers) return;
    for (const s of watchers) {
      s.sendOutgoing(new Outgoing(this.node.serverName, numeric, [s.nickOrStar, target], time));
    }
  }
}
