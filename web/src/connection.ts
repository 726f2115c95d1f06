// The browser's IRC connection: a WebSocket to the Parlor server's /irc endpoint (subprotocol
// text.ircv3.net, one IRC line per text message). It negotiates capabilities, registers,
// answers PING, keeps the shared chat model (src/clients/model.ts, inbound.ts) up to date,
// carries out typed commands (src/clients/commands.ts) and reconnects with backoff,
// rejoining its rooms. Room history comes from draft/chathistory batches. With a password it
// logs in with SASL PLAIN when the server offers it (else sends it as PASS); it sends and
// tracks IRCv3 typing notifications (the +typing client tag on TAGMSG).
import { foldCase } from '../../src/protocol/casemapping.ts';
import { parseLine, type IrcMessage } from '../../src/protocol/message.ts';
import * as N from '../../src/protocol/numerics.ts';
import { parseInput, type Effect } from '../../src/clients/commands.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel, type ChatBuffer } from '../../src/clients/model.ts';
import { mergeHistory } from './history.ts';
import { notifyLine } from './notify.ts';
import { TypingTracker } from './typing.ts';
import { applyEffect, saslPlainLines, say, type EffectHost } from '../../src/clients/effects.ts';

export const WANTED_CAPS = ['server-time', 'message-tags', 'echo-message', 'multi-prefix', 'batch', 'draft/chathistory', 'away-notify'];

export interface ConnectOptions {
  nick: string;
  password?: string | undefined;
  /** Defaults to /irc on the page's own host. */
  url?: string;
}

/** Lines of history asked for at a time. */
const HISTORY_PAGE = 50;
const PING_MS = 60_000;

export function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/irc`;
}

interface OpenBatch {
  type: string;
  target: string;
  messages: IrcMessage[];
}

export class WebClient {
  readonly model = new ChatModel('Parlor');
  readonly caps = new Set<string>();
  /** Rooms whose history has no more lines before the oldest shown. */
  readonly historyDone = new Set<string>();
  private readonly historyLoading = new Set<string>();
  private readonly inbound = newInboundState();
  private readonly listeners = new Set<() => void>();
  private readonly batches = new Map<string, OpenBatch>();
  private readonly rejoin = new Set<string>();
  private ws: WebSocket | undefined;
  private capsOffered: string[] = [];
  private capNegotiating = false;
  private nickAttempt = 0;
  private pending: Effect[] = [];
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private awaitingPong = false;
  private stopping = false;
  /** Set when the server refused us for good (bad password, ban, kill): no reconnecting. */
  failure: string | undefined;
  /** The reason in the server's ERROR line, which comes just before it closes the connection. */
  private serverError: string | undefined;
  /** The account logged in to (RPL_LOGGEDIN), if any. */
  account: string | undefined;
  /** The last LIST answer: rooms with member counts and topics (undefined until asked). */
  roomList: RoomListing[] | undefined;
  /** A LIST is on its way: its 322 lines fill roomList instead of the server buffer. */
  private listing: RoomListing[] | undefined;
  /** A SASL PLAIN login is under way (between CAP REQ sasl and 903/904). */
  private saslPending = false;
  private readonly typists = new TypingTracker(foldCase, () => {
    this.model.touch(); // views redraw on a new model version
    this.changed();
  });

  constructor(readonly options: ConnectOptions) {
    this.model.nick = options.nick;
    this.model.onLine = (buffer, line) => {
      if (line.from !== undefined && (line.kind === 'message' || line.kind === 'action' || line.kind === 'notice')) this.typists.stop(buffer.key, line.from);
      notifyLine(buffer, line, () => this.select(buffer.key));
    };
  }

  /** Called after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  start(): void {
    this.stopping = false;
    this.connect();
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    this.model.status = 'connecting';
    this.model.note('Connecting…', 'info', this.model.server);
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url ?? defaultUrl(), 'text.ircv3.net');
    } catch (error) {
      this.onClose(String(error));
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onOpen();
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') this.onLine(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.onClose(event.reason || (event.wasClean ? 'connection closed' : 'connection lost'));
    };
    this.changed();
  }

  private onOpen(): void {
    this.model.status = 'registering';
    this.caps.clear();
    this.capsOffered = [];
    this.capNegotiating = true;
    this.nickAttempt = 0;
    this.account = undefined;
    this.saslPending = false;
    this.model.nick = this.options.nick;
    this.send('CAP LS 302');
    // With a password, whether it is an account's (SASL) or the server's (PASS) depends on the
    // CAP LS reply, and PASS has to come before NICK and USER: they wait for it.
    if (!this.options.password) this.register();
    this.armPing();
    this.model.touch();
    this.changed();
  }

  private register(pass?: string): void {
    if (pass) this.send(`PASS :${pass}`);
    this.send(`NICK ${this.options.nick}`);
    this.send(`USER ${this.options.nick.replace(/[^A-Za-z0-9]/g, '').slice(0, 10) || 'parlor'} 0 * :Parlor web`);
  }

  private onLine(line: string): void {
    this.armPing();
    let msg: IrcMessage;
    try {
      msg = parseLine(line.replace(/\r?\n$/, ''));
    } catch {
      return; // not a message: nothing to show
    }
    if (this.handle(msg)) applyMessage(this.model, msg, this.inbound);
    this.changed();
  }

  /** What the connection does with a message; false when it must not be shown as usual. */
  private handle(msg: IrcMessage): boolean {
    const batchRef = msg.tags.batch;
    if (batchRef !== undefined && this.batches.has(batchRef)) {
      this.batches.get(batchRef)!.messages.push(msg);
      return false;
    }
    switch (msg.command) {
      case 'PING':
        this.send(`PONG :${msg.params[0] ?? ''}`);
        break;
      case N.RPL_LISTSTART:
        if (this.listing) return false;
        break;
      case N.RPL_LIST:
        if (!this.listing) break;
        this.listing.push({ name: msg.params[1] ?? '', users: Number(msg.params[2] ?? 0), topic: msg.params[3] ?? '' });
        return false;
      case N.RPL_LISTEND:
        if (!this.listing) break;
        this.roomList = this.listing.sort((a, b) => b.users - a.users || a.name.localeCompare(b.name));
        this.listing = undefined;
        this.model.version++;
        return false;
      case 'ERROR':
        this.serverError = closingReason(msg.params[0] ?? '');
        break;
      case 'CAP':
        this.onCap(msg);
        break;
      case 'BATCH':
        this.onBatch(msg);
        break;
      case 'AUTHENTICATE':
        if (this.saslPending && msg.params[0] === '+') this.sendSaslPlain();
        break;
      case 'TAGMSG':
        this.onTagmsg(msg);
        break;
      case N.RPL_LOGGEDIN:
        this.account = msg.params[2];
        break;
      case N.RPL_SASLSUCCESS:
        this.saslPending = false;
        this.endCap();
        break;
      case N.ERR_SASLFAIL:
      case N.ERR_SASLTOOLONG:
      case N.ERR_SASLABORTED:
        // A wrong account password: reconnecting would only fail again.
        if (this.saslPending) this.giveUp(`Login failed: ${msg.params.at(-1) ?? 'SASL authentication failed'}`);
        break;
      case 'JOIN':
        // Our own join: fetch the room's recent lines (with chathistory nothing is replayed).
        if (foldCase((msg.source ?? '').split('!')[0]!) === foldCase(this.model.nick)) {
          const room = msg.params[0] ?? '';
          this.historyDone.delete(foldCase(room));
          if (this.caps.has('draft/chathistory') && this.caps.has('batch')) this.send(`CHATHISTORY LATEST ${room} * ${HISTORY_PAGE}`);
        }
        break;
      case N.RPL_WELCOME:
        this.onWelcome(msg);
        break;
      case N.ERR_NICKNAMEINUSE:
      case N.ERR_NICKCHANGEFORBIDDEN:
        if (this.model.status !== 'registered') this.nextNick(msg);
        break;
      case N.ERR_ERRONEUSNICKNAME:
        if (this.model.status !== 'registered') this.giveUp(`The server refused the nick ${msg.params[1] ?? ''}: ${msg.params.at(-1) ?? ''}`);
        break;
      case N.ERR_PASSWDMISMATCH:
      case N.ERR_YOUREBANNEDCREEP:
        this.giveUp(msg.params.at(-1) ?? 'Refused');
        break;
    }
    return true;
  }

  private onCap(msg: IrcMessage): void {
    const [, sub = '', ...rest] = msg.params;
    const list = (rest.at(-1) ?? '').split(' ').filter((c) => c !== '');
    const names = list.map((c) => c.replace(/^-/, '').split('=')[0]!);
    switch (sub.toUpperCase()) {
      case 'LS': {
        this.capsOffered.push(...list);
        if (rest[0] === '*' && rest.length > 1) return; // more LS lines follow
        const offered = this.capsOffered.map((c) => c.split('=')[0]!);
        const wanted = WANTED_CAPS.filter((c) => offered.includes(c));
        const password = this.options.password;
        if (password) {
          this.saslPending = this.capsOffered.some(saslPlainOffered);
          if (this.saslPending) wanted.push('sasl');
          this.register(this.saslPending ? undefined : password);
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
        if (this.saslPending && this.caps.has('sasl')) this.send('AUTHENTICATE PLAIN');
        else this.endCap();
        return;
      case 'NAK':
        if (this.saslPending) this.giveUp('Login failed: the server refused the sasl capability.');
        else this.endCap();
        return;
      case 'DEL':
        for (const c of names) this.caps.delete(c);
        return;
    }
  }

  /** `AUTHENTICATE <base64 of "\0nick\0password">`, in 400-byte pieces, "+" after a full one. */
  private sendSaslPlain(): void {
    for (const line of saslPlainLines(this.options.nick, this.options.password ?? '')) this.send(line);
  }

  private endCap(): void {
    if (!this.capNegotiating) return;
    this.capNegotiating = false;
    this.send('CAP END');
  }

  private onWelcome(msg: IrcMessage): void {
    this.capNegotiating = false;
    this.model.nick = msg.params[0] ?? this.model.nick;
    this.model.status = 'registered';
    this.attempt = 0;
    for (const room of this.rejoin) this.send(`JOIN ${room}`);
    this.rejoin.clear();
    const pending = this.pending;
    this.pending = [];
    for (const e of pending) this.apply(e);
  }

  /** A taken nick during registration: nick_, nick__, then nick and digits. */
  private nextNick(msg: IrcMessage): void {
    const attempt = ++this.nickAttempt;
    if (attempt > 5) {
      this.giveUp(`The nick ${msg.params[1] ?? this.options.nick} is taken.`);
      return;
    }
    const nick = this.options.nick + (attempt <= 2 ? '_'.repeat(attempt) : String(100 + Math.floor(Math.random() * 900)));
    this.model.nick = nick;
    this.model.note(`Trying the nick ${nick}`, 'info', this.model.server);
    this.send(`NICK ${nick}`);
  }

  private giveUp(reason: string): void {
    this.failure = reason;
    this.model.note(reason, 'error', this.model.server);
    this.quit();
  }

  /** `@+typing=active|paused|done TAGMSG <target>`: shown in the room, or in the sender's query. */
  private onTagmsg(msg: IrcMessage): void {
    const state = msg.tags['+typing'];
    const nick = (msg.source ?? '').split('!')[0]!;
    if (state === undefined || nick === '' || foldCase(nick) === foldCase(this.model.nick)) return;
    const target = msg.params[0] ?? '';
    const key = foldCase(this.model.isChannel(target) ? target : nick);
    this.typists.received(key, nick, state);
    this.model.touch(); // views redraw on a new model version
  }

  /** The nicks typing in a buffer, in the order they started. */
  typingIn(buffer: ChatBuffer): string[] {
    return this.typists.nicksIn(buffer.key);
  }

  /**
   * Tells the buffer's room or person how the input line stands: `active` while there is text
   * (at most every 3 s), `done` once it is cleared or sent. Commands are not typing.
   */
  typing(buffer: ChatBuffer, text: string): void {
    if (buffer.kind === 'server' || !this.caps.has('message-tags') || this.model.status !== 'registered') return;
    const state = this.typists.toSend(buffer.key, text, Date.now());
    if (state !== undefined) this.send(`@+typing=${state} TAGMSG ${buffer.name}`);
  }

  /** `BATCH +ref chathistory <target>` … `BATCH -ref`: history is merged in when complete. */
  private onBatch(msg: IrcMessage): void {
    const [ref = '', type = '', target = ''] = msg.params;
    if (ref.startsWith('+')) {
      if (type === 'chathistory') this.batches.set(ref.slice(1), { type, target, messages: [] });
      return;
    }
    const batch = this.batches.get(ref.slice(1));
    if (!batch) return;
    this.batches.delete(ref.slice(1));
    this.mergeHistory(batch.target, batch.messages);
  }

  /** A complete history batch: merged into its buffer (see history.ts). */
  private mergeHistory(target: string, messages: IrcMessage[]): void {
    const key = foldCase(target);
    this.historyLoading.delete(key);
    if (messages.length < HISTORY_PAGE) this.historyDone.add(key);
    mergeHistory(this.model, target, messages);
  }

  /** Asks for the lines before the oldest one shown; false when there is nothing to ask. */
  loadOlder(buffer: ChatBuffer): boolean {
    if (buffer.kind === 'server' || this.model.status !== 'registered') return false;
    if (!this.caps.has('draft/chathistory') || !this.caps.has('batch')) return false;
    if (this.historyDone.has(buffer.key) || this.historyLoading.has(buffer.key)) return false;
    const oldest = buffer.lines.find((l) => l.kind !== 'info' && l.kind !== 'error');
    const ref = oldest ? `timestamp=${oldest.time.toISOString()}` : '*';
    this.historyLoading.add(buffer.key);
    this.send(oldest ? `CHATHISTORY BEFORE ${buffer.name} ${ref} ${HISTORY_PAGE}` : `CHATHISTORY LATEST ${buffer.name} * ${HISTORY_PAGE}`);
    return true;
  }

  private armPing(): void {
    clearTimeout(this.pingTimer);
    this.awaitingPong = false;
    const fire = (): void => {
      if (this.awaitingPong) {
        this.model.note('The server stopped answering.', 'error', this.model.server);
        this.ws?.close();
        return;
      }
      this.awaitingPong = true;
      this.send('PING :keepalive');
      this.pingTimer = setTimeout(fire, PING_MS);
    };
    this.pingTimer = setTimeout(fire, PING_MS);
  }

  private onClose(reason: string): void {
    clearTimeout(this.pingTimer);
    this.ws = undefined;
    const serverError = this.serverError;
    this.serverError = undefined;
    if (serverError !== undefined) reason = serverError;
    // Killed or banned by an operator: coming straight back would be refused or rude, so stop
    // and say why (the app shows `failure` on the connect screen).
    if (!this.stopping && serverError !== undefined && /^(Killed|Banned|K-?Lined)\b/i.test(serverError)) {
      this.failure = `Disconnected by the server: ${serverError}`;
      this.stopping = true;
    }
    for (const b of this.model.buffers) {
      if (b.kind !== 'room') continue;
      if (b.joined) this.rejoin.add(b.name);
      b.joined = false;
      b.members.clear();
    }
    this.batches.clear();
    this.historyLoading.clear();
    this.typists.clear();
    this.inbound.namesPending.clear();
    this.caps.clear();
    this.model.note(`Disconnected: ${reason}`, this.stopping ? 'info' : 'error', this.model.server);
    if (this.stopping) {
      this.model.status = 'closed';
    } else {
      this.model.status = 'disconnected';
      const delay = Math.min(1000 * 2 ** this.attempt, 30_000);
      this.attempt++;
      this.model.note(`Reconnecting in ${Math.round(delay / 1000)} s…`, 'info', this.model.server);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    }
    this.model.touch();
    this.changed();
  }

  /** Sends a raw line; false when there is no open connection. */
  /** Asks the server for its rooms (LIST); the answer lands in roomList. */
  requestRoomList(): void {
    this.listing = [];
    this.send('LIST');
  }

  send(line: string): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(line);
    return true;
  }

  /** Carries out a typed line in the current buffer. */
  input(text: string): void {
    const current = this.model.current;
    const effects = parseInput(text, { target: current.kind === 'server' ? undefined : current.name, chanTypes: this.model.chanTypes });
    for (const e of effects) this.apply(e);
    this.changed();
  }

  /** Pasted lines, each sent as a message of its own to the current room or person. */
  sayLines(lines: string[]): void {
    const current = this.model.current;
    if (current.kind === 'server') {
      this.model.note('Pasted lines go to a room or a person: pick one first.', 'error');
    } else {
      for (const line of lines) this.apply({ type: 'say', target: current.name, text: line, style: 'message' });
    }
    this.changed();
  }

  select(key: string): void {
    this.model.select(key);
    this.changed();
  }

  openQuery(nick: string): void {
    this.model.select(this.model.ensure(nick).key);
    this.changed();
  }

  private apply(e: Effect): void {
    applyEffect(this.effectHost, e);
  }

  private say(target: string, text: string, style: 'message' | 'action' | 'notice'): void {
    say(this.effectHost, target, text, style);
  }

  /** What the shared effects (src/clients/effects.ts) need of this client. */
  private get effectHost(): EffectHost {
    return {
      model: this.model,
      inbound: this.inbound,
      pending: this.pending,
      registered: this.model.status === 'registered',
      hasCap: (name) => this.caps.has(name),
      send: (line) => void this.send(line),
      quit: (reason) => this.quit(reason),
      forgetRoom: (name) => this.rejoin.delete(name),
    };
  }


  /** Sends QUIT and stops for good. */
  quit(reason = ''): void {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pingTimer);
    if (this.ws) {
      this.model.status = 'quitting';
      this.send(`QUIT${reason ? ` :${reason}` : ''}`);
      this.ws.close();
    } else {
      this.model.status = 'closed';
    }
    this.model.touch();
    this.changed();
  }
}

/** A CAP LS entry offering SASL with PLAIN (`sasl` alone, from 301 servers, names no mechanisms). */
function saslPlainOffered(cap: string): boolean {
  const [name, value] = cap.split('=', 2) as [string, string | undefined];
  return name === 'sasl' && (value === undefined || value.split(',').includes('PLAIN'));
}

/** `Closing Link: host (Killed (admin (bye)))` → `Killed (admin (bye))`; other text as is. */
function closingReason(text: string): string {
  return /^Closing Link: \S+ \((.*)\)$/.exec(text)?.[1] ?? text;
}

export interface RoomListing {
  name: string;
  users: number;
  topic: string;
}
