// Connection registration: PASS, NICK, USER, and the welcome burst.
import { createHash, timingSafeEqual } from 'node:crypto';
import { foldCase } from '../../protocol/casemapping.ts';
import {
  ERR_ALREADYREGISTERED,
  ERR_SASLABORTED,
  ERR_ERRONEUSNICKNAME,
  ERR_NICKCHANGEFORBIDDEN,
  ERR_NEEDMOREPARAMS,
  ERR_NICKNAMEINUSE,
  ERR_NONICKNAMEGIVEN,
  ERR_PASSWDMISMATCH,
  ERR_YOUREBANNEDCREEP,
} from '../../protocol/numerics.ts';
import { clipUtf8, ownedString } from '../../protocol/text.ts';
import { guardNick, guestNick } from '../accounts.ts';
import { mayTakeOnceLoggedIn, ownerDisplacement } from '../lookalike-accounts.ts';
import { nickOccupants } from '../../network/lookalike-nicks.ts';
import { lockoutText, type AuthAttempt } from '../auth-guard.ts';
import { normalizeNick } from '../../protocol/unicode-nick.ts';
import { sanitizeUsername } from '../../protocol/validate.ts';
import { erroneousNickText, nickRefusal } from '../nick-refusal.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { lusersLines, motdLines } from './info.ts';
import { afterCommit } from '../../node/log-follower.ts';

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
      const casemapping = ctx.config.server.casemapping;
      if (params[0] === undefined || params[0] === '') throw new IrcError(ERR_NONICKNAMEGIVEN, [], 'No nickname given');
      const nick = normalizeNick(params[0], casemapping === 'precis');
      const refusal = nickRefusal(params[0], ctx.limits.nickLength, casemapping);
      if (refusal !== undefined) {
        throw new IrcError(ERR_ERRONEUSNICKNAME, [asMiddleParam(params[0])], erroneousNickText(refusal, ctx.limits.nickLength, casemapping));
      }
      const holder = ctx.network.userByNick(nick);
      const session = ctx.session;
      if (!session.user) {
        // Checked again when the user is introduced (tryCompleteRegistration, then the reducer);
        // here to answer before USER.
        if (nickOccupants(ctx.network, nick).length === 0) return acceptNick(ctx, nick);
        return mayTakeOnceLoggedIn(ctx, session, nick).then((mayTake) => {
          if (!mayTake) throw nickInUse(nick, holder !== undefined);
          return acceptNick(ctx, nick);
        });
      }
      const user = session.user;
      if (nick === user.nick) return;
      // The account's owner takes its nick from whoever holds it, or a look-alike, without a right to it.
      const displace = ownerDisplacement(ctx, user.account, nick, user, () => guestNick(ctx));
      if (holder && holder !== user && displace?.uid !== holder.uid) throw nickInUse(nick, true);
      // A muted user keeps their nick: a new one would slip out from under a nick mute.
      if (ctx.network.mutes.match(ctx.now(), session.conn.remoteAddress, user.mask)) {
        throw new IrcError(ERR_NICKCHANGEFORBIDDEN, [nick], 'You cannot change your nickname while muted');
      }
      if (ctx.network.bans.match(ctx.now(), session.conn.remoteAddress, `${nick}!${user.username}@${user.hostname}`)) {
        throw new IrcError(ERR_ERRONEUSNICKNAME, [nick], 'That nickname is banned on this server');
      }
      const msgid = ctx.ids.newMsgid();
      const mask = user.mask;
      return afterCommit(ctx.commit({ type: 'user.nick', uid: user.uid, nick, msgid, ...(displace && { displace }) }), (verdict) => {
        if (!verdict.ok) return ctx.replyRefusal(verdict);
        if (displace) ctx.services.logger.info({ nick, guest: displace.nick }, 'renamed off a registered nick (or a look-alike) by its owner');
        ctx.rb.add(new Outgoing(mask, 'NICK', [nick], verdict.time, msgid, undefined, user.account));
        // Someone else's registered nick must be logged in to, or given back.
        guardNick(ctx, session);
      });
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
      // Modern IRC: an empty realname SHOULD be refused, the client staying unregistered. One of
      // spaces only is refused too (ergo takes it), as it would show as nothing in WHOIS.
      if (realname!.trim() === '') throw new IrcError(ERR_NEEDMOREPARAMS, ['USER'], 'Not enough parameters');
      const limits = ctx.limits;
      // An unusable ident is replaced rather than refused, as other servers do.
      // Copies: the user keeps these for as long as it is connected, the line's read need not live on.
      session.username = ownedString(sanitizeUsername(username!, limits.userLength) ?? 'user');
      session.realname = ownedString(clipUtf8(realname!, limits.realnameLength));
      return tryCompleteRegistration(ctx);
    },
  },
};

/** A nick accepted before registration: registration completes if USER is in too. */
function acceptNick(ctx: Context, nick: string): void | Promise<void> {
  ctx.session.nick = ownedString(nick);
  return tryCompleteRegistration(ctx);
}

/** 433: `nick` is held, or (`taken` false) a look-alike of it is. */
function nickInUse(nick: string, taken: boolean): IrcError {
  return new IrcError(ERR_NICKNAMEINUSE, [nick], taken ? 'Nickname is already in use' : 'Nickname is too like one already in use');
}

/**
 * A rejected nick is echoed in a middle parameter, which cannot hold a space or start with
 * ':' (`NICK :a b` would otherwise produce a malformed reply); such a nick is shown as '*'.
 */
function asMiddleParam(text: string): string {
  return text.includes(' ') || text.startsWith(':') ? '*' : text;
}

/** Registration completes once NICK and USER are in and CAP negotiation (if any) ended. */
export function tryCompleteRegistration(ctx: Context): void | Promise<void> {
  const { session, services } = ctx;
  if (session.registered || session.capNegotiating) return;
  if (session.nick === undefined || session.username === undefined) return;
  if (session.sasl) {
    // IRCv3 SASL: registration completing mid-exchange aborts it; the user goes on without.
    session.sasl = undefined;
    ctx.reply(ERR_SASLABORTED, 'SASL authentication aborted');
  }

  const required = ctx.config.server.password;
  if (required !== undefined) {
    const address = session.conn.remoteAddress;
    const given = session.password;
    const attempt: AuthAttempt = { kind: 'pass', address };
    // An address locked out for guessing is refused without its password being looked at.
    const lockout = services.authGuard.lockout(attempt);
    if (lockout || given === undefined || !samePassword(required, given)) {
      if (!lockout) {
        // No password at all is logged, but is not a guess.
        services.authGuard.failed(attempt, 'wrong connection password', { id: session.conn.id, nick: session.nick, address, passwordGiven: given !== undefined }, given !== undefined);
      }
      ctx.reply(ERR_PASSWDMISMATCH, lockout ? lockoutText(lockout, 'connection passwords') : 'Password incorrect');
      ctx.rb.flush();
      session.disconnect('Bad password');
      return;
    }
  }
  // Someone on the nick (taken since the NICK was accepted, or there already when a login could
  // still give it) gives way to the account's owner; to anyone else the nick is refused, and
  // the client picks another and registration goes on.
  const occupants = nickOccupants(ctx.network, session.nick);
  const displace = occupants.length > 0 ? ownerDisplacement(ctx, session.preAccount, session.nick, undefined, () => guestNick(ctx)) : undefined;
  if (occupants.length > 0 && !displace) {
    const refused = session.nick;
    session.nick = undefined;
    throw nickInUse(refused, ctx.network.nicks.has(foldCase(refused)));
  }

  const uid = ctx.ids.newUid();
  const hostname = session.gatewayHostname ?? displayHost(session.conn.remoteAddress);
  const userMask = `${session.nick}!${session.username}@${hostname}`;
  if (refuseBanned(ctx, userMask, ctx.now())) return;
  const nick = session.nick;
  // Deliveries to the new uid reach this session as soon as the network has the user.
  services.claimUid(session, uid);
  const committed = ctx.commit({
    type: 'user.introduce',
    uid,
    nodeId: services.nodeId,
    nick,
    username: session.username,
    hostname,
    realname: session.realname ?? session.username,
    secure: session.conn.secure,
    address: session.conn.remoteAddress,
    modes: '',
    account: session.preAccount,
    ...(displace && { displace }),
  });
  return afterCommit(committed, (verdict) => {
    const user = ctx.network.users.get(uid);
    if (!verdict.ok || !user) {
      services.releaseUid(uid);
      if (session.conn.closed) return;
      // Banned meanwhile (on another node): as if the ban had been there first.
      if (verdict.refusal?.numeric === ERR_YOUREBANNEDCREEP && refuseBanned(ctx, userMask, verdict.time)) return;
      if (!verdict.refusal) {
        // This node is not (or no longer) part of the network: it is rejoining.
        session.disconnect('The server is rejoining the network; please reconnect');
        return;
      }
      // Taken meanwhile on another node: the client picks another and registration goes on.
      if (session.nick === nick) session.nick = undefined;
      ctx.replyRefusal(verdict);
      return;
    }
    // Hung up while the network took it in (its close found no user to quit): the user leaves at once.
    if (session.conn.closed) {
      services.releaseUid(uid);
      ctx.publish({ type: 'user.quit', uid, reason: session.quitReason ?? 'Connection closed', msgid: ctx.ids.newMsgid() });
      return;
    }
    session.user = user;
    if (displace) services.logger.info({ nick, guest: displace.nick }, 'renamed off a registered nick (or a look-alike) by its owner connecting');
    services.registered(session);
    const { conn } = session;
    services.logger.info({ id: conn.id, nick, user: session.username, address: conn.remoteAddress, transport: conn.transport, account: session.preAccount }, 'registered');
    sendWelcome(ctx);
    guardNick(ctx, session);
  });
}

/** Refused for a server ban in force at `at`: told why, and the connection closes. */
function refuseBanned(ctx: Context, userMask: string, at: number): boolean {
  const { session, services } = ctx;
  const ban = ctx.network.bans.match(at, session.conn.remoteAddress, userMask);
  if (!ban) return false;
  const [numeric, error] = services.bannedLines(ban, session.nick ?? '*', session.conn.remoteAddress);
  ctx.rb.flush();
  session.sendLine(numeric!);
  services.stats.refused.banned++;
  session.close(`Banned: ${ban.reason}`, error!);
  return true;
}

/** Compared in constant time (digests of equal length), so that timing tells nothing of the password. */
function samePassword(required: string, given: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(required), digest(given));
}

/** An IPv6 address starting with ':' would read as a trailing parameter; prefix a 0. */
function displayHost(address: string): string {
  return address.startsWith(':') ? `0${address}` : address;
}

/** 001 to 005, LUSERS and the MOTD, handed over as one burst of text. */
function sendWelcome(ctx: Context): void {
  const user = ctx.user;
  const nick = user.nick;
  const { texts } = ctx.services;
  const lines = [`${texts.welcome.text(nick)} ${user.mask}`];
  for (const line of texts.intro) lines.push(line.text(nick));
  isupportLines(ctx, lines);
  lusersLines(ctx, lines);
  motdLines(ctx, lines);
  ctx.rb.addText(lines, ctx.now());
}

export function sendIsupport(ctx: Context): void {
  const lines: string[] = [];
  isupportLines(ctx, lines);
  ctx.rb.addText(lines, ctx.now());
}

function isupportLines(ctx: Context, out: string[]): void {
  const nick = ctx.session.nickOrStar;
  for (const line of ctx.services.texts.isupportNumerics) out.push(line.text(nick));
}
