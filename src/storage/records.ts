// Shared by the Store implementations so both answer alike: where a HistoryRef sits in a
// conversation, how AROUND splits its limit, and the canonical shape of each record (optional
// fields absent rather than undefined, so results compare equal whichever store produced them).
import { foldCase } from '../protocol/casemapping.ts';
import { cleanExceptionLists, listEntry } from './channel-lists.ts';
import type { AccountRecord, ChannelRecord, HistoryRef, StoredBan, StoredMessage } from './store.ts';

/** A point in a conversation's order: time, then insertion order among messages of one ms. */
export interface Position {
  time: number;
  seq: number;
}

/**
 * Where a ref sits: messages strictly before it are < lo, strictly after it are > hi. A msgid
 * is one message (lo = hi = its position); a time covers every message of that ms.
 */
export interface Span {
  lo: Position;
  hi: Position;
}

export const FIRST_SEQ = -1;
export const LAST_SEQ = Number.MAX_SAFE_INTEGER;

export function timeSpan(time: number): Span {
  return { lo: { time, seq: FIRST_SEQ }, hi: { time, seq: LAST_SEQ } };
}

export function pointSpan(time: number, seq: number): Span {
  const at = { time, seq };
  return { lo: at, hi: at };
}

export function comparePositions(a: Position, b: Position): number {
  return a.time !== b.time ? a.time - b.time : a.seq - b.seq;
}

export function isMsgidRef(ref: HistoryRef): ref is { msgid: string } {
  return 'msgid' in ref;
}

/** A usable row count: whole, at least 0 (NaN and negatives ask for nothing). */
export function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : limit > 0 ? Number.MAX_SAFE_INTEGER : 0;
}

/**
 * AROUND: about half of `limit` from before the ref and the rest from the ref on (the ref's
 * own message included); a side short of its half leaves its room to the other.
 * `before` is newest first, `from` oldest first, each holding up to `limit` rows.
 */
export function splitAround<T>(before: T[], from: T[], limit: number): T[] {
  const half = Math.floor(limit / 2);
  const nBefore = Math.min(before.length, Math.max(half, limit - from.length));
  const nFrom = Math.min(from.length, limit - nBefore);
  return [...before.slice(0, nBefore).reverse(), ...from.slice(0, nFrom)];
}

/** A copy with only the fields a Store keeps: no undefined account, no empty tags. */
export function cleanMessage(m: StoredMessage): StoredMessage {
  const out: StoredMessage = { msgid: m.msgid, target: m.target, time: m.time, source: m.source, command: m.command, text: m.text };
  if (m.account !== undefined) out.account = m.account;
  if (m.tags !== undefined && Object.keys(m.tags).length > 0) out.tags = { ...m.tags };
  return out;
}

export function cleanAccount(a: AccountRecord): AccountRecord {
  const out: AccountRecord = { name: a.name, passwordHash: a.passwordHash, createdAt: a.createdAt, verified: a.verified, suspended: a.suspended };
  if (a.email !== undefined) out.email = a.email;
  if (a.scram !== undefined) out.scram = a.scram;
  return out;
}

export function cleanChannel(c: ChannelRecord): ChannelRecord {
  const out: ChannelRecord = {
    name: c.name,
    founder: c.founder,
    registeredAt: c.registeredAt,
    topic: c.topic,
    topicSetBy: c.topicSetBy,
    topicSetAt: c.topicSetAt,
    modes: c.modes,
    bans: c.bans.map((b) => ({ mask: b.mask, setBy: b.setBy, setAt: b.setAt })),
    operators: [...c.operators],
  };
  if (c.key !== undefined) out.key = c.key;
  if (c.limit !== undefined) out.limit = c.limit;
  return { ...out, ...cleanExceptionLists(c) };
}

export function cleanBan(b: StoredBan): StoredBan {
  const out: StoredBan = { list: b.list, kind: b.kind, mask: b.mask, reason: b.reason, setBy: b.setBy, setAt: b.setAt };
  if (b.expiresAt !== undefined) out.expiresAt = b.expiresAt;
  return out;
}

/** Ban masks are compared as IRC compares names (rfc1459 folding). */
export function banKey(mask: string): string {
  return foldCase(mask);
}

/** The order of listBans(): oldest first, then by list and mask, the same in every store. */
export function compareBans(a: StoredBan, b: StoredBan): number {
  if (a.setAt !== b.setAt) return a.setAt - b.setAt;
  if (a.list !== b.list) return a.list < b.list ? -1 : 1;
  const [ka, kb] = [banKey(a.mask), banKey(b.mask)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The two (folded) account names of a private conversation key, or undefined for a channel. */
export function conversationAccounts(target: string): [string, string] | undefined {
  const i = target.indexOf('\u0000');
  return i < 0 ? undefined : [target.slice(0, i), target.slice(i + 1)];
}

/** Lets timers and I/O run between chunks of a long maintenance job (purge, prune). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A registered room as the channels table's columns, in the order both SQL stores list them:
 * name_key, name, founder, registered_at, topic, topic_set_by, topic_set_at, modes, key,
 * user_limit, bans, operators.
 */
export function channelColumns(c: ChannelRecord): (string | number | null)[] {
  return [
    foldCase(c.name),
    c.name,
    c.founder,
    c.registeredAt,
    c.topic,
    c.topicSetBy,
    c.topicSetAt,
    c.modes,
    c.key ?? null,
    c.limit ?? null,
    JSON.stringify(c.bans.map(listEntry)),
    JSON.stringify(c.operators),
    JSON.stringify((c.exceptions ?? []).map(listEntry)),
    JSON.stringify((c.invites ?? []).map(listEntry)),
  ];
}
