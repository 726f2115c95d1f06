// Accounts created per address: each account may register rooms that last for ever, so an
// address that mints accounts without end could fill the server's room cap (and its database).
// A fixed window per address (IPv4 /32, IPv6 /64 as the connection gate groups them); the
// gate's exempt networks (loopback by default: a gateway or bouncer) are not counted.
import type { Config } from './config.ts';

interface Window {
  startedAt: number;
  count: number;
}

export class RegistrationThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly settings: () => Config,
    /** The connection gate's key for an address; undefined for an exempt one. */
    private readonly limitedKey: (address: string) => string | undefined,
  ) {}

  /** Milliseconds until this address may create another account, or 0 when it may now. */
  waitFor(address: string, now: number): number {
    const key = this.keyOf(address);
    if (key === undefined) return 0;
    const { registrationsPerAddress, registrationWindowMs } = this.settings().accounts;
    const w = this.windows.get(key);
    if (w === undefined || now - w.startedAt >= registrationWindowMs || w.count < registrationsPerAddress) return 0;
    return w.startedAt + registrationWindowMs - now;
  }

  /** An account was created from this address. */
  created(address: string, now: number): void {
    const key = this.keyOf(address);
    if (key === undefined) return;
    const { registrationWindowMs } = this.settings().accounts;
    const w = this.windows.get(key);
    if (w === undefined || now - w.startedAt >= registrationWindowMs) this.windows.set(key, { startedAt: now, count: 1 });
    else w.count++;
  }

  /** Forgets windows that have ended (called from the server's sweep). */
  sweep(now: number): void {
    const { registrationWindowMs } = this.settings().accounts;
    for (const [key, w] of this.windows) if (now - w.startedAt >= registrationWindowMs) this.windows.delete(key);
  }

  private keyOf(address: string): string | undefined {
    return this.settings().accounts.registrationsPerAddress === 0 ? undefined : this.limitedKey(address);
  }
}
