// Events carried by the Bus. Plain data only (ids and strings), so that they can cross
// processes. `uid` is the user who acts; nodes deliver to everyone concerned except that
// user, whose own session answers it directly (with its label, for labeled-response).
import type { ServerBan } from './bans.ts';
import type { UserInit } from './state.ts';

export interface ModeChange {
  add: boolean;
  mode: string;
  arg?: string | undefined;
}

/** Server bans refuse connections; mutes let a user read but not speak. */
export type BanListName = 'ban' | 'mute';

export type MessageTarget = { kind: 'channel'; name: string; statusPrefix?: string } | { kind: 'user'; uid: string };

export type NetworkEvent =
  | ({ type: 'user.introduce' } & UserInit)
  | { type: 'user.nick'; uid: string; nick: string; time: number; msgid: string }
  | { type: 'user.quit'; uid: string; reason: string; time: number; msgid: string }
  | { type: 'user.away'; uid: string; away: string | undefined; time: number }
  | { type: 'user.setname'; uid: string; realname: string; time: number }
  | { type: 'user.mode'; uid: string; changes: ModeChange[]; time: number }
  // Logged in to an account (SASL, REGISTER) or out of it (undefined: suspended, deleted).
  | { type: 'user.account'; uid: string; account: string | undefined; time: number }
  | { type: 'channel.join'; uid: string; channel: string; time: number; msgid: string }
  | { type: 'channel.part'; uid: string; channel: string; reason: string | undefined; time: number; msgid: string }
  | { type: 'channel.kick'; uid: string; channel: string; targetUid: string; reason: string; time: number; msgid: string }
  | { type: 'channel.topic'; uid: string; channel: string; topic: string; time: number; msgid: string }
  | { type: 'channel.mode'; uid: string | undefined; channel: string; changes: ModeChange[]; time: number; msgid: string }
  | { type: 'channel.invite'; uid: string; channel: string; targetUid: string; time: number; msgid: string }
  // A registered room keeps its topic, modes, bans and operator accounts when empty and
  // across restarts; `operators` are the accounts given +o on join (the founder included).
  | { type: 'channel.register'; channel: string; founder: string; operators: string[]; registeredAt: number }
  | { type: 'channel.unregister'; channel: string; time: number }
  // Server administration: bans and mutes are network-wide state; a kill closes the
  // victim's session on the node that holds it; notices reach every user (or +w users).
  | { type: 'ban.add'; list: BanListName; ban: ServerBan }
  | { type: 'ban.remove'; list: BanListName; mask: string }
  | { type: 'user.kill'; uid: string; source: string; reason: string; time: number }
  | { type: 'server.notice'; command: 'NOTICE' | 'PRIVMSG'; source: string; text: string; time: number; msgid: string }
  | { type: 'wallops'; source: string; text: string; time: number; msgid: string }
  | {
      type: 'message';
      command: 'PRIVMSG' | 'NOTICE' | 'TAGMSG';
      uid: string;
      target: MessageTarget;
      text: string;
      clientTags: Record<string, string>;
      time: number;
      msgid: string;
    };
