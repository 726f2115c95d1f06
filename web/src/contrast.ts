// Colour arithmetic for readable text: WCAG 2 relative luminance and contrast, and the
// smallest change that makes a colour readable (≥ 4.5:1, level AA) on a theme's backgrounds.
// Pure, so that it can be tested under Node (test/web/).

export type Rgb = readonly [number, number, number];

/** The backgrounds text sits on in each theme: page, panels, a highlighted (mention) line.
 *  Keep in step with --bg, --panel and --mention-bg in theme.css. */
export const THEME_BACKGROUNDS: Record<'light' | 'dark', readonly Rgb[]> = {
  light: [hex('fbfbfa'), hex('f1f0ec'), hex('fff3c4')],
  dark: [hex('18181a'), hex('202024'), hex('3d3510')],
};

/** AA asks 4.5:1; a little more survives rounding to whole RGB steps and tools' own rounding. */
const TARGET_RATIO = 4.6;
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

export function hex(text: string): Rgb {
  const n = Number.parseInt(text, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: Rgb, b: Rgb): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export function bestInk(background: Rgb): Rgb {
  return contrast(BLACK, background) >= contrast(WHITE, background) ? BLACK : WHITE;
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/**
 * `colour`, moved towards black (on light backgrounds) or white (on dark ones) just as far as
 * needed to reach AA contrast on every one of `backgrounds`, which must all be light or all dark.
 */
export function readableOn(colour: Rgb, backgrounds: readonly Rgb[]): Rgb {
  const readable = (c: Rgb) => backgrounds.every((bg) => contrast(c, bg) >= TARGET_RATIO);
  if (readable(colour)) return colour;
  const ink = bestInk(backgrounds[0]!);
  // Readability only grows on the way to the ink: a binary search finds the first readable step.
  let low = 0;
  let high = 1;
  for (let i = 0; i < 16; i++) {
    const middle = (low + high) / 2;
    if (readable(mix(colour, ink, middle))) high = middle;
    else low = middle;
  }
  return mix(colour, ink, high);
}

/** The colour made readable in each theme, as CSS hex colours. */
export function themeColours(colour: Rgb): { light: string; dark: string } {
  return { light: toHex(readableOn(colour, THEME_BACKGROUNDS.light)), dark: toHex(readableOn(colour, THEME_BACKGROUNDS.dark)) };
}

/** A colour of the given hue (0–359), readable in each theme. */
export function hueColours(hue: number): { light: string; dark: string } {
  return themeColours(hsl(hue, 0.7, 0.5));
}

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    return 255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return [Math.round(f(0)), Math.round(f(8)), Math.round(f(4))];
}
