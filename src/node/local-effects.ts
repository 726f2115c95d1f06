// What an applied entry does on this node beyond writing lines to sessions: kills and bans
// close its sessions, mutes and logouts are told to those online, messages to the admin nick
// reach the console, registered rooms are saved, and a node declared dead comes back.
import { formatDuration } from '../protocol/duration.ts';
import { parseBanTarget, type ServerBan } from '../network/bans.ts';
import type { BanListName } from '../network/events.ts';
import type { Channel, User } from '../network/state.ts';
import { Outgoing } from '../server/outgoing.ts';
import type { ParlorServer } from '../server/server.ts';
import type { Session } from '../server/session.ts';
import type { ReplicaHost } from './network-replica.ts';

export class LocalEffects implements ReplicaHost {
  constructor(private readonly server: ParlorServer) {}

  get serverName(): string {
    return this.server.serverName;
  }

  local(uid: string): Session | undefined {
    return this.server.local(uid);
  }

  registeredSessions(): Iterable<Session> {
    return this.server.registeredSessions();
  }

  logError(err: unknown, context: string): void {
    this.server.logError(err, context);
  }

  kill(uid: string, out: Outgoing, reason: string): void {
    const s = this.server.local(uid);
    if (!s) return;
    s.sendReply(out);
    s.quitReason = reason;
    s.disconnect(reason);
  }

  loggedOut(uid: string, out: Outgoing): void {
    const s = this.server.local(uid);
    if (!s) return;
    s.sendOutgoing(out);
    this.server.accountLost(s);
  }

  messageToAdmin(from: User, command: string, text: string, time: number): void {
    const server = this.server;
    server.logger.info({ from: from.mask, command }, 'message to the admin nick');
    for (const listener of server.adminInbox) listener({ from: from.nick, mask: from.mask, command, text, time });
    // Nobody reads it here: say so, rather than let the sender wait for an answer.
    const sender = server.local(from.uid);
    const admin = server.network.admin;
    if (server.adminInbox.size === 0 && sender && command === 'PRIVMSG' && admin) {
      sender.sendReply(new Outgoing(admin.mask, 'NOTICE', [from.nick, 'Nobody is at the server console right now.'], time));
    }
  }

  serverBan(list: BanListName, ban: ServerBan): void {
    const server = this.server;
    const matching = server.localSessionsMatching(ban);
    if (list === 'ban') {
      for (const s of matching) {
        const [numeric, error] = server.bannedLines(ban, s.nickOrStar, s.conn.remoteAddress);
        s.sendLine(numeric!);
        s.quitReason = `Banned: ${ban.reason}`;
        s.close(s.quitReason, error!);
      }
      return;
    }
    const until = ban.expiresAt === undefined ? '' : ` for ${formatDuration(ban.expiresAt - ban.setAt)}`;
    for (const s of matching) {
      if (s.registered) s.serverNotice(`You have been muted by the server operators${until}: ${ban.reason}. You can read but not speak.`);
    }
  }

  serverUnban(list: BanListName, mask: string): void {
    const target = parseBanTarget(mask);
    if (list !== 'mute' || !target) return;
    for (const s of this.server.localSessionsMatching({ ...target, reason: '', setBy: '', setAt: 0, expiresAt: undefined })) {
      if (s.registered) s.serverNotice('You are no longer muted: you can speak again.');
    }
  }

  /**
   * Limits set live apply to the nodes up when they are set. A node still catching up (not yet
   * up under its epoch) passes over older ones, so that it starts from its config whether it
   * read them from the log or from a snapshot that does not hold them.
   */
  connectionLimits(max: number | undefined, perIp: number | undefined): void {
    const server = this.server;
    if (!server.network.isUp(server.nodeId, server.replica.epoch)) return;
    if (max !== undefined) server.gate.setMax(max);
    if (perIp !== undefined) server.gate.setPerIp(perIp);
  }

  /** Each change is saved by the node it was made on (every node shares the store). */
  roomChanged(channel: Channel, byNode: string | undefined): void {
    if (byNode === undefined || byNode === '*' || byNode === this.server.nodeId) this.server.roomsToSave.add(channel);
  }

  epochDead(nodeId: string, epoch: string, replaced: boolean): void {
    const server = this.server;
    if (nodeId !== server.nodeId || epoch !== server.replica.epoch || !server.replica.isJoined) return;
    if (replaced) {
      // Another process announced itself under this node's id: two would only replace each
      // other for ever. This one stops.
      server.logger.fatal({ nodeId, epoch }, `another process joined the network as node ${nodeId}; this one stops (give each node its own id)`);
      server.shutdown(`another process runs as node ${nodeId}`).catch((err: unknown) => server.logError(err, 'stopping'));
      return;
    }
    // Declared dead while it could not be heard (paused, cut off): its users are gone from
    // the network, so their connections go too, and the node comes back as a new incarnation.
    server.logger.warn({ epoch }, 'this node was declared down by the network; rejoining');
    server.rejoinNetwork(false);
  }

  lostTrack(position: number): void {
    // The log let go of an entry this node had not read (it fell behind a snapshot).
    this.server.logger.warn({ position }, 'this node fell behind the log; starting again from the newest snapshot');
    this.server.rejoinNetwork(true);
  }
}
