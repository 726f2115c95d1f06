// This node's replica of the network: the state, the reducer that alone changes it, the
// delivery of what each entry means to this node's sessions, and the follower that feeds it
// the log in order. Joining the network loads the newest snapshot, catches up with the log and
// announces this node (node.up); only then does the node take clients.
import type { Bus } from '../cluster/bus.ts';
import type { LogEntry } from '../cluster/log-cursor.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { Casemapping } from '../protocol/casemapping.ts';
import { NetworkState } from '../network/network-state.ts';
import { Reducer, SPLIT_REASON } from '../network/reducer.ts';
import { loadSnapshot, takeSnapshot } from '../network/snapshot.ts';
import { Delivery, type DeliveryHost } from './delivery.ts';
import { LogFollower, type Committed } from './log-follower.ts';

/** A log snapshotting faster than a node can start is a fault to report, not to retry for ever. */
const MAX_JOIN_ATTEMPTS = 5;

export interface ReplicaOptions {
  nodeId: string;
  serverName: string;
  whowasLimit: number;
  /** The admin pseudo-user's nick, when there is one. */
  adminNick: string | undefined;
  /** server.casemapping: which nicks are taken must not depend on the node (absent: not announced). */
  casemapping?: Casemapping;
  /** The Unicode version this node folds with (default process.versions.unicode); tests vary it. */
  unicodeVersion?: string;
  /** A snapshot every this many entries (0: none — a network of one node, where nobody catches up). */
  snapshotEvery: number;
  /** How long a commit waits before the log is read back for it. */
  catchUpMs: number;
}

export interface ReplicaHost extends DeliveryHost {
  /** The log no longer holds an entry this node needs: the host drops its sessions and calls rejoin(true). */
  lostTrack(position: number): void;
}

export class NetworkReplica {
  readonly state: NetworkState;
  readonly delivery: Delivery;
  private readonly reducer: Reducer;
  private readonly follower: LogFollower;
  private stopWatching: (() => void) | undefined;
  private joined = false;
  /** Those waiting for the replica to reach a position (the history writer). */
  private waiters: { position: number; resolve: () => void }[] = [];

  constructor(
    private readonly bus: Bus<NetworkEvent>,
    private readonly host: ReplicaHost,
    private readonly options: ReplicaOptions,
  ) {
    this.state = new NetworkState(options.adminNick === undefined ? undefined : { nick: options.adminNick, hostname: options.serverName });
    this.reducer = new Reducer(this.state, { serverName: options.serverName });
    this.delivery = new Delivery(host, options.whowasLimit);
    this.follower = new LogFollower(bus, this.reducer, this.delivery, options.nodeId, (err, context) => host.logError(err, context), options.catchUpMs);
  }

  /** Joined and not leaving. */
  get isJoined(): boolean {
    return this.joined;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  get epoch(): string {
    return this.follower.epoch;
  }

  /** The last log position applied. */
  get position(): number {
    return this.follower.position;
  }

  /**
   * Loads the newest snapshot, catches up with the log after it and announces this node;
   * resolves once it may take clients.
   */
  async join(): Promise<void> {
    this.follower.onApplied = (entry) => this.settled(entry.position);
    let lostWhileJoining: boolean;
    this.follower.onLost = (position) => {
      if (this.joined) return this.host.lostTrack(position);
      // A newer snapshot let go of entries this node had yet to read: it starts again, from
      // that snapshot, under a new epoch (its node.up, if applied, is replaced).
      lostWhileJoining = true;
      this.follower.renewEpoch();
    };
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.bus.latestSnapshot();
      if (snapshot) loadSnapshot(this.state, snapshot);
      else if (attempt > 1) loadSnapshot(this.state, this.emptySnapshot());
      if (attempt === 1) await this.follower.start(snapshot?.position ?? 0);
      else this.follower.restartAt(snapshot?.position ?? 0);
      lostWhileJoining = false;
      // A log shared between processes watches that this node stays alive (from before its
      // node.up: a node that dies right after announcing is still found out).
      if (attempt === 1) this.bus.keepAlive?.(this.nodeId, () => this.follower.epoch);
      try {
        await this.announce();
        break;
      } catch (err) {
        if (!lostWhileJoining || attempt >= MAX_JOIN_ATTEMPTS) throw err;
      }
    }
    this.stopWatching = this.bus.onNodeLost((nodeId, epoch) => this.declareDown(nodeId, epoch));
    this.joined = true;
  }

  /**
   * The log itself was lost (Redis restarted empty): every node starts again on the new one,
   * from an empty network, under a new epoch. The caller has dropped this node's sessions and
   * restores what the store of record keeps (registered rooms, bans) afterwards.
   */
  async restartOnNewLog(): Promise<void> {
    this.joined = false;
    this.follower.renewEpoch();
    await this.bus.resetLog?.();
    loadSnapshot(this.state, this.emptySnapshot());
    this.delivery.reset();
    this.follower.restartAt(0);
    await this.announce();
    this.joined = true;
  }

  private async announce(): Promise<void> {
    const verdict = await this.follower.commit({
      type: 'node.up',
      nodeId: this.nodeId,
      adminNick: this.options.adminNick ?? null,
      casemapping: this.options.casemapping,
      unicode: this.options.unicodeVersion ?? process.versions.unicode,
      serverName: this.options.serverName,
    });
    if (!verdict.ok) throw new Error(`node ${this.nodeId} could not join the network${verdict.refusal ? `: ${verdict.refusal.text}` : ''}`);
  }

  /** The state before the log's first entry. */
  private emptySnapshot(): ReturnType<typeof takeSnapshot> {
    return takeSnapshot(new NetworkState(this.options.adminNick === undefined ? undefined : { nick: this.options.adminNick, hostname: this.options.serverName }));
  }

  /** Entries passed over (refused, or written by a dead epoch): the history writer leaves their messages out. */
  set onPassedOver(handler: ((entry: LogEntry<NetworkEvent>) => void) | undefined) {
    this.follower.onPassedOver = handler;
  }

  /** True once the replica has applied (or passed over) `position`; false after `timeoutMs` without it. */
  whenReached(position: number, timeoutMs: number): Promise<boolean> {
    if (this.follower.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, resolve: () => {} };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(waiter);
    });
  }

  private settled(position: number): void {
    if (this.options.snapshotEvery > 0) this.maybeSnapshot(position);
    if (this.waiters.length === 0) return;
    const reached = this.waiters.filter((w) => w.position <= position);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const w of reached) w.resolve();
  }

  /**
   * Every snapshotEvery positions the node with the lowest id among those up writes one (the
   * same on every node, so the choice costs no coordination). Taken between entries, so it
   * reflects exactly that position.
   */
  private maybeSnapshot(position: number): void {
    if (position % this.options.snapshotEvery !== 0) return;
    let writer: string | undefined;
    for (const id of this.state.nodes.keys()) if (writer === undefined || id < writer) writer = id;
    if (writer !== this.nodeId) return;
    this.bus.saveSnapshot(takeSnapshot(this.state)).catch((err: unknown) => this.host.logError(err, `saving a snapshot at ${position}`));
  }

  /** Reads the log back for entries this node may have missed (a lost last entry shows no gap). */
  catchUp(): void {
    this.follower.catchUp();
  }

  /** Appends an event and answers with its verdict when it comes back from the log. */
  commit(event: NetworkEvent): Committed {
    return this.follower.commit(event);
  }

  /** Appends an event whose verdict nobody waits for. */
  send(event: NetworkEvent): void {
    this.follower.send(event);
  }

  /** Another node is gone: its users quit everywhere (appended once by each node that noticed; the first counts). */
  declareDown(nodeId: string, lostEpoch?: string): void {
    const epoch = this.state.nodes.get(nodeId);
    if (epoch === undefined || nodeId === this.nodeId) return;
    // A late report of an incarnation already replaced says nothing of the new one.
    if (lostEpoch !== undefined && lostEpoch !== epoch) return;
    this.send({ type: 'node.down', nodeId, epoch, reason: SPLIT_REASON });
  }

  /**
   * This node was declared dead (it was paused or cut off): its users are gone from the
   * network already. It comes back under a new epoch.
   */
  async rejoin(fromSnapshot: boolean): Promise<void> {
    const old = this.follower.epoch;
    this.follower.renewEpoch();
    if (fromSnapshot) {
      // Its users must leave the network (nobody may have declared this node down).
      this.send({ type: 'node.down', nodeId: this.nodeId, epoch: old, reason: SPLIT_REASON });
      // Read again from the snapshot, or from the start of the log into an empty state: never
      // replayed over what this replica holds already.
      const snapshot = await this.bus.latestSnapshot();
      loadSnapshot(this.state, snapshot ?? this.emptySnapshot());
      this.delivery.reset();
      this.follower.restartAt(snapshot?.position ?? 0);
    }
    await this.announce();
  }

  /** Leaves the network: this node's remaining users quit everywhere. */
  leave(reason = SPLIT_REASON): void {
    this.stopWatching?.();
    const wasJoined = this.joined;
    // Its own node.down comes back to it: not a reason to rejoin.
    this.joined = false;
    if (wasJoined) {
      try {
        this.send({ type: 'node.down', nodeId: this.nodeId, epoch: this.epoch, reason });
      } catch (err) {
        this.host.logError(err, 'leaving the network');
      }
    }
    this.follower.stop();
  }
}
