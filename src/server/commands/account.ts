// Accounts and registered rooms: REGISTER and VERIFY (IRCv3 draft/account-registration),
// AUTHENTICATE (IRCv3 SASL, mechanisms PLAIN and SCRAM-SHA-256: ../scram.ts), and REGISTER/UNREGISTER #room.
import { isStoreUnavailable } from '../../storage/errors.ts';
import { foldCase } from '../../protocol/casemapping.ts';
import {
  ERR_CHANOPRIVSNEEDED,
  ERR_NEEDMOREPARAMS,
  ERR_NOTONCHANNEL,
  ERR_SASLABORTED,
  ERR_SASLALREADY,
  ERR_SASLFAIL,
  ERR_SASLTOOLONG,
  RPL_SASLMECHS,
  RPL_SASLSUCCESS,
} from '../../protocol/numerics.ts';
import { isChannelName } from '../../protocol/validate.ts';
import { accountNameProblem, checkCredentials, createAccount, logIn, roomRecord } from '../accounts.ts';
import { lookalikeAccount } from '../lookalike-accounts.ts';
import { accountKey, lockoutText, type AuthAttempt } from '../auth-guard.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError, StandardReplyError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { HashQueueFullError } from '../scrypt-queue.ts';
import { scramStep } from '../scram.ts';
import { refreshVerifier } from '../scram-verifier.ts';
import { SASL_MECHANISMS, SCRAM_MECHANISM } from '../../protocol/scram-messages.ts';
import { checkRoomQuota } from '../room-quota.ts';
import { requireChannel } from './channels.ts';

/** AUTHENTICATE data comes in chunks of at most this many bytes (IRCv3 SASL). */
const SASL_CHUNK = 400;
/** Longer passwords may not fit where clients have to send them (IRCv3 account-registration). */
const MAX_PASSWORD_BYTES = 300;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The sender of 900: the command's reply, so that it carries the label. */
function replier(ctx: Context): (numeric: string, params: string[]) => void {
  return (numeric, params) => ctx.reply(numeric, ...params);
}

export const accountCommands: CommandGroup = {
  // REGISTER <account> {<email> | *} <password>   (IRCv3 draft/account-registration)
  // REGISTER <#room>                               (registers a room to your account)
  REGISTER: {
    minParams: 1,
    preRegistration: true,
    handler(ctx, params) {
      if (isChannelName(params[0]!)) return registerRoom(ctx, params[0]!);
      return registerAccount(ctx, params);
    },
  },

  // VERIFY <account> <code>
  VERIFY: {
    minParams: 2,
    preRegistration: true,
    handler(ctx, [account]) {
      const current = ctx.session.account;
      if (current !== undefined) throw new StandardReplyError('VERIFY', 'ALREADY_AUTHENTICATED', [current], `You are already logged in as ${current}`);
      // Accounts are verified as they are created: there is never a code to give.
      throw new StandardReplyError('VERIFY', 'INVALID_CODE', [account!], 'There is no verification pending: accounts here need none');
    },
  },

  // AUTHENTICATE <mechanism> | <base64 chunk> | + | *   (IRCv3 SASL 3.1)
  AUTHENTICATE: {
    minParams: 1,
    preRegistration: true,
    handler(ctx, [arg]) {
      return authenticate(ctx, arg!);
    },
  },

  // UNREGISTER <#room>   (its founder, or an IRC operator)
  UNREGISTER: {
    minParams: 1,
    handler(ctx, [name]) {
      return unregisterRoom(ctx, name!);
    },
  },
};

async function registerAccount(ctx: Context, params: string[]): Promise<void> {
  const { session, services } = ctx;
  if (params.length < 3) throw new IrcError(ERR_NEEDMOREPARAMS, ['REGISTER'], 'Not enough parameters');
  const [requested, email, password] = params as [string, string, string];
  const fail = (code: string, context: string, text: string): StandardReplyError => new StandardReplyError('REGISTER', code, [context], text);
  const nick = session.nickOrStar;
  if (nick === '*') throw fail('NEED_NICK', '*', 'Choose a nick first (NICK): the account is named after it');
  const name = requested === '*' ? nick : requested;
  if (!ctx.config.accounts.registration) throw fail('TEMPORARILY_UNAVAILABLE', name, 'Accounts cannot be created on this server');
  if (!session.registered && ctx.config.server.password !== undefined) {
    throw new StandardReplyError('REGISTER', 'COMPLETE_CONNECTION_REQUIRED', [], 'Connect (with the server password) before registering an account');
  }
  const current = session.account;
  if (current !== undefined) throw fail('ALREADY_AUTHENTICATED', current, `You are already logged in as ${current}`);
  if (foldCase(name) !== foldCase(nick)) {
    throw fail('ACCOUNT_NAME_MUST_BE_NICK', name, `Accounts are named after your nick: register as ${nick}, or change nick first`);
  }
  const problem = accountNameProblem(ctx, nick);
  if (problem !== undefined) throw fail('BAD_ACCOUNT_NAME', name, problem);
  if (email !== '*' && !EMAIL.test(email)) throw fail('INVALID_EMAIL', name, `${email} is not an e-mail address`);
  const { minPasswordLength } = ctx.config.accounts;
  if ([...password].length < minPasswordLength || foldCase(password) === foldCase(nick)) {
    throw fail('WEAK_PASSWORD', name, `Choose a password of at least ${minPasswordLength} characters that is not your nick`);
  }
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw fail('UNACCEPTABLE_PASSWORD', name, `Passwords may be at most ${MAX_PASSWORD_BYTES} bytes long`);
  const exists = (): StandardReplyError => fail('ACCOUNT_EXISTS', name, `The account ${nick} already exists: log in to it, or register under another nick`);
  let created: boolean;
  try {
    // Looked up first so that a taken name costs no hashing; createAccount settles a race.
    if (await services.store.getAccount(nick)) throw exists();
    const twin = await lookalikeAccount(services.store, nick);
    if (twin) throw fail('ACCOUNT_EXISTS', name, `${nick} looks too like the account ${twin.name}: register under another nick`);
    // Counted when creation starts (no await between check and count: concurrent REGISTERs
    // from one address cannot all slip through).
    const address = session.conn.remoteAddress;
    const waitMs = services.registrations.waitFor(address, ctx.now());
    if (waitMs > 0) throw fail('TEMPORARILY_UNAVAILABLE', name, `Too many accounts created from your address; try again in ${Math.ceil(waitMs / 60_000)} minutes`);
    services.registrations.created(address, ctx.now());
    created = await createAccount(ctx, session, { name: nick, email: email === '*' ? undefined : email, password }, replier(ctx));
  } catch (err) {
    if (err instanceof StandardReplyError) throw err;
    if (err instanceof HashQueueFullError) throw fail('TEMPORARILY_UNAVAILABLE', name, err.message);
    services.logError(err, 'creating an account');
    throw fail('TEMPORARILY_UNAVAILABLE', name, 'Accounts cannot be created right now; try again later');
  }
  if (!created) throw exists();
  services.logger.info({ account: nick, address: session.conn.remoteAddress }, 'account registered');
  if (session.conn.closed) return;
  ctx.rb.server('REGISTER', ['SUCCESS', nick, `Account ${nick} registered; you are logged in`]);
}

/** One AUTHENTICATE line: starts an exchange, adds to it, finishes or aborts it. */
async function authenticate(ctx: Context, arg: string): Promise<void> {
  const { session } = ctx;
  if (!session.hasCap('sasl')) {
    ctx.reply(ERR_SASLFAIL, 'SASL authentication failed: enable the sasl capability first (CAP REQ sasl)');
    return;
  }
  if (arg === '*') {
    session.sasl = undefined;
    ctx.reply(ERR_SASLABORTED, 'SASL authentication aborted');
    return;
  }
  if (session.account !== undefined) {
    session.sasl = undefined;
    ctx.reply(ERR_SASLALREADY, 'You have already authenticated using SASL');
    return;
  }
  const exchange = session.sasl;
  if (!exchange) {
    const mechanism = arg.toUpperCase();
    if (!SASL_MECHANISMS.includes(mechanism)) {
      ctx.reply(RPL_SASLMECHS, SASL_MECHANISMS.join(','), 'are available SASL mechanisms');
      ctx.reply(ERR_SASLFAIL, 'SASL authentication failed');
      return;
    }
    session.sasl = { mechanism, data: '' };
    ctx.rb.add(new Outgoing(undefined, 'AUTHENTICATE', ['+'], ctx.now()));
    return;
  }
  const { services } = ctx;
  const chunkBytes = Buffer.byteLength(arg);
  // 905 is for one parameter over 400 bytes (IRCv3 SASL 3.1); a response longer than the
  // server takes, in whole chunks, is a failed authentication (904), as in ergo. Either way
  // the exchange starts over from the mechanism.
  if (chunkBytes > SASL_CHUNK) {
    session.sasl = undefined;
    ctx.reply(ERR_SASLTOOLONG, 'SASL message too long');
    return;
  }
  const chunk = arg === '+' ? '' : arg;
  if (Buffer.byteLength(exchange.data) + Buffer.byteLength(chunk) > ctx.config.accounts.saslMaxResponseBytes) {
    session.sasl = undefined;
    ctx.reply(ERR_SASLFAIL, 'SASL authentication failed: response too long');
    return;
  }
  exchange.data += chunk;
  if (chunkBytes === SASL_CHUNK) return; // a full chunk: more follows, or `+`
  if (exchange.mechanism === SCRAM_MECHANISM) return scramStep(ctx, exchange);
  session.sasl = undefined;
  const address = session.conn.remoteAddress;
  const credentials = decodePlain(exchange.data);
  if (!credentials) {
    // Not a password tried: logged (rate-limited), not counted.
    services.authGuard.failed({ kind: 'sasl', address }, 'failed SASL login', { nick: session.nickOrStar, address, malformed: true }, false);
    ctx.reply(ERR_SASLFAIL, 'SASL authentication failed');
    return;
  }
  const attempt: AuthAttempt = { kind: 'sasl', address, account: accountKey(credentials.account) };
  // Refused before the account is looked up or any hashing: a locked-out guess costs nothing.
  const lockout = services.authGuard.lockout(attempt);
  if (lockout) {
    ctx.reply(ERR_SASLFAIL, `SASL authentication failed: ${lockoutText(lockout, 'logins')}`);
    return;
  }
  let account: Awaited<ReturnType<typeof checkCredentials>>;
  try {
    account = await checkCredentials(ctx, credentials.account, credentials.password);
  } catch (err) {
    // Too many checks waiting, or the database down: not a failure, the client may simply try again.
    if (isStoreUnavailable(err)) {
      if (!session.conn.closed) ctx.reply(ERR_SASLFAIL, 'SASL authentication failed: the account database is unavailable right now; try again in a moment');
      return;
    }
    if (!(err instanceof HashQueueFullError)) throw err;
    if (!session.conn.closed) ctx.reply(ERR_SASLFAIL, `SASL authentication failed: ${err.message}`);
    return;
  }
  // Guesses checked alongside this one (other connections) may have begun a lockout meanwhile:
  // then this answer, right password or wrong, is the lockout's, as if it had come after.
  const lateLockout = services.authGuard.lockout(attempt);
  if (lateLockout) {
    if (!session.conn.closed) ctx.reply(ERR_SASLFAIL, `SASL authentication failed: ${lockoutText(lateLockout, 'logins')}`);
    return;
  }
  if (!account) {
    // Counted even when the guesser has hung up meanwhile.
    services.authGuard.failed(attempt, 'failed SASL login', { nick: session.nickOrStar, account: credentials.account, address });
    if (!session.conn.closed) ctx.reply(ERR_SASLFAIL, 'SASL authentication failed');
    return;
  }
  services.authGuard.succeeded(attempt);
  // Accounts from before SCRAM get their verifier now, in the background.
  void refreshVerifier(ctx, account, credentials.password);
  if (session.conn.closed) return;
  await logIn(ctx, session, account.name, replier(ctx));
  ctx.reply(RPL_SASLSUCCESS, 'SASL authentication successful');
}

/** PLAIN (RFC 4616): base64 of `authzid NUL authcid NUL password`; authzid empty or the same. */
function decodePlain(data: string): { account: string; password: string } | undefined {
  if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(data, 'base64'));
  } catch {
    return undefined;
  }
  const parts = text.split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authcid === '' || password === '') return undefined;
  if (authzid !== '' && foldCase(authzid) !== foldCase(authcid)) return undefined;
  return { account: authcid, password };
}

// ---- registered rooms ----

function roomFail(command: string, code: string, room: string, text: string): StandardReplyError {
  return new StandardReplyError(command, code, [room], text);
}

/** REGISTER #room: a channel operator logged in to an account makes the room last. */
async function registerRoom(ctx: Context, name: string): Promise<void> {
  const user = ctx.user;
  const { services } = ctx;
  const ch = requireChannel(ctx, name);
  const account = user.account;
  if (account === undefined) throw roomFail('REGISTER', 'ACCOUNT_REQUIRED', ch.name, 'Log in to an account (SASL) to register a room');
  const membership = ch.members.get(user);
  if (!membership) throw new IrcError(ERR_NOTONCHANNEL, [ch.name], "You're not on that channel");
  if (!membership.has('o')) throw new IrcError(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
  if (ch.registration) {
    throw roomFail('REGISTER', 'ALREADY_REGISTERED', ch.name, `${ch.name} is already registered to ${ch.registration.founder}`);
  }
  checkRoomQuota(ctx.network.channels.values(), account, ch.name, ctx.config.accounts);
  // The operators with accounts keep their status; others have to log in to be listed.
  const operators: string[] = [];
  for (const [member, m] of ch.members) if (m.has('o') && member.account !== undefined) operators.push(member.account);
  const verdict = await ctx.commit({ type: 'channel.register', uid: user.uid, channel: ch.name, founder: account, operators, registeredAt: ctx.now() });
  if (!verdict.ok) {
    // Registered, or the operator status lost, while the network took it in.
    const founder = ctx.network.channel(ch.name)?.registration?.founder;
    if (founder !== undefined) throw roomFail('REGISTER', 'ALREADY_REGISTERED', ch.name, `${ch.name} is already registered to ${founder}`);
    throw new IrcError(ERR_CHANOPRIVSNEEDED, [ch.name], "You're not channel operator");
  }
  const record = roomRecord(ch);
  try {
    await services.store.saveChannel(record);
  } catch (err) {
    services.logError(err, `registering the room ${ch.name}`);
    ctx.publish({ type: 'channel.unregister', channel: ch.name });
    throw roomFail('REGISTER', 'TEMPORARILY_UNAVAILABLE', ch.name, 'Rooms cannot be registered right now; try again later');
  }
  services.logger.info({ room: ch.name, founder: account }, 'room registered');
  ctx.rb.server('NOTICE', [
    user.nick,
    `${ch.name} is now registered to ${account}: its topic, modes, bans and operators are kept when it is empty and across restarts. ` +
      `Operators on join: ${record.operators.join(', ')} (give +o to a logged-in user to add them, -o to remove them).`,
  ]);
}

/** UNREGISTER #room: its founder or an IRC operator lets it go back to being an ordinary room. */
async function unregisterRoom(ctx: Context, name: string): Promise<void> {
  const user = ctx.user;
  const { services } = ctx;
  const ch = ctx.network.channel(name);
  if (!ch?.registration) throw roomFail('UNREGISTER', 'NOT_REGISTERED', ch?.name ?? name, `${ch?.name ?? name} is not a registered room`);
  const founder = ch.registration.founder;
  const isFounder = user.account !== undefined && foldCase(user.account) === foldCase(founder);
  if (!isFounder && !user.hasMode('o')) {
    throw roomFail('UNREGISTER', 'NOT_FOUNDER', ch.name, `Only ${founder}, who registered ${ch.name}, or an IRC operator may unregister it`);
  }
  ctx.publish({ type: 'channel.unregister', channel: ch.name });
  await services.store.deleteChannel(ch.name);
  if (!isFounder) {
    services.audit.record({ time: ctx.now(), actor: `oper:${ctx.session.operName ?? user.nick}`, action: 'unregister', target: ch.name, detail: `founder ${founder}` });
  }
  ctx.rb.server('NOTICE', [user.nick, `${ch.name} is no longer registered`]);
}
