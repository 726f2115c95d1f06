// A staged chat for screenshots: a server whose clock reads only the times the script sets
// (so every timestamp on the page is the same on every run), and IRC people who say their
// lines one at a time, each handled by the server before the next.
import type { Clock, Timer } from '../../src/server/clock.ts';
import { systemClock } from '../../src/server/clock.ts';
import { RawClient } from './raw-client.ts';
import type { TestServer } from './server.ts';

/**
 * Reads a time the script sets; timers run on real time (a test never waits on them here).
 * Only `now()` is staged: flood control and idle checks see time stand still, which is fine
 * for the few lines of a scene.
 */
export class StagedClock implements Clock {
  private time: number;

  constructor(private readonly start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** From now on the clock reads `start` plus `minutes` (fractions for seconds). */
  at(minutes: number): void {
    this.time = this.start + Math.round(minutes * 60_000);
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return systemClock.setTimeout(fn, ms);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return systemClock.setInterval(fn, ms);
  }
}

/**
 * Registers an IRC client as `nick` (which may be Chinese: the user name is given apart), from
 * its own loopback address (127.0.0.0/8 is all this machine) so that people differ in the panel;
 * with `caps` asked for first (CAP LS 302, REQ, END), when given.
 */
export async function person(t: TestServer, nick: string, user: string, realname: string, address = '127.0.0.1', caps: string[] = []): Promise<RawClient> {
  const c = await RawClient.connectFrom(address, t.port);
  t.clients.push(c);
  if (caps.length > 0) {
    c.send('CAP LS 302', `NICK ${nick}`, `USER ${user} 0 * :${realname}`, `CAP REQ :${caps.join(' ')}`);
    await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK');
    c.send('CAP END');
  } else {
    c.send(`NICK ${nick}`, `USER ${user} 0 * :${realname}`);
  }
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
  return c;
}

/** Sends each line and waits until the server has handled them, so the clock's time is theirs. */
export async function act(c: RawClient, ...lines: string[]): Promise<void> {
  c.send(...lines);
  await c.sync();
}

/** A PRIVMSG, handled before the promise resolves. */
export function says(c: RawClient, target: string, text: string): Promise<void> {
  return act(c, `PRIVMSG ${target} :${text}`);
}

/** A CTCP ACTION (/me), handled before the promise resolves. */
export function does(c: RawClient, target: string, text: string): Promise<void> {
  return act(c, `PRIVMSG ${target} :\x01ACTION ${text}\x01`);
}
