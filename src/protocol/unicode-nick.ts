// Nicknames under `server.casemapping: precis`: letters of any modern script, after the
// PRECIS IdentifierClass (RFC 8264) and the restriction levels of Unicode TR39, with the IRC
// rules kept (no character that means something in a line or a mask). Whether a nick looks
// like another one in use is the network's question (nick-skeleton.ts).
import { isAscii } from './casemapping.ts';
import { isClassicNick, isClassicNickChar } from './classic-nick.ts';

const LETTER = /^\p{L}$/u;
const MARK = /^\p{M}$/u;
// Letters that show nothing (Hangul fillers, U+115F…) are default-ignorable though they are \p{L}.
const INVISIBLE = /^\p{Default_Ignorable_Code_Point}$/u;
/** Combining marks one letter may carry: enough for Vietnamese or Devanagari, not for "Zalgo" text. */
const MAX_MARKS = 3;

// UAX #31 table 5, "Recommended Scripts": the scripts in modern use. Historic ones and those of
// limited use (Cherokee looks like Latin) are refused, as TR39's restriction levels advise.
const RECOMMENDED_SCRIPTS = [
  'Latin', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Cyrillic', 'Greek', 'Arabic',
  'Hebrew', 'Armenian', 'Georgian', 'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya',
  'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar',
  'Khmer', 'Ethiopic', 'Thaana',
] as const;
type Script = (typeof RECOMMENDED_SCRIPTS)[number];
const SCRIPT_RES = RECOMMENDED_SCRIPTS.map((script) => ({ script, re: new RegExp(`^\\p{Script=${script}}$`, 'u') }));
// Characters of no one script (digits, the IRC specials) or of the letter before (marks).
const SCRIPT_NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

// TR39 "highly restrictive": one script, or Latin with the scripts written beside it in one
// language (Chinese, Japanese, Korean): 小明abc and 山田タロウ, not pаypal (Cyrillic а).
const SCRIPT_COMBINATIONS: readonly (readonly Script[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

function scriptOf(char: string): Script | 'neutral' | undefined {
  if (SCRIPT_NEUTRAL.test(char)) return 'neutral';
  return SCRIPT_RES.find(({ re }) => re.test(char))?.script;
}

function scriptsAllowedTogether(scripts: ReadonlySet<Script>): boolean {
  return scripts.size <= 1 || SCRIPT_COMBINATIONS.some((combination) => [...scripts].every((s) => combination.includes(s)));
}

/**
 * Whether `nick` (already NFC, see normalizeNick) may be a nick under `precis`: a letter or an
 * IRC special first; then letters, combining marks (at most three on a letter), digits 0-9,
 * the IRC specials and '-'; nothing invisible, no space, control, format character (bidi
 * overrides, zero-width joiners), symbol or punctuation; letters of one script (or the CJK
 * combinations with Latin) among the modern ones. The length is the caller's.
 */
export function isValidUnicodeNick(nick: string): boolean {
  if (isAscii(nick)) return isClassicNick(nick);
  const chars = Array.from(nick);
  const scripts = new Set<Script>();
  let marks = 0;
  for (const [i, char] of chars.entries()) {
    if (INVISIBLE.test(char)) return false;
    if (MARK.test(char)) {
      if (i === 0 || ++marks > MAX_MARKS) return false;
    } else {
      marks = 0;
      if (isClassicNickChar(char)) {
        if (i === 0 && (char === '-' || (char >= '0' && char <= '9'))) return false;
      } else if (!LETTER.test(char)) {
        // Digits are 0-9 only: ٣ and ۳, ३ and 3 would be twins in one nick or across two.
        return false;
      }
    }
    const script = scriptOf(char);
    if (script === undefined) return false;
    if (script !== 'neutral') scripts.add(script);
  }
  return scriptsAllowedTogether(scripts);
}

/** A nick as the server keeps it: NFC under precis (é typed as e + U+0301 is é), else as given. */
export function normalizeNick(nick: string, precis: boolean): string {
  return precis ? nick.normalize('NFC') : nick;
}
