// How a refused message names the mute behind it: its reason, and its end when it has one, in
// UTC to the minute (rounded up: by then the user may speak), the same text on every node.
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
