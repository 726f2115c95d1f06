// What a line typed by the user means: slash commands (one table, each with its syntax and
// help) and plain text. Pure: a line and the context it was typed in become a list of
// effects, which the client core carries out. Shared by the terminal UI and line mode.
import { ENGLISH, type MessageKey, type Translate } from '../i18n/i18n.ts';

export type Effect =
  /** A raw line for the server. */
  | { type: 'send'; line: string }
  /** A message to a room or person, echoed locally unless the server echoes it. */
  | { type: 'say'; target: string; text: string; style: 'message' | 'action' | 'notice'; explicit?: boolean }
  /** Join rooms, remembering keys for rejoining after a reconnect. */
  | { type: 'join'; rooms: string[]; keys: string[] }
  /**
   * Ask for rooms' members (`#a,#b`) and show them, when they arrive, in the buffer named
   * `shownIn` (where the command was typed: a room or nick, '' for the server buffer).
   */
  | { type: 'names'; room: string; shownIn?: string }
  /** Open (and go to) a private conversation. */
  | { type: 'query'; nick: string }
  /** Close a buffer, leaving the room if it is one we are in. */
  | { type: 'close'; name: string }
  /** Go to buffer number n (1 = the server buffer). */
  | { type: 'window'; n: number }
  | { type: 'quit'; reason: string }
  /** Delete (REDACT) the user's own message `back` from the end of the buffer `target`, with an optional reason (redaction.ts). */
  | { type: 'delete'; target: string; back: number; reason?: string }
  /** Something to show the user, produced here rather than by the server. */
  | { type: 'note'; kind: 'info' | 'error'; text: string };

export interface CommandContext {
  /** The room or nick of the current buffer; undefined in the server buffer. */
  target?: string | undefined;
  /** Characters that start a room name (ISUPPORT CHANTYPES). */
  chanTypes?: string;
  /** The user's language, for help and usage notes (English by default). */
  t?: Translate;
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** Arguments as shown to the user, without the command itself. */
  syntax: string;
  /** The catalogue key of what it does. */
  help: MessageKey;
  /** `args` is what follows the command, trimmed; returns the effects or a usage error. */
  run(args: string, ctx: Required<Pick<CommandContext, 'chanTypes' | 't'>> & CommandContext): Effect[] | UsageError;
}

/** Wrong or missing arguments: the command's syntax is shown. */
class UsageError {
  constructor(readonly reason?: MessageKey) {}
}
const usage = (reason?: MessageKey): UsageError => new UsageError(reason);

const send = (line: string): Effect => ({ type: 'send', line });
const note = (text: string, kind: 'info' | 'error' = 'info'): Effect => ({ type: 'note', kind, text });

/** The first `n` space-separated words, then the rest of the text (possibly ''). */
export function splitWords(text: string, n: number): string[] {
  const out: string[] = [];
  let rest = text.trimStart();
  for (let i = 0; i < n; i++) {
    const m = /^(\S+)\s*/.exec(rest);
    if (!m) break;
    out.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  out.push(rest);
  return out;
}

function isRoom(name: string | undefined, chanTypes: string): name is string {
  return name !== undefined && name.length > 0 && chanTypes.includes(name[0]!);
}

/** `[#room] rest`: the room named first, or else the current one (which must be a room). */
function roomAndRest(args: string, ctx: { target?: string | undefined; chanTypes: string }): [string, string] | UsageError {
  const [first, rest] = splitWords(args, 1) as [string | undefined, string];
  if (isRoom(first, ctx.chanTypes)) return [first, rest];
  if (isRoom(ctx.target, ctx.chanTypes)) return [ctx.target, args];
  return usage('client.usage.nameRoom');
}

/** A trailing parameter, or nothing when the text is empty. */
const trailing = (text: string): string => (text === '' ? '' : ` :${text}`);

/** A command the operator commands all share: the verb and the user's arguments as given. */
function passThrough(verb: string, needsArgs: boolean) {
  return (args: string): Effect[] | UsageError => (needsArgs && args === '' ? usage() : [send(args === '' ? verb : `${verb} ${args}`)]);
}

/** MODE on a member of a room: `/op nick` and friends. */
function memberMode(mode: string) {
  return (args: string, ctx: { target?: string | undefined; chanTypes: string }): Effect[] | UsageError => {
    const r = roomAndRest(args, ctx);
    if (r instanceof UsageError) return r;
    const nicks = r[1].split(/\s+/).filter((n) => n !== '');
    if (nicks.length === 0) return usage();
    return [send(`MODE ${r[0]} ${mode[0]}${mode[1]!.repeat(nicks.length)} ${nicks.join(' ')}`)];
  };
}

/** A bare nick as a ban mask, `nick!*@*`; anything with ! or @, or an extban (`$a:bob`), is already one. */
export function banMask(target: string): string {
  return /[!@]/.test(target) || target.startsWith('$') ? target : `${target}!*@*`;
}

/** `/except [#room] [mask]` and friends: with a mask, MODE ±letter on it; without, the list (adding only). */
function listMode(sign: '+' | '-', letter: string) {
  return (args: string, ctx: { target?: string | undefined; chanTypes: string }): Effect[] | UsageError => {
    const r = roomAndRest(args, ctx);
    if (r instanceof UsageError) return r;
    const [who] = splitWords(r[1], 1);
    if (!who) return sign === '+' ? [send(`MODE ${r[0]} ${letter}`)] : usage();
    return [send(`MODE ${r[0]} ${sign}${letter} ${banMask(who)}`)];
  };
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'join',
    aliases: ['j'],
    syntax: '<#room>[,<#room>…] [<key>[,<key>…]]',
    help: 'client.command.join',
    run(args, ctx) {
      const [rooms, keys] = splitWords(args, 2);
      if (!rooms) return usage();
      const names = rooms.split(',').filter((r) => r !== '').map((r) => (isRoom(r, ctx.chanTypes) ? r : `#${r}`));
      if (names.length === 0) return usage();
      return [{ type: 'join', rooms: names, keys: keys ? keys.split(',') : [] }];
    },
  },
  {
    name: 'part',
    aliases: ['leave'],
    syntax: '[<#room>] [<reason>]',
    help: 'client.command.part',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      return [send(`PART ${r[0]}${trailing(r[1])}`)];
    },
  },
  {
    name: 'msg',
    syntax: '<#room|nick> <text>',
    help: 'client.command.msg',
    run(args) {
      const [target, text] = splitWords(args, 1);
      if (!target || !text) return usage();
      return [{ type: 'say', target, text, style: 'message', explicit: true }];
    },
  },
  {
    name: 'query',
    syntax: '<nick> [<text>]',
    help: 'client.command.query',
    run(args) {
      const [nick, text] = splitWords(args, 1);
      if (!nick) return usage();
      const out: Effect[] = [{ type: 'query', nick }];
      if (text) out.push({ type: 'say', target: nick, text, style: 'message', explicit: true });
      return out;
    },
  },
  {
    name: 'me',
    syntax: '<action>',
    help: 'client.command.me',
    run(args, ctx) {
      if (args === '') return usage();
      if (!ctx.target) return usage('client.usage.noTarget');
      return [{ type: 'say', target: ctx.target, text: args, style: 'action' }];
    },
  },
  {
    name: 'notice',
    syntax: '<#room|nick> <text>',
    help: 'client.command.notice',
    run(args) {
      const [target, text] = splitWords(args, 1);
      if (!target || !text) return usage();
      return [{ type: 'say', target, text, style: 'notice', explicit: true }];
    },
  },
  {
    name: 'nick',
    syntax: '<new nick>',
    help: 'client.command.nick',
    run: (args) => (/^\S+$/.test(args) ? [send(`NICK ${args}`)] : usage()),
  },
  {
    name: 'topic',
    syntax: '[<#room>] [<new topic>]',
    help: 'client.command.topic',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      return [send(`TOPIC ${r[0]}${trailing(r[1])}`)];
    },
  },
  {
    name: 'names',
    syntax: '[<#room>,…]',
    help: 'client.command.names',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      return [{ type: 'names', room: r[0], shownIn: ctx.target ?? '' }];
    },
  },
  { name: 'list', syntax: '[<#room|mask|condition>,…]', help: 'client.command.list', run: passThrough('LIST', false) },
  { name: 'links', syntax: '[<mask>]', help: 'client.command.links', run: passThrough('LINKS', false) },
  {
    name: 'whois',
    aliases: ['wi'],
    syntax: '<nick>',
    help: 'client.command.whois',
    run: (args) => (/^\S+$/.test(args) ? [send(`WHOIS ${args}`)] : usage()),
  },
  {
    name: 'away',
    syntax: '[<message>]',
    help: 'client.command.away',
    run: (args) => [send(`AWAY${trailing(args)}`)],
  },
  {
    name: 'invite',
    syntax: '<nick> [<#room>]',
    help: 'client.command.invite',
    run(args, ctx) {
      const [nick, room] = splitWords(args, 1);
      if (!nick) return usage();
      const where = room || ctx.target;
      if (!isRoom(where, ctx.chanTypes)) return usage('client.usage.nameRoom');
      return [send(`INVITE ${nick} ${where}`)];
    },
  },
  {
    name: 'kick',
    aliases: ['k'],
    syntax: '[<#room>] <nick> [<reason>]',
    help: 'client.command.kick',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      const [nick, reason] = splitWords(r[1], 1);
      if (!nick) return usage();
      return [send(`KICK ${r[0]} ${nick}${trailing(reason!)}`)];
    },
  },
  {
    name: 'ban',
    syntax: '[<#room>] <nick|mask>',
    help: 'client.command.ban',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      const [who] = splitWords(r[1], 1);
      if (!who) return usage();
      return [send(`MODE ${r[0]} +b ${banMask(who)}`)];
    },
  },
  {
    name: 'kickban',
    aliases: ['kb'],
    syntax: '[<#room>] <nick> [<reason>]',
    help: 'client.command.kickban',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      const [nick, reason] = splitWords(r[1], 1);
      if (!nick) return usage();
      return [send(`MODE ${r[0]} +b ${banMask(nick)}`), send(`KICK ${r[0]} ${nick}${trailing(reason!)}`)];
    },
  },
  {
    name: 'unban',
    syntax: '[<#room>] <nick|mask>',
    help: 'client.command.unban',
    run(args, ctx) {
      const r = roomAndRest(args, ctx);
      if (r instanceof UsageError) return r;
      const [who] = splitWords(r[1], 1);
      if (!who) return usage();
      return [send(`MODE ${r[0]} -b ${banMask(who)}`)];
    },
  },
  { name: 'except', syntax: '[<#room>] [<nick|mask>]', help: 'client.command.except', run: listMode('+', 'e') },
  { name: 'unexcept', syntax: '[<#room>] <nick|mask>', help: 'client.command.unexcept', run: listMode('-', 'e') },
  { name: 'invex', syntax: '[<#room>] [<nick|mask>]', help: 'client.command.invex', run: listMode('+', 'I') },
  { name: 'uninvex', syntax: '[<#room>] <nick|mask>', help: 'client.command.uninvex', run: listMode('-', 'I') },
  {
    name: 'delete',
    aliases: ['redact'],
    syntax: '[<n>] [<reason>]',
    help: 'client.command.delete',
    run(args, ctx) {
      // A first word of digits is n; anything else is the reason (`/delete 2nd try` included).
      const [first, rest] = splitWords(args, 1) as [string | undefined, string];
      const counted = first !== undefined && /^\d+$/.test(first);
      const back = counted ? Number(first) : 1;
      if (!Number.isSafeInteger(back) || back < 1) return usage();
      if (!ctx.target) return usage('client.usage.noTarget');
      const reason = (counted ? rest : args).trim();
      return [{ type: 'delete', target: ctx.target, back, ...(reason === '' ? {} : { reason }) }];
    },
  },
  { name: 'op', syntax: '[<#room>] <nick>…', help: 'client.command.op', run: memberMode('+o') },
  { name: 'deop', syntax: '[<#room>] <nick>…', help: 'client.command.deop', run: memberMode('-o') },
  { name: 'voice', syntax: '[<#room>] <nick>…', help: 'client.command.voice', run: memberMode('+v') },
  { name: 'devoice', syntax: '[<#room>] <nick>…', help: 'client.command.devoice', run: memberMode('-v') },
  {
    name: 'mode',
    syntax: '[<#room|nick>] [<modes> [<arguments>…]]',
    help: 'client.command.mode',
    run(args, ctx) {
      const [first] = splitWords(args, 1);
      if (first && !/^[+-]/.test(first)) return [send(`MODE ${args}`)];
      if (!isRoom(ctx.target, ctx.chanTypes)) return usage('client.usage.nameRoom');
      return [send(`MODE ${ctx.target}${args === '' ? '' : ` ${args}`}`)];
    },
  },
  {
    name: 'quit',
    aliases: ['exit'],
    syntax: '[<message>]',
    help: 'client.command.quit',
    run: (args) => [{ type: 'quit', reason: args }],
  },
  {
    name: 'oper',
    syntax: '<name> <password>',
    help: 'client.command.oper',
    run(args) {
      const [name, password] = splitWords(args, 1);
      if (!name || !password) return usage();
      return [send(`OPER ${name} ${password}`)];
    },
  },
  {
    name: 'kill',
    syntax: '<nick> [<reason>]',
    help: 'client.command.kill',
    run(args) {
      const [nick, reason] = splitWords(args, 1);
      if (!nick) return usage();
      // Without a reason the server gives its own ("No reason given"), in its words.
      return [send(reason ? `KILL ${nick} :${reason}` : `KILL ${nick}`)];
    },
  },
  { name: 'kline', syntax: '[<duration>] <nick|mask|IP|CIDR> [<reason>]', help: 'client.command.kline', run: passThrough('KLINE', true) },
  { name: 'unkline', syntax: '<mask>', help: 'client.command.unkline', run: passThrough('UNKLINE', true) },
  { name: 'mute', syntax: '[<duration>] <nick|mask|IP|CIDR> [<reason>]', help: 'client.command.mute', run: passThrough('MUTE', true) },
  { name: 'unmute', syntax: '<mask>', help: 'client.command.unmute', run: passThrough('UNMUTE', true) },
  { name: 'limit', syntax: '[ip] [<n>]', help: 'client.command.limit', run: passThrough('LIMIT', false) },
  { name: 'rehash', syntax: '', help: 'client.command.rehash', run: passThrough('REHASH', false) },
  {
    name: 'wallops',
    syntax: '<text>',
    help: 'client.command.wallops',
    run: (args) => (args === '' ? usage() : [send(`WALLOPS :${args}`)]),
  },
  {
    name: 'broadcast',
    syntax: '<text>',
    help: 'client.command.broadcast',
    run: (args) => (args === '' ? usage() : [send(`NOTICE $* :${args}`)]),
  },
  {
    name: 'quote',
    aliases: ['raw'],
    syntax: '<raw IRC line>',
    help: 'client.command.quote',
    run: (args) => (args === '' ? usage() : [send(args)]),
  },
  {
    name: 'close',
    aliases: ['wc'],
    syntax: '[<#room|nick>]',
    help: 'client.command.close',
    run(args, ctx) {
      const name = args || ctx.target;
      if (!name) return usage('client.usage.serverBufferStays');
      return [{ type: 'close', name }];
    },
  },
  {
    name: 'window',
    aliases: ['win', 'w'],
    syntax: '<n>',
    help: 'client.command.window',
    run: (args) => (/^\d+$/.test(args) ? [{ type: 'window', n: Number(args) }] : usage()),
  },
  {
    name: 'help',
    syntax: '[<command>]',
    help: 'client.command.help',
    run(args, { t }) {
      if (args === '') {
        // One line per command: its usage, then what it does in the user's language.
        return [note(t('client.help.list')), ...COMMANDS.map((c) => note(`  ${`/${c.name} ${c.syntax}`.trimEnd()} — ${t(c.help)}`))];
      }
      const spec = findCommand(args.replace(/^\//, ''));
      if (!spec) return [note(t('client.help.noSuchCommand', { command: args }), 'error')];
      const syntax = `/${spec.name} ${spec.syntax}`.trimEnd();
      const aliases = spec.aliases?.map((a) => `/${a}`).join(', ');
      return [note(aliases ? t('client.help.withAliases', { syntax, aliases }) : syntax), note(`  ${t(spec.help)}`)];
    },
  },
];

const BY_NAME = new Map<string, CommandSpec>();
for (const spec of COMMANDS) {
  for (const name of [spec.name, ...(spec.aliases ?? [])]) BY_NAME.set(name, spec);
}

export function findCommand(name: string): CommandSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every command name (not aliases), for completion. */
export function commandNames(): string[] {
  return COMMANDS.map((c) => c.name);
}

/** What a typed line means. Empty lines mean nothing; "//text" sends "/text" as text. */
export function parseInput(line: string, ctx: CommandContext = {}): Effect[] {
  const full = { ...ctx, chanTypes: ctx.chanTypes ?? '#&', t: ctx.t ?? ENGLISH.t };
  const { t } = full;
  if (line.trim() === '') return [];
  if (!line.startsWith('/') || line.startsWith('//')) {
    const text = line.startsWith('//') ? line.slice(1) : line;
    if (!full.target) return [note(t('client.nowhereToSend'), 'error')];
    return [{ type: 'say', target: full.target, text, style: 'message' }];
  }
  const [word, rest] = splitWords(line.slice(1), 1) as [string | undefined, string];
  const spec = word === undefined ? undefined : findCommand(word);
  if (!spec) return [note(t('client.unknownCommand', { command: word ?? '' }), 'error')];
  const result = spec.run(rest.trim(), full);
  if (result instanceof UsageError) {
    const syntax = `/${spec.name} ${spec.syntax}`.trimEnd();
    return [note(result.reason ? t('client.usage.withReason', { syntax, reason: t(result.reason) }) : t('client.usage.plain', { syntax }), 'error')];
  }
  return result;
}
