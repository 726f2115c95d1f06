// One contract for every transport's Connection (TCP, TLS, WebSocket), over real sockets on
// 127.0.0.1: queuedBytes counts output the operating system has not taken yet, and
// whenDrained() resolves at once when nothing waits, stays pending while the peer does not
// read, resolves once it reads again (nothing left queued), and resolves when the connection
// closes. Long replies (paced-reply.ts) rely on it to stay within the send queue.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import type { Connection, Listener, TransportLimits } from '../../src/transport/connection.ts';
import { listenTcp } from '../../src/transport/tcp.ts';
import { WebSocketConnection } from '../../src/transport/websocket.ts';
import { makeTestCert, type TestCert } from '../helpers/tls.ts';

/** Room enough that the contract, not the send queue, decides when writing stops. */
const LIMITS: TransportLimits = { maxLineBytes: 8703, sendQueueBytes: 256 * 1024 * 1024, closeTimeoutMs: 2_000 };
const LINE = 'x'.repeat(1_000);

/** The far end of a connection: a client that can stop reading and counts the lines it got. */
interface Peer {
  pause(): void;
  resume(): void;
  readonly lines: number;
  /** Resolves once `count` lines have arrived. */
  waitForLines(count: number): Promise<void>;
  close(): void;
}

interface Pair {
  conn: Connection;
  peer: Peer;
}

interface Transport {
  name: string;
  open(): Promise<Pair>;
  close(): Promise<void>;
}

/** Counts lines as they arrive, and wakes whoever waits for a count. */
class LineCounter {
  lines = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  add(n: number): void {
    this.lines += n;
    this.waiters = this.waiters.filter((w) => (this.lines >= w.count ? (w.resolve(), false) : true));
  }

  waitFor(count: number): Promise<void> {
    if (this.lines >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

function socketPeer(socket: net.Socket): Peer {
  const counter = new LineCounter();
  socket.on('data', (chunk: Buffer) => {
    let n = 0;
    for (const byte of chunk) if (byte === 0x0a) n++;
    counter.add(n);
  });
  socket.on('error', () => {});
  return {
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    get lines() {
      return counter.lines;
    },
    waitForLines: (count) => counter.waitFor(count),
    close: () => socket.destroy(),
  };
}

/** Waits for the next connection a listener accepts. */
function acceptor(): { onConnection: (conn: Connection) => void; next(): Promise<Connection> } {
  const waiting: ((conn: Connection) => void)[] = [];
  return {
    onConnection: (conn) => waiting.shift()?.(conn),
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

function tcpTransport(name: 'tcp' | 'tls', cert?: () => TestCert): Transport {
  let listener: Listener | undefined;
  const accept = acceptor();
  return {
    name,
    async open() {
      const credentials = cert?.();
      listener ??= await listenTcp(
        { host: '127.0.0.1', port: 0, limits: LIMITS, tls: credentials && { cert: credentials.cert, key: credentials.key } },
        accept.onConnection,
      );
      const port = listener.port;
      const accepted = accept.next();
      const socket = credentials ? tls.connect({ host: '127.0.0.1', port, ca: credentials.cert }) : net.connect({ host: '127.0.0.1', port });
      const conn = await accepted;
      conn.attach({ onLine: () => {}, onFramingError: () => {}, onClose: () => {} });
      return { conn, peer: socketPeer(socket) };
    },
    close: async () => listener?.close(),
  };
}

function webSocketTransport(): Transport {
  let server: WebSocketServer | undefined;
  const accept = acceptor();
  return {
    name: 'websocket',
    async open() {
      if (!server) {
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'text.ircv3.net' });
        wss.on('connection', (ws) => accept.onConnection(new WebSocketConnection(ws, '127.0.0.1', 0, false, LIMITS)));
        await new Promise<void>((resolve) => wss.once('listening', resolve));
        server = wss;
      }
      const { port } = server.address() as net.AddressInfo;
      const accepted = accept.next();
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, 'text.ircv3.net');
      const conn = await accepted;
      conn.attach({ onLine: () => {}, onFramingError: () => {}, onClose: () => {} });
      const counter = new LineCounter();
      ws.on('message', () => counter.add(1));
      ws.on('error', () => {});
      await new Promise<void>((resolve) => (ws.readyState === WebSocket.OPEN ? resolve() : ws.once('open', () => resolve())));
      return {
        conn,
        peer: {
          pause: () => ws.pause(),
          resume: () => ws.resume(),
          get lines() {
            return counter.lines;
          },
          waitForLines: (count) => counter.waitFor(count),
          close: () => ws.terminate(),
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        for (const ws of server.clients) ws.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Sends lines until output waits on our side (the OS buffers are full); returns how many. */
async function fillUntilQueued(conn: Connection): Promise<number> {
  let sent = 0;
  // At most 64 MiB: loopback buffers hold a few MiB.
  for (let round = 0; round < 256; round++) {
    for (let i = 0; i < 256; i++) conn.send(LINE);
    sent += 256;
    await nextTurn();
    await nextTurn();
    if (conn.queuedBytes > 0) return sent;
  }
  throw new Error(`${sent} lines sent and the operating system still takes more`);
}

/** Settles `promise` into a flag, to see whether it has resolved yet. */
function watch(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

let cert: TestCert;
before(async () => {
  cert = await makeTestCert();
});
after(() => cert.remove());

for (const transport of [tcpTransport('tcp'), tcpTransport('tls', () => cert), webSocketTransport()]) {
  describe(`Connection contract: ${transport.name}`, () => {
    after(() => transport.close());

    test('idle: nothing queued, whenDrained() resolves at once', async () => {
      const { conn, peer } = await transport.open();
      assert.equal(conn.queuedBytes, 0);
      const drained = watch(conn.whenDrained());
      await nextTurn();
      assert.equal(drained.done, true);
      peer.close();
    });

    test('a peer that stops reading: whenDrained() waits until it reads again, then nothing is queued', async () => {
      const { conn, peer } = await transport.open();
      peer.pause();
      const sent = await fillUntilQueued(conn);
      assert.ok(conn.queuedBytes > 0);
      const promise = conn.whenDrained();
      const drained = watch(promise);
      // Nothing can resolve it while the peer reads nothing: give it time to go wrong.
      await delay(100);
      assert.equal(drained.done, false, 'resolved while the peer read nothing');
      assert.equal(conn.closed, false);
      peer.resume();
      await promise;
      assert.equal(conn.queuedBytes, 0);
      await peer.waitForLines(sent);
      assert.equal(peer.lines, sent);
      peer.close();
    });

    test('closing the connection resolves whenDrained()', async () => {
      const { conn, peer } = await transport.open();
      peer.pause();
      await fillUntilQueued(conn);
      const promise = conn.whenDrained();
      conn.close('done');
      await promise;
      assert.equal(conn.closed, true);
      // Once closed, nothing is waited for.
      await conn.whenDrained();
      peer.close();
    });
  });
}
