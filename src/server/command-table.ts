// The one command table: verb → parameters needed, allowed before registration?, operator
// only?, handler. Checked once, in dispatch.ts, before any handler runs.
import { accountCommands } from './commands/account.ts';
import { capCommands } from './commands/cap.ts';
import { channelCommands } from './commands/channels.ts';
import { connectionCommands } from './commands/connection.ts';
import { infoCommands } from './commands/info.ts';
import { messagingCommands } from './commands/messaging.ts';
import { modeCommands } from './commands/modes.ts';
import { monitorCommands } from './commands/monitor.ts';
import { operCommands } from './commands/oper.ts';
import { historyCommands } from './commands/history.ts';
import { queryCommands } from './commands/queries.ts';
import { registrationCommands } from './commands/registration.ts';
import { userCommands } from './commands/user.ts';
import type { CommandGroup, CommandSpec } from './context.ts';

function buildTable(groups: CommandGroup[]): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const group of groups) {
    for (const [verb, spec] of Object.entries(group)) {
      if (table.has(verb)) throw new Error(`Command ${verb} is defined twice`);
      table.set(verb, spec);
    }
  }
  return table;
}

export const COMMANDS = buildTable([
  registrationCommands,
  capCommands,
  connectionCommands,
  infoCommands,
  channelCommands,
  modeCommands,
  messagingCommands,
  queryCommands,
  userCommands,
  monitorCommands,
  operCommands,
  historyCommands,
  accountCommands,
]);
