// Starts the full-screen client on the terminal: the alternate screen (the shell's screen
// comes back afterwards), ink rendering the App, and the exit once the client has stopped.
import { render } from 'ink';
import type { IrcClient } from '../irc-client.ts';
import { App } from './App.tsx';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

/** Runs until the client stops (/quit, Ctrl-C); resolves with the exit code. */
export async function runTerminalUi(client: IrcClient): Promise<number> {
  const stdout = process.stdout;
  stdout.write(ALT_SCREEN_ON);
  const closed = new Promise<void>((resolve) => client.once('closed', resolve));
  const ink = render(<App core={client} />, { exitOnCtrlC: false, patchConsole: true });
  const restore = () => stdout.write(ALT_SCREEN_OFF);
  process.once('exit', restore);
  client.start();
  await closed;
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
