// Rooms: JOIN, PART, TOPIC, NAMES, LIST, INVITE, KICK.
import { foldCase } from '../../protocol/casemapping.ts';
import {
  ERR_BADCHANMASK,
  ERR_BADCHANNELKEY,
  ERR_BANNEDFROMCHAN,
  ERR_CHANNELISFULL,
  ERR_CHANOPRIVSNEEDED,
  ERR_INVITEONLYCHAN,
  ERR_NEEDMOREPARAMS,
  ERR_NOSUCHCHANNEL,
  ERR_NOSUCHNICK,
  ERR_NOTONCHANNEL,
  ERR_TOOMANYCHANNELS,
  ERR_TOOMANYTARGETS,
  ERR_USERNOTINCHANNEL,
  ERR_USERONCHANNEL,
  RPL_ENDOFINVITELIST,
  RPL_ENDOFNAMES,
  RPL_INVITING,
  RPL_LIST,
  RPL_LISTEND,
  RPL_LISTSTART,
  RPL_NOTOPIC,
  RPL_TOPIC,
  RPL_TOPICWHOTIME,
} from '../../protocol/numerics.ts';
import { clipUtf8 } from '../../protocol/text.ts';
import { isValidChannel } from '../../protocol/validate.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { joinMessage } from '../../network/reduce-channels.ts';
import { Outgoing } from '../outgoing.ts';
import { numericReply, sendPaced } from '../paced-reply.ts';
import { replayOnJoin } from './history.ts';
import { canSeeChannel, namesLines } from './names-lines.ts';
import { markerOnJoin } from './markread.ts';
import { afterCommit } from '../../node/log-follower.ts';
import { inTurn } from '../in-turn.ts';
import { listFilterAccepts, parseListFilter, type ListFilter } from '../list-filters.ts';
import type { Channel, User } from '../../network/state.ts';

/** The channel, or ERR_NOSUCHCHANNEL. */
export function requireChannel(ctx: Context, name: string): Channel {
  const ch = ctx.network.channel(name);
  if (!ch) throw new IrcError(ERR_NOSUCHCHANNEL, [name], 'No such channel');
  return ch;
}

export const channelCommands: CommandGroup = {
  // JOIN <channel>{,<channel>} [<key>{,<key>}]  |  JOIN 0
  JOIN: {
    minParams: 1,
    handler(ctx, [names, keyList]) {
      const user = ctx.user;
      if (names === '0') return inTurn([...user.channels], (ch) => part(ctx, ch, undefined));
      const keys = (keyList ?? '').split(',');
      return inTurn(names!.split(','), (name, i) => (name === '' ? undefined : joinOne(ctx, user, name, keys[i])));
    },
  },

  // PART <channel>{,<channel>} [<reason>]
  PART: {
    minParams: 1,
    handler(ctx, [names, reason]) {
      const user = ctx.user;
      const text = reason === undefined ? undefined : clipUtf8(reason, ctx.limits.kickLength);
      return inTurn(names!.split(','), (name) => {
        if (name === '') return;
        const ch = ctx.network.channel(name);
        if (!ch) return ctx.reply(ERR_NOSUCHCHANNEL, name, 'No such channel');
        if (!ch.members.has(user)) return ctx.reply(ERR_NOTONCHANNEL, ch.name, "You're not on that channel");
        return part(ctx, ch, text);
      });
    },
  },

  // TOPIC <channel> [<topic>]
  TOPIC: {
    minParams: 1,
    handler(ctx, [name, topic]) {
      const user = ctx.user;
      const ch = requireChannel(ctx, name!);
      const membership = ch.members.get(user);
      if (topic === undefined) {
        if (!canSeeChannel(ch, user)) throw new IrcError(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
        return sendTopic(ctx, ch, true);
      }
      if (!membership) throw new IrcError(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
      if (ch.flags.has('t') && !membership.has('o')) {
        throw new IrcError(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
      }
      const text = clipUtf8(topic, ctx.limits.topicLength);
      const msgid = ctx.ids.newMsgid();
      const mask = user.mask;
      return afterCommit(ctx.commit({ type: 'channel.topic', uid: user.uid, channel: ch.name, topic: text, msgid }), (verdict) => {
        if (verdict.ok) ctx.rb.add(new Outgoing(mask, 'TOPIC', [ch.name, text], verdict.time, msgid));
        else ctx.replyRefusal(verdict);
      });
    },
  },

  // NAMES [<channel>{,<channel>}]
  NAMES: {
    minParams: 0,
    handler(ctx, [names]) {
      if (names === undefined || names === '') {
        ctx.reply(RPL_ENDOFNAMES, '*', 'End of /NAMES list');
        return;
      }
      const targets = names.split(',').filter((name) => name !== '');
      const limit = ctx.limits.namesTargets;
      if (targets.length > limit) throw new IrcError(ERR_TOOMANYTARGETS, [targets[limit]!], 'Too many targets');
      // A huge room's names may not fit the send queue at once: paced.
      return sendPaced(ctx, namesOfTargets(ctx, targets));
    },
  },

  // LIST [<channel>{,<channel>}] [<elistcond>{,<elistcond>}]
  LIST: {
    minParams: 0,
    handler(ctx, params) {
      const filter = parseListFilter(params, ctx.now(), ctx.limits.listMasks);
      if ('tooMany' in filter) throw new IrcError(ERR_TOOMANYTARGETS, [filter.tooMany], 'Too many masks');
      ctx.reply(RPL_LISTSTART, 'Channel', 'Users  Name');
      // Thousands of rooms do not fit the send queue at once: paced, 323 after the last.
      return sendPaced(ctx, listEntries(ctx, ctx.user, filter), { end: () => ctx.reply(RPL_LISTEND, 'End of /LIST') });
    },
  },

  // INVITE <nickname> <channel>
  INVITE: {
    minParams: 0,
    handler(ctx, [nick, name]) {
      if (nick === undefined || name === undefined) {
        ctx.reply(RPL_ENDOFINVITELIST, 'End of /INVITE list');
        return;
      }
      const user = ctx.user;
      const target = ctx.network.userByNick(nick);
      if (!target) throw new IrcError(ERR_NOSUCHNICK, [nick], 'No such nick/channel');
      const ch = ctx.network.channel(name);
      if (ch) {
        const membership = ch.members.get(user);
        if (!membership) throw new IrcError(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
        if (ch.flags.has('i') && !membership.has('o')) throw new IrcError(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
        if (ch.members.has(target)) throw new IrcError(ERR_USERONCHANNEL, [target.nick, ch.name], 'is already on channel');
      }
      const channel = ch?.name ?? name;
      const targetNick = target.nick;
      return afterCommit(ctx.commit({ type: 'channel.invite', uid: user.uid, channel, targetUid: target.uid, msgid: ctx.ids.newMsgid() }), (verdict) => {
        if (verdict.ok) ctx.reply(RPL_INVITING, targetNick, channel);
        else if (verdict.refusal?.numeric === ERR_NOSUCHNICK) ctx.reply(ERR_NOSUCHNICK, nick, 'No such nick/channel');
        else ctx.replyRefusal(verdict);
      });
    },
  },

  // KICK <channel>{,<channel>} <user>{,<user>} [<comment>]
  // One room and many users, as many rooms as users (RFC 2812: pairwise), or, as ergo
  // allows, many rooms and one user. One KICK line per target, each failure its own reply.
  KICK: {
    minParams: 2,
    handler(ctx, [names, nicks, comment]) {
      const user = ctx.user;
      const rooms = names!.split(',');
      const targets = nicks!.split(',');
      if (rooms.length !== 1 && targets.length !== 1 && rooms.length !== targets.length) {
        throw new IrcError(ERR_NEEDMOREPARAMS, ['KICK'], 'Not enough parameters');
      }
      const reason = clipUtf8(comment || user.nick, ctx.limits.kickLength);
      const count = Math.max(rooms.length, targets.length);
      // Each room is checked once: `KICK #a x,y` by a non-operator is one 482, not two.
      const checked = new Map<string, { ch: Channel; override: boolean } | IrcError>();
      const pairs = Array.from({ length: count }, (_, i) => [rooms.length === 1 ? rooms[0]! : rooms[i]!, targets.length === 1 ? targets[0]! : targets[i]!] as const);
      return inTurn(pairs, ([name, nick]) => {
        if (name === '' || nick === '') return;
        const folded = foldCase(name);
        let room = checked.get(folded);
        if (room === undefined) {
          room = kickableRoom(ctx, name);
          checked.set(folded, room);
          if (room instanceof IrcError) ctx.reply(room.numeric, ...room.params, room.text);
        }
        if (room instanceof IrcError) return;
        return kickOne(ctx, room.ch, nick, reason, room.override);
      });
    },
  },
};

/** The room `name` if the user may kick there (an IRC operator may anywhere), else the refusal. */
function kickableRoom(ctx: Context, name: string): { ch: Channel; override: boolean } | IrcError {
  const ch = ctx.network.channel(name);
  if (!ch) return new IrcError(ERR_NOSUCHCHANNEL, [name], 'No such channel');
  const membership = ch.members.get(ctx.user);
  // IRC operators may remove anyone from any room (an override, written to the audit log).
  const override = ctx.user.hasMode('o') && !membership?.has('o');
  if (!override) {
    if (!membership) return new IrcError(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
    if (!membership.has('o')) return new IrcError(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
  }
  return { ch, override };
}

function kickOne(ctx: Context, ch: Channel, nick: string, reason: string, override: boolean): void | Promise<void> {
  const user = ctx.user;
  const target = ctx.network.userByNick(nick);
  if (!target || !ch.members.has(target)) {
    ctx.reply(ERR_USERNOTINCHANNEL, nick, ch.name, "They aren't on that channel");
    return;
  }
  const msgid = ctx.ids.newMsgid();
  const mask = user.mask;
  const targetNick = target.nick;
  const event = { type: 'channel.kick', uid: user.uid, channel: ch.name, targetUid: target.uid, reason, override, msgid } as const;
  return afterCommit(ctx.commit(event), (verdict) => {
    if (!verdict.ok) {
      if (verdict.refusal?.numeric === ERR_USERNOTINCHANNEL) ctx.reply(ERR_USERNOTINCHANNEL, nick, ch.name, "They aren't on that channel");
      else ctx.replyRefusal(verdict);
      return;
    }
    ctx.rb.add(new Outgoing(mask, 'KICK', [ch.name, targetNick, reason], verdict.time, msgid));
    if (override) {
      const actor = `oper:${ctx.session.operName ?? user.nick}`;
      ctx.services.audit.record({ time: verdict.time, actor, action: 'kick', target: `${ch.name} ${targetNick}`, detail: reason });
    }
  });
}

/**
 * Joins one room: early checks for a quick refusal, then the JOIN is committed and the
 * network's verdict answered — the JOIN and topic at once, then the names paced to the
 * client's send queue, then the room's replay.
 */
function joinOne(ctx: Context, user: User, name: string, key: string | undefined): void | Promise<void> {
  if (!isValidChannel(name, ctx.limits.channelLength)) return ctx.reply(ERR_BADCHANMASK, name, 'Bad Channel Mask');
  const ch = ctx.network.channel(name);
  if (ch?.members.has(user)) return;
  if (user.channels.size >= ctx.limits.channelsPerUser) return ctx.reply(ERR_TOOMANYCHANNELS, name, 'You have joined too many channels');
  const refusal = ch && joinRefusal(ch, user, key);
  if (refusal) return ctx.reply(refusal.numeric, ...refusal.params, refusal.text);
  const msgid = ctx.ids.newMsgid();
  return afterCommit(ctx.commit({ type: 'channel.join', uid: user.uid, channel: ch?.name ?? name, key, msgid }), (verdict) => {
    if (!verdict.ok) return ctx.replyRefusal(verdict);
    const joined = ctx.network.channel(name);
    if (!joined?.members.has(user)) return;
    ctx.rb.add(joinMessage(user, joined.name, verdict.time, msgid, ctx.session.hasCap('extended-join')));
    if (joined.topic !== '') sendTopic(ctx, joined, false);
    // A huge room's names may not fit the send queue at once: paced. draft/read-marker's
    // MARKREAD comes before them (the spec: before RPL_ENDOFNAMES).
    const names = (): void | Promise<void> => sendPaced(ctx, namesLines(ctx, joined), { end: () => replayOnJoin(ctx, ctx.session, joined) });
    const marker = markerOnJoin(ctx, joined.name);
    return marker ? marker.then(names) : names();
  });
}

/** Why `user` may not join `ch` as it is now (the network checks again when it applies the JOIN). */
function joinRefusal(ch: Channel, user: User, key: string | undefined): IrcError | undefined {
  const invited = ch.invited.has(user.uid);
  if (ch.key !== undefined && key !== ch.key) return new IrcError(ERR_BADCHANNELKEY, [ch.name], 'Cannot join channel (+k)');
  if (ch.limit !== undefined && ch.members.size >= ch.limit) return new IrcError(ERR_CHANNELISFULL, [ch.name], 'Cannot join channel (+l)');
  if (ch.flags.has('i') && !invited && !ch.isInviteExempt(user)) return new IrcError(ERR_INVITEONLYCHAN, [ch.name], 'Cannot join channel (+i)');
  if (!invited && ch.isBanned(user)) return new IrcError(ERR_BANNEDFROMCHAN, [ch.name], 'Cannot join channel (+b)');
  return undefined;
}

function part(ctx: Context, ch: Channel, reason: string | undefined): void | Promise<void> {
  const user = ctx.user;
  const msgid = ctx.ids.newMsgid();
  const mask = user.mask;
  return afterCommit(ctx.commit({ type: 'channel.part', uid: user.uid, channel: ch.name, reason, msgid }), (verdict) => {
    if (!verdict.ok) return ctx.replyRefusal(verdict);
    ctx.rb.add(new Outgoing(mask, 'PART', reason === undefined ? [ch.name] : [ch.name, reason], verdict.time, msgid));
  });
}

function sendTopic(ctx: Context, ch: Channel, sayIfNone: boolean): void {
  if (ch.topic === '') {
    if (sayIfNone) ctx.reply(RPL_NOTOPIC, ch.name, 'No topic is set');
    return;
  }
  ctx.reply(RPL_TOPIC, ch.name, ch.topic);
  ctx.reply(RPL_TOPICWHOTIME, ch.name, ch.topicSetBy, String(Math.floor(ch.topicSetAt / 1000)));
}

/** LIST's 322 lines, made one by one as the paced reply asks for them (rooms come and go meanwhile). */
function* listEntries(ctx: Context, user: User, filter: ListFilter): Generator<Outgoing> {
  for (const ch of ctx.network.channels.values()) {
    if (!canSeeChannel(ch, user) || !listFilterAccepts(filter, ch)) continue;
    yield numericReply(ctx, RPL_LIST, ch.name, String(ch.members.size), ch.topic);
  }
}

/** NAMES of each room in a comma-separated list, each ended by its 366. */
function* namesOfTargets(ctx: Context, targets: readonly string[]): Generator<Outgoing> {
  for (const name of targets) {
    const ch = ctx.network.channel(name);
    if (ch) yield* namesLines(ctx, ch);
    else yield numericReply(ctx, RPL_ENDOFNAMES, name, 'End of /NAMES list');
  }
}

