// Enter in `parlor chat` sends, in a real pseudo-terminal (tmux). Keys typed while the client is
// still starting reach a terminal in cooked mode, whose driver turns Enter into LF and holds the
// lines until the client reads them in raw mode, where LF is Ctrl-J: they were joined into one
// input with line breaks (↵) and nothing was sent. Here the client starts only once six lines
// have been typed ahead (deterministic: a shell waits for a file), and each must be sent; then
// six more, typed into the running UI, each sent as it is typed; Ctrl-J still breaks a line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PARLOR_BIN } from '../helpers/cli.ts';
import { is } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TMUX_MISSING, TmuxTerminal } from '../helpers/tmux.ts';

const skip = TMUX_MISSING;
/** Through tsx, a cold start compiles ink and React: allow for it. */
const START_MS = 30_000;
const ROOMS = Array.from({ length: 12 }, (_, i) => `#e${i + 1}`);

let t: TestServer;
let term: TmuxTerminal;
let watcher: RawClient;

before(async () => {
  if (skip) return;
  t = await startServer();
  term = new TmuxTerminal();
  watcher = await t.register('watcher');
  watcher.send(`JOIN ${ROOMS.join(',')}`);
  for (const room of ROOMS) await watcher.waitFor(is('JOIN', room));
});

after(async () => {
  if (skip) return;
  term.stop();
  await t.close();
});

/** eve's JOIN of `room`, as the watcher in it sees it; failing with what the terminal shows. */
async function eveJoins(room: string, timeoutMs = 20_000): Promise<void> {
  try {
    await watcher.waitFor((r) => is('JOIN', room)(r) && r.msg.source?.startsWith('eve!') === true, timeoutMs);
  } catch (err) {
    assert.fail(`eve did not join ${room} (${(err as Error).message}); the terminal shows:\n${term.screen()}`);
  }
}

test('lines typed (with Enter) before the client has started are each sent, not joined with ↵', { skip }, async () => {
  const go = join(term.dir, 'go');
  // The shell does not read the terminal: what is typed waits in its (cooked) line buffer.
  const wait = `echo waiting; while [ ! -e '${go}' ]; do sleep 0.05; done`;
  term.start(['sh', '-c', `${wait}; exec '${process.execPath}' '${PARLOR_BIN}' chat 127.0.0.1:${t.port} --nick eve`], { columns: 100, rows: 24 });
  await term.waitFor(/waiting/);
  for (const room of ROOMS.slice(0, 6)) term.type(`/join ${room}`);
  writeFileSync(go, '');
  // The first once the client has started and registered: a cold start takes a while.
  for (const room of ROOMS.slice(0, 6)) await eveJoins(room, room === ROOMS[0] ? START_MS : undefined);
  // The client shows the last room joined, and an empty input: nothing was left in it.
  const screen = (await term.waitFor(/You joined #e6/)).input;
  assert.doesNotMatch(screen, /↵/, 'no line break left in the input');
  assert.equal(screen.trimEnd().split('\n').at(-1)?.trimEnd(), '[eve]', screen);
});

test('in the running client each line is sent as it is typed; Ctrl-J breaks a line', { skip }, async () => {
  for (const room of ROOMS.slice(6)) {
    term.type(`/join ${room}`);
    await eveJoins(room);
  }
  term.tmux('send-keys', '-t', 'main', '-l', 'one');
  term.keys('C-j');
  term.tmux('send-keys', '-t', 'main', '-l', 'two');
  await term.waitFor(/\[eve\] one↵ *\n +two/);
  term.keys('Enter');
  // One message of two lines: a client without draft/multiline gets them as two PRIVMSGs.
  const fromEve = (r: Received) => is('PRIVMSG', '#e12')(r) && r.msg.source?.startsWith('eve!') === true;
  assert.equal((await watcher.waitFor(fromEve)).msg.params[1], 'one');
  assert.equal((await watcher.waitFor(fromEve)).msg.params[1], 'two');
});
