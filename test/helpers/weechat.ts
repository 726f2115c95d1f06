// Runs a real WeeChat (weechat-headless) against a test server, in a throw-away home
// directory. WeeChat is driven through its fifo plugin (commands written to a named pipe)
// and its buffers are logged to files, kept for failure messages.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, watch, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT_MS } from './wait.ts';

const BINARY = 'weechat-headless';

/** WeeChat's version ("3.8", "4.1.1"), or undefined when weechat-headless is not installed. */
export function weechatVersion(): string | undefined {
  const r = spawnSync(BINARY, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim().split(/\s+/)[0];
}

export interface WeeChatOptions {
  port: number;
  /** The server's address as WeeChat is told it (TLS checks the certificate against it); 127.0.0.1 by default. */
  host?: string;
  /** Connect with TLS, verifying the server's certificate (off by default). */
  tls?: boolean;
  /** A PEM file of certificates to trust (instead of the system's) when verifying the server. */
  caFile?: string;
  nick: string;
  /** Channels to join once registered, comma-separated. */
  autojoin: string;
  version: string;
  /** More commands run before connecting (e.g. `/set irc.server.parlor.sasl_mechanism …`); no "${" in them. */
  beforeConnect?: string[];
}

export class WeeChat {
  private output = '';
  private exited: Promise<void>;
  exitCode: number | null = null;

  private constructor(
    readonly dir: string,
    readonly fifo: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.output += s));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code ?? -1;
        resolve();
      });
    });
    child.once('error', (err) => (this.output += `\n[spawn error] ${err.message}\n`));
  }

  /** Starts WeeChat and makes it connect; it registers and joins asynchronously. */
  static start(opts: WeeChatOptions): WeeChat {
    const dir = mkdtempSync(join(tmpdir(), 'parlor-weechat-'));
    const fifo = join(dir, 'parlor.fifo');
    // Made here so that waitForLog() can watch it from the start.
    mkdirSync(join(dir, 'logs'));
    // WeeChat ≥ 4 renamed the server option "ssl" to "tls" and turned it on by default.
    const major = Number(opts.version.split('.')[0]);
    const tlsFlag = opts.tls ? (major >= 4 ? '-tls' : '-ssl') : major >= 4 ? '-notls' : '-nossl';
    const server = 'parlor';
    // Only the given authority, so that a passing test cannot lean on the system's.
    const trust = opts.caFile ? ['/set weechat.network.gnutls_ca_system off', `/set weechat.network.gnutls_ca_user ${opts.caFile}`] : [];
    // --run-command text is evaluated by WeeChat: nothing here may contain "${".
    const commands = [
      `/set fifo.file.path ${fifo}`,
      '/set logger.file.flush_delay 0',
      ...trust,
      `/server add ${server} ${opts.host ?? '127.0.0.1'}/${opts.port} ${tlsFlag}`,
      `/set irc.server.${server}.nicks ${opts.nick}`,
      `/set irc.server.${server}.username ${opts.nick}`,
      `/set irc.server.${server}.realname WeeChat ${opts.nick}`,
      `/set irc.server.${server}.autojoin ${opts.autojoin}`,
      `/set irc.server.${server}.autorejoin on`,
      `/set irc.server.${server}.autorejoin_delay 0`,
      `/set irc.server.${server}.autoreconnect off`,
      // No anti-flood pacing (2 s between lines by default): the tests wait for replies.
      // WeeChat < 4 has two options in seconds, later versions one in milliseconds; setting
      // the one a version lacks only prints an error.
      `/set irc.server.${server}.anti_flood_prio_high 0`,
      `/set irc.server.${server}.anti_flood_prio_low 0`,
      `/set irc.server.${server}.anti_flood 0`,
      ...(opts.beforeConnect ?? []),
      `/connect ${server}`,
    ].join('; ');
    const child = spawn(BINARY, ['--dir', dir, '--stdout', '--no-script', '--no-connect', '--plugins', 'irc,fifo,trigger,logger', '--run-command', commands], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'dumb' },
    });
    return new WeeChat(dir, fifo, child);
  }

  /**
   * Has WeeChat run `text` (a /command, or a message) in the buffer with that full name
   * (e.g. "irc.server.parlor", "irc.parlor.#parlor"). Fifo input is not evaluated.
   */
  command(buffer: string, text: string): void {
    // Non-blocking open: fails at once (ENXIO/ENOENT) rather than hang if WeeChat is gone.
    const fd = openSync(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      writeSync(fd, `${buffer} *${text}\n`);
    } finally {
      closeSync(fd);
    }
  }

  /** WeeChat's stdout (its log) and its buffer logs, for failure messages. */
  diagnostics(): string {
    // Headless WeeChat still writes a few terminal escape sequences; drop them.
    const ESC = String.fromCharCode(27);
    const output = this.output.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');
    const parts = [`--- weechat output (exit ${this.exitCode}) ---`, output];
    try {
      const logs = join(this.dir, 'logs');
      for (const f of readdirSync(logs)) parts.push(`--- ${f} ---`, readFileSync(join(logs, f), 'utf8'));
    } catch {
      // no logs yet
    }
    return parts.join('\n');
  }

  /**
   * The `occurrence`-th line (1 = first) of WeeChat's buffer logs that matches `pattern`, as soon
   * as it is written (the logs are flushed at once and their folder watched); rejects after `timeoutMs`.
   */
  waitForLog(pattern: RegExp, timeoutMs = WAIT_MS, occurrence = 1): Promise<string> {
    const logs = join(this.dir, 'logs');
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        watcher.close();
        clearTimeout(timer);
      };
      const check = (): void => {
        let matches: string[];
        try {
          matches = readdirSync(logs)
            .flatMap((f) => readFileSync(join(logs, f), 'utf8').split('\n'))
            .filter((line) => pattern.test(line));
        } catch {
          return; // the folder went away (stop()): the timeout reports it
        }
        if (matches.length < occurrence) return;
        finish();
        resolve(matches[occurrence - 1]!);
      };
      const watcher = watch(logs, check).on('error', () => {});
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no WeeChat log line #${occurrence} matching ${pattern} within ${timeoutMs} ms\n${this.diagnostics()}`));
      }, timeoutMs);
      check();
    });
  }

  /** Resolves when WeeChat exits by itself (e.g. after /quit); rejects after `timeoutMs`. */
  async waitExit(timeoutMs = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`weechat did not exit\n${this.diagnostics()}`)), timeoutMs);
    });
    try {
      await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops WeeChat (SIGTERM, then SIGKILL if it lingers) and removes its directory. */
  async stop(): Promise<void> {
    if (this.exitCode === null) {
      this.child.kill('SIGTERM');
      try {
        await this.waitExit(3000);
      } catch {
        this.child.kill('SIGKILL');
        await this.waitExit(3000).catch(() => {});
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
