// IRCv3 multiline (draft/multiline) for the client core: a multiline batch from the server is
// gathered and handed on as ONE PRIVMSG/NOTICE whose text holds its line breaks (so every view,
// and a chathistory batch around it, sees one message); and a multi-line input is sent as one
// batch when the server offers the capability and the message fits its limits.
import type { IrcMessage } from '../protocol/message.ts';
import { CONCAT_TAG, cutToBytes, MULTILINE_BATCH, multilineBytes, parseMultilineCap, type MultilineLine } from '../protocol/multiline.ts';

/** Bounds on what a server may make the client hold (a hostile one could open batches for ever). */
const MAX_OPEN_BATCHES = 16;
const MAX_LINES_PER_BATCH = 1000;

interface Gathering {
  start: IrcMessage;
  lines: IrcMessage[];
}

export class MultilineAssembler {
  private readonly open = new Map<string, Gathering>();

  /**
   * What to handle of `msg`: the message itself, or at a multiline batch's end the whole message
   * (the opening BATCH's tags: msgid, time, account, an outer batch); undefined while one gathers.
   */
  take(msg: IrcMessage): IrcMessage | undefined {
    if (msg.command === 'BATCH') {
      const [ref = '', type, target] = msg.params;
      if (ref.startsWith('+') && type === MULTILINE_BATCH && target !== undefined) {
        if (this.open.size >= MAX_OPEN_BATCHES) this.open.delete(this.open.keys().next().value!);
        this.open.set(ref.slice(1), { start: msg, lines: [] });
        return undefined;
      }
      const gathered = ref.startsWith('-') ? this.open.get(ref.slice(1)) : undefined;
      if (gathered === undefined) return msg;
      this.open.delete(ref.slice(1));
      return combined(gathered);
    }
    const ref = msg.tags.batch;
    const gathering = ref === undefined ? undefined : this.open.get(ref);
    if (gathering === undefined) return msg;
    if (gathering.lines.length < MAX_LINES_PER_BATCH) gathering.lines.push(msg);
    return undefined;
  }

  /** The connection closed: batches it left open will never end. */
  clear(): void {
    this.open.clear();
  }
}

function combined({ start, lines }: Gathering): IrcMessage | undefined {
  const said = lines.filter((l) => l.command === 'PRIVMSG' || l.command === 'NOTICE');
  if (said.length === 0) return undefined;
  let text = '';
  said.forEach((l, i) => {
    if (i > 0 && l.tags[CONCAT_TAG] === undefined) text += '\n';
    text += l.params[1] ?? '';
  });
  return { tags: { ...start.tags }, source: start.source, command: said[0]!.command, params: [start.params[2]!, text] };
}

/** The lines a typed or pasted text is made of: CR LF or LF apart, blank ones at either end left out. */
export function inputLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return lines;
}

/**
 * `lines` as one multiline batch to `target` (the lines to send), each cut to `maxLineBytes`
 * with concat lines; undefined when the server's `draft/multiline` value does not take it.
 */
export function multilineBatch(command: 'PRIVMSG' | 'NOTICE', target: string, lines: readonly string[], capValue: string | undefined, maxLineBytes: number, ref: string): string[] | undefined {
  const limits = parseMultilineCap(capValue);
  if (limits === undefined || lines.length < 2) return undefined;
  const pieces: MultilineLine[] = [];
  for (const line of lines) cutToBytes(line, maxLineBytes).forEach((text, i) => pieces.push({ text, concat: i > 0 }));
  if (multilineBytes(pieces) > limits.maxBytes || (limits.maxLines !== undefined && pieces.length > limits.maxLines)) return undefined;
  return [
    `BATCH +${ref} ${MULTILINE_BATCH} ${target}`,
    ...pieces.map((p) => `@batch=${ref}${p.concat ? `;${CONCAT_TAG}` : ''} ${command} ${target} :${p.text}`),
    `BATCH -${ref}`,
  ];
}

/** Whether a server takes our multiline batches. */
export function canSendMultiline(hasCap: (name: string) => boolean): boolean {
  return hasCap('draft/multiline') && hasCap('batch');
}
