// Flood control: a token bucket per client. A burst passes at once; after it, commands are
// handled at a steady rate and the rest wait their turn (fakelag), so a flood slows only
// the flooder. Waiting input is bounded by bytes (see Session): past that, Excess Flood.

export interface FloodSettings {
  burst: number;
  commandsPerSecond: number;
}

const EPSILON = 1e-9;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(settings: FloodSettings, now: number) {
    this.tokens = settings.burst;
    this.last = now;
  }

  /** Takes a token and returns 0, or returns the milliseconds until one is available. */
  take(settings: FloodSettings, now: number): number {
    const rate = settings.commandsPerSecond / 1000;
    this.refill(settings, now);
    // Float error (0.9999999 tokens after waiting exactly as told) counts as a whole token.
    if (this.tokens >= 1 - EPSILON) {
      this.tokens = Math.max(0, this.tokens - 1);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / rate - EPSILON));
  }

  /**
   * Takes `count` more tokens at once, into debt if need be: one line that became several
   * commands (a person's long line said as several messages) costs what they would have, so
   * the lines after it wait longer. The debt is bounded by the line length limit.
   */
  charge(count: number, settings: FloodSettings, now: number): void {
    this.refill(settings, now);
    this.tokens -= count;
  }

  private refill(settings: FloodSettings, now: number): void {
    // The wall clock may be stepped back (NTP): no time passed then, rather than a debt of
    // tokens that would hold the client back for as long as the step.
    this.tokens = Math.min(settings.burst, this.tokens + Math.max(0, now - this.last) * (settings.commandsPerSecond / 1000));
    this.last = now;
  }
}
