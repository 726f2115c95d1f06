// Starts the full-screen client on the terminal: the alternate screen (the shell's screen
// comes back afterwards), ink rendering the App, and the exit once the client has stopped.
import { render } from 'ink';
import type { IrcClient } from '../irc-client.ts';
import { App } from './App.tsx';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON, pasteFilter } from './bracketed-paste.ts';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';
/**
 * Erases the screen row by row and puts the cursor home. Not ED 2 (`ESC [2J`): where there is
 * no alternate screen (GNU screen's default, tmux's `alternate-screen off`) terminals move a
 * cleared screen into the scrollback, which would fill it with copies of the old frame.
 */
function clearScreen(rows: number): string {
  let out = '';
  for (let row = 1; row <= rows; row++) out += `\x1b[${row};1H\x1b[2K`;
  return out + '\x1b[H';
}

/** The App's size for the terminal's: one row less, so that ink never scrolls it, and never under 4 rows. */
function appSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: Math.max(4, (stdout.rows || 24) - 1) };
}

/** Runs until the client stops (/quit, Ctrl-C); resolves with the exit code. */
export async function runTerminalUi(client: IrcClient): Promise<number> {
  const stdout = process.stdout;
  // Bracketed paste: a pasted block arrives marked, to be one input rather than a line per Enter.
  stdout.write(ALT_SCREEN_ON + BRACKETED_PASTE_ON);
  // Also on a crash ('exit' still runs): the shell must not be left in paste mode.
  const restore = () => stdout.write(BRACKETED_PASTE_OFF + ALT_SCREEN_OFF);
  process.once('exit', restore);
  const closed = new Promise<void>((resolve) => client.once('closed', resolve));
  const input = pasteFilter(process.stdin);
  let size = appSize(stdout);
  const app = () => <App core={client} columns={size.columns} rows={size.rows} paste={input} />;

  // After a resize the terminal may have cut, wrapped or moved what was on the screen, and
  // ink redraws by counting lines up from the cursor: stale pieces would stay and the top
  // bar could be lost. So the whole screen is cleared and the frame drawn anew at the new
  // size. This listener goes before ink's own, so that ink never lays the old frame out at
  // the new width.
  const onResize = (): void => {
    const next = appSize(stdout);
    if (next.columns === size.columns && next.rows === size.rows) return;
    size = next;
    stdout.write(clearScreen(stdout.rows || 24));
    ink.rerender(app());
  };
  stdout.on('resize', onResize);
  const ink = render(app(), { stdin: input.stdin, exitOnCtrlC: false, patchConsole: true });
  client.start();
  await closed;
  stdout.off('resize', onResize);
  ink.unmount();
  await ink.waitUntilExit().catch(() => {});
  process.off('exit', restore);
  restore();
  if (client.failure !== undefined) {
    process.stderr.write(`parlor chat: ${client.failure}\n`);
    return 1;
  }
  return 0;
}
