// The PROXY protocol (HAProxy, versions 1 and 2): the header a proxy sends ahead of a client's
// own bytes to say whom it forwards. Parsed strictly and incrementally (a header may arrive
// split over several reads), bounded in length; anything that is not exactly a header is an
// error, never guessed at. Pure: bytes in, a verdict out. Spec:
// https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt
import { isIPv4, isIPv6 } from 'node:net';
import { formatIp, parseIp } from '../protocol/address.ts';

/** Where a proxied connection really comes from. */
export interface ProxiedSource {
  address: string;
  port: number;
}

export type ProxyHeaderResult =
  /** More bytes are needed to decide. */
  | { kind: 'need-more' }
  /**
   * A whole header. `source` is undefined when the header names no client (v1 UNKNOWN, v2 LOCAL
   * such as a health check, v2 UNSPEC or UNIX): the connection is then taken as the proxy's own.
   * `rest` is what followed the header: the client's first bytes.
   */
  | { kind: 'header'; source: ProxiedSource | undefined; rest: Buffer }
  /** The bytes do not begin with a PROXY header at all (only reported when a header is optional). */
  | { kind: 'absent'; rest: Buffer }
  | { kind: 'invalid'; reason: string };

/** The v2 signature: CR LF CR LF NUL CR LF "QUIT" LF. */
export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1: the longest header, CR LF included (spec section 2.1). */
export const PROXY_V1_MAX_BYTES = 107;
/** v2: signature, version/command, family/transport and the 2-byte length. */
const V2_FIXED_BYTES = 16;
/** v2 address blocks by family: IPv4 (4+4+2+2), IPv6 (16+16+2+2), UNIX (108+108). */
const V2_INET_BYTES = 12;
const V2_INET6_BYTES = 36;

/** Smallest limit a reader may be given: a v2 header with UNIX addresses and no TLVs. */
export const PROXY_HEADER_MIN_LIMIT = V2_FIXED_BYTES + 216;
/** Largest limit worth giving: a v2 header's 2-byte length field can say no more. */
export const PROXY_HEADER_MAX_LIMIT = V2_FIXED_BYTES + 0xffff;

/**
 * Reads one PROXY header from the start of a connection. Feed it every chunk until it answers
 * something other than need-more; it keeps at most `maxBytes` (plus one chunk) meanwhile.
 */
export class ProxyHeaderReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(
    /** Longest header accepted (v2 TLVs included); a longer one is invalid. */
    private readonly maxBytes: number,
    /** When false, bytes that are plainly not a header are reported as absent rather than invalid. */
    private readonly required: boolean,
  ) {}

  push(chunk: Buffer): ProxyHeaderResult {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    return parseProxyHeader(this.buffered, this.maxBytes, this.required);
  }

  /** The input ended (or timed out) before a verdict: what was read, for an optional header. */
  end(): ProxyHeaderResult {
    if (!this.required && (this.buffered.length === 0 || !startsLikeHeader(this.buffered))) return { kind: 'absent', rest: this.buffered };
    return { kind: 'invalid', reason: this.buffered.length === 0 ? 'no PROXY header' : 'incomplete PROXY header' };
  }
}

/** The first bytes could still be, or are, the start of a v1 or v2 header. */
function startsLikeHeader(data: Buffer): boolean {
  return isPrefixOf(data, V1_PREFIX) || isPrefixOf(data, PROXY_V2_SIGNATURE);
}

/** `data` and `expected` agree over their common length. */
function isPrefixOf(data: Buffer, expected: Buffer): boolean {
  const n = Math.min(data.length, expected.length);
  return data.subarray(0, n).equals(expected.subarray(0, n));
}

/** Parses a header at the start of `data` (everything received so far). */
export function parseProxyHeader(data: Buffer, maxBytes: number, required = true): ProxyHeaderResult {
  if (data.length === 0) return { kind: 'need-more' };
  if (isPrefixOf(data, PROXY_V2_SIGNATURE)) {
    return data.length < PROXY_V2_SIGNATURE.length ? { kind: 'need-more' } : parseV2(data, maxBytes);
  }
  if (isPrefixOf(data, V1_PREFIX)) {
    return data.length < V1_PREFIX.length ? { kind: 'need-more' } : parseV1(data);
  }
  return required ? { kind: 'invalid', reason: 'not a PROXY header' } : { kind: 'absent', rest: data };
}

function parseV1(data: Buffer): ProxyHeaderResult {
  const lf = data.indexOf(0x0a);
  if (lf === -1) return data.length >= PROXY_V1_MAX_BYTES ? { kind: 'invalid', reason: 'PROXY v1 line too long' } : { kind: 'need-more' };
  if (lf + 1 > PROXY_V1_MAX_BYTES) return { kind: 'invalid', reason: 'PROXY v1 line too long' };
  if (lf === 0 || data[lf - 1] !== 0x0d) return { kind: 'invalid', reason: 'PROXY v1 line must end in CR LF' };
  const rest = data.subarray(lf + 1);
  // The line is US-ASCII; any other byte (a CR or NUL inside it included) is refused.
  const lineBytes = data.subarray(0, lf - 1);
  for (const byte of lineBytes) if (byte < 0x20 || byte > 0x7e) return { kind: 'invalid', reason: 'PROXY v1 line holds a control or non-ASCII byte' };
  const fields = lineBytes.toString('latin1').split(' ');
  // "PROXY UNKNOWN" may be followed by anything: the receiver ignores it.
  if (fields[1] === 'UNKNOWN') return { kind: 'header', source: undefined, rest };
  if (fields.length !== 6) return { kind: 'invalid', reason: 'PROXY v1 needs: PROXY TCP4|TCP6 source destination sourceport destinationport' };
  const [, family, source, destination, sourcePort, destinationPort] = fields as [string, string, string, string, string, string];
  const isFamily = family === 'TCP4' ? isIPv4 : family === 'TCP6' ? isIPv6 : undefined;
  if (!isFamily) return { kind: 'invalid', reason: 'PROXY v1 protocol must be TCP4, TCP6 or UNKNOWN' };
  if (!isFamily(source) || !isFamily(destination)) return { kind: 'invalid', reason: `PROXY v1 addresses must be ${family === 'TCP4' ? 'IPv4' : 'IPv6'}` };
  const port = parsePort(sourcePort);
  if (port === undefined || parsePort(destinationPort) === undefined) return { kind: 'invalid', reason: 'PROXY v1 ports must be 0–65535 without leading zeros' };
  return { kind: 'header', source: { address: canonicalAddress(source), port }, rest };
}

function parsePort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5 || (text.length > 1 && text.startsWith('0'))) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function parseV2(data: Buffer, maxBytes: number): ProxyHeaderResult {
  if (data.length < V2_FIXED_BYTES) return { kind: 'need-more' };
  const versionCommand = data[12]!;
  if (versionCommand >> 4 !== 2) return { kind: 'invalid', reason: 'PROXY v2 version must be 2' };
  const command = versionCommand & 0x0f;
  if (command !== 0 && command !== 1) return { kind: 'invalid', reason: 'PROXY v2 command must be LOCAL or PROXY' };
  const family = data[13]! >> 4;
  const transport = data[13]! & 0x0f;
  const length = data.readUInt16BE(14);
  const total = V2_FIXED_BYTES + length;
  if (total > maxBytes) return { kind: 'invalid', reason: `PROXY v2 header longer than ${maxBytes} bytes` };
  if (data.length < total) return { kind: 'need-more' };
  const rest = data.subarray(total);
  // LOCAL: the proxy speaks for itself (a health check); whatever address block follows is ignored.
  if (command === 0) return { kind: 'header', source: undefined, rest };
  if (family > 3) return { kind: 'invalid', reason: 'PROXY v2 address family unknown' };
  if (transport > 2) return { kind: 'invalid', reason: 'PROXY v2 transport protocol unknown' };
  // UNSPEC or a UNIX socket: no client address to take; the connection is the proxy's own.
  if (family === 0 || family === 3) return { kind: 'header', source: undefined, rest };
  // A chat connection is a stream: a datagram or unspecified transport over INET is not one.
  if (transport !== 1) return { kind: 'invalid', reason: 'PROXY v2 INET addresses must be over STREAM' };
  const block = data.subarray(V2_FIXED_BYTES, total);
  if (family === 1) {
    if (block.length < V2_INET_BYTES) return { kind: 'invalid', reason: 'PROXY v2 IPv4 address block too short' };
    return { kind: 'header', source: { address: `${block[0]}.${block[1]}.${block[2]}.${block[3]}`, port: block.readUInt16BE(8) }, rest };
  }
  if (block.length < V2_INET6_BYTES) return { kind: 'invalid', reason: 'PROXY v2 IPv6 address block too short' };
  const address = canonicalAddress(formatIp({ bytes: new Uint8Array(block.subarray(0, 16)), v4: false }));
  return { kind: 'header', source: { address, port: block.readUInt16BE(32) }, rest };
}

/** One spelling per address (RFC 5952; an IPv4-mapped IPv6 address as IPv4), as bans and limits compare them. */
function canonicalAddress(text: string): string {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : text;
}
