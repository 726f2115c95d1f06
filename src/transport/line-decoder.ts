// Splits a byte stream into IRC lines. Works on bytes, so a UTF-8 character split across
// two reads is joined before decoding; a line ends at LF, with an optional CR before it.
import { isUtf8 } from 'node:buffer';
import type { FramingError } from './connection.ts';

export interface LineSink {
  onLine(line: string, byteLength: number): void;
  onFramingError(error: FramingError): void;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line that already overflowed: drop bytes until its end. */
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      let line: Buffer;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(start, lf));
        line = Buffer.concat(this.pending, this.pendingBytes + (lf - start));
        this.pending = [];
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

  private keep(rest: Buffer): void {
    if (this.discarding) return;
    if (this.pendingBytes + rest.length > this.maxLineBytes + 1 /* a CR may follow */) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      this.sink.onFramingError('line-too-long');
      return;
    }
    // Copy: the socket may reuse its buffer.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  private emit(raw: Buffer): void {
    let line = raw;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length === 0) return; // empty lines are ignored, per Modern IRC
    if (line.length > this.maxLineBytes) return this.sink.onFramingError('line-too-long');
    if (line.indexOf(0) !== -1) return this.sink.onFramingError('nul-byte');
    if (line.indexOf(CR) !== -1) return this.sink.onFramingError('bare-cr');
    if (!isUtf8(line)) return this.sink.onFramingError('invalid-utf8');
    this.sink.onLine(line.toString('utf8'), line.length);
  }
}
