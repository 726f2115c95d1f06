// The reducer's rooms: JOIN, PART, KICK, TOPIC, MODE, INVITE, registration, and messages to
// a room — each checked again against the room as it is at the entry's position.
import { foldCase } from '../protocol/casemapping.ts';
import { ownedString } from '../protocol/text.ts';
import {
  ERR_ALREADYREGISTERED,
  ERR_BADCHANNELKEY,
  ERR_BANNEDFROMCHAN,
  ERR_CANNOTSENDTOCHAN,
  ERR_CHANNELISFULL,
  ERR_CHANOPRIVSNEEDED,
  ERR_INVITEONLYCHAN,
  ERR_NOSUCHCHANNEL,
  ERR_NOSUCHNICK,
  ERR_NOTONCHANNEL,
  ERR_USERNOTINCHANNEL,
  ERR_USERONCHANNEL,
} from '../protocol/numerics.ts';
import type { ServerBan } from './bans.ts';
import { mutedText } from './mute-text.ts';
import { channelModeLines } from '../server/mode-outgoing.ts';
import { Outgoing } from '../server/outgoing.ts';
import { multilineOfEvent } from '../server/multiline-outgoing.ts';
import { applyChannelModes } from './channel-modes.ts';
import { NO_CHANGE, refuse, type Delivery, type Reduced } from './effects.ts';
import type { NetworkEvent } from './events.ts';
import { ADMIN_UID, type NetworkState } from './network-state.ts';
import { Channel, Membership, type ChannelFlag, type StatusMode, type User } from './state.ts';

/** A JOIN as members see it; with extended-join it names the account and realname too. */
export function joinMessage(u: User, channel: string, time: number, msgid: string, extended: boolean): Outgoing {
  const params = extended ? [channel, u.account ?? '*', u.realname] : [channel];
  return new Outgoing(u.mask, 'JOIN', params, time, msgid, undefined, u.account);
}

const FLAGS: ReadonlySet<string> = new Set<ChannelFlag>(['i', 'm', 'n', 's', 't']);

type ChannelEvent = Extract<NetworkEvent, { type: `channel.${string}` }>;

export class ChannelReducer {
  constructor(
    private readonly state: NetworkState,
    private readonly serverName: string,
  ) {}

  reduce(e: ChannelEvent, time: number, out: Delivery[]): Reduced {
    const s = this.state;
    switch (e.type) {
      case 'channel.join':
        return this.join(e, time, out);
      case 'channel.part': {
        const u = s.users.get(e.uid);
        const ch = s.channel(e.channel);
        if (!u) return NO_CHANGE;
        if (!ch || !ch.members.has(u)) return refuse(ERR_NOTONCHANNEL, [ch?.name ?? e.channel], "You're not on that channel");
        const params = e.reason === undefined ? [ch.name] : [ch.name, e.reason];
        out.push({ to: 'channel', channel: ch, out: new Outgoing(u.mask, 'PART', params, time, e.msgid, undefined, u.account), except: u.uid });
        this.removeMember(ch, u, out);
        return undefined;
      }
      case 'channel.kick': {
        const by = s.users.get(e.uid);
        const target = s.users.get(e.targetUid);
        const ch = s.channel(e.channel);
        // The console kicks as the admin pseudo-user, or as the server when there is none.
        const source = by?.mask ?? (e.uid === ADMIN_UID ? this.serverName : undefined);
        if (source === undefined) return NO_CHANGE;
        if (!ch) return refuse(ERR_NOSUCHCHANNEL, [e.channel], 'No such channel');
        if (e.override) {
          // Only an IRC operator or the console may kick without the room's operator status.
          if (e.uid !== ADMIN_UID && !by?.hasMode('o')) return refuse(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
        } else {
          const m = by && ch.members.get(by);
          if (!m) return refuse(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
          if (!m.has('o')) return refuse(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
        }
        if (!target || !ch.members.has(target)) return refuse(ERR_USERNOTINCHANNEL, [target?.nick ?? '*', ch.name], "They aren't on that channel");
        const kick = new Outgoing(source, 'KICK', [ch.name, target.nick, e.reason], time, e.msgid, undefined, by?.account);
        out.push({ to: 'channel', channel: ch, out: kick, except: e.uid });
        this.removeMember(ch, target, out);
        return undefined;
      }
      case 'channel.topic': {
        const u = s.users.get(e.uid);
        const ch = s.channel(e.channel);
        if (!u) return NO_CHANGE;
        if (!ch) return refuse(ERR_NOSUCHCHANNEL, [e.channel], 'No such channel');
        const m = ch.members.get(u);
        if (!m) return refuse(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
        if (ch.flags.has('t') && !m.has('o')) return refuse(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
        ch.topic = ownedString(e.topic); // kept: not the read its line came in
        ch.topicSetBy = u.mask;
        ch.topicSetAt = time;
        out.push({ to: 'channel', channel: ch, out: new Outgoing(u.mask, 'TOPIC', [ch.name, e.topic], time, e.msgid, undefined, u.account), except: u.uid });
        out.push({ to: 'room-changed', channel: ch, byNode: u.nodeId });
        return undefined;
      }
      case 'channel.mode': {
        const ch = s.channel(e.channel);
        if (!ch) return refuse(ERR_NOSUCHCHANNEL, [e.channel], 'No such channel');
        const by = e.uid === undefined ? undefined : s.users.get(e.uid);
        if (e.uid !== undefined && e.uid !== ADMIN_UID) {
          if (!by) return NO_CHANGE;
          if (!ch.members.get(by)?.has('o')) return refuse(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
        }
        const source = by?.mask ?? e.setBy;
        const params = applyChannelModes(s, ch, e.changes, source, time, e.listLimits);
        if (params.length === 0) return { modeParams: [] };
        for (const line of channelModeLines(source, ch.name, params, time, e.msgid, by?.account)) out.push({ to: 'channel', channel: ch, out: line, except: e.uid });
        out.push({ to: 'room-changed', channel: ch, byNode: by?.nodeId });
        return { modeParams: params };
      }
      case 'channel.invite': {
        const by = s.users.get(e.uid);
        if (!by) return NO_CHANGE;
        const target = s.users.get(e.targetUid);
        if (!target) return refuse(ERR_NOSUCHNICK, ['*'], 'No such nick/channel');
        const ch = s.channel(e.channel);
        if (ch) {
          const m = ch.members.get(by);
          if (!m) return refuse(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
          if (ch.flags.has('i') && !m.has('o')) return refuse(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
          if (ch.members.has(target)) return refuse(ERR_USERONCHANNEL, [target.nick, ch.name], 'is already on channel');
          ch.invited.add(target.uid);
        }
        const invite = new Outgoing(by.mask, 'INVITE', [target.nick, e.channel], time, e.msgid, undefined, by.account);
        out.push({ to: 'user', uid: target.uid, out: invite });
        // invite-notify: the channel's operators hear of it too.
        if (ch) out.push({ to: 'channel', channel: ch, out: invite, except: by.uid, exceptAlso: target.uid, minimum: 'o', cap: 'invite-notify' });
        return undefined;
      }
      case 'channel.register': {
        const ch = s.channel(e.channel);
        if (!ch) return refuse(ERR_NOSUCHCHANNEL, [e.channel], 'No such channel');
        if (e.uid !== undefined) {
          // Registered meanwhile (by someone else), or no longer an operator: the first wins.
          const by = s.users.get(e.uid);
          if (ch.registration) return refuse(ERR_ALREADYREGISTERED, [ch.name], `${ch.name} is already registered to ${ch.registration.founder}`);
          if (!by || !ch.members.get(by)?.has('o')) return refuse(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
        } else if (!ch.registration || foldCase(ch.registration.founder) !== foldCase(e.founder)) {
          return NO_CHANGE;
        }
        const operators = new Map<string, string>();
        for (const account of [e.founder, ...e.operators]) operators.set(foldCase(account), account);
        ch.registration = { founder: e.founder, registeredAt: e.registeredAt, operators };
        return undefined;
      }
      case 'channel.unregister': {
        const ch = s.channel(e.channel);
        if (!ch?.registration) return NO_CHANGE;
        ch.registration = undefined;
        if (ch.members.size === 0) s.channels.delete(ch.folded);
        return undefined;
      }
      case 'channel.restore':
        return this.restore(e.record);
    }
  }

  private join(e: Extract<NetworkEvent, { type: 'channel.join' }>, time: number, out: Delivery[]): Reduced {
    const s = this.state;
    const u = s.users.get(e.uid);
    if (!u) return NO_CHANGE;
    let ch = s.channel(e.channel);
    if (ch?.members.has(u)) return NO_CHANGE;
    const membership = new Membership();
    // A registered room stays when empty, so its first joiner is not made operator by being
    // first: only the accounts it lists are, whenever they join.
    let opByAccount = false;
    if (!ch) {
      ch = new Channel(e.channel, time);
      s.channels.set(ch.folded, ch);
      membership.set('o', true); // the first to join runs the room
    } else {
      const invited = ch.invited.has(u.uid);
      if (ch.key !== undefined && e.key !== ch.key) return refuse(ERR_BADCHANNELKEY, [ch.name], 'Cannot join channel (+k)');
      if (ch.limit !== undefined && ch.members.size >= ch.limit) return refuse(ERR_CHANNELISFULL, [ch.name], 'Cannot join channel (+l)');
      if (ch.flags.has('i') && !invited && !ch.isInviteExempt(u)) return refuse(ERR_INVITEONLYCHAN, [ch.name], 'Cannot join channel (+i)');
      if (!invited && ch.isBanned(u)) return refuse(ERR_BANNEDFROMCHAN, [ch.name], 'Cannot join channel (+b)');
      if (ch.isOperatorAccount(u.account)) {
        membership.set('o', true);
        opByAccount = true;
      }
    }
    ch.members.set(u, membership);
    ch.invited.delete(u.uid);
    u.channels.add(ch);
    out.push({ to: 'member', channel: ch, user: u, joined: true });
    // extended-join: members with the capability also read the account and realname.
    const plain = joinMessage(u, ch.name, time, e.msgid, false);
    out.push({ to: 'channel', channel: ch, out: plain, except: u.uid, extended: joinMessage(u, ch.name, time, e.msgid, true) });
    // The others see the status the room's registration gave; the joiner sees it in NAMES.
    if (opByAccount) out.push({ to: 'channel', channel: ch, out: new Outgoing(this.serverName, 'MODE', [ch.name, '+o', u.nick], time), except: u.uid });
    // away-notify: members learn right away that the newcomer is away.
    if (u.away !== undefined) {
      out.push({ to: 'channel', channel: ch, out: new Outgoing(u.mask, 'AWAY', [u.away], time, undefined, undefined, u.account), except: u.uid, cap: 'away-notify' });
    }
    return undefined;
  }

  message(
    from: User,
    e: Extract<NetworkEvent, { type: 'message' }>,
    time: number,
    muted: ServerBan | undefined,
    clientTags: Record<string, string> | undefined,
    out: Delivery[],
  ): Reduced {
    if (e.target.kind !== 'channel') return NO_CHANGE;
    const ch = this.state.channel(e.target.name);
    if (!ch) return refuse(ERR_NOSUCHCHANNEL, [e.target.name], 'No such channel');
    // The console speaks where it likes.
    if (from.uid !== ADMIN_UID) {
      if (muted) return refuse(ERR_CANNOTSENDTOCHAN, [ch.name], `Cannot send to channel (${mutedText(muted)})`);
      const m = ch.members.get(from);
      const voiced = m !== undefined && (m.has('o') || m.has('v'));
      if (!m && ch.flags.has('n')) return refuse(ERR_CANNOTSENDTOCHAN, [ch.name], 'Cannot send to channel (no external messages)');
      if (!voiced && ch.flags.has('m')) return refuse(ERR_CANNOTSENDTOCHAN, [ch.name], 'Cannot send to channel (+m)');
      if (!voiced && ch.isBanned(from)) return refuse(ERR_CANNOTSENDTOCHAN, [ch.name], 'Cannot send to channel (you are banned)');
    }
    const prefix = e.target.statusPrefix;
    const shown = (prefix ?? '') + ch.name;
    const tagOnly = e.command === 'TAGMSG';
    const minimum: StatusMode | undefined = prefix === '@' ? 'o' : prefix === '+' ? 'v' : undefined;
    const lines = multilineOfEvent(e, from, shown, time, clientTags);
    if (lines) {
      out.push({ to: 'multiline', channel: ch, except: from.uid, minimum, lines });
      return undefined;
    }
    const msg = new Outgoing(from.mask, e.command, tagOnly ? [shown] : [shown, e.text], time, e.msgid, clientTags, from.account);
    out.push({ to: 'channel', channel: ch, out: msg, except: from.uid, minimum, tagOnly, message: true });
    return undefined;
  }

  removeMember(ch: Channel, u: User, out: Delivery[]): void {
    ch.members.delete(u);
    u.channels.delete(ch);
    out.push({ to: 'member', channel: ch, user: u, joined: false });
    if (ch.members.size === 0 && !ch.registration) this.state.channels.delete(ch.folded);
  }

  /** Puts a saved room back as it was saved, unless the network has it registered already. */
  private restore(record: Extract<NetworkEvent, { type: 'channel.restore' }>['record']): Reduced {
    const s = this.state;
    let ch = s.channel(record.name);
    if (ch?.registration) return NO_CHANGE;
    if (!ch) {
      ch = new Channel(record.name, record.registeredAt);
      s.channels.set(ch.folded, ch);
    }
    ch.flags.clear();
    for (const f of record.modes) if (FLAGS.has(f)) ch.flags.add(f as ChannelFlag);
    ch.key = record.key;
    ch.limit = record.limit;
    ch.topic = record.topic;
    ch.topicSetBy = record.topicSetBy;
    ch.topicSetAt = record.topicSetAt;
    ch.bans = record.bans.map((b) => ({ ...b }));
    ch.exceptions = (record.exceptions ?? []).map((b) => ({ ...b }));
    ch.invites = (record.invites ?? []).map((b) => ({ ...b }));
    const operators = new Map<string, string>();
    for (const account of [record.founder, ...record.operators]) operators.set(foldCase(account), account);
    ch.registration = { founder: record.founder, registeredAt: record.registeredAt, operators };
    return undefined;
  }
}
