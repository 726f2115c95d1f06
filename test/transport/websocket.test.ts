// The web port: IRC over WebSocket (text.ircv3.net) as an ordinary connection, the health
// endpoint, static files, and the Origin allow-list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseLine } from '../../src/protocol/message.ts';
import { join as joinRoom } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const STATIC = mkdtempSync(join(tmpdir(), 'parlor-web-'));
writeFileSync(join(STATIC, 'index.html'), '<!doctype html><title>Parlor</title>');

let t: TestServer;
let base: string;
before(async () => {
  t = await startServer({ web: { enabled: true, port: 0, staticDir: STATIC, allowedOrigins: ['https://allowed.example'] } });
  const web = t.server.webAddress!;
  base = `${web.host}:${web.port}`;
});
after(() => t.close());

/** A WebSocket IRC client that keeps every line and waits for one that matches. */
class WsClient {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const line = data.toString();
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.re.test(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }
  static open(headers: Record<string, string> = {}, protocol = 'text.ircv3.net'): Promise<WsClient> {
    const ws = new WebSocket(`ws://${base}/irc`, protocol, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  send(line: string): void {
    this.ws.send(line);
  }
  waitFor(re: RegExp): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen) {
      this.lines.splice(this.lines.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got ${this.lines.slice(-5).join(' | ')}`)), 5000);
      this.waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }
}

test('a WebSocket client negotiates text.ircv3.net, registers and chats with a TCP client', async () => {
  const web = await WsClient.open();
  assert.equal(web.ws.protocol, 'text.ircv3.net');
  web.send('CAP LS 302');
  web.send('NICK webby');
  web.send('USER webby 0 * :Web User');
  await web.waitFor(/^CAP|^:\S+ CAP \* LS/);
  web.send('CAP END');
  const welcome = await web.waitFor(/ 001 webby /);
  assert.ok(!welcome.endsWith('\r\n'), 'one line per message, without CR LF');
  const tcp = await t.register('tcpuser');
  await joinRoom(tcp, 'tcpuser', '#web');
  web.send('JOIN #web');
  await web.waitFor(/ 366 webby #web /);
  await tcp.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('webby!') === true);
  web.send('PRIVMSG #web :你好 from the browser 🎉');
  const got = await tcp.waitFor('PRIVMSG');
  assert.equal(got.raw, ':webby!webby@127.0.0.1 PRIVMSG #web :你好 from the browser 🎉');
  tcp.send('PRIVMSG #web :hello websocket');
  const back = parseLine(await web.waitFor(/PRIVMSG #web :hello websocket/));
  assert.equal(back.source, 'tcpuser!tcpuser@127.0.0.1');
  const whois = t.server.sessions.values();
  assert.ok([...whois].some((s) => s.conn.transport === 'websocket' && s.user?.nick === 'webby'));
  web.ws.close();
});

test('a browser page from another origin is refused unless allowed; its own origin is fine', async () => {
  await assert.rejects(WsClient.open({ Origin: 'https://evil.example' }), /HTTP 403/);
  const allowed = await WsClient.open({ Origin: 'https://allowed.example' });
  allowed.ws.close();
  const same = await WsClient.open({ Origin: `http://${base}` });
  same.ws.close();
});

test('bad input over WebSocket gets the same replies as over TCP, and the connection stays', async () => {
  const c = await WsClient.open();
  c.send('NICK wsbad');
  c.send('USER wsbad 0 * :x');
  await c.waitFor(/ 001 wsbad /);
  c.send(`PRIVMSG wsbad :${'x'.repeat(600)}`);
  await c.waitFor(/ 417 wsbad :Input line was too long/);
  c.ws.send(Buffer.from([0x50, 0x49, 0x4e, 0x47, 0x20, 0xff]));
  await c.waitFor(/ FAIL \* INVALID_UTF8 /);
  c.send('PING stillopen');
  await c.waitFor(/ PONG \S+ :?stillopen$/);
});

test('GET /health answers JSON; static files are served; paths cannot leave the directory', async () => {
  const health = await fetch(`http://${base}/health`);
  assert.equal(health.status, 200);
  const body = (await health.json()) as { status: string; connections: number };
  assert.equal(body.status, 'ok');
  assert.equal(typeof body.connections, 'number');
  const index = await fetch(`http://${base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await index.text(), /<title>Parlor<\/title>/);
  assert.equal((await fetch(`http://${base}/missing.js`)).status, 404);
  assert.notEqual((await fetch(`http://${base}/..%2f..%2fetc%2fpasswd`)).status, 200);
  assert.equal((await fetch(`http://${base}/irc`, { method: 'POST' })).status, 405);
});

test('web.port refuses the IRC ports browsers block', async () => {
  const { parseConfig } = await import('../../src/server/config.ts');
  assert.throws(() => parseConfig({ web: { port: 6667 } }), /web\.port: browsers refuse ports 6665–6669/);
  assert.equal(parseConfig({}).web.port, 8080);
});
