// SASLprep (RFC 4013, the stringprep profile SCRAM applies to passwords), shared by the
// server (deriving an account's SCRAM verifier) and the clients (logging in with it): both
// sides must turn one password into the same bytes. Pure: no Buffer, no Node.
//
// What it does: maps non-ASCII spaces (RFC 3454 C.1.2) to U+0020 and the characters
// "commonly mapped to nothing" (B.1) to nothing, normalizes with NFKC, and refuses the
// prohibited characters (C.2–C.9: controls, private use, non-characters, surrogates,
// unsuitable for plain text, change display direction, tagging) and code points unassigned
// in this JavaScript's Unicode. Not done: the bidirectional check (RFC 3454 §6), which needs
// bidi classes JavaScript's regular expressions do not have. A password it refuses is not
// used with SCRAM at all (the clients log in with PLAIN; the server keeps no verifier).

/** B.1: mapped to nothing (inclusive ranges of code points). */
const MAPPED_TO_NOTHING: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d], [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
];

/** C.1.2: non-ASCII spaces, mapped to SPACE. */
const NON_ASCII_SPACE: readonly (readonly [number, number])[] = [
  [0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000],
];

/**
 * C.2.2 and C.6–C.9 beyond what the general categories below cover: non-ASCII controls,
 * the specials, ideographic description characters, directional marks and overrides, tags.
 */
const PROHIBITED: readonly (readonly [number, number])[] = [
  [0x0340, 0x0341], [0x06dd, 0x06dd], [0x070f, 0x070f], [0x180e, 0x180e], [0x200c, 0x200f], [0x2028, 0x202e], [0x2060, 0x2063],
  [0x206a, 0x206f], [0x2ff0, 0x2ffb], [0xfeff, 0xfeff], [0xfff9, 0xfffd], [0x1d173, 0x1d17a], [0xe0001, 0xe0001], [0xe0020, 0xe007f],
];

/** C.2.1 and C.2.2's Cc, C.3 private use, C.4 and A.1 (unassigned, by today's Unicode), C.5 lone surrogates. */
const PROHIBITED_CATEGORIES = /[\p{Cc}\p{Co}\p{Cs}\p{Cn}]/u;

const within = (ranges: readonly (readonly [number, number])[], code: number): boolean => ranges.some(([lo, hi]) => code >= lo && code <= hi);

/** The password as SCRAM uses it, or undefined when SASLprep refuses it (or it is empty). */
export function saslprep(password: string): string | undefined {
  let mapped = '';
  // Mapped to nothing first (U+200B is in both tables), as other SASLprep implementations do.
  for (const c of password) {
    const code = c.codePointAt(0)!;
    if (within(MAPPED_TO_NOTHING, code)) continue;
    mapped += within(NON_ASCII_SPACE, code) ? ' ' : c;
  }
  // A lone surrogate (it has no UTF-8) stays \p{Cs} through NFKC, so it is refused below.
  const prepared = mapped.normalize('NFKC');
  if (prepared === '' || PROHIBITED_CATEGORIES.test(prepared)) return undefined;
  for (const c of prepared) if (within(PROHIBITED, c.codePointAt(0)!)) return undefined;
  return prepared;
}
