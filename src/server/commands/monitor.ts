// MONITOR: be told when nicknames come online and go offline (IRCv3 monitor).
import { foldCase } from '../../protocol/casemapping.ts';
import {
  ERR_MONLISTFULL,
  RPL_ENDOFMONLIST,
  RPL_MONLIST,
  RPL_MONOFFLINE,
  RPL_MONONLINE,
} from '../../protocol/numerics.ts';
import { isValidNick } from '../../protocol/validate.ts';
import type { CommandGroup, Context } from '../context.ts';

export const monitorCommands: CommandGroup = {
  // MONITOR (+|-) <target>{,<target>}  |  MONITOR (C|L|S)
  MONITOR: {
    minParams: 1,
    handler(ctx, [sub, targetList]) {
      const session = ctx.session;
      const monitors = ctx.services.monitors;
      const targets = (targetList ?? '').split(',').filter((t) => t !== '');
      switch (sub) {
        case '+': {
          const limit = ctx.limits.monitorEntries;
          const added: string[] = [];
          for (const [i, nick] of targets.entries()) {
            if (!isValidNick(nick, ctx.limits.nickLength, ctx.config.server.casemapping)) continue;
            const folded = foldCase(nick);
            if (!session.monitoring.has(folded) && session.monitoring.size >= limit) {
              ctx.reply(ERR_MONLISTFULL, String(limit), targets.slice(i).join(','), 'Monitor list is full.');
              break;
            }
            session.monitoring.set(folded, nick);
            let set = monitors.get(folded);
            if (!set) monitors.set(folded, (set = new Set()));
            set.add(session);
            added.push(nick);
          }
          return sendStatus(ctx, added);
        }
        case '-':
          for (const nick of targets) unwatch(ctx, foldCase(nick));
          return;
        case 'C':
        case 'c':
          for (const folded of [...session.monitoring.keys()]) unwatch(ctx, folded);
          return;
        case 'L':
        case 'l': {
          const list = [...session.monitoring.values()];
          for (let i = 0; i < list.length; i += 20) ctx.reply(RPL_MONLIST, list.slice(i, i + 20).join(','));
          ctx.reply(RPL_ENDOFMONLIST, 'End of MONITOR list');
          return;
        }
        case 'S':
        case 's':
          return sendStatus(ctx, [...session.monitoring.values()]);
      }
    },
  },
};

function unwatch(ctx: Context, folded: string): void {
  ctx.session.monitoring.delete(folded);
  const set = ctx.services.monitors.get(folded);
  set?.delete(ctx.session);
  if (set?.size === 0) ctx.services.monitors.delete(folded);
}

function sendStatus(ctx: Context, nicks: string[]): void {
  const online: string[] = [];
  const offline: string[] = [];
  for (const nick of nicks) {
    const u = ctx.network.userByNick(nick);
    if (u) online.push(u.mask);
    else offline.push(nick);
  }
  if (online.length > 0) ctx.reply(RPL_MONONLINE, online.join(','));
  if (offline.length > 0) ctx.reply(RPL_MONOFFLINE, offline.join(','));
}
