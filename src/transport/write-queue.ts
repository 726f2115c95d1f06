// Coalesces writes: every connection with queued output is flushed once per event-loop turn,
// so a fan-out to N clients costs one write (one writev syscall) per socket, not one per line.

export interface Flushable {
  flush(): void;
}

export class FlushScheduler {
  private dirty: Flushable[] = [];
  private scheduled = false;

  mark(target: Flushable): void {
    this.dirty.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const batch = this.dirty;
    this.dirty = [];
    for (const target of batch) target.flush();
  };
}
