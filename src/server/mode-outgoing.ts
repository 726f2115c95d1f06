// A channel MODE change as the lines that carry it: one, or several when long arguments (ban
// masks, nicks) would pass 512 bytes, so that nobody is shown a mask cut short.
import { splitChannelModeParams } from '../protocol/mode-lines.ts';
import { utf8ByteLength } from '../protocol/wire-text.ts';
import { Outgoing, SAFE_BODY_BYTES } from './outgoing.ts';

export function channelModeLines(source: string, channel: string, params: readonly string[], time: number, msgid: string | undefined, account?: string): Outgoing[] {
  const budget = SAFE_BODY_BYTES - utf8ByteLength(`:${source} MODE ${channel}`);
  const parts = splitChannelModeParams(params, budget);
  // Every line is a message of its own: the first keeps the change's msgid, the others derive theirs.
  return parts.map((part, i) => new Outgoing(source, 'MODE', [channel, ...part], time, msgid === undefined || i === 0 ? msgid : `${msgid}-${i}`, undefined, account));
}
