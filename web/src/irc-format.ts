// mIRC formatting codes as styled runs of text: bold \x02, italic \x1D, underline \x1F,
// strikethrough \x1E, monospace \x11, colours \x03NN[,MM] and \x04RRGGBB[,RRGGBB], reverse
// \x16, reset \x0F. Colours are made readable (AA contrast) in both themes: alone, a colour
// gets one shade per theme; on a background, the text colour is fixed against that background.
// Other control characters are dropped, but a line feed (a multi-line message) is kept: the
// text is shown with white-space: pre-wrap. Pure, so that it can be tested under Node (test/web/).
import { bestInk, hex, readableOn, themeColours, toHex, type Rgb } from './contrast.ts';

export interface Run {
  text: string;
  /** Classes among irc-b, irc-i, irc-u, irc-s, irc-m, irc-reverse (reverse without colours) and irc-fg. */
  classes: string[];
  /** With irc-fg: the foreground in each theme. */
  themed?: { light: string; dark: string };
  /** On a background of its own: both colours, the same in both themes. */
  fixed?: { color: string; background: string };
}

// The 16 classic mIRC colours, then the 83 of the extended palette (16–98); 99 is "default".
const PALETTE: readonly Rgb[] = [
  'ffffff 000000 00007f 009300 ff0000 7f0000 9c009c fc7f00 ffff00 00fc00 009393 00ffff 0000fc ff00ff 7f7f7f d2d2d2',
  '470000 472100 474700 324700 004700 00472c 004747 002747 000047 2e0047 470047 47002a',
  '740000 743a00 747400 517400 007400 007449 007474 004074 000074 4b0074 740074 740045',
  'b50000 b56300 b5b500 7db500 00b500 00b571 00b5b5 0063b5 0000b5 7500b5 b500b5 b5006b',
  'ff0000 ff8c00 ffff00 b2ff00 00ff00 00ffa0 00ffff 008cff 0000ff a500ff ff00ff ff0098',
  'ff5959 ffb459 ffff71 cfff60 6fff6f 65ffc9 6dffff 59b4ff 5959ff c459ff ff66ff ff59bc',
  'ff9c9c ffd39c ffff9c e2ff9c 9cff9c 9cffdb 9cffff 9cd3ff 9c9cff dc9cff ff9cff ff94d3',
  '000000 131313 282828 363636 4d4d4d 656565 818181 9f9f9f bcbcbc e2e2e2 ffffff',
]
  .join(' ')
  .split(' ')
  .map(hex);

interface State {
  b: boolean;
  i: boolean;
  u: boolean;
  s: boolean;
  m: boolean;
  reverse: boolean;
  fg: Rgb | undefined;
  bg: Rgb | undefined;
}

const PLAIN: State = { b: false, i: false, u: false, s: false, m: false, reverse: false, fg: undefined, bg: undefined };
const TOGGLES: Record<string, keyof State> = { '\x02': 'b', '\x1d': 'i', '\x1f': 'u', '\x1e': 's', '\x11': 'm', '\x16': 'reverse' };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHexDigit = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** Up to two digits at `at`: a palette colour (undefined for 99 and unknown numbers) and the length read. */
function readNumber(text: string, at: number): { colour: Rgb | undefined; length: number } | undefined {
  if (!isDigit(text[at])) return undefined;
  const length = isDigit(text[at + 1]) ? 2 : 1;
  return { colour: PALETTE[Number(text.slice(at, at + length))], length };
}

function readHex(text: string, at: number): { colour: Rgb; length: number } | undefined {
  for (let k = 0; k < 6; k++) if (!isHexDigit(text[at + k])) return undefined;
  return { colour: hex(text.slice(at, at + 6)), length: 6 };
}

/** Splits text into runs of one style each; codes are consumed, other control characters dropped. */
export function formatRuns(text: string): Run[] {
  const runs: Run[] = [];
  let state: State = PLAIN;
  let pending = '';
  const flush = () => {
    if (pending !== '') runs.push(styled(pending, state));
    pending = '';
  };
  let at = 0;
  while (at < text.length) {
    const c = text[at]!;
    const toggle = TOGGLES[c];
    if (toggle !== undefined) {
      flush();
      state = { ...state, [toggle]: !state[toggle] };
      at++;
    } else if (c === '\x0f') {
      flush();
      state = PLAIN;
      at++;
    } else if (c === '\x03' || c === '\x04') {
      flush();
      const read = c === '\x03' ? readNumber : readHex;
      at++;
      const fg = read(text, at);
      if (!fg) {
        state = { ...state, fg: undefined, bg: undefined };
        continue;
      }
      at += fg.length;
      state = { ...state, fg: fg.colour };
      // A comma not followed by a colour is text.
      const bg = text[at] === ',' ? read(text, at + 1) : undefined;
      if (bg) {
        at += 1 + bg.length;
        state = { ...state, bg: bg.colour };
      }
    } else if ((c < ' ' && c !== '\n') || (c >= '\x7f' && c <= '\x9f')) {
      at++; // would move a cursor or break a line elsewhere
    } else {
      pending += c;
      at++;
    }
  }
  flush();
  return runs;
}

function styled(text: string, state: State): Run {
  const classes = (['b', 'i', 'u', 's', 'm'] as const).filter((k) => state[k]).map((k) => `irc-${k}`);
  let fg = state.fg;
  let bg = state.bg;
  if (state.reverse) {
    if (fg === undefined && bg === undefined) return { text, classes: [...classes, 'irc-reverse'] };
    [fg, bg] = [bg, fg];
  }
  if (bg !== undefined) return { text, classes, fixed: { color: toHex(readableOn(fg ?? bestInk(bg), [bg])), background: toHex(bg) } };
  if (fg !== undefined) return { text, classes: [...classes, 'irc-fg'], themed: themeColours(fg) };
  return { text, classes };
}
