// Deleted messages (IRCv3 draft/message-redaction) in the client core: a REDACT from the
// server turns the line with that msgid into "message deleted" (its text is dropped), in
// whichever buffer holds it; `/delete [n] [reason]` and the web's delete button send REDACT
// for a line (the web asks an operator deleting someone else's line to confirm, with a reason).
// A REDACT for a msgid the buffer does not hold is ignored, as the spec asks. The spec asks
// clients to keep deletions accountable: the line says who deleted it when that was not its
// sender (a room or IRC operator), and the reason given, if any.
import type { IrcMessage } from '../protocol/message.ts';
import { foldCase } from '../protocol/casemapping.ts';
import { toWireText } from '../protocol/wire-text.ts';
import type { EffectHost } from './effects.ts';
import { plainText } from './format.ts';
import type { ChatBuffer, ChatLine, ChatModel } from './model.ts';

export const REDACTION_CAP = 'draft/message-redaction';

/** Kinds of line a REDACT may name: PRIVMSG (messages and actions) and NOTICE. */
const DELETABLE = new Set(['message', 'action', 'notice']);

/** `:nick!u@h REDACT <target> <msgid> [:<reason>]`. */
export function applyRedact(m: ChatModel, msg: IrcMessage): void {
  const [target, msgid, reason] = msg.params;
  if (target === undefined || msgid === undefined) return;
  const from = msg.source === undefined ? '' : msg.source.split('!')[0]!;
  // A private one comes addressed to us: it is in the sender's query (our own echo names the peer).
  const name = m.isChannel(target) || foldCase(target) !== foldCase(m.nick) ? target : from;
  const buffer = m.find(name);
  const line = buffer?.lines.find((l) => l.msgid === msgid);
  if (!line || line.redacted) return;
  line.redacted = true;
  line.text = '';
  line.mention = false;
  if (from !== '' && foldCase(from) !== foldCase(line.from ?? '')) line.redactedBy = from;
  // Shown as plain text on one line: no IRC formatting, nothing a view could take for markup.
  const shownReason = reason === undefined ? '' : plainText(reason).trim();
  if (shownReason !== '') line.redactReason = shownReason;
  m.touch();
}

/** Whether the line can be offered for deletion: a message with a msgid, not deleted yet. */
export function isDeletable(line: ChatLine): boolean {
  return line.msgid !== undefined && !line.redacted && DELETABLE.has(line.kind);
}

/** The user's own deletable line `back` from the end (1: the last) of the buffer. */
export function ownLine(buffer: ChatBuffer, back: number): ChatLine | undefined {
  let seen = 0;
  for (let i = buffer.lines.length - 1; i >= 0; i--) {
    const line = buffer.lines[i]!;
    if (line.self && isDeletable(line) && ++seen === back) return line;
  }
  return undefined;
}

/** How many of the user's own lines in the buffer could be deleted. */
function ownLineCount(buffer: ChatBuffer): number {
  return buffer.lines.filter((line) => line.self && isDeletable(line)).length;
}

/** The REDACT line for `line` of `buffer`, with the reason when one is given (made one line; none when blank). */
export function redactLine(buffer: ChatBuffer, line: ChatLine, reason?: string): string | undefined {
  if (buffer.kind === 'server' || line.msgid === undefined) return undefined;
  const why = reason === undefined ? '' : toWireText(reason).trim();
  return `REDACT ${buffer.name} ${line.msgid}${why === '' ? '' : ` :${why}`}`;
}

/** `/delete [n] [reason]`: REDACT the user's own message n back in the buffer named `target`. */
export function deleteOwn(host: EffectHost, target: string, back: number, reason?: string): void {
  const m = host.model;
  if (!host.hasCap(REDACTION_CAP)) {
    m.note(m.t('client.redact.unsupported'), 'error');
    return;
  }
  const buffer = m.find(target);
  const line = buffer && ownLine(buffer, back);
  const command = buffer && line && redactLine(buffer, line, reason);
  if (!command) {
    // `/delete 9` with three: say how many there are, not that there are none.
    const own = buffer ? ownLineCount(buffer) : 0;
    m.note(own === 0 ? m.t('client.redact.nothing') : m.t('client.redact.fewer', { count: own }), 'error');
    return;
  }
  host.send(command);
}
