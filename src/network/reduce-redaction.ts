// message.redact (IRCv3 draft/message-redaction) applied to the network: the right the writer
// found is checked again at this position, since a room operator may have lost +o, an IRC
// operator their mode, and the sender's window may have closed while the entry waited. Changes
// no state: history drops the message (the handler's node, or the cluster's history writer),
// and clients with the capability are told.
import { foldCase } from '../protocol/casemapping.ts';
import { REDACTION_CAP } from '../protocol/caps.ts';
import { Outgoing } from '../server/outgoing.ts';
import { ADMIN_CONVERSATION_SIDE } from '../server/private-history.ts';
import { NO_CHANGE, refuse, type Delivery, type Reduced } from './effects.ts';
import type { RedactEvent } from './events.ts';
import type { NetworkState } from './network-state.ts';
import type { User } from './state.ts';

/** The refusals' codes: FAIL REDACT <code> as the handler words it. */
export const REDACT_FORBIDDEN = 'REDACT_FORBIDDEN';
export const REDACT_WINDOW_EXPIRED = 'REDACT_WINDOW_EXPIRED';

export function reduceRedact(state: NetworkState, e: RedactEvent, time: number, out: Delivery[]): Reduced {
  const actor = state.users.get(e.uid);
  if (!actor) return NO_CHANGE;
  const shown = e.target.kind === 'channel' ? e.target.name : e.target.nick;
  const channel = e.target.kind === 'channel' ? state.channel(e.target.name) : undefined;
  switch (e.as) {
    case 'oper':
      if (!actor.hasMode('o')) return refuse(REDACT_FORBIDDEN, [shown, e.msgid], 'You are not authorised to delete this message');
      break;
    case 'room-operator':
      if (!channel?.members.get(actor)?.has('o')) return refuse(REDACT_FORBIDDEN, [shown, e.msgid], 'You are not authorised to delete this message');
      break;
    case 'sender': {
      const s = e.sender;
      const same = s !== undefined && ('uid' in s ? s.uid === actor.uid : actor.account !== undefined && foldCase(actor.account) === s.account);
      if (!same) return refuse(REDACT_FORBIDDEN, [shown, e.msgid], 'You are not authorised to delete this message');
      if (time - e.sentAt > e.windowMs) return refuse(REDACT_WINDOW_EXPIRED, [shown, e.msgid, String(Math.floor(e.windowMs / 1000))], 'You can no longer delete this message');
      break;
    }
    default:
      return NO_CHANGE; // an entry from another release
  }
  const params = (target: string): string[] => (e.reason ? [target, e.msgid, e.reason] : [target, e.msgid]);
  if (channel) {
    out.push({ to: 'channel', channel, out: new Outgoing(actor.mask, 'REDACT', params(channel.name), time, e.redactMsgid, undefined, actor.account), except: actor.uid, cap: REDACTION_CAP });
  } else if (e.target.kind === 'user') {
    const told = new Set([actor.uid]);
    const tell = (u: User, target: string): void => {
      if (told.has(u.uid)) return;
      told.add(u.uid);
      out.push({ to: 'user', uid: u.uid, out: new Outgoing(actor.mask, 'REDACT', params(target), time, e.redactMsgid, undefined, actor.account), cap: REDACTION_CAP });
    };
    const peer = e.target.uid === undefined ? undefined : state.users.get(e.target.uid);
    if (e.between) {
      tellBothSides(state, e.between, peer?.nick ?? e.target.nick, tell);
    } else {
      // As a private PRIVMSG reaches its recipient: addressed to their own nick.
      if (peer) tell(peer, peer.nick);
      tellOtherConnections(state, actor, peer, peer?.nick ?? e.target.nick, tell);
    }
  }
  return undefined;
}

/**
 * A private message deleted from outside its conversation (an IRC operator): addressed to
 * their own nick it would send its recipients to their conversation with the operator, where
 * the msgid is not (and the spec has clients ignore it there). So each connection of either
 * account is told under the other side's nick, which names its own conversation. The accounts,
 * not the nick the operator typed: someone else may be online under that name.
 */
function tellBothSides(state: NetworkState, between: NonNullable<RedactEvent['between']>, namedNick: string, tell: (u: User, target: string) => void): void {
  const otherNick = nickOfAccount(state, between.other);
  for (const u of state.users.values()) {
    if (u.account === undefined) continue;
    const account = foldCase(u.account);
    if (account === between.named) tell(u, otherNick);
    else if (account === between.other) tell(u, namedNick);
  }
}

/** How an account is seen in a conversation: its owner's nick while online with it, else its name. */
function nickOfAccount(state: NetworkState, account: string): string {
  if (account === ADMIN_CONVERSATION_SIDE) return state.admin?.nick ?? account;
  const named = state.userByNick(account);
  if (named?.account !== undefined && foldCase(named.account) === account) return named.nick;
  for (const u of state.users.values()) if (u.account !== undefined && foldCase(u.account) === account) return u.nick;
  return account;
}

/**
 * The other connections of both sides' accounts hold the message too (private history is the
 * accounts'): the actor's see the conversation under the other side's nick, the other side's
 * are addressed by their own nick, as the message reached them. Users without an account have
 * no other connection. A scan of the users, but deletions are rare.
 */
function tellOtherConnections(state: NetworkState, actor: User, peer: User | undefined, peerNick: string, tell: (u: User, target: string) => void): void {
  const own = actor.account === undefined ? undefined : foldCase(actor.account);
  const theirs = peer?.account === undefined ? undefined : foldCase(peer.account);
  if (own === undefined && theirs === undefined) return;
  for (const u of state.users.values()) {
    if (u.account === undefined) continue;
    const account = foldCase(u.account);
    if (account === own) tell(u, peerNick);
    else if (account === theirs) tell(u, u.nick);
  }
}
