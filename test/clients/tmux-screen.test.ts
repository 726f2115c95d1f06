// The full-screen client's screen in a real pseudo-terminal (tmux): a broadcast shows as an
// announcement in the buffer in view, and a resize (shrink, then grow) leaves a whole, fresh
// screen, top bar included, with nothing left over from the old size.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { PARLOR_BIN } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TMUX_MISSING, TmuxTerminal } from '../helpers/tmux.ts';

const skip = TMUX_MISSING;
/** Through tsx, a cold start compiles ink and React: allow for it. */
const START_MS = 30_000;

let t: TestServer;
let term: TmuxTerminal;

before(async () => {
  if (skip) return;
  t = await startServer();
  term = new TmuxTerminal();
});

after(async () => {
  if (skip) return;
  term.stop();
  await t.close();
});

/** The rows of the screen, trailing spaces cut. */
function screenRows(): string[] {
  return term
    .screen()
    .replace(/\n$/, '')
    .split('\n')
    .map((r) => r.replace(/ +$/, ''));
}

/** Waits until the screen is `rows` rows of at most `columns`, with the top bar first and the input line last. */
async function waitForWholeScreen(columns: number, rows: number): Promise<string[]> {
  // The input line is the last row the client draws: the terminal's last row is left empty.
  await term.waitFor(new RegExp(`^ #tea \\[2\\] tea room(?:.*\\n){${rows - 2}}\\[zed\\]`));
  const shown = screenRows();
  assert.equal(shown.length, rows, shown.join('\n'));
  for (const row of shown) assert.ok(stringWidth(row) <= columns, `row wider than ${columns}: ${row}`);
  return shown;
}

test('a broadcast is an announcement in the room in view; a shrink then a grow redraws the whole screen', { skip }, async () => {
  const amy = await t.register('amy');
  amy.send('JOIN #tea', 'TOPIC #tea :tea room');
  await amy.waitFor('TOPIC');
  term.start([process.execPath, PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'zed'], { columns: 120, rows: 30 });
  await term.waitFor(/connected as zed/, START_MS);
  term.type('/join #tea');
  await term.waitFor(/^ #tea \[2\] tea room/m);
  for (let i = 1; i <= 40; i++) amy.send(`PRIVMSG #tea :message ${i} with enough words in it to wrap on a narrow screen`);
  await term.waitFor(/message 40 with/);

  await t.server.admin.broadcast(t.server.admin.consoleActor, 'the server restarts at noon');
  await term.waitFor(new RegExp(`│\\d\\d:\\d\\d \\*\\*\\* Broadcast from ${t.server.serverName.replace(/\./g, '\\.')}: the server restarts at noon +│`));

  term.resize(60, 14);
  const small = await waitForWholeScreen(60, 14);
  assert.match(small.at(-2)!, /^\[zed\]/);
  term.resize(110, 32);
  const big = await waitForWholeScreen(110, 32);
  // Every body row has its borders in the same columns: nothing of the narrow layout is left.
  const body = big.slice(1, 30);
  const borders = new Set(body.map((row) => stringWidth(row.slice(0, row.lastIndexOf('│')))));
  assert.equal(borders.size, 1, `borders out of line:\n${big.join('\n')}`);
  assert.ok(!body.some((row) => /│ {0,2}with enough words|^ {6}in it to wrap/.test(row)), `stale rows of the narrow layout:\n${big.join('\n')}`);
  assert.match(big.at(-2)!, /^\[zed\]/);

  term.type('/quit');
  await amy.waitFor('QUIT');
});

test('without an alternate screen (GNU screen’s default), resizes leave no copy of the old screen in the scrollback', { skip }, async () => {
  const bea = await t.register('bea');
  bea.send('JOIN #cups', 'TOPIC #cups :cups room');
  await bea.waitFor('TOPIC');
  const plain = new TmuxTerminal();
  try {
    plain.start([process.execPath, PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'zed'], { columns: 120, rows: 30, alternateScreen: false });
    await plain.waitFor(/connected as zed/, START_MS);
    plain.type('/join #cups');
    await plain.waitFor(/^ #cups \[2\] cups room/m);
    for (let i = 1; i <= 30; i++) bea.send(`PRIVMSG #cups :line ${i} 这是一条很长的中文消息，用来看换行之后的样子 and some words`);
    await plain.waitFor(/line 30 这是/);
    const sizes: Array<[number, number]> = [[60, 30], [120, 30], [80, 12], [120, 30]];
    for (const [columns, rows] of sizes) {
      plain.resize(columns, rows);
      await plain.waitFor(new RegExp(`^ #cups \\[2\\] cups room(?:.*\\n){${rows - 2}}\\[zed\\]`));
    }
    const everything = plain.screen({ history: true });
    const topBars = everything.split('\n').filter((row) => row.startsWith(' #cups ['));
    assert.equal(topBars.length, 1, `the scrollback holds old screens:\n${everything}`);
    plain.type('/quit');
    await plain.waitForExit();
  } finally {
    plain.stop();
  }
});
