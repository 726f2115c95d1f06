// Which of the build's compressed siblings a request accepts, read from Accept-Encoding as
// RFC 9110 section 12.5.3 says: coding names are case-insensitive, and `q=0` means "not this
// one". sirv looks for the bare substrings "gzip" and "br" (so `br;q=0` or `zebra` would get
// Brotli): it is given only the codings accepted, under their plain names.

/** The compressed encodings the static files are kept in, in the server's preference. */
const SERVED = ['br', 'gzip'] as const;
type Served = (typeof SERVED)[number];

/** Coding names that stand for one of ours (x-gzip is gzip's old name). */
const ALIASES: ReadonlyMap<string, Served> = new Map([
  ['br', 'br'],
  ['gzip', 'gzip'],
  ['x-gzip', 'gzip'],
]);

/** A weight other than 0 (malformed weights count as 1, as if absent). */
function acceptable(params: readonly string[]): boolean {
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const weight = Number(param.slice(eq + 1).trim());
    return !(weight === 0);
  }
  return true;
}

/** `header` reduced to the compressed codings it accepts, comma-separated ('' for none). */
export function acceptedCompression(header: string | string[] | undefined): string {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const accepted = new Set<Served>();
  const refused = new Set<Served>();
  for (const element of text.split(',')) {
    const [name = '', ...params] = element.split(';');
    const coding = ALIASES.get(name.trim().toLowerCase());
    if (coding === undefined) continue;
    (acceptable(params) ? accepted : refused).add(coding);
  }
  return SERVED.filter((coding) => accepted.has(coding) && !refused.has(coding)).join(', ');
}
