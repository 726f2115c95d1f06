// A user's own state: AWAY, SETNAME.
import { RPL_NOWAWAY, RPL_UNAWAY } from '../../protocol/numerics.ts';
import { clipUtf8 } from '../../protocol/text.ts';
import type { CommandGroup } from '../context.ts';
import { StandardReplyError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { afterCommit } from '../../node/log-follower.ts';

export const userCommands: CommandGroup = {
  // AWAY [<text>]
  AWAY: {
    minParams: 0,
    handler(ctx, [text]) {
      const user = ctx.user;
      const away = text === undefined || text === '' ? undefined : clipUtf8(text, ctx.limits.awayLength);
      // Neighbours hear (away-notify) only of a state that set, changed or was removed.
      const answer = (): void => {
        if (away === undefined) ctx.reply(RPL_UNAWAY, 'You are no longer marked as being away');
        else ctx.reply(RPL_NOWAWAY, 'You have been marked as being away');
      };
      if (away === user.away) return answer();
      return afterCommit(ctx.commit({ type: 'user.away', uid: user.uid, away }), answer);
    },
  },

  // SETNAME <realname>  (IRCv3 setname)
  SETNAME: {
    minParams: 1,
    handler(ctx, [realname]) {
      const user = ctx.user;
      if (realname === '' || realname!.length > ctx.limits.realnameLength) {
        throw new StandardReplyError('SETNAME', 'INVALID_REALNAME', [], 'Realname is empty or too long');
      }
      const mask = user.mask;
      return afterCommit(ctx.commit({ type: 'user.setname', uid: user.uid, realname: realname! }), (verdict) => {
        // IRCv3 setname: SETNAME is never sent to a client without the capability; a client
        // that sends it anyway is served silently.
        if (verdict.ok && ctx.session.hasCap('setname')) ctx.rb.add(new Outgoing(mask, 'SETNAME', [realname!], verdict.time));
      });
    },
  },
};
