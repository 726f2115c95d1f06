// The "skeleton" of a nick (Unicode TR39 §4): what it looks like, so that pаypal (with a
// Cyrillic а) and paypal, or РАУРАL and paypal, have the same one. The table is Unicode's
// confusables.txt (https://www.unicode.org/Public/security/latest/confusables.txt) as the
// unhomoglyph package ships it: one code point to its prototype. As ergo does, width is folded
// first and case last, so the skeleton is a key for "looks like", never a nick to show.
import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { foldNick } from './casemapping.ts';

const PROTOTYPES = new Map<string, string>(Object.entries(confusables as Record<string, string>));

export function nickSkeleton(nick: string): string {
  let mapped = '';
  for (const char of nick.normalize('NFKC').normalize('NFD')) mapped += PROTOTYPES.get(char) ?? char;
  return foldNick(mapped.normalize('NFD'));
}
