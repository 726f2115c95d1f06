// Durations as people type them: "30s", "90m", "90min", "1h30m", "1.5h", "2d", "1w",
// "90 min", "1h 30m". One parser for the console, IRC KLINE/MUTE and the admin web API.
// Months and years are refused (their length varies): say 30d or 52w.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Unit words, lower case. A Map, so that a word such as "constructor" finds nothing. */
const UNITS: ReadonlyMap<string, number> = new Map([
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((u) => [u, SECOND] as const),
  ...['m', 'min', 'mins', 'minute', 'minutes'].map((u) => [u, MINUTE] as const),
  ...['h', 'hr', 'hrs', 'hour', 'hours'].map((u) => [u, HOUR] as const),
  ...['d', 'day', 'days'].map((u) => [u, DAY] as const),
  ...['w', 'wk', 'wks', 'week', 'weeks'].map((u) => [u, WEEK] as const),
]);

/** Beyond this a duration is a typing mistake rather than a plan: 100 years. */
const MAX_DURATION_MS = 36_500 * DAY;
/** Longer text is not looked at (nor echoed back in the hint). */
const MAX_DURATION_CHARS = 40;
/** How many words one duration may take: "1 hour 30 min" is four. */
const MAX_DURATION_WORDS = 6;

export const DURATION_EXAMPLES = '30s, 90m, 1h30m, 1.5h, 2d or 1w';

/** What a text meant as a duration came to: milliseconds, or why not, said for a person. */
export type DurationReading = { ms: number } | { problem: string };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** "10s, 10m, 10h, 10d or 10w": what the number may have meant (a long number is not repeated). */
const units = (n: string): string => (n.length <= 6 ? `${n}s, ${n}m, ${n}h, ${n}d or ${n}w` : 's, m, h, d or w');

/** Control characters shown as '?': the text is quoted back to a terminal or a client. */
function printable(text: string): string {
  return [...text].map((c) => (c < ' ' || c === '\x7f' ? '?' : c)).join('');
}

/** The whole text as a duration. Never throws; the problem quotes at most 40 characters of the text. */
export function readDuration(text: string): DurationReading {
  const t = text.trim();
  if (t.length > MAX_DURATION_CHARS) return { problem: `Not a duration: ${MAX_DURATION_CHARS} characters at most; write it like ${DURATION_EXAMPLES}` };
  const notOne = (why: string): DurationReading => ({ problem: `Not a duration: ${printable(t)} (${why}); write it like ${DURATION_EXAMPLES}` });
  const charAt = (at: number): string => printable(String.fromCodePoint(t.codePointAt(at)!));
  if (t === '') return notOne('it is empty');
  let total = 0;
  let i = 0;
  while (i < t.length) {
    // A number: 90, 1.5, .5
    const start = i;
    while (isDigit(t[i])) i++;
    if (t[i] === '.' && isDigit(t[i + 1])) for (i++; isDigit(t[i]); ) i++;
    const number = t.slice(start, i);
    if (number === '') return notOne(i === 0 ? 'it does not start with a number' : `"${charAt(i)}" after ${t.slice(0, i).trim()}`);
    // Its unit, perhaps after spaces: 90m, 90min, 90 min
    while (isSpace(t[i])) i++;
    const unitStart = i;
    while (isLetter(t[i])) i++;
    const unit = t.slice(unitStart, i);
    if (unit === '') {
      if (i < t.length && !isDigit(t[i])) return notOne(`"${charAt(i)}" after ${number}`);
      return notOne(`${number} has no unit: ${units(number)}?`);
    }
    const size = UNITS.get(unit.toLowerCase());
    if (size === undefined) return notOne(`unknown unit "${unit}" after ${number}: ${units(number)}?`);
    total += Number(number) * size;
    while (isSpace(t[i])) i++;
  }
  const ms = Math.round(total);
  if (!(ms > 0)) return notOne('it must be longer than 0');
  if (ms > MAX_DURATION_MS) return notOne('more than 100 years; leave it out for a permanent one');
  return { ms };
}

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const reading = readDuration(text);
  return 'ms' in reading ? reading.ms : undefined;
}

/** Words that mean "no end": `0` as ircds take it, `perm`, `permanent`. */
export function isPermanentWord(word: string | undefined): boolean {
  if (word === undefined) return false;
  const w = word.toLowerCase();
  return w === '0' || w === 'perm' || w === 'permanent';
}

/**
 * Whether a word is written as (part of) a duration: a number first, then only letters,
 * digits and at most one '.', so an address such as 10.0.0.1 or 2001:db8::1 is not one.
 */
export function looksLikeDuration(word: string | undefined): boolean {
  if (word === undefined || word.length === 0 || word.length > MAX_DURATION_CHARS) return false;
  if (!isDigit(word[0]) && !(word[0] === '.' && isDigit(word[1]))) return false;
  let dots = 0;
  for (const c of word) {
    if (c === '.') dots++;
    else if (!isDigit(c) && !isLetter(c)) return false;
  }
  return dots <= 1;
}

const allLetters = (word: string | undefined): boolean => word !== undefined && word.length > 0 && [...word].every(isLetter);
const allNumber = (word: string): boolean => /^(\d+(\.\d+)?|\.\d+)$/.test(word);

/** What a command's words start with: a duration (ms undefined: permanent) and how many words it took. */
export type TakenDuration = { ms: number | undefined; words: number };
export type LeadingDuration = TakenDuration | { problem: string };

/**
 * The duration at the start of a command's words, as in `ban bob 90 min spamming`:
 * `0`/`perm`/`permanent`, or the run of duration-shaped words (a bare number may take the
 * unit word after it). A run that does not read is refused with a hint rather than taken
 * for the reason; words that do not look like a duration at all take nothing (`words: 0`).
 */
export function takeDuration(words: readonly string[]): LeadingDuration {
  if (isPermanentWord(words[0])) return { ms: undefined, words: 1 };
  let n = 0;
  while (n < MAX_DURATION_WORDS && looksLikeDuration(words[n])) {
    n += allNumber(words[n]!) && allLetters(words[n + 1]) ? 2 : 1;
  }
  if (n === 0) return { ms: undefined, words: 0 };
  const reading = readDuration(words.slice(0, n).join(' '));
  return 'ms' in reading ? { ms: reading.ms, words: n } : reading;
}

/** "2h 5m", "45s": the two largest units, rounded down. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}
