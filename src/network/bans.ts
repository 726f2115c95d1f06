// Server-wide bans and mutes: by nick!user@host mask, by IP address or by CIDR range, each
// with an optional expiry. The same list type serves both; entries are plain data so that
// they travel on the bus (and, later, into storage).
import { cidrContains, formatIp, networkKey, parseCidr, parseIp, type Cidr, type IpAddress } from '../protocol/address.ts';
import { foldCase } from '../protocol/casemapping.ts';
import { hasWildcards, matchMask, normalizeBanMask } from '../protocol/mask.ts';
import { isValidNick } from '../protocol/validate.ts';

export type BanKind = 'mask' | 'cidr';

export interface ServerBan {
  kind: BanKind;
  /** `nick!user@host` for masks, `10.0.0.0/8` (or a bare address) for CIDR entries. */
  mask: string;
  reason: string;
  setBy: string;
  setAt: number;
  /** Epoch ms; undefined = until removed. */
  expiresAt: number | undefined;
}

/**
 * What an operator typed — a nick, a nick!user@host mask, an IP or a CIDR range — as a
 * ban target, or undefined when it is none of these. A bare nick bans that nick.
 */
export function parseBanTarget(text: string): { kind: BanKind; mask: string } | undefined {
  const cidr = parseCidr(text);
  if (cidr) {
    // One spelling per range, however it was typed (2001:DB8:0::1, 10.1.2.3/8, 1.2.3.4/32,
    // ::ffff:1.2.3.4): else the same ban is listed twice and UNKLINE may not find it.
    const single = cidr.prefix === (cidr.address.v4 ? 32 : 128);
    return { kind: 'cidr', mask: single ? formatIp(cidr.address) : networkKey(cidr.address, cidr.prefix, cidr.prefix) };
  }
  if (text.includes('!') || text.includes('@') || hasWildcards(text)) {
    const mask = normalizeBanMask(text);
    // `*`, `@` or `*!*@*` would ban everyone, the operator included: taken for a slip.
    return /\s/.test(mask) || !/[^*!@]/.test(mask) ? undefined : { kind: 'mask', mask };
  }
  if (isValidNick(text, 64, 'precis')) return { kind: 'mask', mask: `${text}!*@*` };
  return undefined;
}

interface Entry {
  ban: ServerBan;
  cidr: Cidr | undefined;
}

export class BanList {
  private readonly entries = new Map<string, Entry>();
  /** Never later than the earliest expiry among the entries: expire() before it has nothing to do. */
  private soonestExpiry = Infinity;

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces (same mask) an entry. */
  add(ban: ServerBan): void {
    this.entries.set(foldCase(ban.mask), { ban, cidr: ban.kind === 'cidr' ? parseCidr(ban.mask) : undefined });
    if (ban.expiresAt !== undefined) this.soonestExpiry = Math.min(this.soonestExpiry, ban.expiresAt);
  }

  remove(mask: string): ServerBan | undefined {
    const key = foldCase(parseBanTarget(mask)?.mask ?? mask);
    const entry = this.entries.get(key) ?? this.entries.get(foldCase(mask));
    if (!entry) return undefined;
    this.entries.delete(foldCase(entry.ban.mask));
    return entry.ban;
  }

  /** Entries still in force, oldest first; expired ones are dropped on the way. */
  list(now: number): ServerBan[] {
    this.expire(now);
    return [...this.entries.values()].map((e) => e.ban);
  }

  /** Entries in force at `now`, without dropping the expired ones: reading, not changing (snapshots). */
  inForceAt(now: number): ServerBan[] {
    const out: ServerBan[] = [];
    for (const { ban } of this.entries.values()) if (ban.expiresAt === undefined || ban.expiresAt > now) out.push(ban);
    return out;
  }

  /** Empties the list (loading a snapshot replaces it). */
  clear(): void {
    this.entries.clear();
    this.soonestExpiry = Infinity;
  }

  expire(now: number): ServerBan[] {
    if (now < this.soonestExpiry) return [];
    const gone: ServerBan[] = [];
    this.soonestExpiry = Infinity;
    for (const [key, e] of this.entries) {
      const at = e.ban.expiresAt;
      if (at === undefined) continue;
      if (at <= now) {
        this.entries.delete(key);
        gone.push(e.ban);
      } else this.soonestExpiry = Math.min(this.soonestExpiry, at);
    }
    return gone;
  }

  /** The entry a client matches: by its address alone (before registration) or with its mask. */
  match(now: number, address: string, userMask?: string): ServerBan | undefined {
    if (this.entries.size === 0) return undefined;
    let ip: IpAddress | undefined | null = null;
    for (const { ban, cidr } of this.entries.values()) {
      if (ban.expiresAt !== undefined && ban.expiresAt <= now) continue;
      if (cidr) {
        if (ip === null) ip = parseIp(address);
        if (ip && cidrContains(cidr, ip)) return ban;
      } else if (userMask !== undefined && matchMask(ban.mask, userMask)) {
        return ban;
      }
    }
    return undefined;
  }
}
