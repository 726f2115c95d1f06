// `parlor chat` in line mode, run as a real process with pipes: it waits for registration
// before sending what it reads, prints each event as one timestamped line, and quits
// cleanly on /quit or at the end of its input.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputWatcher, PARLOR_BIN, runParlor, within } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CWD = mkdtempSync(join(tmpdir(), 'parlor-chat-line-'));
/** The chat process starts through tsx: allow for a slow first compile. */
const START_MS = 20_000;

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(() => t.close());

test('sends typed lines to the room, prints what others say, exits 0 on /quit', async () => {
  const watcher = await t.register('watcher');
  watcher.send('JOIN #a');
  await watcher.waitFor('366');

  const child = spawn(process.execPath, [PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'bot'], { cwd: CWD, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new OutputWatcher();
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  try {
    // Written at once, before the client has even connected: it must wait to register.
    child.stdin.write('/join #a\nhello from bot 你好 👋\n/me waves\n');
    const joined = await watcher.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('bot!') === true, START_MS);
    assert.equal(joined.msg.params[0], '#a');
    const said = await watcher.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('bot!') === true);
    assert.deepEqual(said.msg.params, ['#a', 'hello from bot 你好 👋']);
    const action = await watcher.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('bot!') === true);
    assert.deepEqual(action.msg.params, ['#a', '\x01ACTION waves\x01']);

    await out.waitFor(/^\[\d\d:\d\d:\d\d\] #a -!- You joined #a$/m);
    watcher.send('PRIVMSG #a :hi bot, 欢迎 🎉');
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] #a <watcher> hi bot, 欢迎 🎉$/m);
    watcher.send('PRIVMSG bot :a private word');
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] watcher <watcher> a private word$/m);

    // After /msg, plain text goes to that person.
    child.stdin.write('/msg watcher psst\nand more\n');
    const p1 = await watcher.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === 'watcher');
    const p2 = await watcher.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === 'watcher');
    assert.deepEqual([p1.msg.params[1], p2.msg.params[1]], ['psst', 'and more']);

    // Errors are printed where they belong.
    child.stdin.write('/msg nobody hello\n');
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] watcher !! nobody: No such nick\/channel$/m);

    child.stdin.write('/quit done for today\n');
    const quit = await watcher.waitFor((r) => r.msg.command === 'QUIT' && r.msg.source?.startsWith('bot!') === true);
    assert.equal(quit.msg.params[0], 'Quit: done for today');
    assert.equal(await within(exited, 10_000, 'chat to exit'), 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the end of the input quits and exits 0; output lines are one per event', async () => {
  const watcher = await t.register('w2');
  watcher.send('JOIN #b');
  await watcher.waitFor('366');
  const r = await runParlor(CWD, ['chat', '127.0.0.1', '--port', String(t.port), '--nick', 'piper'], '/join #b\nhello\n', START_MS);
  assert.equal(r.code, 0, r.stderr);
  const said = await watcher.waitFor((m) => m.msg.command === 'PRIVMSG');
  assert.deepEqual(said.msg.params, ['#b', 'hello']);
  const quit = await watcher.waitFor('QUIT');
  assert.equal(quit.msg.source?.split('!')[0], 'piper');
  const lines = r.stdout.trimEnd().split('\n');
  for (const line of lines) assert.match(line, /^\[\d\d:\d\d:\d\d\] \S+ \S+ /);
  assert.ok(lines.some((l) => /^\[[\d:]+\] \* -!- Welcome to the .* piper!/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^\[[\d:]+\] #b <piper> hello$/.test(l)), 'own message echoed');
});

test('a nick in use is replaced by nick_ and the script goes on', async () => {
  const holder = await t.register('dup');
  holder.send('JOIN #c');
  await holder.waitFor('366');
  const r = await runParlor(CWD, ['chat', `127.0.0.1:${t.port}`, '--nick', 'dup'], '/join #c\nfrom the second dup\n', START_MS);
  assert.equal(r.code, 0, r.stderr);
  const said = await holder.waitFor((m) => m.msg.command === 'PRIVMSG');
  assert.equal(said.msg.source?.split('!')[0], 'dup_');
  assert.match(r.stdout, /^\[[\d:]+\] \* !! dup: Nickname is already in use$/m);
});

test('an unreachable server: reconnect attempts are reported; the end of input stops them', async () => {
  const closed = await startServer();
  const port = closed.port;
  await closed.close();
  const r = await runParlor(CWD, ['chat', `127.0.0.1:${port}`, '--nick', 'lonely'], '', START_MS);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\* !! Disconnected: Connection refused/);
});

test('an unreachable server and lines still to send: once the input is over it gives up, says so, exit code 1', async () => {
  const closed = await startServer();
  const port = closed.port;
  await closed.close();
  const r = await runParlor(CWD, ['chat', `127.0.0.1:${port}`, '--nick', 'lonely'], 'hello\n/quit\n', START_MS);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /\* !! The input has ended and the server cannot be reached: giving up/);
});

test('stays connected while its input is open, however quiet; the end of the input says why it quits', async () => {
  const watcher = await t.register('w4');
  watcher.send('JOIN #d');
  await watcher.waitFor('366');
  const child = spawn(process.execPath, [PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'patient'], { cwd: CWD, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new OutputWatcher();
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  try {
    child.stdin.write('/join #d\n');
    await out.waitFor(/^\[[\d:]+\] #d -!- You joined #d$/m, START_MS);
    // Nothing is typed, yet the client is still there: it shows what the room says.
    watcher.send('PRIVMSG #d :still there?');
    await out.waitFor(/<w4> still there\?$/m);
    assert.equal(child.exitCode, null, `chat quit while its input was open:\n${out.text}${stderr}`);
    child.stdin.write('said late\n');
    const said = await watcher.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('patient!') === true);
    assert.deepEqual(said.msg.params, ['#d', 'said late']);
    child.stdin.end();
    await out.waitFor(/^\[[\d:]+\] \* -!- End of input: quitting\.$/m);
    const quit = await watcher.waitFor((r) => r.msg.command === 'QUIT' && r.msg.source?.startsWith('patient!') === true);
    assert.equal(quit.msg.command, 'QUIT');
    assert.equal(await within(exited, 10_000, 'chat to exit'), 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('stdin is /dev/null (a background job): it says why it quits at once, and the server’s goodbye is no error', async () => {
  const child = spawn(process.execPath, [PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'nobody_in'], { cwd: CWD, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  try {
    assert.equal(await within(exited, START_MS, 'chat to exit'), 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  assert.match(stdout, /^\[[\d:]+\] \* -!- End of input: quitting\.$/m);
  // The QUIT goes before the welcome: the registration that completes does not make the goodbye an error.
  assert.match(stdout, /^\[[\d:]+\] \* -!- Closing Link: .*\(Quit\)$/m);
  assert.doesNotMatch(stdout, / !! /);
});
