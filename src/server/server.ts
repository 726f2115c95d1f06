// createServer(): wires config, store, bus, clock and logger into a running IRC server.
// No globals: a test may start as many servers as it likes.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pino, { type Logger } from 'pino';
import { InProcessBus } from '../cluster/in-process-bus.ts';
import type { Bus } from '../cluster/bus.ts';
import { isupportTokens } from '../protocol/isupport.ts';
import type { IrcMessage } from '../protocol/message.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import type { Store } from '../storage/store.ts';
import type { Connection, Listener } from '../transport/connection.ts';
import { listenTcp } from '../transport/tcp.ts';
import { systemClock, type Clock, type Timer } from './clock.ts';
import type { Config } from './config.ts';
import { dispatch } from './dispatch.ts';
import type { NetworkEvent } from './events.ts';
import { Network, type LocalSessions } from './network.ts';
import { Session, type SessionHost } from './session.ts';

export { VERSION } from './version.ts';

export interface ServerDeps {
  config: Config;
  store?: Store;
  bus?: Bus<NetworkEvent>;
  clock?: Clock;
  logger?: Logger;
}

export function createServer(deps: ServerDeps): ParlorServer {
  return new ParlorServer(deps);
}

export class ParlorServer implements SessionHost, LocalSessions {
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus<NetworkEvent>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly network: Network;
  readonly serverName: string;
  readonly createdAt: number;
  readonly isupport: string[];
  motd: string[] | undefined;

  /** Registered local sessions by uid. */
  private readonly byUid = new Map<string, Session>();
  /** Every local connection, registered or not. */
  readonly sessions = new Set<Session>();
  private listener: Listener | undefined;
  private sweeper: Timer | undefined;
  private readonly idPrefix = randomBytes(6).toString('base64url');
  private idCounter = 0;
  private unsubscribe: (() => void) | undefined;
  stats = { maxLocalUsers: 0 };

  constructor(deps: ServerDeps) {
    this.config = deps.config;
    this.store = deps.store ?? new MemoryStore();
    this.bus = deps.bus ?? new InProcessBus<NetworkEvent>();
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? pino({ level: 'silent' });
    this.serverName = this.config.server.name;
    this.createdAt = this.clock.now();
    this.network = new Network(this, this.config.limits.whowasEntries);
    const l = this.config.limits;
    this.isupport = isupportTokens({
      network: this.config.server.network,
      nickLen: l.nickLength,
      channelLen: l.channelLength,
      topicLen: l.topicLength,
      kickLen: l.kickLength,
      awayLen: l.awayLength,
      userLen: l.userLength,
      hostLen: 64,
      maxChannels: l.channelsPerUser,
      maxTargets: l.targetsPerMessage,
      maxModes: l.modesPerCommand,
      maxBans: l.bansPerChannel,
      monitorLimit: l.monitorEntries,
      lineLen: l.lineBytes,
    });
  }

  get limits(): Config['limits'] {
    return this.config.limits;
  }

  readonly now = (): number => this.clock.now();

  async listen(): Promise<{ host: string; port: number }> {
    this.motd = await this.loadMotd();
    this.unsubscribe = this.bus.subscribe((event) => {
      // A fault applying one event must not take the node down; it is logged loudly.
      try {
        this.network.apply(event);
      } catch (err) {
        this.logError(err, `applying ${event.type}`);
      }
    });
    const l = this.config.limits;
    this.listener = await listenTcp(
      {
        host: this.config.server.host,
        port: this.config.server.port,
        limits: { maxLineBytes: l.lineBytes + l.tagBytes, sendQueueBytes: l.sendQueueBytes, closeTimeoutMs: l.closeTimeoutMs },
      },
      (conn) => this.accept(conn),
    );
    const sweepEvery = Math.max(25, Math.min(5_000, Math.min(l.registrationTimeoutMs, l.pingIntervalMs, l.pingTimeoutMs) / 4));
    this.sweeper = this.clock.setInterval(() => this.sweep(), sweepEvery);
    this.logger.info({ host: this.listener.host, port: this.listener.port }, 'listening');
    return { host: this.listener.host, port: this.listener.port };
  }

  get address(): { host: string; port: number } | undefined {
    return this.listener && { host: this.listener.host, port: this.listener.port };
  }

  async close(reason = 'Server shutting down'): Promise<void> {
    this.sweeper?.cancel();
    for (const s of [...this.sessions]) s.disconnect(reason);
    await this.listener?.close();
    this.unsubscribe?.();
    await this.store.close();
  }

  /** Accept a connection from any transport. */
  accept(conn: Connection): void {
    const session = new Session(this, conn);
    this.sessions.add(session);
  }

  local(uid: string): Session | undefined {
    return this.byUid.get(uid);
  }

  get localUserCount(): number {
    return this.byUid.size;
  }

  publish(event: NetworkEvent): void {
    this.bus.publish(event);
  }

  newUid(): string {
    return `${this.bus.nodeId}-${this.idPrefix}${(++this.idCounter).toString(36)}`;
  }

  newMsgid(): string {
    return `${this.idPrefix}${(++this.idCounter).toString(36)}`;
  }

  /** Called once registration is complete and the user introduced on the bus. */
  registered(session: Session): void {
    this.byUid.set(session.user!.uid, session);
    this.stats.maxLocalUsers = Math.max(this.stats.maxLocalUsers, this.byUid.size);
  }

  dispatch(session: Session, msg: IrcMessage): void | Promise<void> {
    return dispatch(this, session, msg);
  }

  sessionClosed(session: Session, reason: string): void {
    this.sessions.delete(session);
    for (const folded of session.monitoredNicks()) {
      const set = this.network.monitors.get(folded);
      set?.delete(session);
      if (set?.size === 0) this.network.monitors.delete(folded);
    }
    const user = session.user;
    if (!user) return;
    this.publish({ type: 'user.quit', uid: user.uid, reason: session.quitReason ?? reason, time: this.now(), msgid: this.newMsgid() });
    this.byUid.delete(user.uid);
    this.logger.info({ nick: user.nick, reason }, 'quit');
  }

  logError(err: unknown, context: string): void {
    this.logger.error({ err }, `error in ${context}`);
  }

  private sweep(): void {
    const now = this.now();
    const l = this.config.limits;
    for (const s of this.sessions) {
      if (!s.registered) {
        if (now - s.connectedAt > l.registrationTimeoutMs) s.disconnect('Registration timed out');
      } else if (s.pingSentAt !== 0) {
        if (now - s.pingSentAt > l.pingTimeoutMs) s.disconnect(`Ping timeout: ${Math.round((now - s.lastActivity) / 1000)} seconds`);
      } else if (now - s.lastActivity > l.pingIntervalMs) {
        s.pingSentAt = now;
        s.sendLine(`PING :${this.serverName}`);
      }
    }
  }

  private async loadMotd(): Promise<string[] | undefined> {
    const { motdFile, motd } = this.config.server;
    let text = motd;
    if (motdFile) {
      try {
        text = await readFile(motdFile, 'utf8');
      } catch (err) {
        this.logger.warn({ err, motdFile }, 'cannot read the MOTD file');
      }
    }
    return text === undefined ? undefined : text.replace(/\r/g, '').replace(/\n$/, '').split('\n');
  }
}
