// The client core against another server, Debian's ngIRCd: no echo-message and no
// server-time there, so local echo and local times are used. Skipped when ngircd is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { OutputWatcher, within } from '../helpers/cli.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from './helpers.ts';

const NGIRCD = '/usr/sbin/ngircd';
const missing = existsSync(NGIRCD) ? undefined : 'ngircd is not installed (apt-get install ngircd)';
/** ngIRCd slows down clients that send many commands (penalty time): allow for it. */
const SLOW = 15_000;

let dir: string;
let child: ChildProcess | undefined;
let port: number;
const clients: IrcClient[] = [];
const raws: RawClient[] = [];

/** A port free a moment ago, for ngircd to listen on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

before(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'parlor-ngircd-'));
  port = await freePort();
  const conf = join(dir, 'ngircd.conf');
  writeFileSync(
    conf,
    [
      '[Global]',
      'Name = irc.ngtest',
      'Info = ngircd for parlor chat tests',
      'Listen = 127.0.0.1',
      `Ports = ${port}`,
      'MotdPhrase = hello from ngircd',
      '[Limits]',
      'MaxConnectionsIP = 0',
      '[Options]',
      'PAM = no',
      'Ident = no',
      'DNS = no',
      'RequireAuthPing = no',
      '',
    ].join('\n'),
  );
  child = spawn(NGIRCD, ['-n', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = new OutputWatcher();
  child.stdout!.setEncoding('utf8').on('data', (c: string) => log.feed(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => log.feed(c));
  await log.waitFor(/Now listening on \[127\.0\.0\.1\]:\d+/, 10_000);
});

after(async () => {
  if (missing) return;
  // Bounded: a client stuck reconnecting must not hold the suite.
  await within(Promise.all(clients.map((c) => c.quit())), 5_000, 'the clients to quit').catch(() => {});
  for (const r of raws) r.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await within(exited, 10_000, 'ngircd to stop');
  }
  rmSync(dir, { recursive: true, force: true });
});

async function raw(nick: string): Promise<RawClient> {
  const r = await RawClient.connect(port);
  raws.push(r);
  r.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await r.waitFor((m) => m.msg.command === '376' || m.msg.command === '422', SLOW);
  return r;
}

async function client(nick: string): Promise<IrcClient> {
  const c = await startClient(port, nick, {}, SLOW);
  clients.push(c);
  return c;
}

test('ngIRCd: registers, talks in a room with local echo, falls back on a taken nick, routes errors', { skip: missing, timeout: 60_000 }, async () => {
  const c = await client('parlorbot');
  assert.ok(!c.caps.has('echo-message'), 'ngIRCd has no echo-message');
  assert.ok(c.caps.has('multi-prefix'), 'but it has multi-prefix');
  assert.ok(c.model.server.lines.some((l) => /hello from ngircd/.test(l.text)), 'the MOTD shows');

  const peer = await raw('ngpeer');
  peer.send('JOIN #ng');
  await peer.waitFor('366', SLOW);
  c.input('/join #ng');
  const room = await waitUntil(c, () => c.model.find('#ng')?.members.has('ngpeer') && c.model.find('#ng'), '#ng with ngpeer', SLOW);
  assert.equal(room.members.get('ngpeer')!.prefixes, '@');

  const mark = lastLineId(c);
  peer.send('PRIVMSG #ng :你好 parlorbot 👋');
  const heard = await waitForLine(c, (s) => s.line.kind === 'message' && s.line.from === 'ngpeer', mark, SLOW);
  assert.equal(heard.buffer, room);
  assert.equal(heard.line.mention, true);

  c.input('hello from parlor 🎉');
  const got = await peer.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#ng', SLOW);
  assert.equal(got.msg.params[1], 'hello from parlor 🎉');
  assert.equal(room.lines.filter((l) => l.self && l.text === 'hello from parlor 🎉').length, 1, 'echoed locally, once');

  peer.send('MODE #ng +v parlorbot');
  await waitUntil(c, () => room.members.get('parlorbot')?.prefixes === '+', 'voice', SLOW);

  // NICKLEN is 9 here: parlorbot_ is refused as too long (432), so the next try is cut to fit.
  const second = await client('parlorbot');
  assert.equal(second.model.nick, 'parlorb__');

  const before = lastLineId(c);
  c.input('/whois nobodyhere');
  const error = await waitForLine(c, (s) => s.line.kind === 'error', before, SLOW);
  assert.equal(error.buffer, room, 'an error about nobody in particular shows in the current buffer');
  assert.match(error.line.text, /^nobodyhere: /);
});
