// The admin console on a real terminal (a tmux pseudo-terminal running `parlor serve`):
// Ctrl-D asks before shutting down instead of leaving a dead console, log lines go above the
// prompt without taking what the operator is typing, and `help` wraps at word boundaries.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { CONSOLE_COMMANDS } from '../../src/admin/console-commands.ts';
import { PARLOR_BIN } from '../helpers/cli.ts';
import { TMUX_MISSING, TmuxTerminal } from '../helpers/tmux.ts';

const skip = TMUX_MISSING;
const START_MS = 30_000;
const COLUMNS = 70;

/** `parlor serve` on a terminal of COLUMNS × `rows`; resolves with its IRC port. */
async function startServe(term: TmuxTerminal, dataDir: string, rows: number): Promise<number> {
  // Through sh, which says how the server ended (a signal shows as 128 + its number).
  term.start(['/bin/sh', '-c', '"$0" "$@"; echo "parlor ended: $?"', process.execPath, PARLOR_BIN, 'serve', '--port', '0', '--no-web', '--data-dir', dataDir, '--log-level', 'info', '--log-format', 'pretty'], {
    columns: COLUMNS,
    rows,
  });
  const listening = await term.waitFor(/parlor listening on 127\.0\.0\.1:(\d+)/, START_MS);
  await term.waitFor(/^parlor>$/m);
  return Number(listening[1]);
}

/** The screen's rows without trailing spaces, and without the empty rows below the last. */
function rowsOf(screen: string): string[] {
  const rows = screen.split('\n').map((r) => r.replace(/ +$/, ''));
  while (rows.length > 0 && rows.at(-1) === '') rows.pop();
  return rows;
}

/** An IRC client that registers and quits at once: the server logs both at info level. */
async function visitAndQuit(port: number, nick: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.end(`NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\nQUIT :bye\r\n`);
  socket.resume();
  await new Promise((resolve) => socket.once('close', resolve));
}

describe('the admin console on a terminal', { skip }, () => {
  let term: TmuxTerminal | undefined;
  const dataDirs: string[] = [];
  /** A new terminal and data directory for each test; the last test's are stopped and removed after it. */
  const fresh = (): { term: TmuxTerminal; dataDir: string } => {
    term?.stop();
    term = new TmuxTerminal();
    const dataDir = mkdtempSync(join(tmpdir(), 'parlor-console-tty-'));
    dataDirs.push(dataDir);
    return { term, dataDir };
  };
  after(() => {
    term?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  test('Ctrl-D asks to confirm; anything but y carries on, and the console still answers; y shuts down', async () => {
    const { term, dataDir } = fresh();
    await startServe(term, dataDir, 30);
    term.keys('C-d');
    await term.waitFor(/^Shut the server down\? Type y to confirm, anything else to carry on:$/m);
    term.type('no');
    await term.waitFor(/^the server keeps running\nparlor>$/m);
    term.type('rooms');
    await term.waitFor(/^no rooms\nparlor>$/m);
    // A second Ctrl-D asks again, and a second one there withdraws the question.
    term.keys('C-d');
    await term.waitFor(/carry on:$/m);
    term.keys('C-d');
    await term.waitFor(/^the server keeps running\nparlor>$/m);
    term.keys('C-d');
    await term.waitFor(/carry on:$/m);
    term.type('y');
    await term.waitFor(/^server closed$/m);
    await term.waitFor(/parlor ended: 0$/m, 20_000);
  });

  test('log lines go above the prompt, which comes back below them with what was typed', async () => {
    const { term, dataDir } = fresh();
    const port = await startServe(term, dataDir, 30);
    term.keys('-l', 'users and more');
    await term.waitFor(/^parlor> users and more$/m);
    await visitAndQuit(port, 'bob');
    await term.waitFor(/INFO: quit .*"nick":"bob"/);
    const rows = rowsOf(term.screen());
    assert.equal(rows.at(-1), 'parlor> users and more', rows.join('\n'));
    assert.equal(rows.filter((r) => r.startsWith('parlor>')).length, 1, `one prompt on the screen:\n${rows.join('\n')}`);
    // The typed line still works as typed.
    term.keys('C-u');
    term.type('users');
    await term.waitFor(/^nobody is connected\nparlor>$/m);
  });

  test('help fits the terminal, wrapped between words', async () => {
    const { term, dataDir } = fresh();
    await startServe(term, dataDir, 150);
    term.type('help');
    await term.waitFor(/^shutdown \[message\]\n.*\n(?:.*\n)?parlor>$/m);
    const rows = rowsOf(term.screen());
    const from = rows.findIndex((r) => r.startsWith('parlor> help'));
    const shown = rows.slice(from + 1, -1);
    for (const row of shown) assert.ok(stringWidth(row) <= COLUMNS, `wider than the terminal: ${row}`);
    // Joined again, the rows hold every explanation whole: no word was cut between rows.
    const text = shown.map((r) => r.trim()).join(' ');
    for (const c of Object.values(CONSOLE_COMMANDS)) assert.ok(text.includes(c.help), `not shown whole: ${c.help}\n${shown.join('\n')}`);
  });
});
