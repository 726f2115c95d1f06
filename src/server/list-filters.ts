// LIST's conditions (Modern IRC, ISUPPORT ELIST=CMNTU), read from its parameters:
//   #room        that room (exact name)          *mask*   names matching it (M)
//   !*mask*      names not matching it (N)       >n <n    more / fewer than n members (U)
//   C>n C<n      made more / less than n minutes ago (C)
//   T>n T<n      topic set more / less than n minutes ago (T)
// Rooms named or matching a mask are the ones listed (any of them, when some are given);
// every other condition must hold too. Masks are matched by the linear matcher (mask.ts).
import { compileMask, hasWildcards, type MaskMatcher } from '../protocol/mask.ts';
import { foldCase } from '../protocol/casemapping.ts';
import type { Channel } from '../network/state.ts';

export interface ListFilter {
  /** Only rooms with more members than this… */
  minMembers: number;
  /** …and fewer than this. */
  maxMembers: number;
  /** Rooms named exactly (folded); with `masks`, the rooms listed (undefined: all). */
  names: Set<string> | undefined;
  masks: MaskMatcher[];
  /** Names no room listed may match. */
  notMasks: MaskMatcher[];
  /** Bounds (ms since the epoch, exclusive) on when a room was made and its topic set. */
  createdAfter: number;
  createdBefore: number;
  topicAfter: number;
  topicBefore: number;
  /** Whether a T condition was given: rooms without a topic then never match. */
  needsTopic: boolean;
}

/** Why a LIST cannot be answered: too many masks (ERR_TOOMANYTARGETS names the first one past the limit). */
export interface TooManyMasks {
  tooMany: string;
}

const MINUTE = 60_000;
/** Minutes a time condition may say: past this, as good as forever (and no overflow). */
const MAX_MINUTES = 100_000_000;

/** Digits only, as a number (capped); undefined for anything else. */
function minutesOrCount(text: string): number | undefined {
  if (text === '' || text.length > 12) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return Math.min(Number(text), MAX_MINUTES);
}

/**
 * The filter LIST's parameters describe, at `now`; `maxMasks` bounds the M and N masks (each is
 * matched against every room).
 */
export function parseListFilter(params: readonly string[], now: number, maxMasks: number): ListFilter | TooManyMasks {
  const f: ListFilter = {
    minMembers: -1,
    maxMembers: Infinity,
    names: undefined,
    masks: [],
    notMasks: [],
    createdAfter: -Infinity,
    createdBefore: Infinity,
    topicAfter: -Infinity,
    topicBefore: Infinity,
    needsTopic: false,
  };
  let masks = 0;
  for (const param of params) {
    for (const cond of param.split(',')) {
      if (cond === '') continue;
      if (applyCondition(f, cond, now)) continue;
      const negated = cond.startsWith('!');
      if (negated || hasWildcards(cond)) {
        if (++masks > maxMasks) return { tooMany: cond };
        if (negated) f.notMasks.push(compileMask(cond.slice(1)));
        else f.masks.push(compileMask(cond));
        continue;
      }
      (f.names ??= new Set()).add(foldCase(cond));
    }
  }
  return f;
}

/** A U, C or T condition put into `f`; false when `cond` is none of them. */
function applyCondition(f: ListFilter, cond: string, now: number): boolean {
  const first = cond[0];
  if (first === '>' || first === '<') {
    const n = minutesOrCount(cond.slice(1));
    if (n === undefined) return false;
    if (first === '>') f.minMembers = Math.max(f.minMembers, n);
    else f.maxMembers = Math.min(f.maxMembers, n);
    return true;
  }
  const kind = first?.toUpperCase();
  const op = cond[1];
  if ((kind !== 'C' && kind !== 'T' && kind !== 'U') || (op !== '>' && op !== '<')) return false;
  const n = minutesOrCount(cond.slice(2));
  if (n === undefined) return false;
  if (kind === 'U') return applyCondition(f, cond.slice(1), now);
  // "More than n minutes ago" is a time before now - n minutes; "less than", one after it.
  const at = now - n * MINUTE;
  if (kind === 'C') {
    if (op === '>') f.createdBefore = Math.min(f.createdBefore, at);
    else f.createdAfter = Math.max(f.createdAfter, at);
  } else {
    f.needsTopic = true;
    if (op === '>') f.topicBefore = Math.min(f.topicBefore, at);
    else f.topicAfter = Math.max(f.topicAfter, at);
  }
  return true;
}

/** Whether a room meets the filter (who may see it is the caller's check). */
export function listFilterAccepts(f: ListFilter, ch: Channel): boolean {
  const count = ch.members.size;
  if (count <= f.minMembers || count >= f.maxMembers) return false;
  if (ch.createdAt <= f.createdAfter || ch.createdAt >= f.createdBefore) return false;
  if (f.needsTopic && (ch.topic === '' || ch.topicSetAt <= f.topicAfter || ch.topicSetAt >= f.topicBefore)) return false;
  if (f.names !== undefined || f.masks.length > 0) {
    if (!f.names?.has(ch.folded) && !f.masks.some((m) => m(ch.name))) return false;
  }
  return !f.notMasks.some((m) => m(ch.name));
}
