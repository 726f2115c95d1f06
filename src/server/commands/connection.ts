// Keeping the connection: PING, PONG, QUIT.
import { ERR_NOORIGIN } from '../../protocol/numerics.ts';
import { clipUtf8 } from '../../protocol/text.ts';
import type { CommandGroup } from '../context.ts';
import { IrcError } from '../irc-error.ts';

export const connectionCommands: CommandGroup = {
  // PING <token>
  PING: {
    minParams: 0,
    preRegistration: true,
    handler(ctx, [token]) {
      if (token === undefined || token === '') throw new IrcError(ERR_NOORIGIN, [], 'No origin specified');
      ctx.rb.server('PONG', [ctx.serverName, token]);
    },
  },

  // PONG [<server>] <token>
  PONG: {
    minParams: 0,
    preRegistration: true,
    handler() {
      // Any line resets the idle timer (Session.onLine); nothing more to do.
    },
  },

  // QUIT [<reason>]
  QUIT: {
    minParams: 0,
    preRegistration: true,
    handler(ctx, [reason]) {
      const text = reason ? `Quit: ${clipUtf8(reason, ctx.limits.kickLength)}` : 'Quit';
      ctx.session.quitReason = text;
      ctx.rb.flush();
      ctx.session.disconnect(text);
    },
  },
};
