// The web gateways of config `proxy.webirc` that may begin a connection with IRCv3 WEBIRC
// (https://ircv3.net/specs/extensions/webirc), and what their WEBIRC line says. Only a listed
// address may try a password at all, so a stranger never costs a hash.
import { createHash, timingSafeEqual } from 'node:crypto';
import { cidrContains, parseCidr, parseIp, type Cidr } from '../protocol/address.ts';
import type { Config } from './config.ts';
import { verifyPassword } from './passwords.ts';
import type { ScryptQueue } from './scrypt-queue.ts';

export type WebircGateway = Config['proxy']['webirc'][number];

/** Longest host name taken from a gateway (HOSTLEN): a longer one is replaced by the address. */
export const MAX_GATEWAY_HOSTNAME = 63;

export class WebircGateways {
  /** Each entry's ranges, parsed once per config (a reload makes new entries). */
  private readonly ranges = new WeakMap<WebircGateway, Cidr[]>();
  /**
   * SHA-256 of each entry's password once a WEBIRC has proved it: a gateway brings every one
   * of its users' connections, and one scrypt each (50 ms, 32 MiB) would make a reconnect
   * storm after a restart wait on the hash queue. Memory only; the config keeps the hash.
   */
  private readonly proven = new WeakMap<WebircGateway, Buffer>();
  /**
   * Each entry's scrypt checks under way, by the SHA-256 (hex) of the password tried: the users a
   * gateway brings back together after a restart share the first check rather than each taking
   * a turn on the hash queue. A check leaves the map when it ends.
   */
  private readonly checking = new WeakMap<WebircGateway, Map<string, Promise<boolean>>>();

  /** Entries are read on every call, so that a reloaded config applies at once. */
  constructor(private readonly entries: () => readonly WebircGateway[]) {}

  /** The gateways allowed to connect from `address`. */
  listedFor(address: string): WebircGateway[] {
    const entries = this.entries();
    if (entries.length === 0) return [];
    const ip = parseIp(address);
    if (!ip) return [];
    return entries.filter((entry) => this.rangesOf(entry).some((c) => cidrContains(c, ip)));
  }

  /** `address` is a listed gateway's. */
  listed(address: string): boolean {
    return this.listedFor(address).length > 0;
  }

  /**
   * The gateway, among those listed for `address`, whose password this is; undefined for none.
   * Throws HashQueueFullError when the password would need a hash and the queue is full.
   */
  async authenticate(address: string, password: string, hashing: ScryptQueue): Promise<WebircGateway | undefined> {
    const candidates = this.listedFor(address);
    const digest = sha256(password);
    for (const entry of candidates) {
      const known = this.proven.get(entry);
      if (known !== undefined && timingSafeEqual(known, digest)) return entry;
    }
    for (const entry of candidates) {
      if (this.proven.has(entry)) continue;
      if (await this.check(entry, password, digest, hashing)) return entry;
    }
    return undefined;
  }

  /** Whether `password` (whose SHA-256 is `digest`) is the entry's, joining a check of it under way. */
  private check(entry: WebircGateway, password: string, digest: Buffer, hashing: ScryptQueue): Promise<boolean> {
    let checks = this.checking.get(entry);
    if (checks === undefined) this.checking.set(entry, (checks = new Map()));
    const key = digest.toString('hex');
    const underWay = checks.get(key);
    if (underWay !== undefined) return underWay;
    const verdict = hashing.run(() => verifyPassword(password, entry.password)).then((ok) => {
      if (ok) this.proven.set(entry, digest);
      return ok;
    });
    checks.set(key, verdict);
    const done = (): void => {
      checks.delete(key);
    };
    verdict.then(done, done);
    return verdict;
  }

  private rangesOf(entry: WebircGateway): Cidr[] {
    let ranges = this.ranges.get(entry);
    if (ranges === undefined) {
      ranges = entry.hosts.map((h) => parseCidr(h)).filter((c): c is Cidr => c !== undefined);
      this.ranges.set(entry, ranges);
    }
    return ranges;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text.normalize('NFC'), 'utf8').digest();
}

/** WEBIRC's options parameter: `secure local-port=6697 remote-port=21726`, names to values ('' for none). */
export function parseWebircOptions(text: string | undefined): Map<string, string> {
  const options = new Map<string, string>();
  for (const word of (text ?? '').split(' ')) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    // Values are escaped as tag values are; only ports are read, which need no unescaping.
    if (eq === -1) options.set(word, '');
    else options.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return options;
}

/** A port number 1–65535 written in decimal digits, else undefined. */
export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 5) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * The host name a gateway gave, if it is a plausible DNS name: labels of letters, digits and
 * inner hyphens, a top-level label not all digits (so that it cannot pass for an address),
 * at most MAX_GATEWAY_HOSTNAME characters. Anything else (an address, garbage) is not used.
 */
export function isGatewayHostname(text: string): boolean {
  if (text.length === 0 || text.length > MAX_GATEWAY_HOSTNAME) return false;
  const labels = text.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.startsWith('-') || label.endsWith('-')) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d;
      if (!ok) return false;
    }
  }
  const top = labels[labels.length - 1]!;
  for (let i = 0; i < top.length; i++) {
    const c = top.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return true;
  }
  return false;
}
