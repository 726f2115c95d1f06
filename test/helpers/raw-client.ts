// A raw IRC client for tests: real socket, every received line kept, and waits that
// resolve on a matching line (never on time) with a deadline that fails the test.
import net from 'node:net';
import tls from 'node:tls';
import { parseLine, type IrcMessage } from '../../src/protocol/message.ts';
import { WAIT_MS } from './wait.ts';

export interface Received {
  raw: string;
  msg: IrcMessage;
}

type Matcher = string | RegExp | ((r: Received) => boolean);

function matches(m: Matcher, r: Received): boolean {
  if (typeof m === 'string') return r.msg.command === m;
  if (m instanceof RegExp) return m.test(r.raw);
  return m(r);
}

export class RawClient {
  readonly received: Received[] = [];
  private cursor = 0;
  private buffer = '';
  private waiters: { matcher: Matcher; resolve: (r: Received) => void; fail: (why: string) => void }[] = [];
  private closeWaiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closeWaiters) w();
      // Nothing more will arrive: a wait still pending fails now rather than at its deadline.
      for (const w of this.waiters) w.fail(`the connection closed (its last lines: ${this.received.slice(-3).map((r) => r.raw).join(' | ')})`);
      this.waiters = [];
    });
    socket.on('error', () => {});
  }

  /** `localAddress` picks the client's own address, e.g. 127.0.0.2 to be another machine on loopback. */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress !== undefined && { localAddress }) }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * Connects from another loopback address (127.0.0.2, …: Linux routes all of 127.0.0.0/8 to
   * lo), so that a test can be two clients on two addresses.
   */
  static connectFrom(localAddress: string, port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, localAddress }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** A client on a socket already connected (e.g. TLS started after a PROXY header). */
  static over(socket: net.Socket): RawClient {
    return new RawClient(socket);
  }

  /** Connects with TLS, trusting `ca` (a test's self-signed certificate). */
  static connectTls(port: number, ca: string | Buffer, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ port, host, ca }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) !== -1) {
      const raw = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      let msg: IrcMessage;
      try {
        msg = parseLine(raw);
      } catch {
        msg = { tags: {}, command: '', params: [raw] };
      }
      const r = { raw, msg };
      this.received.push(r);
      const syncDone = msg.command === 'PONG' ? this.syncs.get(msg.params.at(-1) ?? '') : undefined;
      if (syncDone) {
        this.hidden.add(r);
        this.syncs.delete(msg.params.at(-1)!);
        syncDone();
        continue;
      }
      if (msg.command === 'PING' && this.autoPong) this.send(`PONG :${msg.params[0] ?? ''}`);
      const waiter = this.waiters.find((w) => matches(w.matcher, r));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.cursor = this.received.length;
        waiter.resolve(r);
      }
    }
  }

  autoPong = true;

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits for the next line (after the last one waited for) that matches. */
  waitFor(matcher: Matcher, timeoutMs = WAIT_MS): Promise<Received> {
    for (let i = this.cursor; i < this.received.length; i++) {
      const r = this.received[i]!;
      if (!this.hidden.has(r) && matches(matcher, r)) {
        this.cursor = i + 1;
        return Promise.resolve(r);
      }
    }
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new Error(`${why} waiting for ${String(matcher)}; last lines:\n${this.received.slice(-8).map((r) => r.raw).join('\n')}`));
      };
      const waiter = {
        matcher,
        resolve: (r: Received) => {
          clearTimeout(timer);
          resolve(r);
        },
        fail,
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        fail('timed out');
      }, timeoutMs);
      if (this.closed) return fail('the connection had closed');
      this.waiters.push(waiter);
    });
  }

  /** Lines received since the last wait, and marks them read. */
  drain(): Received[] {
    const out = this.since(this.cursor);
    this.cursor = this.received.length;
    return out;
  }

  /** Lines from `received[mark]` on, sync PONGs left out; the read position is not moved. */
  since(mark: number): Received[] {
    return this.received.slice(mark).filter((r) => !this.hidden.has(r));
  }

  /**
   * Sends a PING and waits for its PONG: everything sent before has been handled. The read
   * position is left where it was, so `drain()` afterwards returns what arrived meanwhile
   * (sync PONGs excluded).
   */
  sync(timeoutMs = WAIT_MS): Promise<void> {
    const token = `sync${(++this.syncCounter).toString(36)}`;
    this.send(`PING ${token}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.syncs.delete(token);
        reject(new Error(`timed out waiting for the PONG of ${token}`));
      }, timeoutMs);
      this.syncs.set(token, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private syncCounter = 0;
  private readonly syncs = new Map<string, () => void>();
  /** Sync PONGs: never matched by waitFor nor returned by drain. */
  private readonly hidden = new WeakSet<Received>();

  waitClose(timeoutMs = WAIT_MS): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
