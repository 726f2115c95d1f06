// Who may say where a connection really comes from: the reverse proxies of config
// `proxy.trusted`. From them, and only from them, Parlor takes a PROXY protocol header (the IRC
// ports) or an X-Forwarded-For / Forwarded header (the web port) as the client's address;
// from anyone else such a header is ignored, so a client cannot choose the address that bans,
// limits and throttles see.
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from '../protocol/address.ts';

/** Which request header carries the client's address through the proxies of the web port. */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded' | 'none';

/** What a listener needs to know about proxies; read anew for each connection, so a reload applies. */
export interface ProxyPolicy {
  readonly trusted: TrustedProxies;
  /** On the IRC ports, from a trusted address: the PROXY header must come, may come, or is never read. */
  readonly protocol: 'required' | 'optional' | 'off';
  /** A trusted peer that has not sent its whole PROXY header by then is closed (or, if optional, taken as direct). */
  readonly headerTimeoutMs: number;
  /** Longest PROXY header (v2 TLVs included). */
  readonly maxHeaderBytes: number;
  readonly webHeader: ForwardedHeader;
}

export class TrustedProxies {
  private readonly ranges: Cidr[];

  /** `ranges`: addresses or CIDR ranges, already validated (config); an unparsable one is skipped. */
  constructor(ranges: readonly string[]) {
    this.ranges = ranges.map((r) => parseCidr(r)).filter((c): c is Cidr => c !== undefined);
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** The address (either spelling of an IPv4-mapped one) is a trusted proxy's. */
  trusts(address: string): boolean {
    if (this.ranges.length === 0) return false;
    const ip = parseIp(address);
    return ip !== undefined && this.ranges.some((c) => cidrContains(c, ip));
  }
}

type HeaderValue = string | string[] | undefined;

/**
 * The client's address for a request that arrived from `peer`: the peer itself, unless it is a
 * trusted proxy and the configured header names hops. Hops are read from the right (the one the
 * nearest proxy added) past every trusted proxy; the first untrusted one is the client, since
 * anything to its left the client could have written. A hop that is not an IP address (unknown,
 * an obfuscated name) stops the walk: the peer's own address is used.
 */
export function forwardedClientAddress(peer: string, headers: Record<string, HeaderValue>, trusted: TrustedProxies, header: ForwardedHeader): string {
  if (header === 'none' || !trusted.trusts(peer)) return peer;
  const hops = header === 'forwarded' ? forwardedHops(headers['forwarded']) : xForwardedForHops(headers['x-forwarded-for']);
  let client: string | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = hopAddress(hops[i]!);
    if (address === undefined) return peer;
    client = address;
    if (!trusted.trusts(address)) return address;
  }
  // Every hop a trusted proxy: the leftmost is as far as the chain goes.
  return client ?? peer;
}

/** Header lines repeated are one list, in order (RFC 9110 section 5.3). */
function joined(value: HeaderValue): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function xForwardedForHops(value: HeaderValue): string[] {
  const text = joined(value);
  return text.trim() === '' ? [] : text.split(',').map((h) => h.trim());
}

/** RFC 7239: `for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"`: each element's for= value. */
function forwardedHops(value: HeaderValue): string[] {
  const text = joined(value);
  if (text.trim() === '') return [];
  return text.split(',').map((element) => {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq).trim().toLowerCase() === 'for') return unquote(pair.slice(eq + 1).trim());
    }
    // An element without for= says nothing of the client: treated as an unknown hop.
    return 'unknown';
  });
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/** "192.0.2.1", "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]:4711" → the address, canonical; else undefined. */
function hopAddress(hop: string): string | undefined {
  let text = hop;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return undefined;
    const after = text.slice(close + 1);
    if (after !== '' && !isPortSuffix(after)) return undefined;
    text = text.slice(1, close);
  } else {
    const colon = text.indexOf(':');
    // One colon: an IPv4 address with a port; more: a bare IPv6 address.
    if (colon !== -1 && colon === text.lastIndexOf(':')) {
      if (!isPortSuffix(text.slice(colon))) return undefined;
      text = text.slice(0, colon);
    }
  }
  const ip = parseIp(text);
  return ip ? formatIp(ip) : undefined;
}

function isPortSuffix(text: string): boolean {
  if (text.length < 2 || text.length > 6 || text[0] !== ':') return false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
