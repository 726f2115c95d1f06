// Turns a Redis URL (config, --cluster) into ioredis options, and opens the connections the
// network log uses. redis://user:pass@host:port/db, rediss://… (TLS), unix:///path/r.sock?db=N.
import { Redis, type RedisOptions } from 'ioredis';

const DEFAULT_PORT = 6379;
/** Reconnection never stops (a node outlives a Redis restart), but backs off up to this. */
const MAX_RECONNECT_DELAY_MS = 2000;

export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Invalid Redis URL (expected redis://host:port, rediss://… or unix:///path.sock)');
  }
  const credentials: RedisOptions = {};
  if (parsed.username) credentials.username = decodeURIComponent(parsed.username);
  if (parsed.password) credentials.password = decodeURIComponent(parsed.password);
  const db = databaseNumber(parsed);
  if (db !== undefined) credentials.db = db;
  switch (parsed.protocol) {
    case 'redis:':
    case 'rediss:': {
      if (!parsed.hostname) throw new Error('Redis URL without a host');
      // new URL keeps IPv6 hosts in brackets; the socket wants them bare.
      const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
      const options: RedisOptions = { ...credentials, host, port: parsed.port ? Number(parsed.port) : DEFAULT_PORT };
      if (parsed.protocol === 'rediss:') options.tls = { servername: host };
      return options;
    }
    case 'unix:':
      if (!parsed.pathname || parsed.pathname === '/') throw new Error(`Redis unix URL without a socket path: ${JSON.stringify(url)}`);
      return { ...credentials, path: decodeURIComponent(parsed.pathname) };
    default:
      throw new Error(`Unsupported Redis URL scheme ${JSON.stringify(parsed.protocol)} (redis://, rediss:// or unix://)`);
  }
}

function databaseNumber(parsed: URL): number | undefined {
  const fromQuery = parsed.searchParams.get('db');
  const fromPath = parsed.protocol === 'unix:' ? null : parsed.pathname.slice(1);
  const text = fromQuery ?? (fromPath || null);
  if (text === null) return undefined;
  const db = Number(text);
  if (!Number.isSafeInteger(db) || db < 0) throw new Error(`Invalid Redis database number: ${JSON.stringify(text)}`);
  return db;
}

export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS);
}

export interface ConnectionOptions {
  /** Shown in CLIENT LIST. */
  name: string;
  /** Per-command timeout; none for a connection that blocks (XREAD BLOCK). */
  commandTimeoutMs?: number;
  /** A connection silent this long is taken for dead and reconnected (one that blocks). */
  socketTimeoutMs?: number;
}

/**
 * A connection that fails a command at once while disconnected (no offline queue: a caller
 * answers "try again" rather than wait), drops commands in flight when the link goes, and
 * reconnects for ever.
 */
export function openRedis(url: string, options: ConnectionOptions): Redis {
  return new Redis({
    ...redisOptionsFromUrl(url),
    connectionName: options.name,
    commandTimeout: options.commandTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelay,
    lazyConnect: true,
    // RESP2: the reply shapes (XREAD's [[stream, entries]]) this code parses.
    protocol: 2,
  });
}

/** Connects, or throws with the URL named (not its password). */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const shown = new URL(url);
    shown.password = '';
    throw new Error(`Cannot connect to Redis at ${shown.toString()}: ${(err as Error).message}`, { cause: err });
  }
}
