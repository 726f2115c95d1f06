// What may travel inside one IRC line. CR and LF end a line and NUL is refused by every
// server (and by ours on input): text carrying them would let whoever wrote it forge a second
// line — a PRIVMSG "from" anyone — into what every reader receives. Pure: no Node imports, so
// the web admin client can share it through the admin API contract.

/** CR, LF or NUL: what no part of a line may hold. A fixed pattern, never built from input. */
const LINE_BREAKING = /[\r\n\0]/;
const LINE_BREAKS = /[\r\n]+/g;
const NULS = /\0/g;

/** Whether `text` holds CR, LF or NUL. */
export function breaksLine(text: string): boolean {
  return LINE_BREAKING.test(text);
}

/**
 * Text from outside IRC (the admin panel and console, the MOTD file) made fit for one line:
 * each run of line breaks becomes a space, so that words on two lines stay two words, and
 * NUL is dropped.
 */
export function toWireText(text: string): string {
  if (!LINE_BREAKING.test(text)) return text;
  return text.replace(LINE_BREAKS, ' ').replace(NULS, '');
}

/**
 * Text of several lines (the MOTD) as lines fit for the wire: CR LF, lone CR and LF all end a
 * line (a file from Windows or an old Mac), one final line end is not an empty last line, and
 * NUL is dropped.
 */
export function toWireLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n').map(toWireText);
}

/** Bytes of `text` in UTF-8, counted without allocating (and without Node's Buffer). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point beyond the BMP
      i++;
    } else bytes += 3; // lone surrogates are written as U+FFFD, also three bytes
  }
  return bytes;
}

export type UnsafeLinePart = 'source' | 'command' | 'parameter' | 'tag' | 'line';

/**
 * A line the server was about to send holds CR, LF or NUL in one of its parts. Text from
 * outside is cleaned where it comes in (toWireText), so this is a programming error: the line
 * is logged and dropped, never sent.
 */
export class UnsafeLineError extends Error {
  override name = 'UnsafeLineError';
  readonly code = 'unsafe-line';
  /** Set once logged: a message dropped for many recipients is reported once. */
  reported = false;

  constructor(
    readonly part: UnsafeLinePart,
    /** The offending text, quoted and cut short for the log. */
    readonly sample: string,
  ) {
    super(`refused to send a line whose ${part} holds CR, LF or NUL: ${sample}`);
  }
}

/** Throws UnsafeLineError when `text` (a part of a line being built) holds CR, LF or NUL. */
export function assertLineSafe(text: string, part: UnsafeLinePart): void {
  if (LINE_BREAKING.test(text)) throw new UnsafeLineError(part, JSON.stringify(text.slice(0, 120)));
}
