// Runs the real irssi (a terminal IRC client) inside a private tmux server, in a throw-away
// home directory. Keys are typed into it with `tmux send-keys`; what irssi displayed is read
// back from its log files (every window in one log, and one log per channel or query),
// and from the screen for failure messages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT_MS } from './wait.ts';

const IRSSI = '/usr/bin/irssi';
const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p)) ?? 'tmux';

/** Why the irssi tests cannot run here, or undefined when irssi and tmux are installed. */
export function irssiMissing(): string | undefined {
  if (!existsSync(IRSSI)) return 'irssi or tmux not installed (apt-get install irssi tmux)';
  const r = spawnSync(TMUX, ['-V'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return 'irssi or tmux not installed (apt-get install irssi tmux)';
  return undefined;
}

/**
 * Polls `read()` until its text matches `re`, up to `timeoutMs`. For external programs
 * such as irssi, which have no event to wait on: the short pause between reads is not a
 * synchronisation, the match is. Fails with the last text seen,
 * and what `more()` then tells (a screen, say).
 */
export async function waitForText(read: () => string, re: RegExp, timeoutMs = WAIT_MS, more?: () => string): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = read();
    const m = re.exec(text);
    if (m) return m;
    if (Date.now() >= deadline) throw timeoutError(text);
    await new Promise((r) => setTimeout(r, 50));
  }

  function timeoutError(text: string): Error {
    return new Error(`timed out after ${timeoutMs} ms waiting for ${String(re)}; last text seen:\n${text.slice(-3000)}${more ? `\n${more()}` : ''}`);
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface IrssiOptions {
  port: number;
  nick: string;
  host?: string;
  /** Connect with TLS (irssi's -tls), trusting this CA/certificate file. */
  tlsCaFile?: string;
}

export class Irssi {
  /** Read position in the full log: `expect` only looks at text after it. */
  private cursor = 0;

  private constructor(
    readonly dir: string,
    private readonly socket: string,
    private readonly pid: number | undefined,
  ) {}

  /** Starts irssi in a detached tmux session, connecting to the server at once. */
  static start(opts: IrssiOptions): Irssi {
    const dir = mkdtempSync(join(tmpdir(), 'parlor-irssi-'));
    mkdirSync(join(dir, 'logs'));
    const q = (s: string) => JSON.stringify(s);
    writeFileSync(
      join(dir, 'config'),
      [
        'settings = {',
        '  core = {',
        `    real_name = ${q(`irssi ${opts.nick}`)}; user_name = ${q(opts.nick)}; nick = ${q(opts.nick)};`,
        // Nothing written into the directory on exit, which is being removed meanwhile.
        '    settings_autosave = "no";',
        '  };',
        // No pacing of commands (2.2 s apart after the first 5 by default): the tests wait
        // for the effects instead.
        '  "irc/core" = { cmd_queue_speed = "0"; cmds_max_at_once = "1000"; };',
        '  "fe-common/core" = {',
        `    autolog = "yes"; autolog_path = ${q(join(dir, 'logs', '$0.log'))}; autolog_level = "all";`,
        '  };',
        '};',
        '',
      ].join('\n'),
    );
    // Commands run at start-up, before connecting: one log of every window (the status
    // window included, where numerics and server notices are shown).
    // With TLS the connection is made from there too: --connect has no TLS option.
    const host = opts.host ?? '127.0.0.1';
    const connectTls = opts.tlsCaFile ? `/connect -tls -tls_verify -tls_cafile ${opts.tlsCaFile} ${host} ${opts.port}\n` : '';
    writeFileSync(join(dir, 'startup'), `/log open ${join(dir, 'all.log')} ALL\n${connectTls}`);

    // A private tmux server whose socket lives (and is removed) with the home directory.
    const socket = join(dir, 'tmux.sock');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    delete env.TMUX;
    // irssi reads its command line before it sets the locale: a non-ASCII --nick is refused
    // ("Invalid byte sequence"), so such a nick is left to the config (settings core nick).
    const nickArg = /^[\x20-\x7e]*$/.test(opts.nick) ? ['--nick=' + opts.nick] : [];
    const args = ['--home=' + dir, ...nickArg, ...(opts.tlsCaFile ? [] : ['--connect=' + host, '--port=' + String(opts.port)])];
    const r = spawnSync(TMUX, ['-u', '-S', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'irc', '-x', '200', '-y', '50', '-P', '-F', '#{pane_pid}', IRSSI, ...args], {
      encoding: 'utf8',
      env,
      timeout: 10_000,
    });
    if (r.error || r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot start irssi in tmux: ${r.error?.message ?? r.stderr}`);
    }
    const pid = Number(r.stdout.trim());
    return new Irssi(dir, socket, Number.isInteger(pid) && pid > 0 ? pid : undefined);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync(TMUX, ['-S', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
  }

  /** Types `text` (literally) into irssi's input line and presses Enter. */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'irc', '-l', text);
    this.tmux('send-keys', '-t', 'irc', 'Enter');
  }

  /** Everything irssi displayed in any window, as logged. */
  log(): string {
    return readOr(join(this.dir, 'all.log'));
  }

  /** What irssi displayed in the window of one channel or query (`#room`). */
  windowLog(target: string): string {
    return readOr(join(this.dir, 'logs', `${target}.log`));
  }

  /** The visible screen. */
  screen(): string {
    try {
      return this.tmux('capture-pane', '-p', '-t', 'irc');
    } catch (err) {
      return `(no screen: ${(err as Error).message})`;
    }
  }

  /**
   * Waits until irssi displays a line matching `re` after what earlier calls matched
   * (so that the same text shown twice is told apart), and moves past it.
   */
  async expect(re: RegExp, timeoutMs = WAIT_MS): Promise<RegExpExecArray> {
    const from = this.cursor;
    const m = await waitForText(() => this.log().slice(from), re, timeoutMs, () => this.diagnostics());
    this.cursor = from + m.index + m[0].length;
    return m;
  }

  diagnostics(): string {
    const screen = this.screen()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .join('\n');
    return `--- irssi screen ---\n${screen}`;
  }

  /** Stops tmux (irssi gets SIGHUP), waits for irssi to be gone, removes its home. */
  async stop(): Promise<void> {
    spawnSync(TMUX, ['-S', this.socket, 'kill-server'], { timeout: 10_000 });
    if (this.pid !== undefined) {
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && alive(this.pid)) await new Promise((r) => setTimeout(r, 25));
      if (alive(this.pid)) {
        try {
          process.kill(this.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
