// What the client core (irc-session.ts) needs of a connection, with no Node or DOM in it: the
// terminal client dials TCP/TLS (src/transport/client.ts), the browser a WebSocket
// (web/src/websocket-dialer.ts).

export interface DialHandler {
  /** The connection is up (after the TLS handshake, with TLS). */
  onOpen(): void;
  onLine(line: string): void;
  /** A line the decoder refused (too long, invalid UTF-8, …); the connection stays open. */
  onFramingError?(error: string): void;
  /** Called once, whether the connection failed, was closed by the server or by close(). Never from inside the dial. */
  onClose(reason: string): void;
}

export interface ClientLink {
  readonly secure: boolean;
  /** Sends one line (without CR LF). Ignored once closed. */
  send(line: string): void;
  /** Ends the connection after what was sent has been written. */
  close(): void;
}

/** Opens a new connection to the one server the client talks to. */
export type Connector = (handler: DialHandler) => ClientLink;
