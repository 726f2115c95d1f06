// What a node does when the cluster's log fails it: without Redis for longer than
// cluster.unavailableCloseMs it closes its sessions (their clients may reconnect to a node that
// can serve them) and, once Redis is back, rejoins under a new epoch; when the log itself was
// lost (Redis restarted empty) every session goes at once and the node starts again on the new
// log, from what the store of record keeps. Commands meanwhile fail fast with
// FAIL … TEMPORARILY_UNAVAILABLE (dispatch.ts), so nothing is answered as done that was not.
import type { Bus } from '../cluster/bus.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { Timer } from './clock.ts';
import { restoreRegisteredRooms } from './accounts.ts';
import type { ParlorServer } from './server.ts';

export interface ClusterWatchHost {
  readonly bus: Bus<NetworkEvent>;
  readonly unavailableCloseMs: number;
  setTimeout(fn: () => void, ms: number): Timer;
  /** Closes every session with this reason (the clients see ERROR). */
  dropSessions(reason: string): void;
  /** Back on the log under a new epoch (this node's users are gone: it says so first). */
  rejoin(): void;
  /** Closes every session with this reason and starts again on a new, empty log. */
  restartOnNewLog(reason: string): Promise<void>;
  /** Then: what the store of record keeps (bans, registered rooms) is put back on the network. */
  restoreFromStore(): Promise<void>;
  logWarning(context: string, details?: object): void;
  logError(err: unknown, context: string): void;
}

export const UNAVAILABLE_REASON = 'The network is unavailable (its log cannot be reached); please reconnect in a moment';
export const LOG_LOST_REASON = "The network's log was reset; please reconnect";

export class ClusterWatch {
  private closeTimer: Timer | undefined;
  /** Sessions were dropped while the log was away: rejoin once it is back. */
  private droppedWhileAway = false;
  private restarting = false;
  private retryTimer: Timer | undefined;
  /** Since the last loss, this node has joined the new log (what is left is restoring). */
  private onNewLog = false;
  private readonly stops: (() => void)[] = [];

  constructor(private readonly host: ClusterWatchHost) {}

  start(): void {
    const { bus } = this.host;
    if (bus.onAvailability) this.stops.push(bus.onAvailability((available) => (available ? this.available() : this.unavailable())));
    if (bus.onLogLost) this.stops.push(bus.onLogLost(() => this.logLost()));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.closeTimer?.cancel();
    this.closeTimer = undefined;
    this.retryTimer?.cancel();
  }

  private unavailable(): void {
    if (this.closeTimer !== undefined) return;
    this.host.logWarning('the network log (Redis) cannot be reached; commands fail until it is back', { closeAfterMs: this.host.unavailableCloseMs });
    this.closeTimer = this.host.setTimeout(() => {
      this.closeTimer = undefined;
      this.droppedWhileAway = true;
      this.host.logWarning('the network log is still unavailable: closing every session');
      this.host.dropSessions(UNAVAILABLE_REASON);
    }, this.host.unavailableCloseMs);
  }

  private available(): void {
    this.closeTimer?.cancel();
    this.closeTimer = undefined;
    if (!this.droppedWhileAway) return;
    this.droppedWhileAway = false;
    // The quits of the sessions closed meanwhile could not be written: the node says it is
    // gone under its old epoch (its users quit everywhere) and comes back under a new one.
    this.host.logWarning('the network log is back: rejoining');
    this.host.rejoin();
  }

  private logLost(): void {
    if (this.restarting) return;
    this.restarting = true;
    this.host.logWarning('the network log was lost (Redis restarted without its data): dropping every session and starting again on a new log');
    this.onNewLog = false;
    this.restart(LOG_LOST_REASON);
  }

  /**
   * Tried again every second until it works: the new log, or the store, may not be reachable
   * yet. Once on the new log, a retry only restores (a second reset would be for nothing).
   */
  private restart(reason: string): void {
    const steps = async (): Promise<void> => {
      if (!this.onNewLog) {
        await this.host.restartOnNewLog(reason);
        this.onNewLog = true;
      }
      await this.host.restoreFromStore();
    };
    steps().then(
      () => {
        this.restarting = false;
      },
      (err: unknown) => {
        this.host.logError(err, 'starting again on a new log; trying again in a second');
        this.retryTimer = this.host.setTimeout(() => this.restart(reason), 1_000);
      },
    );
  }
}

/** The watch of a node on a shared log, started. */
export function watchCluster(server: ParlorServer): ClusterWatch {
  const dropSessions = (reason: string): void => {
    for (const s of [...server.sessions]) s.disconnect(reason);
  };
  const watch = new ClusterWatch({
    bus: server.bus,
    unavailableCloseMs: server.config.cluster.unavailableCloseMs,
    setTimeout: (fn, ms) => server.clock.setTimeout(fn, ms),
    dropSessions,
    rejoin: () => server.rejoinNetwork(true),
    restartOnNewLog: async (reason) => {
      // Leaves the old log at once (the quits of the sessions closed now belong to it), then
      // joins the new one.
      const restarted = server.replica.restartOnNewLog();
      dropSessions(reason);
      await restarted;
    },
    restoreFromStore: async () => {
      await server.restoreBans();
      await restoreRegisteredRooms(server);
    },
    logWarning: (context, details) => server.logger.warn(details ?? {}, context),
    logError: (err, context) => server.logError(err, context),
  });
  watch.start();
  return watch;
}
