// The network's one ordered log on a Redis Stream (issue 14; bus.ts). Appending is one Lua
// script (redis-scripts.ts) that gives the entry its position and time and XADDs it with the
// id `${ms}-${position}`; every node, the writer too, reads entries back with XREAD BLOCK on a
// connection of its own. Liveness: each node beats into a hash; the beat script compares
// heartbeats with each other (never with a node's clock) and the node.down of a stale node is
// appended by one atomic reap script, so two reapers never both append it.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Bus, Snapshot } from './bus.ts';
import { LogError } from './errors.ts';
import type { LogEntry } from './log-cursor.ts';
import { connectRedis, openRedis } from './redis-connection.ts';
import {
  createGroup,
  defineLogScripts,
  logKeys,
  parseStreamEntry,
  type LogKeys,
  type LogScripts,
  type RawStreamEntry,
} from './redis-scripts.ts';

export interface RedisBusOptions<E> {
  /** redis://, rediss:// or unix:///path.sock */
  url: string;
  /** Prefix of every key (several networks, or tests, on one Redis). */
  namespace?: string;
  /** A command that gets no answer in this long fails (ioredis has no limit of its own). */
  commandTimeoutMs?: number;
  heartbeatMs?: number;
  /** A node whose heartbeat is this far behind the newest one is declared dead. */
  deadAfterMs?: number;
  /** How long one XREAD waits for entries. */
  blockMs?: number;
  /** Entries per XREAD / XRANGE page. */
  readCount?: number;
  snapshotLeaseMs?: number;
  /** The event the reaper appends for a dead node. */
  downEvent: (nodeId: string, epoch: string) => E;
  /** A consumer group (the history writer) whose unhandled entries trimming keeps… */
  historyGroup?: string;
  /** …up to this many: past it, trimming goes on (and says so). */
  maxBacklog?: number;
  /** Positions whose stream id this bus remembers (readAfter from them needs no scan). */
  rememberedIds?: number;
  logError?: (err: unknown, context: string) => void;
  /** Tests only: the log's clock, instead of Redis TIME. */
  clock?: () => number;
}

type Settings<E> = Required<Omit<RedisBusOptions<E>, 'historyGroup' | 'clock'>> & Pick<RedisBusOptions<E>, 'historyGroup' | 'clock'>;

export type HeartbeatResult = 'ok' | 'dead' | 'lost';

const XREAD_ERROR_BACKOFF_MS = 200;

export class RedisBus<E> implements Bus<E> {
  private handlers: ((entry: LogEntry<E>) => void)[] = [];
  private readonly lostHandlers = new Set<() => void>();
  private readonly availabilityHandlers = new Set<(available: boolean) => void>();
  /** position → stream id, of entries seen lately (insertion order = position order). */
  private readonly ids = new Map<number, string>();
  private newestSeen: { position: number; id: string } | undefined;
  /** The stream id the read loop continues after. */
  private lastId: string;
  /** Bumped by resetLog(): a read begun before it is thrown away. */
  private generation = 0;
  private delivered = 0;
  private readonly deliveryWaiters: { position: number; resolve: () => void }[] = [];
  private available = true;
  private lost = false;
  private closed = false;
  private wakeReader: (() => void) | undefined;
  private readLoop: Promise<void> = Promise.resolve();
  private liveness:
    | { nodeId: string; epoch: () => string; timer?: NodeJS.Timeout; refusedLogged?: boolean; stopped?: boolean }
    | undefined;

  private constructor(
    private readonly settings: Settings<E>,
    private readonly keys: LogKeys,
    private readonly commands: Redis,
    private readonly scripts: LogScripts,
    private readonly reader: Redis,
    private logEpoch: string,
    startAfterId: string,
  ) {
    this.lastId = startAfterId;
  }

  static async connect<E>(options: RedisBusOptions<E>): Promise<RedisBus<E>> {
    const settings: Settings<E> = {
      namespace: 'parlor',
      commandTimeoutMs: 2000,
      heartbeatMs: 3000,
      deadAfterMs: 15_000,
      blockMs: 1000,
      readCount: 1000,
      snapshotLeaseMs: 30_000,
      maxBacklog: 1_000_000,
      rememberedIds: 100_000,
      logError: () => {},
      ...options,
    };
    const keys = logKeys(settings.namespace);
    const commands = openRedis(settings.url, { name: `parlor-log:${settings.namespace}`, commandTimeoutMs: settings.commandTimeoutMs });
    // The reading connection blocks, so no command timeout; a socket silent well past a BLOCK
    // is dead and gets reconnected.
    const reader = openRedis(settings.url, {
      name: `parlor-log-reader:${settings.namespace}`,
      socketTimeoutMs: settings.blockMs + settings.commandTimeoutMs,
    });
    try {
      await connectRedis(commands, settings.url);
      await connectRedis(reader, settings.url);
      const logEpoch = await adoptLogEpoch(commands, keys);
      if (settings.historyGroup) await createGroup(commands, keys.stream, settings.historyGroup);
      const newest = (await commands.call('XREVRANGE', keys.stream, '+', '-', 'COUNT', 1)) as RawStreamEntry[];
      const bus = new RedisBus<E>(settings, keys, commands, defineLogScripts(commands), reader, logEpoch, newest[0]?.[0] ?? '0-0');
      bus.start();
      return bus;
    } catch (err) {
      commands.disconnect();
      reader.disconnect();
      throw err;
    }
  }

  private start(): void {
    this.commands.on('ready', () => {
      this.setAvailable(true);
      // Reconnected: was it to the same log, or to a Redis that restarted empty?
      void this.checkLogEpoch();
    });
    this.commands.on('close', () => this.setAvailable(false));
    // ioredis reports errors both here and to the command; the command's caller handles them.
    this.commands.on('error', () => {});
    this.reader.on('error', () => {});
    this.readLoop = this.readForever();
  }

  async append(epoch: string, ref: number, event: E): Promise<void> {
    if (this.lost) throw new LogError('LOG_LOST', 'The network log was lost; it must be reset first');
    const clock = this.settings.clock ? String(this.settings.clock()) : '';
    const { epoch: epochKey, position, time, stream } = this.keys;
    await this.command('append', () =>
      this.scripts.parlorAppend(epochKey, position, time, stream, this.logEpoch, epoch, ref, JSON.stringify(event), clock),
    );
  }

  subscribe(handler: (entry: LogEntry<E>) => void): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  async readAfter(position: number): Promise<LogEntry<E>[]> {
    if (this.lost) throw new LogError('LOG_LOST', 'The network log was lost; it must be reset first');
    const known = this.ids.get(position);
    let start = '-';
    if (known !== undefined) start = `(${known}`;
    else if (this.newestSeen && position > this.newestSeen.position) start = `(${this.newestSeen.id}`;
    const entries: LogEntry<E>[] = [];
    for (;;) {
      const page = await this.command('readAfter', () =>
        this.commands.call('XRANGE', this.keys.stream, start, '+', 'COUNT', this.settings.readCount),
      ) as RawStreamEntry[];
      for (const raw of page) {
        const parsed = parseStreamEntry<E>(raw);
        if (parsed && parsed.entry.position > position && parsed.logEpoch === this.logEpoch) entries.push(parsed.entry);
      }
      if (page.length < this.settings.readCount) return entries;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  /**
   * Kept by one node at a time: while another holds the lease this returns without saving (its
   * snapshot is as good). Trims the log up to the previous snapshot's position.
   */
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    const token = randomBytes(12).toString('base64url');
    const leased = await this.command('snapshot', () =>
      this.commands.set(this.keys.snapshotLease, token, 'PX', this.settings.snapshotLeaseMs, 'NX'),
    );
    if (leased !== 'OK') return;
    try {
      const id = (await this.streamIdOf(snapshot.position)) ?? '';
      const { snapshot: snapshotKey, stream, position } = this.keys;
      const [, , overflow] = await this.command('snapshot', () =>
        this.scripts.parlorSaveSnapshot(
          snapshotKey, stream, position,
          snapshot.position, id, snapshot.data, this.settings.historyGroup ?? '', this.settings.maxBacklog,
        ),
      );
      if (overflow) {
        this.settings.logError(
          new Error(`History group backlog of ${overflow} entries exceeds maxBacklog ${this.settings.maxBacklog}: trimmed past it`),
          'snapshot',
        );
      }
    } finally {
      await this.scripts.parlorReleaseLease(this.keys.snapshotLease, token).catch(() => {});
    }
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    const [position, id, data] = await this.command('latestSnapshot', () => this.commands.hmget(this.keys.snapshot, 'position', 'id', 'data'));
    if (position == null || data == null) return undefined;
    // Reading on from the snapshot then needs no scan of the stream.
    if (id) this.remember(Number(position), id);
    return { position: Number(position), data };
  }

  /**
   * Never called by this bus: its reaper appends the node.down itself (one, atomically), so
   * nodes need not be told to. Kept for the Bus interface.
   */
  onNodeLost(_handler: (nodeId: string, epoch: string | undefined) => void): () => void {
    return () => {};
  }

  keepAlive(nodeId: string, epoch: () => string): void {
    if (this.liveness?.timer) clearTimeout(this.liveness.timer);
    this.liveness = { nodeId, epoch };
    const beatAndSchedule = async (): Promise<void> => {
      await this.heartbeat().catch((err: unknown) => this.settings.logError(err, 'heartbeat'));
      if (this.closed || this.liveness?.nodeId !== nodeId || this.liveness.stopped) return;
      this.liveness.timer = setTimeout(() => void beatAndSchedule(), this.settings.heartbeatMs);
      this.liveness.timer.unref();
    };
    void beatAndSchedule();
  }

  /**
   * Stops beating without forgetting this node's heartbeat: what a crashed process looks like
   * to the others (tests). heartbeat() may still be called by hand.
   */
  stopHeartbeat(): void {
    if (this.liveness?.timer) clearTimeout(this.liveness.timer);
    if (this.liveness) this.liveness = { nodeId: this.liveness.nodeId, epoch: this.liveness.epoch, stopped: true };
  }

  /**
   * One beat (keepAlive runs it every heartbeatMs): reports this node alive, then appends the
   * node.down of every node found stale. 'dead': this node's epoch was declared dead already.
   */
  async heartbeat(): Promise<HeartbeatResult> {
    const liveness = this.liveness;
    if (!liveness) throw new Error('heartbeat() before keepAlive()');
    const { deadAfterMs, heartbeatMs } = this.settings;
    const ownEpoch = liveness.epoch();
    const reply = await this.command('heartbeat', () =>
      this.scripts.parlorHeartbeat(
        this.keys.epoch, this.keys.heartbeats, this.keys.reaped,
        // "Nobody beat for this long" means Redis (or everyone) was paused: heartbeats are moved
        // to now. Past two beats (a live node's own gap never reaches it), and a beat short of
        // deadAfterMs (a node one beat behind the newest is not reaped first).
        this.logEpoch, liveness.nodeId, ownEpoch, Math.max(2 * heartbeatMs, deadAfterMs - 2 * heartbeatMs), deadAfterMs,
      ),
    );
    if (reply[0] === 'lost') {
      this.declareLost();
      return 'lost';
    }
    if (reply[0] === 'dead') {
      if (!liveness.refusedLogged) this.settings.logError(new Error(`Node ${liveness.nodeId} (epoch ${ownEpoch}) was declared dead`), 'heartbeat');
      liveness.refusedLogged = true;
      return 'dead';
    }
    for (let i = 1; i + 1 < reply.length; i += 2) await this.reap(ownEpoch, reply[i]!, reply[i + 1]!);
    return 'ok';
  }

  private async reap(ownEpoch: string, nodeId: string, nodeEpoch: string): Promise<void> {
    const { epoch, position, time, stream, heartbeats, reaped } = this.keys;
    const event = JSON.stringify(this.settings.downEvent(nodeId, nodeEpoch));
    const outcome = await this.command('reap', () =>
      this.scripts.parlorReap(epoch, position, time, stream, heartbeats, reaped, this.logEpoch, ownEpoch, nodeId, nodeEpoch, event, this.settings.deadAfterMs),
    );
    if (outcome === 'lost') this.declareLost();
  }

  onLogLost(handler: () => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  async resetLog(): Promise<void> {
    // Only a log this bus found lost is let go: a retried reset must never discard the new log
    // other nodes have joined meanwhile.
    if (!this.lost) return;
    // Redis came back with an older copy of this same log (its persistence lost the last
    // writes): what it holds is not what the nodes applied, so that copy is let go and a new
    // log begins — unless another node has done so already (the epoch is no longer ours).
    const k = this.keys;
    await this.command('resetLog', () =>
      this.scripts.parlorDiscardLog(k.epoch, k.stream, k.position, k.time, k.snapshot, k.reaped, this.logEpoch),
    );
    this.logEpoch = await this.command('resetLog', () => adoptLogEpoch(this.commands, this.keys));
    if (this.settings.historyGroup) await this.command('resetLog', () => createGroup(this.commands, this.keys.stream, this.settings.historyGroup!));
    this.generation++;
    this.ids.clear();
    this.newestSeen = undefined;
    this.lastId = '0-0';
    this.delivered = 0;
    this.lost = false;
    if (this.liveness) this.liveness.refusedLogged = false;
    this.wakeReader?.();
  }

  onAvailability(handler: (available: boolean) => void): () => void {
    this.availabilityHandlers.add(handler);
    return () => this.availabilityHandlers.delete(handler);
  }

  /** The newest position in the log (tests: wait until every node has read it). */
  async newestPosition(): Promise<number> {
    return Number((await this.command('position', () => this.commands.get(this.keys.position))) ?? 0);
  }

  /** Resolves once the read loop has handed subscribers the entry at `position`. */
  delivery(position: number): Promise<void> {
    if (this.delivered >= position || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.deliveryWaiters.push({ position, resolve }));
  }

  /** Forgets this node's heartbeat (it has appended its own node.down), stops, disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const liveness = this.liveness;
    if (liveness?.timer) clearTimeout(liveness.timer);
    if (liveness) await this.commands.hdel(this.keys.heartbeats, liveness.nodeId).catch(() => {});
    this.handlers = [];
    this.lostHandlers.clear();
    this.availabilityHandlers.clear();
    this.wakeReader?.();
    this.reader.disconnect();
    await this.readLoop;
    for (const waiter of this.deliveryWaiters.splice(0)) waiter.resolve();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  private async readForever(): Promise<void> {
    while (!this.closed) {
      if (this.lost) {
        await this.idle();
        continue;
      }
      const generation = this.generation;
      let reply: [string, RawStreamEntry[]][] | null;
      try {
        reply = (await this.reader.call(
          'XREAD', 'COUNT', this.settings.readCount, 'BLOCK', this.settings.blockMs, 'STREAMS', this.keys.stream, this.lastId,
        )) as [string, RawStreamEntry[]][] | null;
      } catch (err) {
        if (this.closed) return;
        this.settings.logError(err, 'read');
        await this.idle(XREAD_ERROR_BACKOFF_MS);
        continue;
      }
      if (generation !== this.generation || !reply) continue;
      for (const raw of reply[0]?.[1] ?? []) {
        const parsed = parseStreamEntry<E>(raw);
        if (parsed && parsed.logEpoch !== this.logEpoch) {
          this.declareLost();
          break;
        }
        // A position seen before under another id: Redis came back with an older copy of the
        // log (persistence that lost its last writes) and hands positions out again.
        const seenAs = parsed && this.ids.get(parsed.entry.position);
        if (parsed && seenAs !== undefined && seenAs !== parsed.id) {
          this.declareLost();
          break;
        }
        this.lastId = raw[0];
        if (parsed) this.deliver(parsed.entry, parsed.id);
        else this.settings.logError(new Error(`unreadable log entry ${raw[0]}`), 'read');
      }
    }
  }

  private deliver(entry: LogEntry<E>, id: string): void {
    this.remember(entry.position, id);
    for (const handler of this.handlers) {
      try {
        handler(entry);
      } catch (err) {
        this.settings.logError(err, 'subscriber');
      }
    }
    this.delivered = Math.max(this.delivered, entry.position);
    for (let i = this.deliveryWaiters.length - 1; i >= 0; i--) {
      const waiter = this.deliveryWaiters[i]!;
      if (waiter.position > this.delivered) continue;
      this.deliveryWaiters.splice(i, 1);
      waiter.resolve();
    }
  }

  private remember(position: number, id: string): void {
    this.ids.set(position, id);
    if (!this.newestSeen || position > this.newestSeen.position) this.newestSeen = { position, id };
    if (this.ids.size > this.settings.rememberedIds) this.ids.delete(this.ids.keys().next().value!);
  }

  /** The stream id of the entry at `position`, if the log still holds it. */
  private async streamIdOf(position: number): Promise<string | undefined> {
    const known = this.ids.get(position);
    if (known !== undefined) return known;
    let start = '-';
    for (;;) {
      const page = (await this.command('snapshot', () =>
        this.commands.call('XRANGE', this.keys.stream, start, '+', 'COUNT', this.settings.readCount),
      )) as RawStreamEntry[];
      for (const [id] of page) {
        const seq = Number(id.slice(id.indexOf('-') + 1));
        if (seq === position) return id;
        if (seq > position) return undefined;
      }
      if (page.length < this.settings.readCount) return undefined;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  /** Waits until resetLog() or close() (or `ms`, when given). */
  private idle(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(timer);
        this.wakeReader = undefined;
        resolve();
      };
      this.wakeReader = done;
    });
  }

  private async checkLogEpoch(): Promise<void> {
    const current = await this.commands.get(this.keys.epoch).catch(() => undefined);
    if (current !== undefined && current !== this.logEpoch) this.declareLost();
  }

  private declareLost(): void {
    if (this.lost || this.closed) return;
    this.lost = true;
    for (const handler of this.lostHandlers) handler();
  }

  private setAvailable(available: boolean): void {
    if (this.available === available || this.closed) return;
    this.available = available;
    for (const handler of this.availabilityHandlers) handler(available);
  }

  /** Runs a command: a failure becomes a LogError, and availability follows what happened. */
  private async command<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.setAvailable(true);
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message.includes('LOG_LOST')) {
        this.declareLost();
        throw new LogError('LOG_LOST', 'The network log was lost (Redis restarted without its data)', { cause: err });
      }
      // A reply error is Redis saying no, not Redis being away.
      if (!(err instanceof Error && err.name === 'ReplyError')) this.setAvailable(false);
      throw new LogError('LOG_UNAVAILABLE', `The network log is unavailable (${what}): ${message}`, { cause: err });
    }
  }
}

/** The log epoch: set once (SET NX) by whoever comes first, then read by everyone. */
async function adoptLogEpoch(redis: Redis, keys: LogKeys): Promise<string> {
  await redis.set(keys.epoch, randomBytes(12).toString('base64url'), 'NX');
  const epoch = await redis.get(keys.epoch);
  if (epoch === null) throw new LogError('LOG_LOST', 'The log epoch vanished while being set');
  return epoch;
}
