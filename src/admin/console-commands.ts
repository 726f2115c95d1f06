// The admin console's commands: each takes the rest of its line and returns lines of output.
// The actions are the server's (admin.ts), shared with IRC operators; this is their
// terminal face: parsing words, formatting tables, and saying clearly what happened.
import stringWidth from 'string-width';
import { DURATION_EXAMPLES, formatDuration, takeDuration } from '../protocol/duration.ts';
import { terminalSafe } from '../protocol/terminal-safe.ts';
import { isChannelName } from '../protocol/validate.ts';
import { listAccounts, removeAccount, setSuspended } from '../server/accounts.ts';
import { AdminError } from '../server/admin.ts';
import { commandHelpLines, helpLines } from './console-help.ts';
import type { ServerBan } from '../network/bans.ts';
import type { BanListName } from '../network/events.ts';
import type { ParlorServer } from '../server/server.ts';

export interface ConsoleCommand {
  /** e.g. `ban <nick|mask|IP|CIDR> [duration] [reason]` */
  syntax: string;
  help: string;
  run(server: ParlorServer, args: string, view: ConsoleView): string[] | Promise<string[]>;
}

/** Where the output is shown. */
export interface ConsoleView {
  /** The terminal's width, to wrap text to; undefined for a pipe. */
  columns?: number | undefined;
}

/** Splits off the first word: `say #room hello there` → ['#room', 'hello there']. */
function firstWord(text: string): [string, string] {
  const t = text.trim();
  const i = t.search(/\s/);
  return i === -1 ? [t, ''] : [t.slice(0, i), t.slice(i).trim()];
}

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A table with left-aligned columns, widths by the longest cell as the terminal shows it (你 takes two). */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => stringWidth(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i]! - stringWidth(c))))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function needs(syntax: string): never {
  throw new AdminError('invalid-value', `usage: ${syntax}`);
}

/** `<target> [duration] [reason]` as ban and mute take it: `ban bob 90min spam`, `ban bob 1 hour 30 min`. */
function banArgs(args: string, syntax: string): { target: string; durationMs: number | undefined; reason: string } {
  const [target, rest] = firstWord(args);
  if (target === '') needs(syntax);
  // A duration that does not read ("90mn", "10 spam") is refused with a hint rather than taken for the reason.
  const taken = takeDuration(rest.split(/\s+/));
  if ('problem' in taken) throw new AdminError('invalid-value', `${taken.problem} (perm or none for permanent)`);
  let reason = rest;
  for (let i = 0; i < taken.words; i++) reason = firstWord(reason)[1];
  return { target, durationMs: taken.ms, reason: reason || 'No reason given' };
}

function describeEntry(b: ServerBan, now: number): string[] {
  return [b.mask, b.expiresAt === undefined ? 'permanent' : formatDuration(b.expiresAt - now), b.setBy, b.reason];
}

function limitCommand(which: 'server' | 'ip'): ConsoleCommand {
  return {
    syntax: which === 'server' ? 'limit [n]' : 'limit-ip [n]',
    help:
      which === 'server'
        ? 'show or set the most connections the server accepts (set on every node, until its next reload)'
        : 'show or set the most connections from one IP address (set on every node, until its next reload)',
    async run(server, args) {
      const gate = server.gate;
      const actor = server.admin.consoleActor;
      if (args.trim() !== '') {
        const n = Number(args.trim());
        if (which === 'server') await server.admin.setConnectionLimit(actor, n);
        else await server.admin.setPerIpLimit(actor, n);
      }
      return which === 'server'
        ? [`connection limit: ${gate.maxConnections} (${server.sessions.size} connected now, peak ${server.stats.peakConnections})`]
        : [`per-IP limit: ${gate.maxPerIp} connections`];
    },
  };
}

/** `ban`/`unban`/`bans` and `mute`/`unmute`/`mutes`: one shape, two lists. */
function entryCommands(list: BanListName): Record<string, ConsoleCommand> {
  const ban = list === 'ban';
  const add: ConsoleCommand = {
    syntax: `${list} <nick|nick!user@host|IP|CIDR> [duration] [reason]`,
    help: ban
      ? `disconnect everyone who matches and refuse them; durations like ${DURATION_EXAMPLES} (none or perm = permanent)`
      : 'let them stay and read, but not speak (they may still message the admin nick)',
    async run(server, args) {
      const { target, durationMs, reason } = banArgs(args, add.syntax);
      const actor = server.admin.consoleActor;
      const { ban: entry, affected } = await (ban ? server.admin.ban(actor, target, durationMs, reason) : server.admin.mute(actor, target, durationMs, reason));
      const span = durationMs === undefined ? (ban ? 'permanently' : 'until unmuted') : `for ${formatDuration(durationMs)}`;
      return [`${ban ? 'banned' : 'muted'} ${entry.mask} ${span} (${reason}); ${affected} client(s) ${ban ? 'disconnected' : 'silenced'}`];
    },
  };
  const remove: ConsoleCommand = {
    syntax: `un${list} <mask|IP|CIDR>`,
    help: ban ? 'lift a ban' : 'let them speak again',
    async run(server, args) {
      if (args.trim() === '') needs(remove.syntax);
      const actor = server.admin.consoleActor;
      const entry = await (ban ? server.admin.unban(actor, args.trim()) : server.admin.unmute(actor, args.trim()));
      return [`un${ban ? 'banned' : 'muted'} ${entry.mask}`];
    },
  };
  const show: ConsoleCommand = {
    syntax: `${list}s`,
    help: `the ${list}s in force, with the time left`,
    run(server) {
      const now = server.now();
      const rows = server.admin.list(list).map((b) => describeEntry(b, now));
      return rows.length === 0 ? [`no ${list}s`] : table(['MASK', 'LEFT', 'BY', 'REASON'], rows);
    },
  };
  return { [list]: add, [`un${list}`]: remove, [`${list}s`]: show };
}

export const CONSOLE_COMMANDS: Record<string, ConsoleCommand> = {
  help: {
    syntax: 'help [command]',
    help: 'list the commands, or explain one',
    run(_server, args, view) {
      const name = args.trim();
      if (name !== '') {
        const c = CONSOLE_COMMANDS[name];
        return c ? commandHelpLines(c, view.columns) : [`no command "${name}"; try help`];
      }
      return helpLines(Object.values(CONSOLE_COMMANDS), view.columns);
    },
  },

  users: {
    syntax: 'users',
    help: 'who is connected: nick, user@address, since, idle, rooms, transport',
    run(server) {
      const now = server.now();
      const rows: string[][] = [];
      for (const s of server.sessions) {
        const u = s.user;
        rows.push([
          u ? u.nick : '(registering)',
          `${u?.username ?? s.username ?? '?'}@${s.conn.remoteAddress}`,
          clock(s.connectedAt),
          formatDuration(now - s.lastSpokeAt),
          u ? [...u.joined].map((c) => c.name).join(',') : '',
          s.conn.transport + (u?.hasMode('o') ? ' (oper)' : ''),
        ]);
      }
      if (rows.length === 0) return ['nobody is connected'];
      rows.sort((a, b) => a[0]!.localeCompare(b[0]!));
      return [...table(['NICK', 'USER@ADDRESS', 'SINCE', 'IDLE', 'ROOMS', 'TRANSPORT'], rows), `${rows.length} connection(s)`];
    },
  },

  rooms: {
    syntax: 'rooms',
    help: 'rooms with member counts and topics',
    run(server) {
      const rows = [...server.network.channels.values()]
        .sort((a, b) => b.members.size - a.members.size || a.name.localeCompare(b.name))
        .map((c) => [c.name, String(c.members.size), c.topic]);
      return rows.length === 0 ? ['no rooms'] : [...table(['ROOM', 'MEMBERS', 'TOPIC'], rows), `${rows.length} room(s)`];
    },
  },

  stats: {
    syntax: 'stats',
    help: 'the figures /metrics serves: uptime, connections, messages, drops, event-loop lag, memory, bans',
    run(server) {
      // The same snapshot as /metrics, so that the two never disagree.
      const m = server.metrics.snapshot();
      const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
      const msLag = (s: number): string => `${(s * 1000).toFixed(1)} ms`;
      const c = m.connections;
      const refused = Object.entries(m.refused).map(([k, v]) => `${k} ${v}`).join(', ');
      const lag = m.eventLoopLag;
      return [
        `uptime       ${formatDuration(m.uptimeSeconds * 1000)}`,
        `connections  ${c.total} now (${c.registered} registered), peak ${c.peak}, limit ${c.limit}`,
        `transports   tcp ${c.tcp}, tls ${c.tls}, websocket ${c.websocket}; plain text ${c.plainText}`,
        `users        ${m.networkUsers} on the network, ${m.rooms} rooms`,
        `registered   ${m.registrations} since the start`,
        `messages     ${m.messages.perSecondLast10s.toFixed(1)}/s (last 10 s), ${m.messages.perSecondLastMinute.toFixed(1)}/s (last minute), ${m.messages.received} in all`,
        `delivered    ${m.messages.delivered} copies to recipients`,
        `refused      ${refused}; flood disconnects ${m.floodDisconnects}`,
        `sendq drops  ${m.sendQueueDrops}`,
        `event loop   lag p50 ${msLag(lag.p50)}, p99 ${msLag(lag.p99)}, max ${msLag(lag.max)} (last ${formatDuration(lag.windowSeconds * 1000)})`,
        `memory       ${mb(m.memory.rss)} resident, ${mb(m.memory.heapUsed)} heap`,
        `bans         ${m.bans}, mutes ${m.mutes}`,
        `bans set     ${m.bansSet} since the start`,
      ];
    },
  },

  broadcast: {
    syntax: 'broadcast <text>',
    help: 'a notice from the server to every connected client',
    async run(server, args) {
      if (args.trim() === '') needs('broadcast <text>');
      server.admin.checkTextLength(args.trim());
      const n = await server.admin.broadcast(server.admin.consoleActor, args.trim());
      return [`broadcast sent to ${n} user(s)`];
    },
  },

  say: {
    syntax: 'say <#room|nick> <text>',
    help: `speak as the admin nick in a room or to one person (answer messages sent to the admin nick)`,
    async run(server, args) {
      const [target, text] = firstWord(args);
      if (target === '' || text === '') needs('say <#room|nick> <text>');
      server.admin.checkTextLength(text);
      const shown = await server.admin.say(server.admin.consoleActor, target, text);
      return [`[${clock(server.now())}] -> ${shown}: ${text}`];
    },
  },

  kick: {
    syntax: 'kick <nick> [reason] | kick <#room> <nick> [reason]',
    help: 'disconnect a client with the reason, or remove them from one room',
    async run(server, args) {
      const actor = server.admin.consoleActor;
      const [first, rest] = firstWord(args);
      if (first === '') needs('kick <nick> [reason] | kick <#room> <nick> [reason]');
      if (isChannelName(first)) {
        const [nick, reason] = firstWord(rest);
        if (nick === '') needs('kick <#room> <nick> [reason]');
        const done = await server.admin.kickFromRoom(actor, first, nick, reason || 'Removed by the server operator');
        return [`removed ${done.nick} from ${done.room}`];
      }
      const reason = rest || 'Disconnected by the server operator';
      const nick = await server.admin.kill(actor, first, reason);
      return [`disconnected ${nick} (${reason})`];
    },
  },

  ...entryCommands('ban'),
  ...entryCommands('mute'),

  accounts: {
    syntax: 'accounts',
    help: 'registered accounts: name, created, suspended, connections logged in to it here',
    async run(server) {
      const rows = (await listAccounts(server)).map(({ account, online }) => [
        terminalSafe(account.name),
        new Date(account.createdAt).toISOString().slice(0, 16).replace('T', ' '),
        account.suspended ? 'yes' : 'no',
        String(online),
      ]);
      return rows.length === 0 ? ['no accounts'] : [...table(['ACCOUNT', 'CREATED', 'SUSPENDED', 'ONLINE'], rows), `${rows.length} account(s)`];
    },
  },

  suspend: {
    syntax: 'suspend <account>',
    help: 'no more logins to the account; whoever is logged in to it is logged out',
    async run(server, args) {
      if (args.trim() === '') needs('suspend <account>');
      const done = await setSuspended(server, server.admin.consoleActor, args.trim(), true);
      return [`suspended ${done.account.name}; ${done.loggedOut} connection(s) logged out`];
    },
  },

  unsuspend: {
    syntax: 'unsuspend <account>',
    help: 'let the account log in again',
    async run(server, args) {
      if (args.trim() === '') needs('unsuspend <account>');
      const done = await setSuspended(server, server.admin.consoleActor, args.trim(), false);
      return [`${done.account.name} is no longer suspended`];
    },
  },

  'delete-account': {
    syntax: 'delete-account <account>',
    help: 'delete the account: its users are logged out, the rooms it registered are no longer registered',
    async run(server, args) {
      if (args.trim() === '') needs('delete-account <account>');
      const done = await removeAccount(server, server.admin.consoleActor, args.trim());
      const rooms = done.rooms.length > 0 ? `; rooms no longer registered: ${done.rooms.join(' ')}` : '';
      return [`deleted the account ${done.account.name}; ${done.loggedOut} connection(s) logged out${rooms}`];
    },
  },

  limit: limitCommand('server'),
  'limit-ip': limitCommand('ip'),

  purge: {
    syntax: 'purge <#room>',
    help: "delete a room's message history",
    async run(server, args) {
      const room = args.trim();
      if (!isChannelName(room)) needs('purge <#room>');
      const n = await server.admin.purgeHistory(server.admin.consoleActor, room);
      return [`purged ${n} message(s) of ${room}`];
    },
  },

  audit: {
    syntax: 'audit [count]',
    help: 'the latest admin actions (default 20)',
    run(server, args) {
      const n = Number(args.trim() || 20);
      const entries = server.audit.recent(Number.isInteger(n) && n > 0 ? n : 20);
      if (entries.length === 0) return ['no admin actions yet'];
      return entries.map((e) => `[${new Date(e.time).toISOString()}] ${e.actor} ${e.action}${e.target ? ` ${e.target}` : ''}${e.detail ? `: ${e.detail}` : ''}`);
    },
  },

  reload: {
    syntax: 'reload',
    help: 're-read the config file; if it is invalid the old config stays in force',
    async run(server) {
      const notes = await server.admin.reload(server.admin.consoleActor);
      return ['configuration reloaded', ...notes.map((n) => `  note: ${n}`)];
    },
  },

  shutdown: {
    syntax: 'shutdown [message]',
    help: 'tell every client, close cleanly and exit',
    async run(server, args) {
      await server.admin.shutdown(server.admin.consoleActor, args.trim() || undefined);
      return ['server closed'];
    },
  },
};

/** Runs one console line; errors come back as lines too, never as exceptions. */
export async function runConsoleLine(server: ParlorServer, line: string, view: ConsoleView = {}): Promise<string[]> {
  const [name, args] = firstWord(line);
  if (name === '') return [];
  const command = CONSOLE_COMMANDS[name.toLowerCase()];
  if (!command) return [`unknown command "${name}"; type help for the list`];
  try {
    return await command.run(server, args, view);
  } catch (err) {
    if (err instanceof AdminError) return [`error: ${err.message}`];
    server.logError(err, `console command ${name}`);
    return [`error: ${(err as Error).message}`];
  }
}

/** Tab completion: command names first, then nicks and rooms. */
export function completeConsoleLine(server: ParlorServer, line: string): [string[], string] {
  const words = line.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  let candidates: string[];
  if (words.length <= 1) candidates = Object.keys(CONSOLE_COMMANDS);
  else {
    candidates = [];
    for (const u of server.network.users.values()) candidates.push(u.nick);
    for (const c of server.network.channels.values()) candidates.push(c.name);
    if (words[0] === 'help') candidates = Object.keys(CONSOLE_COMMANDS);
  }
  const lower = last.toLowerCase();
  const hits = candidates.filter((c) => c.toLowerCase().startsWith(lower)).sort();
  return [hits.map((h) => (words.length <= 1 ? `${h} ` : h)), last];
}

export { clock as formatClock };
