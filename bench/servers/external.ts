// Reference IRC servers for the side-by-side benchmark: Debian's ngircd and InspIRCd.
//
// startExternal() renders bench/servers/<kind>.conf into the run directory, starts the
// server in the foreground as a child process (stdout/stderr go to files in that
// directory), and resolves once a client can register on 127.0.0.1:port. Nothing is
// raised globally: the caller sets `ulimit -n` before node starts, and the child
// inherits it.
//
// ngircd hard-codes listen(fd, 10): a burst of more than ~10 simultaneous connects
// overflows its accept queue and the extra clients wait for a SYN retransmit (1 s, then
// 3 s, ...). That is a connection throttle the config cannot lift, so by default the
// listening socket is created here (backlog LISTEN_BACKLOG, the same as InspIRCd's
// <performance:somaxconn>) and handed to ngircd through its systemd socket-activation
// support (fd 3, LISTEN_PID/LISTEN_FDS). Pass `nativeListener: true` to let ngircd
// bind its own socket instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export type ExternalKind = 'ngircd' | 'inspircd';

export interface ExternalServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const BINARIES: Record<ExternalKind, string> = {
  ngircd: '/usr/sbin/ngircd',
  inspircd: '/usr/sbin/inspircd',
};

const READY_DEADLINE_MS = 10_000;
const KILL_AFTER_MS = 3_000;
/** Accept-queue length for the socket handed to ngircd (= inspircd.conf somaxconn). */
export const LISTEN_BACKLOG = 4096;

export interface ExternalOptions {
  port: number;
  dir: string;
  /** ngircd only: bind with ngircd's own listen(fd, 10) instead of a pre-bound socket. */
  nativeListener?: boolean;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The server binary: the Debian path, else the first match on $PATH. */
function binaryFor(kind: ExternalKind): string | undefined {
  const known = BINARIES[kind];
  if (isExecutable(known)) return known;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, kind);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isInstalled(kind: ExternalKind): boolean {
  return binaryFor(kind) !== undefined;
}

/** Command line for the server, given its rendered config file. */
function argsFor(kind: ExternalKind, confFile: string): string[] {
  if (kind === 'ngircd') {
    // -n: stay in the foreground, log to the console; -p: no outgoing server links.
    return ['-n', '-p', '-f', confFile];
  }
  // --nofork: foreground; --nopid: no PID file. InspIRCd refuses to start as root
  // unless told otherwise.
  const args = ['--config', confFile, '--nofork', '--nopid'];
  if (process.getuid?.() === 0) args.push('--runasroot');
  return args;
}

async function renderConfig(kind: ExternalKind, dir: string, port: number): Promise<string> {
  if (/["&<>\n\r]/.test(dir)) throw new Error(`unusable run directory for ${kind}: ${JSON.stringify(dir)}`);
  const template = await readFile(new URL(`./${kind}.conf`, import.meta.url), 'utf8');
  const values: Record<string, string> = { PORT: String(port), DIR: dir, NAME: `${kind}.bench` };
  const text = template.replace(/\{\{([A-Z]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${kind}.conf: unknown placeholder ${whole}`);
    return value;
  });
  const confFile = path.join(dir, `${kind}.conf`);
  await writeFile(confFile, text);
  if (kind === 'ngircd') {
    // IncludeDir points here so that /etc/ngircd/ngircd.conf.d is not read.
    await mkdir(path.join(dir, 'ngircd.conf.d'), { recursive: true });
  } else {
    await writeFile(path.join(dir, 'motd.txt'), 'Parlor benchmark server\n');
  }
  return confFile;
}

/** A listening socket on 127.0.0.1:port with a long accept queue, as a raw fd. */
function preboundListener(port: number): Promise<{ fd: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, backlog: LISTEN_BACKLOG, exclusive: true }, () => {
      // Node exposes the descriptor of a listening TCP handle only on its internal handle.
      const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
      const close = (): Promise<void> => new Promise((done) => server.close(() => done()));
      if (typeof fd !== 'number' || fd < 0) {
        void close().then(() => reject(new Error('cannot get the fd of a listening socket')));
        return;
      }
      resolve({ fd, close });
    });
  });
}

/** One registration attempt: resolves on 001, rejects on any failure or after `ms`. */
function probeOnce(port: number, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const nick = `probe${Math.floor(Math.random() * 1e6)}`;
    const socket = net.connect({ host: '127.0.0.1', port });
    let rest = '';
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.end('QUIT :probe done\r\n');
        setTimeout(() => socket.destroy(), 1_000).unref();
        resolve();
      }
    };
    const timer = setTimeout(() => finish(new Error('no 001 in time')), Math.max(1, ms));
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`NICK ${nick}\r\nUSER probe 0 * :bench probe\r\n`));
    socket.on('data', (chunk: string) => {
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) !== -1) {
        const line = rest.slice(0, nl).replace(/\r$/, '');
        rest = rest.slice(nl + 1);
        if (line.startsWith('PING ')) {
          socket.write(`PONG ${line.slice(5)}\r\n`);
          continue;
        }
        const fields = line.split(' ');
        const command = line.startsWith(':') ? fields[1] : fields[0];
        if (command === '001') return finish();
        if (command === 'ERROR') return finish(new Error(line));
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('connection closed before 001')));
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n').trim();
  } catch {
    return '';
  }
}

export async function startExternal(kind: ExternalKind, opts: ExternalOptions): Promise<ExternalServer> {
  const binary = binaryFor(kind);
  if (binary === undefined) throw new Error(`${kind} is not installed`);
  const dir = path.resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  const confFile = await renderConfig(kind, dir, opts.port);

  const stdoutFile = path.join(dir, `${kind}.stdout.log`);
  const stderrFile = path.join(dir, `${kind}.stderr.log`);
  const listener = kind === 'ngircd' && opts.nativeListener !== true ? await preboundListener(opts.port) : undefined;
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let child: ChildProcess;
  try {
    child =
      listener === undefined
        ? spawn(binary, argsFor(kind, confFile), { cwd: dir, stdio: ['ignore', out, err] })
        : // The listening socket becomes the child's fd 3; ngircd only checks that
          // LISTEN_PID is set (its own fork would make the value wrong anyway).
          spawn(binary, argsFor(kind, confFile), {
            cwd: dir,
            stdio: ['ignore', out, err, listener.fd],
            env: { ...process.env, LISTEN_PID: String(process.pid), LISTEN_FDS: '1' },
          });
  } catch (e) {
    await listener?.close();
    throw e;
  } finally {
    closeSync(out);
    closeSync(err);
  }

  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal !== null ? `signal ${signal}` : `code ${String(code)}`;
      resolve();
    });
    child.once('error', (e) => {
      exitInfo = `spawn error: ${e.message}`;
      resolve();
    });
  });
  // The child has its own copy of the listening socket now; drop ours so that this
  // process never accepts a client itself.
  await listener?.close();
  const running = (): boolean => exitInfo === undefined;

  const stop = async (): Promise<void> => {
    if (!running()) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => {
      if (running()) child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    await exited;
    clearTimeout(killer);
  };

  const failure = (why: string): Error => {
    const logs = [tail(stdoutFile), tail(stderrFile)].filter((s) => s !== '').join('\n');
    return new Error(`${kind} on port ${opts.port}: ${why}${logs ? `\n${logs}` : ''}`);
  };

  const deadline = Date.now() + READY_DEADLINE_MS;
  let lastError = 'not started';
  for (;;) {
    if (!running()) throw failure(`exited before accepting clients (${exitInfo ?? '?'})`);
    // InspIRCd keeps running when its <bind> fails; don't let the probe talk to
    // whatever else holds the port.
    if (kind === 'inspircd' && /listeners failed to bind/i.test(tail(stdoutFile, 200))) {
      await stop();
      throw failure('could not bind the port');
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      child.kill('SIGKILL');
      await exited;
      throw failure(`no registration within ${READY_DEADLINE_MS / 1000} s (last: ${lastError})`);
    }
    try {
      // Bounded per attempt so that a failed start is noticed between attempts
      // (InspIRCd answers 001 only on its next 1-second tick).
      await probeOnce(opts.port, Math.min(left, 3_000));
      break;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  if (child.pid === undefined) throw failure('no pid');
  return { pid: child.pid, port: opts.port, stop };
}
