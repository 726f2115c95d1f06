// Wildcard masks (`*` any run, `?` one character), matched case-insensitively with the
// server's casemapping. Used for bans (+b) and WHO/LIST filters.
import { foldCase } from './casemapping.ts';

export type MaskMatcher = (subject: string) => boolean;

const cache = new Map<string, RegExp>();

function compile(mask: string): RegExp {
  let re = cache.get(mask);
  if (re) return re;
  const folded = foldCase(mask);
  let src = '^';
  for (const ch of folded) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // 'u': '?' stands for one character, also outside the BMP (emoji in channel names).
  re = new RegExp(src + '$', 'su');
  if (cache.size > 10_000) cache.clear(); // bounded: masks come from clients
  cache.set(mask, re);
  return re;
}

export function matchMask(mask: string, subject: string): boolean {
  return compile(mask).test(foldCase(subject));
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
