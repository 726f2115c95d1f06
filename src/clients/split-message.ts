// Long messages are sent as several, each fitting an IRC line. The cut falls after a space
// when there is one in the second half of a piece, and never inside a character or a
// grapheme (an emoji with its modifiers, a letter with its accents).
import { utf8ByteLength as byteLength } from '../protocol/wire-text.ts';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

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
