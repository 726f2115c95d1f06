// A channel MODE change as several lines when one would pass the line limit (long ban masks,
// long nicks): each line keeps its letters with their own arguments, so that every client
// reads the same changes the server applied, none cut short.
import { CHANNEL_MODES, MEMBER_PREFIXES } from './isupport.ts';
import { utf8ByteLength } from './wire-text.ts';

/** Does this channel mode letter take an argument when set (add) or unset? */
export function channelModeTakesArg(mode: string, add: boolean): boolean {
  if (MEMBER_PREFIXES.some((p) => p.mode === mode)) return true;
  if (CHANNEL_MODES.list.includes(mode) || CHANNEL_MODES.withArg.includes(mode)) return true;
  return add && CHANNEL_MODES.withArgOnSet.includes(mode);
}

/**
 * `params` (`['+bb-o', 'a', 'b', 'nick']`, as a MODE line carries after the channel) split into
 * parameter lists whose ` p1 p2 …` each take at most `budget` UTF-8 bytes. One change whose
 * argument alone passes the budget still gets a line of its own (the caller keeps arguments
 * short enough for that never to happen).
 */
export function splitChannelModeParams(params: readonly string[], budget: number): string[][] {
  const [modestring = '', ...args] = params;
  const changes: { add: boolean; mode: string; arg: string | undefined }[] = [];
  let add = true;
  let next = 0;
  for (const ch of modestring) {
    if (ch === '+' || ch === '-') {
      add = ch === '+';
      continue;
    }
    changes.push({ add, mode: ch, arg: channelModeTakesArg(ch, add) ? args[next++] : undefined });
  }
  const lines: string[][] = [];
  let modes = '';
  let sign = '';
  let lineArgs: string[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (modes !== '') lines.push([modes, ...lineArgs]);
    modes = '';
    sign = '';
    lineArgs = [];
    bytes = 0;
  };
  for (const c of changes) {
    const s = c.add ? '+' : '-';
    // The letter (and perhaps a sign) in the mode string, a space and the argument.
    const cost = (s === sign ? 1 : 2) + (c.arg === undefined ? 0 : 1 + utf8ByteLength(c.arg));
    if (modes !== '' && 1 + bytes + cost > budget) flush();
    if (s !== sign) modes += sign = s;
    modes += c.mode;
    if (c.arg !== undefined) lineArgs.push(c.arg);
    bytes += cost;
  }
  flush();
  return lines;
}
