import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipUtf8 } from '../../src/protocol/text.ts';

test('clipUtf8 counts bytes and never splits a character', () => {
  assert.equal(clipUtf8('hello', 10), 'hello');
  assert.equal(clipUtf8('hello', 3), 'hel');
  assert.equal(clipUtf8('你好世界', 7), '你好'); // 3 bytes each
  assert.equal(clipUtf8('你好世界', 9), '你好世');
  assert.equal(clipUtf8('a😀b', 4), 'a'); // the emoji takes 4 bytes
  assert.equal(clipUtf8('a😀b', 5), 'a😀');
  assert.equal(clipUtf8('é', 1), '');
  assert.equal(clipUtf8('', 0), '');
});
