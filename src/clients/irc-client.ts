// The IRC client core, with no UI: it connects (through src/transport/client.ts), negotiates
// capabilities, registers (falling back to nick_ and nick__ when the nick is taken), answers
// PING, keeps the chat model up to date, carries out what the user typed, and reconnects
// with exponential backoff, rejoining its rooms, when the connection drops. Views subscribe
// to 'change' (redraw) and 'line' (each new line, for line mode).
import { EventEmitter } from 'node:events';
import { foldCase } from '../protocol/casemapping.ts';
import { parseLine, type IrcMessage } from '../protocol/message.ts';
import * as N from '../protocol/numerics.ts';
import { dialIrc, type ClientLink, type Dialer } from '../transport/client.ts';
import { parseInput, type CommandContext, type Effect } from './commands.ts';
import { applyMessage, newInboundState, type InboundState } from './inbound.ts';
import { ChatModel, type ChatBuffer, type ChatLine, type ConnectionStatus } from './model.ts';
import { applyEffect, saslPlainLines, say, type EffectHost } from './effects.ts';

/** The capabilities used when the server offers them. */
export const WANTED_CAPS = ['server-time', 'message-tags', 'echo-message', 'multi-prefix', 'away-notify', 'batch', 'setname', 'cap-notify'];

export interface IrcClientOptions {
  host: string;
  port: number;
  tls?: boolean;
  tlsInsecure?: boolean;
  /** PEM certificates to trust besides the system's (a server's self-signed certificate). */
  tlsCa?: string | Buffer;
  nick: string;
  username?: string;
  realname?: string;
  /** Sent with PASS before registering. */
  password?: string;
  /** Log in to an account with SASL PLAIN when the server offers it. */
  sasl?: { account: string; password: string };
  /** Reconnect after a dropped connection (default true). */
  reconnect?: boolean;
  /** First reconnect delay, doubled after each failure (default 1 s)… */
  reconnectBaseMs?: number;
  /** …up to this (default 30 s). */
  reconnectMaxMs?: number;
  /** Silence after which the server is pinged, and after as much again the link dropped (default 90 s). */
  pingIntervalMs?: number;
  scrollback?: number;
  dial?: Dialer;
}

interface ClientEvents {
  change: [];
  line: [buffer: ChatBuffer, line: ChatLine];
  registered: [];
  /** The client has stopped for good (after /quit, or a connection lost without reconnecting). */
  closed: [];
}

export class IrcClient extends EventEmitter<ClientEvents> {
  readonly model: ChatModel;
  /** Capabilities in force on this connection. */
  readonly caps = new Set<string>();
  private link: ClientLink | undefined;
  private readonly inbound: InboundState = newInboundState();
  private readonly dial: Dialer;
  private nickAttempt = 0;
  /** The longest nick the server took, once one was refused as too long. */
  private nickLimit = Infinity;
  private capsOffered: string[] = [];
  private capNegotiating = false;
  /** Rooms to join again after reconnecting, with their keys. */
  private readonly rejoin = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  /** What the user asked of the server before registration ended: carried out after it. */
  private pending: Effect[] = [];
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private stopping = false;
  private lastVersion = -1;
  /** Why the client stopped on its own (refused nick or password), if it did. */
  failure: string | undefined;

  constructor(readonly options: IrcClientOptions) {
    super();
    this.model = new ChatModel(options.host, options.scrollback);
    this.model.nick = options.nick;
    this.model.onLine = (buffer, line) => this.emit('line', buffer, line);
    this.dial = options.dial ?? dialIrc;
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

  private connect(): void {
    this.reconnectTimer = undefined;
    const { host, port } = this.options;
    this.setStatus('connecting');
    this.model.note(`Connecting to ${host}:${port}${this.options.tls ? ' (TLS)' : ''}…`, 'info', this.model.server);
    this.changed();
    this.link = this.dial(
      { host, port, tls: this.options.tls, tlsInsecure: this.options.tlsInsecure, tlsCa: this.options.tlsCa },
      {
        onOpen: () => this.onOpen(),
        onLine: (line) => this.onLine(line),
        onFramingError: (error) => {
          this.model.note(`Unreadable line from the server (${error})`, 'error', this.model.server);
          this.changed();
        },
        onClose: (reason) => this.onClose(reason),
      },
    );
  }

  private onOpen(): void {
    this.setStatus('registering');
    this.caps.clear();
    this.capsOffered = [];
    this.capNegotiating = true;
    this.nickAttempt = 0;
    const nick = this.options.nick;
    this.model.nick = nick;
    this.send('CAP LS 302');
    if (this.options.password !== undefined) this.send(`PASS :${this.options.password}`);
    this.send(`NICK ${nick}`);
    this.send(`USER ${this.options.username ?? usernameFrom(nick)} 0 * :${this.options.realname ?? 'Parlor chat'}`);
    this.armPing();
    this.changed();
  }

  private onLine(line: string): void {
    this.armPing();
    let msg: IrcMessage;
    try {
      msg = parseLine(line);
    } catch {
      return; // not a message: nothing to show
    }
    this.handle(msg);
    applyMessage(this.model, msg, this.inbound);
    this.changed();
  }

  /** What the connection itself does with a message, before it is shown. */
  private handle(msg: IrcMessage): void {
    switch (msg.command) {
      case 'PING':
        this.send(`PONG :${msg.params[0] ?? ''}`);
        break;
      case 'CAP':
        this.onCap(msg);
        break;
      case 'AUTHENTICATE':
        if (msg.params[0] === '+' && this.options.sasl) this.sendSaslPlain(this.options.sasl);
        break;
      case N.RPL_SASLSUCCESS:
        this.endCap();
        break;
      case N.ERR_SASLFAIL:
      case N.ERR_SASLTOOLONG:
      case N.ERR_SASLABORTED:
        this.model.note(`Not logged in: ${msg.params.at(-1) ?? 'SASL failed'}`, 'error', this.model.server);
        this.endCap();
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
        this.giveUp(`${msg.params.at(-1) ?? 'Refused'}`);
        break;
      case N.ERR_UNKNOWNCOMMAND:
        // A server without CAP: registration goes on without capabilities.
        if (msg.params[1] === 'CAP') this.capNegotiating = false;
        break;
    }
  }

  private onCap(msg: IrcMessage): void {
    const [, sub = '', ...rest] = msg.params;
    const list = (rest[rest.length - 1] ?? '').split(' ').filter((c) => c !== '');
    const names = list.map((c) => c.replace(/^-/, '').split('=')[0]!);
    switch (sub.toUpperCase()) {
      case 'LS': {
        this.capsOffered.push(...names);
        if (rest[0] === '*' && rest.length > 1) return; // more LS lines follow
        const wanted = WANTED_CAPS.filter((c) => this.capsOffered.includes(c));
        if (this.options.sasl) {
          if (this.capsOffered.includes('sasl')) wanted.push('sasl');
          else this.model.note('The server does not offer SASL: not logged in', 'error', this.model.server);
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
        if (this.options.sasl && this.caps.has('sasl') && !this.registered) this.send('AUTHENTICATE PLAIN');
        else this.endCap();
        return;
      case 'NAK':
        this.endCap();
        return;
      case 'NEW': {
        const wanted = WANTED_CAPS.filter((c) => names.includes(c) && !this.caps.has(c));
        if (wanted.length > 0) this.send(`CAP REQ :${wanted.join(' ')}`);
        return;
      }
      case 'DEL':
        for (const c of names) this.caps.delete(c);
        return;
    }
  }

  /** AUTHENTICATE with `\0account\0password` in base64, in 400-byte pieces (IRCv3 SASL). */
  private sendSaslPlain({ account, password }: { account: string; password: string }): void {
    for (const line of saslPlainLines(account, password)) this.send(line);
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
    const base = this.options.nick;
    const attempt = ++this.nickAttempt;
    // A nick the server finds invalid (432) will not become valid with a '_' added.
    if ((msg.command === N.ERR_ERRONEUSNICKNAME && attempt === 1) || attempt > 6) {
      this.giveUp(`The server refused the nick ${msg.params[1] ?? base}: ${msg.params.at(-1) ?? ''}`);
      return;
    }
    if (msg.command === N.ERR_ERRONEUSNICKNAME) this.nickLimit = Math.min(this.nickLimit, this.model.nick.length - 1);
    const suffix = attempt <= 2 ? '_'.repeat(attempt) : String(100 + Math.floor(Math.random() * 900));
    const nick = base.slice(0, Math.max(1, this.nickLimit - suffix.length)) + suffix;
    this.model.nick = nick;
    this.model.note(`Trying the nick ${nick}`, 'info', this.model.server);
    this.send(`NICK ${nick}`);
  }

  /** Stops without reconnecting: trying again would only fail the same way. */
  private giveUp(reason: string): void {
    this.failure = reason;
    this.model.note(reason, 'error', this.model.server);
    void this.quit();
  }

  private armPing(): void {
    clearTimeout(this.pingTimer);
    this.awaitingPong = false;
    const interval = this.options.pingIntervalMs ?? 90_000;
    const fire = (): void => {
      if (this.awaitingPong) {
        this.model.note('The server stopped answering.', 'error', this.model.server);
        this.link?.close();
        return;
      }
      this.awaitingPong = true;
      this.send('PING :keepalive');
      this.pingTimer = setTimeout(fire, interval);
      this.pingTimer.unref();
    };
    this.pingTimer = setTimeout(fire, interval);
    this.pingTimer.unref();
  }

  private onClose(reason: string): void {
    clearTimeout(this.pingTimer);
    this.link = undefined;
    for (const b of this.model.buffers) {
      if (b.kind !== 'room') continue;
      if (b.joined) this.rejoin.set(b.name, this.keys.get(b.key) ?? '');
      b.joined = false;
      b.members.clear();
    }
    this.inbound.namesPending.clear();
    this.caps.clear();
    this.model.note(`Disconnected: ${reason}`, this.stopping ? 'info' : 'error', this.model.server);
    if (this.stopping || this.options.reconnect === false) {
      this.setStatus('closed');
      this.changed();
      this.emit('closed');
      return;
    }
    this.setStatus('disconnected');
    // The first retry after a working connection comes soon; failed retries back off.
    const base = this.options.reconnectBaseMs ?? 1000;
    const delay = Math.min(base * 2 ** this.attempt, this.options.reconnectMaxMs ?? 30_000);
    this.attempt++;
    this.model.note(`Reconnecting in ${formatDelay(delay)}…`, 'info', this.model.server);
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
    this.execute(parseInput(text, ctx ?? { target: current.kind === 'server' ? undefined : current.name, chanTypes: this.model.chanTypes }));
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

  /** What the shared effects (src/clients/effects.ts) need of this client. */
  private get effectHost(): EffectHost {
    return {
      model: this.model,
      inbound: this.inbound,
      pending: this.pending,
      registered: this.registered,
      hasCap: (name) => this.caps.has(name),
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
    clearTimeout(this.pingTimer);
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
    this.model.status = status;
    this.model.touch();
  }

  /** Tells views about changes since the last time. */
  changed(): void {
    if (this.model.version === this.lastVersion) return;
    this.lastVersion = this.model.version;
    this.emit('change');
  }

  /** Buffer moves made by the UI (keys), which redraw at once. */
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

/** A username (ident) made from a nick: letters and digits only, as most servers accept. */
function usernameFrom(nick: string): string {
  return nick.replace(/[^A-Za-z0-9]/g, '').slice(0, 10) || 'parlor';
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
