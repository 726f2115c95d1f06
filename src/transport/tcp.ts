// Plain TCP transport: one Connection per socket.
import net from 'node:net';
import type { Connection, ConnectionHandler, Listener, PreparedLine, TransportLimits } from './connection.ts';
import { LineDecoder } from './line-decoder.ts';
import { FlushScheduler, type Flushable } from './write-queue.ts';

let nextId = 0;

export class SocketConnection implements Connection, Flushable {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure = false;
  readonly transport = 'tcp' as const;
  closed = false;

  private handler: ConnectionHandler | undefined;
  private readonly decoder: LineDecoder;
  private queue: (string | Buffer)[] = [];
  private queuedBytes = 0;
  private closing = false;
  private closeReason = 'Connection closed';

  constructor(
    private readonly socket: net.Socket,
    private readonly limits: TransportLimits,
    private readonly scheduler: FlushScheduler,
  ) {
    this.id = `tcp-${++nextId}`;
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? 'unknown');
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new LineDecoder(limits.maxLineBytes, {
      onLine: (line, bytes) => {
        if (!this.closing) this.handler?.onLine(line, bytes);
      },
      onFramingError: (error) => {
        if (!this.closing) this.handler?.onFramingError(error);
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('end', () => this.finish('Connection closed by client'));
    socket.on('error', (err: NodeJS.ErrnoException) => this.finish(describeSocketError(err)));
    socket.on('close', () => this.finish(this.closeReason));
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  send(line: string): void {
    this.enqueue(line + '\r\n', Buffer.byteLength(line) + 2);
  }

  sendPrepared(line: PreparedLine): void {
    this.enqueue(line, line.length);
  }

  private enqueue(data: string | Buffer, bytes: number): void {
    if (this.closing) return;
    if (this.queuedBytes + bytes + this.socket.writableLength > this.limits.sendQueueBytes) {
      // The client does not read: drop what is queued so memory stays bounded.
      this.queue = [];
      this.queuedBytes = 0;
      this.close('SendQ exceeded', 'ERROR :SendQ exceeded');
      return;
    }
    if (this.queue.length === 0) this.scheduler.mark(this);
    this.queue.push(data);
    this.queuedBytes += bytes;
  }

  flush(): void {
    const queue = this.queue;
    const bytes = this.queuedBytes;
    if (queue.length === 0 || this.socket.destroyed) return;
    this.queue = [];
    this.queuedBytes = 0;
    if (queue.length === 1) {
      this.socket.write(queue[0]!);
      return;
    }
    // One buffer, one write: copying a few small lines is cheaper than a stream write each.
    const out = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (const item of queue) {
      if (typeof item === 'string') offset += out.write(item, offset, 'utf8');
      else offset += item.copy(out, offset);
    }
    this.socket.write(out);
  }

  close(reason: string, lastLine?: string): void {
    if (this.closing) return;
    this.closing = true;
    this.closeReason = reason;
    if (lastLine !== undefined) {
      this.queue.push(lastLine + '\r\n');
      this.queuedBytes += Buffer.byteLength(lastLine) + 2;
    }
    this.flush();
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), this.limits.closeTimeoutMs).unref();
    this.finish(reason);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.handler?.onClose(reason);
    if (!this.socket.writableEnded) this.socket.end();
    if (this.socket.readyState === 'closed' || this.socket.readyState === 'readOnly') this.socket.destroy();
  }
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
}

export async function listenTcp(options: TcpListenOptions, onConnection: (conn: Connection) => void): Promise<Listener> {
  const scheduler = new FlushScheduler();
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onConnection(new SocketConnection(socket, options.limits, scheduler));
  });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
