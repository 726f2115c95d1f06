// Flood control: a token bucket per client. A burst passes at once; after it, commands are
// handled at a steady rate and the rest wait their turn (fakelag), so a flood slows only
// the flooder. Waiting input is bounded by bytes (see Session): past that, Excess Flood.

export interface FloodSettings {
  burst: number;
  commandsPerSecond: number;
}

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
    this.tokens = Math.min(settings.burst, this.tokens + (now - this.last) * rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / rate);
  }
}
