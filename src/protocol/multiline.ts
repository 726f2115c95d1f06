// IRCv3 multiline (draft/multiline): one message of several lines, sent as a batch of PRIVMSG
// (or NOTICE) lines. Pure helpers shared by the server and the clients: the capability's
// value, and a message's two forms — its lines as they travel (each with its concat flag) and
// its combined value (lines joined by '\n', a concat line joined with none), which is what
// history keeps, with the offsets of its concat joins.
import { clipToBytes } from './clip-text.ts';
import { utf8ByteLength } from './wire-text.ts';

export const MULTILINE_CAP = 'draft/multiline';
export const MULTILINE_BATCH = 'draft/multiline';
export const CONCAT_TAG = 'draft/multiline-concat';

export interface MultilineLimits {
  maxBytes: number;
  /** Absent: the server sets no limit on lines. */
  maxLines?: number | undefined;
}

/** One line of a multiline batch: `concat` joins it to the line before without a line feed. */
export interface MultilineLine {
  text: string;
  concat: boolean;
}

/** A multiline message as one text: its combined value, and where its concat joins fall. */
export interface CombinedMessage {
  text: string;
  /** UTF-16 offsets into `text` where a concat line starts, ascending. */
  concat: number[];
}

/** The capability's value (`max-bytes=4096,max-lines=24`). */
export function multilineCapValue(limits: MultilineLimits): string {
  return limits.maxLines === undefined ? `max-bytes=${limits.maxBytes}` : `max-bytes=${limits.maxBytes},max-lines=${limits.maxLines}`;
}

/** The limits a server's `draft/multiline=…` value gives; undefined without a usable max-bytes. */
export function parseMultilineCap(value: string | undefined): MultilineLimits | undefined {
  if (value === undefined) return undefined;
  let maxBytes: number | undefined;
  let maxLines: number | undefined;
  for (const token of value.split(',')) {
    const eq = token.indexOf('=');
    const key = eq === -1 ? token : token.slice(0, eq);
    const n = Number(token.slice(eq + 1));
    const usable = eq !== -1 && Number.isInteger(n) && n > 0;
    // Tokens not understood are ignored (IRCv3).
    if (key === 'max-bytes' && usable) maxBytes = n;
    else if (key === 'max-lines' && usable) maxLines = n;
  }
  return maxBytes === undefined ? undefined : { maxBytes, maxLines };
}

/** Bytes the lines count against max-bytes: their text and one per line feed joining them. */
export function multilineBytes(lines: readonly MultilineLine[]): number {
  let bytes = 0;
  lines.forEach((line, i) => {
    bytes += utf8ByteLength(line.text);
    if (i > 0 && !line.concat) bytes++;
  });
  return bytes;
}

/** The combined value of the lines (a concat flag on the first line joins nothing). */
export function combineLines(lines: readonly MultilineLine[]): CombinedMessage {
  let text = '';
  const concat: number[] = [];
  lines.forEach((line, i) => {
    if (i > 0) {
      if (line.concat) concat.push(text.length);
      else text += '\n';
    }
    text += line.text;
  });
  return { text, concat };
}

/** The lines back from a combined value: split at each line feed and each concat offset. */
export function splitCombined(text: string, concat: readonly number[] = []): MultilineLine[] {
  const lines: MultilineLine[] = [];
  let start = 0;
  let startsConcat = false;
  let next = 0; // index into concat
  for (let i = 0; i <= text.length; i++) {
    // A concat offset at i ends the line before it (blank, if it starts at i too) and starts a
    // concat line there: combineLines records one for every line but the first.
    while (next < concat.length && concat[next]! === i) {
      lines.push({ text: text.slice(start, i), concat: startsConcat });
      start = i;
      startsConcat = true;
      next++;
    }
    if (i === text.length || text.charCodeAt(i) === 0x0a) {
      lines.push({ text: text.slice(start, i), concat: startsConcat });
      start = i + 1;
      startsConcat = false;
    }
  }
  return lines;
}

/**
 * Text cut into pieces of at most `maxBytes` of UTF-8, never inside a grapheme; a cut falls
 * after a space when one lies in the second half of the piece, the space kept at the end of
 * the piece (as IRCv3 multiline recommends for concat lines).
 */
export function cutToBytes(text: string, maxBytes: number): string[] {
  if (text.length * 3 <= maxBytes || utf8ByteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (utf8ByteLength(rest) > maxBytes) {
    let piece = clipToBytes(rest, maxBytes);
    // A lone grapheme longer than the room: cut between its characters rather than loop.
    if (piece === '') piece = String.fromCodePoint(rest.codePointAt(0)!);
    const space = piece.lastIndexOf(' ');
    if (space + 1 > piece.length / 2 && space + 1 < piece.length) piece = piece.slice(0, space + 1);
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

/** The lines with any longer than `maxBytes` cut into a line and concat lines that fit. */
export function fitLines(lines: readonly MultilineLine[], maxBytes: number): MultilineLine[] {
  const fitted: MultilineLine[] = [];
  for (const line of lines) {
    const pieces = cutToBytes(line.text, maxBytes);
    pieces.forEach((text, i) => fitted.push({ text, concat: i === 0 ? line.concat : true }));
  }
  return fitted;
}
