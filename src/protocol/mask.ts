// Wildcard masks (`*` any run, `?` one character), matched case-insensitively with the
// server's casemapping. Used for bans (+b), server bans, oper host masks and WHO filters.
//
// Masks come from clients, so matching must stay cheap whatever the mask: no RegExp (a
// backtracking engine turns `*a*a*a…b` into exponential time), but the classic two-pointer
// glob walk that, on a mismatch, only ever moves back to the most recent `*`. Its worst case
// is O(mask × subject) steps, and refusing subjects shorter than the mask's letters or not ending
// as the mask does keeps the worst masks at a few microseconds a subject (bench/mask-micro.ts).
import { foldCase } from './casemapping.ts';

export type MaskMatcher = (subject: string) => boolean;

const STAR = 0x2a;
const QUESTION = 0x3f;

/** Code points of `text` (`?` stands for one character, also outside the BMP). */
function codePoints(text: string): Uint32Array {
  const out = new Uint32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    out[n++] = c;
    if (c > 0xffff) i++;
  }
  return out.subarray(0, n);
}

/** A mask ready to match: its folded code points, runs of `*` collapsed to one. */
interface Pattern {
  points: Uint32Array;
  /** Characters a subject needs at the least (everything but `*`). */
  minLength: number;
  /** Length of the tail after the last `*` (all of it without one): it must end the subject. */
  tail: number;
}

function compilePattern(mask: string): Pattern {
  const raw = codePoints(foldCase(mask));
  const points = new Uint32Array(raw.length);
  let n = 0;
  let stars = 0;
  let tail = 0;
  for (const c of raw) {
    if (c === STAR) {
      tail = 0;
      if (n > 0 && points[n - 1] === STAR) continue;
      stars++;
    } else {
      tail++;
    }
    points[n++] = c;
  }
  return { points: points.subarray(0, n), minLength: n - stars, tail };
}

function globMatch({ points: pattern, minLength, tail }: Pattern, subject: Uint32Array): boolean {
  // Two cheap refusals first: a subject too short, or one that does not end as the mask does.
  // They also bound the walk below, whose cost grows with the characters a star may skip.
  if (subject.length < minLength) return false;
  for (let i = 1; i <= tail; i++) {
    const pc = pattern[pattern.length - i];
    if (pc !== QUESTION && pc !== subject[subject.length - i]) return false;
  }
  let p = 0;
  let s = 0;
  let star = -1; // index in pattern of the last `*` seen
  let resume = 0; // subject index that `*` currently stretches to
  while (s < subject.length) {
    const pc = p < pattern.length ? pattern[p] : -1;
    if (pc === STAR) {
      star = p++;
      resume = s;
    } else if (pc === QUESTION || pc === subject[s]) {
      p++;
      s++;
    } else if (star !== -1) {
      // Let the last `*` swallow one more character and retry what follows it.
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
}

/** A matcher for one mask, compiled once: use it when testing many subjects (WHO, ban lists). */
export function compileMask(mask: string): MaskMatcher {
  const pattern = compilePattern(mask);
  return (subject) => globMatch(pattern, codePoints(foldCase(subject)));
}

export function matchMask(mask: string, subject: string): boolean {
  return globMatch(compilePattern(mask), codePoints(foldCase(subject)));
}

export function hasWildcards(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/**
 * Complete a partial ban mask the way other servers do: `nick` → `nick!*@*`,
 * `user@host` → `*!user@host`, `nick!user` → `nick!user@*`.
 */
export function normalizeBanMask(mask: string): string {
  let nick = '*';
  let user = '*';
  let host = '*';
  const bang = mask.indexOf('!');
  const at = mask.indexOf('@');
  if (bang === -1 && at === -1) {
    if (mask.includes('.') || mask.includes(':')) host = mask;
    else nick = mask || '*';
  } else if (bang === -1) {
    user = mask.slice(0, at) || '*';
    host = mask.slice(at + 1) || '*';
  } else if (at === -1 || at < bang) {
    nick = mask.slice(0, bang) || '*';
    user = mask.slice(bang + 1) || '*';
  } else {
    nick = mask.slice(0, bang) || '*';
    user = mask.slice(bang + 1, at) || '*';
    host = mask.slice(at + 1) || '*';
  }
  return `${nick}!${user}@${host}`;
}
