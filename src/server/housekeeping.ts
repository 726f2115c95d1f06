// A node's periodic chores: limits and lockouts forgotten when they expire, history kept
// within retention, connections that never registered or stopped answering PING dropped.
import type { ParlorServer } from './server.ts';

export class Housekeeping {
  private lastPrune = 0;

  constructor(private readonly server: ParlorServer) {}

  sweep(): void {
    const server = this.server;
    const now = server.now();
    const l = server.config.limits;
    server.gate.sweep(now);
    server.panelSessions.sweep();
    server.authGuard.sweep();
    server.registrations.sweep(now);
    this.pruneHistory(now);
    for (const s of server.sessions) {
      if (!s.registered) {
        if (now - s.connectedAt > l.registrationTimeoutMs) s.disconnect('Registration timed out');
      } else if (s.isPlainText) {
        // A person at nc cannot answer PING; a dead socket shows up as a write error instead.
        continue;
      } else if (s.pingSentAt !== 0) {
        if (now - s.pingSentAt > l.pingTimeoutMs) s.disconnect(`Ping timeout: ${Math.round((now - s.lastActivity) / 1000)} seconds`);
      } else if (now - s.lastActivity > l.pingIntervalMs) {
        s.pingSentAt = now;
        s.sendLine(`PING :${server.serverName}`);
      }
    }
  }

  /** Retention, at most once a minute: by age and by count per conversation; deleted messages' tombstones. */
  private pruneHistory(now: number): void {
    const server = this.server;
    const { enabled, maxAgeDays, maxPerTarget, tombstoneMs } = server.config.history;
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    if (enabled) server.persist(server.store.pruneRedactions(now - tombstoneMs), "pruning deleted messages' tombstones");
    if (maxAgeDays === 0 && maxPerTarget === 0) return;
    const before = maxAgeDays === 0 ? 0 : now - maxAgeDays * 86_400_000;
    server.persist(server.store.prune(before, maxPerTarget === 0 ? Infinity : maxPerTarget), 'pruning history');
  }
}
