// What a room's list entries (+b bans, +e ban exceptions, +I invite exceptions) match: a
// nick!user@host mask, or an extban. Extbans follow charybdis/Solanum (ISUPPORT `EXTBAN=$,a`):
//   $a            anyone logged in to an account
//   $a:<mask>     anyone logged in to an account matching <mask> (wildcards allowed, folded)
//   $~a, $~a:…    negated: anyone the same entry without `~` does not match (`+b $~a` keeps
//                 out everyone not logged in)
// All matching goes through the linear mask matcher (protocol/mask.ts): no RegExp.
import { EXTBAN } from '../protocol/isupport.ts';
import { matchMask, normalizeBanMask } from '../protocol/mask.ts';

const EXTBAN_PREFIX = EXTBAN.prefix;

/** The list modes a room has: bans, ban exceptions, invite exceptions. */
export const LIST_MODES = ['b', 'e', 'I'] as const;
export type ListMode = (typeof LIST_MODES)[number];

export function isListMode(mode: string): mode is ListMode {
  return mode === 'b' || mode === 'e' || mode === 'I';
}

export interface Extban {
  negated: boolean;
  type: 'a';
  /** The account mask; undefined: any account. */
  data: string | undefined;
}

/** What a list entry is matched against: the user's nick!user@host and account. */
export interface ListSubject {
  mask: string;
  account: string | undefined;
}

/** An extban as written (`$a`, `$a:alice`, `$~a:bob*`), or undefined if it is none we know. */
export function parseExtban(text: string): Extban | undefined {
  if (!text.startsWith(EXTBAN_PREFIX)) return undefined;
  let i = 1;
  const negated = text[i] === '~';
  if (negated) i++;
  if (text[i] !== 'a') return undefined;
  i++;
  if (i === text.length) return { negated, type: 'a', data: undefined };
  if (text[i] !== ':') return undefined;
  const data = text.slice(i + 1);
  // An account name holds no spaces, commas or control characters; an entry never needs them.
  if (data === '' || hasSeparatorOrControl(data)) return undefined;
  return { negated, type: 'a', data };
}

function hasSeparatorOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x2c || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x3000) return true;
  }
  return false;
}

function formatExtban(e: Extban): string {
  return `${EXTBAN_PREFIX}${e.negated ? '~' : ''}${e.type}${e.data === undefined ? '' : `:${e.data}`}`;
}

/**
 * A list entry as kept and shown: a mask completed the usual way (`nick` → `nick!*@*`), an
 * extban in its one spelling; undefined for an extban of a type we do not know, and for a mask
 * no nick!user@host could match that would not travel as one parameter: one holding spaces,
 * commas or control characters, or starting with ':' (a trailing parameter may carry them).
 */
export function normalizeListEntry(text: string): string | undefined {
  if (!text.startsWith(EXTBAN_PREFIX)) return text.startsWith(':') || hasSeparatorOrControl(text) ? undefined : normalizeBanMask(text);
  const ext = parseExtban(text);
  return ext && formatExtban(ext);
}

/** Whether the list entry `entry` covers `user`. */
export function listEntryMatches(entry: string, user: ListSubject): boolean {
  if (!entry.startsWith(EXTBAN_PREFIX)) return matchMask(entry, user.mask);
  const ext = parseExtban(entry);
  if (!ext) return false;
  const hit = user.account !== undefined && (ext.data === undefined || matchMask(ext.data, user.account));
  return ext.negated ? !hit : hit;
}

/** Whether any entry of `list` covers `user`. */
export function anyEntryMatches(list: readonly { mask: string }[], user: ListSubject): boolean {
  for (const entry of list) if (listEntryMatches(entry.mask, user)) return true;
  return false;
}
