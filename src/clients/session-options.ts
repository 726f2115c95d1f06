// What an IrcSession is told when it is made: where and how to connect, who to be, how to
// log in, and how to behave when the link drops. Kept apart so that clients can build their
// options (irc-client.ts, the browser's connection.ts) without the session's internals.
import type { Translator } from '../i18n/i18n.ts';
import type { Connector } from './dialer.ts';

/** The capabilities used when the server offers them. */
export const WANTED_CAPS = ['server-time', 'message-tags', 'echo-message', 'multi-prefix', 'away-notify', 'extended-monitor', 'batch', 'draft/multiline', 'setname', 'cap-notify', 'draft/read-marker', 'draft/message-redaction'];

export interface SaslLogin {
  account: string;
  password: string;
  /**
   * When the server offers no SASL PLAIN, send the password as PASS instead (the browser's one
   * password field). NICK and USER then wait for the CAP LS reply, as PASS must come first.
   */
  passFallback?: boolean;
  /** A failed login stops the client (default: it goes on, not logged in, and says so). */
  required?: boolean;
}

export interface SessionOptions {
  /** Opens a connection to the server. */
  connect: Connector;
  /** The server buffer's name. */
  serverName: string;
  /** Where the client connects, as shown in "Connecting to …". */
  address: string;
  nick: string;
  username?: string;
  realname?: string;
  /** Sent with PASS before registering. */
  password?: string;
  /** Log in to an account with SASL PLAIN when the server offers it. */
  sasl?: SaslLogin;
  /** Mark the user as a bot (IRCv3 bot-mode, `MODE nick +B`) on every connection, when the server has bot mode. */
  bot?: boolean;
  /** Capabilities wanted besides WANTED_CAPS. */
  caps?: string[];
  /** Reconnect after a dropped connection (default true). */
  reconnect?: boolean;
  /** First reconnect delay, doubled after each failure (default 1 s)… */
  reconnectBaseMs?: number;
  /** …up to this (default 30 s). */
  reconnectMaxMs?: number;
  /** Silence after which the server is pinged, and after as much again the link dropped (default 90 s). */
  pingIntervalMs?: number;
  scrollback?: number;
  /** draft/read-marker: the least time (ms) between two markers sent (default 1000, read-markers.ts). */
  readMarkerIntervalMs?: number;
  /** The language of the client's own lines (English by default) and the locale of its dates. */
  language?: Translator;
  dateLocale?: string;
}
