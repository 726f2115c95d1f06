// One node's side of applying an entry: the reducer's deliveries become writes to this node's
// own sessions. It owns what only this node knows — which local sessions are in which room,
// and who MONITORs whom — so a room with nobody here costs it nothing.
import { RPL_MONOFFLINE, RPL_MONONLINE } from '../protocol/numerics.ts';
import type { ServerBan } from '../network/bans.ts';
import type { Delivery as Deliverable } from '../network/effects.ts';
import type { BanListName } from '../network/events.ts';
import type { WhowasEntry } from '../network/network-state.ts';
import type { Channel, User } from '../network/state.ts';
import { Outgoing, TAGS_MESSAGE_TAGS } from '../server/outgoing.ts';
import { takesMultiline } from '../server/multiline-outgoing.ts';

export interface LocalSession {
  readonly tagVariant: number;
  deliveryMark: number;
  readonly user: User | undefined;
  hasCap(name: string): boolean;
  /** A message shared with other recipients: its bytes are encoded once for all of them. */
  sendOutgoing(out: Outgoing): void;
  /** A message for this session alone: written as text, with no shared bytes encoded for it. */
  sendReply(out: Outgoing): void;
  readonly nickOrStar: string;
}

/** What deliveries need from the node beyond writing to sessions. */
export interface DeliveryHost {
  readonly serverName: string;
  /** This node's session of a user, if the user is connected here. */
  local(uid: string): LocalSession | undefined;
  registeredSessions(): Iterable<LocalSession>;
  logError(err: unknown, context: string): void;
  kill(uid: string, out: Outgoing, reason: string): void;
  loggedOut(uid: string, out: Outgoing): void;
  messageToAdmin(from: User, command: string, text: string, time: number): void;
  serverBan(list: BanListName, ban: ServerBan): void;
  serverUnban(list: BanListName, mask: string): void;
  connectionLimits(max: number | undefined, perIp: number | undefined): void;
  roomChanged(channel: Channel, byNode: string | undefined): void;
  epochDead(nodeId: string, epoch: string, replaced: boolean): void;
}

export class Delivery {
  /** folded nick → local sessions that MONITOR it. */
  readonly monitors = new Map<string, Set<LocalSession>>();
  /** folded room name → this node's members of it, by uid. */
  private readonly localMembers = new Map<string, Map<string, LocalSession>>();
  private mark = 0;
  /** PRIVMSG/NOTICE/TAGMSG copies handed to local sessions: read at a scrape (metrics.ts). */
  messagesDelivered = 0;
  /** Server bans applied since the start (metrics.ts). */
  bansSet = 0;
  /** Nicks no longer in use, newest last, at most whowasLimit. */
  readonly whowas: WhowasEntry[] = [];

  constructor(
    private readonly host: DeliveryHost,
    private readonly whowasLimit: number,
  ) {}

  run(deliveries: readonly Deliverable[]): void {
    for (const d of deliveries) {
      // One delivery that fails (a listener that throws) must not keep the others, or the
      // member index, from happening.
      try {
        this.deliver(d);
      } catch (err) {
        this.host.logError(err, `delivering to ${d.to}`);
      }
    }
  }

  /** Forgets every local session (they were all dropped: the node starts again from a snapshot). */
  reset(): void {
    this.localMembers.clear();
    this.monitors.clear();
  }

  /** This node's sessions in a room. */
  membersHere(channel: Channel): ReadonlyMap<string, LocalSession> | undefined {
    return this.localMembers.get(channel.folded);
  }

  private deliver(d: Deliverable): void {
    switch (d.to) {
      case 'channel':
        return this.toChannel(d);
      case 'user': {
        const s = this.host.local(d.uid);
        if (!s || (d.cap !== undefined && !s.hasCap(d.cap))) return;
        if (d.tagOnly && !(s.tagVariant & TAGS_MESSAGE_TAGS)) return;
        // One uid, one session: its line is made as text and joined into the socket's write.
        s.sendReply(d.out);
        if (d.message) this.messagesDelivered++;
        return;
      }
      case 'multiline':
        return this.toMultiline(d);
      case 'neighbours':
        return this.toNeighbours(d.user, d.channels, d.out, d.cap, d.monitored === true);
      case 'member': {
        const key = d.channel.folded;
        if (d.joined) {
          const s = this.host.local(d.user.uid);
          if (!s) return;
          let members = this.localMembers.get(key);
          if (!members) this.localMembers.set(key, (members = new Map()));
          members.set(d.user.uid, s);
        } else {
          const members = this.localMembers.get(key);
          if (!members?.delete(d.user.uid)) return;
          if (members.size === 0) this.localMembers.delete(key);
        }
        return;
      }
      case 'monitors': {
        const watchers = this.monitors.get(d.folded);
        if (!watchers) return;
        const numeric = d.online ? RPL_MONONLINE : RPL_MONOFFLINE;
        for (const s of watchers) s.sendOutgoing(new Outgoing(this.host.serverName, numeric, [s.nickOrStar, d.target], d.time));
        return;
      }
      case 'everyone':
        for (const s of this.host.registeredSessions()) {
          if (d.userMode === undefined || s.user?.hasMode(d.userMode)) s.sendOutgoing(d.out);
        }
        return;
      case 'kill':
        return this.host.kill(d.uid, d.out, d.reason);
      case 'logged-out':
        return this.host.loggedOut(d.uid, d.out);
      case 'whowas':
        if (this.whowasLimit === 0) return;
        this.whowas.push(d.entry);
        if (this.whowas.length > this.whowasLimit) this.whowas.splice(0, this.whowas.length - this.whowasLimit);
        return;
      case 'admin-inbox':
        return this.host.messageToAdmin(d.from, d.command, d.text, d.time);
      case 'server-ban':
        if (d.list === 'ban') this.bansSet++;
        return this.host.serverBan(d.list, d.ban);
      case 'server-unban':
        return this.host.serverUnban(d.list, d.mask);
      case 'connection-limits':
        return this.host.connectionLimits(d.max, d.perIp);
      case 'room-changed':
        return this.host.roomChanged(d.channel, d.byNode);
      case 'epoch-dead':
        return this.host.epochDead(d.nodeId, d.epoch, d.replaced);
    }
  }

  private toChannel(d: Extract<Deliverable, { to: 'channel' }>): void {
    const members = this.localMembers.get(d.channel.folded);
    if (!members) return;
    // Read once: this loop runs for every member of a room, and deliveries come in many shapes.
    const { out, except, exceptAlso, minimum, cap, tagOnly, extended, channel } = d;
    const plainLoop = minimum === undefined && cap === undefined && !tagOnly && extended === undefined;
    let delivered = 0;
    // values(), not entries(): no [key, value] pair made per member.
    for (const s of members.values()) {
      const uid = s.user?.uid;
      if (uid === except || uid === exceptAlso) continue;
      if (!plainLoop) {
        if (minimum !== undefined) {
          const m = s.user && channel.members.get(s.user);
          if (!m || (!m.has('o') && (minimum === 'o' || !m.has('v')))) continue;
        }
        if (cap !== undefined && !s.hasCap(cap)) continue;
        if (tagOnly && !(s.tagVariant & TAGS_MESSAGE_TAGS)) continue;
        if (extended !== undefined && s.hasCap('extended-join')) {
          s.sendOutgoing(extended);
          delivered++;
          continue;
        }
      }
      s.sendOutgoing(out);
      delivered++;
    }
    if (d.message) this.messagesDelivered += delivered;
  }

  /** IRCv3 multiline: the batch to sessions that take one, the lines one by one to the others. */
  private toMultiline(d: Extract<Deliverable, { to: 'multiline' }>): void {
    const send = (s: LocalSession): void => {
      for (const out of takesMultiline(s) ? d.lines.batched : d.lines.fallback) s.sendOutgoing(out);
      this.messagesDelivered++;
    };
    if ('uid' in d) {
      const s = this.host.local(d.uid);
      if (s) send(s);
      return;
    }
    const members = this.localMembers.get(d.channel.folded);
    if (!members) return;
    for (const s of members.values()) {
      const user = s.user;
      if (user === undefined || user.uid === d.except) continue;
      if (d.minimum !== undefined) {
        const m = d.channel.members.get(user);
        if (!m || (!m.has('o') && (d.minimum === 'o' || !m.has('v')))) continue;
      }
      send(s);
    }
  }

  /**
   * Everyone here who shares one of `channels` with `u`, once each, except `u` itself; with
   * `monitored`, also those here who MONITOR `u` with extended-monitor (IRCv3), rooms or not.
   */
  private toNeighbours(u: User, channels: readonly Channel[], out: Outgoing, cap: string | undefined, monitored: boolean): void {
    const mark = ++this.mark;
    const self = this.host.local(u.uid);
    if (self) self.deliveryMark = mark;
    for (const ch of channels) {
      const members = this.localMembers.get(ch.folded);
      if (!members) continue;
      for (const s of members.values()) {
        if (s.deliveryMark === mark) continue;
        s.deliveryMark = mark;
        if (cap === undefined || s.hasCap(cap)) s.sendOutgoing(out);
      }
    }
    if (!monitored) return;
    const watchers = this.monitors.get(u.foldedNick);
    if (!watchers) return;
    for (const s of watchers) {
      if (s.deliveryMark === mark) continue;
      s.deliveryMark = mark;
      if (s.hasCap('extended-monitor') && (cap === undefined || s.hasCap(cap))) s.sendOutgoing(out);
    }
  }

  /** A session that closes leaves every room's index and every MONITOR list. */
  forget(session: LocalSession, monitored: Iterable<string>): void {
    for (const folded of monitored) {
      const set = this.monitors.get(folded);
      set?.delete(session);
      if (set?.size === 0) this.monitors.delete(folded);
    }
  }
}
