// Who may connect: the server-wide connection limit, per-address (per-network) limits with
// CIDR overrides, and a connection-rate throttle per address. Checked when a connection
// arrives, before it costs anything more than a socket.
import { cidrContains, networkKey, parseCidr, parseIp, type Cidr } from '../protocol/address.ts';
import type { Config } from './config.ts';

export type Refusal = { code: 'server-full' | 'per-ip' | 'throttled'; message: string };

/** Admitted (with the key its address is counted under, for release()) or refused. */
export type Admission = { refusal: undefined; key: string | undefined } | { refusal: Refusal; key?: undefined };

interface ThrottleWindow {
  started: number;
  count: number;
}

export class ConnectionGate {
  private max: number;
  private perIp: number;
  private settings!: Config['connections'];
  private exempt: Cidr[] = [];
  private cidrLimits: { cidr: Cidr; max: number; key: string }[] = [];
  /** Open connections by network key (or CIDR rule). */
  private readonly open = new Map<string, number>();
  private readonly throttle = new Map<string, ThrottleWindow>();

  constructor(settings: Config['connections']) {
    this.max = settings.max;
    this.perIp = settings.perIp;
    this.configure(settings);
  }

  /** Applies a (re)loaded config; live changes made with setMax/setPerIp give way to it. */
  configure(settings: Config['connections']): void {
    this.settings = settings;
    this.max = settings.max;
    this.perIp = settings.perIp;
    this.exempt = settings.exempt.map((c) => parseCidr(c)!);
    this.cidrLimits = settings.cidrLimits.map((r) => ({ cidr: parseCidr(r.cidr)!, max: r.max, key: `rule:${r.cidr}` }));
  }

  /**
   * The key an address is counted under (its network, as ipv4Prefix/ipv6Prefix group it), or
   * undefined when it is exempt or not an IP address: other per-address limits share it.
   */
  limitedKey(address: string): string | undefined {
    const ip = parseIp(address);
    if (!ip || this.exempt.some((c) => cidrContains(c, ip))) return undefined;
    return networkKey(ip, this.settings.ipv4Prefix, this.settings.ipv6Prefix);
  }

  get maxConnections(): number {
    return this.max;
  }

  setMax(n: number): void {
    this.max = n;
  }

  get maxPerIp(): number {
    return this.perIp;
  }

  setPerIp(n: number): void {
    this.perIp = n;
  }

  /**
   * Decides on a new connection given how many are open. On admission the address is
   * counted, and release() must be called when the connection closes. A web socket is admitted
   * without the throttle (a page load opens several); it pays it when it becomes a chat
   * connection (throttled()). `perAddress: false` counts it in the total only (a trusted proxy's
   * socket, which speaks for many clients).
   */
  admit(address: string, openConnections: number, now: number, options: { throttle?: boolean; perAddress?: boolean } = {}): Admission {
    if (openConnections >= this.max) {
      return { refusal: { code: 'server-full', message: `Server is full (${this.max} connections); try again later` } };
    }
    if (options.perAddress === false) return { refusal: undefined, key: undefined };
    const ip = parseIp(address);
    if (!ip || this.exempt.some((c) => cidrContains(c, ip))) return { refusal: undefined, key: undefined };
    const rule = this.cidrLimits.find((r) => cidrContains(r.cidr, ip));
    const key = rule ? rule.key : networkKey(ip, this.settings.ipv4Prefix, this.settings.ipv6Prefix);
    const limit = rule ? rule.max : this.perIp;
    const open = this.open.get(key) ?? 0;
    if (open >= limit) {
      return { refusal: { code: 'per-ip', message: `Too many connections from your address (${limit} allowed)` } };
    }
    if (options.throttle !== false) {
      const refusal = this.throttled(key, now);
      if (refusal) return { refusal };
    }
    this.open.set(key, open + 1);
    return { refusal: undefined, key };
  }

  /** Counts a new chat connection in its address's throttle window: a refusal when over it. */
  throttled(key: string | undefined, now: number): Refusal | undefined {
    if (key === undefined || this.settings.throttleConnections <= 0) return undefined;
    let w = this.throttle.get(key);
    if (!w || this.windowEnded(w, now)) {
      w = { started: now, count: 0 };
      this.throttle.set(key, w);
    }
    if (w.count >= this.settings.throttleConnections) {
      const wait = Math.ceil((w.started + this.settings.throttleWindowMs - now) / 1000);
      const message = `Too many connections from your address too quickly; try again in ${wait} seconds`;
      return { code: 'throttled', message };
    }
    w.count++;
    return undefined;
  }

  release(key: string | undefined): void {
    if (key === undefined) return;
    const n = (this.open.get(key) ?? 1) - 1;
    if (n <= 0) this.open.delete(key);
    else this.open.set(key, n);
  }

  /** Forgets throttle windows that have ended, so the map does not grow without bound. */
  sweep(now: number): void {
    for (const [key, w] of this.throttle) {
      if (this.windowEnded(w, now)) this.throttle.delete(key);
    }
  }

  /**
   * A window that starts in the future means the wall clock was stepped back (NTP); it ends
   * then, rather than refusing the address for as long as the step.
   */
  private windowEnded(w: ThrottleWindow, now: number): boolean {
    return now < w.started || now - w.started >= this.settings.throttleWindowMs;
  }
}
