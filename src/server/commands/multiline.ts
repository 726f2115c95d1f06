// IRCv3 multiline (draft/multiline): a client sends one message of several lines as a batch,
//   BATCH +ref draft/multiline <target>
//   @batch=ref PRIVMSG <target> :line            (one per line; draft/multiline-concat joins a
//   @batch=ref;draft/multiline-concat PRIVMSG …   line to the one before without a line feed)
//   BATCH -ref
// The lines are gathered on the session and, at the end, sent as ONE message (messaging.ts
// sendMultiline): one event in the log, one msgid, one entry in history. A batch that breaks
// a rule is answered with FAIL BATCH … once, and the rest of its lines are dropped quietly.
import { foldCase } from '../../protocol/casemapping.ts';
import { lastTagValue, type Tags } from '../../protocol/message.ts';
import { combineLines, CONCAT_TAG, MULTILINE_BATCH, MULTILINE_CAP, type MultilineLine } from '../../protocol/multiline.ts';
import { utf8ByteLength } from '../../protocol/wire-text.ts';
import type { CommandGroup, CommandSpec, Context } from '../context.ts';
import { StandardReplyError } from '../irc-error.ts';
import { pickClientTags, sendMultiline } from './messaging.ts';

/** A multiline batch a client has opened and not closed yet (Session.multilineBatch). */
export interface OpenMultilineBatch {
  ref: string;
  target: string;
  /** The label of the opening BATCH (labeled-response): the answer at its end carries it. */
  label: string | undefined;
  /** Client-only tags of the opening BATCH: the message's tags. */
  clientTags: Tags;
  command: 'PRIVMSG' | 'NOTICE' | undefined;
  lines: MultilineLine[];
  /** Bytes counted against max-bytes: the lines' text and a byte per line feed. */
  bytes: number;
  /** Refused already: its remaining lines and its end are dropped without a word. */
  failed: boolean;
}

function invalid(text: string): StandardReplyError {
  return new StandardReplyError('BATCH', 'MULTILINE_INVALID', [], text);
}

/**
 * A refusal of the batch: answered once (with the batch's label when the line has none), and
 * the batch is kept as failed until its end, so its other lines draw no answer.
 */
function failBatch(ctx: Context, batch: OpenMultilineBatch, err: StandardReplyError): never {
  markFailed(batch);
  if (ctx.rb.replyLabel === undefined && batch.label !== undefined) ctx.rb.relabel(batch.label);
  throw err;
}

/** A batch whose lines are dropped from now on; what it held is let go at once. */
function markFailed(batch: OpenMultilineBatch): void {
  batch.failed = true;
  batch.lines = [];
}

/**
 * A refused opening line: the batch is kept as failed under its reference, so that its lines and
 * its end are dropped without a word (one FAIL per batch, however long the batch).
 */
function refuseOpening(ctx: Context, ref: string, err: StandardReplyError): never {
  if (ref !== '') {
    ctx.session.multilineBatch = { ref, target: '', label: undefined, clientTags: {}, command: undefined, lines: [], bytes: 0, failed: true };
  }
  throw err;
}

function openBatch(ctx: Context, ref: string, type: string | undefined, target: string | undefined): void {
  const session = ctx.session;
  const nested = session.multilineBatch !== undefined && !session.multilineBatch.failed;
  session.multilineBatch = undefined;
  if (!session.hasCap(MULTILINE_CAP)) throw invalid('Multiline batches need the draft/multiline capability');
  // One at a time: the open one is given up with the new one.
  if (nested) refuseOpening(ctx, ref, invalid('A multiline batch is already open'));
  if (type !== MULTILINE_BATCH || target === undefined || target === '' || ref === '') refuseOpening(ctx, ref, invalid('Invalid multiline batch'));
  // One conversation: not a list of targets, nor the server-wide $* of a broadcast.
  if (target.includes(',') || target.startsWith('$')) {
    refuseOpening(ctx, ref, new StandardReplyError('BATCH', 'MULTILINE_INVALID_TARGET', [target, target], 'A multiline message has one room or person as its target'));
  }
  const clientTags = session.hasCap('message-tags') ? pickClientTags(ctx.msg.tags) : {};
  session.multilineBatch = { ref, target, label: ctx.rb.replyLabel, clientTags, command: undefined, lines: [], bytes: 0, failed: false };
  // The answer comes at the end of the batch, with this label: no ACK for the opening line.
  ctx.rb.relabel(undefined);
}

function closeBatch(ctx: Context, ref: string): void | Promise<void> {
  const session = ctx.session;
  const batch = session.multilineBatch;
  if (batch === undefined || batch.ref !== ref) throw invalid('No such multiline batch is open');
  session.multilineBatch = undefined;
  if (batch.failed) return;
  if (batch.label !== undefined && ctx.rb.replyLabel === undefined) ctx.rb.relabel(batch.label);
  // Blank lines are allowed, but not a message of nothing else (IRCv3).
  if (batch.command === undefined || batch.lines.every((l) => l.text === '')) throw invalid('A multiline message needs text');
  const { text, concat } = combineLines(batch.lines);
  return sendMultiline(ctx, batch.command, batch.target, text, concat, batch.clientTags);
}

/** A line tagged `batch=…` from a client that may send multiline batches: gathered into its batch. */
function absorbLine(ctx: Context): void {
  const { session, msg } = ctx;
  const batch = session.multilineBatch;
  if (batch === undefined || batch.ref !== msg.tags.batch) {
    if (batch !== undefined && !batch.failed) failBatch(ctx, batch, invalid('Lines of another batch inside a multiline batch'));
    if (batch?.failed) return;
    throw invalid('No such multiline batch is open');
  }
  if (batch.failed) return;
  const command = msg.command;
  if (command !== 'PRIVMSG' && command !== 'NOTICE') failBatch(ctx, batch, invalid('A multiline batch holds only PRIVMSG or NOTICE lines'));
  if (batch.command !== undefined && command !== batch.command) failBatch(ctx, batch, invalid('The lines of a multiline batch share one command'));
  const [target, text] = msg.params;
  if (target === undefined || text === undefined) failBatch(ctx, batch, invalid('Invalid multiline batch'));
  if (target !== batch.target && foldCase(target) !== foldCase(batch.target)) {
    failBatch(ctx, batch, new StandardReplyError('BATCH', 'MULTILINE_INVALID_TARGET', [batch.target, target], 'Invalid multiline target'));
  }
  const concat = msg.tags[CONCAT_TAG] !== undefined;
  if (concat && text === '') failBatch(ctx, batch, invalid('A blank line cannot be concatenated'));
  batch.command = command;
  // A line feed joins each line but a concat one to the one before, and counts one byte.
  batch.bytes += utf8ByteLength(text) + (batch.lines.length > 0 && !concat ? 1 : 0);
  batch.lines.push({ text, concat });
  const { multilineMaxBytes, multilineMaxLines } = ctx.limits;
  if (batch.bytes > multilineMaxBytes) {
    failBatch(ctx, batch, new StandardReplyError('BATCH', 'MULTILINE_MAX_BYTES', [String(multilineMaxBytes)], 'Multiline batch max-bytes exceeded'));
  }
  if (batch.lines.length > multilineMaxLines) {
    failBatch(ctx, batch, new StandardReplyError('BATCH', 'MULTILINE_MAX_LINES', [String(multilineMaxLines)], 'Multiline batch max-lines exceeded'));
  }
}

/**
 * A line of the client's open multiline batch. A client may send a whole batch at once, so such
 * a line is charged its flood token without being held back (a batch within its limits never
 * fills the receive queue); the lines after the batch wait instead. Bounded: each such line is
 * absorbed into the batch, or the batch fails (max-lines, max-bytes, a wrong line), and a failed
 * batch's lines wait like any other.
 */
export function isLineOfOpenBatch(batch: OpenMultilineBatch | undefined, line: string): boolean {
  return batch !== undefined && !batch.failed && line.charCodeAt(0) === 0x40 && lastTagValue(line, 'batch') === batch.ref;
}

/**
 * A line the server could not read (too long, not UTF-8, malformed) came while a batch was open:
 * it may have been one of the batch's lines, and a message is never delivered with a line
 * missing, so the batch fails. Gives the label its FAIL answers, or undefined when no batch was
 * open (nothing to say).
 */
export function failBatchOfLostLine(session: Context['session']): { label: string | undefined } | undefined {
  const batch = session.multilineBatch;
  if (batch === undefined || batch.failed) return undefined;
  markFailed(batch);
  return { label: batch.label };
}

/** What dispatch.ts runs for a line with a batch tag, instead of its command (see batchedLine). */
export const BATCHED_LINE: CommandSpec = { minParams: 0, handler: absorbLine };

/**
 * Whether a line belongs to a client's multiline batch: it has a batch tag, and the client may
 * open one. Other clients' batch tags mean nothing to the server, as before.
 */
export function isBatchedLine(session: Context['session'], tags: Tags): boolean {
  return tags.batch !== undefined && session.registered && (session.multilineBatch !== undefined || session.hasCap(MULTILINE_CAP));
}

export const multilineCommands: CommandGroup = {
  // BATCH +<ref> draft/multiline <target>  …  BATCH -<ref>
  BATCH: {
    minParams: 1,
    handler(ctx, [ref, type, target]) {
      if (ref!.startsWith('+')) return openBatch(ctx, ref!.slice(1), type, target);
      if (ref!.startsWith('-')) return closeBatch(ctx, ref!.slice(1));
      throw invalid('Invalid multiline batch');
    },
  },
};
