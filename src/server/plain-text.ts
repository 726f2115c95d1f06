// Plain-text mode: for someone at `nc host 6666` or telnet who does not speak IRC. Their
// lines become IRC commands (text is said in the current room, /commands do the rest) and
// the IRC lines meant for them are rendered for people: `[12:01:05] <alice> hello`.
// The session underneath is an ordinary IRC session, so plain and IRC users meet as equals.
// Every line a person is shown goes through terminalSafe: nicks, rooms, topics, reasons and
// messages come from others, and the person's terminal must not act on what they hold.
import { ACTION_BYTES, messageTextBytes, splitMessage, userHostOf } from '../clients/split-message.ts';
import { foldCase } from '../protocol/casemapping.ts';
import { parseLine, type IrcMessage } from '../protocol/message.ts';
import { RPL_WELCOME } from '../protocol/numerics.ts';
import { terminalSafe } from '../protocol/terminal-safe.ts';
import { isChannelName, isValidNick } from '../protocol/validate.ts';

/**
 * Whether a connection's first line is IRC: tags or a source, or an IRC command in capitals
 * (`NICK alice`, `CAP LS 302`, even `JOIN #a` too early). A person types anything else.
 */
export function looksLikeIrc(line: string, isCommand: (verb: string) => boolean): boolean {
  if (line.startsWith('@') || line.startsWith(':')) return true;
  const word = line.split(' ', 1)[0]!;
  return /^([A-Z]+|\d{3})$/.test(word) && isCommand(word);
}

export function greeting(serverName: string, network: string): string[] {
  return [
    `Welcome to ${network} (${serverName}), a chat server.`,
    'You are in plain-text mode: type and press Enter. (IRC clients are welcome here too.)',
    'Choose a nickname (letters, digits and - _ [ ] { } | ^ `, not starting with a digit):',
  ].map(terminalSafe);
}

export const PLAIN_HELP = [
  'Type a line and press Enter to say it in the current room.',
  '  /join #room        join a room (or switch to it) — /part to leave the current one',
  '  /msg nick text     a private message',
  '  /me waves          an action',
  '  /nick newname      change your nickname',
  '  /who               who is in the current room',
  '  /rooms             the list of rooms',
  '  /topic [text]      show or set the room topic',
  '  /quit [reason]     leave (or type: exit)',
];

/** Numerics that matter to an IRC client's machinery, not to a person reading. */
const SILENT = new Set(['002', '003', '004', '005', '250', '251', '252', '253', '254', '255', '265', '266', '333', '366', '321', '375', '329']);

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
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

  constructor(private readonly defaultRoom: string) {}

  /** A line typed by the person, given their nick (undefined until registered). */
  input(text: string, nick: string | undefined): PlainInput {
    const result = this.interpret(text, nick);
    // Replies may quote what was typed; telnet sends control characters too.
    return result.reply === undefined ? result : { ...result, reply: result.reply.map(terminalSafe) };
  }

  private interpret(text: string, nick: string | undefined): PlainInput {
    const line = text.trimEnd();
    if (nick === undefined) {
      // People who know IRC answer the prompt with `/nick name`: that is the name too.
      const wanted = line.trim().replace(/^\/nick\s+/i, '');
      // Whole words only: `exit-man` is a nickname, not a way out.
      if (/^(exit|\/quit)(\s|$)/i.test(wanted)) return { commands: [cmd('QUIT', 'Leaving')] };
      if (!isValidNick(wanted, 30)) return { reply: [`"${wanted}" cannot be a nickname. Try another (letters and digits, not starting with a digit):`] };
      return { commands: [cmd('NICK', wanted), cmd('USER', wanted.slice(0, 18), '0', '*', 'plain-text user')] };
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
        if (first === '') return { reply: ['Usage: /join #room'] };
        const room = isChannelName(first) ? first : `#${first}`;
        const joined = this.rooms.get(foldCase(room));
        if (joined !== undefined) {
          this.currentRoom = joined;
          return { reply: [`*** Now talking in ${joined}`] };
        }
        return { commands: [cmd('JOIN', room)] };
      }
      case 'part':
      case 'leave': {
        const room = isChannelName(first) ? first : this.currentRoom;
        if (!room) return { reply: ['You are not in a room.'] };
        const reason = isChannelName(first) ? afterFirst : args;
        return { commands: [reason ? cmd('PART', room, reason) : cmd('PART', room)] };
      }
      case 'msg':
      case 'query':
        if (first === '' || afterFirst === '') return { reply: ['Usage: /msg nick text'] };
        return { commands: this.privmsgs(nick, first, afterFirst) };
      case 'me':
        if (!this.currentRoom) return { reply: ['You are not in a room: /join #room first.'] };
        // An empty action would reach others as a bare "* nick".
        if (args === '') return { reply: ['Usage: /me does something'] };
        return { commands: this.privmsgs(nick, this.currentRoom, args, true) };
      case 'nick':
        if (first === '') return { reply: ['Usage: /nick newname'] };
        return { commands: [cmd('NICK', first)] };
      case 'who':
      case 'names': {
        const room = isChannelName(first) ? first : this.currentRoom;
        if (!room) return { reply: ['You are not in a room.'] };
        return { commands: [cmd('NAMES', room)] };
      }
      case 'rooms':
      case 'list':
        return { commands: [cmd('LIST')] };
      case 'topic': {
        // `/topic #room [text]` names the room, as /part and /who may; else the current one.
        const room = isChannelName(first) ? first : this.currentRoom;
        if (!room) return { reply: ['You are not in a room.'] };
        const text = isChannelName(first) ? afterFirst : args;
        return { commands: [text ? cmd('TOPIC', room, text) : cmd('TOPIC', room)] };
      }
      case 'help':
        return { reply: PLAIN_HELP };
      case 'quit':
      case 'exit':
        return { commands: [cmd('QUIT', args || 'Leaving')] };
      default:
        return { reply: [`Unknown command /${word}. Type /help for the list.`] };
    }
  }

  private say(text: string, nick: string): PlainInput {
    if (!this.currentRoom) return { reply: ['You are not in a room: /join #room, or /msg nick text.'] };
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

  /** An IRC line for this person, as text safe for their terminal (undefined: nothing to show). */
  render(wire: string, me: string, now: number): string | undefined {
    const text = this.describe(wire, me, now);
    return text === undefined ? undefined : terminalSafe(text);
  }

  /** An IRC line as text, before it is made terminal-safe. */
  private describe(wire: string, me: string, now: number): string | undefined {
    let msg: IrcMessage;
    try {
      msg = parseLine(wire);
    } catch {
      return wire;
    }
    const time = `[${clockTime(msg.tags.time ? Date.parse(msg.tags.time) : now)}]`;
    const from = nickOf(msg.source);
    const p = msg.params;
    const self = foldCase(from) === foldCase(me);
    this.noteOwnSource(msg, self, me);
    switch (msg.command) {
      case 'PRIVMSG':
      case 'NOTICE': {
        const target = p[0] ?? '';
        let text = p[1] ?? '';
        const action = text.startsWith('\x01ACTION ') ? text.slice(8, text.endsWith('\x01') ? -1 : undefined) : undefined;
        if (action === undefined && text.startsWith('\x01')) return undefined; // CTCP queries
        text = action ?? text;
        if (target === '$*' || target.startsWith('$')) return `${time} *** BROADCAST from ${from}: ${text}`;
        if (!msg.source?.includes('!')) return `${time} -${from}- ${text}`;
        if (!isChannelName(target.replace(/^[@+]/, ''))) {
          const who = msg.command === 'NOTICE' ? `-${from}-` : `*${from}*`;
          return action !== undefined ? `${time} (private) * ${from} ${text}` : `${time} (private) ${who} ${text}`;
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
          return `${time} *** You joined ${room}. Type to talk; /help for commands.`;
        }
        return `${time} --> ${from} joined ${room}`;
      }
      case 'PART': {
        const room = p[0] ?? '';
        if (self) this.leave(room);
        return `${time} <-- ${self ? 'You' : from} left ${room}${p[1] ? ` (${p[1]})` : ''}`;
      }
      case 'QUIT':
        return `${time} <-- ${from} quit${p[0] ? ` (${p[0]})` : ''}`;
      case 'KICK': {
        const kicked = p[1] ?? '';
        const mine = foldCase(kicked) === foldCase(me);
        if (mine) this.leave(p[0] ?? '');
        return `${time} <-- ${mine ? 'You were' : `${kicked} was`} kicked from ${p[0]} by ${from}${p[2] ? ` (${p[2]})` : ''}`;
      }
      case 'NICK':
        // The echo of one's own change is rendered once the nick is already the new one.
        return `${time} --- ${self || foldCase(p[0] ?? '') === foldCase(me) ? 'You are' : `${from} is`} now known as ${p[0]}`;
      case 'TOPIC':
        return `${time} --- ${from} set the topic of ${p[0]}: ${p[1] ?? ''}`;
      case 'MODE':
        return isChannelName(p[0] ?? '') ? `${time} --- ${from} sets mode ${p.slice(1).join(' ')} on ${p[0]}` : undefined;
      case 'INVITE':
        return `${time} --- ${from} invites you to ${p[1]} (type /join ${p[1]})`;
      case 'KILL':
        return `${time} *** You were disconnected by ${from}: ${p[1] ?? ''}`;
      case 'WALLOPS':
        return `${time} *** WALLOPS from ${from}: ${p[0] ?? ''}`;
      case 'ERROR':
        return `*** Disconnected: ${(p[0] ?? '').replace(/^Closing Link: \S+ \((.*)\)$/, '$1')}`;
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
    switch (code) {
      case '001':
        return `${time} *** ${last.replace(/ \S+!\S+@\S+$/, '')}`;
      case '372':
        return last.replace(/^- ?/, '  ');
      case '376':
      case '422':
        return undefined;
      case '353':
        return `${time} *** In ${p[1]}: ${(p[2] ?? '').split(' ').join(', ')}`;
      case '332':
        return `${time} *** Topic of ${p[0]}: ${last}`;
      case '331':
        return `${time} *** ${p[0]} has no topic`;
      case '322':
        return `  ${p[0]} (${p[1]} ${p[1] === '1' ? 'person' : 'people'})${p[2] ? `: ${p[2]}` : ''}`;
      case '323':
        return `${time} *** End of the room list; /join #room to enter one`;
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
    if (this.currentRoom !== undefined && foldCase(this.currentRoom) === foldCase(room)) this.currentRoom = [...this.rooms.values()][0];
  }
}
