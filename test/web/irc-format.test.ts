// mIRC formatting in the browser client (web/src/irc-format.ts) and the contrast arithmetic
// behind its colours (web/src/contrast.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrast, hex, hueColours, THEME_BACKGROUNDS, type Rgb } from '../../web/src/contrast.ts';
import { formatRuns } from '../../web/src/irc-format.ts';

const readableEverywhere = (colour: string, backgrounds: readonly Rgb[]) => backgrounds.every((bg) => contrast(hex(colour.slice(1)), bg) >= 4.5);

test('bold, italic, underline, strikethrough and monospace toggle; \\x0F resets everything', () => {
  assert.deepEqual(
    formatRuns('a\x02b\x1dc\x02d\x1d\x1fe\x1e\x11f\x0fg').map((r) => [r.text, r.classes.join(' ')]),
    [
      ['a', ''],
      ['b', 'irc-b'],
      ['c', 'irc-b irc-i'],
      ['d', 'irc-i'],
      ['e', 'irc-u'],
      ['f', 'irc-u irc-s irc-m'],
      ['g', ''],
    ],
  );
});

test('colours: \\x03NN,MM and \\x04RRGGBB, a bare code ends them, 99 is the default', () => {
  const [red, plain, onBlue, hexRun, afterComma, dflt] = formatRuns('\x034red\x03plain\x030,2on blue\x03\x04ff8800hex\x03,x\x0399default');
  assert.equal(red!.text, 'red');
  assert.ok(red!.classes.includes('irc-fg'));
  assert.equal(plain!.text, 'plain');
  assert.deepEqual(plain!.classes, []);
  assert.equal(onBlue!.text, 'on blue');
  assert.deepEqual(onBlue!.fixed, { color: '#ffffff', background: '#00007f' });
  assert.equal(hexRun!.text, 'hex');
  assert.ok(hexRun!.themed);
  // "\x03" then ",x": the colour ends and the comma is text.
  assert.equal(afterComma!.text, ',x');
  assert.equal(dflt!.text, 'default');
  assert.equal(dflt!.themed, undefined);
});

test('every palette colour, alone or as a background, keeps AA contrast in both themes', () => {
  for (let n = 0; n < 99; n++) {
    const code = String(n).padStart(2, '0');
    const [alone] = formatRuns(`\x03${code}x`);
    assert.ok(readableEverywhere(alone!.themed!.light, THEME_BACKGROUNDS.light), `colour ${n} light: ${alone!.themed!.light}`);
    assert.ok(readableEverywhere(alone!.themed!.dark, THEME_BACKGROUNDS.dark), `colour ${n} dark: ${alone!.themed!.dark}`);
    for (const fg of ['00', '01', '08', code]) {
      const [on] = formatRuns(`\x03${fg},${code}x`);
      assert.ok(contrast(hex(on!.fixed!.color.slice(1)), hex(on!.fixed!.background.slice(1))) >= 4.5, `${fg} on ${n}`);
    }
  }
});

test('reverse swaps colours, or the theme’s own without any', () => {
  assert.deepEqual(formatRuns('\x16x')[0]!.classes, ['irc-reverse']);
  const [swapped] = formatRuns('\x034,8\x16x');
  assert.equal(swapped!.fixed!.background, '#ff0000');
});

test('other control characters are dropped', () => {
  assert.deepEqual(
    formatRuns('a\x00b\x07c\x1bd\x85e').map((r) => r.text),
    ['abcde'],
  );
});

test('nick hues are readable in both themes', () => {
  for (let hue = 0; hue < 360; hue++) {
    const { light, dark } = hueColours(hue);
    assert.ok(readableEverywhere(light, THEME_BACKGROUNDS.light), `hue ${hue} light ${light}`);
    assert.ok(readableEverywhere(dark, THEME_BACKGROUNDS.dark), `hue ${hue} dark ${dark}`);
  }
});
