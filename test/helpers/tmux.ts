// A program in a real pseudo-terminal for tests: it runs inside a private tmux server, keys
// are typed with `tmux send-keys`, the screen is read back with `tmux capture-pane`, and the
// window can be resized. `TMUX_MISSING` says why such tests are skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForText } from './irssi.ts';

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p));

export const TMUX_MISSING = TMUX && spawnSync(TMUX, ['-V'], { timeout: 10_000 }).status === 0 ? undefined : 'tmux is not installed';

export class TmuxTerminal {
  readonly dir = mkdtempSync(join(tmpdir(), 'parlor-tmux-'));
  private readonly socket = join(this.dir, 'tmux.sock');

  tmux(...args: string[]): string {
    const r = spawnSync(TMUX!, ['-S', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
  }

  /**
   * Starts `command` in a window of `columns` × `rows`. `alternateScreen: false` makes the window
   * ignore the alternate screen, as GNU screen does by default: what scrolls off goes to its history.
   */
  start(
    command: string[],
    { columns = 120, rows = 30, cwd, alternateScreen = true }: { columns?: number; rows?: number; cwd?: string; alternateScreen?: boolean } = {},
  ): void {
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    delete env.TMUX;
    // Set in the same command list as the window is made: before tmux reads anything the program writes.
    const options = alternateScreen ? [] : [';', 'set-option', '-w', '-t', 'main', 'alternate-screen', 'off'];
    const r = spawnSync(TMUX!, ['-u', '-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), ...command, ...options], {
      encoding: 'utf8',
      env,
      cwd,
      timeout: 10_000,
    });
    if (r.error || r.status !== 0) throw new Error(`cannot start tmux: ${r.error?.message ?? r.stderr}`);
    // The window keeps the size asked for, with no client attached to decide it.
    this.tmux('set-option', '-t', 'main', 'window-size', 'manual');
    // A program that exits leaves its last screen to be read.
    this.tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
  }

  /** The screen, or with `history` the lines scrolled off above it as well. */
  screen({ history = false }: { history?: boolean } = {}): string {
    try {
      return this.tmux('capture-pane', '-p', '-t', 'main', ...(history ? ['-S', '-'] : []));
    } catch (err) {
      return `(no screen: ${(err as Error).message})`;
    }
  }

  /** Whether the program in the window has exited. */
  exited(): boolean {
    try {
      return this.tmux('display-message', '-p', '-t', 'main', '#{pane_dead}').trim() === '1';
    } catch {
      return true;
    }
  }

  /** Waits until the program has exited (tmux keeps its pane) and gives its exit status if tmux has it. */
  async waitForExit(timeoutMs = 20_000): Promise<number> {
    const status = (): string => {
      try {
        return this.tmux('display-message', '-p', '-t', 'main', '#{pane_dead} #{pane_dead_status}').trim();
      } catch (err) {
        return `(no pane: ${(err as Error).message})`;
      }
    };
    // tmux may mark the pane dead before it has the status: then NaN (run the program under sh
    // and print $? where the status matters).
    const m = await waitForText(status, /^1(?: (\d+))?$/, timeoutMs, () => this.screen());
    return m[1] === undefined ? Number.NaN : Number(m[1]);
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text);
    this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  keys(...names: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...names);
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
  }

  /** Polls the screen (an external program: nothing to wait on) until it matches. */
  waitFor(re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return waitForText(() => this.screen(), re, timeoutMs);
  }

  /**
   * Ends the program and tmux. The program is killed first: tmux would send it SIGHUP, which
   * `parlor serve` takes as "reload" and outlives.
   */
  stop(): void {
    try {
      const pid = Number(this.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
      if (Number.isInteger(pid) && pid > 0 && !this.exited()) process.kill(pid, 'SIGKILL');
    } catch {
      // no session, or the program is gone already
    }
    spawnSync(TMUX!, ['-S', this.socket, 'kill-server'], { timeout: 10_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
