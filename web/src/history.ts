// Merging a chathistory batch into a buffer: the messages are read through a scratch model
// (the same rules as live ones), then merged in by time, leaving out lines already shown.
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { ChatModel, type ChatLine } from '../../src/clients/model.ts';
import type { IrcMessage } from '../../src/protocol/message.ts';

/** Identifies a line across a history fetch and the live stream. */
function lineKey(l: ChatLine): string {
  return `${l.time.getTime()}|${l.kind}|${l.from ?? ''}|${l.text}`;
}

/** True when lines were added to the target's buffer. */
export function mergeHistory(model: ChatModel, target: string, messages: IrcMessage[]): boolean {
  const scratch = new ChatModel('history', Infinity);
  scratch.nick = model.nick;
  scratch.status = 'registered';
  scratch.chanTypes = model.chanTypes;
  scratch.prefixSymbols = model.prefixSymbols;
  scratch.prefixModes = model.prefixModes;
  const into = scratch.ensure(target);
  const state = newInboundState();
  for (const m of messages) applyMessage(scratch, m, state);
  const buffer = model.find(target);
  if (!buffer) return false;
  const seen = new Set(buffer.lines.map(lineKey));
  const fresh = into.lines.filter((l) => !seen.has(lineKey(l)));
  if (fresh.length === 0) return false;
  buffer.lines = [...fresh, ...buffer.lines].sort((a, b) => a.time.getTime() - b.time.getTime());
  model.touch();
  return true;
}
