// Effects of network events on this node's own sessions, rather than on the shared state
// (network.ts): notices to everyone, wallops, kills, and what bans and mutes do to those online.
import { formatDuration } from '../protocol/duration.ts';
import { parseBanTarget } from './bans.ts';
import type { NetworkEvent } from './events.ts';
import { Outgoing } from './outgoing.ts';
import type { ParlorServer } from './server.ts';

export function applyLocally(server: ParlorServer, e: NetworkEvent): void {
  switch (e.type) {
    case 'server.notice': {
      const out = new Outgoing(e.source, e.command, ['$*', e.text], e.time, e.msgid);
      for (const s of server.registeredSessions()) s.sendOutgoing(out);
      return;
    }
    case 'wallops': {
      const out = new Outgoing(e.source, 'WALLOPS', [e.text], e.time, e.msgid);
      for (const s of server.registeredSessions()) if (s.user!.hasMode('w')) s.sendOutgoing(out);
      return;
    }
    case 'user.kill': {
      const s = server.local(e.uid);
      if (!s) return;
      s.sendReply(new Outgoing(e.source, 'KILL', [s.nickOrStar, e.reason], e.time));
      s.quitReason = e.reason;
      s.disconnect(e.reason);
      return;
    }
    case 'ban.add': {
      const matching = server.localSessionsMatching(e.ban);
      if (e.list === 'ban') {
        for (const s of matching) {
          const [numeric, error] = server.bannedLines(e.ban, s.nickOrStar, s.conn.remoteAddress);
          s.sendLine(numeric!);
          s.quitReason = `Banned: ${e.ban.reason}`;
          s.close(s.quitReason, error!);
        }
      } else {
        const until = e.ban.expiresAt === undefined ? '' : ` for ${formatDuration(e.ban.expiresAt - e.ban.setAt)}`;
        for (const s of matching) {
          if (s.registered) s.serverNotice(`You have been muted by the server operators${until}: ${e.ban.reason}. You can read but not speak.`);
        }
      }
      return;
    }
    case 'ban.remove': {
      const target = parseBanTarget(e.mask);
      if (e.list !== 'mute' || !target) return;
      for (const s of server.localSessionsMatching({ ...target, reason: '', setBy: '', setAt: 0, expiresAt: undefined })) {
        if (s.registered) s.serverNotice('You are no longer muted: you can speak again.');
      }
      return;
    }
    default:
      return;
  }
}
