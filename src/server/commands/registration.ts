// Connection registration: PASS, NICK, USER, and the welcome burst.
import { foldCase } from '../../protocol/casemapping.ts';
import {
  ERR_ALREADYREGISTERED,
  ERR_ERRONEUSNICKNAME,
  ERR_NICKNAMEINUSE,
  ERR_NONICKNAMEGIVEN,
  ERR_PASSWDMISMATCH,
  RPL_CREATED,
  RPL_ISUPPORT,
  RPL_MYINFO,
  RPL_WELCOME,
  RPL_YOURHOST,
} from '../../protocol/numerics.ts';
import { clipUtf8 } from '../../protocol/text.ts';
import { isValidNick, sanitizeUsername } from '../../protocol/validate.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { VERSION } from '../version.ts';
import { sendLusers, sendMotd } from './info.ts';

export const registrationCommands: CommandGroup = {
  // PASS <password>
  PASS: {
    minParams: 1,
    preRegistration: true,
    handler(ctx, [password]) {
      if (ctx.session.registered) throw new IrcError(ERR_ALREADYREGISTERED, [], 'You may not reregister');
      ctx.session.password = password;
    },
  },

  // NICK <nickname>
  NICK: {
    minParams: 0,
    preRegistration: true,
    handler(ctx, params) {
      const nick = params[0];
      if (nick === undefined || nick === '') throw new IrcError(ERR_NONICKNAMEGIVEN, [], 'No nickname given');
      if (!isValidNick(nick, ctx.server.limits.nickLength)) {
        throw new IrcError(ERR_ERRONEUSNICKNAME, [asMiddleParam(nick)], 'Erroneous nickname');
      }
      const holder = ctx.server.network.userByNick(nick);
      const session = ctx.session;
      if (!session.user) {
        if (holder) throw new IrcError(ERR_NICKNAMEINUSE, [nick], 'Nickname is already in use');
        session.nick = nick;
        return tryCompleteRegistration(ctx);
      }
      const user = session.user;
      if (nick === user.nick) return;
      if (holder && holder !== user) throw new IrcError(ERR_NICKNAMEINUSE, [nick], 'Nickname is already in use');
      const time = ctx.now();
      const msgid = ctx.server.newMsgid();
      ctx.rb.add(new Outgoing(user.mask, 'NICK', [nick], time, msgid));
      ctx.server.publish({ type: 'user.nick', uid: user.uid, nick, time, msgid });
    },
  },

  // USER <username> <mode> <unused> <realname>
  USER: {
    minParams: 4,
    preRegistration: true,
    handler(ctx, [username, , , realname]) {
      const session = ctx.session;
      if (session.registered || session.username !== undefined) {
        throw new IrcError(ERR_ALREADYREGISTERED, [], 'You may not reregister');
      }
      const limits = ctx.server.limits;
      // An unusable ident is replaced rather than refused, as other servers do.
      session.username = sanitizeUsername(username!, limits.userLength) ?? 'user';
      session.realname = clipUtf8(realname || session.username, limits.realnameLength);
      tryCompleteRegistration(ctx);
    },
  },
};

/**
 * A rejected nick is echoed in a middle parameter, which cannot hold a space or start with
 * ':' (`NICK :a b` would otherwise produce a malformed reply); such a nick is shown as '*'.
 */
function asMiddleParam(text: string): string {
  return text.includes(' ') || text.startsWith(':') ? '*' : text;
}

/** Registration completes once NICK and USER are in and CAP negotiation (if any) ended. */
export function tryCompleteRegistration(ctx: Context): void {
  const { session, server } = ctx;
  if (session.registered || session.capNegotiating) return;
  if (session.nick === undefined || session.username === undefined) return;

  const required = server.config.server.password;
  if (required !== undefined && session.password !== required) {
    ctx.reply(ERR_PASSWDMISMATCH, 'Password incorrect');
    ctx.rb.flush();
    session.disconnect('Bad password');
    return;
  }
  if (server.network.nicks.has(foldCase(session.nick))) {
    // Taken since the NICK was accepted; the client picks another and registration goes on.
    const nick = session.nick;
    session.nick = undefined;
    throw new IrcError(ERR_NICKNAMEINUSE, [nick], 'Nickname is already in use');
  }

  const uid = server.newUid();
  const hostname = displayHost(session.conn.remoteAddress);
  server.publish({
    type: 'user.introduce',
    uid,
    nodeId: server.bus.nodeId,
    nick: session.nick,
    username: session.username,
    hostname,
    realname: session.realname ?? session.username,
    signonAt: ctx.now(),
    secure: session.conn.secure,
    modes: '',
  });
  session.user = server.network.users.get(uid);
  if (!session.user) throw new Error('user.introduce was not applied');
  server.registered(session);
  server.logger.info({ nick: session.nick, address: session.conn.remoteAddress, transport: session.conn.transport }, 'registered');
  sendWelcome(ctx);
}

/** An IPv6 address starting with ':' would read as a trailing parameter; prefix a 0. */
function displayHost(address: string): string {
  return address.startsWith(':') ? `0${address}` : address;
}

function sendWelcome(ctx: Context): void {
  const { server } = ctx;
  const user = ctx.user;
  const network = server.config.server.network;
  ctx.reply(RPL_WELCOME, `Welcome to the ${network} IRC Network ${user.mask}`);
  ctx.reply(RPL_YOURHOST, `Your host is ${server.serverName}, running version ${VERSION}`);
  ctx.reply(RPL_CREATED, `This server was created ${new Date(server.createdAt).toUTCString()}`);
  ctx.rb.server(RPL_MYINFO, [user.nick, server.serverName, VERSION, 'iow', 'biklmnst', 'bklov']);
  sendIsupport(ctx);
  sendLusers(ctx);
  sendMotd(ctx);
}

export function sendIsupport(ctx: Context): void {
  const tokens = ctx.server.isupport;
  for (let i = 0; i < tokens.length; i += 12) {
    ctx.reply(RPL_ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
  }
}
