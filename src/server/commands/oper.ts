// IRC operators: OPER, and the operator-only commands KILL, KLINE/UNKLINE, MUTE/UNMUTE,
// LIMIT, WALLOPS, REHASH, STATS, ACCOUNTS. The actions themselves live in admin.ts, shared with the
// console; this file turns IRC parameters into them and their errors into numerics.
import { formatDuration, takeDuration, type TakenDuration } from '../../protocol/duration.ts';
import { matchMask } from '../../protocol/mask.ts';
import {
  ERR_NEEDMOREPARAMS,
  ERR_NOOPERHOST,
  ERR_NOSUCHCHANNEL,
  ERR_NOSUCHNICK,
  ERR_USERNOTINCHANNEL,
  RPL_ENDOFSTATS,
  RPL_REHASHING,
  RPL_STATSKLINE,
  RPL_STATSUPTIME,
  RPL_YOUREOPER,
} from '../../protocol/numerics.ts';
import { listAccounts, removeAccount, setSuspended } from '../accounts.ts';
import { AdminError, type Actor } from '../admin.ts';
import { lockoutText, operKey, type AuthAttempt } from '../auth-guard.ts';
import { parseBanTarget, type ServerBan } from '../../network/bans.ts';
import type { CommandGroup, CommandSpec, Context } from '../context.ts';
import type { BanListName } from '../../network/events.ts';
import { IrcError, StandardReplyError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { verifyPassword } from '../passwords.ts';
import { HashQueueFullError } from '../scrypt-queue.ts';

/** The operator behind this command, as the admin actions name actors. */
export function operActor(ctx: Context): Actor {
  const user = ctx.user;
  return { id: `oper:${ctx.session.operName ?? user.nick}`, nick: user.nick, source: user.mask, uid: user.uid };
}

/** A confirmation to the operator, as a server notice. */
function notice(ctx: Context, text: string): void {
  ctx.rb.server('NOTICE', [ctx.session.nickOrStar, text]);
}

/** An async admin action, its refusal turned into the reply an IRC client expects. */
async function runAsync<T>(command: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    throw toIrcError(command, err);
  }
}

/** Runs an admin action, giving its refusal (at once, or from the log's verdict) the numeric an IRC client expects. */
async function run<T>(ctx: Context, command: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    throw toIrcError(command, err);
  }
}

function toIrcError(command: string, err: AdminError): IrcError | StandardReplyError {
  switch (err.code) {
    case 'no-such-nick':
      return new IrcError(ERR_NOSUCHNICK, [err.message.replace(/^No such nick: /, '')], 'No such nick');
    case 'no-such-channel':
      return new IrcError(ERR_NOSUCHCHANNEL, [err.message.replace(/^No such room: /, '')], 'No such channel');
    case 'not-on-channel':
      return new IrcError(ERR_USERNOTINCHANNEL, ['*', '*'], err.message);
    case 'invalid-target':
      return new StandardReplyError(command, 'INVALID_TARGET', [], err.message);
    case 'not-found':
      return new StandardReplyError(command, 'NOT_FOUND', [], err.message);
    case 'reload-failed': {
      // A config error lists one problem per line; a reply is one line, so they are joined.
      const reason = err.message.trim().replace(/\s*[\r\n]+\s*/g, '; ').replace(/:;/g, ':');
      return new StandardReplyError(command, 'RELOAD_FAILED', [], `The config was not reloaded and the old one stays in force: ${reason}`);
    }
    default:
      return new StandardReplyError(command, 'INVALID_PARAMS', [], err.message);
  }
}

/**
 * `[<duration>] <mask> [<duration>] [<reason>…]`: the duration may come before the mask
 * (ergo) or after it (InspIRCd); 0 or "perm" means permanent. A reason given without a
 * leading ':' arrives as several parameters (irssi sends `/kline bob 1h spam spam` as is),
 * and so may a duration (`KLINE bob 90 min spam`). A duration that does not read ("90mn",
 * "10 spam") is refused with a hint rather than taken for the reason.
 */
function parseBanParams(command: string, params: string[]): { mask: string; durationMs: number | undefined; reason: string } | undefined {
  const take = (words: string[]): TakenDuration => {
    const taken = takeDuration(words);
    if ('problem' in taken) throw new StandardReplyError(command, 'INVALID_PARAMS', [], taken.problem);
    return taken;
  };
  let rest = [...params];
  // A leading word is the mask when it is one (an IP, a CIDR, a mask with ! @ * ?), else a duration if it looks like one.
  const none: TakenDuration = { ms: undefined, words: 0 };
  const leading = parseBanTarget(rest[0] ?? '')?.kind === 'cidr' || /[!@*?]/.test(rest[0] ?? '') ? none : take(rest);
  rest = rest.slice(leading.words);
  const mask = rest.shift();
  if (mask === undefined) return undefined;
  // After the mask, the trailing parameter's words count too: `KLINE bob :1h spam`.
  const words = rest.flatMap((p) => p.split(' ').filter((w) => w !== ''));
  const trailing = leading.words > 0 ? none : take(words);
  const durationMs = leading.words > 0 ? leading.ms : trailing.ms;
  return { mask, durationMs, reason: words.slice(trailing.words).join(' ').trim() || 'No reason given' };
}

function banCommand(list: BanListName): CommandSpec {
  return {
    minParams: 1,
    oper: true,
    async handler(ctx, params) {
      const parsed = parseBanParams(ctx.msg.command, params);
      if (!parsed) throw new IrcError(ERR_NEEDMOREPARAMS, [ctx.msg.command], 'Not enough parameters');
      const { ban, affected } = await run(ctx, ctx.msg.command, () =>
        ctx.services.admin[list](operActor(ctx), parsed.mask, parsed.durationMs, parsed.reason),
      );
      const span = parsed.durationMs === undefined ? 'permanently' : `for ${formatDuration(parsed.durationMs)}`;
      const what = list === 'ban' ? 'Banned' : 'Muted';
      const effect = list === 'ban' ? 'disconnected' : 'silenced';
      notice(ctx, `*** ${what} ${ban.mask} ${span} (${ban.reason}); ${affected} client(s) here ${effect}`);
    },
  };
}

function unbanCommand(list: BanListName): CommandSpec {
  return {
    minParams: 1,
    oper: true,
    async handler(ctx, [mask]) {
      const ban = await run(ctx, ctx.msg.command, () => (list === 'ban' ? ctx.services.admin.unban(operActor(ctx), mask!) : ctx.services.admin.unmute(operActor(ctx), mask!)));
      notice(ctx, `*** Removed the ${list} on ${ban.mask}`);
    },
  };
}

function statsEntry(ctx: Context, letter: string, b: ServerBan): void {
  // A middle parameter holds no space: "59m 59s" is sent as "59m59s" (as KLINE takes it).
  const left = b.expiresAt === undefined ? 'permanent' : formatDuration(b.expiresAt - ctx.now()).replace(/ /g, '');
  ctx.reply(RPL_STATSKLINE, letter, b.mask, left, `${b.reason} (set by ${b.setBy})`);
}

export const operCommands: CommandGroup = {
  // OPER <name> <password>
  // Every failure (unknown name, host not allowed, wrong password) gets the same answer, as
  // InspIRCd gives it: 491 "Invalid oper credentials"; only the log says which it was.
  OPER: {
    minParams: 2,
    async handler(ctx, [name, password]) {
      const user = ctx.user;
      const { services } = ctx;
      const address = ctx.session.conn.remoteAddress;
      const attempt: AuthAttempt = { kind: 'oper', address, account: operKey(name!) };
      // Refused before any hashing: a locked-out guess costs nothing.
      const lockout = services.authGuard.lockout(attempt);
      if (lockout) throw new IrcError(ERR_NOOPERHOST, [], lockoutText(lockout, 'OPER attempts'));
      const entry = ctx.config.opers.find((o) => o.name === name);
      // The host is checked first: from a host not allowed the password is never compared.
      // A hash of nothing is checked instead (and for an unknown name), so that timing tells nothing.
      const hostAllowed = entry !== undefined && entry.hosts.some((h) => matchMask(h, `${user.username}@${user.hostname}`));
      const hash = hostAllowed && entry ? entry.password : DUMMY_HASH;
      let ok: boolean;
      try {
        ok = await services.hashing.run(() => verifyPassword(password!, hash));
      } catch (err) {
        if (err instanceof HashQueueFullError) throw new IrcError(ERR_NOOPERHOST, [], err.message);
        throw err;
      }
      // A lockout begun while this was checked (guesses from other connections) answers it too.
      const lateLockout = services.authGuard.lockout(attempt);
      if (lateLockout) throw new IrcError(ERR_NOOPERHOST, [], lockoutText(lateLockout, 'OPER attempts'));
      if (!entry || !hostAllowed || !ok) {
        const reason = !entry ? 'unknown name' : !hostAllowed ? 'host not allowed' : 'wrong password';
        services.authGuard.failed(attempt, 'failed OPER attempt', { nick: user.nick, name, address, reason });
        throw new IrcError(ERR_NOOPERHOST, [], 'Invalid oper credentials');
      }
      services.authGuard.succeeded(attempt);
      ctx.session.operName = entry.name;
      if (!user.hasMode('o')) {
        const verdict = await ctx.commit({ type: 'user.mode', uid: user.uid, changes: [{ add: true, mode: 'o' }] });
        if (verdict.ok) ctx.rb.add(new Outgoing(user.mask, 'MODE', [user.nick, '+o'], verdict.time));
      }
      ctx.reply(RPL_YOUREOPER, 'You are now an IRC operator');
      ctx.services.audit.record({ time: ctx.now(), actor: `oper:${entry.name}`, action: 'oper', target: user.mask });
    },
  },

  // KILL <nickname> <comment>
  KILL: {
    minParams: 1,
    oper: true,
    async handler(ctx, [nick, ...reason]) {
      const text = reason.join(' ').trim() || 'No reason given';
      const killed = await run(ctx, 'KILL', () => ctx.services.admin.kill(operActor(ctx), nick!, text));
      notice(ctx, `*** Killed ${killed} (${text})`);
    },
  },

  // KLINE [<duration>] <mask> [<duration>] [<reason>]   (mask: nick, nick!user@host, IP or CIDR)
  KLINE: banCommand('ban'),
  // UNKLINE <mask>
  UNKLINE: unbanCommand('ban'),
  // MUTE [<duration>] <mask> [<duration>] [<reason>]
  MUTE: banCommand('mute'),
  // UNMUTE <mask>
  UNMUTE: unbanCommand('mute'),

  // LIMIT [[IP] <count>]   shows or sets the connection limit, or the per-IP limit
  LIMIT: {
    minParams: 0,
    oper: true,
    async handler(ctx, params) {
      const { services } = ctx;
      const perIp = params[0]?.toUpperCase() === 'IP';
      const value = perIp ? params[1] : params[0];
      if (value !== undefined) {
        const n = Number(value);
        await run(ctx, 'LIMIT', () =>
          perIp ? services.admin.setPerIpLimit(operActor(ctx), n) : services.admin.setConnectionLimit(operActor(ctx), n),
        );
      }
      notice(ctx, `*** Connections: ${services.sessions.size} of at most ${services.gate.maxConnections}; at most ${services.gate.maxPerIp} per IP`);
    },
  },

  // WALLOPS <text>
  WALLOPS: {
    minParams: 1,
    oper: true,
    async handler(ctx, params) {
      await ctx.services.admin.wallops(operActor(ctx), params.join(' '));
    },
  },

  // REHASH
  REHASH: {
    minParams: 0,
    oper: true,
    async handler(ctx) {
      ctx.reply(RPL_REHASHING, 'config', 'Rehashing');
      try {
        const notes = await ctx.services.admin.reload(operActor(ctx));
        notice(ctx, `*** Configuration reloaded${notes.length > 0 ? `: ${notes.join('; ')}` : ''}`);
      } catch (err) {
        if (err instanceof AdminError) throw toIrcError('REHASH', err);
        throw err;
      }
    },
  },

  // ACCOUNTS LIST | SUSPEND <account> | UNSUSPEND <account> | DELETE <account>
  ACCOUNTS: {
    minParams: 1,
    oper: true,
    async handler(ctx, [sub, name = '']) {
      const actor = operActor(ctx);
      switch (sub!.toUpperCase()) {
        case 'LIST': {
          const all = await listAccounts(ctx);
          for (const { account, online } of all) {
            const state = account.suspended ? 'suspended' : 'active';
            notice(ctx, `*** ${account.name}: ${state}, created ${new Date(account.createdAt).toISOString()}, ${online} connection(s) logged in`);
          }
          notice(ctx, `*** ${all.length} account(s)`);
          return;
        }
        case 'SUSPEND':
        case 'UNSUSPEND': {
          const suspend = sub!.toUpperCase() === 'SUSPEND';
          const done = await runAsync('ACCOUNTS', () => setSuspended(ctx, actor, name, suspend));
          notice(ctx, `*** ${done.account.name} is ${suspend ? `suspended; ${done.loggedOut} connection(s) logged out` : 'no longer suspended'}`);
          return;
        }
        case 'DELETE': {
          const done = await runAsync('ACCOUNTS', () => removeAccount(ctx, actor, name));
          const rooms = done.rooms.length > 0 ? `; rooms no longer registered: ${done.rooms.join(' ')}` : '';
          notice(ctx, `*** Deleted the account ${done.account.name}; ${done.loggedOut} connection(s) logged out${rooms}`);
          return;
        }
        default:
          throw new StandardReplyError('ACCOUNTS', 'INVALID_PARAMS', [sub!], 'ACCOUNTS LIST, SUSPEND <account>, UNSUSPEND <account> or DELETE <account>');
      }
    },
  },

  // STATS <query>   k: server bans, q: mutes, u: uptime
  STATS: {
    minParams: 1,
    oper: true,
    handler(ctx, [query]) {
      const letter = query![0]!;
      const { services } = ctx;
      if (letter === 'k' || letter === 'K') for (const b of services.admin.list('ban')) statsEntry(ctx, 'K', b);
      else if (letter === 'q' || letter === 'Q') for (const b of services.admin.list('mute')) statsEntry(ctx, 'Q', b);
      else if (letter === 'u') ctx.reply(RPL_STATSUPTIME, `Server Up ${formatDuration(ctx.now() - services.createdAt)}`);
      ctx.reply(RPL_ENDOFSTATS, letter, 'End of /STATS report');
    },
  },
};

/** A valid hash of nothing anyone can type, verified when the oper name is unknown. */
const DUMMY_HASH = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
