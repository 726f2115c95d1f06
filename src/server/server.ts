// createServer(): wires config, store, bus, clock and logger into a running IRC server.
// No globals: a test may start as many servers as it likes.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { InProcessBus } from '../cluster/in-process-bus.ts';
import { StoreWrites } from './store-writes.ts';
import { watchCluster, type ClusterWatch } from './cluster-watch.ts';
import type { Bus } from '../cluster/bus.ts';
import type { IrcMessage } from '../protocol/message.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import type { Store } from '../storage/store.ts';
import type { Connection } from '../transport/connection.ts';
import { toWireText } from '../protocol/wire-text.ts';
import { bannedLines } from './banned-lines.ts';
import { guardNick, restoreRegisteredRooms, RoomSaver } from './accounts.ts';
import { Housekeeping } from './housekeeping.ts';
import { Listeners } from './listeners.ts';
import { keepRestartOnlySettings } from './config-reload.ts';
import { AdminActions } from './admin.ts';
import { ConnectionGate, type Refusal } from './admission.ts';
import { AuditLog } from './audit.ts';
import { AuthGuard } from './auth-guard.ts';
import { BanList, type ServerBan } from '../network/bans.ts';
import type { NetworkState } from '../network/network-state.ts';
import { LocalEffects } from '../node/local-effects.ts';
import { NetworkReplica } from '../node/network-replica.ts';
import type { Committed } from '../node/log-follower.ts';
import { systemClock, type Clock, type Timer } from './clock.ts';
import type { Config } from './config.ts';
import { dispatch } from './dispatch.ts';
import type { NetworkEvent } from '../network/events.ts';
import { ServerMetrics } from './metrics.ts';
import { SPLIT_REASON } from '../network/reducer.ts';
import { PanelSessions } from './panel-sessions.ts';
import { RateMeter } from './rate-meter.ts';
import { RegistrationThrottle } from './registration-throttle.ts';
import { ScramSaltSecret } from './scram-secret.ts';
import { ScryptQueue } from './scrypt-queue.ts';
import { isupportFor, ServerTexts } from './server-texts.ts';
import type { CommandHost, CommandServices, IdSource } from './command-services.ts';
import { Session, type SessionHost } from './session.ts';
import { WebSlots, type WebSlot } from './web-slots.ts';
import { WebircGateways } from './webirc-gateways.ts';

export { VERSION } from './version.ts';

export interface ServerDeps {
  config: Config;
  store?: Store;
  /** The network's log; without one the node is a network of its own (in-process). */
  bus?: Bus<NetworkEvent>;
  /** This node's name in the network; the server's name by default. */
  nodeId?: string;
  /** History is written from the log by a history writer (a cluster), not by each message's handler. */
  historyFromLog?: boolean;
  /** At shutdown, once this node has left the network and before the store closes (the cluster's connections). */
  afterLeaving?: () => Promise<void>;
  clock?: Clock;
  logger?: Logger;
  /** Reads the configuration again (REHASH, `reload`, SIGHUP); without it reload is refused. */
  reloadConfig?: () => Promise<Config>;
  /** Called after an admin's shutdown has closed the server, cleanly or not (the CLI exits). */
  onShutdown?: (clean: boolean) => void;
}

/** A message to the admin pseudo-user, for the console. */
export interface AdminInboxMessage {
  from: string;
  mask: string;
  command: string;
  text: string;
  time: number;
}

export function createServer(deps: ServerDeps): ParlorServer {
  return new ParlorServer(deps);
}

export class ParlorServer implements SessionHost, CommandHost, CommandServices {
  config: Config;
  readonly store: Store;
  readonly bus: Bus<NetworkEvent>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The network as the log has made it so far: read it, change it only by committing events. */
  readonly network: NetworkState;
  readonly replica: NetworkReplica;
  readonly nodeId: string;
  readonly historyFromLog: boolean;
  readonly serverName: string;
  readonly createdAt: number;
  /** ISUPPORT, welcome and MOTD lines: made again on reload. */
  texts: ServerTexts;
  readonly gate: ConnectionGate;
  /** Web sockets' places in the gate's limits. */
  readonly webSlots = new WebSlots(this);
  readonly audit: AuditLog;
  readonly admin: AdminActions;
  /** The figures /metrics and the console's `stats` show. */
  readonly metrics: ServerMetrics;
  /** IRC operators logged in to the admin panel; expired ones are dropped by sweep(). */
  readonly panelSessions: PanelSessions;
  /** Failed logins per address and per name, and their lockouts. */
  readonly authGuard: AuthGuard;
  /** Every password hash and check waits its turn here. */
  readonly hashing: ScryptQueue;
  /** The key of SCRAM's made-up salts, kept once read (scram-secret.ts). */
  readonly scramSaltSecret: ScramSaltSecret;
  /** Accounts created per address. */
  readonly registrations = new RegistrationThrottle(() => this.config, (address) => this.gate.limitedKey(address));
  /** The web gateways that may send WEBIRC. */
  readonly webircGateways = new WebircGateways(() => this.config.proxy.webirc);
  /** Listeners for messages to the admin nick (the console). */
  readonly adminInbox = new Set<(m: AdminInboxMessage) => void>();
  private readonly reloadConfig: (() => Promise<Config>) | undefined;
  private readonly onShutdown: ((clean: boolean) => void) | undefined;
  private readonly afterLeaving: (() => Promise<void>) | undefined;
  private closing: Promise<void> | undefined;
  private readonly housekeeping = new Housekeeping(this);
  /** Bans and registered rooms written to the store in order, retried while the database is away. */
  readonly storeWrites: StoreWrites;
  /** Registered rooms changed by this node's users, saved in a moment. */
  readonly roomsToSave = new RoomSaver(this);

  /** Registered local sessions by uid. */
  private readonly byUid = new Map<string, Session>();
  /** Sessions whose user.introduce is on its way through the log, by the uid they will have. */
  private readonly introducing = new Map<string, Session>();
  /** Every local connection, registered or not. */
  readonly sessions = new Set<Session>();
  private readonly listeners = new Listeners(this, (conn, slot) => this.accept(conn, slot));
  private sweeper: Timer | undefined;
  private catchUpTimer: Timer | undefined;
  /** On a shared log: what the node does when the log is away or lost. */
  private clusterWatch: ClusterWatch | undefined;
  /** The log is shared with other nodes (not this server's own in-process one). */
  private readonly sharedLog: boolean;
  private readonly idPrefix = randomBytes(6).toString('base64url');
  private idCounter = 0;
  readonly stats = {
    maxLocalUsers: 0,
    peakConnections: 0,
    /** PRIVMSG/NOTICE/TAGMSG accepted from clients. */
    messages: new RateMeter(),
    refused: { 'server-full': 0, 'per-ip': 0, throttled: 0, banned: 0 },
    floodDisconnects: 0,
    /** Connections closed with 'SendQ exceeded'. */
    sendQueueDrops: 0,
    registrations: 0,
  };

  constructor(deps: ServerDeps) {
    this.config = deps.config;
    this.store = deps.store ?? new MemoryStore();
    this.clock = deps.clock ?? systemClock;
    this.sharedLog = deps.bus !== undefined;
    this.bus = deps.bus ?? new InProcessBus<NetworkEvent>({ now: () => this.clock.now(), retain: 0 });
    this.logger = deps.logger ?? pino({ level: 'silent' });
    this.serverName = this.config.server.name;
    this.nodeId = deps.nodeId ?? this.serverName;
    this.historyFromLog = deps.historyFromLog ?? false;
    this.afterLeaving = deps.afterLeaving;
    this.storeWrites = new StoreWrites({ logError: (err, context) => this.logError(err, context), maxQueued: this.config.storage.maxQueued });
    this.createdAt = this.clock.now();
    this.replica = new NetworkReplica(this.bus, new LocalEffects(this), {
      nodeId: this.nodeId,
      serverName: this.serverName,
      whowasLimit: this.config.limits.whowasEntries,
      adminNick: this.config.admin.pseudoUser ? this.config.admin.nick : undefined,
      casemapping: this.config.server.casemapping,
      // A network of one node (its own in-process log) has nobody to catch up.
      snapshotEvery: this.sharedLog ? this.config.cluster.snapshotEvery : 0,
      catchUpMs: this.config.cluster.catchUpMs,
    });
    this.network = this.replica.state;
    this.texts = new ServerTexts(this.serverName, this.config.server.network, this.createdAt, isupportFor(this.config), undefined);
    this.gate = new ConnectionGate(this.config.connections);
    const { auditLog } = this.config.admin;
    this.audit = new AuditLog(auditLog === undefined ? join(this.config.storage.dataDir, 'audit.log') : auditLog, this.config.admin.auditMemory, this.logger);
    this.admin = new AdminActions(this);
    this.metrics = new ServerMetrics(this);
    this.panelSessions = new PanelSessions(() => this.config.admin, this.now);
    this.authGuard = new AuthGuard(() => this.config, this.clock, this.logger);
    this.hashing = new ScryptQueue(() => this.config.auth);
    this.scramSaltSecret = new ScramSaltSecret(this.store, () => this.config.accounts.scramSecret);
    this.reloadConfig = deps.reloadConfig;
    this.onShutdown = deps.onShutdown;
  }

  get limits(): Config['limits'] {
    return this.config.limits;
  }

  get floodSettings(): Config['flood'] {
    return this.config.flood;
  }

  readonly now = (): number => this.clock.now();

  /** What command handlers may use of this node (context.ts). */
  get services(): CommandServices {
    return this;
  }

  get ids(): IdSource {
    return this;
  }

  /** folded nick → this node's sessions that MONITOR it. */
  get monitors(): CommandServices['monitors'] {
    return this.replica.delivery.monitors;
  }

  get whowas(): CommandServices['whowas'] {
    return this.replica.delivery.whowas;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.clock.setTimeout(fn, ms);
  }

  async listen(): Promise<{ host: string; port: number }> {
    this.texts = await ServerTexts.load(this.config, this.serverName, this.createdAt, this.logger);
    // Caught up with the network before taking anyone in.
    // On a log shared with other nodes, a lost last entry shows no gap: read back now and then
    // (from the start: this node's own node.up may be the entry lost).
    if (this.sharedLog) this.catchUpTimer = this.clock.setInterval(() => this.replica.catchUp(), this.config.cluster.catchUpMs);
    await this.replica.join();
    await this.restoreBans();
    // Registered rooms exist from the start, members or not; their changes are saved.
    await restoreRegisteredRooms(this);
    if (this.sharedLog) this.clusterWatch = watchCluster(this);
    const address = await this.listeners.open(this.config);
    const l = this.config.limits;
    const sweepEvery = Math.max(25, Math.min(5_000, Math.min(l.registrationTimeoutMs, l.pingIntervalMs, l.pingTimeoutMs) / 4));
    this.sweeper = this.clock.setInterval(() => this.housekeeping.sweep(), sweepEvery);
    this.metrics.start();
    this.logger.info(address, 'listening');
    return address;
  }

  /** Where the web client and the WebSocket endpoint listen, when enabled. */
  get webAddress(): { host: string; port: number; secure: boolean } | undefined {
    return this.listeners.webAddress;
  }

  /** Where the TLS listener listens, when a certificate is configured. */
  get tlsAddress(): { host: string; port: number } | undefined {
    return this.listeners.tlsAddress;
  }

  /** The IRCv3 STS policy to advertise on a connection, if any (the value of the sts capability). */
  stsPolicy(secure: boolean): string | undefined {
    return this.listeners.stsPolicy(secure);
  }

  close(reason = 'Server shutting down'): Promise<void> {
    return (this.closing ??= this.closeOnce(reason));
  }

  /** Bounded by server.shutdownTimeoutMs: rejects when a step takes longer (the CLI exits 1). */
  private async closeOnce(reason: string): Promise<void> {
    const limitMs = this.config.server.shutdownTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`shutdown took longer than ${limitMs} ms`)), limitMs);
    });
    try {
      await Promise.race([this.closeSteps(reason, limitMs), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * No new connections; every client told why (ERROR) and given time to read it; then what
   * was accepted is flushed to storage.
   */
  private async closeSteps(reason: string, limitMs: number): Promise<void> {
    this.sweeper?.cancel();
    this.catchUpTimer?.cancel();
    this.clusterWatch?.stop();
    this.metrics.stop();
    const graceMs = Math.min(this.config.limits.closeTimeoutMs, limitMs / 2);
    const listeners = this.listeners.close(graceMs);
    for (const s of [...this.sessions]) s.disconnect(reason);
    await listeners;
    this.replica.leave();
    await this.afterLeaving?.();
    this.roomsToSave.flush();
    await this.storeWrites.stop(graceMs);
    this.panelSessions.clear();
    await this.store.close();
    await this.audit.close();
  }

  /** An admin's shutdown: every client is told why, then the server closes. */
  async shutdown(message?: string): Promise<void> {
    let clean = false;
    try {
      await this.close(message ? `Server shutting down: ${message}` : 'Server shutting down');
      clean = true;
    } finally {
      this.onShutdown?.(clean);
    }
  }

  /** Accept a connection from any transport: bans and connection limits are checked first. */
  accept(conn: Connection, webSlot?: WebSlot): void {
    const now = this.now();
    const ban = this.network.bans.match(now, conn.remoteAddress);
    if (ban) {
      this.stats.refused.banned++;
      this.logger.info({ address: conn.remoteAddress, transport: conn.transport, reason: 'banned' }, 'connection refused');
      conn.close('Banned', this.bannedLines(ban, '*', conn.remoteAddress).join('\r\n'));
      return;
    }
    // A web gateway's connection speaks for many users, each judged when its WEBIRC names it:
    // until then it counts in the total only, so that its users do not share one address's limits.
    const gateway = !webSlot && this.webircGateways.listed(conn.remoteAddress);
    const admission = webSlot
      ? this.webSlots.upgrade(webSlot, conn.remoteAddress)
      : this.gate.admit(conn.remoteAddress, this.webSlots.openConnections, now, { perAddress: !gateway });
    if (admission.refusal) {
      this.stats.refused[admission.refusal.code]++;
      this.logger.info({ address: conn.remoteAddress, reason: admission.refusal.code }, 'connection refused');
      conn.close(admission.refusal.message, `ERROR :${admission.refusal.message}`);
      return;
    }
    const session = new Session(this, conn);
    session.admissionKey = admission.key;
    session.admissionDeferred = gateway;
    this.sessions.add(session);
    this.stats.peakConnections = Math.max(this.stats.peakConnections, this.sessions.size);
    this.logger.debug({ id: conn.id, transport: conn.transport, address: conn.remoteAddress }, 'connection accepted');
  }

  readmit(session: Session, address: string): Refusal | undefined {
    // The session is counted in the total already: not twice.
    const admission = this.gate.admit(address, this.webSlots.openConnections - 1, this.now());
    if (admission.refusal) {
      this.stats.refused[admission.refusal.code]++;
      return admission.refusal;
    }
    this.gate.release(session.admissionKey);
    session.admissionKey = admission.key;
    return undefined;
  }

  /** ERR_YOUREBANNEDCREEP and the closing ERROR for a banned client. */
  bannedLines(ban: ServerBan, nick: string, address: string): string[] {
    return bannedLines(this.serverName, ban, nick, address, this.now());
  }

  /** Local sessions a ban or mute entry applies to. */
  localSessionsMatching(ban: ServerBan): Session[] {
    const out: Session[] = [];
    const probe = new BanList();
    probe.add({ ...ban, expiresAt: undefined });
    for (const s of this.sessions) {
      if (probe.match(0, s.conn.remoteAddress, s.user?.mask)) out.push(s);
    }
    return out;
  }

  local(uid: string): Session | undefined {
    return this.byUid.get(uid) ?? this.introducing.get(uid);
  }

  /** This node's registered sessions. */
  registeredSessions(): IterableIterator<Session> {
    return this.byUid.values();
  }

  get localUserCount(): number {
    return this.byUid.size;
  }

  /** Appends an event to the network's log; its verdict comes when it is applied. */
  commit(event: NetworkEvent): Committed {
    return this.replica.commit(event);
  }

  /** Appends an event whose verdict nobody waits for. */
  publish(event: NetworkEvent): void {
    this.replica.send(event);
  }

  newUid(): string {
    // Joined into one flat string: a concatenation would keep cons strings for every user's life.
    return [this.nodeId, '-', this.idPrefix, (++this.idCounter).toString(36)].join('');
  }

  newMsgid(): string {
    return `${this.idPrefix}${(++this.idCounter).toString(36)}`;
  }

  /** Before its user.introduce is committed: deliveries to the uid reach the session from then on. */
  claimUid(session: Session, uid: string): void {
    this.introducing.set(uid, session);
  }

  /** The introduce was refused (the nick taken meanwhile). */
  releaseUid(uid: string): void {
    this.introducing.delete(uid);
  }

  /** Called once registration is complete and the user introduced on the network. */
  registered(session: Session): void {
    this.introducing.delete(session.user!.uid);
    this.byUid.set(session.user!.uid, session);
    this.stats.registrations++;
    this.stats.maxLocalUsers = Math.max(this.stats.maxLocalUsers, this.byUid.size);
  }

  dispatch(session: Session, msg: IrcMessage): void | Promise<void> {
    return dispatch(this, session, msg);
  }

  sessionClosed(session: Session, reason: string): void {
    this.sessions.delete(session);
    this.gate.release(session.admissionKey);
    if (reason === 'Excess Flood') this.stats.floodDisconnects++;
    else if (reason === 'SendQ exceeded') this.stats.sendQueueDrops++;
    this.replica.delivery.forget(session, session.monitoredNicks());
    const user = session.user;
    // A QUIT's own words are the user's text: logged only where message text is.
    const logReason = reason.startsWith('Quit:') && !this.config.logging.messages ? 'Quit' : reason;
    if (!user) {
      this.logger.debug({ id: session.conn.id, address: session.conn.remoteAddress, reason: logReason }, 'connection closed before registering');
      return;
    }
    // A user the network has dropped already (its node declared down) needs no quit.
    if (this.network.users.get(user.uid) === user && this.replica.isJoined) this.publish({ type: 'user.quit', uid: user.uid, reason: session.quitReason ?? reason, msgid: this.newMsgid() });
    this.byUid.delete(user.uid);
    this.logger.info({ id: session.conn.id, nick: user.nick, reason: logReason }, 'quit');
  }

  /** A storage write whose failure is logged, not thrown: the chat goes on. */
  persist(write: Promise<unknown>, what: string): void {
    write.catch((err: unknown) => this.logError(err, what));
  }

  logError(err: unknown, context: string): void {
    this.logger.error({ err }, `error in ${context}`);
  }

  /** Logged out by the network (the account suspended or deleted): the nick guard starts again. */
  accountLost(session: Session): void {
    guardNick(this, session);
  }

  /**
   * Declared dead by the network (or fallen behind the log): this node's users are gone, so
   * their connections go; then it comes back as a new incarnation (from the newest snapshot).
   */
  rejoinNetwork(fromSnapshot: boolean): void {
    for (const s of [...this.byUid.values(), ...this.introducing.values()]) s.disconnect(SPLIT_REASON);
    this.replica.rejoin(fromSnapshot).catch((err: unknown) => {
      // Not announced under the new epoch, the node could take nobody in: it tries again.
      this.logError(err, 'rejoining the network; trying again in a second');
      if (!this.closing) this.clock.setTimeout(() => this.rejoinNetwork(true), 1_000);
    });
  }

  /** Server bans and mutes outlive restarts: those the network lacks are added again (expired ones left behind). */
  async restoreBans(): Promise<void> {
    const now = this.now();
    const held = {
      ban: new Set(this.network.bans.inForceAt(now).map((x) => x.mask)),
      mute: new Set(this.network.mutes.inForceAt(now).map((x) => x.mask)),
    };
    for (const b of await this.store.listBans()) {
      if (b.expiresAt !== undefined && b.expiresAt <= now) continue;
      const { list, ...ban } = b;
      if (held[list].has(ban.mask)) continue;
      // Saved by an older version, a reason may still hold CR or LF: made one line as it comes back.
      await this.commit({ type: 'ban.add', list, ban: { ...ban, reason: toWireText(ban.reason), expiresAt: ban.expiresAt } });
    }
  }

  /** Re-reads the config. Host, port and names need a restart; the returned notes say so. */
  async reload(): Promise<string[]> {
    if (!this.reloadConfig) throw new Error('There is no config to reload (the server was started without one)');
    const next = await this.reloadConfig();
    const old = this.config;
    const { config, notes } = keepRestartOnlySettings(old, next);
    notes.push(...(await this.listeners.reloadCredentials(next, old)));
    this.config = config;
    if (this.gate.maxConnections !== old.connections.max || this.gate.maxPerIp !== old.connections.perIp) {
      notes.push(`limits set live give way to the config: at most ${next.connections.max} connections, ${next.connections.perIp} per IP`);
    }
    this.gate.configure(this.config.connections);
    this.texts = await ServerTexts.load(this.config, this.serverName, this.createdAt, this.logger);
    this.logger.info({ notes }, 'configuration reloaded');
    return notes;
  }
}
