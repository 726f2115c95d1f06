// The client side of a connection: dials an IRC server over TCP or TLS and hands back whole
// lines, framed by the same LineDecoder the server uses. Used by Parlor's own clients
// (src/clients/), which may not touch sockets themselves.
import net from 'node:net';
import tls from 'node:tls';
import type { ClientLink, CloseCause, DialHandler } from '../clients/dialer.ts';
import { LineDecoder } from './line-decoder.ts';

export interface DialOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** Accept a TLS certificate that does not verify (self-signed test servers). */
  tlsInsecure?: boolean;
  /** PEM certificates to trust besides the system's (a server's self-signed certificate). */
  tlsCa?: string | Buffer;
  /** Longest line accepted from the server, tags included (IRCv3: 8191 + 512). */
  maxLineBytes?: number;
  /** Give up on a connection attempt after this long. */
  connectTimeoutMs?: number;
}

export type { ClientLink, DialHandler };

export type Dialer = (options: DialOptions, handler: DialHandler) => ClientLink;

const DEFAULT_MAX_LINE = 8191 + 512;

export const dialIrc: Dialer = (options, handler) => {
  const socket: net.Socket = options.tls
    ? tls.connect({
        host: options.host,
        port: options.port,
        servername: net.isIP(options.host) ? undefined : options.host,
        rejectUnauthorized: !options.tlsInsecure,
        // Added to the system's trust store, not in place of it.
        ...(options.tlsCa !== undefined && { ca: [...tls.rootCertificates, options.tlsCa.toString()] }),
      })
    : net.connect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  let closed = false;
  const finish = (reason: string, cause?: CloseCause): void => {
    if (closed) return;
    closed = true;
    socket.destroy();
    handler.onClose(reason, cause);
  };
  const decoder = new LineDecoder(options.maxLineBytes ?? DEFAULT_MAX_LINE, {
    onLine: (line) => {
      if (!closed) handler.onLine(line);
    },
    onFramingError: (error) => {
      if (!closed) handler.onFramingError?.(error);
    },
  });
  const timeout = options.connectTimeoutMs ?? 20_000;
  const seconds = Math.round(timeout / 1000);
  socket.setTimeout(timeout, () => finish(`Connection timed out after ${seconds} s`, { kind: 'timedOutAfter', seconds }));
  socket.once(options.tls ? 'secureConnect' : 'connect', () => {
    socket.setTimeout(0);
    if (!closed) handler.onOpen();
  });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  socket.on('end', () => finish('Connection closed by the server', { kind: 'byServer' }));
  socket.on('error', (err: NodeJS.ErrnoException) => {
    const cause = causeOf(err);
    finish(cause ? CAUSE_TEXT[cause] : err.message, cause && { kind: cause });
  });
  socket.on('close', () => finish('Connection closed', { kind: 'closed' }));
  return {
    secure: options.tls === true,
    send(line) {
      if (!closed && socket.writable) socket.write(line + '\r\n');
    },
    close() {
      if (closed) return;
      // end() flushes what is written (a QUIT) first; the server then closes its side.
      socket.end();
      setTimeout(() => finish('Connection closed', { kind: 'closed' }), 2000).unref();
    },
  };
};

type ErrorCause = 'refused' | 'reset' | 'hostNotFound' | 'timedOut';

/** The English words for a system error the client names itself (client.closed.* translates them). */
const CAUSE_TEXT: Record<ErrorCause, string> = {
  refused: 'Connection refused',
  reset: 'Connection reset by peer',
  hostNotFound: 'Host not found',
  timedOut: 'Connection timed out',
};

function causeOf(err: NodeJS.ErrnoException): ErrorCause | undefined {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
      return 'reset';
    case 'ENOTFOUND':
      return 'hostNotFound';
    case 'ETIMEDOUT':
      return 'timedOut';
    default:
      return undefined;
  }
}
