// What `parlor serve --cluster … --store …` adds to a single server: the network's log on a
// Redis Stream, the store of record in PostgreSQL, and the history writer that fills the one
// from the other (src/node/history-writer.ts). Without --cluster none of this is loaded.
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Bus } from '../cluster/bus.ts';
import type { NetworkEvent } from '../network/events.ts';
import { SPLIT_REASON } from '../network/reducer.ts';
import { HistoryWriter } from '../node/history-writer.ts';
import { ConfigError, type Config } from '../server/config.ts';
import type { ParlorServer } from '../server/server.ts';
import type { PostgresStore } from '../storage/postgres-store.ts';
import type { RedisBus } from '../cluster/redis-bus.ts';

/** The consumer group whose members write history (every node is one). */
const HISTORY_GROUP = 'history';

export async function openPostgresStore(config: Config, logger: Logger): Promise<PostgresStore> {
  const { PostgresStore } = await import('../storage/postgres-store.ts');
  try {
    return await PostgresStore.open({
      url: config.storage.url!,
      flushIntervalMs: config.storage.flushIntervalMs,
      maxQueued: config.storage.maxQueued,
      statementTimeoutMs: config.storage.queryTimeoutMs,
      connectTimeoutMs: config.storage.queryTimeoutMs,
      onError: (err) => logger.error({ err }, 'PostgreSQL write failed; retrying'),
    });
  } catch (err) {
    throw new ConfigError(`Cannot use the PostgreSQL database at ${redactUrl(config.storage.url!)}: ${(err as Error).message}`);
  }
}

/** A node of a cluster: its log, its id, and what starts and stops with it. */
export interface ClusterNode {
  readonly bus: Bus<NetworkEvent>;
  readonly nodeId: string;
  /** Once the server has joined: history starts being written from the log. */
  startHistory(server: ParlorServer): Promise<void>;
  /** After the server has left the network (its node.down appended). */
  close(): Promise<void>;
}

export async function joinCluster(config: Config, store: PostgresStore | undefined, logger: Logger): Promise<ClusterNode> {
  const redisUrl = config.cluster.redis!;
  if (store === undefined) {
    throw new ConfigError('A cluster keeps its accounts, rooms and history in PostgreSQL: give --store postgres://user@host/database (storage.backend: postgres)');
  }
  const nodeId = config.cluster.nodeId ?? defaultNodeId(config.server.port);
  const { RedisBus: RedisLog } = await import('../cluster/redis-bus.ts');
  const { RedisHistoryFeed } = await import('../cluster/redis-history-feed.ts');
  const logError = (err: unknown, context: string): void => logger.error({ err }, `error in ${context}`);
  const { cluster } = config;
  let bus: RedisBus<NetworkEvent>;
  try {
    bus = await RedisLog.connect<NetworkEvent>({
      url: redisUrl,
      commandTimeoutMs: cluster.commandTimeoutMs,
      heartbeatMs: cluster.heartbeatMs,
      deadAfterMs: cluster.deadAfterMs,
      downEvent: (id, epoch) => ({ type: 'node.down', nodeId: id, epoch, reason: SPLIT_REASON }),
      // Always: a node without history that writes the snapshots must still keep, in its trim,
      // what the other nodes' history writers have not stored yet.
      historyGroup: HISTORY_GROUP,
      maxBacklog: cluster.historyBacklog,
      logError,
    });
  } catch (err) {
    throw new ConfigError(`Cannot reach the cluster's Redis at ${redactUrl(redisUrl)}: ${(err as Error).message}`);
  }
  let writer: HistoryWriter | undefined;
  return {
    bus,
    nodeId,
    async startHistory(server) {
      if (!config.history.enabled) return;
      const feed = await RedisHistoryFeed.connect<NetworkEvent>({ url: redisUrl, group: HISTORY_GROUP, consumer: nodeId, claimIdleMs: cluster.historyClaimMs, logError });
      writer = new HistoryWriter(feed, store, server.replica, { now: () => server.now() });
      writer.start();
      bus.onLogLost(() => writer?.forgetPositions());
    },
    async close() {
      await writer?.close();
      await bus.close();
    },
  };
}

/**
 * The same at every restart of one node: the host's name and the port. A port chosen by the
 * system (0) differs each time, so a random one then.
 */
export function defaultNodeId(port: number): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 20);
  const suffix = port === 0 ? randomBytes(3).toString('hex') : String(port);
  const id = `${host || 'node'}-${suffix}`;
  return id.length <= 32 ? id : createHash('sha256').update(id).digest('hex').slice(0, 32);
}

/** A URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
