// Multi-line input in the full-screen client, in a real pseudo-terminal (tmux): a block pasted
// with bracketed paste (`paste-buffer -p`) is ONE input, shown with ↵ at each line break and
// sent by Enter as one multiline batch to a client with draft/multiline and as its lines to one
// without; a long Chinese paragraph with a line break in it arrives whole; Alt-Enter breaks a
// line by hand; the client leaves the terminal out of bracketed-paste mode when it ends.
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PARLOR_BIN } from '../helpers/cli.ts';
import { is, joinAll } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TMUX_MISSING, TmuxTerminal } from '../helpers/tmux.ts';

const skip = TMUX_MISSING;
/** Through tsx, a cold start compiles ink and React: allow for it. */
const START_MS = 30_000;
const MULTILINE_CAPS = ['batch', 'draft/multiline', 'message-tags'];

let t: TestServer;
let term: TmuxTerminal;
let withCap: RawClient;
let plain: RawClient;

before(async () => {
  if (skip) return;
  t = await startServer();
  term = new TmuxTerminal();
  withCap = await t.register('mlcap', MULTILINE_CAPS);
  plain = await t.register('mlplain');
  await joinAll('#paste', withCap, plain);
  // After the chat, `cat -v` shows what a paste sends: with bracketed paste still on, ^[[200~.
  term.start(['sh', '-c', `'${process.execPath}' '${PARLOR_BIN}' chat 127.0.0.1:${t.port} --nick zed; echo chat ended; exec cat -v`], { columns: 100, rows: 24 });
  await term.waitFor(/connected as zed/, START_MS);
  term.type('/join #paste');
  await withCap.waitFor(is('JOIN', '#paste'));
  await plain.waitFor(is('JOIN', '#paste'));
});

after(async () => {
  if (skip) return;
  term.stop();
  await t.close();
});

/** Pastes `text` as a terminal does (LF sent as CR), bracketed when the program asked for it. */
function paste(text: string): void {
  term.tmux('set-buffer', '-b', 'clip', text);
  term.tmux('paste-buffer', '-p', '-d', '-b', 'clip', '-t', 'main');
}

/** The multiline batch `c` gets next from zed: its lines' texts and whether each is a concat line. */
async function nextBatch(c: RawClient): Promise<{ start: Received; lines: Received[] }> {
  const start = await c.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[0]!.startsWith('+') && r.msg.params[1] === 'draft/multiline');
  const ref = start.msg.params[0]!.slice(1);
  const lines: Received[] = [];
  for (;;) {
    const r = await c.waitFor((x) => x.msg.tags.batch === ref || is('BATCH', `-${ref}`)(x));
    if (r.msg.command === 'BATCH') return { start, lines };
    lines.push(r);
  }
}

/** The batch's message: lines joined by '\n', concat lines joined with nothing. */
const joined = (lines: Received[]): string => lines.map((r, i) => (i > 0 && r.msg.tags['draft/multiline-concat'] === undefined ? '\n' : '') + r.msg.params[1]).join('');

test('a pasted block of three lines is one input, shown with ↵, sent as one batch; a client without the cap gets three PRIVMSGs', { skip }, async () => {
  paste('first line\nsecond line\nthird line');
  const screen = (await term.waitFor(/third line/)).input;
  const rows = screen.split('\n').filter((row) => /line/.test(row) && !row.includes('│'));
  assert.deepEqual(
    rows.map((r) => r.trimEnd()),
    ['[zed] first line↵', '      second line↵', '      third line'],
    screen,
  );
  assert.equal(withCap.drain().filter((r) => r.msg.command === 'PRIVMSG').length, 0, 'nothing sent before Enter');

  term.keys('Enter');
  const { start, lines } = await nextBatch(withCap);
  assert.equal(start.msg.params[2], '#paste');
  assert.deepEqual(
    lines.map((r) => [r.msg.command, r.msg.params[0], r.msg.params[1]]),
    [
      ['PRIVMSG', '#paste', 'first line'],
      ['PRIVMSG', '#paste', 'second line'],
      ['PRIVMSG', '#paste', 'third line'],
    ],
  );
  for (const text of ['first line', 'second line', 'third line']) {
    const got = await plain.waitFor('PRIVMSG');
    assert.deepEqual([got.msg.source?.split('!')[0], got.msg.params[0], got.msg.params[1]], ['zed', '#paste', text]);
  }
  // The client shows it as one message, each line on a row of its own, the input empty again.
  await term.waitFor(/<zed> first line *│?\n.*second line *│?\n.*third line/);
  await term.waitFor(/\n\[zed\] *\n/);
});

test('a long Chinese paragraph with a line break in it arrives whole: cut into concat lines, one break kept', { skip }, async () => {
  const paragraph = '这是一段很长的中文段落，用来检查粘贴多行消息时不会丢字。'.repeat(10);
  paste(`${paragraph}\n第二段：完。`);
  await term.waitFor(/第二段：完。/);
  term.keys('Enter');
  const { lines } = await nextBatch(withCap);
  assert.ok(lines.length >= 3, 'the paragraph is longer than a line: cut with concat');
  assert.equal(joined(lines), `${paragraph}\n第二段：完。`);
  let plainText = '';
  while (!plainText.endsWith('第二段：完。')) plainText += (await plain.waitFor('PRIVMSG')).msg.params[1];
  assert.equal(plainText, `${paragraph}第二段：完。`, 'the plain client gets every character');
});

test('Alt-Enter breaks a line by hand; Enter sends both lines as one message', { skip }, async () => {
  term.tmux('send-keys', '-t', 'main', '-l', 'typed one');
  term.keys('M-Enter');
  term.tmux('send-keys', '-t', 'main', '-l', 'typed two');
  await term.waitFor(/\[zed\] typed one↵ *\n +typed two/);
  term.keys('Enter');
  const { lines } = await nextBatch(withCap);
  assert.equal(joined(lines), 'typed one\ntyped two');
});

test('when the client ends, the terminal is out of bracketed-paste mode', { skip }, async () => {
  // SIGTERM: the client quits as for /quit, and gives the terminal back as it was.
  const shell = Number(term.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
  const chat = Number(execFileSync('pgrep', ['-P', String(shell)], { encoding: 'utf8' }).trim().split('\n')[0]);
  process.kill(chat, 'SIGTERM');
  await withCap.waitFor(is('QUIT'));
  await term.waitFor(/chat ended/);
  // Its line break is Enter: the terminal echoes the line, then cat prints what it read.
  paste('after the chat\n');
  const screen = await term.waitFor(/after the chat.*\n(?:.*\n)*?.*after the chat/);
  assert.doesNotMatch(screen.input, /\^\[\[20[01]~/, 'a paste after the chat is not bracketed');
});
