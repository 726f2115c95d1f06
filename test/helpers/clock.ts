// A clock the test moves by hand: now() changes only through advance(), and timers fire
// when the time they wait for is reached, in order. Lets tests check expiry and flood
// control without waiting or sleeping.
import type { Clock, Timer } from '../../src/server/clock.ts';

interface Pending {
  at: number;
  fn: () => void;
  every: number | undefined;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private pending: Pending[] = [];

  constructor(private time = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  private schedule(fn: () => void, ms: number, every: number | undefined): Timer {
    const p: Pending = { at: this.time + Math.max(0, ms), fn, every, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      if (next.every !== undefined) next.at += next.every;
      else next.cancelled = true;
      next.fn();
    }
    this.time = end;
  }
}
