// The admin panel's logins by IRC operators: a random bearer token per login, good for
// admin.panelSessionMs. Expired tokens are dropped by the server's sweep timer, not only when
// someone presents them again, and at most admin.panelSessions are held: memory stays bounded
// however many logins there are.
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';

interface PanelSession {
  oper: string;
  expiresAt: number;
}

export class PanelSessions {
  /** In login order (Map keeps insertion order): the first is the oldest. */
  private readonly byToken = new Map<string, PanelSession>();

  constructor(
    /** Read on every use: a reload's new limits apply to the next login. */
    private readonly settings: () => Pick<Config['admin'], 'panelSessionMs' | 'panelSessions'>,
    private readonly now: () => number,
  ) {}

  /** Logins held now. */
  get size(): number {
    return this.byToken.size;
  }

  /** A new session for `oper`; the oldest ones end when there are too many. */
  open(oper: string): { token: string; expiresInSeconds: number } {
    const { panelSessionMs, panelSessions } = this.settings();
    const token = randomBytes(32).toString('base64url');
    this.byToken.set(token, { oper, expiresAt: this.now() + panelSessionMs });
    for (const oldest of this.byToken.keys()) {
      if (this.byToken.size <= panelSessions) break;
      this.byToken.delete(oldest);
    }
    return { token, expiresInSeconds: Math.round(panelSessionMs / 1000) };
  }

  /** The operator a token stands for, while it has not expired. */
  operFor(token: string): string | undefined {
    const session = this.byToken.get(token);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return session.oper;
  }

  /** Ends one session (its operator is no longer configured). */
  end(token: string): void {
    this.byToken.delete(token);
  }

  /** Drops expired sessions (the server's sweep timer calls it); returns how many went. */
  sweep(): number {
    const now = this.now();
    let dropped = 0;
    for (const [token, session] of this.byToken) {
      if (session.expiresAt > now) continue;
      this.byToken.delete(token);
      dropped++;
    }
    return dropped;
  }

  /** Every session ends (the server closes). */
  clear(): void {
    this.byToken.clear();
  }
}
