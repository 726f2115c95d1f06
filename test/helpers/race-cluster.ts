// Several real ParlorServers on one DelayedLog (issue 18), for tests of what happens when
// nodes race: each node reads the log at its own pace, so a node's view lags the log. Also
// the questions those tests ask every node alike (NAMES, WHO, LUSERS), by waiting for lines.
import type { TestContext } from 'node:test';
import type { NetworkEvent } from '../../src/network/events.ts';
import { snapshotDigest } from '../../src/network/snapshot.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { DelayedLog, type DelayedLogOptions, type DelayedNode, type DeliveryOptions } from './delayed-bus.ts';
import type { RawClient, Received } from './raw-client.ts';
import { startServer, type TestServer } from './server.ts';

/** A node that reads the log at once, and one that reads everything 20 ms after it. */
export const FAST: DeliveryOptions = { minDelayMs: 0, maxDelayMs: 1 };
export const SLOW: DeliveryOptions = { minDelayMs: 20, maxDelayMs: 21 };

export interface Cluster {
  readonly log: DelayedLog<NetworkEvent>;
  /** Started nodes by id (a killed one stays until the test ends). */
  readonly nodes: Map<string, TestServer>;
  readonly handles: Map<string, DelayedNode<NetworkEvent>>;
  start(nodeId: string, delivery?: DeliveryOptions, config?: ConfigInput): Promise<TestServer>;
  /**
   * What the clients sent is handled (so appended), every node has read every entry, and each
   * client has been sent all that concerns it.
   */
  settled(...clients: RawClient[]): Promise<void>;
  /** Each live node's snapshot digest (equal exactly when the nodes hold the same network). */
  digests(...nodeIds: string[]): string[];
}

/**
 * A DelayedLog whose seed the test prints, and nodes on it started by `start`; when the test
 * ends the servers close, then the log (a server closing on a closed log could not say its
 * users quit).
 */
export function openCluster(t: TestContext, options: DelayedLogOptions = {}): Cluster {
  const log = new DelayedLog<NetworkEvent>(options);
  t.diagnostic(`seed ${log.seed} (set PARLOR_SEED to replay)`);
  const nodes = new Map<string, TestServer>();
  const handles = new Map<string, DelayedNode<NetworkEvent>>();
  t.after(async () => {
    try {
      for (const server of nodes.values()) await server.close();
    } finally {
      await log.close();
    }
  });
  return {
    log,
    nodes,
    handles,
    async start(nodeId, delivery = {}, config = {}) {
      const handle = log.node(nodeId, delivery);
      handles.set(nodeId, handle);
      const server = await startServer({ ...config, server: { name: `${nodeId}.parlor`, ...config.server } }, { bus: handle, nodeId });
      nodes.set(nodeId, server);
      return server;
    },
    async settled(...clients) {
      for (const c of clients) await c.sync();
      await log.settled();
      for (const c of clients) await c.sync();
    },
    digests(...nodeIds) {
      return nodeIds.map((id) => snapshotDigest(nodes.get(id)!.server.network));
    },
  };
}

/** The first line (after the last one waited for) whose command is one of `commands`. */
/** Node a reading the log at once, node b 20 ms later: b's view lags what the log decided. */
export async function twoNodes(t: TestContext, seed: number): Promise<{ cluster: Cluster; a: TestServer; b: TestServer }> {
  const cluster = openCluster(t, { seed });
  const a = await cluster.start('a', FAST);
  const b = await cluster.start('b', SLOW);
  return { cluster, a, b };
}

export function firstOf(c: RawClient, ...commands: string[]): Promise<Received> {
  return c.waitFor((r) => commands.includes(r.msg.command));
}

/** Sends `command` and returns every reply line up to and including the one that ends it. */
async function ask(c: RawClient, command: string, end: (r: Received) => boolean): Promise<Received[]> {
  c.drain();
  const mark = c.received.length;
  c.send(command);
  await c.waitFor(end);
  return c.since(mark);
}

/** NAMES of `room` as `c` is told them: each member with its prefix, sorted. */
export async function namesOf(c: RawClient, room: string): Promise<string[]> {
  const lines = await ask(c, `NAMES ${room}`, (r) => r.msg.command === '366' && r.msg.params[1] === room);
  return lines
    .filter((r) => r.msg.command === '353')
    .flatMap((r) => (r.msg.params.at(-1) ?? '').split(' '))
    .filter((n) => n !== '')
    .sort();
}

/** WHO `mask` as `c` is told: nick, user, host, flags and realname of each, sorted. */
export async function whoOf(c: RawClient, mask: string): Promise<string[]> {
  const lines = await ask(c, `WHO ${mask}`, (r) => r.msg.command === '315');
  // 352 <me> <channel> <user> <host> <server> <nick> <flags> :<hops> <realname>: the server is
  // the one the asker is on, so it is left out.
  return lines
    .filter((r) => r.msg.command === '352')
    .map((r) => {
      const [, channel, user, host, , nick, flags, last] = r.msg.params;
      return [channel, nick, user, host, flags, last].join(' ');
    })
    .sort();
}

/** LUSERS as the network counts it: users, invisible, operators, rooms, global users. */
export async function lusersOf(c: RawClient): Promise<{ users: string; operators: string; channels: string; global: string }> {
  const lines = await ask(c, 'LUSERS', (r) => r.msg.command === '266');
  const param = (numeric: string, index: number): string => lines.find((r) => r.msg.command === numeric)?.msg.params[index] ?? '?';
  return { users: param('251', 1), operators: param('252', 1), channels: param('254', 1), global: param('266', 1) };
}
