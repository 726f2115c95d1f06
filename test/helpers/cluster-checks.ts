// What the process-cluster tests ask of every node after a fault: chat traffic whose
// acknowledged (echoed) lines are recorded, a barrier that proves each node has read the log
// up to a point, and the invariants — the same NAMES and LUSERS everywhere, and history
// holding every acknowledged line exactly once.
import assert from 'node:assert/strict';
import type { ClusterNode } from './cluster-procs.ts';
import { lusersOf, namesOf } from './race-cluster.ts';
import type { RawClient, Received } from './raw-client.ts';

/** What a talker needs: its own lines back with msgid and time, chathistory in batches. */
export const CHAT_CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];

/** A line the server acknowledged by echoing it. */
export interface Said {
  nick: string;
  target: string;
  text: string;
  msgid: string;
}

const isFail = (r: Received): boolean => r.msg.command === 'FAIL';

/** Sends PRIVMSG and waits for its echo (needs echo-message); undefined when refused with FAIL or the connection closed. */
export async function say(c: RawClient, nick: string, target: string, text: string, timeoutMs = 10_000): Promise<Said | undefined> {
  c.send(`PRIVMSG ${target} :${text}`);
  let answer: Received;
  try {
    answer = await c.waitFor((r) => (r.msg.command === 'PRIVMSG' && r.msg.source?.split('!')[0] === nick && r.msg.params[1] === text) || (isFail(r) && r.msg.params[0] === 'PRIVMSG'), timeoutMs);
  } catch (err) {
    if (c.closed) return undefined;
    throw err;
  }
  if (answer.msg.command === 'FAIL') return undefined;
  const msgid = answer.msg.tags.msgid;
  assert.ok(msgid !== undefined, `echo without msgid: ${answer.raw}`);
  return { nick, target, text, msgid };
}

export interface Talker {
  client: RawClient;
  nick: string;
}

/**
 * Each talker says numbered lines in `room`, one at a time (the next once the last is echoed
 * or refused), until stop(). A talker whose connection closes just stops. The lines each
 * talker had acknowledged are in `acked`; refusals (FAIL, or no answer before a close) in `refused`.
 */
export class Traffic {
  readonly acked: Said[] = [];
  /** Texts of the lines refused (FAIL) or left unanswered when the connection closed. */
  readonly refusedTexts: string[] = [];
  private running = true;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly loops: Promise<void>[];
  /** A talker that got neither its echo nor a refusal in time; stop() reports it. */
  private readonly failures: unknown[] = [];

  constructor(talkers: Talker[], readonly room: string) {
    this.loops = talkers.map((t) => this.talk(t).catch((err: unknown) => void this.failures.push(err)));
  }

  private async talk({ client, nick }: Talker): Promise<void> {
    for (let i = 0; this.running && !client.closed; i++) {
      // Long enough for a stalled log to come back or fail the command.
      const text = `${nick} line ${i}`;
      const said = await say(client, nick, this.room, text, 20_000);
      if (said) this.record(said);
      else this.refusedTexts.push(text);
    }
  }

  get refused(): number {
    return this.refusedTexts.length;
  }

  /** Lines acknowledged so far by `nick`. */
  countOf(nick: string): number {
    return this.acked.filter((s) => s.nick === nick).length;
  }

  private record(said: Said): void {
    this.acked.push(said);
    for (const w of this.waiters.filter((x) => this.acked.length >= x.count)) {
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve();
    }
  }

  /** Resolves once at least `n` more lines are acknowledged than now (bounded). */
  more(n: number, timeoutMs = 15_000): Promise<void> {
    const count = this.acked.length + n;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        const why = this.failures.length > 0 ? `; a talker failed: ${(this.failures[0] as Error).message}` : '';
        reject(new Error(`traffic: ${this.acked.length} lines acknowledged after ${timeoutMs} ms, waited for ${count} (${this.refused} refused)${why}`));
      }, timeoutMs);
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<Said[]> {
    this.running = false;
    await Promise.all(this.loops);
    if (this.failures.length > 0) throw this.failures[0];
    return this.acked;
  }
}

/** One CHATHISTORY request's answer: the msgids and texts of its batch, oldest first. */
async function historyPage(c: RawClient, request: string): Promise<{ msgids: string[]; texts: string[] } | { fail: string }> {
  c.send(request);
  const open = await c.waitFor((r) => r.msg.command === 'BATCH' || isFail(r), 10_000);
  if (open.msg.command === 'FAIL') return { fail: open.raw };
  const ref = open.msg.params[0]!.slice(1);
  const msgids: string[] = [];
  const texts: string[] = [];
  for (;;) {
    const r = await c.waitFor(() => true, 10_000);
    if (r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`) break;
    if (r.msg.tags.batch !== ref) continue;
    msgids.push(r.msg.tags.msgid ?? '');
    texts.push(r.msg.params[1] ?? '');
  }
  return { msgids, texts };
}

/** The whole history of the room as `c` is given it, page by page (LATEST, then BEFORE the oldest), oldest first. */
export async function historyOf(c: RawClient, room: string, pageSize = 1000): Promise<{ msgids: string[]; texts: string[] } | { fail: string }> {
  const msgids: string[] = [];
  const texts: string[] = [];
  let request = `CHATHISTORY LATEST ${room} * ${pageSize}`;
  for (;;) {
    const page = await historyPage(c, request);
    if ('fail' in page) return page;
    msgids.unshift(...page.msgids);
    texts.unshift(...page.texts);
    if (page.msgids.length < pageSize) return { msgids, texts };
    request = `CHATHISTORY BEFORE ${room} msgid=${page.msgids[0]} ${pageSize}`;
  }
}

/**
 * Asks `c` for the history of `room` until every acknowledged line of it is there: the
 * cluster writes history from the log in batches, a little after the echo. Fails after
 * `timeoutMs` naming what is missing; also fails on a line stored twice.
 */
export async function assertHistoryComplete(c: RawClient, room: string, acked: Said[], timeoutMs = 20_000): Promise<void> {
  const wanted = acked.filter((s) => s.target === room);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await historyOf(c, room);
    let last: string;
    if ('fail' in answer) {
      last = answer.fail;
    } else {
      const have = new Set(answer.msgids);
      assert.equal(have.size, answer.msgids.length, `a line of ${room} stored twice: ${answer.msgids.length} lines, ${have.size} msgids`);
      const missing = wanted.filter((s) => !have.has(s.msgid));
      if (missing.length === 0) return;
      last = `${missing.length} of ${wanted.length} acknowledged lines missing, e.g. ${missing
        .slice(0, 3)
        .map((s) => s.text)
        .join(', ')}`;
    }
    if (Date.now() > deadline) assert.fail(`history of ${room} incomplete after ${timeoutMs} ms: ${last}`);
    // History is written asynchronously (a consumer group, in batches): ask again shortly.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * One observer registered on each node, all in `#barrier`; the first says a token there and
 * every other waits for it: the log is one order, so each node has then applied everything
 * appended before it.
 */
export async function observers(nodes: ClusterNode[], tag: string): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (const node of nodes) {
    const nick = `obs${tag}${node.id}`;
    const c = await node.register(nick, CHAT_CAPS);
    c.send('JOIN #barrier');
    await c.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === '#barrier', 10_000);
    clients.push(c);
  }
  await barrier(clients, tag);
  return clients;
}

/** The first client says a token in #barrier; resolves when every client has been sent it. */
export async function barrier(clients: RawClient[], tag: string): Promise<void> {
  const token = `barrier ${tag} ${Date.now()}`;
  clients[0]!.send(`PRIVMSG #barrier :${token}`);
  await Promise.all(clients.map((c) => c.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === token, 15_000)));
}

/**
 * The invariants over the running nodes: each room's NAMES and the LUSERS counts are the same
 * on every node, and every acknowledged line is in the history read on each node.
 */
export async function assertInvariants(nodes: ClusterNode[], rooms: string[], acked: Said[], historyTimeoutMs = 20_000): Promise<void> {
  const tag = 'inv';
  const obs = await observers(nodes, tag);
  for (const c of obs) for (const room of rooms) c.send(`JOIN ${room}`);
  for (const c of obs) for (const room of rooms) await c.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === room, 10_000);
  await barrier(obs, `${tag}-joined`);
  for (const room of [...rooms, '#barrier']) {
    const seen: string[][] = [];
    for (const c of obs) seen.push(await namesOf(c, room));
    for (let i = 1; i < seen.length; i++) assert.deepEqual(seen[i], seen[0], `NAMES ${room} on node ${nodes[i]!.id} and node ${nodes[0]!.id}`);
  }
  const counts: Awaited<ReturnType<typeof lusersOf>>[] = [];
  for (const c of obs) counts.push(await lusersOf(c));
  for (let i = 1; i < counts.length; i++) {
    const { users, operators, channels, global } = counts[i]!;
    assert.deepEqual({ users, operators, channels, global }, counts[0], `LUSERS on node ${nodes[i]!.id} and node ${nodes[0]!.id}`);
  }
  for (const room of rooms) for (const c of obs) await assertHistoryComplete(c, room, acked, historyTimeoutMs);
  for (const c of obs) c.close();
}
