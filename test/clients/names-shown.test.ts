// `/names` in the client core (the terminal client and the web client share it), against a real
// Parlor: the member lists the user asked for show in the buffer where the command was typed,
// one readable line per room, rooms the user is in included (`/names #a,#b`); the client's own
// NAMES on joining a room still refreshes the member list without a line. `parlor chat` in
// line mode prints them too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { OutputWatcher, PARLOR_BIN } from '../helpers/cli.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from './helpers.ts';

let t: TestServer;
let bob: IrcClient;
let alice: RawClient;

before(async () => {
  t = await startServer();
  alice = await t.register('nm_alice');
  alice.send('JOIN #nlobby', 'JOIN #nclub');
  await alice.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === '#nclub');
  bob = await startClient(t.port, 'nm_bob');
  for (const room of ['#nlobby', '#nclub', '#ntclub']) {
    bob.input(`/join ${room}`);
    await waitUntil(bob, () => bob.model.find(room)?.joined && bob.model.find(room)!.members.size > 0, `${room} joined`);
  }
});

after(async () => {
  await bob.quit();
  await t.close();
});

/** Lines added to a buffer after line id `mark`. */
const linesAfter = (name: string, mark: number): string[] => bob.model.find(name)!.lines.filter((l) => l.id > mark).map((l) => l.text);

describe('/names', () => {
  test('/names #a,#b in a third room shows both lists there, not in the rooms named', async () => {
    bob.select(bob.model.find('#ntclub')!.key);
    const mark = lastLineId(bob);
    bob.input('/names #nlobby,#nclub');
    await waitForLine(bob, ({ buffer, line }) => buffer.name === '#ntclub' && line.text.startsWith('#nclub:'), mark);
    assert.deepEqual(linesAfter('#ntclub', mark), ['#nlobby: 2 people: @nm_alice nm_bob', '#nclub: 2 people: @nm_alice nm_bob']);
    assert.deepEqual(linesAfter('#nlobby', mark), []);
    assert.deepEqual(linesAfter('#nclub', mark), []);
  });

  test('/names #room typed elsewhere (a room, the server buffer) shows where it was typed', async () => {
    const mark = lastLineId(bob);
    bob.input('/names #nlobby');
    await waitForLine(bob, ({ buffer, line }) => buffer.name === '#ntclub' && line.text.startsWith('#nlobby:'), mark);
    assert.deepEqual(linesAfter('#nlobby', mark), []);
    bob.select(bob.model.server.key);
    const again = lastLineId(bob);
    bob.input('/names #nclub,#nowhere');
    await waitForLine(bob, ({ buffer, line }) => buffer === bob.model.server && line.text === '#nowhere: 0 people', again);
    assert.deepEqual(
      bob.model.server.lines.filter((l) => l.id > again).map((l) => l.text),
      ['#nclub: 2 people: @nm_alice nm_bob', '#nowhere: 0 people'],
    );
  });

  test('joining a room refreshes its member list without showing it', async () => {
    const mark = lastLineId(bob);
    bob.input('/join #nfresh');
    const room = await waitUntil(bob, () => bob.model.find('#nfresh')?.joined && bob.model.find('#nfresh')!.members.size === 1 && bob.model.find('#nfresh'), '#nfresh joined');
    assert.ok(room.members.has('nm_bob'));
    assert.ok(!bob.model.buffers.some((b) => b.lines.some((l) => l.id > mark && /people|person/.test(l.text))), 'no names line');
  });
});

test('parlor chat (line mode) prints /names #a,#b for both rooms, in the room it was typed in', async () => {
  const child = spawn(process.execPath, [PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'nm_term'], { cwd: mkdtempSync(join(tmpdir(), 'parlor-names-')), stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new OutputWatcher();
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    child.stdin.write('/join #nterm\n/names #nlobby,#nclub\n');
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] #nterm .*#nlobby: 2 people: @nm_alice nm_bob$/m, 20_000);
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] #nterm .*#nclub: 2 people: @nm_alice nm_bob$/m);
    child.stdin.write('/quit\n');
    await exited;
  } finally {
    child.kill();
  }
});
