// Plain-text mode: for someone at `nc host 6666` or telnet who does not speak IRC. Their
// lines become IRC commands (text is said in the current room, /commands do the rest) and
// the IRC lines meant for them are rendered for people: `[12:01:05] <alice> hello`.
// The session underneath is an ordinary IRC session, so plain and IRC users meet as equals.
// Every line a person is shown goes through terminalSafe: nicks, rooms, topics, reasons and
// messages come from others, and the person's terminal must not act on what they hold.
import { ACTION_BYTES, messageTextBytes, splitMessage, userHostOf } from '../clients/split-message.ts';
import { translatorFor, type MessageKey, type Translator } from '../i18n/i18n.ts';
import { localeFromTag } from '../i18n/negotiate.ts';
import { foldCase, type Casemapping } from '../protocol/casemapping.ts';
import { parseLine, type IrcMessage } from '../protocol/message.ts';
import { RPL_WELCOME } from '../protocol/numerics.ts';
import { terminalSafe } from '../protocol/terminal-safe.ts';
import { isChannelName } from '../protocol/validate.ts';
import { chineseCharsIn, nickRefusal, type NickRefusal } from './nick-refusal.ts';

/**
 * Whether a connection's first line is IRC: tags or a source, or an IRC command in capitals
 * (`NICK alice`, `CAP LS 302`, even `JOIN #a` too early). A person types anything else.
 */
export function looksLikeIrc(line: string, isCommand: (verb: string) => boolean): boolean {
  if (line.startsWith('@') || line.startsWith(':')) return true;
  const word = line.split(' ', 1)[0]!;
  return /^([A-Z]+|\d{3})$/.test(word) && isCommand(word);
}

export function greeting(serverName: string, network: string, translator: Translator = translatorFor('en'), casemapping: Casemapping = 'rfc1459'): string[] {
  const { t } = translator;
  return [
    t('plain.greeting.welcome', { network, server: serverName }),
    t('plain.greeting.mode'),
    t('plain.greeting.otherLanguage'),
    chooseNickPrompt(translator, casemapping),
  ].map(terminalSafe);
}

/** The nickname question: under precis, letters of any script are welcome (张三). */
function chooseNickPrompt({ t }: Translator, casemapping: Casemapping): string {
  return t(casemapping === 'precis' ? 'plain.greeting.chooseNickUnicode' : 'plain.greeting.chooseNick');
}

const HELP_KEYS: readonly MessageKey[] = [
  'plain.help.intro',
  'plain.help.join',
  'plain.help.msg',
  'plain.help.me',
  'plain.help.nick',
  'plain.help.who',
  'plain.help.rooms',
  'plain.help.topic',
  'plain.help.lang',
  'plain.help.quit',
];

/** What /help shows, in the reader's language. */
export function plainHelp({ t }: Translator): string[] {
  return HELP_KEYS.map((key) => t(key));
}

/** Numerics that matter to an IRC client's machinery, not to a person reading. */
const SILENT = new Set(['002', '003', '004', '005', '250', '251', '252', '253', '254', '255', '265', '266', '333', '366', '321', '375', '329']);

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The local date, 2024-05-01. */
function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** `[12:00:05]`, or `[2024-05-01 12:00:05]` for a line said on another day than `now` (replayed history). */
export function stampOf(ms: number, now: number): string {
  const date = localDate(ms);
  return date === localDate(now) ? `[${clockTime(ms)}]` : `[${date} ${clockTime(ms)}]`;
}

const nickOf = (source: string | undefined): string => (source ?? '').split('!')[0]!;

/** What a person typed, as IRC commands, or lines to show them straight back. */
export type PlainInput = { commands: IrcMessage[]; reply?: string[] } | { commands?: undefined; reply: string[] };

const cmd = (command: string, ...params: string[]): IrcMessage => ({ tags: {}, command, params });

export class PlainTextView {
  /** The room plain text is said in: the last one joined or switched to. */
  currentRoom: string | undefined;
  /** Rooms joined: folded name → name as the server spells it. */
  readonly rooms = new Map<string, string>();
  /** The person's `user@host` as the server shows it (the welcome, their JOIN): their messages' source. */
  private userHost: string | undefined;
  /** A line to show after the one being rendered (where text now goes, after a part or kick). */
  private afterLine: string | undefined;

  constructor(
    private readonly defaultRoom: string,
    /** The person's language: the server's plainText.language until they type /lang. */
    private translator: Translator = translatorFor('en'),
    /** server.casemapping: which nicks the prompt takes (the server checks again). */
    private readonly casemapping: Casemapping = 'rfc1459',
    /** limits.nickLength (NICKLEN), in UTF-8 bytes. */
    private readonly nickBytes = 30,
  ) {}

  get locale(): Translator['locale'] {
    return this.translator.locale;
  }

  private get t(): Translator['t'] {
    return this.translator.t;
  }

  /** A line typed by the person, given their nick (undefined until registered). */
  input(text: string, nick: string | undefined): PlainInput {
    const result = this.interpret(text, nick);
    // Replies may quote what was typed; telnet sends control characters too.
    return result.reply === undefined ? result : { ...result, reply: result.reply.map(terminalSafe) };
  }

  private interpret(text: string, nick: string | undefined): PlainInput {
    const line = text.trimEnd();
    const t = this.t;
    // Before a nickname too: the greeting offers it to those who do not read its language.
    if (/^\/lang(\s|$)/i.test(line.trim())) return this.chooseLanguage(line.trim().slice(5).trim(), nick === undefined);
    if (nick === undefined) {
      // People who know IRC answer the prompt with `/nick name`: that is the name too.
      const wanted = line.trim().replace(/^\/nick\s+/i, '');
      // Whole words only: `exit-man` is a nickname, not a way out.
      if (/^(exit|\/quit)(\s|$)/i.test(wanted)) return { commands: [cmd('QUIT', 'Leaving')] };
      const refusal = nickRefusal(wanted, this.nickBytes, this.casemapping);
      if (refusal !== undefined) return { reply: [this.badNick(wanted, refusal)] };
      return { commands: [cmd('NICK', wanted), cmd('USER', Array.from(wanted).slice(0, 18).join(''), '0', '*', 'plain-text user')] };
    }
    if (line.trim() === '') return { reply: [] };
    if (/^exit$/i.test(line.trim())) return { commands: [cmd('QUIT', 'Leaving')] };
    if (line.startsWith('//')) return this.say(line.slice(1), nick);
    if (!line.startsWith('/')) return this.say(line, nick);
    const [word, ...rest] = line.slice(1).split(' ');
    const args = rest.join(' ').trim();
    const first = rest.find((w) => w !== '') ?? '';
    const afterFirst = args.slice(first.length).trim();
    switch (word!.toLowerCase()) {
      case 'join':
      case 'j': {
        if (first === '') return { reply: [t('plain.usage.join')] };
        const room = isChannelName(first) ? first : `#${first}`;
        const joined = this.rooms.get(foldCase(room));
        if (joined !== undefined) {
          this.currentRoom = joined;
          return { reply: [t('plain.nowTalkingIn', { room: joined })] };
        }
        return { commands: [cmd('JOIN', room)] };
      }
      case 'part':
      case 'leave': {
        const room = isChannelName(first) ? first : this.currentRoom;
        if (!room) return { reply: [t('plain.notInRoom')] };
        const reason = isChannelName(first) ? afterFirst : args;
        return { commands: [reason ? cmd('PART', room, reason) : cmd('PART', room)] };
      }
      case 'msg':
      case 'query':
        if (first === '' || afterFirst === '') return { reply: [t('plain.usage.msg')] };
        return { commands: this.privmsgs(nick, first, afterFirst) };
      case 'me':
        if (!this.currentRoom) return { reply: [t('plain.notInRoomForAction')] };
        // An empty action would reach others as a bare "* nick".
        if (args === '') return { reply: [t('plain.usage.me')] };
        return { commands: this.privmsgs(nick, this.currentRoom, args, true) };
      case 'nick':
        if (first === '') return { reply: [t('plain.usage.nick')] };
        return { commands: [cmd('NICK', first)] };
      case 'who':
      case 'names': {
        const room = isChannelName(first) ? first : this.currentRoom;
        if (!room) return { reply: [t('plain.notInRoom')] };
        return { commands: [cmd('NAMES', room)] };
      }
      case 'rooms':
      case 'list':
        return { commands: [cmd('LIST')] };
      case 'topic': {
        // `/topic #room [text]` names the room, as /part and /who may; else the current one.
        const room = isChannelName(first) ? first : this.currentRoom;
        if (!room) return { reply: [t('plain.notInRoom')] };
        const text = isChannelName(first) ? afterFirst : args;
        return { commands: [text ? cmd('TOPIC', room, text) : cmd('TOPIC', room)] };
      }
      case 'help':
        return { reply: plainHelp(this.translator) };
      case 'quit':
      case 'exit':
        return { commands: [cmd('QUIT', args || 'Leaving')] };
      default:
        return { reply: [t('plain.unknownCommand', { command: word ?? '' })] };
    }
  }

  /** `/lang zh`: this connection's language from now on (its greeting has been shown already). */
  private chooseLanguage(wanted: string, atNickPrompt: boolean): PlainInput {
    const locale = wanted === '' ? undefined : localeFromTag(wanted);
    if (locale === undefined) return { reply: [this.t('plain.usage.lang')] };
    this.translator = translatorFor(locale);
    // At the nickname prompt the question is asked again, now in a language the person reads.
    const reply = [this.t('plain.languageChosen')];
    if (atNickPrompt) reply.push(chooseNickPrompt(this.translator, this.casemapping));
    return { reply };
  }

  /** Why the nickname typed at the prompt is refused, and what would do. */
  private badNick(nick: string, refusal: NickRefusal): string {
    const t = this.t;
    const precis = this.casemapping === 'precis';
    switch (refusal) {
      case 'too-long':
        return precis ? t('plain.badNickTooLong', { nick, bytes: this.nickBytes, chars: chineseCharsIn(this.nickBytes) }) : t('plain.badNickTooLongAscii', { nick, max: this.nickBytes });
      case 'ascii-only':
        return t('plain.badNickAsciiOnly', { nick });
      case 'invalid':
        return t(precis ? 'plain.badNickUnicode' : 'plain.badNick', { nick });
    }
  }

  private say(text: string, nick: string): PlainInput {
    if (!this.currentRoom) return { reply: [this.t('plain.notInRoomToSay')] };
    return { commands: this.privmsgs(nick, this.currentRoom, text) };
  }

  /**
   * PRIVMSGs saying `text`: a person does not count bytes, so a long line is cut into messages
   * that each fit an IRC line (512 bytes, which lineBytes is at least) once relayed to others
   * with `:nick!user@host ` in front, as an IRC client would send them.
   */
  private privmsgs(nick: string, target: string, text: string, action = false): IrcMessage[] {
    const maxBytes = messageTextBytes('PRIVMSG', target, nick, this.userHost) - (action ? ACTION_BYTES : 0);
    return splitMessage(text, maxBytes).map((piece) => cmd('PRIVMSG', target, action ? `\x01ACTION ${piece}\x01` : piece));
  }

  /** Commands to send once registered: into the default room. */
  afterWelcome(): IrcMessage[] {
    return this.defaultRoom === '' ? [] : [cmd('JOIN', this.defaultRoom)];
  }

  /** A pasted line over plainText.maxLineBytes (`maxBytes`): not sent, and the limit said. */
  inputTooLong(maxBytes: number): string {
    return this.t('plain.inputTooLong', { bytes: maxBytes, chars: chineseCharsIn(maxBytes) });
  }

  /** Shown before a room's replayed history. */
  replayStart(room: string): string {
    return terminalSafe(this.t('plain.replay.earlier', { room }));
  }

  /** Shown after a room's replayed history: what follows is said now. */
  replayEnd(): string {
    return this.t('plain.replay.now');
  }

  /** An IRC line for this person, as text safe for their terminal (undefined: nothing to show). */
  render(wire: string, me: string, now: number): string | undefined {
    return this.renderLines(wire, me, now)[0];
  }

  /** An IRC line for this person as the lines to show, each safe for their terminal. */
  renderLines(wire: string, me: string, now: number): string[] {
    this.afterLine = undefined;
    const text = this.describe(wire, me, now);
    const lines = text === undefined ? [] : [text];
    if (this.afterLine !== undefined) lines.push(this.afterLine);
    this.afterLine = undefined;
    return lines.map(terminalSafe);
  }

  /** An IRC line as text, before it is made terminal-safe. */
  private describe(wire: string, me: string, now: number): string | undefined {
    let msg: IrcMessage;
    try {
      msg = parseLine(wire);
    } catch {
      return wire;
    }
    const said = msg.tags.time ? Date.parse(msg.tags.time) : NaN;
    const time = stampOf(Number.isNaN(said) ? now : said, now);
    const from = nickOf(msg.source);
    const p = msg.params;
    const self = foldCase(from) === foldCase(me);
    const t = this.t;
    this.noteOwnSource(msg, self, me);
    switch (msg.command) {
      case 'PRIVMSG':
      case 'NOTICE': {
        const target = p[0] ?? '';
        let text = p[1] ?? '';
        const action = text.startsWith('\x01ACTION ') ? text.slice(8, text.endsWith('\x01') ? -1 : undefined) : undefined;
        if (action === undefined && text.startsWith('\x01')) return undefined; // CTCP queries
        text = action ?? text;
        if (target === '$*' || target.startsWith('$')) return `${time} ${t('plain.event.broadcast', { nick: from, text })}`;
        if (!msg.source?.includes('!')) return `${time} -${from}- ${text}`;
        if (!isChannelName(target.replace(/^[@+]/, ''))) {
          const who = msg.command === 'NOTICE' ? `-${from}-` : `*${from}*`;
          return `${time} ${t('plain.event.private', { line: action !== undefined ? `* ${from} ${text}` : `${who} ${text}` })}`;
        }
        const where = this.roomLabel(target);
        if (action !== undefined) return `${time} ${where}* ${from} ${text}`;
        return msg.command === 'NOTICE' ? `${time} ${where}-${from}- ${text}` : `${time} ${where}<${from}> ${text}`;
      }
      case 'JOIN': {
        const room = p[0] ?? '';
        if (self) {
          this.rooms.set(foldCase(room), room);
          this.currentRoom = room;
          return `${time} ${t('plain.event.joinedSelf', { room })}`;
        }
        return `${time} ${t('plain.event.joined', { nick: from, room })}`;
      }
      case 'PART': {
        const room = p[0] ?? '';
        if (self) this.leave(room);
        const reason = p[1] ?? '';
        const key = self ? (reason ? 'plain.event.leftSelfReason' : 'plain.event.leftSelf') : reason ? 'plain.event.leftReason' : 'plain.event.left';
        return `${time} ${t(key, { nick: from, room, reason })}`;
      }
      case 'QUIT':
        return `${time} ${t(p[0] ? 'plain.event.quitReason' : 'plain.event.quit', { nick: from, reason: p[0] ?? '' })}`;
      case 'KICK': {
        const kicked = p[1] ?? '';
        const mine = foldCase(kicked) === foldCase(me);
        if (mine) this.leave(p[0] ?? '');
        const reason = p[2] ?? '';
        const key = mine ? (reason ? 'plain.event.kickedSelfReason' : 'plain.event.kickedSelf') : reason ? 'plain.event.kickedReason' : 'plain.event.kicked';
        return `${time} ${t(key, { nick: kicked, room: p[0] ?? '', by: from, reason })}`;
      }
      case 'NICK':
        // The echo of one's own change is rendered once the nick is already the new one.
        return `${time} ${t(self || foldCase(p[0] ?? '') === foldCase(me) ? 'plain.event.nickSelf' : 'plain.event.nick', { old: from, nick: p[0] ?? '' })}`;
      case 'TOPIC':
        return `${time} ${t('plain.event.topicSet', { nick: from, room: p[0] ?? '', topic: p[1] ?? '' })}`;
      case 'MODE':
        return isChannelName(p[0] ?? '') ? `${time} ${t('plain.event.mode', { nick: from, modes: p.slice(1).join(' '), room: p[0] ?? '' })}` : undefined;
      case 'INVITE':
        return `${time} ${t('plain.event.invite', { nick: from, room: p[1] ?? '' })}`;
      case 'KILL':
        return `${time} ${t('plain.event.killed', { nick: from, reason: p[1] ?? '' })}`;
      case 'WALLOPS':
        return `${time} ${t('plain.event.wallops', { nick: from, text: p[0] ?? '' })}`;
      case 'ERROR':
        return t('plain.event.disconnected', { reason: (p[0] ?? '').replace(/^Closing Link: \S+ \((.*)\)$/, '$1') });
      case 'FAIL':
        // IRCv3 standard replies: FAIL <command> <code> [context…] <description>.
        return `${time} !!! ${p[p.length - 1] ?? ''}`;
      case 'WARN':
      case 'NOTE':
        return `${time} *** ${p[p.length - 1] ?? ''}`;
      case 'PING':
      case 'PONG':
      case 'CAP':
      case 'BATCH':
        return undefined;
    }
    if (!/^\d{3}$/.test(msg.command)) return `${time} ${msg.command} ${p.join(' ')}`;
    return this.renderNumeric(msg.command, p.slice(1), time);
  }

  /** Learns the person's `user@host` from the welcome (`… nick!user@host`) or a line they are the source of. */
  private noteOwnSource(msg: IrcMessage, self: boolean, me: string): void {
    let shown: string | undefined;
    if (msg.command === RPL_WELCOME) {
      const text = msg.params.at(-1) ?? '';
      shown = userHostOf(text.slice(text.lastIndexOf(' ') + 1), (nick) => foldCase(nick) === foldCase(me));
    } else if (self) {
      shown = userHostOf(msg.source, () => true);
    }
    if (shown !== undefined) this.userHost = shown;
  }

  private renderNumeric(code: string, p: string[], time: string): string | undefined {
    if (SILENT.has(code)) return undefined;
    const last = p[p.length - 1] ?? '';
    const t = this.t;
    switch (code) {
      case '001':
        return `${time} *** ${last.replace(/ \S+!\S+@\S+$/, '')}`;
      case '372':
        return last.replace(/^- ?/, '  ');
      case '376':
      case '422':
        return undefined;
      case '353':
        return `${time} ${t('plain.event.names', { room: p[1] ?? '', nicks: (p[2] ?? '').split(' ').join(t('plain.listSeparator')) })}`;
      case '332':
        return `${time} ${t('plain.event.topic', { room: p[0] ?? '', topic: last })}`;
      case '331':
        return `${time} ${t('plain.event.noTopic', { room: p[0] ?? '' })}`;
      case '322': {
        // A count that is not a number (another server's) is shown as it came.
        const count = /^\d+$/.test(p[1] ?? '') ? Number(p[1]) : (p[1] ?? '');
        return t(p[2] ? 'plain.event.listEntryTopic' : 'plain.event.listEntry', { room: p[0] ?? '', count, topic: p[2] ?? '' });
      }
      case '323':
        return `${time} ${t('plain.event.listEnd')}`;
      case '433':
        // The one refusal everyone at the nickname prompt may meet: in their language.
        return `${time} ${t('plain.event.nickInUse', { nick: p[0] ?? '' })}`;
    }
    const context = p.slice(0, -1).join(' ');
    const isError = code.startsWith('4') || code.startsWith('5');
    return `${time} ${isError ? '!!!' : '***'} ${context ? `${context}: ` : ''}${last}`;
  }

  private roomLabel(target: string): string {
    const room = target.replace(/^[@+]/, '');
    // Messages in the current room need no label; others say where they were said.
    return this.currentRoom !== undefined && foldCase(room) === foldCase(this.currentRoom) ? '' : `${room} `;
  }

  private leave(room: string): void {
    this.rooms.delete(foldCase(room));
    if (this.currentRoom === undefined || foldCase(this.currentRoom) !== foldCase(room)) return;
    this.currentRoom = [...this.rooms.values()][0];
    // What they type next goes elsewhere, or nowhere: they are told, rather than find out.
    this.afterLine = this.currentRoom === undefined ? this.t('plain.notInRoomToSay') : this.t('plain.nowTalkingIn', { room: this.currentRoom });
  }
}
