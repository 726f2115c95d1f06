// IP addresses and CIDR ranges as plain data: parsed to 16 bytes (IPv4 as ::ffff:a.b.c.d),
// so that one comparison serves both families. Pure; no sockets.

export interface IpAddress {
  /** 16 bytes; IPv4 is mapped into ::ffff:0:0/96. */
  bytes: Uint8Array;
  v4: boolean;
}

export interface Cidr {
  address: IpAddress;
  /** Prefix length in the address's own family (0–32 for IPv4, 0–128 for IPv6). */
  prefix: number;
}

// Every connection's address is parsed (admission, bans): a character scan, not split and a
// regular expression per part, which showed in the registration profile.
function parseIpv4(text: string): number[] | undefined {
  const out: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // the end closes the last part like a '.'
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return undefined;
      value = value * 10 + (c - 0x30);
    } else if (c === 0x2e && digits > 0 && value <= 255 && out.length < 4) {
      out.push(value);
      value = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return out.length === 4 ? out : undefined;
}

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(v4, 12);
    return { bytes, v4: true };
  }
  if (!text.includes(':') || text.includes('%')) return undefined;
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups.
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const four = parseIpv4(text.slice(lastColon + 1));
    if (!four) return undefined;
    tail = four;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  // An IPv4-mapped address (::ffff:a.b.c.d, however spelled) is the IPv4 address.
  return { bytes, v4: isV4Mapped(bytes) };
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const max = address.v4 ? 32 : 128;
  if (slash === -1) return { address, prefix: max };
  const p = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
  return { address, prefix: Number(p) };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.address.v4 !== ip.v4) return false;
  const bits = cidr.prefix + (cidr.address.v4 ? 96 : 0);
  const a = cidr.address.bytes;
  const b = ip.bytes;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rem = bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

/** The network an address belongs to at a prefix length, as "a.b.c.0/24" or "2001:db8::/64". */
export function networkKey(ip: IpAddress, v4Prefix: number, v6Prefix: number): string {
  const prefix = ip.v4 ? v4Prefix : v6Prefix;
  const bits = prefix + (ip.v4 ? 96 : 0);
  const masked = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i] = ip.bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${formatIp({ bytes: masked, v4: ip.v4 })}/${prefix}`;
}

export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.address)}/${c.prefix}`;
}
