// PostgreSQL servers for tests: a temp data directory, a free loopback port, fsync off (tests
// need no durability against power cuts). With PARLOR_TEST_PG_URL set, sharedPostgres() uses
// that server instead (a fresh database per call); startPostgres() always runs its own, since
// fault tests stop and start it.
//
// initdb and postgres refuse to run as root: when we are root, both run as the `postgres` user
// on a directory chowned to it. Nothing outlives the test process (an exit hook stops servers).
import { cleanupOnExit } from './cleanup-on-exit.ts';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);


export interface PostgresServer {
  /** postgres://parlor@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** A fresh, empty database on this server; returns its url. */
  newDatabase(): Promise<string>;
  /** pg_ctl stop -m fast: clients are disconnected, the port refuses connections. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

export interface SharedPostgres {
  newDatabase(): Promise<string>;
}

// One server per test process, by design: started by the first test that asks for it.
let shared: Promise<SharedPostgres> | undefined;

/** The server every test of this process shares (started lazily), a fresh database per call. */
export function sharedPostgres(): Promise<SharedPostgres> {
  const external = process.env.PARLOR_TEST_PG_URL;
  shared ??= external ? Promise.resolve(databasesOn(external)) : startPostgres();
  return shared;
}

/** A server of the test's own (for stopping and starting it). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'parlor-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asPostgres ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const exec = async (tool: string, args: string[]): Promise<void> => {
    const [file, argv] = command(tool, args);
    await run(file, argv, { cwd: dir });
  };
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'parlor', '--encoding', 'UTF8', '--locale', 'C', '--no-sync']);
  const options = [
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c listen_addresses=127.0.0.1',
    `-c port=${port}`,
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=200',
  ].join(' ');
  const start = (): Promise<void> => exec('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', join(dir, 'log'), '-o', options]);
  const stopNow = (): void => {
    const [file, argv] = command('pg_ctl', ['stop', '-m', 'immediate', '-D', data]);
    if (existsSync(join(data, 'postmaster.pid'))) spawnSync(file, argv, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  const cancelCleanup = cleanupOnExit(stopNow);
  try {
    await start();
  } catch (err) {
    stopNow();
    cancelCleanup();
    throw err;
  }
  const url = `postgres://parlor@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    newDatabase: databasesOn(url).newDatabase,
    start,
    async stop() {
      await exec('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]);
    },
    async close() {
      stopNow();
      cancelCleanup();
    },
  };
}

function databasesOn(url: string): SharedPostgres {
  let created = 0;
  return {
    async newDatabase() {
      const name = `t_${process.pid}_${++created}_${Math.random().toString(36).slice(2, 8)}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
  };
}

/** The PostgreSQL server binaries: pg_config's, else the newest /usr/lib/postgresql/N/bin. */
function binDir(): string {
  const fromEnv = process.env.PARLOR_TEST_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length > 0) return join(root, versions[0]!, 'bin');
  try {
    return execFileSync('pg_config', ['--bindir']).toString().trim();
  } catch {
    throw new Error(`no PostgreSQL server binaries found (looked in ${root}/*/bin and pg_config --bindir; user ${userInfo().username})`);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
