// Text from clients shown on a terminal: the admin console, and people in plain-text mode
// (nc, telnet). One implementation for both, since the terminal reads the same bytes.

// IRC formatting (bold, colours `\x03fg,bg`, hex colours `\x04rrggbb`, …) means nothing on a terminal.
// eslint-disable-next-line no-control-regex
const IRC_FORMATTING = /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;

/** C0 controls (newline and CR included: the caller adds its own line ends), DEL and C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Characters that reorder or break a line without being seen: the bidi embeddings, overrides
 * and isolates (U+202A–202E, U+2066–2069), the bidi marks (LRM U+200E, RLM U+200F, ALM U+061C)
 * and the Unicode line and paragraph separators (U+2028, U+2029).
 */
const BIDI_AND_BREAKS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** `^[` for ESC, `^G` for BEL, `^?` for DEL, `<9B>` for a C1 control; TAB becomes a space. */
function caretNotation(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x09) return ' ';
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  return code === 0x7f ? '^?' : `<${code.toString(16).toUpperCase()}>`;
}

/** `<U+202E>`: the character named, never acted on. */
function codePointLabel(c: string): string {
  return `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * Client text made safe to write to a terminal as (part of) one line: an escape sequence could
 * clear the screen, retitle the window, move the cursor back over the line's prefix or fake
 * server output, and a bidi override could reorder what the line shows. IRC formatting is
 * dropped; every other control character is shown, visibly, instead of acted on: C0 as `^X`,
 * DEL as `^?`, C1 as `<9B>`, bidi controls and line separators as `<U+202E>`. The result holds
 * no character below U+0020, none in U+007F–009F and none of the bidi controls.
 */
export function terminalSafe(text: string): string {
  return text.replace(IRC_FORMATTING, '').replace(CONTROL, caretNotation).replace(BIDI_AND_BREAKS, codePointLabel);
}
