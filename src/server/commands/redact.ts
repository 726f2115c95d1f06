// REDACT <target> <msgid> [:<reason>] (IRCv3 draft/message-redaction): deletes a message.
//
// Who may: its sender, within history.redactWindowMs of sending it; a room operator any message
// of their room; an IRC operator any message. The sender is matched by account when the
// message was sent logged in (so a user may delete from another connection, or after
// reconnecting); otherwise only the connection that sent it may (recent-sends.ts): a nick and
// user@host can be someone else's a minute later. The message is looked up in this
// connection's recent sends, then in the store, which gives its sender and time; the event
// carries the right found, and the reducer (reduce-redaction.ts) checks it again in the log.
// Clients with the capability are told, the deleter's own too; others are not (the spec
// leaves a fallback optional, and a notice for every deletion would be noise). History drops
// the message: here on a single server, from the log (history-writer.ts) in a cluster. Deletions by operators go to the
// audit log, with the text only when history.auditRedactedText says so.
import { foldCase } from '../../protocol/casemapping.ts';
import { clipMessageText } from '../../protocol/clip-text.ts';
import { REDACTION_CAP } from '../../protocol/caps.ts';
import { isChannelName } from '../../protocol/validate.ts';
import { utf8ByteLength } from '../../protocol/wire-text.ts';
import type { RedactEvent } from '../../network/events.ts';
import type { Channel, User } from '../../network/state.ts';
import { afterCommit } from '../../node/log-follower.ts';
import { conversationAccounts } from '../../storage/records.ts';
import type { StoredMessage } from '../../storage/store.ts';
import type { CommandGroup, Context } from '../context.ts';
import { StandardReplyError } from '../irc-error.ts';
import { Outgoing } from '../outgoing.ts';
import { accountNamed } from '../private-history.ts';
import { privateWhere } from '../recent-sends.ts';

type Place = { kind: 'channel'; channel: Channel } | { kind: 'user'; peer: User | undefined; nick: string };

/** The message to delete as the handler found it. */
interface Found {
  sentAt: number;
  sender: RedactEvent['sender'];
  stored: StoredMessage | undefined;
  /** A private message of a conversation the deleter is not in (an IRC operator's find). */
  between?: RedactEvent['between'];
}

function fail(code: string, context: string[], text: string): StandardReplyError {
  return new StandardReplyError('REDACT', code, context, text);
}

export const redactCommands: CommandGroup = {
  // REDACT <target> <msgid> [:<reason>]
  REDACT: { minParams: 2, handler: (ctx, params) => redact(ctx, params[0]!, params[1]!, params[2] || undefined) },
};

async function redact(ctx: Context, target: string, msgid: string, reason: string | undefined): Promise<void> {
  const me = ctx.user;
  const place = placeOf(ctx, target);
  const found = await findMessage(ctx, place, target, msgid);
  if (!found) throw fail('UNKNOWN_MSGID', [target, msgid], 'This message does not exist or is too old');

  const windowMs = ctx.config.history.redactWindowMs;
  const sender = found.sender;
  const isSender = sender !== undefined && ('uid' in sender ? sender.uid === me.uid : me.account !== undefined && foldCase(me.account) === sender.account);
  let as: RedactEvent['as'];
  if (isSender && ctx.now() - found.sentAt <= windowMs) as = 'sender';
  else if (place.kind === 'channel' && place.channel.members.get(me)?.has('o')) as = 'room-operator';
  else if (me.hasMode('o')) as = 'oper';
  else if (isSender) throw fail('REDACT_WINDOW_EXPIRED', [target, msgid, String(Math.floor(windowMs / 1000))], 'You can no longer delete this message');
  // Someone outside the room learns nothing of its messages: msgids are sequential, so telling
  // a room's msgid from an unknown one would show when an invite-only room is spoken in.
  else if (place.kind === 'channel' && !place.channel.members.has(me)) throw fail('UNKNOWN_MSGID', [target, msgid], 'This message does not exist or is too old');
  else throw fail('REDACT_FORBIDDEN', [target, msgid], 'You are not authorised to delete this message');

  const shown = place.kind === 'channel' ? place.channel.name : place.nick;
  // The relayed line, `:mask REDACT shown msgid :reason`, must fit a line.
  if (reason !== undefined) reason = clipMessageText(reason, ctx.limits.lineBytes - 2 - utf8ByteLength(`:${me.mask} REDACT ${shown} ${msgid} :`));
  const redactMsgid = ctx.ids.newMsgid();
  const event: RedactEvent = {
    type: 'message.redact',
    uid: me.uid,
    target: place.kind === 'channel' ? { kind: 'channel', name: place.channel.name } : { kind: 'user', uid: place.peer?.uid, nick: place.nick },
    msgid,
    reason,
    redactMsgid,
    as,
    sentAt: found.sentAt,
    windowMs,
    sender,
    ...(found.between ? { between: found.between } : {}),
  };
  await afterCommit(ctx.commit(event), async (verdict) => {
    if (!verdict.ok) {
      const r = verdict.refusal;
      if (r) throw fail(r.numeric, r.params, r.text);
      return;
    }
    ctx.session.recentSends.forget(msgid);
    if (ctx.config.history.enabled && !ctx.services.historyFromLog) await ctx.services.store.deleteMessage(msgid, ctx.now());
    // As the others are: only a client with the capability is told (one without it deleted
    // blind, and gets only what any command gets, an ACK when it labelled the line).
    if (ctx.session.hasCap(REDACTION_CAP)) ctx.rb.add(new Outgoing(me.mask, 'REDACT', reason === undefined ? [shown, msgid] : [shown, msgid, reason], verdict.time, redactMsgid, undefined, me.account));
    if (as !== 'sender') {
      const actor = as === 'oper' ? `oper:${ctx.session.operName ?? me.nick}` : `room-operator:${me.nick}`;
      const from = found.stored?.source ?? 'its sender';
      const text = ctx.config.history.auditRedactedText && found.stored ? `: ${found.stored.text}` : '';
      ctx.services.audit.record({ time: verdict.time, actor, action: 'redact', target: `${shown} ${msgid}`, detail: `a message from ${from}${text}` });
    }
  });
}

function placeOf(ctx: Context, target: string): Place {
  if (isChannelName(target)) {
    const channel = ctx.network.channel(target);
    // A secret room is answered as one that does not exist to whoever is not in it (nor an IRC
    // operator): msgids are sequential, so UNKNOWN_MSGID against REDACT_FORBIDDEN would tell
    // both that it exists and when it is spoken in.
    const hidden = channel !== undefined && channel.flags.has('s') && !channel.members.has(ctx.user) && !ctx.user.hasMode('o');
    if (!channel || hidden) throw fail('INVALID_TARGET', [target], `You cannot delete messages from ${target}`);
    return { kind: 'channel', channel };
  }
  const peer = ctx.network.userByNick(target);
  return { kind: 'user', peer, nick: peer?.nick ?? target };
}

/** The message, if it went to `place` (a msgid of another conversation is as unknown). */
async function findMessage(ctx: Context, place: Place, target: string, msgid: string): Promise<Found | undefined> {
  const me = ctx.user;
  const mine = ctx.session.recentSends.get(msgid);
  const where = place.kind === 'channel' ? place.channel.folded : place.peer && privateWhere(place.peer.uid);
  if (mine !== undefined && mine.where === where) return { sentAt: mine.time, sender: { uid: me.uid }, stored: undefined };
  if (!ctx.config.history.enabled) return undefined;
  const store = ctx.services.store;
  const stored = await store.findMessage(msgid);
  if (!stored) return undefined;
  let between: Found['between'];
  if (place.kind === 'channel') {
    if (stored.target !== place.channel.folded) return undefined;
  } else {
    // A private conversation between the named side's account and the reader's (any, for an IRC operator).
    const sides = conversationAccounts(stored.target);
    const other = await accountNamed(ctx.network, store, target);
    const own = me.account === undefined ? undefined : foldCase(me.account);
    if (!sides || !sides.includes(other) || !(me.hasMode('o') || (own !== undefined && sides.includes(own) && (own !== other || sides[0] === sides[1])))) return undefined;
    // Told by accounts too when whoever is online under the name typed is not the other side
    // (someone in the registered nick's grace period, or nobody): addressed by that nick, a
    // stranger would hear of the conversation, and the other side's connections would not.
    const peerIsSide = place.peer?.account !== undefined && foldCase(place.peer.account) === other;
    if (own === undefined || !sides.includes(own) || !peerIsSide) between = { named: other, other: sides[0] === other ? sides[1] : sides[0] };
  }
  return { sentAt: stored.time, sender: stored.account === undefined ? undefined : { account: foldCase(stored.account) }, stored, ...(between ? { between } : {}) };
}
