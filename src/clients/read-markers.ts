// IRCv3 draft/read-marker in the client core: the server keeps how far the user has read each
// room and private conversation, for all their connections. A MARKREAD from the server moves a
// buffer's read point (ChatBuffer.readMarker): its unread and mention counts are counted again
// from the lines after it, so reading on one device clears the counts on the others. The client
// says what the user has read (ReadMarkers.read): the newest line of the buffer in view.
import type { IrcMessage } from '../protocol/message.ts';
import { ACTIVE_KINDS, type ChatBuffer, type ChatLine, type ChatModel } from './model.ts';

export const READ_MARKER_CAP = 'draft/read-marker';

/** `timestamp=<server-time>` as ms; undefined for `*` or anything unreadable. */
export function markerTime(param: string | undefined): number | undefined {
  if (param === undefined || !param.startsWith('timestamp=')) return undefined;
  const time = Date.parse(param.slice('timestamp='.length));
  return Number.isFinite(time) ? time : undefined;
}

/** Whether a line counts towards a buffer's unread count: someone else speaking. */
export function countsAsUnread(line: ChatLine): boolean {
  return !line.self && ACTIVE_KINDS.has(line.kind);
}

/** The server says how far the user has read a target: the buffer's counts follow (forward only). */
export function applyMarkRead(m: ChatModel, msg: IrcMessage): void {
  const [target = '', param] = msg.params;
  const time = markerTime(param);
  const buffer = target === '' ? undefined : m.find(target);
  if (time === undefined || !buffer || buffer.kind === 'server') return;
  // Two devices' markers may cross on their way: an older one changes nothing.
  if (buffer.readMarker !== undefined && time <= buffer.readMarker) return;
  buffer.readMarker = time;
  let unread = 0;
  let mentions = 0;
  if (buffer !== m.current) {
    for (const line of buffer.lines) {
      if (line.time.getTime() <= time || !countsAsUnread(line)) continue;
      unread++;
      if (line.mention) mentions++;
    }
  }
  buffer.unread = unread;
  buffer.mentions = mentions;
  m.touch();
}

/** The server time of the newest line a marker may name: one the server sent (it has a msgid). */
export function newestServerTime(buffer: ChatBuffer): number | undefined {
  for (let i = buffer.lines.length - 1; i >= 0; i--) {
    const line = buffer.lines[i]!;
    if (line.msgid !== undefined && line.kind !== 'announcement') return line.time.getTime();
  }
  return undefined;
}

/** Markers sent at most this often (ms) by default: a busy room in view would otherwise cost a command per line, and flood control counts them. */
export const READ_MARKER_INTERVAL_MS = 1000;

/**
 * What the user has read, told to the server; one per connection (reset when it opens). The
 * first marker goes at once; later ones within `intervalMs` wait and go together, newest only.
 */
export class ReadMarkers {
  /** By buffer key: the newest time sent or waiting, so the same one is not sent twice. */
  private readonly sent = new Map<string, number>();
  /** By buffer key: markers waiting for the interval to pass, with the buffer's name. */
  private readonly due = new Map<string, { name: string; time: number }>();
  /** Private buffers whose marker was asked for (rooms get theirs with their JOIN). */
  private readonly asked = new Set<string>();
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (line: string) => void,
    private readonly hasCap: (name: string) => boolean,
    private readonly intervalMs = READ_MARKER_INTERVAL_MS,
  ) {}

  /** A new connection (or none): nothing sent, waiting or asked on it. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sent.clear();
    this.due.clear();
    this.asked.clear();
  }

  /** The user is reading `buffer` now: its newest line, if the marker is behind it. */
  read(buffer: ChatBuffer): void {
    if (buffer.kind === 'server' || !this.hasCap(READ_MARKER_CAP)) return;
    const time = newestServerTime(buffer);
    if (time === undefined || time <= (buffer.readMarker ?? -1) || time <= (this.sent.get(buffer.key) ?? -1)) return;
    this.sent.set(buffer.key, time);
    this.due.set(buffer.key, { name: buffer.name, time });
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) return this.flush();
    this.timer = setTimeout(() => this.flush(), wait);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private flush(): void {
    this.timer = undefined;
    this.lastSentAt = Date.now();
    for (const { name, time } of this.due.values()) this.send(`MARKREAD ${name} timestamp=${new Date(time).toISOString()}`);
    this.due.clear();
  }

  /** Asks for the markers of private buffers not asked for yet on this connection. */
  askQueries(buffers: readonly ChatBuffer[]): void {
    if (!this.hasCap(READ_MARKER_CAP)) return;
    for (const b of buffers) {
      if (b.kind !== 'query' || this.asked.has(b.key)) continue;
      this.asked.add(b.key);
      this.send(`MARKREAD ${b.name}`);
    }
  }
}
