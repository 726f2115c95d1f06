// Small helpers shared by the server tests: masks, line predicates and ways to collect
// what clients were sent, always by waiting for lines (sync), never on time.
import type { RawClient, Received } from './raw-client.ts';

/** nick!user@host of a client registered by the helper (USER <nick>, nick ≤ 18 chars). */
export const mask = (nick: string): string => `${nick}!${nick}@127.0.0.1`;

/** ISO 8601 in UTC with milliseconds, as server-time requires. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A line with this command whose parameters start with `params`. */
export const is =
  (command: string, ...params: string[]) =>
  (r: Received): boolean =>
    r.msg.command === command && params.every((p, i) => r.msg.params[i] === p);

/** Every line up to and including the first that matches (bounded). */
export async function until(c: RawClient, end: (r: Received) => boolean): Promise<Received[]> {
  const out: Received[] = [];
  for (let i = 0; i < 500; i++) {
    const r = await c.waitFor(() => true);
    out.push(r);
    if (end(r)) return out;
  }
  throw new Error('no end line within 500 lines');
}

/** What the server sent from `received[mark]` on, once everything sent before is handled. */
export async function linesSince(c: RawClient, mark: number): Promise<Received[]> {
  await c.sync();
  return c.since(mark);
}

/** Runs `act`; returns every line each observer was sent meanwhile (actor synced first). */
export async function during<T extends RawClient[]>(
  actor: RawClient,
  observers: [...T],
  act: () => void,
): Promise<{ [K in keyof T]: Received[] }> {
  const marks = observers.map((c) => c.received.length);
  act();
  await actor.sync();
  for (const c of observers) await c.sync();
  return observers.map((c, i) => c.since(marks[i]!)) as { [K in keyof T]: Received[] };
}

/** `during`, with the raw lines. */
export async function duringRaw<T extends RawClient[]>(
  actor: RawClient,
  observers: [...T],
  act: () => void,
): Promise<{ [K in keyof T]: string[] }> {
  const seen: Received[][] = await during(actor, observers, act);
  return seen.map((rs) => rs.map((r) => r.raw)) as { [K in keyof T]: string[] };
}

/** Waits until each client has been sent everything so far, and marks it read. */
export async function settle(...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    await c.sync();
    c.drain();
  }
}

/** Joins each client to `room` in turn (waiting for its 366), then settles them all. */
export async function joinAll(room: string, ...clients: RawClient[]): Promise<void> {
  for (const c of clients) {
    c.send(`JOIN ${room}`);
    await c.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === room);
  }
  await settle(...clients);
}

/** Joins `c` (registered as `nick`) to `channel` and waits for its end of NAMES. */
export async function join(c: RawClient, nick: string, channel: string): Promise<void> {
  c.send(`JOIN ${channel}`);
  await c.waitFor(is('366', nick, channel));
}
