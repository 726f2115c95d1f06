// The one place commands are checked against the table and errors become replies.
import { isUsableLabel, shownCommand, type IrcMessage } from '../protocol/message.ts';
import {
  ERR_NEEDMOREPARAMS,
  ERR_NOPRIVILEGES,
  ERR_NOTREGISTERED,
  ERR_UNKNOWNCOMMAND,
  ERR_UNKNOWNERROR,
} from '../protocol/numerics.ts';
import { COMMANDS } from './command-table.ts';
import { BATCHED_LINE, isBatchedLine } from './commands/multiline.ts';
import { Context } from './context.ts';
import { IrcError, StandardReplyError } from './irc-error.ts';
import { isLogUnavailable } from '../cluster/errors.ts';
import { isStoreUnavailable } from '../storage/errors.ts';
import { ResponseBuffer } from './response.ts';
import type { CommandHost } from './command-services.ts';
import type { Session } from './session.ts';

export function dispatch(host: CommandHost, session: Session, msg: IrcMessage): void | Promise<void> {
  if (session.admissionDeferred && !admittedAtFirstCommand(host, session, msg)) return;
  // An empty or over-long label (labeled-response: 64 bytes at most) is no label at all.
  const label = msg.tags.label !== undefined && session.hasCap('labeled-response') && isUsableLabel(msg.tags.label) ? msg.tags.label : undefined;
  const rb = new ResponseBuffer(session, host.services.serverName, host.now, label);
  const ctx = new Context(host, session, msg, rb);
  try {
    // A line of a client's multiline batch is gathered, whatever its command (multiline.ts).
    const spec = isBatchedLine(session, msg.tags) ? BATCHED_LINE : COMMANDS.get(msg.command);
    // Any word parses as a command, so the one shown back is cut short and made wire-safe.
    if (!spec) throw new IrcError(ERR_UNKNOWNCOMMAND, [shownCommand(msg.command)], 'Unknown command');
    if (!spec.preRegistration && !session.registered) throw new IrcError(ERR_NOTREGISTERED, [], 'You have not registered');
    if (spec.oper && !session.user?.hasMode('o')) {
      throw new IrcError(ERR_NOPRIVILEGES, [], "Permission Denied- You're not an IRC operator");
    }
    if (msg.params.length < spec.minParams) throw new IrcError(ERR_NEEDMOREPARAMS, [msg.command], 'Not enough parameters');
    const pending = spec.handler(ctx, msg.params);
    if (pending) {
      return pending.then(
        () => rb.flush(),
        (err: unknown) => {
          replyError(ctx, err);
          rb.flush();
        },
      );
    }
  } catch (err) {
    replyError(ctx, err);
  }
  rb.flush();
}

/**
 * A listed gateway's connection was counted in the total only (server.accept): WEBIRC counts it
 * at its user's address; a first command other than WEBIRC makes it a direct client of the
 * gateway's own address, limited and throttled as any. False when that refuses it (closed).
 */
function admittedAtFirstCommand(host: CommandHost, session: Session, msg: IrcMessage): boolean {
  session.admissionDeferred = false;
  if (msg.command === 'WEBIRC') return true;
  const { services } = host;
  const address = session.conn.remoteAddress;
  const refusal = services.readmit(session, address);
  if (!refusal) return true;
  services.logger.info({ id: session.conn.id, address, reason: refusal.code }, 'connection refused');
  session.disconnect(refusal.message);
  return false;
}

function replyError(ctx: Context, err: unknown): void {
  if (err instanceof IrcError) {
    ctx.reply(err.numeric, ...err.params, err.text);
  } else if (err instanceof StandardReplyError) {
    ctx.rb.server('FAIL', [err.command, err.code, ...err.context, err.description]);
  } else if (isLogUnavailable(err)) {
    // The network's log (Redis) cannot be reached: nothing happened; the client may try again.
    ctx.rb.server('FAIL', [shownCommand(ctx.msg.command), 'TEMPORARILY_UNAVAILABLE', 'The network is unavailable right now, so this may not have been done; try again in a moment']);
  } else if (isStoreUnavailable(err)) {
    ctx.rb.server('FAIL', [shownCommand(ctx.msg.command), 'TEMPORARILY_UNAVAILABLE', 'The database is unavailable right now; try again in a moment']);
  } else {
    ctx.services.logError(err, `command ${ctx.msg.command}`);
    ctx.reply(ERR_UNKNOWNERROR, ctx.msg.command, 'Internal error while processing the command');
  }
}
