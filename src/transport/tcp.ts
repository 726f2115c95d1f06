// TCP and TLS transports: one Connection per socket.
import net from 'node:net';
import tls from 'node:tls';
import type { Connection, ConnectionHandler, FramingError, PreparedLine, SecureListener, TlsCredentials, TransportLimits } from './connection.ts';
import { LineDecoder, type LineSink } from './line-decoder.ts';
import { expectsProxyHeader, proxyRefusalLine, readProxyHeader } from './proxy-accept.ts';
import type { ProxiedSource } from './proxy-protocol.ts';
import type { ProxyPolicy } from './trusted-proxies.ts';
import { FlushScheduler, type Flushable } from './write-queue.ts';

let nextId = 0;

/** Written after queued output as a marker: its callback runs once all before it is written. */
const EMPTY = Buffer.alloc(0);

/** What every connection of one listener shares, held once rather than per socket. */
interface TcpShared {
  readonly limits: TransportLimits;
  readonly scheduler: FlushScheduler;
  /** Open sockets, destroyed when the listener closes. */
  readonly sockets: Set<net.Socket>;
}

/** The socket's connection, so that one set of listener functions serves every socket. */
const CONNECTION = Symbol('connection');
type OwnedSocket = net.Socket & { [CONNECTION]: SocketConnection };

export class SocketConnection implements Connection, Flushable, LineSink {
  /** Its number: the id's string is made only when asked for (logs), not kept per connection. */
  private readonly serial: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  closed = false;

  private handler: ConnectionHandler | undefined;
  private readonly decoder: LineDecoder;
  /** Output waiting for the next flush; made on first use, since most connections sit idle. */
  private queue: (string | Buffer)[] | undefined;
  /** Bytes in `queue`. */
  private pendingBytes = 0;
  /** Callers of whenDrained(), waiting for the socket to take everything; made on first use. */
  private drainWaiters: (() => void)[] | undefined;
  /** The queue holds prepared Buffers, not only text. */
  private queuedBuffers = false;
  private closing = false;
  private closeReason = 'Connection closed';

  constructor(
    private readonly socket: net.Socket,
    private readonly shared: TcpShared,
    /** The client a trusted proxy's PROXY header named: its address is this connection's. */
    proxied?: ProxiedSource,
  ) {
    this.serial = ++nextId;
    this.remoteAddress = proxied?.address ?? normalizeAddress(socket.remoteAddress ?? 'unknown');
    this.remotePort = proxied?.port ?? socket.remotePort ?? 0;
    this.secure = socket instanceof tls.TLSSocket;
    this.decoder = new LineDecoder(shared.limits.maxLineBytes, this);
    shared.sockets.add(socket);
    socket.setNoDelay(true);
    // Shared listener functions, not closures: an idle connection should cost little memory.
    (socket as OwnedSocket)[CONNECTION] = this;
    socket.on('data', SocketConnection.onData);
    socket.on('end', SocketConnection.onEnd);
    socket.on('error', SocketConnection.onError);
    socket.on('close', SocketConnection.onSocketClose);
  }

  get id(): string {
    return `tcp-${this.serial}`;
  }

  get transport(): 'tcp' | 'tls' {
    return this.secure ? 'tls' : 'tcp';
  }

  private static onData(this: OwnedSocket, chunk: Buffer): void {
    this[CONNECTION].decoder.push(chunk);
  }

  private static onEnd(this: OwnedSocket): void {
    this[CONNECTION].finish('Connection closed by client');
  }

  private static onError(this: OwnedSocket, err: NodeJS.ErrnoException): void {
    this[CONNECTION].finish(describeSocketError(err));
  }

  private static onSocketClose(this: OwnedSocket): void {
    const conn = this[CONNECTION];
    conn.shared.sockets.delete(this);
    conn.finish(conn.closeReason);
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  /** LineSink: decoded input goes to the handler until the connection starts closing. */
  onLine(line: string, byteLength: number): void {
    if (!this.closing) this.handler?.onLine(line, byteLength);
  }

  onFramingError(error: FramingError, label?: string): void {
    if (!this.closing) this.handler?.onFramingError(error, label);
  }

  send(line: string): void {
    this.enqueue(line + '\r\n', Buffer.byteLength(line) + 2);
  }

  sendLines(lines: readonly string[]): void {
    const text = lines.join('\r\n') + '\r\n';
    this.enqueue(text, Buffer.byteLength(text));
  }

  sendPrepared(line: PreparedLine): void {
    this.queuedBuffers = true;
    this.enqueue(line, line.length);
  }

  private enqueue(data: string | Buffer, bytes: number): void {
    if (this.closing) return;
    if (this.pendingBytes + bytes + this.socket.writableLength > this.shared.limits.sendQueueBytes) {
      // The client does not read: drop what is queued so memory stays bounded.
      this.queue = undefined;
      this.pendingBytes = 0;
      this.close('SendQ exceeded', 'ERROR :SendQ exceeded');
      return;
    }
    if (this.queue === undefined) {
      this.queue = [];
      this.shared.scheduler.mark(this);
    }
    this.queue.push(data);
    this.pendingBytes += bytes;
  }

  flush(): void {
    this.writeQueue();
    if (this.drainWaiters !== undefined) this.markDrain();
  }

  private writeQueue(): void {
    const queue = this.queue;
    const bytes = this.pendingBytes;
    if (queue === undefined || this.socket.destroyed) return;
    const buffers = this.queuedBuffers;
    this.queue = undefined;
    this.pendingBytes = 0;
    this.queuedBuffers = false;
    if (queue.length === 1) {
      this.socket.write(queue[0]!);
      return;
    }
    // One buffer, one write: copying a few small lines is cheaper than a stream write each.
    // Text alone (a reply burst, private messages) is joined and written as a string, which the
    // socket encodes straight into its write (no Buffer made here); shared Buffers are copied in.
    if (!buffers) {
      this.socket.write(queue.join(''));
      return;
    }
    const out = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (const item of queue) {
      if (typeof item === 'string') offset += out.write(item, offset, 'utf8');
      else offset += item.copy(out, offset);
    }
    this.socket.write(out);
  }

  get queuedBytes(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  whenDrained(): Promise<void> {
    if (this.closed || this.queuedBytes === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const marked = this.drainWaiters !== undefined;
      (this.drainWaiters ??= []).push(resolve);
      // Queued lines get their mark when flushed; bytes the socket already holds need one now.
      if (!marked && this.queue === undefined) this.markDrain();
    });
  }

  /** An empty write completes only once every write before it has: the queue has drained. */
  private markDrain(): void {
    if (this.socket.destroyed || this.socket.writableEnded) return this.releaseDrainWaiters();
    this.socket.write(EMPTY, () => {
      // Output queued since this mark gets a mark of its own.
      if (this.queue === undefined && this.socket.writableLength === 0) this.releaseDrainWaiters();
    });
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  close(reason: string, lastLine?: string): void {
    if (this.closing) return;
    this.closing = true;
    this.closeReason = reason;
    if (lastLine !== undefined) {
      (this.queue ??= []).push(lastLine + '\r\n');
      this.pendingBytes += Buffer.byteLength(lastLine) + 2;
    }
    this.flush();
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), this.shared.limits.closeTimeoutMs).unref();
    this.finish(reason);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  keepAlive(idleMs: number): void {
    if (!this.socket.destroyed) this.socket.setKeepAlive(true, idleMs);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.releaseDrainWaiters();
    this.handler?.onClose(reason);
    if (!this.socket.writableEnded) this.socket.end();
    // Only a socket already closed both ways is destroyed here: one we just ended still has
    // its last lines (ERROR) to deliver, and close() bounds that with closeTimeoutMs.
    if (this.socket.readyState === 'closed') this.socket.destroy();
  }
}

/**
 * A trusted peer that sent no PROXY header is told why before it is closed: it is most often a
 * local client that connected straight to the port. Whatever it sends is not read; a peer that
 * does not read the line is cut off after `closeTimeoutMs`.
 */
function refuseProxyPeer(socket: net.Socket, peer: string, closeTimeoutMs: number): void {
  if (socket.destroyed) return;
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(timer));
  // Flowing with no 'data' listener: what it sends is dropped.
  socket.resume();
  socket.end(proxyRefusalLine(peer) + '\r\n');
  const timer = setTimeout(() => socket.destroy(), closeTimeoutMs);
  timer.unref();
}

function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNRESET':
      return 'Connection reset by peer';
    case 'EPIPE':
      return 'Broken pipe';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    default:
      return `Socket error: ${err.code ?? err.message}`;
  }
}

/** "::ffff:127.0.0.1" → "127.0.0.1" so that masks and bans see one form. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export interface TcpListenOptions {
  host: string;
  port: number;
  limits: TransportLimits;
  /** Pending connections the OS may queue (listen backlog). */
  backlog?: number;
  /** Listen with TLS, with this certificate and key. */
  tls?: TlsCredentials;
  /** A TLS client must finish its handshake within this long. */
  handshakeTimeoutMs?: number;
  /** Trusted proxies and the PROXY protocol, read for each new socket (so that a reload applies). */
  proxy?(): ProxyPolicy | undefined;
  /** A trusted peer was refused for its PROXY header (or the lack of one): for the log. */
  onProxyRefusal?(peer: string, reason: string): void;
}

export async function listenTcp(options: TcpListenOptions, onConnection: (conn: Connection) => void): Promise<SecureListener> {
  const shared: TcpShared = { limits: options.limits, scheduler: new FlushScheduler(), sockets: new Set() };
  /**
   * Sockets not yet connections (reading a PROXY header, in their TLS handshake), which closing
   * must end too, by their peer (address and port: unique while open), which the raw socket
   * and the TLS socket over it share.
   */
  const pending = new Map<string, net.Socket>();
  /** The client each TLS socket's PROXY header named, by the same key. */
  const proxiedTls = new Map<string, ProxiedSource>();
  const peerKey = (socket: net.Socket): string => `${socket.remoteAddress}|${socket.remotePort}`;
  const accept = (socket: net.Socket, proxied?: ProxiedSource): void => {
    const conn = new SocketConnection(socket, shared, proxied);
    // A socket that read a PROXY header was paused with the client's first bytes put back; they
    // flow from the next tick, once the connection has its handler.
    if (socket.isPaused()) socket.resume();
    onConnection(conn);
  };
  // With TLS, the listening server is plain TCP all the same: a PROXY header comes before the
  // TLS handshake, so the socket reaches the TLS server (never listening itself) after it.
  const tlsServer = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 }, (socket) => {
        const key = peerKey(socket);
        const proxied = proxiedTls.get(key);
        proxiedTls.delete(key);
        pending.delete(key);
        accept(socket, proxied);
      })
    : undefined;
  const server = net.createServer({ noDelay: true }, (socket) => {
    const peer = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const policy = options.proxy?.();
    // Plain TCP from anyone but a trusted proxy: a connection at once, at no extra cost.
    if (!tlsServer && !expectsProxyHeader(policy, peer)) return accept(socket);
    const key = peerKey(socket);
    pending.set(key, socket);
    socket.once('close', () => {
      if (pending.get(key) === socket) pending.delete(key);
      proxiedTls.delete(key);
    });
    readProxyHeader(socket, peer, policy, (outcome) => {
      if (outcome.refusal !== undefined) {
        options.onProxyRefusal?.(peer, outcome.refusal);
        return refuseProxyPeer(socket, peer, options.limits.closeTimeoutMs);
      }
      if (!tlsServer) {
        pending.delete(key);
        return accept(socket, outcome.source);
      }
      if (outcome.source) proxiedTls.set(key, outcome.source);
      tlsServer.emit('connection', socket);
    });
  });
  if (tlsServer) {
    // A failed handshake (plain text sent to the TLS port, an untrusted certificate) ends that
    // socket only.
    tlsServer.on('tlsClientError', (_err, socket) => socket.destroy());
  }
  // A failing accept (EMFILE, …) must not crash the process.
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, backlog: options.backlog ?? 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  return {
    host: addr.address,
    port: addr.port,
    setCredentials(credentials) {
      tlsServer?.setSecureContext({ cert: credentials.cert, key: credentials.key });
    },
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        const cut = (): void => {
          for (const socket of shared.sockets) socket.destroy();
        };
        const timer = graceMs > 0 ? setTimeout(cut, graceMs) : undefined;
        // Called once the last connection has closed.
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        for (const socket of pending.values()) socket.destroy();
        if (timer === undefined) cut();
      }),
  };
}
