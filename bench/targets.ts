// The servers under test: Parlor itself, and ngircd / InspIRCd when installed.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RunningServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  available(): boolean;
  start(dir: string): Promise<RunningServer>;
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

export function parlorTarget(configFile: string, label = 'parlor', profileDir?: string): Target {
  return {
    name: label,
    available: () => true,
    start: () =>
      new Promise((resolve, reject) => {
        const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
        const child = spawn(process.execPath, [...nodeArgs, 'bin/parlor.js', 'serve', '--port', '0', '--no-web', '--config', configFile, '--log-level', 'warn'], {
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
      }),
  };
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
