// The README's "Behind a proxy" examples, run as written with Debian's HAProxy (IRC, PROXY
// protocol v2 and v1) and nginx (web port, WebSocket upgrade, X-Forwarded-For): the configs are
// cut out of README.md, only the ports put in. Clients connect from 127.0.0.2 (all of 127/8 is
// loopback on Linux) while the proxies reach Parlor from 127.0.0.1, so Parlor seeing 127.0.0.2
// proves the address came through the proxy. Skipped when haproxy or nginx is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { cleanupOnExit } from '../helpers/cleanup-on-exit.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const HAPROXY = '/usr/sbin/haproxy';
const NGINX = '/usr/sbin/nginx';
const STARTUP_MS = 10_000;

/** The first ```lang block of README's "Behind a proxy" section. */
function readmeBlock(lang: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Behind a proxy\n');
  assert.ok(start !== -1, 'README has a "Behind a proxy" section');
  const end = readme.indexOf('\n### ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const open = section.indexOf('```' + lang + '\n');
  assert.ok(open !== -1, `the section has a ${lang} block`);
  const body = section.slice(open + lang.length + 4);
  return body.slice(0, body.indexOf('```'));
}

/** `text` with `from` (which must be there) replaced everywhere by `to`. */
function substitute(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the example holds ${from}`);
  return text.split(from).join(to);
}

/** A port free a moment ago. */
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

/** Resolves once `port` takes connections; fails if the process exits first or the deadline passes. */
async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}): ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`the proxy is not listening on ${port}: ${output()}`);
    // Polling a condition (the port opening), not waiting for time to pass.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A started proxy process, stopped (and waited for) in after(), or on exit at worst. */
async function runProxy(command: string, args: string[], port: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const cancel = cleanupOnExit(() => child.kill('SIGKILL'));
  await listening(port, child, () => output);
  return {
    async stop() {
      cancel();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Parlor as the README's yaml block configures it, with a web port (for nginx). */
async function parlor(): Promise<TestServer> {
  const input = parseYaml(readmeBlock('yaml')) as ConfigInput;
  assert.deepEqual(input.proxy?.trusted, ['127.0.0.1']);
  return startServer({ ...input, connections: { exempt: [] }, web: { enabled: true, port: 0 } });
}

function addressOf(t: TestServer, nick: string): string | undefined {
  return [...t.server.sessions].find((s) => s.user?.nick === nick)?.conn.remoteAddress;
}

async function register(c: RawClient, nick: string): Promise<void> {
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
}

for (const [variant, directive] of [
  ['v2', 'send-proxy-v2'],
  ['v1', 'send-proxy'],
] as const) {
  describe(`HAProxy in front of the IRC port (PROXY protocol ${variant})`, { skip: existsSync(HAPROXY) ? false : 'haproxy is not installed (apt-get install haproxy)' }, () => {
    let t: TestServer;
    let dir: string;
    let proxy: { stop(): Promise<void> } | undefined;
    let port: number;
    const clients: RawClient[] = [];
    before(async () => {
      t = await parlor();
      dir = mkdtempSync(join(tmpdir(), 'parlor-haproxy-'));
      port = await freePort();
      let config = substitute(readmeBlock('haproxy'), 'bind :6667', `bind 127.0.0.1:${port}`);
      config = substitute(config, '127.0.0.1:6666', `127.0.0.1:${t.port}`);
      if (directive !== 'send-proxy-v2') config = substitute(config, 'send-proxy-v2', directive);
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, config);
      proxy = await runProxy(HAPROXY, ['-db', '-f', file], port);
    });
    after(async () => {
      for (const c of clients) c.close();
      await proxy?.stop();
      await t?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('Parlor sees the client\'s address, not the proxy\'s; a ban on it refuses that client alone', async () => {
      const alice = await RawClient.connectFrom('127.0.0.2', port);
      clients.push(alice);
      await register(alice, 'hapalice');
      assert.equal(addressOf(t, 'hapalice'), '127.0.0.2');
      alice.send('WHOIS hapalice');
      assert.equal((await alice.waitFor('311')).msg.params[3], '127.0.0.2');

      await runConsoleLine(t.server, 'ban 127.0.0.2 1h behind the proxy');
      await alice.waitFor('465');
      await alice.waitClose();
      const again = await RawClient.connectFrom('127.0.0.2', port);
      clients.push(again);
      await again.waitFor('465');
      const bob = await RawClient.connectFrom('127.0.0.3', port);
      clients.push(bob);
      await register(bob, 'hapbob');
      assert.equal(addressOf(t, 'hapbob'), '127.0.0.3');
    });
  });
}

describe('nginx in front of the web port (X-Forwarded-For, WebSocket upgrade)', { skip: existsSync(NGINX) ? false : 'nginx is not installed (apt-get install nginx)' }, () => {
  let t: TestServer;
  let dir: string;
  let proxy: { stop(): Promise<void> } | undefined;
  let port: number;
  const sockets: WebSocket[] = [];
  before(async () => {
    t = await parlor();
    dir = mkdtempSync(join(tmpdir(), 'parlor-nginx-'));
    port = await freePort();
    let site = substitute(readmeBlock('nginx'), 'listen 80;', `listen 127.0.0.1:${port};`);
    site = substitute(site, 'http://127.0.0.1:8080', `http://127.0.0.1:${t.server.webAddress!.port}`);
    const config = [
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`),
      site,
      '}',
      '',
    ].join('\n');
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, config);
    // -e: the error log before the config is read (the default path may not be writable).
    proxy = await runProxy(NGINX, ['-e', join(dir, 'error.log'), '-p', dir, '-c', file], port);
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await proxy?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Registers `nick` over a WebSocket through nginx from `localAddress`; resolves with the lines once registered, or closed. */
  function webClient(nick: string, localAddress: string, headers: Record<string, string> = {}): Promise<string[]> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/irc`, 'text.ircv3.net', { localAddress, headers, origin: `http://127.0.0.1:${port}` });
    sockets.push(ws);
    const lines: string[] = [];
    return new Promise((resolve, reject) => {
      ws.on('open', () => {
        ws.send(`NICK ${nick}`);
        ws.send(`USER ${nick} 0 * :${nick}`);
      });
      ws.on('message', (data) => {
        lines.push(String(data));
        if (/^:\S+ (376|422) /.test(String(data))) resolve(lines);
      });
      ws.on('close', () => resolve(lines));
      ws.on('error', reject);
    });
  }

  test('the WebSocket through nginx is the client\'s address, a forged X-Forwarded-For notwithstanding; a ban on it refuses that client alone', async () => {
    const page = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(page.status, 200);

    await webClient('ngxalice', '127.0.0.2', { 'X-Forwarded-For': '6.6.6.6' });
    assert.equal(addressOf(t, 'ngxalice'), '127.0.0.2');

    await runConsoleLine(t.server, 'ban 127.0.0.2 1h behind nginx');
    const refused = await webClient('ngxagain', '127.0.0.2');
    assert.ok(refused.some((l) => / 465 /.test(l)), refused.join('\n'));
    await webClient('ngxbob', '127.0.0.3');
    assert.equal(addressOf(t, 'ngxbob'), '127.0.0.3');
  });
});
