// Accounts: creating them (REGISTER) and checking their passwords (SASL PLAIN), logging a
// connection in and out, the nicks accounts hold, the operator's suspend/unsuspend/delete,
// and the rooms accounts register: saved on every change, loaded again at start.
import { randomBytes, randomInt } from 'node:crypto';
import { foldCase } from '../protocol/casemapping.ts';
import { RPL_LOGGEDIN, RPL_LOGGEDOUT } from '../protocol/numerics.ts';
import { isValidNick } from '../protocol/validate.ts';
import type { AccountRecord, ChannelRecord } from '../storage/store.ts';
import { AdminError, type Actor } from './admin.ts';
import { Outgoing } from './outgoing.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { deriveVerifier } from './scram-verifier.ts';
import { accountOfNick } from './lookalike-accounts.ts';
import type { CommandHost } from './command-services.ts';
import type { ParlorServer } from './server.ts';
import type { Session } from './session.ts';
import type { Channel } from '../network/state.ts';
import { afterCommit } from '../node/log-follower.ts';

/** Guest nicks are what squatters on an account's nick become; nobody may register one. */
const GUEST = /^guest\d*$/i;

/** Why `name` cannot be an account, or undefined when it can. */
export function accountNameProblem(host: CommandHost, name: string): string | undefined {
  if (!isValidNick(name, host.config.limits.nickLength, host.config.server.casemapping)) return `${name} is not a valid nick, and accounts are named after nicks`;
  if (foldCase(name) === foldCase(host.config.admin.nick)) return `${name} is the server's own nick`;
  if (GUEST.test(name)) return 'Guest nicks are given to people who do not log in: they cannot be registered';
  return undefined;
}

/**
 * Creates a verified account and logs `registrant` in to it (unless it has hung up meanwhile);
 * false when the name is taken. The password is only hashed. `reply` sends 900 (logIn).
 */
export async function createAccount(
  host: CommandHost,
  registrant: Session,
  account: { name: string; email: string | undefined; password: string },
  reply: (numeric: string, params: string[]) => void,
): Promise<boolean> {
  const { name, email, password } = account;
  // Through the hashing queue: a full one throws HashQueueFullError before any work. The
  // SCRAM verifier (none for a password SASLprep refuses: PLAIN only) in the same turn.
  const { passwordCost, scramIterations } = host.config.accounts;
  const [passwordHash, scram] = await host.services.hashing.run(() => Promise.all([hashPassword(password, passwordCost), deriveVerifier(password, scramIterations)]));
  const created = await host.services.store.createAccount({ name, passwordHash, email, createdAt: host.now(), verified: true, suspended: false, scram });
  if (!created) return false;
  // Logged in before anyone on the nick is guarded: the registrant is usually the one on it,
  // and guarded first it was told the nick belongs to an account it must log in to.
  if (!registrant.conn.closed) await logIn(host, registrant, name, reply);
  // Someone who took the nick while its registrant was still connecting holds it now.
  const holder = host.network.userByNick(name);
  const session = holder && host.services.local(holder.uid);
  if (session) guardNick(host, session);
  return true;
}

/** A hash to check against when the account does not exist, so that timing tells nothing. */
const dummyHashes = new Map<number, Promise<string>>();
function dummyHash(cost: number): Promise<string> {
  let h = dummyHashes.get(cost);
  if (!h) dummyHashes.set(cost, (h = hashPassword(randomBytes(16).toString('hex'), cost)));
  return h;
}

/**
 * The account, when the password is right and the account may log in (not suspended).
 * Throws HashQueueFullError, before any work, when too many checks are waiting already.
 */
export async function checkCredentials(host: CommandHost, name: string, password: string): Promise<AccountRecord | undefined> {
  const account = await host.services.store.getAccount(name);
  const hash = account?.passwordHash ?? (await dummyHash(host.config.accounts.passwordCost));
  const ok = await host.services.hashing.run(() => verifyPassword(password, hash));
  return account && ok && account.verified && !account.suspended ? account : undefined;
}

/** nick!user@host of a connection, registered or not (900 and 901 name it). */
function maskOf(session: Session): string {
  if (session.user) return session.user.mask;
  const host = session.conn.remoteAddress.startsWith(':') ? `0${session.conn.remoteAddress}` : session.conn.remoteAddress;
  return `${session.nickOrStar}!${session.username ?? '*'}@${host}`;
}

/**
 * Logs a connection in: before registration it is remembered and introduced with the user;
 * after, the network learns of it (account-notify). `reply` sends 900 (through the command's
 * response buffer, for labeled-response).
 */
export function logIn(host: CommandHost, session: Session, account: string, reply: (numeric: string, params: string[]) => void): void | Promise<void> {
  const user = session.user;
  const loggedIn = (): void => {
    reply(RPL_LOGGEDIN, [maskOf(session), account, `You are now logged in as ${account}`]);
    host.services.logger.info({ nick: session.nickOrStar, account }, 'logged in');
    guardNick(host, session);
  };
  if (!user) {
    session.preAccount = account;
    return loggedIn();
  }
  // Answered (and the nick guarded) once the network has the login.
  return afterCommit(host.commit({ type: 'user.account', uid: user.uid, account }), loggedIn);
}

/**
 * Logs out everyone logged in to `account`, on every node (the network tells them: ACCOUNT *,
 * 901, and their nick guard starts again), and this node's connections still registering;
 * returns how many were logged in.
 */
function logOutEverywhere(host: CommandHost, account: string): number {
  const folded = foldCase(account);
  let count = 0;
  for (const user of host.network.users.values()) {
    if (user.account !== undefined && foldCase(user.account) === folded) count++;
  }
  if (count > 0) host.publish({ type: 'account.logout', account });
  for (const session of host.services.sessions) {
    if (session.user || session.preAccount === undefined || foldCase(session.preAccount) !== folded) continue;
    count++;
    session.preAccount = undefined;
    session.numeric(RPL_LOGGEDOUT, [maskOf(session), 'You are now logged out']);
  }
  return count;
}

// ---- nicks held by accounts ----

function ownsNick(session: Session, folded: string): boolean {
  const account = session.account;
  return account !== undefined && foldCase(account) === folded;
}

function stopGuard(session: Session): void {
  session.nickGuard?.timer.cancel();
  session.nickGuard = undefined;
}

/**
 * A registered nick is its account's, and so is a nick that looks like it (lookalike-accounts.ts):
 * whoever uses it without being logged in to that account is told so, and renamed to a guest
 * nick once `accounts.nickGraceMs` have passed (logging in, or changing nick, before then
 * stops it). Called whenever a user's nick or account changes.
 */
export function guardNick(host: CommandHost, session: Session): void {
  const user = session.user;
  if (!user || session.conn.closed) return;
  const folded = user.foldedNick;
  if (ownsNick(session, folded)) return stopGuard(session);
  if (session.nickGuard?.folded === folded) return; // already counting down for this nick
  stopGuard(session);
  // Most nicks are no account's and look like none: told without a query, a promise or a turn.
  if (!host.services.store.mayHaveAccountLike(user.nick)) return;
  const account = session.account;
  accountOfNick(host.services.store, user.nick, account).then(
    (owner) => {
      if (!owner || session.conn.closed || session.user !== user || user.foldedNick !== folded) return;
      if (ownsNick(session, folded) || session.nickGuard?.folded === folded || session.account !== account) return;
      stopGuard(session);
      const grace = host.config.accounts.nickGraceMs;
      const whose = foldCase(owner.name) === folded ? '' : `looks like ${owner.name}, which `;
      session.serverNotice(
        `The nick ${user.nick} ${whose}belongs to the account ${owner.name}. If it is yours, log in to it within ${Math.round(grace / 1000)} seconds ` +
          `(SASL: set your client's SASL user and password, then reconnect); otherwise change nick with /nick, or you will be renamed to a guest nick.`,
      );
      const timer = host.services.setTimeout(() => {
        session.nickGuard = undefined;
        renameIfStillHeld(host, session, folded).catch((err: unknown) => host.services.logError(err, 'renaming a user off a registered nick'));
      }, grace);
      session.nickGuard = { folded, timer };
    },
    (err: unknown) => host.services.logError(err, 'checking whether a nick is registered'),
  );
}

async function renameIfStillHeld(host: CommandHost, session: Session, folded: string): Promise<void> {
  const stillThere = (): boolean => !session.conn.closed && session.user?.foldedNick === folded && !ownsNick(session, folded);
  if (!stillThere()) return;
  // The account may have been deleted meanwhile, or the user logged in to the one it looks like.
  const loggedIn = session.account;
  const account = await accountOfNick(host.services.store, session.user!.nick, loggedIn);
  const user = session.user;
  if (!account || !user || !stillThere() || session.account !== loggedIn) return;
  const guest = guestNick(host);
  const msgid = host.ids.newMsgid();
  const mask = user.mask;
  const verdict = await host.commit({ type: 'user.nick', uid: user.uid, nick: guest, msgid, forced: true });
  // Taken meanwhile: the next check of the guard tries another.
  if (!verdict.ok) return;
  session.sendReply(new Outgoing(mask, 'NICK', [guest], verdict.time, msgid, undefined, user.account));
  session.serverNotice(`You did not log in to the account ${account.name} in time, so you are now ${guest}.`);
  host.services.logger.info({ nick: account.name, guest }, 'renamed off a registered nick');
}

/** Guest12345: a free nick no account can hold. */
export function guestNick(host: CommandHost): string {
  const max = host.config.limits.nickLength;
  for (let i = 0; i < 100; i++) {
    const nick = `Guest${randomInt(10_000, 100_000)}`.slice(0, Math.max(max, 1));
    if (!host.network.userByNick(nick)) return nick;
  }
  return `Guest${randomInt(100_000, 10_000_000)}`;
}

// ---- the operator's actions (console and IRC operators) ----

function audit(host: CommandHost, actor: Actor, action: string, target: string, detail?: string): void {
  host.services.audit.record({ time: host.now(), actor: actor.id, action, target, detail });
}

async function requireAccount(host: CommandHost, name: string): Promise<AccountRecord> {
  const account = name === '' ? undefined : await host.services.store.getAccount(name);
  if (!account) throw new AdminError('not-found', `No account named ${name || '(none given)'}`);
  return account;
}

export interface AccountSummary {
  account: AccountRecord;
  /** Connections on this node logged in to it. */
  online: number;
}

export async function listAccounts(host: CommandHost): Promise<AccountSummary[]> {
  const online = new Map<string, number>();
  for (const s of host.services.sessions) {
    if (s.account !== undefined) online.set(foldCase(s.account), (online.get(foldCase(s.account)) ?? 0) + 1);
  }
  const accounts = await host.services.store.listAccounts();
  accounts.sort((a, b) => a.name.localeCompare(b.name));
  return accounts.map((account) => ({ account, online: online.get(foldCase(account.name)) ?? 0 }));
}

/** Suspends (no more logins; whoever is logged in is logged out) or lifts it. */
export async function setSuspended(host: CommandHost, actor: Actor, name: string, suspended: boolean): Promise<{ account: AccountRecord; loggedOut: number }> {
  const account = await requireAccount(host, name);
  if (account.suspended === suspended) {
    throw new AdminError('invalid-value', `${account.name} is ${suspended ? 'already' : 'not'} suspended`);
  }
  await host.services.store.updateAccount(account.name, { suspended });
  const loggedOut = suspended ? logOutEverywhere(host, account.name) : 0;
  audit(host, actor, suspended ? 'suspend' : 'unsuspend', account.name);
  return { account: { ...account, suspended }, loggedOut };
}

/**
 * Deletes an account: whoever is logged in to it is logged out, its private history is
 * forgotten, the rooms it founded are no longer registered, and it leaves the operator lists
 * of the others.
 */
export async function removeAccount(host: CommandHost, actor: Actor, name: string): Promise<{ account: AccountRecord; loggedOut: number; rooms: string[] }> {
  const account = await requireAccount(host, name);
  const folded = foldCase(account.name);
  // Its private history goes first, while the name is still taken: a later account of this
  // name must not read it (private-history.ts), neither one registered while the history goes
  // (in chunks, turns of the event loop between) nor one registered after a failure here.
  await host.services.store.forgetAccount(folded);
  await host.services.store.deleteAccount(account.name);
  const loggedOut = logOutEverywhere(host, account.name);
  // What its sessions said meanwhile; logged out now, they add no more.
  await host.services.store.forgetAccount(folded);
  const rooms: string[] = [];
  for (const record of await host.services.store.listChannels()) {
    const ch = host.network.channel(record.name);
    if (foldCase(record.founder) === folded) {
      rooms.push(record.name);
      if (ch?.registration) host.publish({ type: 'channel.unregister', channel: ch.name });
      await host.services.store.deleteChannel(record.name);
    } else if (record.operators.some((o) => foldCase(o) === folded)) {
      const operators = record.operators.filter((o) => foldCase(o) !== folded);
      if (ch?.registration) {
        await host.commit({ type: 'channel.register', channel: ch.name, founder: record.founder, operators, registeredAt: record.registeredAt });
        // Saved as the network has it now (unregistered meanwhile: as the record, less the account).
        const now = host.network.channel(ch.name);
        await host.services.store.saveChannel(now?.registration ? roomRecord(now) : { ...record, operators });
      } else {
        await host.services.store.saveChannel({ ...record, operators });
      }
    }
  }
  audit(host, actor, 'delete-account', account.name, rooms.length > 0 ? `rooms unregistered: ${rooms.join(' ')}` : undefined);
  return { account, loggedOut, rooms };
}

// ---- registered rooms ----

/** What is saved of a registered room. */
export function roomRecord(ch: Channel): ChannelRecord {
  const reg = ch.registration!;
  return {
    name: ch.name,
    founder: reg.founder,
    registeredAt: reg.registeredAt,
    topic: ch.topic,
    topicSetBy: ch.topicSetBy,
    topicSetAt: ch.topicSetAt,
    modes: [...ch.flags].sort().join(''),
    key: ch.key,
    limit: ch.limit,
    bans: ch.bans.map((b) => ({ ...b })),
    exceptions: ch.exceptions.map((b) => ({ ...b })),
    invites: ch.invites.map((b) => ({ ...b })),
    operators: [...reg.operators.values()],
  };
}

/** Saves a registered room (errors are logged: the chat goes on). */
export function saveRoom(server: ParlorServer, ch: Channel): void {
  // The record is made when the write's turn comes: a retry saves the room as it is then.
  if (ch.registration) server.storeWrites.add(() => (ch.registration ? server.store.saveChannel(roomRecord(ch)) : Promise.resolve()), `saving the room ${ch.name}`);
}

/**
 * Puts the registered rooms saved in the store back in the network, members or not (a room
 * the network has registered already is left as it is). Called once by ParlorServer.listen(),
 * after it caught up with the network and before it accepts connections.
 */
export async function restoreRegisteredRooms(server: ParlorServer): Promise<void> {
  for (const record of await server.store.listChannels()) {
    if (server.network.channel(record.name)?.registration) continue;
    await server.commit({ type: 'channel.restore', record });
  }
}

/** Registered rooms whose topic or modes changed: saved once the entry is applied, once for several changes in a row. */
export class RoomSaver {
  private readonly pending = new Set<Channel>();

  constructor(private readonly server: ParlorServer) {}

  add(channel: Channel): void {
    if (this.pending.size === 0) queueMicrotask(() => this.flush());
    this.pending.add(channel);
  }

  flush(): void {
    for (const ch of this.pending) {
      // Gone or unregistered meanwhile: nothing to save.
      if (this.server.network.channel(ch.name) === ch) saveRoom(this.server, ch);
    }
    this.pending.clear();
  }
}
