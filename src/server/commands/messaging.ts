// Messages: PRIVMSG, NOTICE and TAGMSG to rooms and to people.
import { hasTags, NO_TAGS, type Tags } from '../../protocol/message.ts';
import {
  ERR_CANNOTSENDTOCHAN,
  ERR_NORECIPIENT,
  ERR_NOSUCHCHANNEL,
  ERR_NOSUCHNICK,
  ERR_NOTEXTTOSEND,
  ERR_CANNOTSENDTOUSER,
  ERR_NOPRIVILEGES,
  ERR_TOOMANYTARGETS,
  RPL_AWAY,
} from '../../protocol/numerics.ts';
import { clipMessageText } from '../../protocol/clip-text.ts';
import { matchMask } from '../../protocol/mask.ts';
import { isChannelName } from '../../protocol/validate.ts';
import { utf8ByteLength } from '../../protocol/wire-text.ts';
import { ADMIN_UID } from '../../network/network-state.ts';
import { mutedText } from '../../network/mute-text.ts';
import type { Verdict } from '../../network/effects.ts';
import { inTurn } from '../in-turn.ts';
import { operActor } from './oper.ts';
import { storedConversation } from '../private-history.ts';
import type { CommandGroup, CommandSpec, Context } from '../context.ts';
import type { MessageTarget, NetworkEvent } from '../../network/events.ts';
import { IrcError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { BOT_MODE } from '../../protocol/isupport.ts';
import { echoMultiline, fitCombined, withConcatOffsets, type MultilineShape } from '../multiline-echo.ts';
import type { Channel, User } from '../../network/state.ts';

type MessageCommand = 'PRIVMSG' | 'NOTICE' | 'TAGMSG';
type MessageEvent = Extract<NetworkEvent, { type: 'message' }>;

const STATUS_PREFIXES = '@+';

function messageCommand(command: MessageCommand): CommandSpec {
  return {
    minParams: 0,
    handler(ctx, params) {
      try {
        return deliver(ctx, command, params);
      } catch (err) {
        // NOTICE never draws automatic error replies, so that bots cannot loop (Modern IRC:
        // this applies to servers too), whether the error is about the whole command or
        // one of its targets.
        if (!(command === 'NOTICE' && err instanceof IrcError)) throw err;
      }
    },
  };
}

function deliver(ctx: Context, command: MessageCommand, [targets, text]: string[]): void | Promise<void> {
  if (targets === undefined || targets === '') {
    throw new IrcError(ERR_NORECIPIENT, [], `No recipient given (${command})`);
  }
  if (command !== 'TAGMSG' && (text === undefined || text === '')) {
    throw new IrcError(ERR_NOTEXTTOSEND, [], 'No text to send');
  }
  // Most messages have one target: no list is made for it.
  const list = targets.includes(',') ? targets.split(',').filter((t) => t !== '') : undefined;
  if (list !== undefined && list.length > ctx.limits.targetsPerMessage) {
    throw new IrcError(ERR_TOOMANYTARGETS, [list[ctx.limits.targetsPerMessage]!], 'Too many targets');
  }
  const clientTags = ctx.session.hasCap('message-tags') ? pickClientTags(ctx.msg.tags) : NO_TAGS;
  const now = ctx.now();
  ctx.session.lastSpokeAt = now;
  ctx.services.stats.messages.mark(now, list?.length ?? 1);
  // Message text is private: logged only where the operator asked for it (logging.messages).
  if (command !== 'TAGMSG' && ctx.config.logging.messages) ctx.services.logger.debug({ from: ctx.user.nick, target: targets, command, text }, 'message');
  if (list === undefined) return sendTo(ctx, command, targets, text, clientTags);
  if (list.length === 1) return sendTo(ctx, command, list[0]!, text, clientTags);
  return inTurn(list, (target) => sendTo(ctx, command, target, text, clientTags));
}

/** One target of the list; a refusal is its own reply. */
function sendTo(ctx: Context, command: MessageCommand, target: string, text: string | undefined, clientTags: Tags, multiline?: MultilineShape): void | Promise<void> {
  try {
    if (target.startsWith('$')) {
      if (command !== 'TAGMSG') sendToServerMask(ctx, command, target, text!);
      return;
    }
    const pending = send(ctx, command, target, text ?? '', clientTags, multiline);
    if (pending) return pending.catch((err: unknown) => answerRefusal(ctx, command, err));
  } catch (err) {
    answerRefusal(ctx, command, err);
  }
}

function answerRefusal(ctx: Context, command: MessageCommand, err: unknown): void {
  if (!(err instanceof IrcError)) throw err;
  // A refused server-mask notice is answered all the same: it is a privilege, not a
  // conversation a bot could loop on, and the operator needs to know it went nowhere.
  if (command !== 'NOTICE' || err.numeric === ERR_NOPRIVILEGES) ctx.reply(err.numeric, ...err.params, err.text);
}

/** `NOTICE $*` (or `$server.name`, `$$*`): an operator's message to everyone on the network. */
function sendToServerMask(ctx: Context, command: 'PRIVMSG' | 'NOTICE', target: string, text: string): void {
  if (!ctx.user.hasMode('o')) throw new IrcError(ERR_NOPRIVILEGES, [], "Permission Denied- You're not an IRC operator");
  const mask = target.replace(/^\$+/, '');
  if (!matchMask(mask, ctx.serverName)) throw new IrcError(ERR_NOSUCHNICK, [target], 'No such server');
  ctx.services.admin.broadcast(operActor(ctx), text, command);
}

/**
 * A multi-line message (IRCv3 multiline, commands/multiline.ts) to its one target, as PRIVMSG or
 * NOTICE would send it: its lines stay together, one message with one msgid.
 */
export function sendMultiline(ctx: Context, command: 'PRIVMSG' | 'NOTICE', target: string, text: string, concat: number[], clientTags: Tags): void | Promise<void> {
  ctx.session.lastSpokeAt = ctx.now();
  ctx.services.stats.messages.mark(ctx.now(), 1);
  if (ctx.config.logging.messages) ctx.services.logger.debug({ from: ctx.user.nick, target, command, text }, 'message');
  return sendTo(ctx, command, target, text, clientTags, { concat });
}

export const messagingCommands: CommandGroup = {
  // PRIVMSG <target>{,<target>} <text to be sent>
  PRIVMSG: messageCommand('PRIVMSG'),
  // NOTICE <target>{,<target>} <text to be sent>
  NOTICE: messageCommand('NOTICE'),
  // TAGMSG <target>{,<target>}  (IRCv3 message-tags)
  TAGMSG: messageCommand('TAGMSG'),
};

export function pickClientTags(tags: Tags): Tags {
  let picked: Tags | undefined;
  for (const key in tags) {
    if (key.charCodeAt(0) === 0x2b /* + */) (picked ??= {})[key] = tags[key]!;
  }
  return picked ?? NO_TAGS;
}

function send(ctx: Context, command: MessageCommand, rawTarget: string, text: string, clientTags: Tags, multiline?: MultilineShape): void | Promise<void> {
  const user = ctx.user;
  let statusPrefix: string | undefined;
  let name = rawTarget;
  if (STATUS_PREFIXES.includes(name[0]!) && isChannelName(name.slice(1))) {
    statusPrefix = name[0];
    name = name.slice(1);
  }

  let target: MessageTarget;
  let shown: string;
  /** Where history keeps it; undefined: not kept (a private message without both accounts). */
  let storeKey: string | undefined;
  /** Where it went, as the sender's connection remembers it for REDACT (recent-sends.ts). */
  let where: string;
  let privateMessage = false;
  const muted = ctx.network.mutes.size > 0 && ctx.network.mutes.match(ctx.now(), ctx.session.conn.remoteAddress, user.mask);
  if (isChannelName(name)) {
    const ch = ctx.network.channel(name);
    if (!ch) throw new IrcError(ERR_NOSUCHCHANNEL, [name], 'No such channel');
    if (muted) throw new IrcError(ERR_CANNOTSENDTOCHAN, [ch.name], `Cannot send to channel (${mutedText(muted)})`);
    checkCanSend(ch, user);
    target = statusPrefix === undefined ? { kind: 'channel', name: ch.name } : { kind: 'channel', name: ch.name, statusPrefix };
    shown = (statusPrefix ?? '') + ch.name;
    // A message to `@#room` is for the room's operators only: the room's history, which every
    // member reads, does not keep it.
    storeKey = statusPrefix === undefined ? ch.folded : undefined;
    where = ch.folded;
  } else {
    const to = ctx.network.userByNick(name);
    if (!to) throw new IrcError(ERR_NOSUCHNICK, [name], 'No such nick/channel');
    // A muted user may still appeal to the operator.
    if (muted && to.uid !== ADMIN_UID) throw new IrcError(ERR_CANNOTSENDTOUSER, [to.nick], mutedText(muted, { capitalised: true }));
    if (command === 'PRIVMSG' && to.away !== undefined) ctx.reply(RPL_AWAY, to.nick, to.away);
    target = { kind: 'user', uid: to.uid };
    shown = to.nick;
    storeKey = storedConversation(user, to);
    where = to.uid;
    privateMessage = true;
  }

  // The line relayed, `:mask COMMAND shown :text` with CR LF, must fit LINELEN: longer text is
  // cut here, so that what is relayed, echoed and kept in history is the same. A UTF-16 unit
  // is at most 3 bytes: most messages are known to fit without counting.
  const maxBody = ctx.limits.lineBytes - 2;
  if (multiline !== undefined) {
    // Each line of a multi-line message fits on its own: a longer one goes on as concat lines.
    const fitted = fitCombined(text, multiline.concat, maxBody - utf8ByteLength(`:${user.mask} ${command} ${shown} :`));
    text = fitted.text;
    multiline = { concat: fitted.concat };
  } else if (command !== 'TAGMSG' && (user.mask.length + command.length + shown.length + 5 + text.length) * 3 > maxBody) {
    text = clipMessageText(text, maxBody - utf8ByteLength(`:${user.mask} ${command} ${shown} :`));
  }

  const msgid = ctx.ids.newMsgid();
  const fromBot = user.hasMode(BOT_MODE);
  const sent: SentMessage = { command, name, shown, text, msgid, clientTags, storeKey, mask: user.mask, account: user.account, fromBot, where, privateMessage, multiline };
  const event: MessageEvent = { type: 'message', command, uid: user.uid, target, text, clientTags, msgid };
  if (multiline !== undefined) event.multiline = multiline;
  // In a cluster the entry itself carries what history keeps: it is written from the log, by
  // whichever node gets it first, so a node dying right after the echo loses nothing.
  if (command !== 'TAGMSG' && storeKey !== undefined && ctx.config.history.enabled && ctx.services.historyFromLog) {
    event.history = { key: storeKey, source: user.mask, account: user.account, tags: withConcatOffsets(storedTags(clientTags, fromBot), multiline) };
  }
  const committed = ctx.commit(event);
  if (committed instanceof Promise) return committed.then((verdict) => answerMessage(ctx, sent, verdict));
  answerMessage(ctx, sent, committed);
}

/** A message on its way through the log, as its sender's answer needs it. */
interface SentMessage {
  command: MessageCommand;
  /** The target as the sender named it. */
  name: string;
  /** The target as the echo shows it. */
  shown: string;
  text: string;
  msgid: string;
  clientTags: Tags;
  storeKey: string | undefined;
  mask: string;
  account: string | undefined;
  /** Sent in bot mode (+B): the echo and history carry the bot tag. */
  fromBot: boolean;
  /** The room's folded name, or the recipient's uid for a private message (RecentSends). */
  where: string;
  privateMessage: boolean;
  /** IRCv3 multiline: `text` holds several lines. */
  multiline: MultilineShape | undefined;
}

/** The network's verdict on a message: the echo and history with the log's time, or the refusal. */
function answerMessage(ctx: Context, m: SentMessage, verdict: Verdict): void {
  if (!verdict.ok) {
    const r = verdict.refusal;
    if (!r) return;
    // The recipient left meanwhile: named as the sender named them.
    throw r.numeric === ERR_NOSUCHNICK ? new IrcError(ERR_NOSUCHNICK, [m.name], 'No such nick/channel') : new IrcError(r.numeric, r.params, r.text);
  }
  const time = verdict.time;
  ctx.session.recentSends.remember(m.msgid, m.where, m.privateMessage, time);
  if (m.multiline !== undefined && ctx.session.hasCap('echo-message')) {
    echoMultiline(ctx, { ...m, command: m.command as 'PRIVMSG' | 'NOTICE', concat: m.multiline.concat, time });
  } else if (ctx.session.hasCap('echo-message')) {
    const tags = hasTags(m.clientTags) ? m.clientTags : undefined;
    const echo = new Outgoing(m.mask, m.command, m.command === 'TAGMSG' ? [m.shown] : [m.shown, m.text], time, m.msgid, tags, m.account);
    ctx.rb.add(m.fromBot ? echo.markFromBot() : echo);
  }
  const { command, storeKey } = m;
  if (command !== 'TAGMSG' && storeKey !== undefined && ctx.config.history.enabled && !ctx.services.historyFromLog) {
    ctx.services.store.appendMessage({ msgid: m.msgid, target: storeKey, time, source: m.mask, account: m.account, command, text: m.text, tags: withConcatOffsets(storedTags(m.clientTags, m.fromBot), m.multiline) });
  }
}

/**
 * Client tags worth keeping with a message (+reply, +react…), not passing ones like +typing;
 * and `bot` for a bot's message, which history replays as it replays client tags (to
 * clients with message-tags), so that no column is needed for it.
 */
function storedTags(tags: Tags, fromBot: boolean): Tags | undefined {
  let kept: Tags | undefined;
  for (const key in tags) if (!key.endsWith('typing')) (kept ??= {})[key] = tags[key]!;
  if (fromBot) (kept ??= {}).bot = '';
  return kept;
}

function checkCanSend(ch: Channel, user: User): void {
  const m = ch.members.get(user);
  const voiced = m !== undefined && (m.has('o') || m.has('v'));
  if (!m && ch.flags.has('n')) throw new IrcError(ERR_CANNOTSENDTOCHAN, [ch.name], 'Cannot send to channel (no external messages)');
  if (!voiced && ch.flags.has('m')) throw new IrcError(ERR_CANNOTSENDTOCHAN, [ch.name], 'Cannot send to channel (+m)');
  if (!voiced && ch.isBanned(user)) throw new IrcError(ERR_CANNOTSENDTOCHAN, [ch.name], 'Cannot send to channel (you are banned)');
}
