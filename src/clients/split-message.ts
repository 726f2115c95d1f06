// Long messages are sent as several, each fitting an IRC line. The cut falls after a space
// when there is one in the second half of a piece, and never inside a character or a
// grapheme (an emoji with its modifiers, a letter with its accents).
import { utf8ByteLength as byteLength } from '../protocol/wire-text.ts';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The IRC line every server takes: 512 bytes, CR LF included (Modern IRC). */
const LINE_BYTES = 512;

/**
 * `user@host` of our own source while the server has not shown it: a username of up to 64
 * bytes (Parlor's largest USERLEN; other servers take 9 to 18, `~` included) and a host of up
 * to 64 (the HOSTLEN servers announce, Parlor's among them; an IPv6 address takes at most 40).
 */
const UNKNOWN_USERHOST_BYTES = 64 + 1 + 64;

/** CTCP ACTION wraps the text in `\x01ACTION ` and `\x01`. */
export const ACTION_BYTES = 9;

/**
 * Bytes of text one PRIVMSG or NOTICE can carry so that the server, which relays it as
 * `:nick!user@host COMMAND target :text` with CR LF, need not cut it: the exact room when
 * our `user@host` is known (the welcome and our own JOIN show it), else room for the longest.
 */
export function messageTextBytes(command: string, target: string, nick: string, userHost: string | undefined): number {
  const source = 1 + byteLength(nick) + 1 + (userHost === undefined ? UNKNOWN_USERHOST_BYTES : byteLength(userHost)) + 1;
  return LINE_BYTES - 2 - source - byteLength(`${command} ${target} :`);
}

/** `user@host` of a source `nick!user@host` when it is `nick`'s (compared as given), else undefined. */
export function userHostOf(source: string | undefined, isNick: (nick: string) => boolean): string | undefined {
  if (source === undefined) return undefined;
  const bang = source.indexOf('!');
  if (bang <= 0 || !source.includes('@', bang) || !isNick(source.slice(0, bang))) return undefined;
  return source.slice(bang + 1);
}

export function splitMessage(text: string, maxBytes: number): string[] {
  if (byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  let lastSpace = -1; // in `piece`, the index just after the last space
  for (const { segment } of segmenter.segment(text)) {
    const size = byteLength(segment);
    if (bytes + size > maxBytes && piece !== '') {
      const cut = lastSpace > piece.length / 2 ? lastSpace : piece.length;
      pieces.push(piece.slice(0, cut));
      piece = piece.slice(cut);
      bytes = byteLength(piece);
      const space = piece.lastIndexOf(' ');
      lastSpace = space === -1 ? -1 : space + 1;
    }
    piece += segment;
    bytes += size;
    if (segment === ' ') lastSpace = piece.length;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
