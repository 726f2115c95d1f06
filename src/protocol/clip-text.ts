// Text cut to fit a number of UTF-8 bytes on an IRC line, as InspIRCd cuts what would pass
// LINELEN: never inside a UTF-8 sequence or a surrogate pair, and where it is cheap to tell,
// not inside a grapheme either (an emoji with its modifiers, a letter with its accents). Pure:
// no Node imports, so clients can share it.
import { utf8ByteLength } from './wire-text.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` that fits in `maxBytes` of UTF-8, cut between graphemes. */
export function clipToBytes(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: short text needs no count.
  if (text.length * 3 <= maxBytes || utf8ByteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    let size = 3; // lone surrogates are written as U+FFFD, three bytes too
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && end + 1 < text.length && (text.charCodeAt(end + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    }
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += units;
  }
  // Back to the start of the grapheme the cut falls in, unless that leaves nothing (a lone
  // grapheme longer than the room: then it is cut between its characters).
  const start = graphemes.segment(text).containing(end)?.index ?? end;
  return text.slice(0, start > 0 ? start : end);
}

/**
 * The text of a PRIVMSG or NOTICE cut to `maxBytes`. A CTCP message (`\x01ACTION waves\x01`)
 * keeps its closing \x01, so that it still reads as a CTCP (InspIRCd does not bother; clients
 * accept a missing one, but a kept one costs a byte and is exact).
 */
export function clipMessageText(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8ByteLength(text) <= maxBytes) return text;
  const ctcp = text.length > 1 && text.charCodeAt(0) === 1 && text.charCodeAt(text.length - 1) === 1;
  return ctcp ? `${clipToBytes(text.slice(0, -1), maxBytes - 1)}\x01` : clipToBytes(text, maxBytes);
}
