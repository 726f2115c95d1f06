// The sender's side of a multi-line message (IRCv3 multiline): its lines fitted to the wire,
// its echo (echo-message: the batch, labelled on its opening line), and the stored form that
// keeps its concat joins (history keeps one message: the combined text).
import type { Tags } from '../protocol/message.ts';
import { combineLines, CONCAT_TAG, fitLines, splitCombined, type CombinedMessage } from '../protocol/multiline.ts';
import type { StoredMessage } from '../storage/store.ts';
import type { Context } from './context.ts';
import type { Outgoing } from './outgoing.ts';
import { multilineOutgoing, takesMultiline } from './multiline-outgoing.ts';

/** What a `message` event adds to say it holds several lines. */
export interface MultilineShape {
  concat: number[];
}

/** The combined message with every line at most `maxBytes`, longer ones cut into concat lines. */
export function fitCombined(text: string, concat: readonly number[], maxBytes: number): CombinedMessage {
  return combineLines(fitLines(splitCombined(text, concat), maxBytes));
}

/**
 * The tags history keeps, with the concat offsets under the concat tag's name, when there are
 * any: a stored message with line feeds or that tag is a multi-line one (history.ts replays it
 * as a batch), so no column is needed for it.
 */
export function withConcatOffsets(tags: Tags | undefined, multiline: MultilineShape | undefined): Tags | undefined {
  if (multiline === undefined || multiline.concat.length === 0) return tags;
  return { ...tags, [CONCAT_TAG]: multiline.concat.join(',') };
}

/** The concat offsets a stored message's tags hold (none when absent or unreadable). */
export function concatOffsetsOf(tags: Tags | undefined): number[] {
  const value = tags?.[CONCAT_TAG];
  if (value === undefined || value === '') return [];
  const offsets = value.split(',').map(Number);
  return offsets.every((n) => Number.isInteger(n) && n >= 0) ? offsets : [];
}

/** A stored message that holds several lines, and its client tags without the stored offsets. */
export function storedMultiline(text: string, tags: Tags | undefined): { concat: number[]; clientTags: Tags | undefined } | undefined {
  if (!text.includes('\n') && tags?.[CONCAT_TAG] === undefined) return undefined;
  let clientTags: Tags | undefined;
  for (const key in tags) if (key !== CONCAT_TAG) (clientTags ??= {})[key] = tags[key]!;
  return { concat: concatOffsetsOf(tags), clientTags };
}

export interface EchoedMultiline {
  command: 'PRIVMSG' | 'NOTICE';
  mask: string;
  shown: string;
  text: string;
  concat: readonly number[];
  time: number;
  msgid: string;
  clientTags: Tags;
  account: string | undefined;
  fromBot: boolean;
}

/** echo-message: the batch back to a sender that takes one (label on its opening line), else its lines. */
export function echoMultiline(ctx: Context, m: EchoedMultiline): void {
  const clientTags = Object.keys(m.clientTags).length > 0 ? m.clientTags : undefined;
  const lines = multilineOutgoing({ source: m.mask, command: m.command, shown: m.shown, text: m.text, concat: m.concat, time: m.time, msgid: m.msgid, clientTags, account: m.account });
  if (m.fromBot) {
    lines.batched[0]!.markFromBot();
    for (const line of lines.fallback) line.markFromBot();
  }
  if (takesMultiline(ctx.session)) ctx.rb.addGroup(lines.batched);
  else for (const out of lines.fallback) ctx.rb.add(out);
}

/**
 * A stored multi-line message as history replays it to `session`: its batch (inside the
 * history's own) to a client that takes one, else its lines; undefined for an ordinary message.
 */
export function storedMultilineLines(m: StoredMessage, target: string, session: { hasCap(name: string): boolean }): Outgoing[] | undefined {
  const multi = storedMultiline(m.text, m.tags);
  if (multi === undefined) return undefined;
  const lines = multilineOutgoing({ source: m.source, command: m.command, shown: target, text: m.text, concat: multi.concat, time: m.time, msgid: m.msgid, clientTags: multi.clientTags, account: m.account });
  return takesMultiline(session) ? lines.batched : lines.fallback;
}
