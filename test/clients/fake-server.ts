// A scripted server for the client core: a fake connection (no sockets) whose side the test
// plays line by line, keeping what the client sent.
import type { Connector, DialHandler } from '../../src/clients/dialer.ts';
import type { Dialer } from '../../src/transport/client.ts';

export class FakeServer {
  sent: string[] = [];
  handler: DialHandler | undefined;
  dials = 0;
  /** When false, each connection attempt fails at once (connection refused). */
  accept = true;

  /** For IrcSession: opens a connection. */
  readonly connect: Connector = (handler) => {
    this.dials++;
    this.handler = handler;
    let closed = false;
    queueMicrotask(() => (this.accept ? handler.onOpen() : handler.onClose('Connection refused')));
    return {
      secure: false,
      send: (line) => {
        if (!closed) this.sent.push(line);
      },
      close: () => {
        if (closed) return;
        closed = true;
        queueMicrotask(() => handler.onClose('Connection closed'));
      },
    };
  };

  /** For IrcClient: the same, as a dialer (its address is ignored). */
  readonly dial: Dialer = (_options, handler) => this.connect(handler);

  /** The server says these lines. */
  say(...lines: string[]): void {
    for (const line of lines) this.handler!.onLine(line);
  }

  /** Lines sent since the last call. */
  take(): string[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }
}
