// The console's help laid out for a terminal's width: wrapped between words under each
// explanation, below the syntax on a narrow terminal, unwrapped through a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { commandHelpLines, helpLines } from '../../src/admin/console-help.ts';

const ENTRIES = [
  { syntax: 'users', help: 'who is connected: nick, user@address, since, idle, rooms, transport' },
  { syntax: 'ban <nick|mask> [duration] [reason]', help: 'disconnect everyone who matches and refuse them; 你好 durations like 30s' },
];

test('wide enough: the explanations in a column, wrapped between words with a hanging indent', () => {
  const lines = helpLines(ENTRIES, 72);
  for (const l of lines) assert.ok(stringWidth(l) <= 72, l);
  assert.deepEqual(lines, [
    'users                                who is connected: nick,',
    '                                     user@address, since, idle, rooms,',
    '                                     transport',
    'ban <nick|mask> [duration] [reason]  disconnect everyone who matches and',
    '                                     refuse them; 你好 durations like',
    '                                     30s',
  ]);
});

test('narrow: each explanation goes below its syntax, indented', () => {
  const lines = helpLines(ENTRIES, 40);
  for (const l of lines) assert.ok(stringWidth(l) <= 40, l);
  assert.deepEqual(lines, [
    'users',
    '    who is connected: nick,',
    '    user@address, since, idle, rooms,',
    '    transport',
    'ban <nick|mask> [duration] [reason]',
    '    disconnect everyone who matches and',
    '    refuse them; 你好 durations like 30s',
  ]);
});

test('through a pipe (no width): one line per command, as before', () => {
  assert.deepEqual(helpLines(ENTRIES, undefined), [
    'users                                who is connected: nick, user@address, since, idle, rooms, transport',
    'ban <nick|mask> [duration] [reason]  disconnect everyone who matches and refuse them; 你好 durations like 30s',
  ]);
  assert.deepEqual(commandHelpLines(ENTRIES[0]!, undefined), ['users', '  who is connected: nick, user@address, since, idle, rooms, transport']);
  assert.deepEqual(commandHelpLines(ENTRIES[0]!, 30), ['users', '  who is connected: nick,', '  user@address, since, idle,', '  rooms, transport']);
});
