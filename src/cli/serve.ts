// `parlor serve`: load the config, start the server, print where it listens.
import pino from 'pino';
import { ConfigError, mergeConfigInput, parseConfig, readConfigFile, type ConfigInput } from '../server/config.ts';
import { createServer } from '../server/server.ts';

export interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  name?: string;
  network?: string;
  password?: string;
  motdFile?: string;
  logLevel?: string;
}

export async function serve(flags: ServeFlags): Promise<void> {
  const fromFile: ConfigInput = flags.config ? await readConfigFile(flags.config) : {};
  const fromFlags: ConfigInput = { server: {} };
  if (flags.host !== undefined) fromFlags.server!.host = flags.host;
  if (flags.port !== undefined) fromFlags.server!.port = parsePort(flags.port);
  if (flags.name !== undefined) fromFlags.server!.name = flags.name;
  if (flags.network !== undefined) fromFlags.server!.network = flags.network;
  if (flags.password !== undefined) fromFlags.server!.password = flags.password;
  if (flags.motdFile !== undefined) fromFlags.server!.motdFile = flags.motdFile;
  const config = parseConfig(mergeConfigInput(fromFile, fromFlags), 'configuration');

  // Logs go to stderr; stdout carries the stable status lines scripts read.
  const logger = pino({ level: flags.logLevel ?? 'info' }, pino.destination(2));
  const server = createServer({ config, logger });
  const { host, port } = await server.listen();
  process.stdout.write(`parlor listening on ${host.includes(':') ? `[${host}]` : host}:${port}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close('Server shutting down').then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a number from 0 to 65535, not "${text}"`);
  return port;
}
