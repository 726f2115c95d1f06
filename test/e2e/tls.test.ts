// TLS end to end with real processes: `parlor gen-cert` makes the pair, `parlor serve
// --tls-cert/--tls-key` listens on a TLS port and reloads the certificate on SIGHUP without
// dropping anyone, `parlor chat --tls-ca` and irssi -tls connect to it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputWatcher, PARLOR_BIN, runParlor, startParlor, within, type ParlorProcess } from '../helpers/cli.ts';
import { Irssi, irssiMissing, waitForText } from '../helpers/irssi.ts';
import { RawClient } from '../helpers/raw-client.ts';

const DIR = mkdtempSync(join(tmpdir(), 'parlor-tls-e2e-'));
const CERT = join(DIR, 'tls', 'cert.pem');
const KEY = join(DIR, 'tls', 'key.pem');
/** Processes start through tsx: allow for a slow first compile. */
const START_MS = 20_000;

function fingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ca: readFileSync(CERT) }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('TLS with real processes', () => {
  let parlor: ParlorProcess;
  let tlsPort: number;

  before(async () => {
    const made = await runParlor(DIR, ['gen-cert', '--cert', CERT, '--key', KEY, '--days', '30']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /valid for localhost, 127\.0\.0\.1, ::1/);
    parlor = await startParlor(DIR, ['--tls-cert', CERT, '--tls-key', KEY, '--tls-port', '0', '--log-level', 'info', '--log-format', 'json', '--data-dir', join(DIR, 'data')]);
    tlsPort = Number((await parlor.stdout.waitFor(/^parlor tls on 127\.0\.0\.1:(\d+)$/m))[1]);
  });

  after(async () => {
    await parlor?.stop();
    rmSync(DIR, { recursive: true, force: true });
  });

  test('gen-cert writes the key for its owner only and will not overwrite without --force', async () => {
    assert.equal(statSync(KEY).mode & 0o777, 0o600);
    const again = await runParlor(DIR, ['gen-cert', '--cert', CERT, '--key', KEY]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; use --force/);
  });

  test('parlor chat --tls-ca talks over TLS with a plain TCP user', async () => {
    const plain = await parlor.register('plainpal');
    plain.send('JOIN #secure');
    await plain.waitFor('366');
    const child = spawn(process.execPath, [PARLOR_BIN, 'chat', `127.0.0.1:${tlsPort}`, '--tls-ca', CERT, '--nick', 'tlschat'], { cwd: DIR, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = new OutputWatcher();
    child.stdout.setEncoding('utf8').on('data', (c: string) => out.feed(c));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      child.stdin.write('/join #secure\n加密的问候 🔐\n');
      const said = await plain.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('tlschat!') === true, START_MS);
      assert.deepEqual(said.msg.params, ['#secure', '加密的问候 🔐']);
      plain.send('WHOIS tlschat');
      await plain.waitFor('671');
      plain.send('PRIVMSG #secure :received, 收到');
      await out.waitFor(/#secure <plainpal> received, 收到$/m);
      child.stdin.write('/quit\n');
      await within(exited, 10_000, 'parlor chat to exit');
    } finally {
      child.kill();
    }
  });

  test('SIGHUP reloads a renewed certificate; the open TLS connection stays', async () => {
    const stayer = await RawClient.connectTls(tlsPort, readFileSync(CERT));
    parlor.clients.push(stayer);
    stayer.send('NICK stayer', 'USER stayer 0 * :stayer');
    await stayer.waitFor('001');
    const old = await fingerprint(tlsPort);

    const renewed = await runParlor(DIR, ['gen-cert', '--cert', CERT, '--key', KEY, '--force']);
    assert.equal(renewed.code, 0, renewed.stderr);
    parlor.child.kill('SIGHUP');
    // The process reports the reload in its log (stderr, JSON); nothing else to wait on.
    await waitForText(() => parlor.stderr(), /"msg":"reloaded on SIGHUP"/, 10_000);
    const now = await fingerprint(tlsPort);
    assert.notEqual(now, old);
    stayer.send('PING :still-here');
    await stayer.waitFor('PONG');
    assert.equal(stayer.closed, false);
  });

  test('irssi connects with -tls, verifying the certificate, and chats', { skip: irssiMissing() ?? false }, async () => {
    const pal = await parlor.register('irssipal');
    // By name: irssi checks the certificate's DNS names only, not its IP addresses.
    const irssi = Irssi.start({ host: 'localhost', port: tlsPort, nick: 'tlsirssi', tlsCaFile: CERT });
    try {
      await irssi.expect(/MOTD File is missing|End of \/MOTD command/, START_MS);
      pal.send('WHOIS tlsirssi');
      await pal.waitFor('671');
      irssi.type('/msg irssipal 你好 over TLS from irssi 🔒');
      const got = await pal.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith('tlsirssi!') === true);
      assert.equal(got.msg.params[1], '你好 over TLS from irssi 🔒');
    } finally {
      await irssi.stop();
    }
  });
});
