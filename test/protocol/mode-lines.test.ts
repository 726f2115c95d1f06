import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitChannelModeParams } from '../../src/protocol/mode-lines.ts';

const size = (params: string[]): number => Buffer.byteLength(params.map((p) => ` ${p}`).join(''));

test('a MODE change that fits stays one line, as it was', () => {
  assert.deepEqual(splitChannelModeParams(['+bo-v+l', 'a!*@*', 'nick', 'other', '10'], 510), [['+bo-v+l', 'a!*@*', 'nick', 'other', '10']]);
  assert.deepEqual(splitChannelModeParams(['-lk', '*'], 510), [['-lk', '*']]);
});

test('long arguments are spread over lines, each letter with its own argument, signs repeated', () => {
  const masks = ['a', 'b', 'c', 'd'].map((l) => `${l.repeat(150)}!*@*`);
  const lines = splitChannelModeParams(['+bb-b+bn', ...masks], 320);
  for (const line of lines) assert.ok(size(line) <= 320, `${size(line)} bytes`);
  assert.deepEqual(lines, [
    ['+bb', masks[0]!, masks[1]!],
    ['-b+bn', masks[2]!, masks[3]!],
  ]);
});

test('a change too long for any line still gets a line of its own', () => {
  const huge = `${'x'.repeat(600)}!*@*`;
  assert.deepEqual(splitChannelModeParams(['+bv', huge, 'nick'], 100), [['+b', huge], ['+v', 'nick']]);
});
