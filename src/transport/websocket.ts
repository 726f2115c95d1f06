// WebSocket transport (IRCv3 WebSocket binding): one IRC line per message, without CR LF.
// Subprotocol `text.ircv3.net` sends text messages, `binary.ircv3.net` binary ones; the
// client's first choice of the two wins. Browsers and web IRC clients (Kiwi IRC, gamja, The
// Lounge) connect here; to the server they are Connections like any other.
import { isUtf8 } from 'node:buffer';
import type { WebSocket } from 'ws';
import type { Connection, ConnectionHandler, PreparedLine, TransportLimits } from './connection.ts';
import { labelOfRawLine } from './line-decoder.ts';

export const IRC_SUBPROTOCOLS: readonly string[] = ['text.ircv3.net', 'binary.ircv3.net'];

/**
 * The subprotocol to answer with: the first of the client's, in its order of preference, that
 * Parlor speaks (IRCv3: "respecting the client's order of preference"). With none in common the
 * handshake goes on without one (the spec allows it); such a client is sent text messages.
 */
export function chooseSubprotocol(offered: Iterable<string>): string | false {
  for (const protocol of offered) if (IRC_SUBPROTOCOLS.includes(protocol)) return protocol;
  return false;
}

const LF = 0x0a;
const CR = 0x0d;

let nextId = 0;

export class WebSocketConnection implements Connection {
  readonly id = `ws-${++nextId}`;
  readonly transport = 'websocket' as const;
  closed = false;
  private handler: ConnectionHandler | undefined;
  private closing = false;
  private readonly binary: boolean;
  /** Messages handed to ws whose write has not completed yet. */
  private sending = 0;
  /** Callers of whenDrained(); made on first use. */
  private drainWaiters: (() => void)[] | undefined;
  /** The callback of every send: one function per connection, not one per message. */
  private readonly onSent = (): void => {
    if (--this.sending === 0) this.releaseDrainWaiters();
  };

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly secure: boolean,
    private readonly limits: TransportLimits,
    /** The TCP (or TLS) socket under the WebSocket, for keep-alive. */
    private readonly rawSocket?: { setKeepAlive(enable: boolean, initialDelay: number): unknown },
  ) {
    this.binary = socket.protocol === 'binary.ircv3.net';
    socket.on('message', (data: Buffer) => this.onMessage(data));
    socket.on('close', () => this.finish('Connection closed by client'));
    socket.on('error', (err) => this.finish(`WebSocket error: ${err.message}`));
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  /**
   * Text and binary messages are read alike, whatever the subprotocol: a client's binary frame
   * on a text connection (or the reverse) is still a line, refused only if it is not UTF-8
   * (ws has already refused a text frame that is not). Each line is judged on its own.
   */
  private onMessage(data: Buffer): void {
    if (this.closing || !this.handler) return;
    // One message is one line; a client may still send several separated by (CR) LF.
    let start = 0;
    while (start <= data.length && !this.closing) {
      let end = data.indexOf(LF, start);
      if (end === -1) end = data.length;
      const lineEnd = end > start && data[end - 1] === CR ? end - 1 : end;
      if (lineEnd > start) this.onRawLine(data.subarray(start, lineEnd));
      start = end + 1;
    }
  }

  private onRawLine(line: Buffer): void {
    const handler = this.handler!;
    if (line.length > this.limits.maxLineBytes) return handler.onFramingError('line-too-long', labelOfRawLine(line));
    if (line.indexOf(0) !== -1) return handler.onFramingError('nul-byte', labelOfRawLine(line));
    if (line.indexOf(CR) !== -1) return handler.onFramingError('bare-cr', labelOfRawLine(line));
    if (!isUtf8(line)) return handler.onFramingError('invalid-utf8', labelOfRawLine(line));
    handler.onLine(line.toString('utf8'), line.length);
  }

  send(line: string): void {
    if (this.closing) return;
    if (this.socket.bufferedAmount > this.limits.sendQueueBytes) {
      this.close('SendQ exceeded', 'ERROR :SendQ exceeded');
      return;
    }
    this.sending++;
    this.socket.send(line, { binary: this.binary }, this.onSent);
  }

  sendPrepared(line: PreparedLine): void {
    if (this.closing) return;
    if (this.socket.bufferedAmount > this.limits.sendQueueBytes) {
      this.close('SendQ exceeded', 'ERROR :SendQ exceeded');
      return;
    }
    // The shared bytes without their CR LF: a WebSocket message carries the line alone.
    this.sending++;
    this.socket.send(line.subarray(0, line.length - 2), { binary: this.binary }, this.onSent);
  }

  get queuedBytes(): number {
    return this.socket.bufferedAmount;
  }

  whenDrained(): Promise<void> {
    if (this.closed || this.sending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drainWaiters ??= []).push(resolve));
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  close(reason: string, lastLine?: string): void {
    if (this.closing) return;
    if (lastLine !== undefined) for (const l of lastLine.split('\r\n')) this.socket.send(l, { binary: this.binary });
    this.closing = true;
    this.socket.close(1000, reason.slice(0, 120));
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.terminate(), this.limits.closeTimeoutMs).unref();
    this.finish(reason);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  keepAlive(idleMs: number): void {
    if (!this.closing) this.rawSocket?.setKeepAlive(true, idleMs);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.releaseDrainWaiters();
    this.handler?.onClose(reason);
  }
}
