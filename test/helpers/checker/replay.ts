// The checker's reading of the log (issue 18): every entry the log assigned, applied in order to
// a fresh NetworkState, as a node that never lagged would. Along the way it checks the rules
// that must hold at every position — one user per nick, +l/+k/+i honoured by each JOIN, one
// founding operator per new room, no user of a dead node incarnation left — and records what
// the clients' views are then compared with (invariants.ts): where each msgid sits in the log,
// who was in a room when a message was applied, what NAMES a joiner should have been shown.
import { LogCursor, type LogEntry } from '../../../src/cluster/log-cursor.ts';
import type { NetworkEvent } from '../../../src/network/events.ts';
import { NetworkState } from '../../../src/network/network-state.ts';
import { Reducer } from '../../../src/network/reducer.ts';
import { snapshotDigest } from '../../../src/network/snapshot.ts';
import type { Channel } from '../../../src/network/state.ts';
import { foldCase } from '../../../src/protocol/casemapping.ts';
import { eventMsgid, loggedRedaction, type LoggedRedaction } from './redactions.ts';

export interface IntroducedUser {
  uid: string;
  nick: string;
  nodeId: string;
  epoch: string;
  position: number;
}

/** A PRIVMSG/NOTICE the log holds: to a room (its members then) or to one user. */
export interface LoggedMessage {
  position: number;
  msgid: string;
  uid: string;
  /** The room (folded) or the addressee's uid. */
  target: string;
  toRoom: boolean;
  accepted: boolean;
  /** Who should be sent it: the room's members at its position, or the addressee (the sender included for a room). */
  recipients: ReadonlySet<string>;
}

export interface LoggedJoin {
  position: number;
  uid: string;
  channel: string;
  accepted: boolean;
  /** NAMES as the joiner should see it at that position: prefix + nick, sorted. */
  names: string[];
}

export interface LogFacts {
  /** The last position read. */
  position: number;
  msgidPosition: Map<string, number>;
  /** Events the log refused (or passed over, a dead incarnation's): no line may carry their msgid. */
  refusedMsgids: Set<string>;
  /** Users the log introduced, by uid, and the uid of each (folded) nick they registered with. */
  users: Map<string, IntroducedUser>;
  uidByRegisteredNick: Map<string, string>;
  messages: Map<string, LoggedMessage>;
  /** Deletions (message.redact), by their own msgid. */
  redactions: Map<string, LoggedRedaction>;
  joins: Map<string, LoggedJoin>;
  /** Positions at which a room came into existence, by folded room name. */
  creations: Map<string, number[]>;
  /** Events refused when applied, by type and numeric: races the early checks could not see. */
  refusedAtApply: Map<string, number>;
  /** Rules broken at some position. */
  violations: string[];
  state: NetworkState;
  digest: string;
}

export interface ReplayOptions {
  whowasLimit: number;
  adminNick: string | undefined;
}

/** Applies `entries` (every position from 1, in order) and checks each step. */
export function replayLog(entries: readonly LogEntry<NetworkEvent>[], options: ReplayOptions): LogFacts {
  const state = new NetworkState(options.adminNick === undefined ? undefined : { nick: options.adminNick, hostname: 'checker' });
  const reducer = new Reducer(state, { serverName: 'checker' });
  const cursor = new LogCursor();
  const facts: LogFacts = {
    position: 0,
    msgidPosition: new Map(),
    refusedMsgids: new Set(),
    users: new Map(),
    uidByRegisteredNick: new Map(),
    messages: new Map(),
    redactions: new Map(),
    joins: new Map(),
    creations: new Map(),
    refusedAtApply: new Map(),
    violations: [],
    state,
    digest: '',
  };
  const fail = (entry: LogEntry<NetworkEvent>, what: string): void => {
    facts.violations.push(`@${entry.position} ${entry.event.type}: ${what}`);
  };
  for (const entry of entries) {
    const verdict = cursor.check(entry);
    if (verdict !== 'apply' && verdict !== 'dead-epoch') throw new Error(`the observed log is not contiguous at ${entry.position} (${verdict})`);
    facts.position = entry.position;
    const e = entry.event;
    // A deletion's lines carry its own msgid; the msgid it names is the deleted message's.
    const msgid = eventMsgid(e);
    if (msgid !== undefined) facts.msgidPosition.set(msgid, entry.position);
    if (verdict === 'dead-epoch') {
      if (msgid !== undefined) facts.refusedMsgids.add(msgid);
      continue;
    }
    const before = e.type === 'channel.join' ? roomBefore(state.channel(e.channel)) : undefined;
    const { verdict: outcome, deliveries } = reducer.apply(entry);
    if (msgid !== undefined && !outcome.ok) facts.refusedMsgids.add(msgid);
    if (outcome.refusal) {
      const key = `${e.type} ${outcome.refusal.numeric}`;
      facts.refusedAtApply.set(key, (facts.refusedAtApply.get(key) ?? 0) + 1);
    }
    for (const d of deliveries) if (d.to === 'epoch-dead') cursor.markEpochDead(d.epoch);
    if (e.type === 'user.introduce' && outcome.ok) {
      facts.users.set(e.uid, { uid: e.uid, nick: e.nick, nodeId: e.nodeId, epoch: entry.epoch, position: entry.position });
      if (!facts.uidByRegisteredNick.has(foldCase(e.nick))) facts.uidByRegisteredNick.set(foldCase(e.nick), e.uid);
    }
    if (e.type === 'message' && e.command !== 'TAGMSG') facts.messages.set(e.msgid, loggedMessage(state, entry.position, e, outcome.ok));
    if (e.type === 'message.redact') facts.redactions.set(e.redactMsgid, loggedRedaction(state, entry, e, outcome.ok, deliveries));
    if (e.type === 'channel.join') checkJoin(state, entry, e, before!, outcome.ok, facts, fail);
    checkNicks(state, entry, fail);
    checkUsersAlive(state, facts, entry, fail);
  }
  facts.digest = snapshotDigest(state);
  return facts;
}

/** The room as it was before a JOIN was applied. */
interface RoomBefore {
  existed: boolean;
  size: number;
  limit: number | undefined;
  key: string | undefined;
  inviteOnly: boolean;
  invited: ReadonlySet<string>;
}

function roomBefore(ch: Channel | undefined): RoomBefore {
  if (!ch) return { existed: false, size: 0, limit: undefined, key: undefined, inviteOnly: false, invited: new Set() };
  return { existed: true, size: ch.members.size, limit: ch.limit, key: ch.key, inviteOnly: ch.flags.has('i'), invited: new Set(ch.invited) };
}

function checkJoin(
  state: NetworkState,
  entry: LogEntry<NetworkEvent>,
  e: Extract<NetworkEvent, { type: 'channel.join' }>,
  before: RoomBefore,
  accepted: boolean,
  facts: LogFacts,
  fail: (entry: LogEntry<NetworkEvent>, what: string) => void,
): void {
  const ch = state.channel(e.channel);
  const user = state.users.get(e.uid);
  const membership = user && ch?.members.get(user);
  facts.joins.set(e.msgid, { position: entry.position, uid: e.uid, channel: e.channel, accepted, names: ch && accepted ? namesOf(ch) : [] });
  if (!accepted) return;
  if (!ch || !membership) return fail(entry, `accepted, yet ${e.uid} is not in ${e.channel}`);
  if (!before.existed) {
    const founders = [...ch.members.values()].filter((m) => m.has('o')).length;
    if (ch.members.size !== 1 || founders !== 1) fail(entry, `new room ${ch.name} has ${ch.members.size} members and ${founders} operators`);
    const list = facts.creations.get(ch.folded) ?? [];
    list.push(entry.position);
    facts.creations.set(ch.folded, list);
    return;
  }
  // Nobody here registers rooms: only a founder is made operator by joining.
  if (membership.has('o')) fail(entry, `${e.uid} joined existing ${ch.name} as an operator`);
  if (before.limit !== undefined && before.size >= before.limit) fail(entry, `${ch.name} took a JOIN with ${before.size} members at +l ${before.limit}`);
  if (before.key !== undefined && e.key !== before.key) fail(entry, `${ch.name} took a JOIN with key ${String(e.key)} at +k ${before.key}`);
  if (before.inviteOnly && !before.invited.has(e.uid)) fail(entry, `${ch.name} (+i) took a JOIN from uninvited ${e.uid}`);
}

function namesOf(ch: Channel): string[] {
  return [...ch.members].map(([u, m]) => m.prefix(false) + u.nick).sort();
}

function loggedMessage(state: NetworkState, position: number, e: Extract<NetworkEvent, { type: 'message' }>, accepted: boolean): LoggedMessage {
  const recipients = new Set<string>();
  let target: string;
  if (e.target.kind === 'channel') {
    target = foldCase(e.target.name);
    const ch = state.channel(e.target.name);
    if (accepted && ch && e.target.statusPrefix === undefined) for (const u of ch.members.keys()) recipients.add(u.uid);
  } else {
    target = e.target.uid;
    if (accepted) recipients.add(e.target.uid);
  }
  return { position, msgid: e.msgid, uid: e.uid, target, toRoom: e.target.kind === 'channel', accepted, recipients };
}

/** One user per (folded) nick, and the nick table and the users agreeing. */
function checkNicks(state: NetworkState, entry: LogEntry<NetworkEvent>, fail: (entry: LogEntry<NetworkEvent>, what: string) => void): void {
  if (state.nicks.size !== state.users.size) fail(entry, `${state.users.size} users but ${state.nicks.size} nicks`);
  const seen = new Map<string, string>();
  for (const u of state.users.values()) {
    const other = seen.get(u.foldedNick);
    if (other !== undefined) fail(entry, `nick ${u.nick} held by ${other} and ${u.uid}`);
    seen.set(u.foldedNick, u.uid);
    if (state.nicks.get(u.foldedNick) !== u) fail(entry, `the nick table does not give ${u.nick} to ${u.uid}`);
  }
}

/** Every user belongs to its node's current incarnation: a node declared down or replaced has none left. */
function checkUsersAlive(state: NetworkState, facts: LogFacts, entry: LogEntry<NetworkEvent>, fail: (entry: LogEntry<NetworkEvent>, what: string) => void): void {
  if (entry.event.type !== 'node.down' && entry.event.type !== 'node.up') return;
  for (const u of state.users.values()) {
    const introduced = facts.users.get(u.uid);
    if (!introduced) continue; // the admin pseudo-user
    if (state.nodes.get(u.nodeId) !== introduced.epoch) fail(entry, `${u.nick} (${u.uid}) of dead incarnation ${introduced.epoch} is still a user`);
  }
}
