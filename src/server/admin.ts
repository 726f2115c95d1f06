// What the server's operator can do, in one place for every way of asking: the console on
// the server's terminal, IRC operator commands and the web panel. An action that changes the
// network is committed to its log, so that every node enforces it, and is answered from its
// verdict: the target may have gone between the check here and the entry's position (a kick
// of someone who left meanwhile is refused as if they had left before). On an in-process log
// the answer comes at once; on a shared one, as a promise. Done actions go to the audit log.
// Text given here comes from outside IRC (a terminal, a JSON body): it is made fit for one
// line (toWireText) before it goes anywhere, so no CR or LF in it can forge a line.
import { foldCase } from '../protocol/casemapping.ts';
import { clipUtf8 } from '../protocol/text.ts';
import { toWireText, utf8ByteLength } from '../protocol/wire-text.ts';
import { isChannelName } from '../protocol/validate.ts';
import { parseBanTarget, type ServerBan } from '../network/bans.ts';
import type { Verdict } from '../network/effects.ts';
import type { BanListName, NetworkEvent } from '../network/events.ts';
import { ADMIN_UID } from '../network/network-state.ts';
import { afterCommit } from '../node/log-follower.ts';
import { ERR_NOSUCHCHANNEL } from '../protocol/numerics.ts';
import { storedConversation } from './private-history.ts';
import type { ParlorServer } from './server.ts';

export interface Actor {
  /** For the audit log: `console`, `oper:alice`. */
  id: string;
  /** Shown to people: the nick in kill reasons. */
  nick: string;
  /** Source of the actor's notices: the server's name or the operator's nick!user@host. */
  source: string;
  /** Who kicks and speaks: the admin pseudo-user, or the operator's own uid. */
  uid: string;
}

export type AdminErrorCode =
  | 'no-such-nick'
  | 'no-such-channel'
  | 'not-on-channel'
  | 'invalid-target'
  | 'invalid-value'
  | 'not-found'
  | 'reload-failed'
  | 'unavailable';

/** A refused admin action, with a stable code the caller turns into its own kind of reply. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface BanResult {
  ban: ServerBan;
  /** Local clients disconnected (bans) or silenced (mutes) by it. */
  affected: number;
}

/** An action's answer: at once on an in-process log, once its entry is applied on a shared one. */
export type Answer<T> = T | Promise<T>;

export class AdminActions {
  constructor(private readonly server: ParlorServer) {}

  /** Commits `event`; `then` answers from its verdict (and throws an AdminError when it was refused). */
  private commit<T>(event: NetworkEvent, then: (verdict: Verdict) => T): Answer<T> {
    return afterCommit(this.server.commit(event), then) as Answer<T>;
  }

  /**
   * The console's identity: it acts as the server, and speaks and kicks as the admin
   * pseudo-user; with none (admin.pseudoUser off) it kicks as the server and cannot speak.
   */
  get consoleActor(): Actor {
    const s = this.server;
    return { id: 'console', nick: s.network.admin?.nick ?? s.serverName, source: s.serverName, uid: ADMIN_UID };
  }

  private audit(actor: Actor, action: string, target?: string, detail?: string): void {
    this.server.audit.record({ time: this.server.now(), actor: actor.id, action, target, detail });
  }

  /** Text someone will read as a message, made one line. */
  private messageText(raw: string, nothing: string): string {
    const text = toWireText(raw);
    if (text.trim() === '') throw new AdminError('invalid-value', nothing);
    return text;
  }

  /**
   * Text typed at the console or sent to the panel must fit in a line as a PRIVMSG does
   * (admin.textBytes). IRC operators' text has come in one line already, so it is not asked.
   */
  checkTextLength(text: string): void {
    const max = this.server.config.admin.textBytes;
    const bytes = utf8ByteLength(toWireText(text));
    if (bytes > max) throw new AdminError('invalid-value', `The text is too long: ${bytes} bytes, at most ${max}`);
  }

  /** A reason shown in a QUIT, a numeric or a notice: one line, clipped as a KICK reason is. */
  private reasonText(raw: string): string {
    return clipUtf8(toWireText(raw), this.server.config.limits.kickLength);
  }

  /** A notice (or message) from `actor` to everyone on the network; returns how many people. */
  broadcast(actor: Actor, raw: string, command: 'NOTICE' | 'PRIVMSG' = 'NOTICE'): Answer<number> {
    const text = this.messageText(raw, 'Nothing to broadcast');
    const s = this.server;
    return this.commit({ type: 'server.notice', command, source: actor.source, text, msgid: s.newMsgid() }, () => {
      this.audit(actor, 'broadcast', '$*', text);
      return s.network.userCount;
    });
  }

  /** Speak as the admin pseudo-user in a room or to one person. */
  say(actor: Actor, target: string, raw: string): Answer<string> {
    const s = this.server;
    const admin = s.network.admin;
    if (!admin) throw new AdminError('unavailable', 'There is no admin nick to speak as (admin.pseudoUser is off); broadcast instead');
    const text = this.messageText(raw, 'Nothing to say');
    const msgid = s.newMsgid();
    let shown: string;
    let event: Extract<NetworkEvent, { type: 'message' }>;
    /** Kept in history as anyone's message is: the room's, or the conversation with a logged-in user. */
    let storeKey: string | undefined;
    const toRoom = isChannelName(target);
    if (toRoom) {
      const ch = s.network.channel(target);
      if (!ch) throw new AdminError('no-such-channel', `No such room: ${target}`);
      event = { type: 'message', command: 'PRIVMSG', uid: ADMIN_UID, target: { kind: 'channel', name: ch.name }, text, clientTags: {}, msgid };
      shown = ch.name;
      storeKey = ch.folded;
    } else {
      const u = s.network.userByNick(target);
      if (!u || u.uid === ADMIN_UID) throw new AdminError('no-such-nick', `No such nick: ${target}`);
      event = { type: 'message', command: 'PRIVMSG', uid: ADMIN_UID, target: { kind: 'user', uid: u.uid }, text, clientTags: {}, msgid };
      shown = u.nick;
      storeKey = storedConversation(admin, u);
    }
    const keep = storeKey !== undefined && s.config.history.enabled;
    // In a cluster the entry carries what history keeps (as messaging.ts does for users).
    if (keep && s.historyFromLog) event.history = { key: storeKey!, source: admin.mask };
    return this.commit(event, (verdict) => {
      // The room emptied, or the person left, meanwhile.
      if (!verdict.ok) {
        if (toRoom) throw new AdminError('no-such-channel', `No such room: ${shown}`);
        throw new AdminError('no-such-nick', `No such nick: ${shown}`);
      }
      if (keep && !s.historyFromLog) {
        s.store.appendMessage({ msgid, target: storeKey!, time: verdict.time, source: admin.mask, account: undefined, command: 'PRIVMSG', text });
      }
      this.audit(actor, 'say', shown, text);
      return shown;
    });
  }

  /** Disconnects a user with a reason (IRC KILL). */
  kill(actor: Actor, nick: string, rawReason: string): Answer<string> {
    const s = this.server;
    const reason = this.reasonText(rawReason);
    const u = s.network.userByNick(nick);
    if (!u || u.uid === ADMIN_UID) throw new AdminError('no-such-nick', `No such nick: ${nick}`);
    const shown = u.nick;
    return this.commit({ type: 'user.kill', uid: u.uid, source: actor.source, reason: `Killed (${actor.nick} (${reason}))` }, (verdict) => {
      // Gone meanwhile: as if they had been gone before.
      if (!verdict.ok) throw new AdminError('no-such-nick', `No such nick: ${nick}`);
      this.audit(actor, 'kill', shown, reason);
      return shown;
    });
  }

  /** Removes a user from one room, with the server's authority. */
  kickFromRoom(actor: Actor, room: string, nick: string, rawReason: string): Answer<{ room: string; nick: string }> {
    const s = this.server;
    const reason = this.reasonText(rawReason);
    const ch = s.network.channel(room);
    if (!ch) throw new AdminError('no-such-channel', `No such room: ${room}`);
    const u = s.network.userByNick(nick);
    if (!u || u.uid === ADMIN_UID) throw new AdminError('no-such-nick', `No such nick: ${nick}`);
    if (!ch.members.has(u)) throw new AdminError('not-on-channel', `${u.nick} is not in ${ch.name}`);
    const done = { room: ch.name, nick: u.nick };
    const event: NetworkEvent = { type: 'channel.kick', uid: actor.uid, channel: ch.name, targetUid: u.uid, reason, override: true, msgid: s.newMsgid() };
    return this.commit(event, (verdict) => {
      // The room, or the user's place in it, went meanwhile: the answer a check here would have given.
      if (!verdict.ok) {
        if (verdict.refusal?.numeric === ERR_NOSUCHCHANNEL) throw new AdminError('no-such-channel', `No such room: ${done.room}`);
        if (!s.network.users.has(u.uid)) throw new AdminError('no-such-nick', `No such nick: ${done.nick}`);
        throw new AdminError('not-on-channel', `${done.nick} is not in ${done.room}`);
      }
      this.audit(actor, 'kick', `${done.room} ${done.nick}`, reason);
      return done;
    });
  }

  ban(actor: Actor, target: string, durationMs: number | undefined, reason: string): Answer<BanResult> {
    return this.addEntry('ban', actor, target, durationMs, reason);
  }

  mute(actor: Actor, target: string, durationMs: number | undefined, reason: string): Answer<BanResult> {
    return this.addEntry('mute', actor, target, durationMs, reason);
  }

  unban(actor: Actor, target: string): Answer<ServerBan> {
    return this.removeEntry('ban', actor, target);
  }

  unmute(actor: Actor, target: string): Answer<ServerBan> {
    return this.removeEntry('mute', actor, target);
  }

  list(which: BanListName): ServerBan[] {
    const s = this.server;
    return (which === 'ban' ? s.network.bans : s.network.mutes).list(s.now());
  }

  private addEntry(list: BanListName, actor: Actor, text: string, durationMs: number | undefined, rawReason: string): Answer<BanResult> {
    const s = this.server;
    const reason = this.reasonText(rawReason);
    const parsed = parseBanTarget(text);
    if (!parsed) throw new AdminError('invalid-target', `Not a nick, nick!user@host mask, IP or CIDR range: ${text}`);
    if (s.network.admin && parsed.mask.toLowerCase() === `${s.network.admin.nick}!*@*`.toLowerCase()) {
      throw new AdminError('invalid-target', `${s.network.admin.nick} is the server's own nick`);
    }
    const now = s.now();
    const ban: ServerBan = { ...parsed, reason, setBy: actor.id, setAt: now, expiresAt: durationMs === undefined ? undefined : now + durationMs };
    // Counted before: the entry's delivery on this node is what disconnects (or silences) them.
    const affected = s.localSessionsMatching(ban).length;
    return this.commit({ type: 'ban.add', list, ban }, () => {
      s.storeWrites.add(() => s.store.saveBan({ list, ...ban }), `saving a ${list}`);
      this.audit(actor, list, ban.mask, `${durationMs === undefined ? 'permanent' : `${Math.round(durationMs / 1000)}s`}: ${reason}`);
      return { ban, affected };
    });
  }

  private removeEntry(list: BanListName, actor: Actor, text: string): Answer<ServerBan> {
    const s = this.server;
    const mask = parseBanTarget(text)?.mask ?? text;
    const existing = this.list(list).find((b) => b.mask.toLowerCase() === mask.toLowerCase());
    if (!existing) throw new AdminError('not-found', `No ${list} on ${mask}`);
    return this.commit({ type: 'ban.remove', list, mask: existing.mask }, (verdict) => {
      // Lifted (or expired) meanwhile.
      if (!verdict.ok) throw new AdminError('not-found', `No ${list} on ${mask}`);
      s.storeWrites.add(() => s.store.deleteBan(list, existing.mask), `removing a ${list}`);
      this.audit(actor, list === 'ban' ? 'unban' : 'unmute', existing.mask);
      return existing;
    });
  }

  /**
   * Every node up takes the limit for its own connections (each counts its own), until its
   * next reload or restart, when its config's limits are in force again (reload says so in a
   * note); a node that joins later starts from its config.
   */
  setConnectionLimit(actor: Actor, max: number): Answer<void> {
    if (!Number.isInteger(max) || max < 1) throw new AdminError('invalid-value', 'The connection limit is a whole number of at least 1');
    return this.commit({ type: 'connections.limit', max }, () => this.audit(actor, 'limit', 'connections', String(max)));
  }

  /** As setConnectionLimit, for the connections from one address. */
  setPerIpLimit(actor: Actor, max: number): Answer<void> {
    if (!Number.isInteger(max) || max < 1) throw new AdminError('invalid-value', 'The per-IP limit is a whole number of at least 1');
    return this.commit({ type: 'connections.limit', perIp: max }, () => this.audit(actor, 'limit-ip', 'connections per IP', String(max)));
  }

  /** Deletes a room's history; returns how many messages went. */
  async purgeHistory(actor: Actor, room: string): Promise<number> {
    const s = this.server;
    await s.store.flush();
    const n = await s.store.purge(foldCase(room));
    this.audit(actor, 'purge', room, `${n} messages`);
    return n;
  }

  wallops(actor: Actor, raw: string): Answer<void> {
    const s = this.server;
    const text = toWireText(raw);
    return this.commit({ type: 'wallops', source: actor.source, text, msgid: s.newMsgid() }, () => this.audit(actor, 'wallops', undefined, text));
  }

  /** Re-reads the config; on failure the old config stays and the reason is thrown. */
  async reload(actor: Actor): Promise<string[]> {
    try {
      const notes = await this.server.reload();
      this.audit(actor, 'reload', undefined, notes.join('; ') || 'ok');
      return notes;
    } catch (err) {
      const message = (err as Error).message;
      this.audit(actor, 'reload', undefined, `failed: ${message}`);
      throw new AdminError('reload-failed', message);
    }
  }

  async shutdown(actor: Actor, raw: string | undefined): Promise<void> {
    const message = raw === undefined ? undefined : this.reasonText(raw);
    this.audit(actor, 'shutdown', undefined, message);
    await this.server.shutdown(message);
  }
}
