// Chat lines laid out as screen rows for the message pane: "HH:MM <nick> text" with the
// nick in its colour, wrapped under the text (hanging indent), /me as "* nick text",
// joins, parts and the like dim, and a separator where the day changes. Only the rows that
// can be seen are laid out, from the newest line back.
import { botMark, clock, dayLabel, ENGLISH_LINES, lineText, plainText, sameDay, type LineLanguage } from '../format.ts';
import type { ChatLine } from '../model.ts';
import { nickColour } from './nick-colour.ts';
import { clipToWidth, displayWidth, wrapRanges } from './text-layout.ts';

export interface Segment {
  text: string;
  color?: string;
  backgroundColor?: string;
  dim?: boolean;
  bold?: boolean;
  italic?: boolean;
}

export type Row = Segment[];

/** "HH:MM " before each line; continuation rows are indented as much. */
export const TIME_WIDTH = 6;

const QUIET = new Set(['join', 'part', 'quit', 'kick']);

/** The line after its time, as coloured pieces. */
export function lineSegments(line: ChatLine, language: LineLanguage = ENGLISH_LINES): Segment[] {
  const { mark, text } = lineText(line, language);
  const body = plainLines(text);
  const from = plainText(line.from ?? '');
  const textStyle: Segment = line.mention ? { text: '', color: 'yellow', bold: true } : { text: '' };
  // A bot's nick is followed by its marker, dim: "<bot [bot]> text".
  const bot: Segment[] = line.bot ? [{ text: plainText(botMark(line, language)), dim: true }] : [];
  if (line.redacted) return [{ text: '<' }, { text: from, color: nickColour(from), bold: line.self === true }, ...bot, { text: '> ' }, { text: body, dim: true, italic: true }];
  switch (line.kind) {
    case 'message':
      return [{ text: '<' }, { text: from, color: nickColour(from), bold: line.self === true }, ...bot, { text: '> ' }, { ...textStyle, text: body }];
    case 'action':
      return [{ text: '* ', italic: true }, { text: from, color: nickColour(from), italic: true }, ...bot, { ...textStyle, text: ` ${plainLines(line.text)}`, italic: true }];
    case 'notice':
      return line.serverNotice
        ? [{ text: `${plainText(mark)} `, color: 'red', bold: true }, { text: body, bold: true }]
        : [{ text: `${plainText(mark)} `, color: 'magenta' }, { ...textStyle, text: body }];
    case 'announcement':
      // The admins speaking to everyone: black on yellow, so that it cannot be missed.
      return [{ text: `${plainText(mark)} ${body}`, color: 'black', backgroundColor: 'yellow', bold: true }];
    case 'error':
      return [{ text: '!! ', color: 'red', bold: true }, { text: body, color: 'red' }];
    default:
      if (QUIET.has(line.kind)) return [{ text: `${mark} ${body}`, dim: true }];
      return [{ text: `${mark} `, color: 'blue' }, { text: body, color: line.kind === 'info' ? undefined : 'cyan' }];
  }
}

/** Text as plainText makes it, its line breaks kept (a multi-line message, IRCv3 multiline). */
function plainLines(text: string): string {
  return text.includes('\n') ? text.split('\n').map(plainText).join('\n') : plainText(text);
}

/** The part of some segments that falls in [start, end) of their joined text. */
export function sliceSegments(segments: Segment[], start: number, end: number): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  for (const seg of segments) {
    const from = Math.max(start, pos);
    const to = Math.min(end, pos + seg.text.length);
    if (to > from) out.push({ ...seg, text: seg.text.slice(from - pos, to - pos) });
    pos += seg.text.length;
  }
  return out;
}

export function lineRows(line: ChatLine, width: number, language: LineLanguage = ENGLISH_LINES): Row[] {
  const segments = lineSegments(line, language);
  const plain = segments.map((s) => s.text).join('');
  const time: Segment = { text: `${clock(line.time, false, language.dateLocale)} `, dim: true };
  // Each line of a multi-line message starts a row of its own, and wraps on its own.
  const ranges: [number, number][] = [];
  let start = 0;
  for (const part of plain.split('\n')) {
    for (const [s, e] of wrapRanges(part, width - TIME_WIDTH)) ranges.push([start + s, start + e]);
    start += part.length + 1;
  }
  return ranges.map(([s, e], i) => [i === 0 ? time : { text: ' '.repeat(TIME_WIDTH) }, ...sliceSegments(segments, s, e)]);
}

function separator(time: Date, width: number, locale: string): Row {
  const label = ` ${dayLabel(time, locale)} `;
  const side = Math.max(0, Math.floor((width - displayWidth(label)) / 2));
  return [{ text: clipToWidth('─'.repeat(side) + label + '─'.repeat(width), width), dim: true }];
}

/**
 * The last `count` rows of `lines` at `width` columns, `skip` rows up from the bottom (for
 * scrolling). `atTop` tells when there is nothing further up.
 */
export function visibleRows(
  lines: readonly ChatLine[],
  width: number,
  count: number,
  skip = 0,
  language: LineLanguage = ENGLISH_LINES,
): { rows: Row[]; atTop: boolean; skip: number } {
  const need = count + skip;
  let rows: Row[] = [];
  let i = lines.length - 1;
  for (; i >= 0 && rows.length < need; i--) {
    const line = lines[i]!;
    const block = lineRows(line, width, language);
    const previous = lines[i - 1];
    if (!previous || !sameDay(previous.time, line.time)) block.unshift(separator(line.time, width, language.dateLocale));
    rows = block.concat(rows);
  }
  // Scrolled past the first line: stop at the top instead.
  if (i < 0) skip = Math.min(skip, Math.max(0, rows.length - count));
  const end = rows.length - skip;
  return { rows: rows.slice(Math.max(0, end - count), end), atTop: i < 0 && end - count <= 0, skip };
}

export function rowWidth(row: Row): number {
  return displayWidth(row.map((s) => s.text).join(''));
}
