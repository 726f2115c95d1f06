// Text cut to fit a number of UTF-8 bytes on an IRC line, as InspIRCd cuts what would pass
// LINELEN: never inside a UTF-8 sequence or a surrogate pair (clipUtf8), and not inside a
// grapheme either (an emoji with its modifiers, a letter with its accents).
import { clipUtf8 } from './text.ts';
import { utf8ByteLength } from './wire-text.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` that fits in `maxBytes` of UTF-8, cut between graphemes. */
export function clipToBytes(text: string, maxBytes: number): string {
  const cut = clipUtf8(text, maxBytes);
  if (cut.length === text.length) return text;
  // Back to the start of the grapheme the cut falls in, unless that leaves nothing (a lone
  // grapheme longer than the room: then it is cut between its characters).
  const start = graphemes.segment(text).containing(cut.length)?.index ?? cut.length;
  return text.slice(0, start > 0 ? start : cut.length);
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
