// Pure text helpers of the browser client (web/src/text.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeNick, linkify, nickHue, splitMessage } from '../../web/src/text.ts';

test('nick colours are stable and follow IRC case folding', () => {
  assert.equal(nickHue('alice'), nickHue('alice'));
  assert.equal(nickHue('Alice'), nickHue('alice'));
  assert.equal(nickHue('[bob]'), nickHue('{bob}'));
  assert.notEqual(nickHue('alice'), nickHue('bob'));
  for (const nick of ['a', 'carol', '张三', 'x'.repeat(30)]) {
    const h = nickHue(nick);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 360);
  }
});

test('short Chinese nicks get well-spread hues', () => {
  const distance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
  // The tester's room: these three came out nearly the same brown.
  const [zhang, na, wei] = ['老张', '李娜', '王伟'].map(nickHue) as [number, number, number];
  for (const [a, b] of [[zhang, na], [zhang, wei], [na, wei]] as const) assert.ok(distance(a, b) >= 45, `${zhang} ${na} ${wei}`);
  // Common names fall into most of the twelve 30° sectors, not a few neighbouring ones.
  const common = ['老张', '李娜', '王伟', '张伟', '王芳', '李伟', '刘洋', '陈静', '小明', '老王', '张三', '李四'];
  const sectors = new Set(common.map((n) => Math.floor(nickHue(n) / 30)));
  assert.ok(sectors.size >= 8, `only ${sectors.size} sectors`);
});

test('linkify turns http and https URLs into links, leaving sentence punctuation out', () => {
  assert.deepEqual(linkify('see https://example.com/a?b=1. ok'), [
    { type: 'text', text: 'see ' },
    { type: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { type: 'text', text: '. ok' },
  ]);
  assert.deepEqual(linkify('(http://x.org/y)'), [
    { type: 'text', text: '(' },
    { type: 'link', text: 'http://x.org/y', href: 'http://x.org/y' },
    { type: 'text', text: ')' },
  ]);
  assert.equal(linkify('https://en.wikipedia.org/wiki/Foo_(bar)')[0]!.type, 'link');
  assert.equal((linkify('https://en.wikipedia.org/wiki/Foo_(bar)')[0] as { href: string }).href, 'https://en.wikipedia.org/wiki/Foo_(bar)');
  assert.deepEqual(linkify('看 https://例子.cn/页，好'), [
    { type: 'text', text: '看 ' },
    { type: 'link', text: 'https://例子.cn/页', href: 'https://例子.cn/页' },
    { type: 'text', text: '，好' },
  ]);
});

test('linkify never links other schemes', () => {
  for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com/f', 'file:///etc/passwd', 'https://']) {
    assert.ok(linkify(text).every((s) => s.type === 'text'), text);
  }
  assert.deepEqual(linkify(''), []);
});

test('splitMessage keeps pieces within the byte limit without cutting a character or emoji', () => {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  assert.deepEqual(splitMessage('short', 100), ['short']);
  const chinese = '你好世界'.repeat(30); // 3 bytes each
  const pieces = splitMessage(chinese, 50);
  assert.equal(pieces.join(''), chinese);
  assert.ok(pieces.every((p) => bytes(p) <= 50 && bytes(p) > 0));
  const family = '👨‍👩‍👧'; // one grapheme, 18 bytes
  const emoji = `${family} `.repeat(10);
  const cut = splitMessage(emoji, 40);
  assert.equal(cut.join(''), emoji);
  for (const p of cut) assert.ok(bytes(p) <= 40 && p.replace(/ /g, '').length % family.length === 0, p);
  // A cut falls after a space when there is one in the second half of a piece.
  assert.deepEqual(splitMessage('aaaa bbbb cccc', 10), ['aaaa bbbb ', 'cccc']);
});

test('completeNick completes case-insensitively and cycles through the matches', () => {
  const nicks = ['bob', 'Alice', 'alfred', 'carol'];
  assert.equal(completeNick(nicks, 'al'), 'alfred');
  assert.equal(completeNick(nicks, 'al', 'alfred'), 'Alice');
  assert.equal(completeNick(nicks, 'al', 'Alice'), 'alfred');
  assert.equal(completeNick(nicks, 'AL'), 'alfred');
  assert.equal(completeNick(nicks, 'z'), undefined);
});
