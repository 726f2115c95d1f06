// Waiting on the IRC client core in tests: on its events, never on time, each wait with a
// deadline that fails the test and tells what the client had shown.
import { IrcClient, type IrcClientOptions } from '../../src/clients/irc-client.ts';
import { plainLine } from '../../src/clients/format.ts';
import type { ChatBuffer, ChatLine } from '../../src/clients/model.ts';

export interface SeenLine {
  buffer: ChatBuffer;
  line: ChatLine;
}

/** Every line the client showed, in order, as line mode prints them (for failure messages). */
export function transcript(client: IrcClient): string {
  return client.model.buffers
    .flatMap((b) => b.lines.map((line) => ({ b, line })))
    .sort((x, y) => x.line.id - y.line.id)
    .map(({ b, line }) => plainLine(b, line))
    .slice(-20)
    .join('\n');
}

/**
 * Resolves once `check()` holds, testing it now and after every change of the client.
 */
export function waitUntil<T>(client: IrcClient, check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const now = check();
  if (now) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const onChange = (): void => {
      const value = check();
      if (!value) return;
      done();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what}; the client showed:\n${transcript(client)}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      client.off('change', onChange);
      client.off('line', onChange);
    };
    client.on('change', onChange);
    client.on('line', onChange);
  });
}

/** The first line after line id `after` that matches, in any buffer. */
export function waitForLine(client: IrcClient, match: (s: SeenLine) => boolean, after = 0, timeoutMs = 5000): Promise<SeenLine> {
  const find = (): SeenLine | undefined => {
    let best: SeenLine | undefined;
    for (const buffer of client.model.buffers) {
      for (const line of buffer.lines) {
        if (line.id > after && match({ buffer, line }) && (!best || line.id < best.line.id)) best = { buffer, line };
      }
    }
    return best;
  };
  return waitUntil(client, find, 'a matching line', timeoutMs);
}

/** The id of the newest line so far: waits after it see only what comes next. */
export function lastLineId(client: IrcClient): number {
  return Math.max(0, ...client.model.buffers.flatMap((b) => b.lines.map((l) => l.id)));
}

/** Starts a client on 127.0.0.1 and waits for its registration. */
export async function startClient(port: number, nick: string, options: Partial<IrcClientOptions> = {}, timeoutMs = 5000): Promise<IrcClient> {
  const client = new IrcClient({ host: '127.0.0.1', port, nick, reconnectBaseMs: 20, reconnectMaxMs: 200, ...options });
  client.start();
  await waitUntil(client, () => client.registered, `${nick} to register`, timeoutMs);
  return client;
}
