// Room names without invisible characters, over real sockets: `#lobby` must have no twin that
// looks the same (a no-break space, a zero-width space, a BOM, a variation selector…), and no
// name may reorder the line it is shown in (U+202E). Names in any script still work: #中文.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/server/config.ts';
import { isValidChannel } from '../../src/protocol/validate.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** Names that look like another, or like nothing, or turn the line around; and why. */
const INVISIBLE: [string, string][] = [
  ['#a\u202Eb', 'right-to-left override'],
  ['#a\u202Ab', 'left-to-right embedding'],
  ['#a\u2066b', 'left-to-right isolate'],
  ['#a\u200Fb', 'right-to-left mark'],
  ['#a\u00A0b', 'no-break space'],
  ['#a\u3000b', 'ideographic space'],
  ['#a\u2002b', 'en space'],
  ['#a\u200Bb', 'zero-width space'],
  ['#a\u200Db', 'zero-width joiner'],
  ['#a\u2060b', 'word joiner'],
  ['#a\uFEFFb', 'byte order mark'],
  ['#a\u180Eb', 'Mongolian vowel separator'],
  ['#a\u2028b', 'line separator'],
  ['#a\u2029b', 'paragraph separator'],
  ['#a\u00ADb', 'soft hyphen'],
  ['#a\u034Fb', 'combining grapheme joiner'],
  ['#a\u3164b', 'Hangul filler'],
  ['#a\uFE0Fb', 'variation selector'],
  ['#a\u2800b', 'blank Braille pattern'],
  ['#lobby\u0085', 'next line (C1)'],
  ['#a\u{E0041}b', 'tag character'],
];

const VISIBLE = ['#中文', '#日本語のへや', '#café', '#🙂', '#Ελληνικά', '#שלום', '#a-b_c.d'];

describe('room names', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 50 } });
  });
  after(() => t.close());

  test('JOIN of a name with an invisible or reordering character gets 476 ERR_BADCHANMASK; names in any script are fine', async () => {
    const a = await t.register('namer');
    for (const [name, what] of INVISIBLE) {
      a.send(`JOIN ${name}`);
      assert.deepEqual((await a.waitFor('476')).msg.params, ['namer', name, 'Bad Channel Mask'], what);
    }
    for (const name of VISIBLE) {
      a.send(`JOIN ${name}`);
      assert.deepEqual((await a.waitFor('JOIN')).msg.params, [name]);
    }
    a.send('QUIT');
    await a.waitClose();
  });

  test('a plain-text user asking for such a room is refused too, and sees the name harmlessly', async () => {
    const c = await t.connect();
    c.send('roomer');
    await c.waitFor(/\*\*\* In #lobby: /);
    c.send('/join #a\u202Eb');
    await c.waitFor(/^\[\d{2}:\d{2}:\d{2}\] !!! #a<U\+202E>b: Bad Channel Mask$/);
    c.send('/join #中文');
    await c.waitFor(/\*\*\* You joined #中文\./);
    c.send('exit');
    await c.waitClose();
  });
});

test('the configured default room must be a name JOIN accepts', () => {
  assert.equal(parseConfig({ plainText: { defaultRoom: '#中文' } }).plainText.defaultRoom, '#中文');
  for (const [name] of INVISIBLE) assert.throws(() => parseConfig({ plainText: { defaultRoom: name } }), /defaultRoom/, JSON.stringify(name));
  assert.equal(parseConfig({}).plainText.keepAliveMs, 60_000, 'keep-alive after a minute of silence by default');
});

test('isValidChannel: every invisible character refused, wherever it stands', () => {
  for (const [name, what] of INVISIBLE) {
    const ch = name.replace(/^#(lobby|a)|b$/g, '');
    for (const candidate of [`#${ch}`, `#x${ch}`, `#${ch}x`]) assert.equal(isValidChannel(candidate, 64), false, `${what} in ${JSON.stringify(candidate)}`);
  }
  for (const name of VISIBLE) assert.equal(isValidChannel(name, 64), true, name);
});
