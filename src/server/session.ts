// One client connection: its registration state, capabilities and input handling.
import { RecentSends } from './recent-sends.ts';
import type { SaslExchange } from './scram.ts';
import { findLabel, parseLine, ProtocolError, shownCommand, type IrcMessage } from '../protocol/message.ts';
import { ERR_INPUTTOOLONG, ERR_UNKNOWNCOMMAND } from '../protocol/numerics.ts';
import type { Connection, ConnectionHandler, FramingError } from '../transport/connection.ts';
import type { Timer } from './clock.ts';
import type { Config } from './config.ts';
import { COMMANDS } from './command-table.ts';
import { failBatchOfLostLine, isLineOfOpenBatch, type OpenMultilineBatch } from './commands/multiline.ts';
import { TokenBucket } from './flood.ts';
import { translatorFor } from '../i18n/i18n.ts';
import { greeting, looksLikeIrc, PlainTextView } from './plain-text.ts';
import type { LocalSession } from '../node/delivery.ts';
import { Outgoing, TAGS_ACCOUNT, TAGS_MESSAGE_TAGS, TAGS_SERVER_TIME } from './outgoing.ts';
import { ResponseBuffer } from './response.ts';
import { breaksLine, UnsafeLineError } from '../protocol/wire-text.ts';
import type { User } from '../network/state.ts';
import { isLineTooLong } from './line-limits.ts';

/** What a session needs from its server. */
export interface SessionHost {
  readonly serverName: string;
  readonly limits: { lineBytes: number; tagBytes: number; clientTagBytes: number; nickLength: number };
  readonly floodSettings: Config['flood'];
  readonly config: Pick<Config, 'plainText' | 'server'>;
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  dispatch(session: Session, msg: IrcMessage): void | Promise<void>;
  sessionClosed(session: Session, reason: string): void;
  logError(err: unknown, context: string): void;
}

const FRAMING_REPLIES: Record<Exclude<FramingError, 'line-too-long'>, [string, string]> = {
  'invalid-utf8': ['INVALID_UTF8', 'Message rejected: it is not valid UTF-8'],
  'nul-byte': ['INVALID_CHARACTERS', 'Message rejected: it contains a NUL byte'],
  'bare-cr': ['INVALID_CHARACTERS', 'Message rejected: it contains a CR not followed by LF'],
};

/** The capabilities of a session that negotiated none (most of them). */
const NO_CAPS: ReadonlySet<string> = new Set();

// The session is its connection's handler itself, and its sets and queues are made on first
// use: thousands of idle clients should cost as little memory as each can.
export class Session implements LocalSession, ConnectionHandler {
  readonly connectedAt: number;
  lastActivity: number;
  /** Last PRIVMSG/NOTICE, for WHOIS idle time. */
  lastSpokeAt: number;
  /** Made at the first message sent (a ring of 50 is ~1.7 KB: idle clients never need one). */
  private sends: RecentSends | undefined;
  pingSentAt = 0;

  // Registration state; `user` is set once registered.
  nick: string | undefined;
  username: string | undefined;
  realname: string | undefined;
  password: string | undefined;
  capNegotiating = false;
  capVersion = 0;
  user: User | undefined;
  /** The operator block this user logged in with (OPER). */
  operName: string | undefined;
  /** Set by QUIT: the reason others see. */
  quitReason: string | undefined;
  /** The account logged in to before registration completed; afterwards `user.account`. */
  preAccount: string | undefined;
  /** A SASL exchange under way: its mechanism, the base64 received so far, and SCRAM's state between messages. */
  sasl: SaslExchange | undefined;
  /** Counting down for the (folded) nick, another's account: the user is renamed at the end. */
  nickGuard: { folded: string; timer: Timer } | undefined;

  private capSet: Set<string> | undefined;
  tagVariant = 0;
  private monitorList: Map<string, string> | undefined;
  deliveryMark = 0;
  /** IRCv3 multiline: the batch this client has opened and not yet closed. */
  multilineBatch: OpenMultilineBatch | undefined;
  /** Read markers (draft/read-marker) of a user without an account: this connection's only, folded target → ms. */
  sessionReadMarkers: Map<string, number> | undefined;
  private batchCounter = 0;

  /** The key this connection's address is counted under by the ConnectionGate. */
  admissionKey: string | undefined;
  /**
   * From a listed WEBIRC gateway and counted in the total only, until its first command: WEBIRC
   * names the address to count, anything else makes it a direct client of the gateway's address.
   */
  admissionDeferred = false;

  // Input is handled strictly in order: while an async handler runs, or while flood
  // control holds the client back, later lines wait in the backlog.
  private busy = false;
  private backlog: string[] | undefined;
  private backlogBytes = 0;
  private bucket: TokenBucket | undefined;
  /** Set once the first line shows whether this is an IRC client or a person typing. */
  private mode: 'unknown' | 'irc' | 'plain' = 'unknown';
  private plain: PlainTextView | undefined;
  private greetTimer: Timer | undefined;
  private greeted = false;
  private floodTimer: Timer | undefined;

  /**
   * Its connection; replaced once, by a WEBIRC from a listed gateway, with one that reports the
   * gateway's user (GatewayConnection) on the same socket.
   */
  conn: Connection;
  /** The host name a WEBIRC gave; else the user's host is shown as the address. */
  gatewayHostname: string | undefined;
  /** Commands run so far: WEBIRC must be the first. */
  commandCount = 0;

  constructor(
    private readonly host: SessionHost,
    conn: Connection,
  ) {
    this.conn = conn;
    this.connectedAt = host.now();
    this.lastActivity = this.connectedAt;
    this.lastSpokeAt = this.connectedAt;
    conn.attach(this);
    const plain = host.config.plainText;
    // People at nc/telnet wait to be spoken to; IRC clients speak first and cancel this.
    if (plain.enabled) this.greetTimer = host.setTimeout(() => this.greet(), plain.greetAfterMs);
  }

  /** A person typing rather than an IRC client. */
  get isPlainText(): boolean {
    return this.mode === 'plain';
  }

  private greet(): void {
    this.greetTimer = undefined;
    if (this.mode === 'irc' || this.greeted || this.conn.closed) return;
    this.greeted = true;
    const { name, network } = this.host.config.server;
    // In the server's language: nothing tells which a person at nc reads (they can /lang).
    for (const line of greeting(name, network, translatorFor(this.host.config.plainText.language), this.host.config.server.casemapping)) this.conn.send(line);
  }

  /** What this connection sent lately: what it may delete without an account (REDACT). */
  get recentSends(): RecentSends {
    return (this.sends ??= new RecentSends());
  }

  /** The capabilities the client enabled. */
  get caps(): ReadonlySet<string> {
    return this.capSet ?? NO_CAPS;
  }

  /** MONITOR list: folded nick → the nick as the client gave it. */
  get monitoring(): Map<string, string> {
    return (this.monitorList ??= new Map());
  }

  /** The folded nicks this session monitors, without making a list for one that has none. */
  monitoredNicks(): Iterable<string> {
    return this.monitorList?.keys() ?? [];
  }

  get registered(): boolean {
    return this.user !== undefined;
  }

  get nickOrStar(): string {
    return this.user?.nick ?? this.nick ?? '*';
  }

  /** The account this connection is logged in to, before or after registration. */
  get account(): string | undefined {
    return this.user ? this.user.account : this.preAccount;
  }

  /** The longest line this server sends, without tags and CR LF (LINELEN - 2). */
  get maxBodyBytes(): number {
    return this.host.limits.lineBytes - 2;
  }

  hasCap(name: string): boolean {
    return this.capSet !== undefined && this.capSet.has(name);
  }

  setCap(name: string, on: boolean): void {
    const caps = (this.capSet ??= new Set());
    if (on) caps.add(name);
    else caps.delete(name);
    this.tagVariant =
      (caps.has('server-time') ? TAGS_SERVER_TIME : 0) |
      (caps.has('message-tags') ? TAGS_MESSAGE_TAGS : 0) |
      (caps.has('account-tag') ? TAGS_ACCOUNT : 0);
  }

  /** A line made as text (numerics with the nick joined in, PING): checked here, as no serializer saw it whole. */
  sendLine(line: string): void {
    if (breaksLine(line)) return this.dropUnsafeLine(new UnsafeLineError('line', JSON.stringify(line.slice(0, 120))));
    this.sendSerialized(line);
  }

  /**
   * Lines made as text (the welcome burst): one check of them all and one piece of output,
   * rather than a scan and a queued string each. Should one break a line, each is checked on
   * its own, so that only that one is dropped.
   */
  sendLines(lines: readonly string[]): void {
    if (this.plain || this.conn.sendLines === undefined || breaksLine(lines.join(''))) {
      for (const line of lines) this.sendLine(line);
      return;
    }
    this.conn.sendLines(lines);
  }

  /** A line the serializer made (and so checked): sent without a second scan. */
  sendSerialized(line: string): void {
    if (this.plain) return this.sendPlain(line);
    this.conn.send(line);
  }

  /** A message shared with other recipients: its bytes are encoded once for all. */
  sendOutgoing(out: Outgoing): void {
    try {
      if (this.plain) return this.sendPlain(out.line(this.tagVariant, undefined, this.maxBodyBytes));
      this.conn.sendPrepared(out.bytes(this.tagVariant, this.maxBodyBytes));
    } catch (err) {
      this.dropUnsafeLine(err);
    }
  }

  /** A message for this client alone. */
  sendReply(out: Outgoing, batch?: string): void {
    const extra = batch === undefined ? undefined : { batch };
    try {
      if (this.plain) return this.sendPlain(out.line(this.tagVariant, extra, this.maxBodyBytes));
      this.conn.send(out.line(this.tagVariant, extra, this.maxBodyBytes));
    } catch (err) {
      this.dropUnsafeLine(err);
    }
  }

  /**
   * A line that would hold CR, LF or NUL is never sent: it could forge lines of its own. It is
   * a programming error, logged once however many recipients the message had.
   */
  dropUnsafeLine(err: unknown): void {
    if (!(err instanceof UnsafeLineError)) throw err;
    if (err.reported) return;
    err.reported = true;
    this.host.logError(err, 'sending a line');
  }

  /** An IRC line rendered for a person reading plain text. */
  private sendPlain(wire: string): void {
    for (const text of this.plain!.renderLines(wire, this.nickOrStar, this.host.now())) this.conn.send(text);
  }

  /**
   * Sends a room's replayed history (`send`): to a person at nc it stands between an "earlier
   * messages" line and a "now" line, so that it does not read as being said now.
   */
  replayHistory(room: string, send: () => void): void {
    if (!this.plain) return send();
    this.conn.send(this.plain.replayStart(room));
    send();
    this.conn.send(this.plain.replayEnd());
  }

  /** A numeric straight to this client, outside of any command. */
  numeric(code: string, params: string[]): void {
    this.sendReply(new Outgoing(this.host.serverName, code, [this.nickOrStar, ...params], this.host.now()));
  }

  /** A notice from the server to this client, outside of any command. */
  serverNotice(text: string): void {
    this.sendReply(new Outgoing(this.host.serverName, 'NOTICE', [this.nickOrStar, text], this.host.now()));
  }

  nextBatchId(): string {
    return `b${(++this.batchCounter).toString(36)}`;
  }

  /** Close with `ERROR :Closing Link…`; the quit reaches others through sessionClosed. */
  disconnect(reason: string): void {
    this.close(reason, `ERROR :Closing Link: ${this.user?.hostname ?? this.conn.remoteAddress} (${reason})`);
  }

  /** Close after a last line (ERROR …), rendered for a plain-text user. */
  close(reason: string, lastLine: string): void {
    if (this.plain) {
      const text = lastLine.split('\r\n').flatMap((l) => this.plain!.renderLines(l, this.nickOrStar, this.host.now()));
      this.conn.close(reason, text.join('\r\n'));
      return;
    }
    this.conn.close(reason, lastLine);
  }

  onLine(line: string, bytes: number): void {
    // One clock read per line: the flood bucket takes the same time (a read costs ~0.1–0.2 µs here).
    const now = (this.lastActivity = this.host.now());
    this.pingSentAt = 0;
    if (this.backlog !== undefined && this.backlog.length > 0) {
      this.queue(line, bytes);
      return;
    }
    if (this.busy || this.admitDelay(line, now) > 0) {
      this.queue(line, bytes);
      this.drainBacklog();
      return;
    }
    this.handle(line, bytes);
  }

  /** Holds a line back; a client that piles up more than the receive queue is dropped. */
  private queue(line: string, bytes: number): void {
    this.backlogBytes += bytes;
    if (this.backlogBytes > this.host.floodSettings.recvQueueBytes) {
      this.backlog = undefined;
      this.backlogBytes = 0;
      this.floodTimer?.cancel();
      this.disconnect('Excess Flood');
      return;
    }
    (this.backlog ??= []).push(line);
  }

  /** 0 when the client may run a command now (a token is taken), else ms until it may. */
  private floodDelay(now: number): number {
    const settings = this.host.floodSettings;
    if (settings.exemptOpers && this.user?.hasMode('o')) return 0;
    return (this.bucket ??= new TokenBucket(settings, now)).take(settings, now);
  }

  /** 0 when `line` may run now, else ms until it may; a line of the open multiline batch is charged, never held (isLineOfOpenBatch). */
  private admitDelay(line: string, now: number): number {
    if (!isLineOfOpenBatch(this.multilineBatch, line)) return this.floodDelay(now);
    this.chargeFlood(1, now);
    return 0;
  }

  private chargeFlood(count: number, now: number): void {
    const settings = this.host.floodSettings;
    if (settings.exemptOpers && this.user?.hasMode('o')) return;
    (this.bucket ??= new TokenBucket(settings, now)).charge(count, settings, now);
  }

  /** Runs held-back lines in order, as far as async work and flood control allow. */
  private drainBacklog(): void {
    while (this.backlog !== undefined && this.backlog.length > 0 && !this.busy && !this.conn.closed) {
      if (this.floodTimer !== undefined) return;
      const wait = this.admitDelay(this.backlog[0]!, this.host.now());
      if (wait > 0) {
        this.floodTimer = this.host.setTimeout(() => {
          this.floodTimer = undefined;
          this.drainBacklog();
        }, wait);
        return;
      }
      const line = this.backlog.shift()!;
      const bytes = Buffer.byteLength(line);
      this.backlogBytes -= bytes;
      this.handle(line, bytes);
    }
  }

  onClose(reason: string): void {
    this.greetTimer?.cancel();
    this.floodTimer?.cancel();
    this.floodTimer = undefined;
    this.nickGuard?.timer.cancel();
    this.nickGuard = undefined;
    this.backlog = undefined;
    this.host.sessionClosed(this, reason);
  }

  private handle(line: string, bytes: number): void {
    if (this.mode !== 'irc' && this.decideMode(line) === 'plain') {
      // A person does not count bytes: a long line is said as several messages (PlainTextView),
      // up to plainText.maxLineBytes.
      const max = this.host.config.plainText.maxLineBytes;
      if (bytes > max) return this.conn.send(this.plain!.inputTooLong(max));
      return this.handlePlain(line);
    }
    // An IRC line: at most 512 bytes, and its tags within theirs. Only a line longer than the
    // smaller limit can break either, so most lines skip the scan.
    const limits = this.host.limits;
    if (bytes > Math.min(limits.lineBytes - 2, limits.clientTagBytes + 1) && isLineTooLong(line, bytes, limits)) {
      this.refuse(findLabel(line), ERR_INPUTTOOLONG, [this.nickOrStar, 'Input line was too long']);
      return;
    }
    let msg: IrcMessage;
    try {
      msg = parseLine(line);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      if (err.code === 'EMPTY_LINE') return;
      if (err.code === 'INVALID_COMMAND') {
        this.refuse(findLabel(line), ERR_UNKNOWNCOMMAND, [this.nickOrStar, shownCommand(err.command ?? ''), 'Unknown command']);
      } else {
        this.refuse(findLabel(line), 'FAIL', ['*', 'INVALID_MESSAGE', err.message]);
      }
      return;
    }
    this.run(msg);
  }

  /**
   * The reply to a line refused before any command saw it. IRCv3 labeled-response: every
   * response to a labelled line carries the label, so the client's, read leniently from the
   * refused line by the caller, goes on it when the client negotiated the capability.
   */
  private refuse(label: string | undefined, command: string, params: string[]): void {
    const replyLabel = label !== undefined && this.hasCap('labeled-response') ? label : undefined;
    const rb = new ResponseBuffer(this, this.host.serverName, () => this.host.now(), replyLabel);
    rb.server(command, params);
    rb.flush();
    // It may have been a line of an open multiline batch: the batch fails (commands/multiline.ts).
    const lost = failBatchOfLostLine(this);
    if (lost) {
      const batchRb = new ResponseBuffer(this, this.host.serverName, () => this.host.now(), lost.label);
      batchRb.server('FAIL', ['BATCH', 'MULTILINE_INVALID', 'A line of the multiline batch was refused, so the batch is dropped']);
      batchRb.flush();
    }
  }

  /** Runs one command, holding later input back while an async handler works. */
  private run(msg: IrcMessage): void {
    this.commandCount++;
    let pending: void | Promise<void>;
    try {
      pending = this.host.dispatch(this, msg);
    } catch (err) {
      this.host.logError(err, `command ${msg.command}`);
      return;
    }
    if (pending) {
      this.busy = true;
      this.conn.pause();
      pending
        .catch((err: unknown) => this.host.logError(err, `command ${msg.command}`))
        .finally(() => {
          this.busy = false;
          this.conn.resume();
          this.drainBacklog();
        });
    }
  }

  private decideMode(line: string): 'irc' | 'plain' {
    if (this.mode === 'unknown') {
      this.greetTimer?.cancel();
      this.greetTimer = undefined;
      if (!this.host.config.plainText.enabled || looksLikeIrc(line, (verb) => COMMANDS.has(verb))) {
        this.mode = 'irc';
      } else {
        this.mode = 'plain';
        const { defaultRoom, language } = this.host.config.plainText;
        this.plain = new PlainTextView(defaultRoom, translatorFor(language), this.host.config.server.casemapping, this.host.limits.nickLength);
        // A person is shown each line's own time (server-time), a replayed one's too, not the
        // time it reached them.
        this.tagVariant = TAGS_SERVER_TIME;
        // No PING reaches a person, so the OS finds out a vanished nc for us.
        const { keepAliveMs } = this.host.config.plainText;
        if (keepAliveMs > 0) this.conn.keepAlive(keepAliveMs);
        if (!this.greeted) this.greet();
      }
    }
    return this.mode === 'plain' ? 'plain' : 'irc';
  }

  /** A line typed by a person: their commands run as IRC commands would. */
  private handlePlain(line: string): void {
    const wasRegistered = this.registered;
    const result = this.plain!.input(line, this.user?.nick);
    for (const text of result.reply ?? []) this.conn.send(text);
    // A long line said as several messages costs what they would, as if typed one by one.
    const extra = (result.commands ?? []).filter((m) => m.command === 'PRIVMSG' || m.command === 'NOTICE').length - 1;
    if (extra > 0) this.chargeFlood(extra, this.host.now());
    // A new try at a nickname brings its own USER: the username follows the nick finally taken.
    if (!wasRegistered && result.commands?.some((m) => m.command === 'USER')) this.username = undefined;
    for (const msg of result.commands ?? []) {
      if (this.conn.closed) return;
      this.run(msg);
    }
    if (!wasRegistered && this.registered) for (const msg of this.plain!.afterWelcome()) this.run(msg);
  }

  onFramingError(error: FramingError, label?: string): void {
    this.lastActivity = this.host.now();
    if (error === 'line-too-long') {
      // A person is told in their language, with the limit: they pasted too much, they did not err in IRC.
      if (this.plain) return this.conn.send(this.plain.inputTooLong(this.host.config.plainText.maxLineBytes));
      this.refuse(label, ERR_INPUTTOOLONG, [this.nickOrStar, 'Input line was too long']);
      return;
    }
    const [code, text] = FRAMING_REPLIES[error];
    this.refuse(label, 'FAIL', ['*', code, text]);
  }
}
