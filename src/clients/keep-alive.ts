// The client's side of keeping a connection alive: a PING after `intervalMs` of nothing heard,
// and the connection given up when the next interval passes without an answer.

/** Node's timers would keep a finished process alive; the browser's are plain numbers. */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

export class KeepAlive {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private awaitingPong = false;

  constructor(
    private readonly intervalMs: number,
    private readonly ping: () => void,
    private readonly lost: () => void,
  ) {}

  /** Something was heard (or the connection opened): the next PING is a full interval away. */
  arm(): void {
    this.stop();
    const fire = (): void => {
      if (this.awaitingPong) {
        this.lost();
        return;
      }
      this.awaitingPong = true;
      this.ping();
      this.timer = unref(setTimeout(fire, this.intervalMs));
    };
    this.timer = unref(setTimeout(fire, this.intervalMs));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.awaitingPong = false;
  }
}
