// The texts HELP (and HELPOP) answers with: one topic per command of the table, and a few
// others. command-table.ts refuses to start when a command has no topic here or a topic
// names no command, so a new command cannot ship without its help.
// Each line goes out as one numeric: short, no CR, LF or NUL.
import { CHANNEL_MODES, MEMBER_PREFIXES } from '../protocol/isupport.ts';

export interface CommandHelp {
  /** How the command is written, one form a line: `PRIVMSG <target>{,<target>} <text>`. */
  syntax: readonly string[];
  /** What it does here; the first line is its summary in the HELP index. */
  text: readonly string[];
}

export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  // ---- connecting ----
  CAP: {
    syntax: ['CAP LS [302]', 'CAP REQ :<capability> [-<capability>…]', 'CAP LIST', 'CAP END'],
    text: ['Negotiates IRCv3 capabilities.', 'LS lists what the server offers, REQ asks for some (- turns one off),', 'LIST shows yours; END ends negotiation and lets registration finish.'],
  },
  PASS: {
    syntax: ['PASS <password>'],
    text: ['Gives the server password, before NICK and USER.', 'Only needed when the server is set up with one.'],
  },
  NICK: {
    syntax: ['NICK <nickname>'],
    text: [
      'Chooses your nickname, or changes it.',
      'Letters, digits 0-9 and [ ] \\ ` _ ^ { | } -, not starting with a digit or -; with CASEMAPPING=rfc8265 letters of any script too (one script, or Latin with Han, kana or Hangul).',
      "A nick registered to an account (or, with CASEMAPPING=rfc8265, one that looks like it) must be logged in to soon, or you are renamed to a guest nick.",
      'A muted user keeps the nick they have.',
    ],
  },
  USER: {
    syntax: ['USER <username> 0 * <realname>'],
    text: ['Gives your username and real name when you connect; sent once.'],
  },
  WEBIRC: {
    syntax: ['WEBIRC <password> <gateway> <hostname> <ip> [:<options>]'],
    text: [
      "Sent by a web gateway, as a connection's first command, to give its user's address and host.",
      'Only from the gateways the server lists, with their password; anything else closes the connection.',
    ],
  },
  AUTHENTICATE: {
    syntax: ['AUTHENTICATE PLAIN', 'AUTHENTICATE SCRAM-SHA-256', 'AUTHENTICATE <base64 data>', 'AUTHENTICATE *'],
    text: [
      'Logs in to an account with SASL (IRCv3 sasl): PLAIN, or SCRAM-SHA-256, which never sends the password.',
      'Request the sasl capability first; * aborts.',
    ],
  },
  REGISTER: {
    syntax: ['REGISTER <account> {<email> | *} <password>', 'REGISTER <#room>'],
    text: [
      'Creates an account named after your nick, or registers a room.',
      'An account (where the server allows them) is named after your nick: give it or *.',
      'You are logged in to it at once.',
      'A room: you must be logged in and its operator; it then keeps its topic, modes,',
      'bans and operators when empty and across restarts.',
    ],
  },
  VERIFY: {
    syntax: ['VERIFY <account> <code>'],
    text: ['Part of IRCv3 account registration.', 'Accounts here need no verification, so there is never a code to give.'],
  },
  UNREGISTER: {
    syntax: ['UNREGISTER <#room>'],
    text: ['Makes a registered room an ordinary one again.', 'Only its founder or an IRC operator may.'],
  },
  PING: {
    syntax: ['PING <token>'],
    text: ['Asks the server for a PONG with the same token.'],
  },
  PONG: {
    syntax: ['PONG [<server>] <token>'],
    text: ["Answers the server's PING, showing the connection is alive."],
  },
  QUIT: {
    syntax: ['QUIT [<reason>]'],
    text: ['Disconnects; the rooms you were in see the reason.'],
  },

  // ---- rooms ----
  JOIN: {
    syntax: ['JOIN <#room>{,<#room>} [<key>{,<key>}]', 'JOIN 0'],
    text: [
      'Joins rooms; a room that does not exist is created and you run it.',
      'A room with a key (+k) needs it; +i needs an invitation, +l a free place.',
      'JOIN 0 leaves every room you are in.',
    ],
  },
  PART: {
    syntax: ['PART <#room>{,<#room>} [<reason>]'],
    text: ['Leaves rooms, with an optional reason.'],
  },
  TOPIC: {
    syntax: ['TOPIC <#room> [<topic>]'],
    text: ["Shows a room's topic, or sets it.", 'Members set it; in a +t room only its operators do. An empty topic clears it.'],
  },
  NAMES: {
    syntax: ['NAMES <#room>{,<#room>}'],
    text: ['Lists the members of rooms: @ marks operators, + voiced members.'],
  },
  LIST: {
    syntax: ['LIST [<#room>{,<#room>}] [<condition>{,<condition>}]'],
    text: [
      'Lists rooms with their number of members and topic. Secret rooms show only to members.',
      'Conditions (ISUPPORT ELIST=CMNTU), all of which a room must meet:',
      '>N and <N: more, or fewer, than N members;',
      'C>N and C<N: made more, or less, than N minutes ago;',
      'T>N and T<N: topic set more, or less, than N minutes ago;',
      '*mask*: names matching a mask (* and ?); !*mask*: names not matching it.',
    ],
  },
  INVITE: {
    syntax: ['INVITE <nick> <#room>'],
    text: [
      'Invites someone to a room, past +i and its bans.',
      'You must be in the room, and its operator if it is invite-only (+i).',
    ],
  },
  KICK: {
    syntax: ['KICK <#room>{,<#room>} <nick>{,<nick>} [<reason>]'],
    text: [
      'Removes people from rooms.',
      'One room and several nicks, several rooms and one nick, or rooms and nicks in pairs.',
      'Room operators may; IRC operators may in any room (written to the audit log).',
    ],
  },
  MODE: {
    syntax: ['MODE <#room> [<modes> [<arguments>…]]', 'MODE <yournick> [<modes>]'],
    text: [
      "Shows or changes a room's modes, or your own.",
      'Only room operators change room modes; MODE <#room> b lists the bans.',
      'MODE <#room> e and MODE <#room> I list the ban and invite exceptions (to operators).',
      'A mask may be $a (anyone logged in), $a:<account> (wildcards allowed) or $~a (not logged in).',
      'HELP CMODES and HELP UMODES list the modes.',
    ],
  },

  // ---- messages ----
  PRIVMSG: {
    syntax: ['PRIVMSG <target>{,<target>} <text>'],
    text: [
      'Sends a message to rooms or people.',
      'A target is a #room, a nick, or @#room / +#room for its operators or voiced members.',
      'IRC operators may write to everyone with the target $*.',
    ],
  },
  NOTICE: {
    syntax: ['NOTICE <target>{,<target>} <text>'],
    text: ['Sends a notice: as PRIVMSG, but never answered automatically.', 'Errors are not sent back, so that bots cannot loop.'],
  },
  TAGMSG: {
    syntax: ['@+<tag>=<value> TAGMSG <target>{,<target>}'],
    text: ['Sends client tags only, without text (IRCv3 message-tags), such as +typing.'],
  },
  BATCH: {
    syntax: ['BATCH +<ref> draft/multiline <target>', 'BATCH -<ref>'],
    text: [
      'Sends one message of several lines (IRCv3 draft/multiline; see CAP LS for max-bytes and max-lines).',
      'Between the two, each line is @batch=<ref> PRIVMSG <target> <line> (or each a NOTICE) to the same target;',
      'the draft/multiline-concat tag joins a line to the one before without a line break.',
      'Clients without the capability receive the lines one by one.',
    ],
  },
  REDACT: {
    syntax: ['REDACT <target> <msgid> [<reason>]'],
    text: [
      'Deletes a message (IRCv3 draft/message-redaction): it leaves history.',
      'Your own for a while after sending it; room operators any in their room, IRC operators any.',
      'Without an account, only what this connection sent. Clients without the capability are not told.',
    ],
  },
  CHATHISTORY: {
    syntax: [
      'CHATHISTORY LATEST <target> {* | msgid=<id> | timestamp=<time>} <limit>',
      'CHATHISTORY {BEFORE | AFTER | AROUND} <target> <reference> <limit>',
      'CHATHISTORY BETWEEN <target> <reference> <reference> <limit>',
      'CHATHISTORY TARGETS timestamp=<time> timestamp=<time> <limit>',
    ],
    text: [
      'Reads stored messages (IRCv3 draft/chathistory) when history is on.',
      'Rooms to their members; private conversations to accounts, between accounts.',
      'A reference is msgid=<id> or timestamp=<ISO 8601 time>.',
    ],
  },

  // ---- people ----
  AWAY: {
    syntax: ['AWAY [<message>]'],
    text: ['Marks you away with a message, or back without one.', 'People who write to you privately are told the message.'],
  },
  SETNAME: {
    syntax: ['SETNAME <realname>'],
    text: ['Changes your real name (IRCv3 setname).'],
  },
  MONITOR: {
    syntax: ['MONITOR + <nick>{,<nick>}', 'MONITOR - <nick>{,<nick>}', 'MONITOR C', 'MONITOR L', 'MONITOR S'],
    text: [
      'Tells you when nicks come online and go offline (IRCv3 monitor).',
      '+ adds nicks to your list, - removes them, C clears it,',
      'L lists it, S says who on it is online now.',
    ],
  },
  MARKREAD: {
    syntax: ['MARKREAD <target>', 'MARKREAD <target> timestamp=<YYYY-MM-DDThh:mm:ss.sssZ>'],
    text: [
      'Says how far you have read a room or private conversation (IRCv3 draft/read-marker).',
      'With a time, moves your read marker there (never back); without, asks where it is (* when unknown).',
      "Markers belong to your account: its other connections with draft/read-marker are told, and JOIN reports a room's.",
      'Without an account a marker lasts as long as this connection.',
    ],
  },
  WHO: {
    syntax: ['WHO <mask> [%<fields>[,<token>]]'],
    text: [
      "Lists people: a room's members, one nick, or everyone matching a mask.",
      'A mask matches nick, username, host or real name, with * and ?.',
      '%fields asks for WHOX replies.',
      'Invisible users (+i) show only to those who share a room with them.',
    ],
  },
  WHOIS: {
    syntax: ['WHOIS [<server>] <nick>'],
    text: ['Shows who someone is: address, real name, rooms, account, idle time.'],
  },
  WHOWAS: {
    syntax: ['WHOWAS <nick> [<count>]'],
    text: ['Shows who last used a nick that is no longer online.'],
  },
  ISON: {
    syntax: ['ISON <nick>{ <nick>}'],
    text: ['Says which of the given nicks are online.'],
  },
  USERHOST: {
    syntax: ['USERHOST <nick>{ <nick>}'],
    text: ['Shows the address of up to five people, with * for operators and - for away.'],
  },

  // ---- the server ----
  MOTD: {
    syntax: ['MOTD [<server>]'],
    text: ["Shows the server's message of the day."],
  },
  LUSERS: {
    syntax: ['LUSERS'],
    text: ['Counts the users, operators and rooms on the server.'],
  },
  VERSION: {
    syntax: ['VERSION [<server>]'],
    text: ["Shows the server's software version and its features (ISUPPORT)."],
  },
  TIME: {
    syntax: ['TIME [<server>]'],
    text: ["Shows the server's time."],
  },
  LINKS: {
    syntax: ['LINKS [[<server>] <mask>]'],
    text: [
      'Lists the servers of the network, or those whose name matches a mask (* and ?).',
      'Every node of a Parlor network is listed: this one at 0 hops, the others at 1,',
      'by the names WHOIS shows for their users.',
    ],
  },
  INFO: {
    syntax: ['INFO [<server>]'],
    text: ['Tells about the server: its software, version and when it started.'],
  },
  HELP: {
    syntax: ['HELP [<topic>]'],
    text: ['Explains a command or topic; without one, lists them all.', 'Topics are not case-sensitive: HELP join is HELP JOIN.'],
  },
  HELPOP: {
    syntax: ['HELPOP [<topic>]'],
    text: ['The same as HELP.'],
  },

  // ---- IRC operators ----
  OPER: {
    syntax: ['OPER <name> <password>'],
    text: ['Makes you an IRC operator (+o), with a name and password from the config.', 'After repeated failures, tries are refused for a while.'],
  },
  KILL: {
    syntax: ['KILL <nick> [<reason>]'],
    text: ['Disconnects someone from the server, with a reason.'],
  },
  KLINE: {
    syntax: ['KLINE <mask> [<duration>] [<reason>]'],
    text: [
      'Bans a nick, nick!user@host mask, IP address or CIDR range from the server.',
      'Matching users are disconnected. A duration such as 30s, 90m, 90min, 1h30m, 1.5h,',
      '2d or 1w limits it (it may also come before the mask: KLINE 1h bob);',
      'without one (or with 0 or perm) the ban is permanent.',
    ],
  },
  UNKLINE: {
    syntax: ['UNKLINE <mask>'],
    text: ['Lifts a server ban set with KLINE.'],
  },
  MUTE: {
    syntax: ['MUTE <mask> [<duration>] [<reason>]'],
    text: [
      'Silences matching users: they stay connected but cannot speak in rooms,',
      'write privately (except to the admin), or change nick.',
      'Masks and durations as for KLINE.',
    ],
  },
  UNMUTE: {
    syntax: ['UNMUTE <mask>'],
    text: ['Lifts a mute set with MUTE.'],
  },
  LIMIT: {
    syntax: ['LIMIT', 'LIMIT <count>', 'LIMIT IP <count>'],
    text: ['Shows or sets how many connections the server takes, in all or per IP address.'],
  },
  WALLOPS: {
    syntax: ['WALLOPS <text>'],
    text: ['Sends a message to every user with user mode +w.'],
  },
  REHASH: {
    syntax: ['REHASH'],
    text: ['Reloads the config file; if it has errors the old config stays in force.'],
  },
  STATS: {
    syntax: ['STATS <letter>'],
    text: ['Shows server statistics: k the server bans, q the mutes, u the uptime.'],
  },
  ACCOUNTS: {
    syntax: ['ACCOUNTS LIST', 'ACCOUNTS SUSPEND <account>', 'ACCOUNTS UNSUSPEND <account>', 'ACCOUNTS DELETE <account>'],
    text: [
      'Lists the accounts, or suspends, restores or deletes one.',
      'Suspending or deleting logs out its connections; deleting unregisters its rooms.',
    ],
  },
};

/** What each room mode letter does, for HELP CMODES. */
const CHANNEL_MODE_TEXT: Readonly<Record<string, string>> = {
  b: 'b <mask>  bans a nick!user@host mask: no joining, no speaking unless voiced',
  e: 'e <mask>  ban exception: whoever matches it passes the bans (+b)',
  I: 'I <mask>  invite exception: whoever matches it joins past +i uninvited',
  k: 'k <key>   a key is needed to join',
  l: 'l <count> at most this many members',
  i: 'i         invite only: joining needs an INVITE',
  m: 'm         moderated: only operators and voiced members speak',
  n: 'n         no messages from outside the room',
  s: 's         secret: LIST, NAMES, WHO and TOPIC show it only to its members',
  t: 't         only operators set the topic',
  o: 'o <nick>  (@) room operator: changes modes, kicks, sets the topic',
  v: 'v <nick>  (+) voiced: may speak in a moderated room',
};

/** What each user mode letter does, for HELP UMODES. */
const USER_MODE_TEXT: readonly string[] = [
  'i  invisible: WHO shows you only to those who share a room with you',
  'w  you receive WALLOPS from IRC operators',
  'o  IRC operator: given by OPER, dropped with MODE <yournick> -o',
  'B  bot: marks you as a bot (WHO, WHOIS and your messages say so to other clients)',
];

/** HELP CMODES, built from the modes ISUPPORT announces, so that it lists exactly those. */
function channelModeLines(): string[] {
  const letters = [...CHANNEL_MODES.list, ...CHANNEL_MODES.withArg, ...CHANNEL_MODES.withArgOnSet, ...CHANNEL_MODES.flags, ...MEMBER_PREFIXES.map((p) => p.mode)];
  return letters.map((letter) => {
    const text = CHANNEL_MODE_TEXT[letter];
    if (text === undefined) throw new Error(`Room mode ${letter} has no HELP CMODES text`);
    return `  +${text}`;
  });
}

/** Topics other than commands, by upper-case name: their lines, the first one their title. */
export const OTHER_TOPICS: Readonly<Record<string, readonly string[]>> = {
  CMODES: ['Room modes (MODE <#room> +<letters> [<arguments>]):', ...channelModeLines()],
  UMODES: ['User modes (MODE <yournick> +<letters>):', ...USER_MODE_TEXT.map((l) => `  +${l}`)],
};

/** What is wrong between the table's verbs and the help topics: none when they match. */
export function helpTopicProblems(verbs: Iterable<string>): string[] {
  const commands = new Set(verbs);
  const problems: string[] = [];
  for (const verb of commands) if (COMMAND_HELP[verb] === undefined) problems.push(`the command ${verb} has no HELP topic`);
  for (const topic of Object.keys(COMMAND_HELP)) if (!commands.has(topic)) problems.push(`the HELP topic ${topic} names no command`);
  for (const topic of Object.keys(OTHER_TOPICS)) if (commands.has(topic)) problems.push(`the HELP topic ${topic} is also a command`);
  return problems;
}

/** Throws, listing every problem, unless each command has its topic and each topic its command. */
export function checkHelpTopics(verbs: Iterable<string>): void {
  const problems = helpTopicProblems(verbs);
  if (problems.length > 0) throw new Error(`Help and command table disagree: ${problems.join('; ')} (see src/server/help-topics.ts)`);
}
