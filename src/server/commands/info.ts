// Server information: MOTD, LUSERS, VERSION, TIME.
import {
  ERR_NOSUCHSERVER,
  RPL_GLOBALUSERS,
  RPL_LOCALUSERS,
  RPL_LUSERCHANNELS,
  RPL_LUSERCLIENT,
  RPL_LUSERME,
  RPL_LUSEROP,
  RPL_LUSERUNKNOWN,
  RPL_TIME,
  RPL_VERSION,
} from '../../protocol/numerics.ts';
import type { CommandGroup, Context } from '../context.ts';
import { IrcError } from '../irc-error.ts';
import { middleParam } from '../outgoing.ts';
import { VERSION } from '../version.ts';
import { sendIsupport } from './registration.ts';

function checkServer(ctx: Context, target: string | undefined): void {
  if (target !== undefined && target !== ctx.serverName && target !== '*') {
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
      ctx.reply(RPL_VERSION, VERSION, ctx.serverName, 'Parlor chat server');
      sendIsupport(ctx);
    },
  },

  // TIME [<server>]
  TIME: {
    minParams: 0,
    handler(ctx, [target]) {
      checkServer(ctx, target);
      const now = ctx.now();
      ctx.reply(RPL_TIME, ctx.serverName, String(Math.floor(now / 1000)), new Date(now).toUTCString());
    },
  },
};

export function sendMotd(ctx: Context): void {
  const lines: string[] = [];
  motdLines(ctx, lines);
  ctx.rb.addText(lines, ctx.now());
}

/** The MOTD (or ERR_NOMOTD), appended to `out`. */
export function motdLines(ctx: Context, out: string[]): void {
  const nick = ctx.session.nickOrStar;
  for (const line of ctx.services.texts.motdLines) out.push(line.text(nick));
}

export function sendLusers(ctx: Context): void {
  const lines: string[] = [];
  lusersLines(ctx, lines);
  ctx.rb.addText(lines, ctx.now());
}

/** The LUSERS replies, appended to `out`. */
export function lusersLines(ctx: Context, out: string[]): void {
  const { network, services } = ctx;
  const invisible = network.invisibleCount;
  const total = network.userCount;
  const local = services.localUserCount;
  const max = services.stats.maxLocalUsers;
  const unknown = Math.max(0, services.sessions.size - local);
  // Every registration sends these, so they are written out rather than serialized param by
  // param: their shape is fixed (counts are digits, each last parameter has spaces), so the
  // text is what an Outgoing of the same parameters would give.
  const h = `:${ctx.serverName} `;
  const n = ` ${middleParam(ctx.session.nickOrStar)} `;
  out.push(
    `${h}${RPL_LUSERCLIENT}${n}:There are ${total - invisible} users and ${invisible} invisible on ${Math.max(1, network.nodes.size)} servers`,
    `${h}${RPL_LUSEROP}${n}${network.operCount} :operator(s) online`,
    `${h}${RPL_LUSERUNKNOWN}${n}${unknown} :unknown connection(s)`,
    `${h}${RPL_LUSERCHANNELS}${n}${network.channels.size} :channels formed`,
    `${h}${RPL_LUSERME}${n}:I have ${local} clients and 1 servers`,
    `${h}${RPL_LOCALUSERS}${n}${local} ${max} :Current local users ${local}, max ${max}`,
    `${h}${RPL_GLOBALUSERS}${n}${total} ${max} :Current global users ${total}, max ${max}`,
  );
}
