// How a refused message names the mute behind it: its reason, and its end when it has one, in
// UTC to the minute (rounded up: by then the user may speak), the same text on every node.
// Clients read it back (readMutedText) to say it in the user's language and local time.
import type { ServerBan } from './bans.ts';

/**
 * `you are muted until 2026-01-01 12:31 UTC: reason`, or `you are muted: reason` for a mute with
 * no end; `capitalised` for a text of its own (`You are muted…`) rather than inside another.
 */
export function mutedText(mute: ServerBan, options: { capitalised?: boolean } = {}): string {
  const you = options.capitalised === true ? 'You' : 'you';
  if (mute.expiresAt === undefined) return `${you} are muted: ${mute.reason}`;
  const end = new Date(Math.ceil(mute.expiresAt / 60_000) * 60_000).toISOString();
  return `${you} are muted until ${end.slice(0, 10)} ${end.slice(11, 16)} UTC: ${mute.reason}`;
}

/** A mute as a refusal described it: when it ends (undefined: no end) and why. */
export interface MuteReading {
  until: Date | undefined;
  reason: string;
}

const CHANNEL_WRAPPER = ['Cannot send to channel (', ')'] as const;
const UNTIL = /^[Yy]ou are muted until (\d{4}-\d\d-\d\d) (\d\d:\d\d) UTC: /;
const NO_END = /^[Yy]ou are muted: /;

/**
 * The mute in a 404 or 531 reply's text, as mutedText wrote it (inside "Cannot send to
 * channel (…)" for a room); undefined for any other refusal.
 */
export function readMutedText(text: string): MuteReading | undefined {
  const [open, close] = CHANNEL_WRAPPER;
  const inner = text.startsWith(open) && text.endsWith(close) ? text.slice(open.length, -close.length) : text;
  const until = UNTIL.exec(inner);
  if (until) {
    const end = new Date(`${until[1]}T${until[2]}:00Z`);
    return Number.isNaN(end.getTime()) ? undefined : { until: end, reason: inner.slice(until[0].length) };
  }
  const noEnd = NO_END.exec(inner);
  return noEnd ? { until: undefined, reason: inner.slice(noEnd[0].length) } : undefined;
}
