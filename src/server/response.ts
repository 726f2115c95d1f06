// Collects a command's replies to its own session, so that labeled-response can tag them:
// no reply → ACK, one → the label on it, several → a labeled-response batch. A long reply
// paced to the client's send queue (paced-reply.ts) streams instead: its batch opens first.
import type { Tags } from '../protocol/message.ts';
import { Outgoing } from './outgoing.ts';

export interface ReplyTarget {
  readonly tagVariant: number;
  /** Lines are cut to this many bytes without tags and CR LF (outgoing.ts). */
  readonly maxBodyBytes: number;
  hasCap(name: string): boolean;
  /** A line built as text: checked for CR, LF and NUL before it is sent. */
  sendLine(line: string): void;
  /** Lines built as text, checked likewise, sent as one burst where the transport can. */
  sendLines(lines: readonly string[]): void;
  /** A line from the serializer, which has checked it already. */
  sendSerialized(line: string): void;
  nextBatchId(): string;
  /** A reply that failed to serialize (UnsafeLineError): logged, not sent; other errors are thrown again. */
  dropUnsafeLine(err: unknown): void;
}

export class ResponseBuffer {
  /** Replies held for the label; made only when there is one. */
  private items: { out: Outgoing; batch: string | undefined; rest?: readonly Outgoing[] }[] | undefined;
  /** Set by stream(): replies go out as they are added, in this labeled-response batch if any. */
  private streaming: { batch: string | undefined } | undefined;

  constructor(
    private readonly target: ReplyTarget,
    private readonly serverName: string,
    private readonly now: () => number,
    /** The client's label, when it sent one and negotiated labeled-response. */
    private label: string | undefined,
  ) {}

  /** The label the replies will carry. */
  get replyLabel(): string | undefined {
    return this.label;
  }

  /**
   * Another label for the replies, before any went out: none for a command answered later (a
   * multiline batch's opening line), or the one it was sent with for the line that answers it.
   */
  relabel(label: string | undefined): void {
    if (this.streaming === undefined) this.label = label;
  }

  /** A reply; `batch` puts it in a batch of its own (chathistory) inside any label batch. */
  add(out: Outgoing, batch?: string): void {
    if (this.label === undefined) this.send(out, batch === undefined ? undefined : { batch });
    else if (this.streaming !== undefined) {
      const tag = batch ?? this.streaming.batch;
      this.send(out, tag === undefined ? undefined : { batch: tag });
    } else (this.items ??= []).push({ out, batch });
  }

  /**
   * A batch of the reply's own (IRCv3 multiline: `BATCH +ref …`, its lines, `BATCH -ref`) whose
   * lines after the first tag themselves. It counts as one reply: alone, the label goes on its
   * opening line, with no labeled-response batch around it (IRCv3 multiline with echo-message).
   */
  addGroup(lines: readonly Outgoing[]): void {
    const [open, ...rest] = lines;
    if (open === undefined) return;
    if (this.holding) {
      (this.items ??= []).push({ out: open, batch: undefined, rest });
      return;
    }
    this.sendGroup(open, rest);
  }

  /** A group's lines as they go out now: inside the streaming label batch, if there is one. */
  private sendGroup(open: Outgoing, rest: readonly Outgoing[]): void {
    const batch = this.streaming?.batch;
    const extra = batch === undefined ? undefined : { batch };
    this.send(open, extra);
    for (const out of rest) this.send(out, extra);
  }

  /** Replies are being held for the label: they are not on their way to the client yet. */
  get holding(): boolean {
    return this.label !== undefined && this.streaming === undefined;
  }

  /**
   * From now on replies go out as they are added, since a reply paced to the client's send
   * queue cannot be held to its end. With a label (and batch) they go in one labeled-response
   * batch opened here, held replies first, and closed by flush().
   */
  stream(): void {
    if (!this.holding) return;
    const batch = this.target.hasCap('batch') ? this.target.nextBatchId() : undefined;
    this.streaming = { batch };
    if (batch !== undefined) this.send(new Outgoing(this.serverName, 'BATCH', [`+${batch}`, 'labeled-response'], this.now()), { label: this.label! });
    const held = this.items ?? [];
    this.items = undefined;
    for (const item of held) {
      if (item.rest !== undefined) this.sendGroup(item.out, item.rest);
      else this.add(item.out, item.batch);
    }
  }

  private send(out: Outgoing, extra: Tags | undefined): void {
    let line: string;
    try {
      line = out.line(this.target.tagVariant, extra, this.target.maxBodyBytes);
    } catch (err) {
      this.target.dropUnsafeLine(err);
      return;
    }
    this.target.sendSerialized(line);
  }

  /**
   * Replies already serialized without tags (e.g. from a FixedNumeric), all made at `time`.
   * A client that takes no tags and gave no label gets them as they are: a reply burst
   * (welcome, MOTD) then costs no message object per line.
   */
  addText(lines: readonly string[], time: number): void {
    if (this.label === undefined && this.target.tagVariant === 0) {
      this.target.sendLines(lines);
    } else {
      for (const line of lines) this.add(Outgoing.fromText(line, time));
    }
  }

  /** A reply from the server: `:server COMMAND params`. */
  server(command: string, params: string[]): void {
    this.add(new Outgoing(this.serverName, command, params, this.now()));
  }

  flush(): void {
    if (this.label === undefined) return;
    if (this.streaming !== undefined) {
      const batch = this.streaming.batch;
      if (batch !== undefined) this.send(new Outgoing(this.serverName, 'BATCH', [`-${batch}`], this.now()), undefined);
      this.streaming = { batch: undefined };
      return;
    }
    const t = this.target;
    const label = { label: this.label };
    const items = this.items ?? [];
    if (items.length === 0) {
      this.send(new Outgoing(this.serverName, 'ACK', [], this.now()), label);
    } else if (items.length === 1) {
      const only = items[0]!;
      this.send(only.out, only.batch === undefined ? label : { ...label, batch: only.batch });
      for (const out of only.rest ?? []) this.send(out, undefined);
    } else if (!t.hasCap('batch')) {
      for (const item of items) {
        this.send(item.out, undefined);
        for (const out of item.rest ?? []) this.send(out, undefined);
      }
    } else {
      const ref = t.nextBatchId();
      this.send(new Outgoing(this.serverName, 'BATCH', [`+${ref}`, 'labeled-response'], this.now()), label);
      const inBatch = { batch: ref };
      for (const item of items) {
        const tags = item.batch === undefined ? inBatch : { batch: item.batch };
        this.send(item.out, tags);
        // A group's lines name their own batch; its closing line is inside the label's.
        for (const out of item.rest ?? []) this.send(out, tags);
      }
      this.send(new Outgoing(this.serverName, 'BATCH', [`-${ref}`], this.now()), undefined);
    }
    this.items = undefined;
  }
}
