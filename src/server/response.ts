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
  private readonly items: Outgoing[] = [];

  constructor(
    private readonly target: ReplyTarget,
    private readonly serverName: string,
    private readonly now: () => number,
    /** The client's label, when it sent one and negotiated labeled-response. */
    private readonly label: string | undefined,
  ) {}

  add(out: Outgoing): void {
    if (this.label === undefined) this.target.sendLine(out.line(this.target.tagVariant));
    else this.items.push(out);
  }

  /** A reply from the server: `:server COMMAND params`. */
  server(command: string, params: string[]): void {
    this.add(new Outgoing(this.serverName, command, params, this.now()));
  }

  flush(): void {
    if (this.label === undefined) return;
    const t = this.target;
    const label = { label: this.label };
    if (this.items.length === 0) {
      t.sendLine(new Outgoing(this.serverName, 'ACK', [], this.now()).line(t.tagVariant, label));
    } else if (this.items.length === 1) {
      t.sendLine(this.items[0]!.line(t.tagVariant, label));
    } else if (!t.hasCap('batch')) {
      for (const item of this.items) t.sendLine(item.line(t.tagVariant));
    } else {
      const ref = t.nextBatchId();
      const start = new Outgoing(this.serverName, 'BATCH', [`+${ref}`, 'labeled-response'], this.now());
      t.sendLine(start.line(t.tagVariant, label));
      const inBatch = { batch: ref };
      for (const item of this.items) t.sendLine(item.line(t.tagVariant, inBatch));
      t.sendLine(new Outgoing(this.serverName, 'BATCH', [`-${ref}`], this.now()).line(t.tagVariant));
    }
    this.items.length = 0;
  }
}
