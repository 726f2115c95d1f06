// Events in the network's log. Plain data only (ids and strings), so that they can cross
// processes. No event carries a time: the log's entry does (LogEntry.time), so every node
// shows the same. `uid` is the user who acts; nodes deliver to everyone concerned except that
// user, whose own session answers when its event comes back from the log (with its label,
// for labeled-response). The reducer (reducer.ts) checks each one again when applying it.
import type { Casemapping } from '../protocol/casemapping.ts';
import type { ChannelRecord } from '../storage/store.ts';
import type { ServerBan } from './bans.ts';
import type { UserInit } from './state.ts';

export interface ModeChange {
  add: boolean;
  mode: string;
  arg?: string | undefined;
}

/** Server bans refuse connections; mutes let a user read but not speak. */
export type BanListName = 'ban' | 'mute';

/** Who gives up an account's nick (or a look-alike of it) to its owner, the guest nick they get, and that NICK's msgid. */
export interface NickDisplacement {
  uid: string;
  nick: string;
  msgid: string;
}

export type MessageTarget = { kind: 'channel'; name: string; statusPrefix?: string } | { kind: 'user'; uid: string };

export type NetworkEvent =
  // A node incarnation (the entry's epoch) joins the network; one already up under an older
  // epoch is gone: its users quit.
  // `adminNick`: the admin pseudo-user's nick in this node's config (null: none). Every node must
  // agree (the pseudo-user is part of the state): a node that differs is refused.
  // `casemapping`: server.casemapping, which every node must share too (absent: rfc1459).
  // `unicode`: the node's process.versions.unicode. The fold and the look-alike skeleton use
  // Node's own NFKC and lower-case tables, and a newer Unicode can fold a newly assigned
  // character differently, so every node must run the same one (absent: not announced).
  // `serverName`: the node's server.name, what WHOIS (312) and LINKS call it (absent: its node id).
  | { type: 'node.up'; nodeId: string; adminNick?: string | null; casemapping?: Casemapping; unicode?: string; serverName?: string }
  // A node declared gone (by itself at shutdown, or by another that lost sight of it): its
  // users quit everywhere, and later entries of that epoch are passed over.
  | { type: 'node.down'; nodeId: string; epoch: string; reason: string }
  // `displace`: the user, logged in to the account named `nick` as they connect (SASL), takes it
  // as user.nick's `displace` does.
  | ({ type: 'user.introduce'; displace?: NickDisplacement } & Omit<UserInit, 'signonAt'>)
  // `forced`: the server renames the user (off a registered nick), whatever mutes say.
  // `displace`: the owner of the account named `nick` takes it from whoever holds it or a
  // look-alike of it without a right to it (lookalike-nicks.ts mayDisplace), who is renamed
  // `displace.nick` first.
  | { type: 'user.nick'; uid: string; nick: string; msgid: string; forced?: boolean; displace?: NickDisplacement }
  | { type: 'user.quit'; uid: string; reason: string; msgid: string }
  | { type: 'user.away'; uid: string; away: string | undefined }
  | { type: 'user.setname'; uid: string; realname: string }
  | { type: 'user.mode'; uid: string; changes: ModeChange[] }
  // Logged in to an account (SASL, REGISTER) or out of it (undefined).
  | { type: 'user.account'; uid: string; account: string | undefined }
  // Everyone logged in to the account is logged out (suspended, deleted), on every node.
  | { type: 'account.logout'; account: string }
  | { type: 'channel.join'; uid: string; channel: string; key: string | undefined; msgid: string }
  | { type: 'channel.part'; uid: string; channel: string; reason: string | undefined; msgid: string }
  // `override`: an IRC operator (or the console) acting without the room's operator status.
  | { type: 'channel.kick'; uid: string; channel: string; targetUid: string; reason: string; override: boolean; msgid: string }
  | { type: 'channel.topic'; uid: string; channel: string; topic: string; msgid: string }
  // `uid` undefined: the server sets them (`setBy` names it).
  // `listLimits`: the writer's MAXLIST (its config), carried so that every node judges alike and
  // two operators on two nodes cannot fill a list past it together (absent: no limit).
  | { type: 'channel.mode'; uid: string | undefined; setBy: string; channel: string; changes: ModeChange[]; msgid: string; listLimits?: ListLimits }
  | { type: 'channel.invite'; uid: string; channel: string; targetUid: string; msgid: string }
  // A registered room keeps its topic, modes, bans and operator accounts when empty and
  // across restarts; `operators` are the accounts given +o on join (the founder included).
  // `uid`: the operator registering it (the room must not be registered yet); without one, the
  // operator list of a room registered to `founder` is updated.
  | { type: 'channel.register'; uid?: string; channel: string; founder: string; operators: string[]; registeredAt: number }
  | { type: 'channel.unregister'; channel: string }
  // A registered room as it was saved, put back at start (a no-op if the network has it).
  | { type: 'channel.restore'; record: ChannelRecord }
  // Server administration: bans and mutes are network-wide state; a kill closes the
  // victim's session on the node that holds it; notices reach every user (or +w users).
  | { type: 'ban.add'; list: BanListName; ban: ServerBan }
  | { type: 'ban.remove'; list: BanListName; mask: string }
  | { type: 'user.kill'; uid: string; source: string; reason: string }
  // Connection limits set live (console, LIMIT, the admin API): every node up applies them to
  // its own gate, until its next reload or restart (then its config's). Each counts its own
  // connections. An omitted limit is left as it is.
  | { type: 'connections.limit'; max?: number; perIp?: number }
  | { type: 'server.notice'; command: 'NOTICE' | 'PRIVMSG'; source: string; text: string; msgid: string }
  | { type: 'wallops'; source: string; text: string; msgid: string }
  // IRCv3 draft/read-marker: the user's account has read `target` (a room, or a nick for a
  // private conversation, as the user names it) up to `time` (ms), which the store already
  // holds. The account's other sessions with the capability are told, on every node.
  | { type: 'readmarker.set'; uid: string; account: string; target: string; time: number }
  // IRCv3 draft/message-redaction: `uid` deletes a message (reduce-redaction.ts).
  | RedactEvent
  | {
      type: 'message';
      command: 'PRIVMSG' | 'NOTICE' | 'TAGMSG';
      uid: string;
      target: MessageTarget;
      text: string;
      clientTags: Record<string, string>;
      msgid: string;
      /**
       * In a cluster, where history is written from the log (src/node/history-writer.ts): what
       * the store keeps of it, so that whichever node writes it needs nothing but the entry.
       */
      history?: MessageHistory;
      /**
       * IRCv3 multiline: `text` is the combined value of several lines (joined by '\n'), and
       * `concat` the offsets in it where a concat line starts (src/protocol/multiline.ts).
       */
      multiline?: { concat: number[] };
    };

/** How many entries each list of a room may hold (ISUPPORT MAXLIST). */
export interface ListLimits {
  b: number;
  e: number;
  I: number;
}

/** A message's place in history: the conversation key, the sender as shown, and kept client tags. */
export interface MessageHistory {
  key: string;
  source: string;
  account?: string | undefined;
  tags?: Record<string, string> | undefined;
}

export type NetworkEventType = NetworkEvent['type'];

/**
 * A message deleted (IRCv3 draft/message-redaction). The writer found the message (in the
 * store, or in its session's own recent sends) and the right it acts by; the reducer checks
 * that right again at this position. Deliveries go to the room's members, or to the other side
 * of a private conversation, that have the capability; history drops the message.
 */
export interface RedactEvent {
  type: 'message.redact';
  /** Who deletes it. */
  uid: string;
  /** The room, or the other side of the private conversation while online (else only history changes). */
  target: { kind: 'channel'; name: string } | { kind: 'user'; uid: string | undefined; nick: string };
  /** The deleted message's msgid. */
  msgid: string;
  reason: string | undefined;
  /** The REDACT's own msgid. */
  redactMsgid: string;
  /**
   * The right the writer found: the message's sender (within `windowMs` of `sentAt`, the window
   * of the writer's config, carried so that every node judges alike), a room operator, or an
   * IRC operator.
   */
  as: 'sender' | 'room-operator' | 'oper';
  sentAt: number;
  windowMs: number;
  /** `as: 'sender'`: the account that sent it (folded), or the sending user when logged out. */
  sender: { account: string } | { uid: string } | undefined;
  /**
   * A private message deleted by someone outside its conversation (an IRC operator): its two
   * accounts (folded), `named` the side `target` names. Each side's connections are told under
   * the other side's nick, the name of their own conversation.
   */
  between?: { named: string; other: string };
}
