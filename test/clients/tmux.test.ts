// The full-screen client in a real pseudo-terminal: `parlor chat` runs inside a private
// tmux server, keys are typed with `tmux send-keys` and the screen is read back with
// `tmux capture-pane`. Skipped when tmux is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { PARLOR_BIN } from '../helpers/cli.ts';
import { waitForText } from '../helpers/irssi.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p));
const missing = TMUX && spawnSync(TMUX, ['-V'], { timeout: 10_000 }).status === 0 ? undefined : 'tmux is not installed';

/** Through tsx, a cold start compiles ink and React: allow for it. */
const START_MS = 30_000;

class Terminal {
  private readonly socket: string;
  constructor(readonly dir: string) {
    this.socket = join(dir, 'tmux.sock');
  }

  tmux(...args: string[]): string {
    const r = spawnSync(TMUX!, ['-S', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
  }

  start(command: string[]): void {
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    delete env.TMUX;
    const r = spawnSync(TMUX!, ['-u', '-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'chat', '-x', '120', '-y', '30', ...command], {
      encoding: 'utf8',
      env,
      timeout: 10_000,
    });
    if (r.error || r.status !== 0) throw new Error(`cannot start tmux: ${r.error?.message ?? r.stderr}`);
  }

  screen(): string {
    try {
      return this.tmux('capture-pane', '-p', '-t', 'chat');
    } catch (err) {
      return `(no screen: ${(err as Error).message})`;
    }
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', 'chat', '-l', text);
    this.tmux('send-keys', '-t', 'chat', 'Enter');
  }

  keys(...names: string[]): void {
    this.tmux('send-keys', '-t', 'chat', ...names);
  }

  /** Polls the screen (an external program: nothing to wait on) until it matches. */
  waitFor(re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return waitForText(() => this.screen(), re, timeoutMs);
  }

  stop(): void {
    spawnSync(TMUX!, ['-S', this.socket, 'kill-server'], { timeout: 10_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let t: TestServer;
let term: Terminal;

before(async () => {
  if (missing) return;
  t = await startServer();
  term = new Terminal(mkdtempSync(join(tmpdir(), 'parlor-chat-tmux-')));
});

after(async () => {
  if (missing) return;
  term.stop();
  await t.close();
});

test('full screen in tmux: rooms, wide characters, sending, /nick', { skip: missing }, async () => {
  const amy = await t.register('amy');
  amy.send('JOIN #tea', 'TOPIC #tea :茶室 🍵 tea room');
  await amy.waitFor('TOPIC');

  term.start([process.execPath, PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'zed']);
  await term.waitFor(/connected as zed/, START_MS);

  term.type('/join #tea');
  await amy.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('zed!') === true);
  // The sidebar lists the room, the topic bar shows it, the member list has both.
  await term.waitFor(/^ +2 #tea +│/m);
  await term.waitFor(/^ #tea \[2\] 茶室 🍵 tea room/m);
  await term.waitFor(/│@amy *\n.*│ zed/);

  amy.send('PRIVMSG #tea :你好 zed 👋 欢迎 🎉');
  await term.waitFor(/│\d\d:\d\d <amy> 你好 zed 👋 欢迎 🎉 +│/);
  // Every row of the body has its borders in the same columns: wide characters counted as two.
  const rows = term.screen().split('\n').slice(1, 28);
  const borders = new Set(rows.map((row) => stringWidth(row.slice(0, row.lastIndexOf('│')))));
  assert.equal(borders.size, 1, `borders out of line:\n${rows.join('\n')}`);

  term.type('hello amy, 你好 🙂');
  const said = await amy.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('zed!') === true);
  assert.deepEqual(said.msg.params, ['#tea', 'hello amy, 你好 🙂']);
  await term.waitFor(/<zed> hello amy, 你好 🙂/);

  term.type('/nick zed2');
  const nick = await amy.waitFor('NICK');
  assert.equal(nick.msg.params[0], 'zed2');
  await term.waitFor(/You are now known as zed2/);
  await term.waitFor(/^\[zed2\]/m);

  // A private message opens a query with an unread count in the sidebar.
  amy.send('PRIVMSG zed2 :psst');
  await term.waitFor(/^ +3 amy +1│/m);
  term.keys('M-3');
  await term.waitFor(/^ amy — private conversation/m);
  await term.waitFor(/<amy> psst/);

  term.type('/quit bye');
  const quit = await amy.waitFor('QUIT');
  assert.equal(quit.msg.params[0], 'Quit: bye');
});
