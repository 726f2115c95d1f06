// Merging a chathistory batch into a buffer: the messages are read through a scratch model
// (the same rules as live ones), then merged in by time, leaving out lines already shown.
// Lines are told apart by msgid: many lines of one millisecond, even of the same text, are
// all different lines.
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel, type ChatLine } from '../../src/clients/model.ts';
import type { IrcMessage } from '../../src/protocol/message.ts';

/** Identifies a line across a history fetch and the live stream. */
function lineKey(l: ChatLine): string {
  return l.msgid !== undefined ? `id|${l.msgid}` : `${l.time.getTime()}|${l.kind}|${l.from ?? ''}|${l.text}`;
}

const SENDABLE_ID = /^[^\s\0:][^\s\0]*$/;

/** True when lines were added to the target's buffer. */
export function mergeHistory(model: ChatModel, target: string, messages: IrcMessage[]): boolean {
  const scratch = new ChatModel('history', Infinity);
  scratch.nick = model.nick;
  scratch.status = 'registered';
  scratch.chanTypes = model.chanTypes;
  scratch.prefixSymbols = model.prefixSymbols;
  scratch.prefixModes = model.prefixModes;
  // The lines it writes itself (topics, CTCP…) in the user's language, as live ones are.
  scratch.language = model.language;
  scratch.dateLocale = model.dateLocale;
  const into = scratch.ensure(target);
  const state = newInboundState();
  for (const m of messages) applyMessage(scratch, m, state);
  const buffer = model.find(target);
  if (!buffer) return false;
  const seen = new Set(buffer.lines.map(lineKey));
  const fresh = into.lines.filter((l) => !seen.has(lineKey(l)));
  if (fresh.length === 0) return false;
  // A stable sort: lines of one millisecond keep the server's order, history before the lines
  // already shown (a page of history is older than what it was asked before).
  buffer.lines = [...fresh, ...buffer.lines].sort((a, b) => a.time.getTime() - b.time.getTime());
  model.touch();
  return true;
}

/**
 * Where the next page of older history ends: the oldest message with a msgid (exact, however
 * many lines share its millisecond), else the oldest line's time; undefined with no line.
 */
export function olderRef(lines: readonly ChatLine[]): string | undefined {
  // A msgid is the server's word: one that could not be sent back as one parameter is not used.
  // A broadcast is in every buffer but in no conversation's history: its msgid would find
  // nothing there (an empty answer, taken for the end of history), nor does its time count.
  const own = lines.filter((l) => l.kind !== 'announcement');
  const withId = own.find((l) => l.msgid !== undefined && SENDABLE_ID.test(l.msgid));
  if (withId) return `msgid=${withId.msgid!}`;
  const oldest = own.find((l) => l.kind !== 'info' && l.kind !== 'error');
  return oldest ? `timestamp=${oldest.time.toISOString()}` : undefined;
}
