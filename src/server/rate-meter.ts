// Events per second over the last minute, in one-second buckets: marking is O(1) and the
// memory is fixed, so it can sit on the message path.

const SLOTS = 60;

export class RateMeter {
  private readonly counts = new Float64Array(SLOTS);
  private second = 0;
  total = 0;

  mark(now: number, n = 1): void {
    this.advance(Math.floor(now / 1000));
    this.counts[this.second % SLOTS]! += n;
    this.total += n;
  }

  /** Average per second over the last `seconds` whole seconds (at most 59). */
  rate(now: number, seconds = 10): number {
    const current = Math.floor(now / 1000);
    this.advance(current);
    const span = Math.max(1, Math.min(SLOTS - 1, seconds));
    let sum = 0;
    for (let i = 1; i <= span; i++) sum += this.counts[(current - i + SLOTS * 2) % SLOTS]!;
    return sum / span;
  }

  private advance(second: number): void {
    if (second <= this.second) return;
    const steps = Math.min(SLOTS, second - this.second);
    for (let i = 1; i <= steps; i++) this.counts[(this.second + i) % SLOTS] = 0;
    this.second = second;
  }
}
