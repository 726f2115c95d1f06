// Collects a command's replies to its own session, so that labeled-response can tag them:
// no reply → ACK, one → the label on it, several → a labeled-response batch.
import { Outgoing } from './outgoing.ts';

export interface ReplyTarget {
  readonly tagVariant: number;
  hasCap(name: string): boolean;
  sendLine(line: string): void;
  nextBatchId(): string;
}

export class ResponseBuffer {
  /** Replies held for the label; made only when there is one. */
  private items: { out: Outgoing; batch: string | undefined }[] | undefined;

  constructor(
    private readonly target: ReplyTarget,
    private readonly serverName: string,
    private readonly now: () => number,
    /** The client's label, when it sent one and negotiated labeled-response. */
    private readonly label: string | undefined,
  ) {}

  /** A reply; `batch` puts it in a batch of its own (chathistory) inside any label batch. */
  add(out: Outgoing, batch?: string): void {
    if (this.label === undefined) this.target.sendLine(out.line(this.target.tagVariant, batch === undefined ? undefined : { batch }));
    else (this.items ??= []).push({ out, batch });
  }

  /**
   * Replies already serialized without tags (e.g. from a FixedNumeric), all made at `time`.
   * A client that takes no tags and gave no label gets them as they are: a reply burst
   * (welcome, MOTD) then costs no message object per line.
   */
  addText(lines: readonly string[], time: number): void {
    if (this.label === undefined && this.target.tagVariant === 0) {
      for (const line of lines) this.target.sendLine(line);
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
    const t = this.target;
    const label = { label: this.label };
    const items = this.items ?? [];
    if (items.length === 0) {
      t.sendLine(new Outgoing(this.serverName, 'ACK', [], this.now()).line(t.tagVariant, label));
    } else if (items.length === 1) {
      const only = items[0]!;
      t.sendLine(only.out.line(t.tagVariant, only.batch === undefined ? label : { ...label, batch: only.batch }));
    } else if (!t.hasCap('batch')) {
      for (const item of items) t.sendLine(item.out.line(t.tagVariant));
    } else {
      const ref = t.nextBatchId();
      const start = new Outgoing(this.serverName, 'BATCH', [`+${ref}`, 'labeled-response'], this.now());
      t.sendLine(start.line(t.tagVariant, label));
      const inBatch = { batch: ref };
      for (const item of items) t.sendLine(item.out.line(t.tagVariant, item.batch === undefined ? inBatch : { batch: item.batch }));
      t.sendLine(new Outgoing(this.serverName, 'BATCH', [`-${ref}`], this.now()).line(t.tagVariant));
    }
    this.items = undefined;
  }
}
