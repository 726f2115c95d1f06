// The in-memory Store, for tests and for running without a data directory. It answers exactly
// as SqliteStore does (test/contracts/store.test.ts runs one suite against both) and keeps
// nothing across restarts.
import { foldCase } from '../protocol/casemapping.ts';
import { nickSkeleton } from '../protocol/nick-skeleton.ts';
import { MemoryReadMarkers } from './memory-read-markers.ts';
import {
  banKey,
  clampLimit,
  cleanAccount,
  cleanBan,
  cleanChannel,
  cleanMessage,
  compareBans,
  comparePositions,
  conversationAccounts,
  isMsgidRef,
  pointSpan,
  splitAround,
  timeSpan,
  type Position,
  type Span,
} from './records.ts';
import type { AccountRecord, ChannelRecord, HistoryRef, HistoryTarget, ReadMarkerSet, Store, StoredBan, StoredMessage } from './store.ts';

interface Entry {
  seq: number;
  message: StoredMessage;
}

export interface MemoryStoreOptions {
  /**
   * Bounds memory: past this many messages a conversation drops its oldest quarter. Not
   * retention (that is prune()); only a cap for a long-running server with no database.
   */
  maxPerTarget?: number;
}

export class MemoryStore implements Store {
  /** Each conversation's messages in (time, seq) order. */
  private readonly byTarget = new Map<string, Entry[]>();
  private readonly byMsgid = new Map<string, Entry>();
  private readonly accounts = new Map<string, AccountRecord>();
  /** Each account's skeleton by its folded name (accountsLike). */
  private readonly accountSkeletons = new Map<string, string>();
  /** How many accounts have each skeleton (mayHaveAccountLike). */
  private readonly skeletonCounts = new Map<string, number>();
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly bans = new Map<string, StoredBan>();
  private readonly readMarkers = new MemoryReadMarkers();
  private readonly serverSecrets = new Map<string, string>();
  /** Tombstones of deleted messages: msgid → when deleted. A message appended later is not kept. */
  private readonly redactions = new Map<string, number>();
  private readonly maxPerTarget: number;
  private seq = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxPerTarget = Math.max(1, options.maxPerTarget ?? 10_000);
  }

  // ---- history ----

  appendMessage(message: StoredMessage): void {
    if (this.closed || this.byMsgid.has(message.msgid) || this.redactions.has(message.msgid)) return;
    const entry = { seq: ++this.seq, message: cleanMessage(message) };
    let list = this.byTarget.get(message.target);
    if (!list) this.byTarget.set(message.target, (list = []));
    // Usually the newest: walk back past any later ones (a clock step, another node's time).
    let i = list.length;
    while (i > 0 && list[i - 1]!.message.time > message.time) i--;
    if (i === list.length) list.push(entry);
    else list.splice(i, 0, entry);
    this.byMsgid.set(message.msgid, entry);
    if (list.length > this.maxPerTarget) this.drop(list, 0, list.length - Math.floor((this.maxPerTarget * 3) / 4));
  }

  async latest(target: string, limit: number, after?: HistoryRef): Promise<StoredMessage[]> {
    const list = this.list(target);
    let start = 0;
    if (after !== undefined) {
      const span = this.resolve(target, after);
      if (!span) return [];
      start = upperBound(list, span.hi);
    }
    return copy(list.slice(Math.max(start, list.length - clampLimit(limit))));
  }

  async before(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const span = this.resolve(target, ref);
    if (!span) return [];
    const list = this.list(target);
    const end = lowerBound(list, span.lo);
    return copy(list.slice(Math.max(0, end - clampLimit(limit)), end));
  }

  async after(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const span = this.resolve(target, ref);
    if (!span) return [];
    const list = this.list(target);
    const start = upperBound(list, span.hi);
    return copy(list.slice(start, start + clampLimit(limit)));
  }

  async around(target: string, ref: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const span = this.resolve(target, ref);
    if (!span) return [];
    const list = this.list(target);
    const n = clampLimit(limit);
    const at = lowerBound(list, span.lo);
    const before = list.slice(Math.max(0, at - n), at).reverse();
    return copy(splitAround(before, list.slice(at, at + n), n));
  }

  async between(target: string, a: HistoryRef, b: HistoryRef, limit: number): Promise<StoredMessage[]> {
    const [sa, sb] = [this.resolve(target, a), this.resolve(target, b)];
    if (!sa || !sb) return [];
    const list = this.list(target);
    const n = clampLimit(limit);
    const forwards = comparePositions(sa.lo, sb.lo) <= 0;
    const [first, second] = forwards ? [sa, sb] : [sb, sa];
    const start = upperBound(list, first.hi);
    const end = Math.max(start, lowerBound(list, second.lo));
    // Counted from `a`: forwards when it is the earlier ref, backwards from it otherwise.
    return copy(forwards ? list.slice(start, Math.min(end, start + n)) : list.slice(Math.max(start, end - n), end));
  }

  async targets(account: string | undefined, channels: string[], from: number, to: number, limit: number): Promise<HistoryTarget[]> {
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    const wanted = new Set(channels);
    const found: HistoryTarget[] = [];
    for (const [target, list] of this.byTarget) {
      if (!wanted.has(target) && !takesPart(target, account)) continue;
      const newest = list[list.length - 1]?.message.time;
      if (newest !== undefined && newest > lo && newest < hi) found.push({ target, latest: newest });
    }
    found.sort((x, y) => x.latest - y.latest || (x.target < y.target ? -1 : x.target > y.target ? 1 : 0));
    const n = Math.min(clampLimit(limit), found.length);
    return from <= to ? found.slice(0, n) : found.slice(found.length - n);
  }

  async purge(target: string): Promise<number> {
    const list = this.byTarget.get(target);
    if (!list) return 0;
    this.byTarget.delete(target);
    return this.drop(list, 0, list.length);
  }

  async forgetAccount(account: string): Promise<number> {
    let removed = 0;
    for (const target of [...this.byTarget.keys()]) if (takesPart(target, account)) removed += await this.purge(target);
    return removed;
  }

  async prune(before: number, keepPerTarget: number): Promise<number> {
    const keep = clampLimit(keepPerTarget);
    let removed = 0;
    for (const [target, list] of this.byTarget) {
      const old = Number.isFinite(before) ? lowerBound(list, { time: before, seq: -1 }) : 0;
      const cut = Math.max(old, list.length - keep);
      if (cut > 0) removed += this.drop(list, 0, cut);
      if (list.length === 0) this.byTarget.delete(target);
    }
    return removed;
  }

  async findMessage(msgid: string): Promise<StoredMessage | undefined> {
    const entry = this.byMsgid.get(msgid);
    return entry && cleanMessage(entry.message);
  }

  async deleteMessage(msgid: string, time: number): Promise<boolean> {
    if (!this.redactions.has(msgid)) this.redactions.set(msgid, time);
    const entry = this.byMsgid.get(msgid);
    if (!entry) return false;
    const target = entry.message.target;
    const list = this.list(target);
    this.drop(list, list.indexOf(entry), list.indexOf(entry) + 1);
    if (list.length === 0) this.byTarget.delete(target);
    return true;
  }

  async pruneRedactions(before: number): Promise<number> {
    let removed = 0;
    for (const [msgid, time] of this.redactions) {
      if (time >= before) continue;
      this.redactions.delete(msgid);
      removed++;
    }
    return removed;
  }

  // ---- accounts ----

  async createAccount(account: AccountRecord): Promise<boolean> {
    const key = foldCase(account.name);
    if (this.accounts.has(key)) return false;
    this.accounts.set(key, cleanAccount(account));
    const skeleton = nickSkeleton(account.name);
    this.accountSkeletons.set(key, skeleton);
    this.skeletonCounts.set(skeleton, (this.skeletonCounts.get(skeleton) ?? 0) + 1);
    return true;
  }

  async getAccount(name: string): Promise<AccountRecord | undefined> {
    const a = this.accounts.get(foldCase(name));
    return a && cleanAccount(a);
  }

  async updateAccount(name: string, change: Partial<Omit<AccountRecord, 'name'>>): Promise<boolean> {
    const key = foldCase(name);
    const current = this.accounts.get(key);
    if (!current) return false;
    this.accounts.set(key, cleanAccount({ ...current, ...change, name: current.name }));
    return true;
  }

  async deleteAccount(name: string): Promise<boolean> {
    this.readMarkers.forget(foldCase(name));
    const skeleton = this.accountSkeletons.get(foldCase(name));
    if (skeleton !== undefined) {
      const count = this.skeletonCounts.get(skeleton)! - 1;
      if (count > 0) this.skeletonCounts.set(skeleton, count);
      else this.skeletonCounts.delete(skeleton);
    }
    this.accountSkeletons.delete(foldCase(name));
    return this.accounts.delete(foldCase(name));
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return sortedByKey(this.accounts).map(cleanAccount);
  }

  mayHaveAccountLike(nick: string): boolean {
    return this.accounts.has(foldCase(nick)) || this.skeletonCounts.has(nickSkeleton(nick));
  }

  async accountsLike(nick: string): Promise<AccountRecord[]> {
    const skeleton = nickSkeleton(nick);
    return sortedByKey(this.accounts)
      .filter((a) => this.accountSkeletons.get(foldCase(a.name)) === skeleton)
      .map(cleanAccount);
  }

  // ---- registered rooms ----

  async saveChannel(channel: ChannelRecord): Promise<void> {
    this.channels.set(foldCase(channel.name), cleanChannel(channel));
  }

  async getChannel(name: string): Promise<ChannelRecord | undefined> {
    const c = this.channels.get(foldCase(name));
    return c && cleanChannel(c);
  }

  async deleteChannel(name: string): Promise<boolean> {
    return this.channels.delete(foldCase(name));
  }

  async listChannels(): Promise<ChannelRecord[]> {
    return sortedByKey(this.channels).map(cleanChannel);
  }

  // ---- server bans and mutes ----

  async saveBan(ban: StoredBan): Promise<void> {
    this.bans.set(`${ban.list} ${banKey(ban.mask)}`, cleanBan(ban));
  }

  async deleteBan(list: 'ban' | 'mute', mask: string): Promise<void> {
    this.bans.delete(`${list} ${banKey(mask)}`);
  }

  async listBans(): Promise<StoredBan[]> {
    return [...this.bans.values()].map(cleanBan).sort(compareBans);
  }

  // ---- read markers ----

  async readMarker(account: string, target: string): Promise<number | undefined> {
    return this.readMarkers.get(foldCase(account), foldCase(target));
  }

  async setReadMarker(account: string, target: string, time: number, maxPerAccount: number): Promise<ReadMarkerSet> {
    return this.readMarkers.set(foldCase(account), foldCase(target), time, maxPerAccount);
  }

  async serverSecret(name: string, candidate: string): Promise<string> {
    if (!this.serverSecrets.has(name)) this.serverSecrets.set(name, candidate);
    return this.serverSecrets.get(name)!;
  }

  // ---- lifecycle ----

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  // ---- internals ----

  private list(target: string): Entry[] {
    return this.byTarget.get(target) ?? [];
  }

  private resolve(target: string, ref: HistoryRef): Span | null {
    if (!isMsgidRef(ref)) return timeSpan(ref.time);
    const entry = this.byMsgid.get(ref.msgid);
    return entry && entry.message.target === target ? pointSpan(entry.message.time, entry.seq) : null;
  }

  /** Removes list[start, end) and their msgid index entries; returns how many. */
  private drop(list: Entry[], start: number, end: number): number {
    for (let i = start; i < end; i++) this.byMsgid.delete(list[i]!.message.msgid);
    list.splice(start, end - start);
    return end - start;
  }
}

/** Whether `account` (folded) is one side of the private conversation `target`. */
function takesPart(target: string, account: string | undefined): boolean {
  const sides = account === undefined ? undefined : conversationAccounts(target);
  return sides !== undefined && (sides[0] === account || sides[1] === account);
}

function position(e: Entry): Position {
  return { time: e.message.time, seq: e.seq };
}

/** The first index whose entry is at or after `at`. */
function lowerBound(list: Entry[], at: Position): number {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePositions(position(list[mid]!), at) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose entry is strictly after `at`. */
function upperBound(list: Entry[], at: Position): number {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePositions(position(list[mid]!), at) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function copy(entries: Entry[]): StoredMessage[] {
  return entries.map((e) => cleanMessage(e.message));
}

function sortedByKey<T>(map: Map<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
