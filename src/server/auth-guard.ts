// Password guessing: failed logins (SASL, OPER, the connection password, the admin panel,
// the admin API's bearer token) are counted per address (one IPv4 address, one IPv6 /64, as
// the connection gate counts them) and per account or operator name. Too many within
// `auth.failureWindowMs` lock that address or name out for `auth.lockoutMs`, doubled for each
// lockout in a row up to `auth.maxLockoutMs`. A locked-out attempt is refused before any
// password is checked, so it costs no hashing; a locked account refuses even the right
// password until the lockout ends (as ergo's login throttle does), so that guessing from many
// addresses gains nothing. An attempt whose check was under way when a lockout began is
// refused too, right or wrong, once checked (callers ask `lockout` again after the hash):
// otherwise guesses sent all at once would each get their answer.
// Memory is bounded: at most `auth.trackedEntries` addresses and as many names, the least
// recently failed forgotten first. The log gets the first failure of each kind from an
// address, then one summary line per address per `auth.logIntervalMs`, not one per attempt.
import type { Logger } from 'pino';
import { foldCase } from '../protocol/casemapping.ts';
import { networkKey, parseIp } from '../protocol/address.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';

/** 'token': a bearer token on the admin API that is not web.adminToken (nor a panel session's). */
export type AuthKind = 'sasl' | 'oper' | 'pass' | 'panel' | 'token';

export interface AuthSettings {
  auth: Config['auth'];
  connections: Pick<Config['connections'], 'ipv4Prefix' | 'ipv6Prefix'>;
}

export interface AuthAttempt {
  kind: AuthKind;
  /** The client's address, as the connection reports it. */
  address: string;
  /** The account or operator name tried, for the per-name limit (see accountKey/operKey). */
  account?: string | undefined;
}

/** Why an attempt is refused before its password is looked at, and for how long. */
export interface Lockout {
  scope: 'address' | 'account';
  retryAfterMs: number;
}

/** The per-name key of an account (SASL): names are compared case-folded. */
export function accountKey(name: string): string {
  return `account:${foldCase(name.slice(0, MAX_NAME))}`;
}

/** The per-name key of an operator (OPER and the panel share it): names are exact. */
export function operKey(name: string): string {
  return `oper:${name.slice(0, MAX_NAME)}`;
}

/** Longer names cannot exist; clipping them bounds what one entry holds. */
const MAX_NAME = 100;
/** Names listed in one summary line. */
const SUMMARY_NAMES = 5;

interface Strikes {
  failures: number;
  windowStart: number;
  lockedUntil: number;
  /** Lockouts in a row: each doubles the next. */
  lockouts: number;
  /** Once passed, with no failure since, the entry is forgotten (its lockouts with it). */
  forgetAt: number;
}

interface LogBucket {
  since: number;
  /** Kinds already logged line by line in this period. */
  logged: Set<string>;
  /** Events not logged line by line, for the summary. */
  unlogged: number;
  failures: Partial<Record<AuthKind, number>>;
  refused: number;
  names: string[];
}

export class AuthGuard {
  private readonly byAddress = new Map<string, Strikes>();
  private readonly byAccount = new Map<string, Strikes>();
  private readonly logBuckets = new Map<string, LogBucket>();

  /** Settings are read on every call, so that a reloaded config applies at once. */
  constructor(
    private readonly settings: () => AuthSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The key an address is counted under: its network at the gate's prefix lengths. */
  addressKey(address: string): string {
    const ip = parseIp(address);
    if (!ip) return `other:${address.slice(0, MAX_NAME)}`;
    const { ipv4Prefix, ipv6Prefix } = this.settings().connections;
    return networkKey(ip, ipv4Prefix, ipv6Prefix);
  }

  /**
   * Whether the attempt must be refused without checking its password; when it is, the
   * refusal is logged (rate-limited) here.
   */
  lockout(attempt: AuthAttempt): Lockout | undefined {
    const now = this.clock.now();
    const address = this.addressKey(attempt.address);
    const lockout = this.lockedFor(this.byAddress.get(address), now, 'address') ?? this.lockedFor(attempt.account === undefined ? undefined : this.byAccount.get(attempt.account), now, 'account');
    if (lockout) {
      this.log(address, attempt, now, 'locked', () => ({
        msg: 'login refused: too many failures',
        fields: { kind: attempt.kind, address: attempt.address, name: nameOf(attempt.account), scope: lockout.scope, retryAfterSeconds: seconds(lockout.retryAfterMs) },
      }));
    }
    return lockout;
  }

  /**
   * A wrong password (or name): counted against the address and the name, and logged
   * (rate-limited) with `fields` as `message`. `guess: false` logs without counting (a
   * connection that gave no password at all guessed nothing).
   */
  failed(attempt: AuthAttempt, message: string, fields: Record<string, unknown>, guess = true): void {
    const now = this.clock.now();
    const { auth } = this.settings();
    const address = this.addressKey(attempt.address);
    if (guess) {
      this.strike(this.byAddress, address, auth.maxFailuresPerAddress, now);
      if (attempt.account !== undefined) this.strike(this.byAccount, attempt.account, auth.maxFailuresPerAccount, now);
    }
    this.log(address, attempt, now, attempt.kind, () => ({ msg: message, fields }));
  }

  /** The right password: the name's failures are forgotten (the address's are not: one's own account must not reset guessing at others). */
  succeeded(attempt: AuthAttempt): void {
    if (attempt.account !== undefined) this.byAccount.delete(attempt.account);
  }

  /** Forgets what has expired and writes the summaries that are due; called by the server's sweep. */
  sweep(): void {
    const now = this.clock.now();
    for (const map of [this.byAddress, this.byAccount]) {
      for (const [key, s] of map) if (now >= s.forgetAt || now < s.windowStart) map.delete(key);
    }
    const { logIntervalMs } = this.settings().auth;
    for (const [address, bucket] of this.logBuckets) {
      if (now - bucket.since < logIntervalMs && now >= bucket.since) continue;
      this.logBuckets.delete(address);
      // A quiet period ends it; otherwise the next period goes straight to the summary.
      if (bucket.unlogged === 0) continue;
      this.summarize(address, bucket, now);
      this.logBuckets.set(address, { since: now, logged: new Set(['sasl', 'oper', 'pass', 'panel', 'token', 'locked']), unlogged: 0, failures: {}, refused: 0, names: [] });
    }
  }

  /** Addresses and names remembered now (for tests and the console). */
  get size(): { addresses: number; accounts: number } {
    return { addresses: this.byAddress.size, accounts: this.byAccount.size };
  }

  private lockedFor(s: Strikes | undefined, now: number, scope: Lockout['scope']): Lockout | undefined {
    if (!s || s.lockedUntil <= now) return undefined;
    // A clock stepped back must not stretch a lockout past its longest.
    const retryAfterMs = Math.min(s.lockedUntil - now, this.settings().auth.maxLockoutMs);
    return { scope, retryAfterMs };
  }

  private strike(map: Map<string, Strikes>, key: string, max: number, now: number): void {
    const { failureWindowMs, lockoutMs, maxLockoutMs, trackedEntries } = this.settings().auth;
    let s = map.get(key);
    if (s && (now >= s.forgetAt || now < s.windowStart)) s = undefined;
    if (!s) s = { failures: 0, windowStart: now, lockedUntil: 0, lockouts: 0, forgetAt: 0 };
    if (now - s.windowStart >= failureWindowMs) {
      s.failures = 0;
      s.windowStart = now;
    }
    // Checks already under way when the lockout began do not lengthen it.
    if (s.lockedUntil <= now) s.failures++;
    const lockMs = (lockouts: number): number => Math.min(maxLockoutMs, lockoutMs * 2 ** Math.min(lockouts, 30));
    if (s.failures >= max) {
      s.lockedUntil = now + lockMs(s.lockouts);
      s.lockouts++;
      s.failures = 0;
      s.windowStart = now;
    }
    // Strikes last a window; lockouts in a row are remembered until as long again as the last one has passed quietly.
    const lastLockMs = s.lockouts === 0 ? 0 : lockMs(s.lockouts - 1);
    s.forgetAt = Math.max(now + failureWindowMs, s.lockedUntil + lastLockMs);
    // Most recently failed last: the first entry is the one to forget when full.
    map.delete(key);
    while (map.size >= trackedEntries) map.delete(map.keys().next().value!);
    map.set(key, s);
  }

  private log(address: string, attempt: AuthAttempt, now: number, what: string, line: () => { msg: string; fields: Record<string, unknown> }): void {
    let bucket = this.logBuckets.get(address);
    if (!bucket) {
      const { trackedEntries } = this.settings().auth;
      while (this.logBuckets.size >= trackedEntries) {
        const [oldest, old] = this.logBuckets.entries().next().value!;
        this.logBuckets.delete(oldest);
        if (old.unlogged > 0) this.summarize(oldest, old, now);
      }
      bucket = { since: now, logged: new Set(), unlogged: 0, failures: {}, refused: 0, names: [] };
      this.logBuckets.set(address, bucket);
    }
    if (what === 'locked') bucket.refused++;
    else bucket.failures[attempt.kind] = (bucket.failures[attempt.kind] ?? 0) + 1;
    const name = nameOf(attempt.account);
    if (name !== undefined && bucket.names.length < SUMMARY_NAMES && !bucket.names.includes(name)) bucket.names.push(name);
    if (bucket.logged.has(what)) {
      bucket.unlogged++;
      return;
    }
    bucket.logged.add(what);
    const { msg, fields } = line();
    this.logger.warn(fields, msg);
  }

  private summarize(address: string, bucket: LogBucket, now: number): void {
    const locked = this.lockedFor(this.byAddress.get(address), now, 'address');
    this.logger.warn(
      {
        address,
        periodSeconds: seconds(Math.max(0, now - bucket.since)),
        failures: bucket.failures,
        refusedWhileLocked: bucket.refused,
        names: bucket.names,
        ...(locked && { lockedForSeconds: seconds(locked.retryAfterMs) }),
      },
      'failed logins from one address (summary)',
    );
  }
}

/** The name behind a per-name key, for the log. */
function nameOf(key: string | undefined): string | undefined {
  return key?.slice(key.indexOf(':') + 1);
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** "try again in 5 minutes": how long a lockout has left, for the refusal's text. */
export function retryText(ms: number): string {
  const s = seconds(ms);
  if (s < 120) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  return `${m} minutes`;
}

/** The refusal's text: what is locked, and how long to wait. */
export function lockoutText(lockout: Lockout, what: string): string {
  const who = lockout.scope === 'address' ? 'from your address' : 'for this name';
  return `Too many failed ${what} ${who}; try again in ${retryText(lockout.retryAfterMs)}`;
}
