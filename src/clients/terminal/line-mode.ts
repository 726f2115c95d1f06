// Line mode, for scripts and pipes (stdin or stdout not a terminal): no screen, each event
// printed as one line, `[HH:MM:SS] #room <nick> text`, and each input line carried out as
// in the full-screen client. Plain text goes to the room last joined or the person last
// written to. Input waits for registration (and, after a dropped connection, for the next
// one); /quit or the end of the input sends QUIT and ends with exit code 0.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseInput, type Effect } from '../commands.ts';
import { plainLine } from '../format.ts';
import type { IrcClient } from '../irc-client.ts';

export interface LineModeStreams {
  input: Readable;
  output: Writable;
}

/** Runs until the client stops; resolves with the exit code. */
export async function runLineMode(client: IrcClient, { input, output }: LineModeStreams): Promise<number> {
  client.on('line', (buffer, line) => output.write(plainLine(buffer, line, client.model) + '\n'));
  let closed = false;
  const whenClosed = new Promise<void>((resolve) =>
    client.once('closed', () => {
      closed = true;
      resolve();
    }),
  );
  client.start();

  let target: string | undefined;
  let quitting = false;
  // The input is over and the server cannot be reached: the lines still waiting would wait
  // for ever (a script run while the server is down), so give up, after one more try than
  // the failure already seen (a server restarting in a second is worth the wait).
  let gaveUp = false;
  let linesLost = false;
  let inputEnded = false;
  const whenGivenUp = new Promise<void>((resolve) => {
    let failures = 0;
    let wasDisconnected = false;
    const check = (): void => {
      const disconnected = client.model.status === 'disconnected';
      if (inputEnded && disconnected && !wasDisconnected) failures++;
      wasDisconnected = disconnected;
      if (failures < 2) return;
      gaveUp = true;
      client.off('change', check);
      resolve();
    };
    input.once('end', () => {
      inputEnded = true;
      // Already down when the input ended: that failure counts.
      if (client.model.status === 'disconnected') failures++;
      check();
    });
    client.on('change', check);
  });
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  // Stopped from elsewhere (a signal, a refused nick): stop reading too.
  void whenClosed.then(() => lines.close());
  for await (const text of lines) {
    await Promise.race([client.waitRegistered(), whenClosed, whenGivenUp]);
    if (closed) break;
    if (gaveUp) {
      linesLost = true;
      break;
    }
    const effects = parseInput(text, { target, chanTypes: client.model.chanTypes, t: client.model.t });
    target = nextTarget(target, effects);
    // The buffer written to is the current one, where replies such as errors are shown.
    const buffer = target === undefined ? undefined : client.model.find(target);
    if (buffer) client.model.select(buffer.key);
    quitting = effects.some((e) => e.type === 'quit');
    client.execute(effects);
    if (quitting) break;
  }
  lines.close();
  if (linesLost && !closed) {
    client.model.note(client.model.t('client.session.gaveUp'), 'error', client.model.server);
    await client.quit();
    return 1;
  }
  if (!closed && !quitting) {
    // Said, because an input that is over at once looks like a crash: a command started in
    // the background by a script reads /dev/null and so quits as soon as it has registered.
    client.model.note(client.model.t('client.session.inputEnded'), 'info', client.model.server);
    void client.quit();
  }
  await whenClosed;
  return client.failure === undefined ? 0 : 1;
}

/** Where plain text goes after these effects: the last room joined, the last person written to. */
function nextTarget(target: string | undefined, effects: Effect[]): string | undefined {
  for (const e of effects) {
    if (e.type === 'join') target = e.rooms.at(-1);
    else if (e.type === 'query') target = e.nick;
    else if (e.type === 'say' && e.explicit && !e.target.startsWith('$')) target = e.target;
    else if (e.type === 'close' && e.name === target) target = undefined;
  }
  return target;
}
