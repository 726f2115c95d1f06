// Server information: MOTD, LUSERS, VERSION, TIME.
import {
  ERR_NOMOTD,
  ERR_NOSUCHSERVER,
  RPL_ENDOFMOTD,
  RPL_GLOBALUSERS,
  RPL_LOCALUSERS,
  RPL_LUSERCHANNELS,
  RPL_LUSERCLIENT,
  RPL_LUSERME,
  RPL_LUSEROP,
  RPL_LUSERUNKNOWN,
  RPL_MOTD,
  RPL_MOTDSTART,
  RPL_TIME,
  RPL_VERSION,
} from '../../protocol/numerics.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { VERSION } from '../version.ts';
import { sendIsupport } from './registration.ts';

function checkServer(ctx: Context, target: string | undefined): void {
  if (target !== undefined && target !== ctx.server.serverName && target !== '*') {
    throw new IrcError(ERR_NOSUCHSERVER, [target], 'No such server');
  }
}

export const infoCommands: CommandGroup = {
  // MOTD [<target>]
  MOTD: {
    minParams: 0,
    handler(ctx, [target]) {
      checkServer(ctx, target);
      sendMotd(ctx);
    },
  },

  // LUSERS
  LUSERS: { minParams: 0, handler: (ctx) => sendLusers(ctx) },

  // VERSION [<target>]
  VERSION: {
    minParams: 0,
    handler(ctx, [target]) {
      checkServer(ctx, target);
      ctx.reply(RPL_VERSION, VERSION, ctx.server.serverName, 'Parlor chat server');
      sendIsupport(ctx);
    },
  },

  // TIME [<server>]
  TIME: {
    minParams: 0,
    handler(ctx, [target]) {
      checkServer(ctx, target);
      const now = ctx.now();
      ctx.reply(RPL_TIME, ctx.server.serverName, String(Math.floor(now / 1000)), new Date(now).toUTCString());
    },
  },
};

export function sendMotd(ctx: Context): void {
  const motd = ctx.server.motd;
  if (motd === undefined) {
    ctx.reply(ERR_NOMOTD, 'MOTD File is missing');
    return;
  }
  ctx.reply(RPL_MOTDSTART, `- ${ctx.server.serverName} Message of the day - `);
  for (const line of motd) ctx.reply(RPL_MOTD, `- ${line}`);
  ctx.reply(RPL_ENDOFMOTD, 'End of /MOTD command.');
}

export function sendLusers(ctx: Context): void {
  const { network } = ctx.server;
  const invisible = network.invisibleCount;
  const opers = network.operCount;
  const total = network.users.size;
  const unknown = ctx.server.sessions.size - ctx.server.localUserCount;
  const local = ctx.server.localUserCount;
  const max = ctx.server.stats.maxLocalUsers;
  ctx.reply(RPL_LUSERCLIENT, `There are ${total - invisible} users and ${invisible} invisible on 1 servers`);
  ctx.reply(RPL_LUSEROP, String(opers), 'operator(s) online');
  ctx.reply(RPL_LUSERUNKNOWN, String(Math.max(0, unknown)), 'unknown connection(s)');
  ctx.reply(RPL_LUSERCHANNELS, String(network.channels.size), 'channels formed');
  ctx.reply(RPL_LUSERME, `I have ${local} clients and 1 servers`);
  ctx.reply(RPL_LOCALUSERS, String(local), String(max), `Current local users ${local}, max ${max}`);
  ctx.reply(RPL_GLOBALUSERS, String(total), String(max), `Current global users ${total}, max ${max}`);
}
