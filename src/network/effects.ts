// What applying one log entry yields besides the new state: the verdict its writer answers
// from, and the deliveries each node turns into writes to its own sessions (src/node/
// delivery.ts). Both are plain data; producing them does no I/O.
import type { Outgoing } from '../server/outgoing.ts';
import type { MultilineOutgoing } from '../server/multiline-outgoing.ts';
import type { BanListName } from './events.ts';
import type { ServerBan } from './bans.ts';
import type { WhowasEntry } from './network-state.ts';
import type { Channel, StatusMode, User } from './state.ts';

/** Why an event changed nothing: the numeric its writer answers with. */
export interface Refusal {
  numeric: string;
  params: string[];
  text: string;
}

export interface Verdict {
  /** Whether the event took effect. */
  readonly ok: boolean;
  readonly position: number;
  /** The log's time of the entry: what server-time, history and echoes show. */
  readonly time: number;
  /** A refused event's answer; none when the refusal needs no words (already in the room…). */
  readonly refusal?: Refusal;
  /** channel.mode: the MODE parameters that took effect. */
  readonly modeParams?: string[];
}

export type Delivery =
  /** To the room's members on this node; `minimum` for `@#room`/`+#room`; `extended`: the extended-join variant. */
  | {
      to: 'channel';
      channel: Channel;
      out: Outgoing;
      except?: string | undefined;
      exceptAlso?: string | undefined;
      minimum?: StatusMode | undefined;
      cap?: string | undefined;
      tagOnly?: boolean;
      extended?: Outgoing | undefined;
      /** Counted as a message delivered (metrics). */
      message?: boolean;
    }
  /**
   * To everyone sharing one of `channels` with `user` (the rooms it was in), once each, not the
   * user; `monitored`: also to whoever MONITORs the user's nick with extended-monitor (and `cap`).
   */
  | { to: 'neighbours'; user: User; channels: readonly Channel[]; out: Outgoing; cap?: string | undefined; monitored?: boolean }
  | { to: 'user'; uid: string; out: Outgoing; cap?: string | undefined; tagOnly?: boolean; message?: boolean }
  /**
   * IRCv3 multiline: a message of several lines to a room's members here (as 'channel': not
   * `except`, at least `minimum`) or to one user, as a batch to sessions that take one, else
   * as its lines.
   */
  | { to: 'multiline'; channel: Channel; except: string; minimum: StatusMode | undefined; lines: MultilineOutgoing }
  | { to: 'multiline'; uid: string; lines: MultilineOutgoing }
  /** A local member index change: the reducer changed the room's membership. */
  | { to: 'member'; channel: Channel; user: User; joined: boolean }
  /** MONITOR: the nick came online (`target` its mask) or went offline (`target` the nick). */
  | { to: 'monitors'; folded: string; online: boolean; target: string; time: number }
  | { to: 'everyone'; out: Outgoing; userMode?: string | undefined }
  | { to: 'kill'; uid: string; out: Outgoing; reason: string }
  /** The user was logged out by the network (not by their own command): their node says so. */
  | { to: 'logged-out'; uid: string; out: Outgoing }
  | { to: 'admin-inbox'; from: User; command: string; text: string; time: number }
  /** A nick no longer in use, for WHOWAS (each node keeps as many as its config says). */
  | { to: 'whowas'; entry: WhowasEntry }
  | { to: 'server-ban'; list: BanListName; ban: ServerBan }
  | { to: 'server-unban'; list: BanListName; mask: string }
  /** Connection limits set live: each node applies them to its own gate. */
  | { to: 'connection-limits'; max: number | undefined; perIp: number | undefined }
  /** A registered room's topic or modes changed: saved by the node whose user changed it. */
  | { to: 'room-changed'; channel: Channel; byNode: string | undefined }
  /** A node incarnation left the network: declared down, or replaced by a newer one of its node (`replaced`). */
  | { to: 'epoch-dead'; nodeId: string; epoch: string; replaced: boolean };

export interface Outcome {
  verdict: Verdict;
  deliveries: Delivery[];
}

/** A refusal that needs no words: the event changes nothing (the user is gone, already in the room…). */
export const NO_CHANGE = Symbol('no change');

/** What reducing one event gives: undefined when it took effect. */
export type Reduced = Refusal | typeof NO_CHANGE | { modeParams: string[] } | undefined;

export function refuse(numeric: string, params: string[], text: string): Refusal {
  return { numeric, params, text };
}
