// Applies one log entry to the network state: the only code that changes it. Deterministic
// and free of I/O: the same entries in the same order give the same state on every node.
// Each event is checked again here, against the state at its position, because the check
// its writer made against its own (older) view may no longer hold; a refused event changes
// nothing anywhere and its writer answers with the refusal. What people are to see comes out
// as deliveries (effects.ts), which each node writes to its own sessions.
import type { LogEntry } from '../cluster/log-cursor.ts';
import { foldCase } from '../protocol/casemapping.ts';
import { ownedString } from '../protocol/text.ts';
import { hasTags } from '../protocol/message.ts';
import {
  ERR_CANNOTSENDTOUSER,
  ERR_ERRONEUSNICKNAME,
  ERR_NICKCHANGEFORBIDDEN,
  ERR_NICKNAMEINUSE,
  ERR_NOSUCHNICK,
  ERR_YOUREBANNEDCREEP,
  RPL_LOGGEDOUT,
} from '../protocol/numerics.ts';
import { Outgoing } from '../server/outgoing.ts';
import { multilineOfEvent } from '../server/multiline-outgoing.ts';
import { ChannelReducer } from './reduce-channels.ts';
import { actingBotMask, tagBotDeliveries } from './bot-tag.ts';
import { mutedText } from './mute-text.ts';
import { reduceReadMarker } from './reduce-read-marker.ts';
import { reduceRedact } from './reduce-redaction.ts';
import { NO_CHANGE, refuse, type Delivery, type Outcome, type Reduced, type Refusal, type Verdict } from './effects.ts';
import type { NetworkEvent, NickDisplacement } from './events.ts';
import { mayDisplace, nickOccupants } from './lookalike-nicks.ts';
import { ADMIN_UID, type NetworkState } from './network-state.ts';
import { User, userMask } from './state.ts';

export interface ReducerOptions {
  /** This node's name: the source of what the server itself says (deliveries only, never state). */
  serverName: string;
}

/** The quit reason of a node's users when the node is gone (a netsplit, as hidden-server networks show it). */
export const SPLIT_REASON = '*.net *.split';

/** 433 for a nick too like one in use (lookalike-nicks.ts): taken, as far as anyone could tell. */
const LOOKALIKE_TEXT = 'Nickname is too like one already in use';

/** A node's announced server name, as config.ts server.name allows it. */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;

/** The nicks a look-alike holder may be renamed to (accounts.ts guestNick makes them). */
const GUEST_NICK = /^Guest\d*$/;

export class Reducer {
  private readonly channels: ChannelReducer;

  constructor(
    readonly state: NetworkState,
    private readonly options: ReducerOptions,
  ) {
    this.channels = new ChannelReducer(state, options.serverName);
  }

  apply(entry: LogEntry<NetworkEvent>): Outcome {
    const s = this.state;
    s.position = entry.position;
    s.time = entry.time;
    s.bans.expire(entry.time);
    s.mutes.expire(entry.time);
    const deliveries: Delivery[] = [];
    const botMask = actingBotMask(entry.event, s);
    const refusal = this.reduce(entry, deliveries);
    if (botMask !== undefined) tagBotDeliveries(botMask, deliveries);
    const verdict: Verdict =
      refusal === undefined
        ? { ok: true, position: entry.position, time: entry.time }
        : refusal === NO_CHANGE
          ? { ok: false, position: entry.position, time: entry.time }
          : 'modeParams' in refusal
            ? { ok: true, position: entry.position, time: entry.time, modeParams: refusal.modeParams }
            : { ok: false, position: entry.position, time: entry.time, refusal };
    return { verdict, deliveries };
  }

  /** Undefined: applied. */
  private reduce(entry: LogEntry<NetworkEvent>, out: Delivery[]): Reduced {
    const e = entry.event;
    const time = entry.time;
    const s = this.state;
    switch (e.type) {
      case 'node.up': {
        const old = s.nodes.get(e.nodeId);
        if (old === entry.epoch) return NO_CHANGE;
        const othersUp = [...s.nodes.keys()].some((id) => id !== e.nodeId);
        // Which nicks are taken (and how ISUPPORT says it) must not depend on the node.
        if (e.casemapping !== undefined && othersUp && s.casemapping !== undefined && s.casemapping !== e.casemapping) {
          return refuse('ERROR', [], `server.casemapping must be the same on every node: the network runs with ${s.casemapping}`);
        }
        if (e.unicode !== undefined && othersUp && s.unicode !== undefined && s.unicode !== e.unicode) {
          return refuse('ERROR', [], `every node must run a Node.js with the same Unicode version: the network runs with Unicode ${s.unicode}, this node has ${e.unicode}`);
        }
        if (e.adminNick !== undefined) {
          if (othersUp && s.adminNick !== undefined && s.adminNick !== e.adminNick) {
            return refuse('ERROR', [], `admin.nick and admin.pseudoUser must be the same on every node: the network runs with ${s.adminNick ?? 'no admin nick'}`);
          }
          s.adminNick = e.adminNick;
        }
        if (e.casemapping !== undefined) s.casemapping = e.casemapping;
        if (e.unicode !== undefined) s.unicode = e.unicode;
        // The node came back without anyone declaring it gone: what it had is gone.
        if (old !== undefined) this.nodeGone(e.nodeId, old, SPLIT_REASON, entry, out, true);
        s.nodes.set(e.nodeId, entry.epoch);
        // Checked again: it goes on the wire as a parameter (WHOIS, LINKS).
        if (typeof e.serverName === 'string' && SERVER_NAME.test(e.serverName)) s.nodeNames.set(e.nodeId, e.serverName);
        return undefined;
      }
      case 'node.down':
        if (s.deadEpochs.has(e.epoch)) return NO_CHANGE;
        this.nodeGone(e.nodeId, e.epoch, e.reason, entry, out, false);
        return undefined;
      case 'user.introduce': {
        if (!s.isUp(e.nodeId, entry.epoch) || s.users.has(e.uid)) return NO_CHANGE;
        const displace = e.displace;
        // The owner of the account named e.nick, logging in as they connect, may take it (displace).
        const occupant = this.occupantGivingWay(e.nick, undefined, e.account, displace);
        if (occupant !== undefined && !(occupant instanceof User)) return occupant;
        // User takes the fields it knows (no rest copy without type and displace: one per registration).
        const user = new User({ ...e, signonAt: time });
        // A server ban set meanwhile refuses the user (its node closes the connection).
        if (s.bans.size > 0 && s.bans.match(time, e.address, user.mask)) return refuse(ERR_YOUREBANNEDCREEP, [], 'You are banned from this server');
        if (occupant) this.displaceOccupant(occupant, e.nick, displace!, time, out);
        s.users.set(user.uid, user);
        s.nicks.set(user.foldedNick, user);
        s.lookalikes.add(user);
        this.countModes(user, 1);
        out.push({ to: 'monitors', folded: user.foldedNick, online: true, target: user.mask, time });
        return undefined;
      }
      case 'user.nick':
        return this.changeNick(e.uid, e.nick, time, e.msgid, e.forced === true, out, e.displace);
      case 'user.quit': {
        const u = s.users.get(e.uid);
        if (!u) return NO_CHANGE;
        this.quit(u, e.reason, time, e.msgid, out);
        return undefined;
      }
      case 'user.away': {
        const u = s.users.get(e.uid);
        if (!u) return NO_CHANGE;
        // Own copies: these live as long as the user, not the read their line came in.
        u.away = e.away === undefined ? undefined : ownedString(e.away);
        const msg = new Outgoing(u.mask, 'AWAY', e.away === undefined ? [] : [e.away], time, undefined, undefined, u.account);
        out.push({ to: 'neighbours', user: u, channels: [...u.joined], out: msg, cap: 'away-notify', monitored: true });
        return undefined;
      }
      case 'user.setname': {
        const u = s.users.get(e.uid);
        if (!u) return NO_CHANGE;
        u.realname = ownedString(e.realname);
        const msg = new Outgoing(u.mask, 'SETNAME', [e.realname], time, undefined, undefined, u.account);
        out.push({ to: 'neighbours', user: u, channels: [...u.joined], out: msg, cap: 'setname', monitored: true });
        return undefined;
      }
      case 'user.account':
        return this.changeAccount(e.uid, e.account, time, false, out);
      case 'account.logout': {
        const folded = foldCase(e.account);
        for (const u of s.users.values()) {
          if (u.account !== undefined && foldCase(u.account) === folded) this.changeAccount(u.uid, undefined, time, true, out);
        }
        return undefined;
      }
      case 'user.mode': {
        const u = s.users.get(e.uid);
        if (!u) return NO_CHANGE;
        this.countModes(u, -1);
        for (const c of e.changes) {
          if (c.add) u.modes.add(c.mode);
          else u.modes.delete(c.mode);
        }
        this.countModes(u, 1);
        return undefined;
      }
      case 'user.kill': {
        const u = s.users.get(e.uid);
        if (!u) return NO_CHANGE;
        out.push({ to: 'kill', uid: u.uid, out: new Outgoing(e.source, 'KILL', [u.nick, e.reason], time), reason: e.reason });
        return undefined;
      }
      case 'message':
        return this.message(e, time, out);
      case 'ban.add':
        (e.list === 'ban' ? s.bans : s.mutes).add(e.ban);
        out.push({ to: 'server-ban', list: e.list, ban: e.ban });
        return undefined;
      case 'ban.remove':
        if (!(e.list === 'ban' ? s.bans : s.mutes).remove(e.mask)) return NO_CHANGE;
        out.push({ to: 'server-unban', list: e.list, mask: e.mask });
        return undefined;
      case 'connections.limit': {
        // Checked again: an entry from another process may carry anything.
        const limit = (n: number | undefined): number | undefined => (n !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined);
        const max = limit(e.max);
        const perIp = limit(e.perIp);
        if (max === undefined && perIp === undefined) return NO_CHANGE;
        out.push({ to: 'connection-limits', max, perIp });
        return undefined;
      }
      case 'server.notice':
        out.push({ to: 'everyone', out: new Outgoing(e.source, e.command, ['$*', e.text], time, e.msgid) });
        return undefined;
      case 'wallops':
        out.push({ to: 'everyone', out: new Outgoing(e.source, 'WALLOPS', [e.text], time, e.msgid), userMode: 'w' });
        return undefined;
      case 'readmarker.set':
        return reduceReadMarker(s, e, time, this.options.serverName, out);
      case 'message.redact':
        return reduceRedact(s, e, time, out);
      default:
        return this.channels.reduce(e, time, out);
    }
  }

  /** A node incarnation is gone: its users quit everywhere, and its later entries are passed over. */
  private nodeGone(nodeId: string, epoch: string, reason: string, entry: LogEntry<NetworkEvent>, out: Delivery[], replaced: boolean): void {
    const s = this.state;
    s.deadEpochs.add(epoch);
    out.push({ to: 'epoch-dead', nodeId, epoch, replaced });
    if (s.nodes.get(nodeId) !== epoch) return;
    s.nodes.delete(nodeId);
    s.nodeNames.delete(nodeId);
    let n = 0;
    for (const u of [...s.users.values()]) {
      if (u.nodeId === nodeId) this.quit(u, reason, entry.time, `${entry.position}.${++n}`, out);
    }
  }

  private changeNick(
    uid: string,
    nick: string,
    time: number,
    msgid: string,
    forced: boolean,
    out: Delivery[],
    displace?: NickDisplacement,
  ): Refusal | typeof NO_CHANGE | undefined {
    const s = this.state;
    const u = s.users.get(uid);
    if (!u) return NO_CHANGE;
    const newFolded = foldCase(nick);
    const holder = s.nicks.get(newFolded);
    if (holder && holder !== u && displace?.uid !== holder.uid) return refuse(ERR_NICKNAMEINUSE, [nick], 'Nickname is already in use');
    if (nick === u.nick) return NO_CHANGE;
    // A muted user keeps their nick (a new one would slip out from under a nick mute), and a
    // banned nick is not taken: checked again here, the mute or ban may be newer than the NICK.
    if (!forced && s.mutes.size > 0 && s.mutes.match(time, u.address, u.mask)) return refuse(ERR_NICKCHANGEFORBIDDEN, [nick], 'You cannot change your nickname while muted');
    if (!forced && s.bans.size > 0 && s.bans.match(time, u.address, `${nick}!${u.username}@${u.hostname}`)) return refuse(ERR_ERRONEUSNICKNAME, [nick], 'That nickname is banned on this server');
    // Checked last: whoever is in the way is renamed only when nothing else stands in it.
    const occupant = this.occupantGivingWay(nick, u, u.account, displace);
    if (occupant !== undefined && !(occupant instanceof User)) return occupant;
    if (occupant) this.displaceOccupant(occupant, nick, displace!, time, out);
    const msg = new Outgoing(u.mask, 'NICK', [nick], time, msgid, undefined, u.account);
    out.push({ to: 'neighbours', user: u, channels: [...u.joined], out: msg });
    this.rememberWhowas(u, time, out);
    const oldFolded = u.foldedNick;
    const oldNick = u.nick;
    if (s.nicks.get(oldFolded) === u) s.nicks.delete(oldFolded);
    // Own copies (the nick may be a slice of the read its line came in), one when folding changed nothing.
    u.nick = ownedString(nick);
    u.foldedNick = newFolded === nick ? u.nick : ownedString(newFolded);
    u.mask = userMask(u);
    s.nicks.set(u.foldedNick, u);
    s.lookalikes.add(u);
    if (oldFolded !== newFolded) {
      out.push({ to: 'monitors', folded: oldFolded, online: false, target: oldNick, time });
      out.push({ to: 'monitors', folded: newFolded, online: true, target: u.mask, time });
    }
    return undefined;
  }

  /**
   * Who is in the way of `claimant` (or a user being introduced, logged in to `account`)
   * taking `nick`: undefined when no one; the one `displace` names when the owner of the
   * account named `nick` may take it from them (mayDisplace), to a guest nick free in every
   * sense; otherwise the refusal (433).
   */
  private occupantGivingWay(nick: string, claimant: User | undefined, account: string | undefined, displace: NickDisplacement | undefined): User | Refusal | undefined {
    const s = this.state;
    const occupants = nickOccupants(s, nick, claimant);
    if (occupants.length === 0) return undefined;
    const occupant = occupants[0]!;
    const taken = occupants.some((o) => o.foldedNick === foldCase(nick));
    const refusal = refuse(ERR_NICKNAMEINUSE, [nick], taken ? 'Nickname is already in use' : LOOKALIKE_TEXT);
    if (occupants.length !== 1 || displace === undefined || displace.uid !== occupant.uid || !mayDisplace(account, nick, occupant)) return refusal;
    const guest = displace.nick;
    if (!GUEST_NICK.test(guest) || s.nicks.has(foldCase(guest)) || s.lookalikes.twinOf(guest, occupant) !== undefined) return refusal;
    return occupant;
  }

  /**
   * Renames `occupant` to the guest nick the writer chose, as the nick guard would have done at
   * the end of its grace period; occupantGivingWay has checked that nothing stands in the way.
   */
  private displaceOccupant(occupant: User, nick: string, displace: NickDisplacement, time: number, out: Delivery[]): void {
    const oldNick = occupant.nick;
    const oldMask = occupant.mask;
    this.changeNick(occupant.uid, displace.nick, time, displace.msgid, true, out);
    out.push({ to: 'user', uid: occupant.uid, out: new Outgoing(oldMask, 'NICK', [displace.nick], time, displace.msgid, undefined, occupant.account) });
    const whose = foldCase(oldNick) === foldCase(nick) ? `${oldNick} is` : `${oldNick} looks like ${nick},`;
    const text = `${whose} the nick of an account whose owner has logged in and taken it, so you are now ${displace.nick}.`;
    out.push({ to: 'user', uid: occupant.uid, out: new Outgoing(this.options.serverName, 'NOTICE', [displace.nick, text], time) });
  }

  private quit(u: User, reason: string, time: number, msgid: string, out: Delivery[]): void {
    const s = this.state;
    const channels = [...u.joined];
    out.push({ to: 'neighbours', user: u, channels, out: new Outgoing(u.mask, 'QUIT', [reason], time, msgid, undefined, u.account) });
    for (const ch of channels) this.channels.removeMember(ch, u, out);
    this.rememberWhowas(u, time, out);
    this.countModes(u, -1);
    s.users.delete(u.uid);
    if (s.nicks.get(u.foldedNick) === u) s.nicks.delete(u.foldedNick);
    s.lookalikes.remove(u);
    out.push({ to: 'monitors', folded: u.foldedNick, online: false, target: u.nick, time });
  }

  /** Logs a user in to an account or out (undefined); account-notify tells whoever asked. */
  private changeAccount(uid: string, account: string | undefined, time: number, byNetwork: boolean, out: Delivery[]): typeof NO_CHANGE | undefined {
    const u = this.state.users.get(uid);
    if (!u || u.account === account) return NO_CHANGE;
    // account-tag carries the account the user had when they sent it: the old one.
    const msg = new Outgoing(u.mask, 'ACCOUNT', [account ?? '*'], time, undefined, undefined, u.account);
    u.account = account;
    out.push({ to: 'neighbours', user: u, channels: [...u.joined], out: msg, cap: 'account-notify', monitored: true });
    // account-notify: users hear of their own account changes too.
    out.push({ to: 'user', uid: u.uid, out: msg, cap: 'account-notify' });
    // Logging in is answered by the command that did it; a logout by the network (the account
    // suspended or deleted) comes from elsewhere, so the node holding the session says so.
    if (account === undefined && byNetwork) {
      out.push({ to: 'logged-out', uid: u.uid, out: new Outgoing(this.options.serverName, RPL_LOGGEDOUT, [u.nick, u.mask, 'You are now logged out'], time) });
    }
    return undefined;
  }

  private message(e: Extract<NetworkEvent, { type: 'message' }>, time: number, out: Delivery[]): Reduced {
    const s = this.state;
    const from = s.users.get(e.uid);
    if (!from) return NO_CHANGE;
    const tagOnly = e.command === 'TAGMSG';
    const clientTags = hasTags(e.clientTags) ? e.clientTags : undefined;
    const muted = from.uid !== ADMIN_UID && s.mutes.size > 0 ? s.mutes.match(time, from.address, from.mask) : undefined;
    if (e.target.kind === 'user') {
      const to = s.users.get(e.target.uid);
      if (!to) return refuse(ERR_NOSUCHNICK, ['*'], 'No such nick/channel');
      if (to.uid === ADMIN_UID) {
        // A muted user may still appeal to the operator.
        if (!tagOnly) out.push({ to: 'admin-inbox', from, command: e.command, text: e.text, time });
        return undefined;
      }
      if (muted) return refuse(ERR_CANNOTSENDTOUSER, [to.nick], mutedText(muted, { capitalised: true }));
      const lines = multilineOfEvent(e, from, to.nick, time, clientTags);
      if (lines) {
        out.push({ to: 'multiline', uid: to.uid, lines });
        return undefined;
      }
      // A message to oneself is delivered even with echo-message: the echo (labelled, with
      // labeled-response) is the reply to the sender, this is what the recipient receives.
      const params = tagOnly ? [to.nick] : [to.nick, e.text];
      out.push({ to: 'user', uid: to.uid, out: new Outgoing(from.mask, e.command, params, time, e.msgid, clientTags, from.account), tagOnly, message: true });
      return undefined;
    }
    return this.channels.message(from, e, time, muted, clientTags, out);
  }

  private countModes(u: User, sign: 1 | -1): void {
    if (u.hasMode('i')) this.state.invisibleCount += sign;
    if (u.hasMode('o')) this.state.operCount += sign;
  }

  /** WHOWAS is each node's own memory (how much of it is a node's config), not network state. */
  private rememberWhowas(u: User, time: number, out: Delivery[]): void {
    out.push({ to: 'whowas', entry: { nick: u.nick, username: u.username, hostname: u.hostname, realname: u.realname, time } });
  }
}

