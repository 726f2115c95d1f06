// Validation of names given by clients.
import type { Casemapping } from './casemapping.ts';
import { isClassicNick } from './classic-nick.ts';
import { isValidUnicodeNick } from './unicode-nick.ts';

export const CHANNEL_TYPES = '#';

/**
 * Whether `nick` may be a nick. `maxLength` counts UTF-8 bytes, as CHANNELLEN does (张三 is 6):
 * lines have room for the longest nick in bytes. Under `precis`, letters of any modern script
 * too (unicode-nick.ts); the nick is to be NFC first (normalizeNick).
 */
export function isValidNick(nick: string, maxLength: number, casemapping: Casemapping = 'rfc1459'): boolean {
  if (nick.length === 0 || nick.length > maxLength * 3) return false;
  if (casemapping === 'rfc1459') return nick.length <= maxLength && isClassicNick(nick);
  return Buffer.byteLength(nick, 'utf8') <= maxLength && isValidUnicodeNick(nick);
}

export function isChannelName(name: string): boolean {
  return name.length > 0 && CHANNEL_TYPES.includes(name[0]!);
}

// Modern IRC: no space, comma, BEL; we also refuse ':' and every character that is not seen
// or moves others: controls (Cc), format characters such as the bidi override U+202E, the
// zero-width space and the BOM (Cf), every space and line separator, U+00A0 and U+3000 among
// them (Z), the other default-ignorables (U+034F, Hangul fillers, variation selectors…) and
// the blank Braille pattern U+2800. Otherwise `#lobby` could have invisible twins, or a name
// could reorder the line it is shown in. Letters of any script stay welcome: #中文.
const CHANNEL_BAD_RE = /[,:\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/u;

export function isValidChannel(name: string, maxLength: number): boolean {
  return (
    isChannelName(name) &&
    name.length > 1 &&
    Buffer.byteLength(name, 'utf8') <= maxLength &&
    !CHANNEL_BAD_RE.test(name)
  );
}

// Usernames (ident) in USER: no spaces, '@', control characters.
// eslint-disable-next-line no-control-regex
const USER_BAD_RE = /[\x00-\x20@!*?,]/;

/** Make a client-supplied username safe to show in a `nick!user@host` mask. */
export function sanitizeUsername(raw: string, maxLength: number): string | undefined {
  const cleaned = raw.replace(/^~+/, '');
  if (cleaned === '' || USER_BAD_RE.test(cleaned)) return undefined;
  // Whole characters (𠀀 is two UTF-16 units); no more units than that are as many characters at most.
  return cleaned.length <= maxLength ? cleaned : Array.from(cleaned).slice(0, maxLength).join('');
}
