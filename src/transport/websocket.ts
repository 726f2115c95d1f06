// WebSocket transport (IRCv3 WebSocket binding): subprotocol `text.ircv3.net`, one IRC line
// per text message, without CR LF. Browsers and web IRC clients (Kiwi IRC, gamja) connect
// here; to the server they are Connections like any other.
import type { WebSocket } from 'ws';
import type { Connection, ConnectionHandler, PreparedLine, TransportLimits } from './connection.ts';

export const IRC_SUBPROTOCOLS = ['text.ircv3.net', 'binary.ircv3.net'] as const;

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
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('close', () => this.finish('Connection closed by client'));
    socket.on('error', (err) => this.finish(`WebSocket error: ${err.message}`));
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closing || !this.handler) return;
    if (isBinary && !this.binary) return this.close('Binary frame on a text connection', 'ERROR :Binary frames are not allowed with text.ircv3.net');
    // One message is one line; a client may still send several separated by CR LF.
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      return this.handler.onFramingError('invalid-utf8');
    }
    for (const raw of text.split(/\r?\n/)) {
      if (raw === '') continue;
      const bytes = Buffer.byteLength(raw);
      if (bytes > this.limits.maxLineBytes) this.handler.onFramingError('line-too-long');
      else if (raw.includes('\0')) this.handler.onFramingError('nul-byte');
      else if (raw.includes('\r')) this.handler.onFramingError('bare-cr');
      else this.handler.onLine(raw, bytes);
      if (this.closing) return;
    }
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
    if (lastLine !== undefined) for (const l of lastLine.split('\r\n')) this.socket.send(l);
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
