// The browser's IRC client: the shared client core (src/clients/irc-session.ts: CAP, login,
// registration, nick fallback, PING, reconnecting and rejoining) over a WebSocket to the
// Parlor server's /irc endpoint, plus what only the browser shows: room history from
// draft/chathistory batches, the room list, IRCv3 typing notifications (the +typing client
// tag on TAGMSG) and desktop notifications. Its one password field logs in with SASL
// (SCRAM-SHA-256, or PLAIN: src/clients/sasl-login.ts) when the server offers it, else goes as PASS.
import type { MessageKey } from '../../src/i18n/i18n.ts';
import { foldCase } from '../../src/protocol/casemapping.ts';
import type { IrcMessage } from '../../src/protocol/message.ts';
import * as N from '../../src/protocol/numerics.ts';
import { IrcSession } from '../../src/clients/irc-session.ts';
import { canSendMultiline, inputLines, multilineBatch } from '../../src/clients/multiline.ts';
import { messageTextBytes } from '../../src/clients/split-message.ts';
import { MULTILINE_CAP } from '../../src/protocol/multiline.ts';
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { ClientSettings } from './client-settings.ts';
import { mergeHistory, olderRef } from './history.ts';
import { notifyLine } from './notify.ts';
import { TypingTracker } from './typing.ts';
import { UnsentInput } from './unsent-input.ts';
import { dialWebSocket } from './websocket-dialer.ts';

export interface ConnectOptions {
  nick: string;
  password?: string | undefined;
  /** Defaults to /irc on the page's own host. */
  url?: string;
  /** The server's settings for its web client: its landing room (client-settings.ts). */
  settings?: Promise<ClientSettings>;
}

/** Lines of history asked for at a time. */
const HISTORY_PAGE = 50;
const PING_MS = 60_000;

/**
 * Replies refusing a JOIN (full, invite-only, banned, wrong key, no such room, too many rooms,
 * bad name; 477: the room wants a logged-in account). Parameters: our nick, the room, the text.
 */
const JOIN_REFUSALS: ReadonlySet<string> = new Set([
  N.ERR_CHANNELISFULL,
  N.ERR_INVITEONLYCHAN,
  N.ERR_BANNEDFROMCHAN,
  N.ERR_BADCHANNELKEY,
  N.ERR_NOSUCHCHANNEL,
  N.ERR_TOOMANYCHANNELS,
  N.ERR_BADCHANMASK,
  '477',
]);

export function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/irc`;
}

interface OpenBatch {
  target: string;
  messages: IrcMessage[];
}

export interface RoomListing {
  name: string;
  users: number;
  topic: string;
}

export class WebClient extends IrcSession {
  /** Rooms whose history has no more lines before the oldest shown. */
  readonly historyDone = new Set<string>();
  private readonly historyLoading = new Set<string>();
  /** The most lines one CHATHISTORY answer holds (ISUPPORT CHATHISTORY), when the server says. */
  private historyLimit = Infinity;
  private readonly batches = new Map<string, OpenBatch>();
  /** Our typing notifications awaiting their answer, by label, with the buffer they went to. */
  private readonly typingLabels = new Map<string, string>();
  /** labeled-response batches answering a typing notification: ref → buffer key. */
  private readonly typingBatches = new Map<string, string>();
  private typingSent = 0;
  /** The last LIST answer: rooms with member counts and topics (undefined until asked). */
  roomList: RoomListing[] | undefined;
  /** A LIST is on its way: its 322 lines fill roomList instead of the server buffer. */
  private listing: RoomListing[] | undefined;
  /** The room joined on arriving, until its JOIN comes back and the welcome line is shown there. */
  private landingRoom: string | undefined;
  /** A JOIN went out (a room the user asked for, or rejoined): no landing room is needed. */
  private roomAsked = false;
  /** Lines the user sent that the server has not shown through yet: a refusal gives them back. */
  private readonly unsent = new UnsentInput();
  private readonly typists = new TypingTracker(foldCase, () => {
    this.model.touch(); // views redraw on a new model version
    this.changed();
  });

  constructor(options: ConnectOptions) {
    const url = options.url ?? defaultUrl();
    const { nick, password } = options;
    super({
      connect: dialWebSocket(url),
      serverName: 'Parlor',
      address: url,
      nick,
      realname: 'Parlor web',
      // labeled-response: the answers to our typing notifications are told apart (and not shown).
      caps: ['draft/chathistory', 'labeled-response'],
      pingIntervalMs: PING_MS,
      // A wrong account password: reconnecting would only fail again.
      ...(password && { sasl: { account: nick, password, passFallback: true, required: true } }),
    });
    this.on('line', (buffer, line) => {
      const said = line.kind === 'message' || line.kind === 'action' || line.kind === 'notice';
      if (line.from !== undefined && said) this.typists.stop(buffer.key, line.from);
      if (line.self && said) {
        this.typists.allow(buffer.key);
        this.unsent.through(buffer.key);
      }
      notifyLine(buffer, line, this.model.t, () => this.select(buffer.key));
      if (line.kind === 'join' && line.self && this.landingRoom !== undefined && buffer.key === foldCase(this.landingRoom)) {
        this.landingRoom = undefined;
        this.welcome(buffer);
      }
    });
    if (options.settings) void this.land(options.settings);
  }

  /**
   * Once registered, a user who has no room yet is taken to the server's landing room, where a
   * friendly line greets them; without one, the greeting goes to the server view.
   */
  private async land(settings: Promise<ClientSettings>): Promise<void> {
    const [{ defaultRoom }] = await Promise.all([settings, this.waitRegistered()]);
    const hasRooms = this.roomAsked || this.model.buffers.some((b) => b.kind === 'room');
    if (hasRooms || defaultRoom === undefined) {
      this.welcome(this.model.server, hasRooms ? 'web.welcome.plain' : 'web.welcome.noRoom');
      return;
    }
    this.landingRoom = defaultRoom;
    this.send(`JOIN ${defaultRoom}`);
  }

  private welcome(buffer: ChatBuffer, key: MessageKey = 'web.welcome.inRoom', room = buffer.name): void {
    this.model.note(this.model.t(key, { server: this.model.server.name, nick: this.model.nick, room }), 'info', buffer);
    this.changed();
  }

  /**
   * The landing room would not have the user (banned, invite-only…): the server's reason is
   * shown as usual, and the greeting goes to the server view, saying where to go instead.
   */
  private landingRefused(msg: IrcMessage): void {
    if (this.landingRoom === undefined || !JOIN_REFUSALS.has(msg.command)) return;
    const room = msg.params[1] ?? '';
    if (foldCase(room) !== foldCase(this.landingRoom)) return;
    this.landingRoom = undefined;
    // After the refusal itself, which intercept lets through to be added once this returns.
    queueMicrotask(() => this.welcome(this.model.server, 'web.welcome.landingRefused', room));
  }

  override send(line: string): boolean {
    if (/^JOIN /i.test(line)) this.roomAsked = true;
    return super.send(line);
  }

  /** Called after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.on('change', listener);
    return () => this.off('change', listener);
  }

  /** The browser's own handling of a message; false when it must not be shown as usual. */
  protected override intercept(msg: IrcMessage): boolean {
    if (this.typingReply(msg)) return false;
    this.landingRefused(msg);
    this.sendRefused(msg);
    const batchRef = msg.tags.batch;
    if (batchRef !== undefined && this.batches.has(batchRef)) {
      this.batches.get(batchRef)!.messages.push(msg);
      return false;
    }
    switch (msg.command) {
      case N.RPL_LISTSTART:
        return !this.listing;
      case N.RPL_LIST:
        if (!this.listing) return true;
        this.listing.push({ name: msg.params[1] ?? '', users: Number(msg.params[2] ?? 0), topic: msg.params[3] ?? '' });
        return false;
      case N.RPL_LISTEND:
        if (!this.listing) return true;
        this.roomList = this.listing.sort((a, b) => b.users - a.users || a.name.localeCompare(b.name));
        this.listing = undefined;
        this.model.touch();
        return false;
      case N.RPL_ISUPPORT:
        for (const token of msg.params.slice(1, -1)) {
          const limit = token.startsWith('CHATHISTORY=') ? Number(token.slice('CHATHISTORY='.length)) : NaN;
          if (Number.isInteger(limit) && limit > 0) this.historyLimit = limit;
        }
        return true;
      case 'BATCH':
        return this.onBatch(msg);
      case 'TAGMSG':
        this.onTagmsg(msg);
        return true;
      case 'JOIN':
        // Our own join: fetch the room's recent lines (with chathistory nothing is replayed).
        if (foldCase((msg.source ?? '').split('!')[0]!) === foldCase(this.model.nick)) {
          const room = msg.params[0] ?? '';
          this.historyDone.delete(foldCase(room));
          if (this.caps.has('draft/chathistory') && this.caps.has('batch')) this.send(`CHATHISTORY LATEST ${room} * ${this.historyPage}`);
        }
        return true;
    }
    return true;
  }

  protected override disconnected(): void {
    this.batches.clear();
    this.typingLabels.clear();
    this.typingBatches.clear();
    this.historyLoading.clear();
    this.typists.clear();
    this.unsent.clear();
  }

  /** A line typed in `buffer`'s input: sent (or run, if a command), and kept until it is seen through. */
  inputFrom(buffer: ChatBuffer, text: string): void {
    this.unsent.sent(buffer.key, text);
    this.input(text);
  }

  /** The server refused a message to a room (404) or person (531): its text goes back to the input. */
  private sendRefused(msg: IrcMessage): void {
    if (msg.command !== N.ERR_CANNOTSENDTOCHAN && msg.command !== N.ERR_CANNOTSENDTOUSER) return;
    const target = msg.params[1];
    if (target !== undefined) this.unsent.refuse(foldCase(target));
  }

  /** Refused text for `buffer`'s input line to take back, once. */
  takeRefused(buffer: ChatBuffer): string | undefined {
    return this.unsent.take(buffer.key);
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
    if (buffer.kind === 'server' || !this.caps.has('message-tags') || !this.registered) return;
    const state = this.typists.toSend(buffer.key, text, Date.now());
    if (state === undefined) return;
    if (!this.caps.has('labeled-response')) {
      this.send(`@+typing=${state} TAGMSG ${buffer.name}`);
      return;
    }
    const label = `typing${++this.typingSent}`;
    this.typingLabels.set(label, buffer.key);
    this.send(`@label=${label};+typing=${state} TAGMSG ${buffer.name}`);
  }

  /**
   * The server's answer to one of our typing notifications (labeled-response: ACK, the echo, or
   * a refusal such as a mute's 404) is never shown: a muted user sees one error per message
   * they send, not three. A refusal also stops typing notifications to that room or person
   * until a message of ours gets through there.
   */
  private typingReply(msg: IrcMessage): boolean {
    const label = msg.tags.label;
    const [first = ''] = msg.params;
    let key: string | undefined;
    if (label !== undefined && this.typingLabels.has(label)) {
      key = this.typingLabels.get(label)!;
      this.typingLabels.delete(label);
      if (msg.command === 'BATCH' && first.startsWith('+')) {
        this.typingBatches.set(first.slice(1), key);
        return true;
      }
    } else if (msg.tags.batch !== undefined && this.typingBatches.has(msg.tags.batch)) {
      key = this.typingBatches.get(msg.tags.batch)!;
    } else if (msg.command === 'BATCH' && first.startsWith('-') && this.typingBatches.delete(first.slice(1))) {
      return true;
    } else {
      return false;
    }
    if (msg.command === 'FAIL' || /^[45]\d\d$/.test(msg.command)) this.typists.refuse(key);
    return true;
  }

  /**
   * `BATCH +ref chathistory <target>` … `BATCH -ref`: history is merged in when complete (see
   * history.ts). Other batches are shown as usual.
   */
  private onBatch(msg: IrcMessage): boolean {
    const [ref = '', type = '', target = ''] = msg.params;
    if (ref.startsWith('+')) {
      if (type === 'chathistory') this.batches.set(ref.slice(1), { target, messages: [] });
      return true;
    }
    const batch = this.batches.get(ref.slice(1));
    if (!batch) return true;
    this.batches.delete(ref.slice(1));
    const key = foldCase(batch.target);
    this.historyLoading.delete(key);
    // Only an answer shorter than asked says that nothing older is left.
    if (batch.messages.length < this.historyPage) this.historyDone.add(key);
    mergeHistory(this.model, batch.target, batch.messages);
    this.model.touch(); // historyDone changed even when no line was new
    return true;
  }

  /** Asks for the lines before the oldest one shown; false when there is nothing to ask. */
  loadOlder(buffer: ChatBuffer): boolean {
    if (buffer.kind === 'server' || !this.registered) return false;
    if (!this.caps.has('draft/chathistory') || !this.caps.has('batch')) return false;
    if (this.historyDone.has(buffer.key) || this.historyLoading.has(buffer.key)) return false;
    const ref = olderRef(buffer.lines);
    this.historyLoading.add(buffer.key);
    this.send(ref ? `CHATHISTORY BEFORE ${buffer.name} ${ref} ${this.historyPage}` : `CHATHISTORY LATEST ${buffer.name} * ${this.historyPage}`);
    return true;
  }

  /** Lines asked for at a time: never more than the server gives in one answer. */
  private get historyPage(): number {
    return Math.min(HISTORY_PAGE, this.historyLimit);
  }

  /** Asks the server for its rooms (LIST); the answer lands in roomList. */
  requestRoomList(): void {
    this.listing = [];
    // Asked while still connecting (the input shows at once): the server refuses LIST before
    // registration, so it goes out once registered.
    void this.waitRegistered().then(() => this.send('LIST'));
  }

  /** Pasted lines, each sent as a message of its own to the current room or person. */
  sayLines(lines: string[]): void {
    const current = this.model.current;
    if (current.kind === 'server') {
      this.model.note(this.model.t('web.pasteNowhere'), 'error');
      this.changed();
      return;
    }
    this.execute(lines.map((text) => ({ type: 'say', target: current.name, text, style: 'message' })));
  }

  /**
   * Whether pasted text can go to the current conversation as one message of several lines
   * (IRCv3 multiline): the server takes it, within its limits.
   */
  canSayAsOne(text: string): boolean {
    const current = this.model.current;
    if (current.kind === 'server' || !canSendMultiline((name) => this.caps.has(name))) return false;
    const maxLineBytes = messageTextBytes('PRIVMSG', current.name, this.model.nick, undefined);
    return multilineBatch('PRIVMSG', current.name, inputLines(text), this.capValue(MULTILINE_CAP), maxLineBytes, 'check') !== undefined;
  }

  /** Pasted text as one message of several lines to the current room or person. */
  sayAsOne(text: string): void {
    const current = this.model.current;
    if (current.kind === 'server') return this.sayLines(inputLines(text));
    this.execute([{ type: 'say', target: current.name, text, style: 'message' }]);
  }

  openQuery(nick: string): void {
    this.select(this.model.ensure(nick).key);
  }
}
