// A list of words (rooms, nicks) packed into as few space-separated lines as fit a byte budget
// each: long replies become several numerics instead of one cut short.
import { utf8ByteLength } from './wire-text.ts';

/** The words joined by spaces, a new line whenever the next would pass `budget` UTF-8 bytes. */
export function packWords(words: Iterable<string>, budget: number): string[] {
  const lines: string[] = [];
  let line = '';
  let bytes = 0;
  for (const word of words) {
    const size = utf8ByteLength(word);
    if (line !== '' && bytes + 1 + size > budget) {
      lines.push(line);
      line = '';
    }
    bytes = line === '' ? size : bytes + 1 + size;
    line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
