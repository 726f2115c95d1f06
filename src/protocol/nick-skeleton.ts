// The "skeleton" of a nick (Unicode TR39 §4): what it looks like, so that pаypal (with a
// Cyrillic а) and paypal, or РАУРАL and paypal, have the same one. The table is Unicode's
// confusables.txt (https://www.unicode.org/Public/security/latest/confusables.txt) as the
// unhomoglyph package ships it: one code point to its prototype. As ergo does, width is folded
// first and case last, so the skeleton is a key for "looks like", never a nick to show.
import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { foldNick, isAscii } from './casemapping.ts';

const PROTOTYPES = new Map<string, string>(Object.entries(confusables as Record<string, string>));
/** The prototype of each ASCII character by its code: most nicks are ASCII, and each registration takes several skeletons. */
const ASCII_PROTOTYPES: readonly string[] = Array.from({ length: 0x80 }, (_, code) => PROTOTYPES.get(String.fromCharCode(code)) ?? String.fromCharCode(code));

export function nickSkeleton(nick: string): string {
  let mapped = '';
  if (isAscii(nick)) {
    // ASCII is the same in every normalization form.
    for (let i = 0; i < nick.length; i++) mapped += ASCII_PROTOTYPES[nick.charCodeAt(i)];
  } else {
    for (const char of nick.normalize('NFKC').normalize('NFD')) mapped += PROTOTYPES.get(char) ?? char;
  }
  return foldNick(isAscii(mapped) ? mapped : mapped.normalize('NFD'));
}
