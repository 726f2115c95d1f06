// HELP and HELPOP (a topic per command of the table, from help-topics.ts), and INFO.
// Replies are shaped as ergo and InspIRCd send them (Modern IRC, "HELP message"):
// 704 <nick> <subject> :<first line>, 705 … for each further line, 706 <subject> :End of /HELP.
import { formatDuration } from '../../protocol/duration.ts';
import {
  ERR_HELPNOTFOUND,
  ERR_NOSUCHSERVER,
  RPL_ENDOFHELP,
  RPL_ENDOFINFO,
  RPL_HELPSTART,
  RPL_HELPTXT,
  RPL_INFO,
} from '../../protocol/numerics.ts';
import type { CommandGroup, CommandSpec, Context } from '../context.ts';
import { COMMAND_HELP, OTHER_TOPICS, type CommandHelp } from '../help-topics.ts';
import { IrcError } from '../irc-error.ts';
import { VERSION } from '../version.ts';

/** The subject of the index, when HELP is given no topic (as Modern IRC's example answers). */
const NO_SUBJECT = '*';
/** A topic that asks for the index by name, as on ergo and InspIRCd. */
const INDEX = 'INDEX';
/** A requested topic longer than this is echoed in 524 as `*`: nothing it names is this long. */
const MAX_ECHOED_TOPIC = 32;
/** Characters a plain word (a middle parameter) cannot hold: spaces and controls. */
// eslint-disable-next-line no-control-regex
const NOT_A_WORD = /[\x00-\x20\x7f]/;

/**
 * HELP, HELPOP and INFO. `table` gives the whole command table when HELP runs (it is the
 * table this group is part of, so it cannot be read while the table is being built).
 */
export function helpCommands(table: () => ReadonlyMap<string, CommandSpec>): CommandGroup {
  const help: CommandSpec = {
    minParams: 0,
    handler(ctx, [topic]) {
      sendHelp(ctx, table(), topic ?? '');
    },
  };
  return {
    // HELP [<topic>]
    HELP: help,
    // HELPOP [<topic>]   (InspIRCd's name for it)
    HELPOP: help,

    // INFO [<server>]
    INFO: {
      minParams: 0,
      handler(ctx, [target]) {
        if (target !== undefined && target !== ctx.serverName && target !== '*') {
          throw new IrcError(ERR_NOSUCHSERVER, [target], 'No such server');
        }
        for (const line of infoLines(ctx)) ctx.reply(RPL_INFO, line);
        ctx.reply(RPL_ENDOFINFO, 'End of /INFO list');
      },
    },
  };
}

function sendHelp(ctx: Context, table: ReadonlyMap<string, CommandSpec>, requested: string): void {
  const isOper = ctx.user.hasMode('o');
  // Topics are ASCII words: upper-casing makes HELP join the same as HELP JOIN.
  const name = requested.toUpperCase();
  if (name === '' || name === INDEX) {
    sendTopic(ctx, name === '' ? NO_SUBJECT : INDEX, indexLines(table, isOper));
    return;
  }
  const spec = table.get(name);
  // Operator commands are explained to operators only, as ergo does.
  if (spec !== undefined && Object.hasOwn(COMMAND_HELP, name) && (!spec.oper || isOper)) {
    sendTopic(ctx, name, commandLines(spec, COMMAND_HELP[name]!));
    return;
  }
  if (Object.hasOwn(OTHER_TOPICS, name)) {
    sendTopic(ctx, name, OTHER_TOPICS[name]!);
    return;
  }
  ctx.reply(ERR_HELPNOTFOUND, echoedTopic(requested), 'No help available on this topic');
}

/** The lines of a topic: 704 for the first, 705 for the others, then 706. */
function sendTopic(ctx: Context, subject: string, lines: readonly string[]): void {
  lines.forEach((line, i) => ctx.reply(i === 0 ? RPL_HELPSTART : RPL_HELPTXT, subject, line));
  ctx.reply(RPL_ENDOFHELP, subject, `End of /${ctx.msg.command}`);
}

/** A command's help: its syntax, what it does, and who may use it (read from the table). */
function commandLines(spec: CommandSpec, help: CommandHelp): string[] {
  const lines = [...help.syntax, '', ...help.text];
  if (spec.oper) lines.push('Only IRC operators may use it.');
  if (spec.preRegistration) lines.push('It may be sent while connecting, before registration completes.');
  return lines;
}

/** Every command of the table with its summary; operator commands to operators only. */
function indexLines(table: ReadonlyMap<string, CommandSpec>, isOper: boolean): string[] {
  const verbs = [...table.keys()].sort();
  const width = Math.max(...verbs.map((v) => v.length));
  const entry = (verb: string): string => `  ${verb.padEnd(width)}  ${COMMAND_HELP[verb]?.text[0] ?? ''}`.trimEnd();
  const forAll = verbs.filter((v) => !table.get(v)!.oper);
  const forOpers = verbs.filter((v) => table.get(v)!.oper);
  const lines = [
    'Parlor help. HELP <command> explains a command; HELP CMODES and HELP UMODES list the modes.',
    '',
    'Commands:',
    ...forAll.map(entry),
  ];
  if (forOpers.length > 0) {
    lines.push('');
    if (isOper) lines.push('IRC operator commands:', ...forOpers.map(entry));
    else lines.push('IRC operators (see OPER) have more commands.');
  }
  return lines;
}

/** What INFO tells: the software, this server, since when it runs. */
function infoLines(ctx: Context): string[] {
  const { services } = ctx;
  const up = formatDuration(ctx.now() - services.createdAt);
  return [
    `${VERSION}: Parlor, a chat server that speaks IRC (Modern IRC with the common IRCv3 extensions).`,
    'Rooms and private messages, accounts and message history, for any IRC client,',
    'the browser and the terminal, and for people typing at nc or telnet.',
    `This is ${ctx.serverName} on the ${ctx.config.server.network} network, up since ${new Date(services.createdAt).toISOString()} (${up}).`,
    'Parlor is free software under the MIT licence; its README is the manual.',
    'HELP lists the commands this server understands.',
  ];
}

/** The topic asked for, as 524 names it: `*` when it is no plain word (a middle parameter). */
function echoedTopic(topic: string): string {
  const fits = topic !== '' && topic.length <= MAX_ECHOED_TOPIC && !topic.startsWith(':') && !NOT_A_WORD.test(topic);
  return fits ? topic : '*';
}
