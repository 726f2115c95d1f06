// Pure text helpers of the browser client: nick colours, links, message splitting, nick
// completion. No DOM, so that they can be unit-tested under Node (test/web/).
import { foldCase } from '../../src/protocol/casemapping.ts';

/** Nick hues are this many, evenly spaced: neighbours differ by 22.5°, far enough to tell apart. */
const HUE_SLOTS = 16;
const UTF8 = new TextEncoder();

/**
 * A stable hue (0–359) for a nick: the same person has the same colour everywhere. FNV-1a over
 * the folded nick's UTF-8 bytes (so that "Bob" and "bob", the same person on IRC, match), then
 * MurmurHash3's finaliser: without it the low bits, which pick the slot, depend only on the low
 * bits of each byte, and short Chinese nicks crowd into a few neighbouring (brownish) hues.
 */
export function nickHue(nick: string): number {
  let h = 0x811c9dc5;
  for (const byte of UTF8.encode(foldCase(nick))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.round((((h >>> 0) % HUE_SLOTS) * 360) / HUE_SLOTS);
}

export type Segment = { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

// http(s) URLs only: other schemes (javascript:, data:) never become links. Full-width
// punctuation ends a URL: Chinese text often goes on right after one, without a space.
const URL_RE = /\bhttps?:\/\/[^\s<>"，。、；：！？（）「」『』《》【】]+/giu;
/** Punctuation that usually ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?'")\]}>。，、！？）]+$/u;

/** Splits text into plain parts and http/https links. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Keep a closing bracket that has its opening one in the URL (Wikipedia-style links).
    const trail = TRAILING.exec(url)?.[0] ?? '';
    if (trail !== '' && !(trail === ')' && url.includes('('))) url = url.slice(0, url.length - trail.length);
    if (!isHttpUrl(url)) continue;
    const at = m.index;
    if (at > last) out.push({ type: 'text', text: text.slice(last, at) });
    out.push({ type: 'link', text: url, href: url });
    last = at + url.length;
  }
  if (last < text.length) out.push({ type: 'text', text: text.slice(last) });
  return out;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

// Shared with the terminal client: cut long messages by UTF-8 bytes, never inside a grapheme.
export { splitMessage } from '../../src/clients/split-message.ts';

/**
 * Tab completion of the word before the cursor: the next nick (after `previous`, cycling)
 * starting with `prefix`, case-insensitively. At the start of the line a ": " follows.
 */
export function completeNick(nicks: readonly string[], prefix: string, previous?: string): string | undefined {
  const p = foldCase(prefix);
  const matches = nicks.filter((n) => foldCase(n).startsWith(p)).sort((a, b) => (foldCase(a) < foldCase(b) ? -1 : 1));
  if (matches.length === 0) return undefined;
  if (previous === undefined) return matches[0];
  const i = matches.findIndex((n) => foldCase(n) === foldCase(previous));
  return matches[(i + 1) % matches.length];
}
