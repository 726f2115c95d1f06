// Validation of names given by clients.

export const CHANNEL_TYPES = '#';

// Classic nickname grammar: a letter or special first, then letters, digits, specials, '-'.
const NICK_RE = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;

export function isValidNick(nick: string, maxLength: number): boolean {
  return nick.length > 0 && nick.length <= maxLength && NICK_RE.test(nick);
}

export function isChannelName(name: string): boolean {
  return name.length > 0 && CHANNEL_TYPES.includes(name[0]!);
}

// Modern IRC: no space, comma, BEL; we also refuse ':' and control characters.
// eslint-disable-next-line no-control-regex
const CHANNEL_BAD_RE = /[\x00-\x20,:\x7f]/;

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
  return cleaned.slice(0, maxLength);
}
