// Runs `parlor` as a real process for tests: its stdout is watched line by line (waits
// resolve on a matching line, never on time, with a deadline that fails the test), its
// stdin is a pipe the test writes console commands to, and its IRC port is read from the
// "parlor listening on HOST:PORT" line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RawClient } from './raw-client.ts';
import { WAIT_MS } from './wait.ts';

export const PARLOR_BIN = fileURLToPath(new URL('../../bin/parlor.js', import.meta.url));

/** `text` as a RegExp source matching it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Accumulated output of a stream. `waitFor` looks only at complete lines after the end of
 * the previous match, so consecutive waits read the output in order.
 */
export class OutputWatcher {
  text = '';
  private cursor = 0;
  private waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  private ended = false;
  private endWaiters: (() => void)[] = [];

  feed(chunk: string): void {
    this.text += chunk;
    for (const w of [...this.waiters]) {
      const m = this.match(w.re);
      if (m) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      }
    }
  }

  end(): void {
    this.ended = true;
    for (const w of this.endWaiters) w();
  }

  /** The complete lines not yet consumed by a wait. */
  get unread(): string {
    return this.text.slice(this.cursor, this.text.lastIndexOf('\n') + 1);
  }

  private match(re: RegExp): RegExpExecArray | undefined {
    const region = this.unread;
    const m = new RegExp(re.source, re.flags.replace('g', '')).exec(region);
    if (!m) return undefined;
    this.cursor += m.index + m[0].length;
    return m;
  }

  /** The next output (complete lines) matching `re`; use the m flag for ^ and $ per line. */
  waitFor(re: RegExp, timeoutMs = WAIT_MS): Promise<RegExpExecArray> {
    const m = this.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const waiter = {
        re,
        resolve: (found: RegExpExecArray) => {
          clearTimeout(timer);
          resolve(found);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${String(re)} on stdout; unread output:\n${this.text.slice(this.cursor).slice(-2000)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves when the stream has ended. */
  waitEnd(timeoutMs = WAIT_MS): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the end of stdout')), timeoutMs);
      this.endWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface ParlorProcess {
  child: ChildProcessWithoutNullStreams;
  host: string;
  port: number;
  stdout: OutputWatcher;
  stderr(): string;
  /** Every client connected through connect() or register(). */
  clients: RawClient[];
  /** The exit code (or the signal's name), once the process has exited. */
  exited: Promise<number | string | null>;
  /** Writes one console line to the child's stdin. */
  send(line: string): void;
  /** Sends a console line and waits for the output line matching `expect`. */
  command(line: string, expect: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  connect(): Promise<RawClient>;
  /** Connects and registers `nick`, and waits for the end of the MOTD (376, or 422). */
  register(nick: string): Promise<RawClient>;
  /** Closes the clients and kills the process if it still runs; bounded. */
  stop(): Promise<void>;
}

/** Waits for `p` or fails after `ms` with `what`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Starts `parlor serve --port 0 --log-level silent …args` in `cwd` and waits until it listens. */
export async function startParlor(cwd: string, args: string[] = []): Promise<ParlorProcess> {
  const child = spawn(process.execPath, [PARLOR_BIN, 'serve', '--port', '0', '--web-port', '0', '--log-level', 'silent', ...args], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout = new OutputWatcher();
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.feed(chunk));
  child.stdout.on('end', () => stdout.end());
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A test may close stdin on purpose, or write after the process died: not an error here.
  child.stdin.on('error', () => {});
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const clients: RawClient[] = [];

  const early = exited.then((code) => {
    throw new Error(`parlor exited (${String(code)}) before listening:\n${stderr}`);
  });
  early.catch(() => {});
  let listening: RegExpExecArray;
  try {
    listening = await within(Promise.race([stdout.waitFor(/^parlor listening on (\S+):(\d+)$/m, 60_000), early]), 60_000, 'parlor to listen');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const port = Number(listening[2]);

  const p: ParlorProcess = {
    child,
    host: listening[1]!,
    port,
    stdout,
    stderr: () => stderr,
    clients,
    exited,
    send(line) {
      child.stdin.write(line + '\n');
    },
    command(line, expect, timeoutMs) {
      p.send(line);
      return stdout.waitFor(expect, timeoutMs);
    },
    async connect() {
      const c = await RawClient.connect(port);
      clients.push(c);
      return c;
    },
    async register(nick) {
      const c = await p.connect();
      c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`);
      await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await within(exited, 5000, 'parlor to exit');
    },
  };
  return p;
}

/** Runs `parlor …args` to its end with `input` piped to stdin; bounded. */
export async function runParlor(
  cwd: string,
  args: string[],
  input = '',
  timeoutMs = 15_000,
): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [PARLOR_BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const exited = new Promise<number | string | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  try {
    const code = await within(exited, timeoutMs, `parlor ${args.join(' ')} to exit`);
    return { code, stdout, stderr };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
