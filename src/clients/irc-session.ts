// The IRC client core shared by the terminal and browser clients, with no UI and nothing of
// Node or the DOM: it connects (through the Connector it is given), negotiates capabilities,
// logs in (PASS, or SASL: sasl-login.ts), registers (falling back to nick_ and nick__ when the nick is
// taken), answers PING, keeps the chat model up to date, carries out what the user typed, and
// reconnects with exponential backoff, rejoining its rooms, when the connection drops; not
// after a refusal, a kill or a ban. Views subscribe to 'change' (redraw) and 'line' (each new
// line). A client with more to do (the browser's history and typing) extends intercept().
import { foldCase } from '../protocol/casemapping.ts';
import { parseLine, type IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import { parseInput, type CommandContext, type Effect } from './commands.ts';
import type { ClientLink } from './dialer.ts';
import { applyEffect, say, type EffectHost } from './effects.ts';
import { closingReason, formatDelay, usernameFrom } from './connection-text.ts';
import { saslMechanismsIn, SaslLoginExchange, saslUsable, type SaslOutcome } from './sasl-login.ts';
import { Emitter } from './emitter.ts';
import { applyMessage, newInboundState, type InboundState } from './inbound.ts';
import { botRequests } from './bots.ts';
import { ChatModel, type ChatBuffer, type ChatLine, type ConnectionStatus } from './model.ts';
import { QueryMonitor } from './query-presence.ts';
import { MultilineAssembler } from './multiline.ts';
import { WANTED_CAPS, type SessionOptions } from './session-options.ts';
import { ReadMarkers } from './read-markers.ts';
import { KeepAlive } from './keep-alive.ts';

export { WANTED_CAPS, type SaslLogin, type SessionOptions } from './session-options.ts';

type SessionEvents = {
  change: [];
  line: [buffer: ChatBuffer, line: ChatLine];
  registered: [];
  /** The client has stopped for good (after /quit, or a connection lost without reconnecting). */
  closed: [];
};

export class IrcSession extends Emitter<SessionEvents> {
  readonly model: ChatModel;
  /** Capabilities in force on this connection. */
  readonly caps = new Set<string>();
  /** The account logged in to (RPL_LOGGEDIN), if any. */
  account: string | undefined;
  /** Why the client stopped on its own (refused nick or password, killed, banned), if it did. */
  failure: string | undefined;
  private link: ClientLink | undefined;
  private readonly inbound: InboundState = newInboundState();
  /** MONITOR of the open queries' nicks, for their presence. */
  private readonly queryMonitor = new QueryMonitor();
  /** IRCv3 multiline batches being received, handed on whole (multiline.ts). */
  private readonly multiline = new MultilineAssembler();
  private nickAttempt = 0;
  /** The longest nick the server took, once one was refused as too long. */
  private nickLimit = Infinity;
  /** CAP LS entries as offered (`sasl=PLAIN,EXTERNAL`). */
  private capsOffered: string[] = [];
  private capNegotiating = false;
  private registrationSent = false;
  /** A SASL login is under way (between CAP LS and 903/904), and its exchange once the sasl capability is acknowledged. */
  private saslPending = false;
  private saslLogin: SaslLoginExchange | undefined;
  /** The reason in the server's ERROR line, which comes just before it closes the connection. */
  private serverError: string | undefined;
  /** Rooms to join again after reconnecting, with their keys. */
  private readonly rejoin = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  /** What the user asked of the server before registration ended: carried out after it. */
  private pending: Effect[] = [];
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly keepAlive: KeepAlive;
  private stopping = false;
  private lastVersion = -1;
  /** draft/read-marker: what the user has read, told to the server (read-markers.ts). */
  private readonly readMarkers: ReadMarkers;
  /** The user can see the current buffer (the web: the page is shown); what is in view then counts as read. */
  reading = true;

  constructor(private readonly settings: SessionOptions) {
    super();
    this.model = new ChatModel(settings.serverName, settings.scrollback);
    this.model.nick = settings.nick;
    if (settings.language) this.model.language = settings.language;
    if (settings.dateLocale) this.model.dateLocale = settings.dateLocale;
    this.model.onLine = (buffer, line) => this.emit('line', buffer, line);
    this.keepAlive = new KeepAlive(
      settings.pingIntervalMs ?? 90_000,
      () => this.send('PING :keepalive'),
      () => {
        this.model.note(this.model.t('client.session.noAnswer'), 'error', this.model.server);
        this.link?.close();
      },
    );
    this.readMarkers = new ReadMarkers((line) => this.send(line), (name) => this.caps.has(name), settings.readMarkerIntervalMs);
  }

  get registered(): boolean {
    return this.model.status === 'registered';
  }

  /** Connects; the rest is told through events. */
  start(): void {
    this.stopping = false;
    this.connect();
  }

  /** Resolves once registered (at once if already). */
  waitRegistered(): Promise<void> {
    if (this.registered) return Promise.resolve();
    return new Promise((resolve) => this.once('registered', resolve));
  }

  /** A subclass's own handling of a message, before the core's; false keeps it from being handled or shown. */
  protected intercept(_msg: IrcMessage): boolean {
    return true;
  }

  /** A subclass forgets what belonged to the connection that just closed. */
  protected disconnected(): void {}

  private connect(): void {
    this.reconnectTimer = undefined;
    this.setStatus('connecting');
    this.model.note(this.model.t('client.session.connecting', { address: this.settings.address }), 'info', this.model.server);
    this.changed();
    this.link = this.settings.connect({
      onOpen: () => this.onOpen(),
      onLine: (line) => this.onLine(line),
      onFramingError: (error) => {
        this.model.note(this.model.t('client.session.unreadableLine', { error: String(error) }), 'error', this.model.server);
        this.changed();
      },
      // The dialer's own words in the user's language; the system's or the server's as they are.
      onClose: (reason, cause) => this.onClose(cause === undefined ? reason : this.model.t(`client.closed.${cause.kind}`, cause.kind === 'timedOutAfter' ? { seconds: cause.seconds } : {})),
    });
  }

  private onOpen(): void {
    this.setStatus('registering');
    this.caps.clear();
    this.capsOffered = [];
    this.capNegotiating = true;
    this.registrationSent = false;
    this.saslPending = false;
    this.saslLogin = undefined;
    this.readMarkers.reset();
    this.multiline.clear();
    this.serverError = undefined;
    this.account = undefined;
    this.nickAttempt = 0;
    this.model.nick = this.settings.nick;
    this.send('CAP LS 302');
    // Whether a fallback password goes as PASS depends on the CAP LS reply.
    if (!this.settings.sasl?.passFallback) this.register(this.settings.password);
    this.keepAlive.arm();
    this.changed();
  }

  private register(pass: string | undefined): void {
    if (this.registrationSent) return;
    this.registrationSent = true;
    const nick = this.settings.nick;
    if (pass !== undefined) this.send(`PASS :${pass}`);
    this.send(`NICK ${nick}`);
    this.send(`USER ${this.settings.username ?? usernameFrom(nick)} 0 * :${this.settings.realname ?? 'Parlor chat'}`);
  }

  private onLine(line: string): void {
    this.keepAlive.arm();
    let msg: IrcMessage;
    try {
      msg = parseLine(line);
    } catch {
      return; // not a message: nothing to show
    }
    const whole = this.multiline.take(msg);
    if (whole === undefined) return;
    msg = whole;
    if (this.intercept(msg)) {
      const shown = this.handle(msg);
      if (shown && !this.queryMonitor.follow(this.model, msg)) applyMessage(this.model, msg, this.inbound);
      for (const request of botRequests(this.model, msg, this.settings.bot === true)) this.send(request);
    }
    this.changed();
  }

  /** What the connection itself does with a message, before it is shown; false: not shown. */
  private handle(msg: IrcMessage): boolean {
    switch (msg.command) {
      case 'PING':
        this.send(`PONG :${msg.params[0] ?? ''}`);
        break;
      case 'ERROR':
        this.serverError = closingReason(msg.params[0] ?? '');
        break;
      case 'CAP':
        this.onCap(msg);
        break;
      case 'AUTHENTICATE':
      case N.RPL_SASLMECHS:
      case N.RPL_SASLSUCCESS:
      case N.ERR_SASLFAIL:
      case N.ERR_SASLTOOLONG:
      case N.ERR_SASLABORTED:
        if (this.saslPending) return this.onSaslOutcome(this.saslLogin?.onReply(msg, this.model.t));
        break;
      case N.RPL_LOGGEDIN:
        this.account = msg.params[2];
        break;
      case N.RPL_WELCOME:
        this.onWelcome(msg);
        break;
      case N.ERR_NICKNAMEINUSE:
      case N.ERR_ERRONEUSNICKNAME:
      case N.ERR_NICKCHANGEFORBIDDEN:
        if (!this.registered) this.nextNick(msg);
        break;
      case N.ERR_PASSWDMISMATCH:
      case N.ERR_YOUREBANNEDCREEP:
        this.giveUp(msg.params.at(-1) ?? 'Refused');
        break;
      case N.ERR_UNKNOWNCOMMAND:
        // A server without CAP: registration goes on without capabilities.
        if (msg.params[1] === 'CAP') {
          this.capNegotiating = false;
          this.register(this.settings.sasl?.passFallback ? this.settings.sasl.password : this.settings.password);
        }
        break;
    }
    return true;
  }

  private onCap(msg: IrcMessage): void {
    const [, sub = '', ...rest] = msg.params;
    const list = (rest.at(-1) ?? '').split(' ').filter((c) => c !== '');
    const names = list.map((c) => c.replace(/^-/, '').split('=')[0]!);
    const wantedCaps = [...WANTED_CAPS, ...(this.settings.caps ?? [])];
    switch (sub.toUpperCase()) {
      case 'LS': {
        this.capsOffered.push(...list);
        if (rest[0] === '*' && rest.length > 1) return; // more LS lines follow
        const offered = this.capsOffered.map((c) => c.split('=')[0]!);
        const wanted = wantedCaps.filter((c) => offered.includes(c));
        const sasl = this.settings.sasl;
        if (sasl && !this.registered) {
          this.saslPending = saslUsable(saslMechanismsIn(this.capsOffered));
          if (this.saslPending) wanted.push('sasl');
          else if (!sasl.passFallback) this.model.note(this.model.t('client.session.noSasl'), 'error', this.model.server);
          if (sasl.passFallback) this.register(this.saslPending ? this.settings.password : sasl.password);
        }
        if (wanted.length > 0) this.send(`CAP REQ :${wanted.join(' ')}`);
        else this.endCap();
        return;
      }
      case 'ACK':
        for (const c of list) {
          if (c.startsWith('-')) this.caps.delete(c.slice(1));
          else this.caps.add(c.split('=')[0]!);
        }
        // Registration waits for the login: CAP END comes after 903 (or its failure).
        if (this.saslPending && this.caps.has('sasl') && !this.registered) {
          // A reply computed after this connection closed is not sent on the next one.
          const login: SaslLoginExchange = new SaslLoginExchange(this.settings.sasl!, saslMechanismsIn(this.capsOffered), (line) => this.saslLogin === login && this.send(line));
          (this.saslLogin = login).start();
        } else this.endCap();
        return;
      case 'NAK':
        if (this.saslPending) this.saslFailed(this.model.t('client.session.saslRefused'));
        else this.endCap();
        return;
      case 'NEW': {
        const wanted = wantedCaps.filter((c) => names.includes(c) && !this.caps.has(c));
        if (wanted.length > 0) this.send(`CAP REQ :${wanted.join(' ')}`);
        return;
      }
      case 'DEL':
        for (const c of names) this.caps.delete(c);
        return;
    }
  }

  /** False for the failure of a SCRAM attempt that PLAIN now follows: not worth showing. */
  private onSaslOutcome(outcome: SaslOutcome): boolean {
    if (outcome === 'retrying') return false;
    if (outcome === 'success') {
      this.saslPending = false;
      this.endCap();
    } else if (outcome?.untrusted) this.giveUp(this.model.t('client.session.loginFailed', { reason: outcome.reason }));
    else if (outcome) this.saslFailed(outcome.reason);
    return true;
  }

  private saslFailed(reason: string): void {
    this.saslPending = false;
    this.saslLogin = undefined;
    // A wrong account password: when the login was the point, reconnecting would only fail again.
    if (this.settings.sasl?.required) {
      this.giveUp(this.model.t('client.session.loginFailed', { reason }));
      return;
    }
    this.model.note(this.model.t('client.session.notLoggedIn', { reason }), 'error', this.model.server);
    this.endCap();
  }

  private endCap(): void {
    if (!this.capNegotiating) return;
    this.capNegotiating = false;
    this.send('CAP END');
  }

  private onWelcome(msg: IrcMessage): void {
    this.capNegotiating = false;
    this.model.nick = msg.params[0] ?? this.model.nick;
    this.setStatus('registered');
    this.attempt = 0;
    // Rooms we were in before the connection dropped, and rooms asked for meanwhile.
    for (const [room, key] of this.rejoin) this.send(`JOIN ${room}${key ? ` ${key}` : ''}`);
    this.rejoin.clear();
    const pending = this.pending;
    this.pending = [];
    for (const e of pending) this.apply(e);
    this.emit('registered');
  }

  /**
   * During registration a taken nick is replaced: nick_, nick__, then nick and digits. A
   * replacement refused as erroneous (432) is taken to be too long (NICKLEN is not known
   * before the welcome), and the next ones are cut to fit.
   */
  private nextNick(msg: IrcMessage): void {
    const base = this.settings.nick;
    const attempt = ++this.nickAttempt;
    // A nick the server finds invalid (432) will not become valid with a '_' added.
    if ((msg.command === N.ERR_ERRONEUSNICKNAME && attempt === 1) || attempt > 6) {
      this.giveUp(this.model.t('client.session.nickRefused', { nick: msg.params[1] ?? base, reason: msg.params.at(-1) ?? '' }));
      return;
    }
    if (msg.command === N.ERR_ERRONEUSNICKNAME) this.nickLimit = Math.min(this.nickLimit, this.model.nick.length - 1);
    const suffix = attempt <= 2 ? '_'.repeat(attempt) : String(100 + Math.floor(Math.random() * 900));
    const nick = base.slice(0, Math.max(1, this.nickLimit - suffix.length)) + suffix;
    this.model.nick = nick;
    this.model.note(this.model.t('client.session.tryingNick', { nick }), 'info', this.model.server);
    this.send(`NICK ${nick}`);
  }

  /** Stops without reconnecting: trying again would only fail the same way. */
  private giveUp(reason: string): void {
    this.failure = reason;
    this.model.note(reason, 'error', this.model.server);
    void this.quit();
  }

  private onClose(reason: string): void {
    this.keepAlive.stop();
    this.link = undefined;
    const serverError = this.serverError;
    this.serverError = undefined;
    if (serverError !== undefined) reason = serverError;
    // Killed or banned by an operator: coming straight back would be refused or rude, so stop
    // and say why (the browser shows `failure` on its connect screen).
    const thrownOut = !this.stopping && serverError !== undefined && /^(Killed|Banned|K-?Lined)\b/i.test(serverError);
    if (thrownOut) {
      this.failure = this.model.t('client.session.disconnectedByServer', { reason: serverError });
      this.stopping = true;
    }
    for (const b of this.model.buffers) {
      if (b.kind !== 'room') continue;
      if (b.joined) this.rejoin.set(b.name, this.keys.get(b.key) ?? '');
      b.joined = false;
      b.members.clear();
    }
    this.inbound.namesPending.clear();
    this.inbound.namesRequested.clear();
    this.inbound.linksPending.length = 0;
    this.caps.clear();
    this.queryMonitor.reset(this.model);
    this.disconnected();
    this.model.note(this.model.t('client.session.disconnected', { reason }), this.stopping && !thrownOut ? 'info' : 'error', this.model.server);
    if (this.stopping || this.settings.reconnect === false) {
      this.setStatus('closed');
      this.changed();
      this.emit('closed');
      return;
    }
    this.setStatus('disconnected');
    // The first retry after a working connection comes soon; failed retries back off.
    const base = this.settings.reconnectBaseMs ?? 1000;
    const delay = Math.min(base * 2 ** this.attempt, this.settings.reconnectMaxMs ?? 30_000);
    this.attempt++;
    this.model.note(this.model.t('client.session.reconnecting', { delay: formatDelay(delay, this.model.t) }), 'info', this.model.server);
    this.changed();
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Sends a raw line; false when there is no connection. */
  send(line: string): boolean {
    if (!this.link) return false;
    this.link.send(line);
    return true;
  }

  /** Carries out a typed line in the context of the current buffer (or `ctx`). */
  input(text: string, ctx?: CommandContext): void {
    const current = this.model.current;
    this.execute(parseInput(text, ctx ?? { target: current.kind === 'server' ? undefined : current.name, chanTypes: this.model.chanTypes, t: this.model.t }));
  }

  execute(effects: Effect[]): void {
    for (const effect of effects) this.apply(effect);
    this.changed();
  }

  private apply(e: Effect): void {
    applyEffect(this.effectHost, e);
  }

  /** PRIVMSG/NOTICE, cut to fit a line, echoed locally unless the server does (echo-message). */
  say(target: string, text: string, style: 'message' | 'action' | 'notice' = 'message'): void {
    say(this.effectHost, target, text, style);
  }

  /** A capability's value as the server offered it in CAP LS (`max-bytes=4096,…`). */
  capValue(name: string): string | undefined {
    return this.capsOffered.find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);
  }

  /** What the shared effects (effects.ts) need of this client. */
  private get effectHost(): EffectHost {
    return {
      model: this.model,
      inbound: this.inbound,
      pending: this.pending,
      registered: this.registered,
      hasCap: (name) => this.caps.has(name),
      capValue: (name) => this.capValue(name),
      send: (line) => this.send(line),
      quit: (reason) => void this.quit(reason),
      forgetRoom: (name) => this.rejoin.delete(name),
      rememberKey: (room, key) => this.keys.set(foldCase(room), key),
    };
  }

  /** Sends QUIT and stops for good; resolves once the connection has closed. */
  quit(reason = ''): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    this.keepAlive.stop();
    const closed = new Promise<void>((resolve) => this.once('closed', resolve));
    if (this.link) {
      this.setStatus('quitting');
      this.send(`QUIT${reason ? ` :${reason}` : ''}`);
      this.link.close();
    } else if (this.model.status !== 'closed') {
      this.setStatus('closed');
      this.changed();
      this.emit('closed');
    } else {
      return Promise.resolve();
    }
    return closed;
  }

  private setStatus(status: ConnectionStatus): void {
    // A QUIT sent before the welcome: the registration that still completes does not undo it
    // (the server's closing ERROR is then the expected goodbye, not an error).
    if (this.stopping && this.model.status === 'quitting' && status !== 'closed') return;
    this.model.status = status;
    this.model.touch();
  }

  /** Tells views about changes since the last time. */
  changed(): void {
    // A query opened or closed (a line, a command, a click): the server's MONITOR list follows.
    for (const line of this.queryMonitor.sync(this.model, this.registered)) this.send(line);
    if (this.model.version === this.lastVersion) return;
    this.lastVersion = this.model.version;
    this.markRead();
    this.emit('change');
  }

  /** Tells the server how far the user has read (draft/read-marker): the buffer in view, when in view. */
  markRead(): void {
    if (!this.registered) return;
    this.readMarkers.askQueries(this.model.buffers);
    if (this.reading) this.readMarkers.read(this.model.current);
  }

  /** Buffer moves made by the UI (keys, clicks), which redraw at once. */
  select(key: string): void {
    this.model.select(key);
    this.changed();
  }

  cycle(delta: number): void {
    this.model.cycle(delta);
    this.changed();
  }

  selectNumber(n: number): void {
    if (this.model.selectNumber(n)) this.changed();
  }
}
