// Trusted peers refused for their PROXY header, in the log: the operator learns why their own
// local client was closed (it connected straight to a port that expects the proxy), without a
// peer that reconnects in a loop filling the log. One warn line per reason per period, naming
// the address, and how many more were refused since the last line.
import type { Logger } from 'pino';

/** Distinct reasons remembered; they come from the parser, so there are few, but bound them all the same. */
const MAX_REASONS = 64;

interface ReasonWindow {
  loggedAt: number;
  /** Refusals for this reason since the last line, not logged. */
  unlogged: number;
}

export class ProxyRefusalLog {
  private readonly windows = new Map<string, ReasonWindow>();

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => number,
    private readonly intervalMs: () => number,
  ) {}

  note(address: string, reason: string): void {
    const now = this.now();
    const window = this.windows.get(reason);
    // A clock stepped back opens a new window too.
    if (window !== undefined && now - window.loggedAt < this.intervalMs() && now >= window.loggedAt) {
      window.unlogged++;
      return;
    }
    const moreSince = window?.unlogged ?? 0;
    this.windows.delete(reason);
    if (this.windows.size >= MAX_REASONS) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(reason, { loggedAt: now, unlogged: 0 });
    this.logger.warn(
      { address, reason, ...(moreSince > 0 && { moreRefusedSinceLastLine: moreSince }) },
      'closed a connection from a trusted proxy address that sent no valid PROXY header: a client connecting straight to the port? (proxy.protocol: required; use optional, or connect through the proxy)',
    );
  }
}
