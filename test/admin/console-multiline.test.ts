// A multi-line message (IRCv3 draft/multiline) to the admin pseudo-user on the admin console:
// each further line indented under the first one's text, the hint to answer at the end of the
// last; control characters in any line shown, never acted on. Over a real socket, with the
// console reading and writing through pipes.
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inboxLines, startConsole, type AdminConsole } from '../../src/admin/console.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let console_: AdminConsole;
const output = new PassThrough({ encoding: 'utf8' });
let printed = '';
output.on('data', (chunk: string) => (printed += chunk));

before(async () => {
  // Chinese nicks too: the indent is measured in columns.
  t = await startServer({ server: { casemapping: 'precis' } });
  console_ = startConsole(t.server, { input: new PassThrough(), output, terminal: false });
});

after(async () => {
  console_.close();
  await t.close();
});

/** Waits (on the console's own output, not on time) until it has printed a line matching `re`. */
async function printedLine(re: RegExp): Promise<string[]> {
  for (let i = 0; i < 500 && !re.test(printed); i++) await new Promise<void>((resolve) => output.once('data', () => resolve()));
  assert.match(printed, re);
  return printed.split('\n');
}

test('a multiline batch to admin: the lines under the first, indented to its text; the answer hint last', async () => {
  const c = await t.register('张伟', ['batch', 'draft/multiline']);
  c.send('BATCH +m draft/multiline admin', '@batch=m PRIVMSG admin :first line', '@batch=m PRIVMSG admin :第二行', '@batch=m PRIVMSG admin :', '@batch=m PRIVMSG admin :\x1b[2Jlast', 'BATCH -m');
  const lines = await printedLine(/\^\[\[2Jlast/);
  const first = lines.findIndex((l) => l.includes('first line'));
  assert.match(lines[first]!, /^\[\d\d:\d\d:\d\d\] <张伟> first line$/);
  // "[hh:mm:ss] <张伟> " is 18 columns wide (张伟 takes four).
  const indent = ' '.repeat(18);
  assert.deepEqual(lines.slice(first + 1, first + 4), [`${indent}第二行`, '', `${indent}^[[2Jlast    (answer: say 张伟 …)`]);
  c.close();
});

test('a one-line message keeps its one line', () => {
  assert.deepEqual(inboxLines({ from: 'bob', mask: 'bob!bob@h', command: 'NOTICE', text: 'hi', time: Date.UTC(2026, 0, 1, 12, 0, 0) }).length, 1);
  const [line] = inboxLines({ from: 'bob', mask: 'bob!bob@h', command: 'NOTICE', text: 'hi', time: Date.UTC(2026, 0, 1, 12, 0, 0) });
  assert.match(line!, /^\[\d\d:\d\d:\d\d\] -bob- hi {4}\(answer: say bob …\)$/);
});
