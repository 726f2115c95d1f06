// A log that fails on demand, for the cluster's failure paths in one process: an InProcessBus
// that can be made unreachable (appends, reads and snapshots reject with LogError
// LOG_UNAVAILABLE, and onAvailability reports the change, as the Redis log does), and that can
// lose its data (onLogLost; resetLog() then puts a fresh, empty log in its place, positions
// starting again at 1, the subscribers kept). Several nodes may each have their own FaultyBus
// over one shared InProcessBus: then one node alone can lose the log (a node cut off from Redis);
// while down it reads nothing, and catches up (a gap) once back.
import type { Bus, Snapshot } from '../../src/cluster/bus.ts';
import { LogError } from '../../src/cluster/errors.ts';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { LogEntry } from '../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import type { TestContext } from 'node:test';
import type { ConfigInput } from '../../src/server/config.ts';
import type { Store } from '../../src/storage/store.ts';
import type { RawClient } from './raw-client.ts';
import { startServer, type TestServer } from './server.ts';
import { WAIT_MS } from './wait.ts';

export class FaultyBus implements Bus<NetworkEvent> {
  private inner: InProcessBus<NetworkEvent>;
  /** The log is this node's view of a shared one, which others close. */
  private readonly shared: boolean;
  private stopForwarding: () => void;
  private readonly handlers = new Set<(entry: LogEntry<NetworkEvent>) => void>();
  private readonly availabilityHandlers = new Set<(available: boolean) => void>();
  private readonly lostHandlers = new Set<() => void>();
  private readonly nodeLostHandlers = new Set<(nodeId: string, epoch: string | undefined) => void>();
  private down = false;
  /** Appends refused while down (a test can wait for the ones it expects). */
  refusedAppends: NetworkEvent[] = [];
  /** How many times resetLog() put a fresh log in place. */
  resets = 0;

  constructor(shared?: InProcessBus<NetworkEvent>) {
    this.shared = shared !== undefined;
    this.inner = shared ?? new InProcessBus<NetworkEvent>();
    this.stopForwarding = this.forwardFrom(this.inner);
  }

  get available(): boolean {
    return !this.down;
  }

  /** The log cannot be reached from now on; the nodes are told (onAvailability false). */
  goDown(): void {
    if (this.down) return;
    this.down = true;
    for (const handler of [...this.availabilityHandlers]) handler(false);
  }

  /** The log is reachable again; the nodes are told (onAvailability true). */
  comeBack(): void {
    if (!this.down) return;
    this.down = false;
    for (const handler of [...this.availabilityHandlers]) handler(true);
  }

  /** The log's server restarted without its data: every node is told (onLogLost). */
  loseLog(): void {
    for (const handler of [...this.lostHandlers]) handler();
  }

  /** Every entry the current log holds, in order (what a test reads to check what was appended). */
  entries(): Promise<LogEntry<NetworkEvent>[]> {
    return this.inner.readAfter(0);
  }

  /**
   * The first entry of the current log that matches, once it is there (those already appended
   * included); fails after `timeoutMs`.
   */
  waitForEntry(matches: (entry: LogEntry<NetworkEvent>) => boolean, timeoutMs = WAIT_MS): Promise<LogEntry<NetworkEvent>> {
    return new Promise((resolve, reject) => {
      const done = (entry: LogEntry<NetworkEvent>): void => {
        clearTimeout(timer);
        stop();
        resolve(entry);
      };
      // Watched before the log is read (the in-process log answers at once): none slips between.
      const stop = this.subscribe((entry) => {
        if (matches(entry)) done(entry);
      });
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no such entry in the log within ${timeoutMs} ms`));
      }, timeoutMs);
      this.inner.readAfter(0).then((held) => {
        const found = held.find(matches);
        if (found) done(found);
      }, reject);
    });
  }

  append(epoch: string, ref: number, event: NetworkEvent): void | Promise<void> {
    // A rejected promise, not a throw: a log a network away answers later (bus.ts).
    if (this.down) {
      this.refusedAppends.push(event);
      return Promise.reject(unavailable());
    }
    return this.inner.append(epoch, ref, event);
  }

  subscribe(handler: (entry: LogEntry<NetworkEvent>) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async readAfter(position: number): Promise<LogEntry<NetworkEvent>[]> {
    if (this.down) throw unavailable();
    return this.inner.readAfter(position);
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    if (this.down) throw unavailable();
    await this.inner.saveSnapshot(snapshot);
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    if (this.down) throw unavailable();
    return this.inner.latestSnapshot();
  }

  onNodeLost(handler: (nodeId: string, epoch: string | undefined) => void): () => void {
    this.nodeLostHandlers.add(handler);
    return () => this.nodeLostHandlers.delete(handler);
  }

  onLogLost(handler: () => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  onAvailability(handler: (available: boolean) => void): () => void {
    this.availabilityHandlers.add(handler);
    return () => this.availabilityHandlers.delete(handler);
  }

  async resetLog(): Promise<void> {
    if (this.down) throw unavailable();
    // A fresh log, positions from 1 again; the same subscribers read it.
    this.stopForwarding();
    this.inner = new InProcessBus<NetworkEvent>();
    this.stopForwarding = this.forwardFrom(this.inner);
    this.resets++;
  }

  async close(): Promise<void> {
    this.stopForwarding();
    if (!this.shared) await this.inner.close();
    this.handlers.clear();
    this.availabilityHandlers.clear();
    this.lostHandlers.clear();
    this.nodeLostHandlers.clear();
  }

  private forwardFrom(log: InProcessBus<NetworkEvent>): () => void {
    return log.subscribe((entry) => {
      // Cut off: nothing is read (the node finds the gap once back).
      if (this.down) return;
      for (const handler of [...this.handlers]) handler(entry);
    });
  }
}

function unavailable(): LogError {
  return new LogError('LOG_UNAVAILABLE', 'the log cannot be reached (test: switched off)');
}

/** A node (id a) on a log that fails on demand; both closed when the test ends. */
export async function nodeOnFaultyLog(t: TestContext, input: ConfigInput = {}, store?: Store): Promise<{ bus: FaultyBus; s: TestServer }> {
  const bus = new FaultyBus();
  const s = await startServer({ plainText: { greetAfterMs: 50 }, ...input }, { bus, nodeId: 'a', ...(store && { store }) });
  t.after(async () => {
    bus.comeBack();
    await s.close();
    await bus.close();
  });
  return { bus, s };
}

/** Connects as a person at `nc`: the nickname typed, up to the room's people list. */
export async function plainUser(s: TestServer, nick: string): Promise<RawClient> {
  const c = await s.connect();
  c.send(nick);
  await c.waitFor(/^\[\d{2}:\d{2}:\d{2}\] \*\*\* In #lobby: /);
  return c;
}
