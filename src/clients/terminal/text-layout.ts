// Laying text out in terminal columns. A Chinese character or an emoji takes two columns,
// an accent none, so lengths are display widths (string-width) and text is cut between
// graphemes only: a cut never splits a character, and no row comes out wider than asked.
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function displayWidth(text: string): number {
  return stringWidth(text);
}

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** The longest start of `text` that fits in `width` columns. */
export function clipToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const w = stringWidth(g);
    if (used + w > width) break;
    out += g;
    used += w;
  }
  return out;
}

/** `text` in at most `width` columns, ending in '…' when it had to be cut. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 1) return clipToWidth('…', width);
  return clipToWidth(text, width - 1) + '…';
}

/** `text` cut or padded with spaces to exactly `width` columns. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

/**
 * Splits `text` into rows of at most `width` columns, as [start, end) ranges of the text:
 * at spaces when a word fits on the next row, within words (between graphemes) when a word
 * alone is wider than a row. Spaces where a row ends are left out. The first row may be
 * narrower (`firstWidth`) to leave room for what goes before it.
 */
export function wrapRanges(text: string, width: number, firstWidth = width): [number, number][] {
  width = Math.max(2, width);
  const rows: [number, number][] = [];
  let start = 0;
  let end = 0;
  let used = 0;
  let limit = Math.max(0, Math.min(firstWidth, width));
  const flush = (next: number): void => {
    let e = end;
    while (e > start && text[e - 1] === ' ') e--;
    rows.push([start, e]);
    start = end = next;
    used = 0;
    limit = width;
  };
  let pos = 0;
  // Each token is a word with the spaces after it.
  for (const token of text.split(/(?<= )(?=[^ ])/)) {
    const core = token.replace(/ +$/, '');
    const coreWidth = stringWidth(core);
    if (used + coreWidth > limit && (used > 0 || limit < width) && coreWidth <= width) flush(pos);
    if (used + coreWidth <= limit) {
      used += coreWidth;
      end = pos + core.length;
    } else {
      let p = pos;
      for (const g of graphemes(core)) {
        const w = stringWidth(g);
        if (used + w > limit && (used > 0 || limit < width)) flush(p);
        used += w;
        p += g.length;
        end = p;
      }
    }
    for (let p = pos + core.length; p < pos + token.length; p++) {
      if (used + 1 > limit) {
        flush(pos + token.length);
        break;
      }
      used++;
      end = p + 1;
    }
    pos += token.length;
  }
  if (end > start || rows.length === 0) flush(end);
  return rows;
}

export function wrap(text: string, width: number, firstWidth = width): string[] {
  return wrapRanges(text, width, firstWidth).map(([s, e]) => text.slice(s, e));
}
