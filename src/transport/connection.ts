// The one interface every transport (TCP, TLS, WebSocket) yields to the server.

export type TransportKind = 'tcp' | 'tls' | 'websocket';

/** A malformed line, reported instead of being passed on. The connection stays open. */
export type FramingError = 'line-too-long' | 'invalid-utf8' | 'nul-byte' | 'bare-cr';

/**
 * A line already encoded for the wire, CR LF included, so that a fan-out encodes a message
 * once and hands the same bytes to every recipient.
 */
export type PreparedLine = Buffer;

export function prepareLine(line: string): PreparedLine {
  return Buffer.from(line + '\r\n', 'utf8');
}

export interface ConnectionHandler {
  onLine(line: string, byteLength: number): void;
  /** `label`: the client's label tag, when the refused line's tag section shows one. */
  onFramingError(error: FramingError, label?: string): void;
  /** Called once, after the connection has closed for any reason. */
  onClose(reason: string): void;
}

export interface Connection {
  readonly id: string;
  readonly transport: TransportKind;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  readonly closed: boolean;
  attach(handler: ConnectionHandler): void;
  /** Queue one line (without CR LF). Writes are coalesced per event-loop turn. */
  send(line: string): void;
  /**
   * Queue several lines (without CR LF) as one piece of output: a burst made at once (the
   * welcome). A transport that frames each line on its own (WebSocket) leaves it out, and
   * callers send line by line.
   */
  sendLines?(lines: readonly string[]): void;
  sendPrepared(line: PreparedLine): void;
  /** Flush what is queued, optionally send a last line, then close. */
  close(reason: string, lastLine?: string): void;
  /** Stop reading input until resume() (used while a handler waits on slow work). */
  pause(): void;
  resume(): void;
  /** Output bytes not yet handed to the operating system: what counts against the send queue. */
  readonly queuedBytes: number;
  /**
   * Resolves once everything queued so far has been handed to the operating system (the client
   * is reading), or at once when nothing waits or the connection has closed. A long reply
   * waits on it between pieces, so that it never fills the send queue.
   */
  whenDrained(): Promise<void>;
  /**
   * Turn on TCP keep-alive, probing after `idleMs` of silence, so that a peer gone without a
   * word (a half-open socket) is found out. Off by default: IRC clients answer PINGs instead.
   */
  keepAlive(idleMs: number): void;
}

export interface TransportLimits {
  /** Longest line accepted in bytes, tags included, CR LF excluded. */
  maxLineBytes: number;
  /** Bytes that may wait to be written to one client before it is dropped. */
  sendQueueBytes: number;
  /** How long a closing connection may take to flush before it is destroyed. */
  closeTimeoutMs: number;
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting at once; open connections get `graceMs` to finish closing (their last
   * lines delivered) before they are cut. Resolves when every connection is gone.
   */
  close(graceMs?: number): Promise<void>;
}

/** PEM certificate chain and private key. */
export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
}

/** A listener that may serve TLS: new connections use new credentials, open ones keep theirs. */
export interface SecureListener extends Listener {
  /** Does nothing on a listener without TLS. */
  setCredentials(credentials: TlsCredentials): void;
}
