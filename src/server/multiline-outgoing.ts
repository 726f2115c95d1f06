// A multi-line message (IRCv3 draft/multiline) on its way to clients, in its two forms: the
// batch, for clients with draft/multiline and batch, and its lines one by one for the others.
// Both are made once per message and shared by all its recipients, like any Outgoing.
import type { Tags } from '../protocol/message.ts';
import { CONCAT_TAG, MULTILINE_BATCH, splitCombined } from '../protocol/multiline.ts';
import type { NetworkEvent } from '../network/events.ts';
import type { User } from '../network/state.ts';
import { Outgoing } from './outgoing.ts';

/** A message's lines as each kind of recipient gets them. */
export interface MultilineOutgoing {
  /** `BATCH +ref draft/multiline target` (msgid, account, client tags), its lines, `BATCH -ref`. */
  batched: Outgoing[];
  /** The lines as ordinary messages, blank ones left out; the msgid and client tags on the first. */
  fallback: Outgoing[];
}

/** What a multi-line message is made of. */
export interface MultilineMessage {
  source: string;
  command: 'PRIVMSG' | 'NOTICE';
  /** The target as the recipient sees it. */
  shown: string;
  /** The combined value: lines joined by '\n', concat lines joined with none. */
  text: string;
  /** Offsets in `text` where a concat line starts. */
  concat: readonly number[];
  time: number;
  msgid: string;
  clientTags: Tags | undefined;
  account: string | undefined;
}

/**
 * A line inside a batch: its `batch` (and concat) tags are part of the message, the same for
 * every recipient, and win over a batch tag the sender of a reply adds around it (a nested
 * batch's lines name their own batch).
 */
class BatchedLine extends Outgoing {
  constructor(
    source: string,
    command: string,
    params: readonly string[],
    time: number,
    private readonly fixedTags: Tags,
  ) {
    super(source, command, params, time);
  }

  override line(variant: number, extra?: Tags, maxBodyBytes?: number): string {
    return super.line(variant, extra === undefined ? this.fixedTags : { ...extra, ...this.fixedTags }, maxBodyBytes);
  }
}

/** A batch reference of the message's own: letters, digits and '-' (IRCv3 batch). */
function batchRef(msgid: string): string {
  let ref = 'ml';
  for (const c of msgid) if (/[A-Za-z0-9-]/.test(c)) ref += c;
  return ref.slice(0, 32);
}

export function multilineOutgoing(m: MultilineMessage): MultilineOutgoing {
  const lines = splitCombined(m.text, m.concat);
  const ref = batchRef(m.msgid);
  const batched: Outgoing[] = [new Outgoing(m.source, 'BATCH', [`+${ref}`, MULTILINE_BATCH, m.shown], m.time, m.msgid, m.clientTags, m.account)];
  for (const line of lines) {
    batched.push(new BatchedLine(m.source, m.command, [m.shown, line.text], m.time, line.concat ? { batch: ref, [CONCAT_TAG]: '' } : { batch: ref }));
  }
  batched.push(new Outgoing(m.source, 'BATCH', [`-${ref}`], m.time));
  // Blank lines are not sent to clients without multiline (IRCv3): they would be refused.
  const fallback: Outgoing[] = [];
  for (const line of lines) {
    if (line.text === '') continue;
    const first = fallback.length === 0;
    fallback.push(new Outgoing(m.source, m.command, [m.shown, line.text], m.time, first ? m.msgid : undefined, first ? m.clientTags : undefined, m.account));
  }
  return { batched, fallback };
}

/** Whether a session takes multiline batches (the capability needs batch as well). */
export function takesMultiline(session: { hasCap(name: string): boolean }): boolean {
  return session.hasCap('draft/multiline') && session.hasCap('batch');
}

/** The lines of a `message` event that carries several (undefined for an ordinary one), as `shown` to its recipients. */
export function multilineOfEvent(e: Extract<NetworkEvent, { type: 'message' }>, from: User, shown: string, time: number, clientTags: Tags | undefined): MultilineOutgoing | undefined {
  if (e.multiline === undefined || e.command === 'TAGMSG') return undefined;
  return multilineOutgoing({ source: from.mask, command: e.command, shown, text: e.text, concat: e.multiline.concat, time, msgid: e.msgid, clientTags, account: from.account });
}
