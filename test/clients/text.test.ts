// The client's pure parts: nick colours, mentions, laying text out in columns (Chinese and
// emoji), splitting long messages, the input line's editing, and the chat model.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { mentions } from '../../src/clients/mention.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { plainLine, plainText } from '../../src/clients/format.ts';
import { splitMessage } from '../../src/clients/split-message.ts';
import { applyMessage, newInboundState } from '../../src/clients/inbound.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { hashNick, nickColour, NICK_COLOURS } from '../../src/clients/terminal/nick-colour.ts';
import { clipToWidth, fit, truncate, wrap } from '../../src/clients/terminal/text-layout.ts';
import * as edit from '../../src/clients/terminal/input-state.ts';
import { inputWindow } from '../../src/clients/terminal/InputLine.tsx';

describe('nick colours', () => {
  test('the same nick always gets the same colour, whatever its case', () => {
    // Pinned values: a change of hash would recolour everyone on every screen.
    assert.deepEqual(
      ['alice', 'bob', 'carol', 'dave'].map((n) => nickColour(n)),
      ['cyanBright', 'yellowBright', 'yellow', 'greenBright'],
    );
    assert.equal(nickColour('alice'), nickColour('alice'));
    assert.equal(nickColour('Alice'), nickColour('alice'));
    assert.equal(nickColour('[bob]'), nickColour('{bob}'), 'rfc1459 folding');
    assert.ok(NICK_COLOURS.includes(nickColour('张伟')));
  });

  test('colours are spread over the palette', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => nickColour(`user${i}`)));
    assert.equal(used.size, NICK_COLOURS.length);
  });

  test('known values stay stable', () => {
    assert.deepEqual(
      ['alice', 'bob', 'carol', 'dave'].map((n) => [n, hashNick(n) % NICK_COLOURS.length]),
      ['alice', 'bob', 'carol', 'dave'].map((n) => [n, fnv1a(n.toLowerCase()) % NICK_COLOURS.length]),
    );
  });
});

/** An independent FNV-1a, to pin the hash the colours come from. */
function fnv1a(s: string): number {
  let h = 2166136261;
  for (const b of Buffer.from(s)) h = Number((BigInt(h ^ b) * 16777619n) & 0xffffffffn);
  return h;
}

describe('mentions', () => {
  const cases: [string, string, boolean][] = [
    ['hi alice', 'alice', true],
    ['ALICE: look', 'alice', true],
    ['@Alice!', 'alice', true],
    ['alice', 'alice', true],
    ['(alice)', 'alice', true],
    ['aliceb', 'alice', false],
    ['malice', 'alice', false],
    ['alice_ is not alice_x', 'alice_', true],
    ['alice_', 'alice', false],
    ['alice-bot', 'alice', false],
    ['[bob] and {bob}', '{BOB}', true],
    ['你好alice', 'alice', true],
    ['nothing here', 'alice', false],
    ['', 'alice', false],
  ];
  for (const [text, nick, expected] of cases) {
    test(`${JSON.stringify(text)} ${expected ? 'mentions' : 'does not mention'} ${nick}`, () => {
      assert.equal(mentions(text, nick), expected);
    });
  }
});

describe('text layout by display width', () => {
  test('truncate and fit never split a character nor overflow', () => {
    assert.equal(truncate('你好世界', 5), '你好…');
    assert.equal(stringWidth(truncate('你好世界', 5)), 3 * 1 + 2);
    assert.equal(truncate('你好世界', 8), '你好世界');
    assert.equal(truncate('👋👋👋', 4), '👋…');
    assert.equal(fit('你好', 5), '你好 ');
    assert.equal(clipToWidth('a你b', 2), 'a');
    for (let w = 0; w <= 12; w++) {
      for (const s of ['你好世界 hello 👋🎉', 'e\u0301te\u0301', '👨‍👩‍👧 family']) {
        assert.ok(stringWidth(truncate(s, w)) <= w, `${s} in ${w}`);
        assert.equal(stringWidth(fit(s, w)), w);
      }
    }
  });

  test('wrap breaks at spaces, within long words between graphemes, and fits every row', () => {
    assert.deepEqual(wrap('hello world this is a test', 10), ['hello', 'world this', 'is a test']);
    assert.deepEqual(wrap('你好世界你好世界', 5), ['你好', '世界', '你好', '世界']);
    assert.deepEqual(wrap('ab 👋👋👋 cd', 4), ['ab', '👋👋', '👋', 'cd']);
    assert.deepEqual(wrap('a family 👨‍👩‍👧 x', 3), ['a f', 'ami', 'ly', '👨‍👩‍👧', 'x'], 'a word wider than a row fills the row first');
    assert.deepEqual(wrap('', 5), ['']);
    assert.deepEqual(wrap('short', 10, 3), ['', 'short'], 'a word that fits the next row is not cut');
    for (let w = 2; w <= 20; w++) {
      const text = '中文 text with 表情 👋🎉 and a verylongwordwithoutspaces 結束';
      for (const row of wrap(text, w)) assert.ok(stringWidth(row) <= w, `row ${JSON.stringify(row)} in ${w}`);
      assert.equal(wrap(text, w).join('').replace(/ /g, ''), text.replace(/ /g, ''), 'nothing lost');
    }
  });

  test('the input line keeps the cursor in view', () => {
    assert.deepEqual(inputWindow('hello', 5, 20), { before: 'hello', at: ' ', after: '' });
    assert.deepEqual(inputWindow('hello', 0, 20), { before: '', at: 'h', after: 'ello' });
    const long = '你好世界'.repeat(10);
    const w = inputWindow(long, long.length, 11);
    assert.equal(w.at, ' ');
    assert.ok(stringWidth(w.before + w.at + w.after) <= 11);
    assert.ok(long.endsWith(w.before));
  });
});

describe('splitting long messages', () => {
  test('short text is one message', () => {
    assert.deepEqual(splitMessage('hello', 400), ['hello']);
  });

  test('pieces fit in bytes, prefer spaces, never split a character or grapheme', () => {
    const text = `${'你好世界 '.repeat(60)}👨‍👩‍👧${'x'.repeat(300)}`;
    const pieces = splitMessage(text, 100);
    assert.equal(pieces.join(''), text);
    for (const p of pieces) assert.ok(Buffer.byteLength(p) <= 100, `${Buffer.byteLength(p)} bytes`);
    assert.ok(pieces[0]!.endsWith(' '), 'cut after a space');
    assert.ok(pieces.some((p) => p.includes('👨‍👩‍👧')), 'the family emoji stays whole');
  });
});

describe('the input line', () => {
  test('typing, moving by grapheme and deleting', () => {
    let s = edit.insert(edit.emptyInput(), '你好👋');
    assert.equal(s.cursor, s.text.length);
    s = edit.backspace(s);
    assert.equal(s.text, '你好', 'the emoji (two UTF-16 units) goes in one keypress');
    s = edit.left(s);
    s = edit.insert(s, 'x');
    assert.equal(s.text, '你x好');
    s = edit.home(s);
    s = edit.deleteForward(s);
    assert.equal(s.text, 'x好');
    s = edit.insert(s, 'hello world ');
    s = edit.killWord(s);
    assert.equal(s.text, 'hello x好');
    assert.equal(s.cursor, 6);
    s = edit.killToEnd(edit.right(s));
    assert.equal(s.text, 'hello x');
    s = edit.killToStart(edit.left(s));
    assert.equal(s.text, 'x');
  });

  test('history goes back and forth and keeps the line being typed', () => {
    let s = edit.emptyInput();
    for (const line of ['one', 'two']) {
      s = edit.insert(s, line);
      [s] = edit.submit(s);
    }
    s = edit.insert(s, 'draft');
    s = edit.historyUp(s);
    assert.equal(s.text, 'two');
    s = edit.historyUp(s);
    assert.equal(s.text, 'one');
    s = edit.historyUp(s);
    assert.equal(s.text, 'one');
    s = edit.historyDown(edit.historyDown(s));
    assert.equal(s.text, 'draft');
    const [next, line] = edit.submit(s);
    assert.equal(line, 'draft');
    assert.deepEqual(next.history, ['one', 'two', 'draft']);
  });

  test('Tab completes nicks (with ": " first on the line) and commands, and cycles', () => {
    const nicks = ['alice', 'Albert', 'bob'];
    let s = edit.complete(edit.insert(edit.emptyInput(), 'al'), nicks, []);
    assert.equal(s.text, 'alice: ');
    s = edit.complete(s, nicks, []);
    assert.equal(s.text, 'Albert: ');
    s = edit.complete(s, nicks, []);
    assert.equal(s.text, 'alice: ');
    s = edit.complete(edit.insert(edit.emptyInput(), 'hi B'), nicks, []);
    assert.equal(s.text, 'hi bob ');
    s = edit.complete(edit.insert(edit.emptyInput(), '/jo'), nicks, ['join', 'part']);
    assert.equal(s.text, '/join ');
    s = edit.complete(edit.insert(edit.emptyInput(), 'zz'), nicks, []);
    assert.equal(s.text, 'zz');
  });
});

describe('the chat model', () => {
  test('scrollback is bounded per buffer', () => {
    const m = new ChatModel('server', 50);
    const room = m.ensure('#a');
    for (let i = 0; i < 120; i++) m.add(room, { kind: 'message', from: 'x', text: String(i) });
    assert.equal(room.lines.length, 50);
    assert.equal(room.lines[0]!.text, '70');
    assert.equal(room.unread, 120);
  });

  test('server messages update the model (unit): STATUSMSG, CTCP, ISUPPORT, multi-prefix NAMES', () => {
    const m = new ChatModel('server');
    m.nick = 'me';
    m.status = 'registered';
    const s = newInboundState();
    const feed = (line: string) => applyMessage(m, parseLine(line), s);
    feed(':srv 005 me PREFIX=(qaohv)~&@%+ CHANTYPES=#& CHANMODES=beI,k,l,imnst NETWORK=TestNet :are supported');
    assert.equal(m.server.name, 'TestNet');
    feed(':me!u@h JOIN &local');
    feed(':srv 353 me = &local :~&@alice %+bob me');
    feed(':srv 366 me &local :End of /NAMES list.');
    const room = m.find('&local')!;
    assert.deepEqual(m.sortedMembers(room).map((x) => x.prefixes + x.nick), ['~&@alice', '%+bob', 'me']);
    feed(':alice!u@h MODE &local -q+b-h+l alice *!*@x bob 10');
    assert.equal(room.members.get('alice')!.prefixes, '&@');
    assert.equal(room.members.get('bob')!.prefixes, '+');
    feed(':alice!u@h PRIVMSG @&local :ops only');
    assert.equal(room.lines.at(-1)!.text, 'ops only');
    feed(':alice!u@h PRIVMSG &local :\x01ACTION dances\x01');
    assert.equal(room.lines.at(-1)!.kind, 'action');
    assert.equal(plainLine(room, room.lines.at(-1)!).replace(/^\[[\d:]+\] /, ''), '&local * alice dances');
    feed(':alice!u@h PRIVMSG me :\x01VERSION\x01');
    assert.equal(m.find('alice'), undefined, 'a CTCP request opens no query');
    feed('@time=2026-01-02T03:04:05.000Z :alice!u@h PRIVMSG &local :\x02bold\x02 \x0304,01red\x03 text');
    assert.equal(room.lines.at(-1)!.time.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(plainText(room.lines.at(-1)!.text), 'bold red text');
  });
});
