// List entries (+b/+e/+I) as the server keeps and matches them: masks completed, the account
// extban ($a, $a:<mask>, $~a) in one spelling, hostile entries refused, and matching that folds
// case and stays fast on masks built to be slow.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { listEntryMatches, normalizeListEntry, parseExtban } from '../../src/network/extbans.ts';

test('normalizeListEntry: masks completed, extbans in their one spelling, unknown extbans refused', () => {
  assert.equal(normalizeListEntry('troll'), 'troll!*@*');
  assert.equal(normalizeListEntry('*@bad.example'), '*!*@bad.example');
  assert.equal(normalizeListEntry('$a'), '$a');
  assert.equal(normalizeListEntry('$~a:Bob*'), '$~a:Bob*');
  for (const unknown of ['$x', '$a:', '$ab', '$~', '$', '$r:bob', '$a:bo b']) assert.equal(normalizeListEntry(unknown), undefined, unknown);
});

test('normalizeListEntry: a mask that would not travel as one parameter is refused', () => {
  for (const bad of ['two words', ':colon', 'a,b', 'tab\there', 'nul\0', 'del\x7f', 'nbsp\u00a0x', 'ideo\u3000x', 'thin\u2009x']) {
    assert.equal(normalizeListEntry(bad), undefined, JSON.stringify(bad));
  }
  // IPv6 hosts hold colons, just not first.
  assert.equal(normalizeListEntry('*!*@2001:db8::1'), '*!*@2001:db8::1');
  assert.equal(normalizeListEntry('张三'), '张三!*@*');
});

test('listEntryMatches: $a, $a:<mask> folded with wildcards, $~a negated; masks folded', () => {
  const bob = { mask: 'Bob!u@h.example', account: 'Bobby' };
  const anon = { mask: 'anon!u@h.example', account: undefined };
  assert.ok(listEntryMatches('$a', bob));
  assert.ok(!listEntryMatches('$a', anon));
  assert.ok(listEntryMatches('$a:BOBBY', bob));
  assert.ok(listEntryMatches('$a:bo?b*', bob));
  assert.ok(!listEntryMatches('$a:bob', bob));
  assert.ok(listEntryMatches('$~a', anon));
  assert.ok(!listEntryMatches('$~a', bob));
  assert.ok(listEntryMatches('$~a:carol', bob) && listEntryMatches('$~a:carol', anon));
  assert.ok(listEntryMatches('BOB!*@*', bob));
  assert.ok(!listEntryMatches('$x:bob', bob), 'an unknown extban matches nobody');
  assert.deepEqual(parseExtban('$~a:x'), { negated: true, type: 'a', data: 'x' });
});

test('an account mask built to be slow matches at once (no RegExp, linear walk)', () => {
  const evil = `$a:${'*a'.repeat(100)}*b`;
  const subject = { mask: 'x!y@z', account: 'a'.repeat(1000) };
  const start = performance.now();
  for (let i = 0; i < 100; i++) assert.ok(!listEntryMatches(evil, subject));
  // A backtracking matcher takes years on this mask; the linear walk well under a second, even loaded.
  assert.ok(performance.now() - start < 5000, `${performance.now() - start} ms`);
});
