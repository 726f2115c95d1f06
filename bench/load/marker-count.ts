// Counting the bench's messages in a chunk of bytes without decoding it: each carries the
// marker " :~" once. A marker split across two reads is found from how much of it the
// previous chunk ended with, so no chunk is copied or joined to the one before.

const MARKER = Buffer.from(' :~');
const SPACE = 0x20;
const COLON = 0x3a;
const TILDE = 0x7e;

export interface MarkerCount {
  count: number;
  /** How much of the marker the chunk ended with: 0, 1 (" ") or 2 (" :"); pass it with the next chunk. */
  tail: number;
}

export function countMarkers(chunk: Buffer, tail: number): MarkerCount {
  const length = chunk.length;
  if (length === 0) return { count: 0, tail };
  let count = 0;
  if ((tail === 2 && chunk[0] === TILDE) || (tail === 1 && length >= 2 && chunk[0] === COLON && chunk[1] === TILDE)) count++;
  for (let i = chunk.indexOf(MARKER); i !== -1; i = chunk.indexOf(MARKER, i + MARKER.length)) count++;
  const last = chunk[length - 1];
  let next = 0;
  if (last === COLON && (length >= 2 ? chunk[length - 2] === SPACE : tail === 1)) next = 2;
  else if (last === SPACE) next = 1;
  return { count, tail: next };
}
