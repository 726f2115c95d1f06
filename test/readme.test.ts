// The README's "What it does" must stay complete and true: every command of the command table
// and every capability Parlor offers is named there (in backticks), and nothing is named
// there as a command or capability that Parlor does not have.
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPABILITIES } from '../src/protocol/caps.ts';
import { COMMANDS } from '../src/server/command-table.ts';

async function whatItDoes(): Promise<string> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## What it does\n');
  assert.ok(start !== -1, 'README has a "What it does" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** Every `quoted` word of the text. */
function quoted(text: string): Set<string> {
  const words = new Set<string>();
  for (const part of text.split('`').filter((_, i) => i % 2 === 1)) words.add(part);
  return words;
}

test('README "What it does" names every command of the command table', async () => {
  const named = quoted(await whatItDoes());
  const spelled = new Set([...named].flatMap((w) => w.split(/[\s/]+/)));
  const missing = [...COMMANDS.keys()].filter((verb) => !spelled.has(verb));
  assert.deepEqual(missing, [], `commands missing from the README: ${missing.join(' ')}`);
});

test('README "What it does" names every capability Parlor offers', async () => {
  const named = quoted(await whatItDoes());
  const missing = CAPABILITIES.filter((cap) => !named.has(cap));
  assert.deepEqual(missing, [], `capabilities missing from the README: ${missing.join(' ')}`);
});

test('every all-capitals word the README quotes there as a command is one', async () => {
  const named = [...quoted(await whatItDoes())].flatMap((w) => w.split(/[\s/]+/));
  // Words that are not commands but appear quoted: replies and examples.
  const notCommands = new Set(['FAIL', 'FOO_BAR', 'ERROR', 'ERR_INPUTTOOLONG']);
  const unknown = named.filter((w) => /^[A-Z]{3,}$/.test(w) && !notCommands.has(w) && !COMMANDS.has(w));
  assert.deepEqual(unknown, [], `named as commands but not in the table: ${unknown.join(' ')}`);
});
