// What a message from the server does to the chat model: which buffer it shows in, how it
// reads, and the topic and member changes it carries. Pure apart from the model it is given;
// registration, CAP and PING belong to the connection (irc-session.ts), not here.
import { applyRedact } from './redaction.ts';
import type { IrcMessage } from '../protocol/message.ts';
import { formatDateTime } from '../i18n/dates.ts';
import { foldCase } from '../protocol/casemapping.ts';
import * as N from '../protocol/numerics.ts';
import type { ChatBuffer, ChatModel, LineKind } from './model.ts';
import { listReplyText, modeChangeTexts, type ListCounts } from './list-modes.ts';
import { mutedLine } from './mute-line.ts';
import { followBots, lineFromBot } from './bots.ts';
import { serverListLine } from './server-lists.ts';
import { userHostOf } from './split-message.ts';
import { applyMarkRead } from './read-markers.ts';

export interface InboundState {
  /**
   * Rooms (folded) whose member list the user asked for with /names, each with the key of the
   * buffer it was asked in ('' for the server buffer): shown there when it is complete.
   */
  namesRequested: Map<string, string>;
  /** NAMES replies being gathered, by folded room, until 366. */
  namesPending: Map<string, string[]>;
  /** Our `user@host` as the server shows it (the welcome, our JOIN…): the length of our messages' source. */
  ownUserHost?: string;
  /** The msgids of the user's own latest messages, oldest first (see repeatsOwnMessage). */
  ownMsgids: Set<string>;
  /** Entries of the ban/exception lists being read, until their end numeric (list-modes.ts). */
  listCounts: ListCounts;
  /** LINKS replies (364) held until their 365 (server-lists.ts). */
  linksPending: IrcMessage[];
}

export function newInboundState(): InboundState {
  return { namesRequested: new Map(), namesPending: new Map(), ownMsgids: new Set(), listCounts: new Map(), linksPending: [] };
}

/** Own msgids remembered: a message's echo and its delivery to oneself come one after the other. */
const OWN_MSGIDS_KEPT = 64;

/**
 * With echo-message a message to oneself arrives twice, as the echo and as the delivery, with
 * one msgid (IRCv3 message-ids): the second is the same message and is not shown again.
 */
function repeatsOwnMessage(s: InboundState, msgid: string | undefined): boolean {
  if (msgid === undefined) return false;
  if (s.ownMsgids.has(msgid)) return true;
  s.ownMsgids.add(msgid);
  if (s.ownMsgids.size > OWN_MSGIDS_KEPT) s.ownMsgids.delete(s.ownMsgids.values().next().value!);
  return false;
}

type Handler = (m: ChatModel, msg: IrcMessage, s: InboundState) => void;

export function nickOf(source: string | undefined): string {
  if (source === undefined) return '';
  const bang = source.indexOf('!');
  return bang === -1 ? source : source.slice(0, bang);
}

/** A source without `!` and with a dot is a server, not a person. */
function fromServer(source: string | undefined): boolean {
  return source === undefined || (!source.includes('!') && source.includes('.'));
}

function timeOf(msg: IrcMessage): Date | undefined {
  const tag = msg.tags.time;
  if (tag === undefined) return undefined;
  const t = new Date(tag);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

const isSelf = (m: ChatModel, nick: string): boolean => foldCase(nick) === foldCase(m.nick);

/** `@#room` (STATUSMSG) is shown in #room. */
function roomTarget(m: ChatModel, target: string): string | undefined {
  // A symbol may be both a prefix and a channel type ('&'): the longest room name wins.
  for (let i = 0; i < target.length; i++) {
    const rest = target.slice(i);
    if (m.isChannel(rest)) return rest;
    if (!m.prefixSymbols.includes(target[i]!)) return undefined;
  }
  return undefined;
}

function say(m: ChatModel, msg: IrcMessage, s: InboundState): void {
  const [target = '', body = ''] = msg.params;
  const from = nickOf(msg.source);
  // Only a message to oneself comes twice; own lines replayed from history must still show.
  if (isSelf(m, from) && isSelf(m, target) && repeatsOwnMessage(s, msg.tags.msgid)) return;
  const notice = msg.command === 'NOTICE';
  let kind: LineKind = notice ? 'notice' : 'message';
  let text = body;
  // CTCP: \x01ACTION waves\x01 is /me; the closing \x01 is often left out.
  // eslint-disable-next-line no-control-regex
  const ctcp = /^\x01([A-Z]+)(?: ([^\x01]*))?\x01?$/.exec(body);
  if (ctcp) {
    if (ctcp[1] === 'ACTION') {
      kind = 'action';
      text = ctcp[2] ?? '';
    } else {
      // Other CTCP (VERSION, PING…) are not answered; shown so that nothing is hidden.
      const key = notice ? (ctcp[2] ? 'client.event.ctcpReplyText' : 'client.event.ctcpReply') : ctcp[2] ? 'client.event.ctcpText' : 'client.event.ctcp';
      m.add(m.server, { kind: 'info', from, text: m.t(key, { command: ctcp[1]!, nick: from, text: ctcp[2] ?? '' }), time: timeOf(msg) });
      return;
    }
  }
  const time = timeOf(msg);
  const self = isSelf(m, from);
  const room = roomTarget(m, target);
  let buffer: ChatBuffer;
  let serverNotice = false;
  if (room === undefined && target.startsWith('$')) {
    // To everyone on the server ($*): the admins' broadcast, an announcement in every buffer.
    m.announce({ from, text, time, msgid: msg.tags.msgid });
    return;
  }
  if (room !== undefined) {
    buffer = m.ensure(room);
  } else if (fromServer(msg.source) || registering(m)) {
    // From a server: the server buffer, marked as such.
    buffer = m.server;
    serverNotice = true;
  } else if (self) {
    // Our own message echoed (echo-message): it belongs with the person it went to.
    buffer = m.ensure(target);
  } else if (notice) {
    // Notices from people do not open conversations.
    buffer = m.find(from) ?? m.current;
  } else {
    buffer = m.ensure(from);
  }
  m.add(buffer, { kind, from, text, time, self, serverNotice, msgid: msg.tags.msgid, bot: lineFromBot(m, msg) });
}

function join(m: ChatModel, msg: IrcMessage): void {
  const room = msg.params[0] ?? '';
  const nick = nickOf(msg.source);
  if (isSelf(m, nick)) {
    const existed = m.find(room) !== undefined;
    const buffer = m.ensure(room);
    buffer.joined = true;
    buffer.members.clear();
    buffer.members.set(foldCase(nick), { nick, prefixes: '' });
    m.add(buffer, { kind: 'join', from: nick, text: m.t('client.event.joinedSelf', { room: buffer.name }), time: timeOf(msg), self: true });
    // A room joined now comes into view; one rejoined after a reconnect stays where it is.
    if (!existed) m.select(buffer.key);
    return;
  }
  const buffer = m.find(room);
  if (!buffer) return;
  buffer.members.set(foldCase(nick), { nick, prefixes: '' });
  m.add(buffer, { kind: 'join', from: nick, text: m.t('client.event.joined', { nick }), time: timeOf(msg) });
}

function part(m: ChatModel, msg: IrcMessage): void {
  const [room = '', reason] = msg.params;
  const nick = nickOf(msg.source);
  const buffer = m.find(room);
  if (!buffer) return;
  if (isSelf(m, nick)) {
    // Said in the room (line mode prints it there), which then closes.
    m.add(buffer, { kind: 'part', from: nick, text: m.t(reason ? 'client.event.leftSelfReason' : 'client.event.leftSelf', { room: buffer.name, reason: reason ?? '' }), time: timeOf(msg), self: true });
    m.remove(room);
    return;
  }
  buffer.members.delete(foldCase(nick));
  m.add(buffer, { kind: 'part', from: nick, text: m.t(reason ? 'client.event.leftReason' : 'client.event.left', { nick, reason: reason ?? '' }), time: timeOf(msg) });
}

function kick(m: ChatModel, msg: IrcMessage): void {
  const [room = '', victim = '', reason] = msg.params;
  const by = nickOf(msg.source);
  const buffer = m.find(room);
  if (!buffer) return;
  // A reason that only repeats the nick (the default of many clients) says nothing.
  const why = reason && reason !== victim ? reason : '';
  if (isSelf(m, victim)) {
    buffer.joined = false;
    buffer.members.clear();
    m.add(buffer, { kind: 'kick', from: by, text: m.t(why ? 'client.event.kickedSelfReason' : 'client.event.kickedSelf', { room: buffer.name, by, reason: why }), time: timeOf(msg) });
    return;
  }
  buffer.members.delete(foldCase(victim));
  m.add(buffer, { kind: 'kick', from: by, text: m.t(why ? 'client.event.kickedReason' : 'client.event.kicked', { nick: victim, by, reason: why }), time: timeOf(msg) });
}

function quit(m: ChatModel, msg: IrcMessage): void {
  const nick = nickOf(msg.source);
  const reason = msg.params[0];
  const text = m.t(reason ? 'client.event.quitReason' : 'client.event.quit', { nick, reason: reason ?? '' });
  for (const buffer of m.roomsOf(nick)) {
    buffer.members.delete(foldCase(nick));
    m.add(buffer, { kind: 'quit', from: nick, text, time: timeOf(msg) });
  }
  const query = m.find(nick);
  if (query?.kind === 'query') m.add(query, { kind: 'quit', from: nick, text, time: timeOf(msg) });
}

function nick(m: ChatModel, msg: IrcMessage): void {
  const old = nickOf(msg.source);
  const now = msg.params[0] ?? '';
  const self = isSelf(m, old);
  const text = m.t(self ? 'client.event.nickSelf' : 'client.event.nick', { old, nick: now });
  if (self) {
    m.nick = now;
    m.add(m.server, { kind: 'nick', from: old, text, time: timeOf(msg), self });
  }
  for (const buffer of m.roomsOf(old)) {
    const member = buffer.members.get(foldCase(old))!;
    buffer.members.delete(foldCase(old));
    buffer.members.set(foldCase(now), { ...member, nick: now });
    m.add(buffer, { kind: 'nick', from: old, text, time: timeOf(msg), self });
  }
  const query = m.find(old);
  if (query?.kind === 'query') {
    m.rename(query, now);
    m.add(query, { kind: 'nick', from: old, text, time: timeOf(msg), self });
  }
}

function topic(m: ChatModel, msg: IrcMessage): void {
  const [room = '', text = ''] = msg.params;
  const buffer = m.find(room);
  if (!buffer) return;
  buffer.topic = text;
  const by = nickOf(msg.source);
  m.add(buffer, { kind: 'topic', from: by, text: text === '' ? m.t('client.event.topicCleared', { nick: by }) : m.t('client.event.topicChanged', { nick: by, topic: text }), time: timeOf(msg) });
}

function mode(m: ChatModel, msg: IrcMessage): void {
  const [target = '', ...changes] = msg.params;
  const by = nickOf(msg.source);
  const buffer = m.isChannel(target) ? m.find(target) : undefined;
  if (!buffer) {
    m.add(m.server, { kind: 'mode', from: by, text: m.t('client.event.modeOn', { nick: by, modes: changes.join(' '), target }), time: timeOf(msg) });
    return;
  }
  applyRoomModes(m, buffer, changes);
  // Changes to the ban and exception lists read as sentences (list-modes.ts).
  for (const text of modeChangeTexts(m, by, changes)) m.add(buffer, { kind: 'mode', from: by, text, time: timeOf(msg) });
}

/** Follows +o/-v and friends in a MODE change, skipping the arguments of other modes. */
export function applyRoomModes(m: ChatModel, buffer: ChatBuffer, changes: string[]): void {
  const [modes = '', ...args] = changes;
  const [lists, always, whenSet] = m.chanModes;
  let adding = true;
  for (const c of modes) {
    if (c === '+' || c === '-') {
      adding = c === '+';
      continue;
    }
    const p = m.prefixModes.indexOf(c);
    if (p !== -1) {
      const who = args.shift();
      if (who !== undefined) m.setPrefix(buffer, who, m.prefixSymbols[p]!, adding);
    } else if (lists.includes(c) || always.includes(c) || (adding && whenSet.includes(c))) {
      args.shift();
    }
  }
}

function away(m: ChatModel, msg: IrcMessage): void {
  const nick = nickOf(msg.source);
  for (const buffer of m.roomsOf(nick)) buffer.members.get(foldCase(nick))!.away = msg.params[0] !== undefined && msg.params[0] !== '';
  m.touch();
}

/** FAIL/WARN/NOTE <command> <code> [<context>…] <description> (IRCv3 standard replies). */
function standardReply(m: ChatModel, msg: IrcMessage): void {
  const [command = '', code = '', ...rest] = msg.params;
  const description = rest.pop() ?? '';
  const buffer = bufferNamedIn(m, rest) ?? m.current;
  const kind = msg.command === 'FAIL' ? 'error' : 'info';
  m.add(buffer, { kind, from: nickOf(msg.source), text: `${command} ${code}${rest.length ? ` ${rest.join(' ')}` : ''}: ${description}`, time: timeOf(msg) });
}

/** The room, else the query, named among some parameters. */
function bufferNamedIn(m: ChatModel, params: string[]): ChatBuffer | undefined {
  const found = params.map((p) => m.find(p)).filter((b) => b !== undefined && b.kind !== 'server');
  return found.find((b) => b!.kind === 'room') ?? found[0];
}

/** "<middle params>: <text>" without the leading nick. */
function numericText(msg: IrcMessage): string {
  const middle = msg.params.slice(1, -1);
  const last = msg.params.length > 1 ? msg.params[msg.params.length - 1]! : '';
  return middle.length ? `${middle.join(' ')}: ${last}` : last;
}

function isupport(m: ChatModel, msg: IrcMessage): void {
  for (const token of msg.params.slice(1, -1)) {
    const [key, value = ''] = token.split('=', 2) as [string, string | undefined];
    if (key === 'PREFIX') {
      const p = /^\(([^)]*)\)(.*)$/.exec(value);
      if (p && p[1]!.length === p[2]!.length) [m.prefixModes, m.prefixSymbols] = [p[1]!, p[2]!];
    } else if (key === 'CHANTYPES' && value !== '') {
      m.chanTypes = value;
    } else if (key === 'CHANMODES') {
      const [a = '', b = '', c = '', d = ''] = value.split(',');
      m.chanModes = [a, b, c, d];
    } else if (key === 'NETWORK' && value !== '') {
      m.server.name = value;
    }
  }
  m.touch();
}

function names(m: ChatModel, msg: IrcMessage, s: InboundState): void {
  const room = foldCase(msg.params[2] ?? '');
  const list = s.namesPending.get(room) ?? [];
  list.push(...(msg.params[3] ?? '').split(' ').filter((n) => n !== ''));
  s.namesPending.set(room, list);
}

function endOfNames(m: ChatModel, msg: IrcMessage, s: InboundState): void {
  const name = msg.params[1] ?? '';
  const key = foldCase(name);
  const entries = (s.namesPending.get(key) ?? []).map((e) => m.parseNamesEntry(e));
  s.namesPending.delete(key);
  const buffer = m.find(name);
  if (buffer?.kind === 'room' && buffer.joined) {
    buffer.members = new Map(entries.map((e) => [foldCase(e.nick), e]));
    m.touch();
  }
  const askedIn = s.namesRequested.get(key);
  s.namesRequested.delete(key);
  // The client's own NAMES (on joining) refreshes the member list quietly; the user's is shown.
  if (askedIn !== undefined || !buffer?.joined) {
    const shown = entries.map((e) => e.prefixes.slice(0, 1) + e.nick);
    const where = askedIn === undefined ? buffer : m.find(askedIn);
    m.add(where ?? m.current, { kind: 'info', text: m.t(shown.length ? 'client.event.names' : 'client.event.namesEmpty', { room: name, count: shown.length, nicks: shown.join(' ') }), time: timeOf(msg) });
  }
}

function topicReply(m: ChatModel, msg: IrcMessage): void {
  const [, room = '', text = ''] = msg.params;
  const buffer = m.find(room);
  if (buffer) buffer.topic = msg.command === N.RPL_NOTOPIC ? '' : text;
  m.add(buffer ?? m.current, { kind: 'topic', text: msg.command === N.RPL_NOTOPIC ? m.t('client.event.noTopic', { room }) : m.t('client.event.topic', { room, topic: text }), time: timeOf(msg) });
}

function topicWhoTime(m: ChatModel, msg: IrcMessage): void {
  const [, room = '', setter = '', when = ''] = msg.params;
  const date = new Date(Number(when) * 1000);
  const text = Number.isNaN(date.getTime())
    ? m.t('client.event.topicSetBy', { nick: nickOf(setter) })
    : m.t('client.event.topicSetByAt', { nick: nickOf(setter), when: formatDateTime(date, m.dateLocale) });
  m.add(m.find(room) ?? m.current, { kind: 'info', text, time: timeOf(msg) });
}

function awayReply(m: ChatModel, msg: IrcMessage): void {
  const [, who = '', text = ''] = msg.params;
  m.add(m.find(who) ?? m.current, { kind: 'info', text: m.t('client.event.away', { nick: who, text }), time: timeOf(msg) });
}

/** Replies that belong to the connection, not to what the user is looking at. */
const WELCOME = new Set([
  N.RPL_WELCOME, N.RPL_YOURHOST, N.RPL_CREATED, N.RPL_MYINFO, N.RPL_LUSERCLIENT, N.RPL_LUSEROP, N.RPL_LUSERUNKNOWN,
  N.RPL_LUSERCHANNELS, N.RPL_LUSERME, N.RPL_LOCALUSERS, N.RPL_GLOBALUSERS, N.RPL_MOTDSTART, N.RPL_MOTD, N.RPL_ENDOFMOTD, N.ERR_NOMOTD,
]);

/** Replies that read as their parameters in a row ("3 channels formed"). */
const JOINED = new Set([N.RPL_MYINFO, N.RPL_UMODEIS, N.RPL_LUSEROP, N.RPL_LUSERUNKNOWN, N.RPL_LUSERCHANNELS]);

/** Before registration everything goes to the server buffer; after QUIT replies still go where they belong. */
const registering = (m: ChatModel): boolean => m.status === 'connecting' || m.status === 'registering' || m.status === 'disconnected';

function numeric(m: ChatModel, msg: IrcMessage, s: InboundState): void {
  const code = Number(msg.command);
  const time = timeOf(msg);
  const error = code >= 400 && code < 600 && msg.command !== N.ERR_NOMOTD;
  let buffer: ChatBuffer;
  if (WELCOME.has(msg.command) || registering(m) || (code >= 900 && code < 910)) buffer = m.server;
  else buffer = bufferNamedIn(m, msg.params.slice(1, -1)) ?? m.current;
  const text = JOINED.has(msg.command)
    ? msg.params.slice(1).join(' ')
    : WELCOME.has(msg.command)
      ? (msg.params.at(-1) ?? '')
      : (mutedLine(msg, m.t, m.dateLocale) ?? listReplyText(m, msg, s.listCounts) ?? numericText(msg));
  m.add(buffer, { kind: error ? 'error' : 'info', from: msg.source, text, time, welcomeBurst: WELCOME.has(msg.command) });
}

const HANDLERS: Record<string, Handler> = {
  PRIVMSG: say,
  NOTICE: say,
  JOIN: join,
  PART: part,
  KICK: kick,
  QUIT: quit,
  NICK: nick,
  TOPIC: topic,
  MODE: mode,
  AWAY: away,
  MARKREAD: applyMarkRead,
  REDACT: applyRedact,
  FAIL: standardReply,
  WARN: standardReply,
  NOTE: standardReply,
  // After our QUIT, the server's ERROR is the expected goodbye, not a failure.
  ERROR: (m, msg) => m.add(m.server, { kind: m.status === 'quitting' ? 'info' : 'error', text: msg.params[0] ?? 'ERROR', time: timeOf(msg) }),
  INVITE: (m, msg) => m.add(m.current, { kind: 'info', from: nickOf(msg.source), text: m.t('client.event.invite', { nick: nickOf(msg.source), room: msg.params[1] ?? '' }), time: timeOf(msg) }),
  WALLOPS: (m, msg) => m.add(m.server, { kind: 'notice', from: nickOf(msg.source), text: m.t('client.event.wallops', { text: msg.params[0] ?? '' }), time: timeOf(msg), serverNotice: true }),
  [N.RPL_ISUPPORT]: isupport,
  [N.RPL_NAMREPLY]: names,
  [N.RPL_ENDOFNAMES]: endOfNames,
  [N.RPL_TOPIC]: topicReply,
  [N.RPL_NOTOPIC]: topicReply,
  [N.RPL_TOPICWHOTIME]: topicWhoTime,
  [N.RPL_AWAY]: awayReply,
  [N.RPL_CREATIONTIME]: () => {},
};

/** Lines the connection handles and that show nothing. */
const SILENT = new Set(['PING', 'PONG', 'CAP', 'BATCH', 'TAGMSG', 'SETNAME', 'CHGHOST', 'ACCOUNT', 'AUTHENTICATE']);

/** Notes our own `user@host` from what shows it, so that long messages are cut to fit (effects.ts). */
function noteOwnSource(m: ChatModel, msg: IrcMessage, s: InboundState): void {
  const mine = (nick: string): boolean => isSelf(m, nick);
  const shown = userHostOf(msg.source, mine);
  if (shown !== undefined) s.ownUserHost = shown;
  if (msg.command === N.RPL_WELCOME) {
    // `Welcome to the … Network nick!user@host`, as most servers (Parlor among them) write it.
    const text = msg.params.at(-1) ?? '';
    s.ownUserHost = userHostOf(text.slice(text.lastIndexOf(' ') + 1), mine) ?? s.ownUserHost;
  } else if (msg.command === 'CHGHOST' && shown !== undefined && msg.params.length >= 2) {
    s.ownUserHost = `${msg.params[0]}@${msg.params[1]}`;
  } else if (msg.command === N.RPL_VISIBLEHOST && msg.params.length >= 3) {
    const host = msg.params[1]!;
    const user = s.ownUserHost?.slice(0, s.ownUserHost.lastIndexOf('@'));
    // A cloak given as `host` alone keeps the username; without one known, the worst is assumed.
    s.ownUserHost = host.includes('@') ? host : user === undefined ? undefined : `${user}@${host}`;
  }
}

export function applyMessage(m: ChatModel, msg: IrcMessage, s: InboundState): void {
  noteOwnSource(m, msg, s);
  // Replies to the client's own WHO (bots.ts) are not shown.
  if (followBots(m, msg)) return;
  if (serverListLine(m, msg, s.linksPending)) return;
  const handler = HANDLERS[msg.command];
  if (handler) handler(m, msg, s);
  else if (/^\d{3}$/.test(msg.command)) numeric(m, msg, s);
  else if (!SILENT.has(msg.command)) m.add(m.server, { kind: 'info', from: msg.source, text: `${msg.command} ${msg.params.join(' ')}`, time: timeOf(msg) });
}
