// The one command table: verb → parameters needed, allowed before registration?, operator
// only?, handler. Checked once, in dispatch.ts, before any handler runs. Each verb has its
// HELP topic (help-topics.ts), checked as the table is built.
import { accountCommands } from './commands/account.ts';
import { capCommands } from './commands/cap.ts';
import { channelCommands } from './commands/channels.ts';
import { connectionCommands } from './commands/connection.ts';
import { helpCommands } from './commands/help.ts';
import { infoCommands } from './commands/info.ts';
import { linkCommands } from './commands/links.ts';
import { messagingCommands } from './commands/messaging.ts';
import { modeCommands } from './commands/modes.ts';
import { monitorCommands } from './commands/monitor.ts';
import { multilineCommands } from './commands/multiline.ts';
import { operCommands } from './commands/oper.ts';
import { historyCommands } from './commands/history.ts';
import { markReadCommands } from './commands/markread.ts';
import { queryCommands } from './commands/queries.ts';
import { redactCommands } from './commands/redact.ts';
import { registrationCommands } from './commands/registration.ts';
import { userCommands } from './commands/user.ts';
import { webircCommands } from './commands/webirc.ts';
import type { CommandGroup, CommandSpec } from './context.ts';
import { checkHelpTopics } from './help-topics.ts';

/** The table of these groups; throws if a verb is defined twice or HELP is not in step with it. */
export function buildTable(groups: CommandGroup[]): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const group of groups) {
    for (const [verb, spec] of Object.entries(group)) {
      if (table.has(verb)) throw new Error(`Command ${verb} is defined twice`);
      table.set(verb, spec);
    }
  }
  // A command without a HELP topic, or a topic without its command, stops the server here.
  checkHelpTopics(table.keys());
  return table;
}

export const COMMANDS = buildTable([
  registrationCommands,
  webircCommands,
  capCommands,
  connectionCommands,
  infoCommands,
  linkCommands,
  channelCommands,
  modeCommands,
  messagingCommands,
  multilineCommands,
  redactCommands,
  queryCommands,
  userCommands,
  monitorCommands,
  operCommands,
  historyCommands,
  markReadCommands,
  accountCommands,
  helpCommands(() => COMMANDS),
]);
