// Whether a client's line is over the limits of Modern IRC and IRCv3 message-tags.

export interface LineLimits {
  /** Modern IRC: a line without tags, CR LF included. */
  lineBytes: number;
  /** A whole tag section ('@' to the space). */
  tagBytes: number;
  /** Tag data from a client (between the '@' and the space). */
  clientTagBytes: number;
}

/**
 * Modern IRC: at most 512 bytes without tags (CR LF included). IRCv3 message-tags: at most
 * 4094 bytes of tag data from a client (what lies between the '@' and the space), within a
 * tag section of at most 8191. `bytes` is the line's UTF-8 length without CR LF.
 */
export function isLineTooLong(line: string, bytes: number, limits: LineLimits): boolean {
  const { lineBytes, tagBytes, clientTagBytes } = limits;
  const max = lineBytes - 2;
  if (line.charCodeAt(0) !== 0x40) return bytes > max;
  const space = line.indexOf(' ');
  if (space === -1) return bytes > tagBytes || bytes - 1 > clientTagBytes;
  const sectionBytes = Buffer.byteLength(line.slice(0, space + 1));
  return sectionBytes > tagBytes || sectionBytes - 2 > clientTagBytes || bytes - sectionBytes > max;
}
