// `parlor chat` (line mode, a real process) with ban and invite exceptions: a +e and a +I set
// by a plain IRC client print as sentences, and /except and /invex, once the terminal user is
// the room's operator, set entries the plain client sees and list them in words.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputWatcher, PARLOR_BIN, within } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CWD = mkdtempSync(join(tmpdir(), 'parlor-chat-exceptions-'));
/** The chat process starts through tsx: allow for a slow first compile. */
const START_MS = 20_000;

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(() => t.close());

test('a terminal user reads +e/+I in words, sets them with /except and /invex, and lists them', async () => {
  const op = await t.register('tx_op');
  op.send('JOIN #tx');
  await op.waitFor('366');

  const child = spawn(process.execPath, [PARLOR_BIN, 'chat', `127.0.0.1:${t.port}`, '--nick', 'tx_term', '--lang', 'en'], { cwd: CWD, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new OutputWatcher();
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  try {
    child.stdin.write('/join #tx\n');
    await op.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('tx_term!') === true, START_MS);
    op.send('MODE #tx +eI $a:carol *!*@guests.example');
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] #tx .*tx_op exempts anyone logged in as carol from the room's bans$/m);
    await out.waitFor(/^\[\d\d:\d\d:\d\d\] #tx .*tx_op lets \*!\*@guests\.example join without an invitation$/m);

    op.send('MODE #tx +o tx_term');
    await out.waitFor(/tx_op sets mode \+o tx_term$/m);
    child.stdin.write('/except dave\n/invex #tx $a\n');
    const set = await op.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+e');
    assert.deepEqual(set.msg.params, ['#tx', '+e', 'dave!*@*']);
    assert.deepEqual((await op.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+I')).msg.params, ['#tx', '+I', '$a']);
    await out.waitFor(/tx_term exempts dave!\*@\* from the room's bans$/m);

    child.stdin.write('/invex\n');
    await out.waitFor(/#tx lets anyone logged in join without an invitation \(set by tx_term, [^)]+\)$/m);
    await out.waitFor(/#tx: 2 invite exceptions$/m);

    child.stdin.write('/quit\n');
    assert.equal(await within(exited, 10_000, 'chat to exit'), 0, stderr);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
