// The help texts and the command table are kept in step: every command has a topic, every
// topic a command, and the table refuses to build otherwise. Texts are safe on the wire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, COMMANDS } from '../../src/server/command-table.ts';
import type { CommandSpec } from '../../src/server/context.ts';
import { COMMAND_HELP, helpTopicProblems, OTHER_TOPICS } from '../../src/server/help-topics.ts';

const spec: CommandSpec = { minParams: 0, handler: () => {} };

describe('help topics', () => {
  test('every command of COMMANDS has a topic, and every topic names a command', () => {
    assert.deepEqual(helpTopicProblems(COMMANDS.keys()), []);
    for (const verb of COMMANDS.keys()) assert.ok(COMMAND_HELP[verb], verb);
    assert.deepEqual(Object.keys(COMMAND_HELP).sort(), [...COMMANDS.keys()].sort());
  });

  test('the table does not build with a command that has no topic', () => {
    const groups = [Object.fromEntries(COMMANDS), { FROBNICATE: spec }];
    assert.throws(() => buildTable(groups), /the command FROBNICATE has no HELP topic/);
  });

  test('nor with a topic whose command is gone', () => {
    const withoutJoin = Object.fromEntries([...COMMANDS].filter(([verb]) => verb !== 'JOIN'));
    assert.throws(() => buildTable([withoutJoin]), /the HELP topic JOIN names no command/);
    assert.equal(buildTable([Object.fromEntries(COMMANDS)]).size, COMMANDS.size);
  });

  test('a command may not share its name with another topic', () => {
    assert.deepEqual(helpTopicProblems([...COMMANDS.keys(), 'CMODES']).slice(-1), ['the HELP topic CMODES is also a command']);
  });

  test('every line is printable text, with a syntax and a summary for each command', () => {
    const lines = [...Object.values(COMMAND_HELP).flatMap((h) => [...h.syntax, ...h.text]), ...Object.values(OTHER_TOPICS).flat()];
    // eslint-disable-next-line no-control-regex
    for (const line of lines) assert.doesNotMatch(line, /[\x00-\x1f\x7f]/, line);
    for (const [verb, h] of Object.entries(COMMAND_HELP)) {
      assert.ok(h.syntax.length > 0 && h.text.length > 0, verb);
      assert.ok(h.syntax.every((s) => s.includes(verb)), `${verb}: its syntax names it`);
    }
  });
});
