// IRCv3 draft/read-marker in the browser: the conversation in view counts as read only while
// the page is shown, and the "New messages" divider, placed when the user comes back to a
// conversation, starts after whichever is later: what this page last showed, or the read
// marker (the user may have read further on another device).
import { useEffect } from 'preact/hooks';
import type { ChatBuffer } from '../../src/clients/model.ts';
import type { WebClient } from './connection.ts';
import { usePageVisible } from './page-visibility.ts';

/** Keeps the client's `reading` in step with the page being shown, and marks what is in view read when it is. */
export function useReadingWhileVisible(client: WebClient): void {
  const visible = usePageVisible();
  useEffect(() => {
    client.reading = visible;
    client.markRead();
  }, [client, visible]);
}

/** The last line at or before the buffer's read marker, by id. */
function lineAtMarker(buffer: ChatBuffer): number | undefined {
  const marker = buffer.readMarker;
  if (marker === undefined) return undefined;
  let id: number | undefined;
  for (const line of buffer.lines) if (line.time.getTime() <= marker) id = line.id;
  return id;
}

/** Of the line last seen here and the line at the read marker, the later one in the buffer. */
export function lastReadLine(buffer: ChatBuffer, seenHere: number | undefined): number | undefined {
  const atMarker = lineAtMarker(buffer);
  if (atMarker === undefined || seenHere === undefined) return seenHere ?? atMarker;
  const index = (id: number) => buffer.lines.findIndex((l) => l.id === id);
  return index(atMarker) > index(seenHere) ? atMarker : seenHere;
}
