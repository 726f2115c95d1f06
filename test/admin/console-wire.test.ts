// Text typed at the console of a real `parlor serve` process (through a pipe) never puts CR,
// LF or NUL on the wire: a kick reason or a broadcast holding NUL reaches clients without it,
// a CR ends the console line (readline) rather than forging an IRC line, and a broadcast is
// held to admin.textBytes like the panel's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegExp, startParlor, type ParlorProcess } from '../helpers/cli.ts';
import type { RawClient } from '../helpers/raw-client.ts';

const NAME = 'wire.parlor';
const YAML = `server:\n  name: ${NAME}\n  motd: "wire tests"\nflood:\n  burst: 100000\n  commandsPerSecond: 100000\n`;
const FORGED = ':evil!e@e PRIVMSG viewer :forged';

let dir: string;
let srv: ParlorProcess;
let viewer: RawClient;
let alice: RawClient;
let bob: RawClient;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parlor-console-wire-'));
  const config = join(dir, 'parlor.yaml');
  await writeFile(config, YAML);
  srv = await startParlor(dir, ['--config', config]);
  viewer = await srv.register('viewer');
  alice = await srv.register('alice');
  bob = await srv.register('bob');
  for (const c of [viewer, alice, bob]) {
    c.send('JOIN #chat');
    await c.waitFor((r) => r.msg.command === '366');
  }
});
after(async () => {
  await srv.stop();
  await rm(dir, { recursive: true, force: true });
});

const line = (text: string): RegExp => new RegExp(`^${escapeRegExp(text)}$`, 'm');

async function stillChatting(text: string): Promise<void> {
  alice.send(`PRIVMSG #chat :${text}`);
  await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
}

function assertClean(c: RawClient): void {
  for (const { raw } of c.received) {
    assert.ok(!raw.includes('\0') && !raw.includes('\r'), `NUL or CR on the wire: ${JSON.stringify(raw)}`);
    assert.ok(!raw.startsWith(':evil!'), `a forged line: ${raw}`);
  }
}

test('a kick reason with NUL: the QUIT the room sees and the victim’s ERROR carry none', async () => {
  const victim = await srv.register('victim');
  victim.send('JOIN #chat');
  await victim.waitFor((r) => r.msg.command === '366');
  await viewer.waitFor((r) => r.msg.command === 'JOIN' && r.raw.startsWith(':victim!'));
  srv.send('kick victim bye\0now');
  const quit = await viewer.waitFor((r) => r.msg.command === 'QUIT' && r.raw.startsWith(':victim!'));
  assert.equal(quit.msg.params[0], 'Killed (admin (byenow))');
  assert.match((await victim.waitFor('ERROR')).raw, /\(Killed \(admin \(byenow\)\)\)$/);
  assertClean(victim);
  assertClean(viewer);
  await stillChatting('after the NUL kick');
});

test('a CR in a kick reason ends the console line: the rest is a console command, never an IRC line', async () => {
  const victim = await srv.register('victim2');
  victim.send('JOIN #chat');
  await victim.waitFor((r) => r.msg.command === '366');
  await viewer.waitFor((r) => r.msg.command === 'JOIN' && r.raw.startsWith(':victim2!'));
  srv.send(`kick victim2 bye\r${FORGED}`);
  const quit = await viewer.waitFor((r) => r.msg.command === 'QUIT' && r.raw.startsWith(':victim2!'));
  assert.equal(quit.msg.params[0], 'Killed (admin (bye))');
  await srv.stdout.waitFor(/unknown command/i);
  await viewer.sync();
  assertClean(viewer);
  await stillChatting('after the CR kick');
});

test('a broadcast with NUL arrives without it; one over admin.textBytes (400) is refused at the console', async () => {
  await srv.command('broadcast all\0 hands', line('broadcast sent to 3 user(s)'));
  const notice = await viewer.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[0] === '$*');
  assert.equal(notice.raw, `:${NAME} NOTICE $* :all hands`);
  await srv.command(`broadcast ${'é'.repeat(201)}`, line('error: The text is too long: 402 bytes, at most 400'));
  await srv.command(`say #chat ${'é'.repeat(201)}`, line('error: The text is too long: 402 bytes, at most 400'));
  await viewer.sync();
  assert.ok(!viewer.received.some((r) => r.raw.includes('éé')), 'nothing of the refused text was sent');
  assertClean(viewer);
  await stillChatting('after the broadcasts');
});
