// Looking people up: WHO (with WHOX), WHOIS, WHOWAS, ISON, USERHOST.
import { foldCase } from '../../protocol/casemapping.ts';
import { compileMask, hasWildcards } from '../../protocol/mask.ts';
import {
  ERR_NONICKNAMEGIVEN,
  ERR_NOSUCHNICK,
  ERR_WASNOSUCHNICK,
  RPL_AWAY,
  RPL_ENDOFWHO,
  RPL_ENDOFWHOIS,
  RPL_ENDOFWHOWAS,
  RPL_ISON,
  RPL_USERHOST,
  RPL_WHOISACCOUNT,
  RPL_WHOISBOT,
  RPL_WHOISCHANNELS,
  RPL_WHOISIDLE,
  RPL_WHOISOPERATOR,
  RPL_WHOISSECURE,
  RPL_WHOISSERVER,
  RPL_WHOISUSER,
  RPL_WHOREPLY,
  RPL_WHOSPCRPL,
  RPL_WHOWASUSER,
} from '../../protocol/numerics.ts';
import { isChannelName } from '../../protocol/validate.ts';
import { BOT_MODE } from '../../protocol/isupport.ts';
import { packWords } from '../../protocol/word-lines.ts';
import { utf8ByteLength } from '../../protocol/wire-text.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import type { Outgoing } from '../outgoing.ts';
import { numericReply, sendPaced } from '../paced-reply.ts';
import type { Channel, User } from '../../network/state.ts';

const WHO_RESULT_LIMIT = 500;
const WHOX_ORDER = 'tcuihsnfdlaor';

/** Whether `viewer` may see `u` in WHO: not invisible, or shares a channel, or is `u`. */
function visibleTo(u: User, viewer: User): boolean {
  if (u === viewer || !u.modes.has('i')) return true;
  for (const ch of u.channels) if (ch.members.has(viewer)) return true;
  return false;
}

export const queryCommands: CommandGroup = {
  // WHO <mask> [%<fields>[,<token>]]
  WHO: {
    minParams: 0,
    handler(ctx, [rawMask, options]) {
      const mask = rawMask ?? '*';
      const whox = options?.startsWith('%') ? parseWhox(options) : undefined;
      // A huge room's members may not fit the send queue at once: paced, 315 after the last.
      return sendPaced(ctx, whoEntries(ctx, ctx.user, mask, whox), { end: () => ctx.reply(RPL_ENDOFWHO, mask, 'End of WHO list') });
    },
  },

  // WHOIS [<target>] <nick>
  WHOIS: {
    minParams: 0,
    handler(ctx, params) {
      const nick = params[params.length - 1]?.split(',')[0];
      if (nick === undefined || nick === '') throw new IrcError(ERR_NONICKNAMEGIVEN, [], 'No nickname given');
      const u = ctx.network.userByNick(nick);
      if (!u) {
        ctx.reply(ERR_NOSUCHNICK, nick, 'No such nick/channel');
        ctx.reply(RPL_ENDOFWHOIS, nick, 'End of /WHOIS list');
        return;
      }
      whois(ctx, u);
    },
  },

  // WHOWAS <nick> [<count>]
  WHOWAS: {
    minParams: 0,
    handler(ctx, [nick, countText]) {
      if (nick === undefined || nick === '') throw new IrcError(ERR_NONICKNAMEGIVEN, [], 'No nickname given');
      const limit = Number(countText) > 0 ? Number(countText) : Infinity;
      const folded = foldCase(nick);
      let found = 0;
      const history = ctx.services.whowas;
      for (let i = history.length - 1; i >= 0 && found < limit; i--) {
        const e = history[i]!;
        if (foldCase(e.nick) !== folded) continue;
        found++;
        ctx.reply(RPL_WHOWASUSER, e.nick, e.username, e.hostname, '*', e.realname);
        ctx.reply(RPL_WHOISSERVER, e.nick, ctx.serverName, new Date(e.time).toUTCString());
      }
      if (found === 0) ctx.reply(ERR_WASNOSUCHNICK, nick, 'There was no such nickname');
      ctx.reply(RPL_ENDOFWHOWAS, nick, 'End of WHOWAS');
    },
  },

  // ISON <nickname>{ <nickname>}
  ISON: {
    minParams: 1,
    handler(ctx, params) {
      const online = params
        .flatMap((p) => p.split(' '))
        .map((n) => ctx.network.userByNick(n)?.nick)
        .filter((n): n is string => n !== undefined);
      ctx.reply(RPL_ISON, online.join(' '));
    },
  },

  // USERHOST <nickname>{ <nickname>}
  USERHOST: {
    minParams: 1,
    handler(ctx, params) {
      const replies: string[] = [];
      for (const nick of params.flatMap((p) => p.split(' ')).slice(0, 5)) {
        const u = ctx.network.userByNick(nick);
        if (!u) continue;
        replies.push(`${u.nick}${u.modes.has('o') ? '*' : ''}=${u.away === undefined ? '+' : '-'}${u.username}@${u.hostname}`);
      }
      ctx.reply(RPL_USERHOST, replies.join(' '));
    },
  },
};

/** WHO's replies, at most WHO_RESULT_LIMIT, made one by one as the paced reply asks for them. */
function* whoEntries(ctx: Context, viewer: User, mask: string, whox: Whox | undefined): Generator<Outgoing> {
  let count = 0;
  for (const [u, ch] of whoMatches(ctx, viewer, mask)) {
    if (count++ >= WHO_RESULT_LIMIT) return;
    yield whoReply(ctx, u, ch, whox);
  }
}

/** The users a WHO mask finds that `viewer` may see, with the room they were found in. */
function* whoMatches(ctx: Context, viewer: User, mask: string): Generator<[User, Channel | undefined]> {
  const { network } = ctx;
  if (isChannelName(mask)) {
    const ch = network.channel(mask);
    if (ch && (!ch.flags.has('s') || ch.members.has(viewer))) {
      const member = ch.members.has(viewer);
      for (const u of ch.members.keys()) if (member || !u.modes.has('i')) yield [u, ch];
    }
  } else if (!hasWildcards(mask) && mask !== '0') {
    // An exact nick finds a service too (as ergo answers `WHO NickServ`).
    const u = network.userByNick(mask);
    if (u) yield [u, undefined];
  } else {
    const all = mask === '0' || mask === '*';
    const matches = compileMask(mask);
    for (const u of network.users.values()) {
      // The admin pseudo-user is a service, not someone on the network: masks leave it out.
      if (u === network.admin || !visibleTo(u, viewer)) continue;
      if (all || [u.nick, u.username, u.hostname, u.realname, serverOf(ctx, u)].some(matches)) {
        yield [u, undefined];
      }
    }
  }
}

function whois(ctx: Context, u: User): void {
  const viewer = ctx.user;
  const { services } = ctx;
  ctx.reply(RPL_WHOISUSER, u.nick, u.username, u.hostname, '*', u.realname);
  const channels: string[] = [];
  for (const ch of u.channels) {
    if (ch.flags.has('s') && !ch.members.has(viewer) && viewer !== u) continue;
    channels.push(ch.members.get(u)!.prefix(ctx.session.hasCap('multi-prefix')) + ch.name);
  }
  // Several 319 lines when one would pass LINELEN, as NAMES does (a user in many rooms).
  const fixed = `:${ctx.serverName} ${RPL_WHOISCHANNELS} ${ctx.session.nickOrStar} ${u.nick} :\r\n`;
  for (const line of packWords(channels, ctx.limits.lineBytes - utf8ByteLength(fixed))) ctx.reply(RPL_WHOISCHANNELS, u.nick, line);
  ctx.reply(RPL_WHOISSERVER, u.nick, serverOf(ctx, u), ctx.config.server.network);
  if (u === ctx.network.admin) ctx.reply(RPL_WHOISOPERATOR, u.nick, 'is a Network Service');
  else if (u.modes.has('o')) ctx.reply(RPL_WHOISOPERATOR, u.nick, 'is an IRC operator');
  if (u.hasMode(BOT_MODE)) ctx.reply(RPL_WHOISBOT, u.nick, `is a bot on ${ctx.config.server.network}`);
  if (u.account !== undefined) ctx.reply(RPL_WHOISACCOUNT, u.nick, u.account, 'is logged in as');
  if (u.secure) ctx.reply(RPL_WHOISSECURE, u.nick, 'is using a secure connection');
  if (u.away !== undefined) ctx.reply(RPL_AWAY, u.nick, u.away);
  const local = services.local(u.uid);
  if (local) {
    const idle = Math.max(0, Math.floor((ctx.now() - local.lastSpokeAt) / 1000));
    ctx.reply(RPL_WHOISIDLE, u.nick, String(idle), String(Math.floor(u.signonAt / 1000)), 'seconds idle, signon time');
  }
  ctx.reply(RPL_ENDOFWHOIS, u.nick, 'End of /WHOIS list');
}

interface Whox {
  fields: string;
  token: string;
}

function parseWhox(options: string): Whox {
  const [fields = '', token = '0'] = options.slice(1).split(',');
  return { fields, token: token.slice(0, 3) };
}

function whoFlags(ctx: Context, u: User, ch: Channel | undefined): string {
  let flags = u.away === undefined ? 'H' : 'G';
  if (u.modes.has('o')) flags += '*';
  const m = ch?.members.get(u);
  if (m) flags += m.prefix(ctx.session.hasCap('multi-prefix'));
  // IRCv3 bot-mode: the BOT letter after the others, as ergo writes it.
  if (u.hasMode(BOT_MODE)) flags += BOT_MODE;
  return flags;
}

/** The node a user is on, named as LINKS names it (the admin pseudo-user is on every node: this one). */
function serverOf(ctx: Context, u: User): string {
  return u === ctx.network.admin ? ctx.serverName : ctx.network.serverNameOf(u.nodeId);
}

function whoReply(ctx: Context, u: User, ch: Channel | undefined, whox: Whox | undefined): Outgoing {
  const serverName = serverOf(ctx, u);
  const channel = ch?.name ?? '*';
  if (!whox) {
    return numericReply(ctx, RPL_WHOREPLY, channel, u.username, u.hostname, serverName, u.nick, whoFlags(ctx, u, ch), `0 ${u.realname}`);
  }
  const out: string[] = [];
  for (const f of WHOX_ORDER) {
    if (!whox.fields.includes(f)) continue;
    switch (f) {
      case 't': out.push(whox.token); break;
      case 'c': out.push(channel); break;
      case 'u': out.push(u.username); break;
      case 'i': out.push('255.255.255.255'); break;
      case 'h': out.push(u.hostname); break;
      case 's': out.push(serverName); break;
      case 'n': out.push(u.nick); break;
      case 'f': out.push(whoFlags(ctx, u, ch)); break;
      case 'd': out.push('0'); break;
      case 'l': out.push('0'); break;
      case 'a': out.push(u.account ?? '0'); break;
      case 'o': out.push('n/a'); break;
      case 'r': out.push(u.realname); break;
    }
  }
  // The realname may hold spaces, so it goes last as a trailing parameter.
  return numericReply(ctx, RPL_WHOSPCRPL, ...out);
}
