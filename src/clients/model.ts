// What a chat client shows, as plain data with the operations that change it: the buffers
// (the server's, rooms, private queries), their lines, topics and members, unread and
// mention counts, the current buffer. No I/O and no UI: the IRC client core fills it, and
// any view (the terminal UI, line mode, tests) reads it.
import { foldCase } from '../protocol/casemapping.ts';
import { ENGLISH, type Translate, type Translator } from '../i18n/i18n.ts';
import { mentions } from './mention.ts';
import { BotRoster } from './bot-roster.ts';

/** `announcement`: a broadcast from the server's admins to everyone (`NOTICE $*`), shown in every buffer. */
export type LineKind = 'message' | 'action' | 'notice' | 'announcement' | 'join' | 'part' | 'quit' | 'kick' | 'nick' | 'topic' | 'mode' | 'error' | 'info';

export interface ChatLine {
  /** Unique in the process: a stable key for views. */
  id: number;
  /** The server's time (server-time tag) when it gave one, else when the line arrived. */
  time: Date;
  kind: LineKind;
  /** Who said or did it (a nick, or a server's name); absent on the client's own notes. */
  from?: string;
  text: string;
  /** Sent by this client's user. */
  self?: boolean;
  /** Mentions the user's nick. */
  mention?: boolean;
  /** A notice from a server (or to everyone, `$*`) rather than from a person. */
  serverNotice?: boolean;
  /** The server's id for the message (IRCv3 message-ids): the same line live and in history. */
  msgid?: string;
  /** Part of the server's welcome on connecting (server details, user counts, MOTD): a view may fold it away. */
  welcomeBurst?: boolean;
  /** Sent by a bot (IRCv3 bot-mode: the `bot` tag, or a sender known to be one): views mark its nick. */
  bot?: boolean;
  /** Deleted (IRCv3 message-redaction, redaction.ts): its text is gone; views show "message deleted". */
  redacted?: boolean;
  /** Who deleted it, when not its sender (a room or IRC operator): views say so. */
  redactedBy?: string;
  /** The reason the deleter gave, if any. */
  redactReason?: string;
}

export type BufferKind = 'server' | 'room' | 'query';

/** Whether a query's person is on the server, and away (query-presence.ts). */
export type QueryPresence = 'online' | 'away' | 'offline';

export interface Member {
  nick: string;
  /** Prefix symbols held, highest first ("@+" with multi-prefix). */
  prefixes: string;
  away?: boolean;
}

export interface ChatBuffer {
  /** The folded name; '' for the server buffer. */
  key: string;
  name: string;
  kind: BufferKind;
  topic: string;
  /** By folded nick; rooms only. */
  members: Map<string, Member>;
  lines: ChatLine[];
  unread: number;
  mentions: number;
  /** Rooms: we are in it now (not after a kick or while disconnected). */
  joined: boolean;
  /** Queries: the person's presence, once the server has told it (MONITOR, AWAY). */
  presence?: QueryPresence;
  /** IRCv3 draft/read-marker: the server's time (ms) the user has read up to, on any device (read-markers.ts). */
  readMarker?: number;
}

export type ConnectionStatus = 'disconnected' | 'connecting' | 'registering' | 'registered' | 'quitting' | 'closed';

/** Kinds that count as unread activity; joins, parts and the like are quiet. */
export const ACTIVE_KINDS: ReadonlySet<LineKind> = new Set(['message', 'action', 'notice']);

let nextLineId = 0;

export interface NewLine {
  kind: LineKind;
  text: string;
  from?: string | undefined;
  time?: Date | undefined;
  self?: boolean;
  serverNotice?: boolean;
  msgid?: string | undefined;
  welcomeBurst?: boolean;
  bot?: boolean;
}

export class ChatModel {
  nick = '';
  status: ConnectionStatus = 'disconnected';
  /** Member prefix modes and their symbols, from ISUPPORT PREFIX, highest first. */
  prefixModes = 'ov';
  prefixSymbols = '@+';
  /** Channel name starts, from ISUPPORT CHANTYPES. */
  chanTypes = '#&';
  readonly buffers: ChatBuffer[];
  private currentKey = '';
  /** Channel modes by kind, from ISUPPORT CHANMODES: lists, always with an argument, with one when set, flags. */
  chanModes: [string, string, string, string] = ['beI', 'k', 'l', 'imnpst'];
  /** Bumped on every change, so that views can tell when to redraw. */
  version = 0;
  /** Who is known to be a bot (IRCv3 bot-mode), kept by bots.ts; views badge their nicks. */
  readonly bots = new BotRoster();
  /** Told of every line added, in order (line mode prints them). */
  onLine: ((buffer: ChatBuffer, line: ChatLine) => void) | undefined;
  /** The language the client's own lines and labels are in; a view may switch it (the web's choice). */
  language: Translator = ENGLISH;
  /** The BCP 47 locale days and times are written in (en-GB, zh-CN…). */
  dateLocale = 'en';

  constructor(
    serverName: string,
    /** Lines kept per buffer; older ones are dropped. */
    readonly scrollback = 2000,
  ) {
    this.buffers = [makeBuffer('', serverName, 'server')];
  }

  /** Text from the catalogue, in the model's language. */
  get t(): Translate {
    return this.language.t;
  }

  get server(): ChatBuffer {
    return this.buffers[0]!;
  }

  get current(): ChatBuffer {
    return this.find(this.currentKey) ?? this.server;
  }

  touch(): void {
    this.version++;
  }

  isChannel(name: string): boolean {
    return name.length > 0 && this.chanTypes.includes(name[0]!);
  }

  find(name: string): ChatBuffer | undefined {
    const key = name === '' ? '' : foldCase(name);
    return this.buffers.find((b) => b.key === key);
  }

  /** The room or query buffer called `name`, made (at the end of the list) when missing. */
  ensure(name: string): ChatBuffer {
    const found = this.find(name);
    if (found) return found;
    const buffer = makeBuffer(foldCase(name), name, this.isChannel(name) ? 'room' : 'query');
    this.buffers.push(buffer);
    this.touch();
    return buffer;
  }

  /** Removes a room or query buffer; the current one moves to its neighbour. */
  remove(name: string): void {
    const key = foldCase(name);
    const index = this.buffers.findIndex((b) => b.key === key);
    if (index <= 0) return; // the server buffer stays
    this.buffers.splice(index, 1);
    if (this.currentKey === key) this.select(this.buffers[Math.min(index, this.buffers.length - 1)]!.key);
    this.touch();
  }

  /** A query follows its person's nick change, unless a buffer of the new name exists. */
  rename(buffer: ChatBuffer, name: string): void {
    const key = foldCase(name);
    if (key !== buffer.key && this.buffers.some((b) => b.key === key)) return;
    if (this.currentKey === buffer.key) this.currentKey = key;
    buffer.key = key;
    buffer.name = name;
    this.touch();
  }

  /** Makes the buffer with this key current and marks it read. */
  select(key: string): void {
    const buffer = this.buffers.find((b) => b.key === key);
    if (!buffer) return;
    this.currentKey = key;
    buffer.unread = 0;
    buffer.mentions = 0;
    this.touch();
  }

  /** Moves `delta` buffers along the list, wrapping round. */
  cycle(delta: number): void {
    const n = this.buffers.length;
    const index = this.buffers.indexOf(this.current);
    this.select(this.buffers[(((index + delta) % n) + n) % n]!.key);
  }

  /** Selects the buffer numbered `n` (1 = the server buffer); false when there is none. */
  selectNumber(n: number): boolean {
    const buffer = this.buffers[n - 1];
    if (!buffer) return false;
    this.select(buffer.key);
    return true;
  }

  /** Appends a line, counting it as unread (and a mention) unless its buffer is in view. */
  add(buffer: ChatBuffer, line: NewLine): ChatLine {
    const full: ChatLine = { id: ++nextLineId, time: line.time ?? new Date(), kind: line.kind, text: line.text };
    if (line.from !== undefined) full.from = line.from;
    if (line.self) full.self = true;
    if (line.serverNotice) full.serverNotice = true;
    if (line.msgid !== undefined) full.msgid = line.msgid;
    if (line.welcomeBurst) full.welcomeBurst = true;
    if (line.bot) full.bot = true;
    if (!line.self && ACTIVE_KINDS.has(line.kind) && mentions(line.text, this.nick)) full.mention = true;
    buffer.lines.push(full);
    if (buffer.lines.length > this.scrollback) buffer.lines.splice(0, buffer.lines.length - this.scrollback);
    // A line the user has read already (its time at or before the read marker) is not news.
    const read = buffer.readMarker !== undefined && full.time.getTime() <= buffer.readMarker;
    if (buffer !== this.current && !line.self && ACTIVE_KINDS.has(line.kind) && !read) {
      buffer.unread++;
      if (full.mention) buffer.mentions++;
    }
    this.touch();
    // An announcement is one event, however many buffers show it.
    if (full.kind !== 'announcement' || buffer === this.server) this.onLine?.(buffer, full);
    return full;
  }

  /**
   * A broadcast to everyone on the server: a line in every open buffer, so that it is seen
   * whichever is in view. It counts as unread nowhere (it is in view already), and onLine
   * hears of it once, as a line of the server buffer. Returns the server buffer's copy.
   */
  announce(line: Omit<NewLine, 'kind' | 'self'>): ChatLine {
    const shown = this.add(this.server, { ...line, kind: 'announcement' });
    for (const buffer of this.buffers) if (buffer !== this.server) this.add(buffer, { ...line, kind: 'announcement' });
    return shown;
  }

  /** A note from the client itself (not from the server), in the given or current buffer. */
  note(text: string, kind: 'info' | 'error' = 'info', buffer = this.current): ChatLine {
    return this.add(buffer, { kind, text });
  }

  rank(member: Member): number {
    const i = member.prefixes === '' ? -1 : this.prefixSymbols.indexOf(member.prefixes[0]!);
    return i === -1 ? this.prefixSymbols.length : i;
  }

  /** Members by rank (ops first), then by nick. */
  sortedMembers(buffer: ChatBuffer): Member[] {
    return [...buffer.members.values()].sort((a, b) => this.rank(a) - this.rank(b) || compareNicks(a.nick, b.nick));
  }

  /** Sets or clears one prefix symbol of a member, keeping them ordered by rank. */
  setPrefix(buffer: ChatBuffer, nick: string, symbol: string, on: boolean): void {
    const member = buffer.members.get(foldCase(nick));
    if (!member) return;
    const set = new Set(member.prefixes);
    if (on) set.add(symbol);
    else set.delete(symbol);
    member.prefixes = [...this.prefixSymbols].filter((s) => set.has(s)).join('');
    this.touch();
  }

  /** Splits a NAMES entry ("@+nick", or "@nick!user@host" with userhost-in-names). */
  parseNamesEntry(entry: string): Member {
    let i = 0;
    while (i < entry.length && this.prefixSymbols.includes(entry[i]!)) i++;
    const bang = entry.indexOf('!', i);
    return { prefixes: entry.slice(0, i), nick: bang === -1 ? entry.slice(i) : entry.slice(i, bang) };
  }

  /** The rooms a nick is in (by its members), for QUIT and NICK. */
  roomsOf(nick: string): ChatBuffer[] {
    const key = foldCase(nick);
    return this.buffers.filter((b) => b.kind === 'room' && b.members.has(key));
  }
}

function makeBuffer(key: string, name: string, kind: BufferKind): ChatBuffer {
  return { key, name, kind, topic: '', members: new Map(), lines: [], unread: 0, mentions: 0, joined: false };
}

export function compareNicks(a: string, b: string): number {
  const fa = foldCase(a);
  const fb = foldCase(b);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}
