// Text helpers shared by server and clients.

/**
 * `text` as a string of its own. A string sliced from a longer one (a parameter from its line,
 * a line from its read) keeps all of that one alive: one kept for a connection's lifetime (a
 * real name, an away message, a nick) would hold the whole read it came in, up to 64 KiB.
 */
export function ownedString(text: string): string {
  // V8 copies slices shorter than 13 characters itself; a join of two pieces makes a flat copy.
  return text.length < 13 ? text : [text.charAt(0), text.slice(1)].join('');
}

/**
 * The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a
 * character. Limits such as TOPICLEN and AWAYLEN count bytes, as on the wire.
 */
export function clipUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
