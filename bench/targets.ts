// The servers under test: Parlor itself, and ngircd / InspIRCd when installed.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchLogin, countStoredMessages, seedAccounts, type BenchLogin } from './bench-accounts.ts';

export interface RunningServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
  /** Set when accounts were made for the clients (Parlor): each logs in to its nick's with this password. */
  loginPassword?: string;
  /** Messages the server's database holds now (Parlor; the others store nothing). */
  storedMessages?(): number;
}

export interface StartOptions {
  /** Accounts to create before the server starts, named after the clients' nicks, for servers that have them. */
  accounts?: string[];
}

export interface Target {
  name: string;
  available(): boolean;
  /** Starts a fresh server whose files (Parlor: its database) live in `dir`. */
  start(dir: string, options?: StartOptions): Promise<RunningServer>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A free loopback port (for servers that cannot report the one they picked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Parlor as shipped, with the bench's config and a new database in `dir` for every run (so
 * no history accumulates between runs, and concurrent benches never share one).
 */
export function parlorTarget(configFile: string, label = 'parlor', profileDir?: string): Target {
  let login: Promise<BenchLogin> | undefined; // one hash for every run's accounts
  return {
    name: label,
    available: () => true,
    start: async (dir, options) => {
      const dataDir = join(dir, 'data');
      await mkdir(dataDir, { recursive: true });
      const accounts = options?.accounts ?? [];
      let loginPassword: string | undefined;
      if (accounts.length > 0) {
        const made = await (login ??= benchLogin());
        await seedAccounts(dataDir, accounts, made);
        loginPassword = made.password;
      }
      const server = await startParlor(configFile, dataDir, profileDir);
      return { ...server, storedMessages: () => countStoredMessages(dataDir), ...(loginPassword !== undefined && { loginPassword }) };
    },
  };
}

function startParlor(configFile: string, dataDir: string, profileDir: string | undefined): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const args = ['bin/parlor.js', 'serve', '--port', '0', '--no-web', '--config', configFile, '--data-dir', dataDir, '--log-level', 'warn'];
    const child = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error('parlor did not start in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`parlor exited with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /parlor listening on \S+:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        port: Number(m[1]),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** ngircd or InspIRCd, loaded only for --compare. */
export async function externalTarget(kind: 'ngircd' | 'inspircd'): Promise<Target> {
  const { isInstalled, startExternal } = await import('./servers/external.ts');
  return {
    name: kind,
    available: () => isInstalled(kind),
    start: async (dir) => startExternal(kind, { port: await freePort(), dir }),
  };
}
