// What the client core (irc-session.ts) needs of a connection, with no Node or DOM in it: the
// terminal client dials TCP/TLS (src/transport/client.ts), the browser a WebSocket
// (web/src/websocket-dialer.ts).

export interface DialHandler {
  /** The connection is up (after the TLS handshake, with TLS). */
  onOpen(): void;
  onLine(line: string): void;
  /** A line the decoder refused (too long, invalid UTF-8, …); the connection stays open. */
  onFramingError?(error: string): void;
  /**
   * Called once, whether the connection failed, was closed by the server or by close(). Never
   * from inside the dial. `reason` is in English; `cause`, when the dialer worded the reason
   * itself (rather than passing on the system's or the server's words), lets it be translated.
   */
  onClose(reason: string, cause?: CloseCause): void;
}

/** Reasons a dialer words itself, translated as client.closed.<kind> (`seconds` for timedOutAfter). */
export type CloseCause = { kind: 'lost' | 'closed' | 'byServer' | 'refused' | 'reset' | 'hostNotFound' | 'timedOut' } | { kind: 'timedOutAfter'; seconds: number };

export interface ClientLink {
  readonly secure: boolean;
  /** Sends one line (without CR LF). Ignored once closed. */
  send(line: string): void;
  /** Ends the connection after what was sent has been written. */
  close(): void;
}

/** Opens a new connection to the one server the client talks to. */
export type Connector = (handler: DialHandler) => ClientLink;
