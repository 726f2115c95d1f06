// Splits a byte stream into IRC lines. Works on bytes, so a UTF-8 character split across
// two reads is joined before decoding; a line ends at LF, with an optional CR before it.
import { isAscii, isUtf8 } from 'node:buffer';
import { findLabel, isUsableLabel, lastLabelValue } from '../protocol/message.ts';
import type { FramingError } from './connection.ts';

export interface LineSink {
  onLine(line: string, byteLength: number): void;
  /** `label`: the client's label tag, when the refused line's tag section shows one. */
  onFramingError(error: FramingError, label?: string): void;
}

const LF = 0x0a;
const CR = 0x0d;
const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
const WILL = 0xfb;
const DONT = 0xfe;

/** A line without telnet commands: IAC cmd, IAC WILL/WONT/DO/DONT opt, IAC SB … IAC SE. */
export function stripTelnet(line: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    if (b !== IAC) {
      out.push(b);
      continue;
    }
    const command = line[i + 1];
    if (command === undefined || command < SE || command === IAC) {
      out.push(b); // not a telnet command: a stray 0xFF, left for the UTF-8 check to refuse
    } else if (command >= WILL && command <= DONT) {
      // Telnet options are small numbers; anything else is not a negotiation but bad bytes.
      const option = line[i + 2];
      if (option === undefined || option >= 0x80) out.push(b);
      else i += 2;
    } else if (command === SB) {
      const end = line.indexOf(Buffer.from([IAC, SE]), i + 2);
      i = end === -1 ? line.length : end + 1;
    } else {
      i++;
    }
  }
  // CR (from telnet's CR NUL) at the end is dropped like the one before LF.
  while (out.length > 0 && (out[out.length - 1] === CR || out[out.length - 1] === 0)) out.pop();
  return Buffer.from(out);
}

/**
 * The label of a refused line (labeled-response: the reply carries it all the same). Read
 * byte for byte, so that bad UTF-8 elsewhere in the line does not hide it; the label's own
 * bytes must be UTF-8.
 */
export function labelOfRawLine(line: Buffer): string | undefined {
  const value = lastLabelValue(line.toString('latin1'));
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, 'latin1');
  if (!isUtf8(bytes)) return undefined;
  const label = bytes.toString('utf8');
  return isUsableLabel(label) ? label : undefined;
}

export class LineDecoder {
  /** The start of an unfinished line, split across reads; made only when one is. */
  private pending: Buffer[] | undefined;
  private pendingBytes = 0;
  /** Inside a line that already overflowed: drop bytes until its end. */
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  push(chunk: Buffer): void {
    // Most reads are ASCII and hold whole lines: those are decoded once and split as text,
    // where byte and character offsets agree. Anything else is split byte by byte.
    if (this.pending === undefined && !this.discarding && isAscii(chunk)) {
      this.pushAscii(chunk);
      return;
    }
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      let line: Buffer;
      if (this.pending !== undefined) {
        this.pending.push(chunk.subarray(start, lf));
        line = Buffer.concat(this.pending, this.pendingBytes + (lf - start));
        this.pending = undefined;
        this.pendingBytes = 0;
      } else {
        line = chunk.subarray(start, lf);
      }
      start = lf + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      this.emit(line);
    }
  }

  private pushAscii(chunk: Buffer): void {
    const text = chunk.toString('latin1');
    let start = 0;
    while (start < text.length) {
      const lf = text.indexOf('\n', start);
      if (lf === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      let end = lf;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      const line = text.slice(start, end);
      start = lf + 1;
      if (line.length === 0) continue; // empty lines are ignored, per Modern IRC
      if (line.length > this.maxLineBytes) this.sink.onFramingError('line-too-long', findLabel(line));
      else if (line.includes('\0')) this.sink.onFramingError('nul-byte', findLabel(line));
      else if (line.includes('\r')) this.sink.onFramingError('bare-cr', findLabel(line));
      else this.sink.onLine(line, line.length);
    }
  }

  private keep(rest: Buffer): void {
    if (this.discarding) return;
    if (this.pendingBytes + rest.length > this.maxLineBytes + 1 /* a CR may follow */) {
      // The label, if any, is in the line's first bytes: what is held, and the rest up to the limit.
      const head = Buffer.concat([...(this.pending ?? []), rest]).subarray(0, this.maxLineBytes);
      this.pending = undefined;
      this.pendingBytes = 0;
      this.discarding = true;
      this.sink.onFramingError('line-too-long', labelOfRawLine(head));
      return;
    }
    // Copy: the socket may reuse its buffer.
    (this.pending ??= []).push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  private emit(raw: Buffer): void {
    let line = raw;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.maxLineBytes) return this.sink.onFramingError('line-too-long', labelOfRawLine(line));
    // 0xFF never occurs in UTF-8: followed by a command byte it is telnet's IAC, whose
    // negotiation a telnet client may mix into what a person types. Taken out, not refused.
    if (line.indexOf(IAC) !== -1) line = stripTelnet(line);
    if (line.length === 0) return; // empty lines are ignored, per Modern IRC
    if (line.indexOf(0) !== -1) return this.sink.onFramingError('nul-byte', labelOfRawLine(line));
    if (line.indexOf(CR) !== -1) return this.sink.onFramingError('bare-cr', labelOfRawLine(line));
    if (!isUtf8(line)) return this.sink.onFramingError('invalid-utf8', labelOfRawLine(line));
    this.sink.onLine(line.toString('utf8'), line.length);
  }
}
