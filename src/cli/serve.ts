// `parlor serve`: load the config, start the server, print where it listens, and run the
// admin console on this terminal.
import { startConsole, type AdminConsole } from '../admin/console.ts';
import { ConfigError, mergeConfigInput, parseConfig, readConfigFile, type Config, type ConfigInput } from '../server/config.ts';
import { createServer } from '../server/server.ts';
import { DataDirLock, DataDirLockError } from '../storage/data-dir-lock.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { DatabaseOpenError } from '../storage/sqlite-db.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import type { Store } from '../storage/store.ts';
import type { PostgresStore } from '../storage/postgres-store.ts';
import { joinCluster, openPostgresStore } from './cluster-node.ts';
import { describeListenError } from './listen-error.ts';
import { join } from 'node:path';
import { createLogger } from './logger.ts';

export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  name?: string;
  network?: string;
  password?: string;
  motdFile?: string;
  dataDir?: string;
  /** --cluster: the Redis of the network's log. */
  cluster?: string;
  /** --store: a PostgreSQL URL (storage.backend postgres). */
  store?: string;
  nodeId?: string;
  webPort?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsPort?: string;
  webTls?: boolean;
  /** commander's --no-web sets this to false. */
  web?: boolean;
  logLevel?: string;
  logFormat?: string;
  /** --log-messages: log the text of PRIVMSG/NOTICE at debug level. */
  logMessages?: boolean;
  /** commander's --no-console sets this to false. */
  console?: boolean;
}

/** The configuration: defaults < the YAML file < flags. Read again on reload. */
async function loadConfig(flags: ServeFlags): Promise<Config> {
  const fromFile: ConfigInput = flags.config ? await readConfigFile(flags.config) : {};
  const fromFlags: ConfigInput = { server: {} };
  if (flags.host !== undefined) fromFlags.server!.host = flags.host;
  if (flags.port !== undefined) fromFlags.server!.port = parsePort(flags.port);
  if (flags.name !== undefined) fromFlags.server!.name = flags.name;
  if (flags.network !== undefined) fromFlags.server!.network = flags.network;
  if (flags.password !== undefined) fromFlags.server!.password = flags.password;
  if (flags.motdFile !== undefined) fromFlags.server!.motdFile = flags.motdFile;
  if (flags.dataDir !== undefined) fromFlags.storage = { dataDir: flags.dataDir };
  if (flags.store !== undefined) fromFlags.storage = { ...fromFlags.storage, backend: 'postgres', url: flags.store };
  if (flags.cluster !== undefined || flags.nodeId !== undefined) {
    fromFlags.cluster = {};
    if (flags.cluster !== undefined) fromFlags.cluster.redis = flags.cluster;
    if (flags.nodeId !== undefined) fromFlags.cluster.nodeId = flags.nodeId;
  }
  if (flags.webPort !== undefined) fromFlags.web = { port: parsePort(flags.webPort) };
  if (flags.web === false) fromFlags.web = { ...fromFlags.web, enabled: false };
  const tls: NonNullable<ConfigInput['tls']> = {};
  if (flags.tlsCert !== undefined) tls.cert = flags.tlsCert;
  if (flags.tlsKey !== undefined) tls.key = flags.tlsKey;
  if (flags.tlsPort !== undefined) tls.port = parsePort(flags.tlsPort);
  if (flags.webTls === true) tls.web = true;
  if (Object.keys(tls).length > 0) fromFlags.tls = tls;
  fromFlags.logging = {};
  if (flags.logLevel !== undefined) fromFlags.logging.level = flags.logLevel as Config['logging']['level'];
  if (flags.logFormat !== undefined) fromFlags.logging.format = flags.logFormat as Config['logging']['format'];
  if (flags.logMessages === true) fromFlags.logging.messages = true;
  return parseConfig(mergeConfigInput(fromFile, fromFlags), 'configuration');
}

export async function serve(flags: ServeFlags): Promise<void> {
  const config = await loadConfig(flags);

  // Logs go to stderr; stdout carries the stable status lines scripts read, and the console.
  // With the console on this terminal, per-connection info logs would bury its prompt.
  const interactive = flags.console !== false && process.stdin.isTTY === true && process.stderr.isTTY === true;
  // The schema checked --log-level and --log-format; a level given as a flag is taken as it is.
  const { level, format, messages } = config.logging;
  // Log lines on the console's terminal go above its prompt (once the console has started).
  let adminConsole: AdminConsole | undefined;
  const logger = createLogger({
    level: flags.logLevel === undefined && interactive && level === 'info' ? 'warn' : level,
    format,
    ...(interactive && { aroundWrite: (write: () => void) => (adminConsole ? adminConsole.aboveThePrompt(write) : write()) }),
  });
  if (messages) logger.warn('message text is logged at debug level (logging.messages)');
  let exiting = false;
  const exit = (code: number): void => {
    exiting = true;
    // Let stdout drain (the console's last lines) before leaving.
    process.stdout.write('', () => process.exit(code));
  };
  // One server per data directory; the memory backend keeps nothing there but the audit log,
  // whose whole-line appends two servers may share. Released on exit, however it comes.
  if (config.storage.backend === 'sqlite') {
    const lock = await lockDataDirectory(config.storage.dataDir);
    process.once('exit', () => lock.release());
    const stale = lock.staleHolder;
    if (stale) logger.warn({ stalePid: stale.pid, lock: stale.detail, path: lock.lockPath }, 'took over the lock of a parlor that did not stop cleanly');
  }
  let opened: Store | undefined;
  let postgres: PostgresStore | undefined;
  try {
    opened =
      config.storage.backend === 'postgres'
        ? (postgres = await openPostgresStore(config, logger))
        : config.storage.backend === 'memory'
        ? new MemoryStore()
        : new SqliteStore({
            path: join(config.storage.dataDir, 'parlor.db'),
            flushIntervalMs: config.storage.flushIntervalMs,
            quickCheck: config.storage.quickCheck,
            writer: config.storage.writer,
            onError: (err) => logger.error({ err }, 'storage write failed; retrying'),
          });
    // Its writer thread up before any client can send a message.
    if (opened instanceof SqliteStore) await opened.ready();
  } catch (err) {
    // A writer thread that would not start leaves the main connection open: close it, so that
    // no -wal/-shm files are left behind.
    await opened?.close().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing the database after a failed start'));
    if (err instanceof DatabaseOpenError || err instanceof ConfigError) throw new ConfigError(err.message);
    throw new ConfigError(`Cannot open the database in ${config.storage.dataDir}: ${(err as Error).message}`);
  }
  const store: Store = opened;
  const clusterNode = config.cluster.redis === undefined ? undefined : await joinCluster(config, postgres, logger);
  const server = createServer({
    config,
    store,
    logger,
    ...(clusterNode && { bus: clusterNode.bus, nodeId: clusterNode.nodeId, historyFromLog: config.history.enabled, afterLeaving: () => clusterNode.close() }),
    reloadConfig: () => loadConfig(flags),
    onShutdown: (clean) => exit(clean ? 0 : 1),
  });
  let listening: { host: string; port: number };
  try {
    listening = await server.listen();
  } catch (err) {
    // Close what did open (the database above all, so that no -wal/-shm files are left), then
    // say plainly what is wrong: a port in use or not allowed is a setup mistake (exit 2).
    await server.close('Server shutting down').catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing after a failed start'));
    const problem = describeListenError(err, config);
    throw problem === undefined ? err : new ConfigError(problem);
  }
  const { host, port } = listening;
  const show = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  process.stdout.write(`parlor listening on ${show(host)}:${port}\n`);
  const secure = server.tlsAddress;
  if (secure) process.stdout.write(`parlor tls on ${show(secure.host)}:${secure.port}\n`);
  const web = server.webAddress;
  if (web) process.stdout.write(`parlor web on ${web.secure ? 'https' : 'http'}://${show(web.host)}:${web.port}\n`);
  if (clusterNode) {
    await clusterNode.startHistory(server);
    const nodes = server.network.nodes.size;
    process.stdout.write(`parlor node ${clusterNode.nodeId} joined cluster (${nodes} nodes)\n`);
  }

  if (flags.console !== false) adminConsole = startConsole(server, { input: process.stdin, output: process.stdout });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping || exiting) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // server.close() is itself bounded by server.shutdownTimeoutMs; this is the last resort.
    const force = setTimeout(() => process.exit(1), server.config.server.shutdownTimeoutMs + 2_000);
    force.unref();
    server.close('Server shutting down').then(
      () => {
        logger.info({ signal }, 'stopped cleanly');
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown did not finish in time');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    server.admin.reload({ id: 'signal:SIGHUP', nick: 'SIGHUP', source: server.serverName, uid: '' }).then(
      (notes) => logger.info({ notes }, 'reloaded on SIGHUP'),
      (err: unknown) => logger.error({ reason: (err as Error).message }, 'reload on SIGHUP failed; the old config stays in force'),
    );
  });
}

/** The data directory's lock; refusals exit 2 with the message, like a config mistake. */
async function lockDataDirectory(dataDir: string): Promise<DataDirLock> {
  try {
    return await DataDirLock.acquire(dataDir);
  } catch (err) {
    if (err instanceof DataDirLockError) throw new ConfigError(err.message);
    throw err;
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a number from 0 to 65535, not "${text}"`);
  return port;
}
