// IRC over WebSocket as web IRC clients use it (IRCv3 WebSocket spec): at / as well as /irc,
// the client's subprotocol preference honoured (binary.ircv3.net gets binary messages), and
// either kind of message read as a line, a line that is not UTF-8 answered with FAIL while
// the connection stays open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseConfig } from '../../src/server/config.ts';
import { join as joinRoom } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const STATIC = mkdtempSync(join(tmpdir(), 'parlor-ws-paths-'));
writeFileSync(join(STATIC, 'index.html'), '<!doctype html><title>Parlor</title>');

let t: TestServer;
let base: string;
before(async () => {
  t = await startServer({ web: { enabled: true, port: 0, staticDir: STATIC, allowedOrigins: ['https://allowed.example'] } });
  const web = t.server.webAddress!;
  base = `${web.host}:${web.port}`;
});
after(() => t.close());

interface WsMessage {
  text: string;
  binary: boolean;
}

/** A WebSocket IRC client that keeps every message (and its kind) and waits for one that matches. */
class WsClient {
  readonly messages: WsMessage[] = [];
  private waiters: { re: RegExp; resolve: (m: WsMessage) => void }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, binary: boolean) => {
      const message = { text: data.toString('utf8'), binary };
      this.messages.push(message);
      const waiter = this.waiters.find((w) => w.re.test(message.text));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    });
  }

  static open(url: string, protocols: string[] = ['text.ircv3.net'], headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(url, protocols, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Takes the first message (seen or to come) matching `re`. */
  waitFor(re: RegExp): Promise<WsMessage> {
    const seen = this.messages.find((m) => re.test(m.text));
    if (seen) {
      this.messages.splice(this.messages.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got ${this.messages.slice(-5).map((m) => m.text).join(' | ')}`)), 5000);
      this.waiters.push({ re, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  async register(nick: string): Promise<void> {
    this.ws.send(`NICK ${nick}`);
    this.ws.send(`USER ${nick} 0 * :${nick}`);
    await this.waitFor(new RegExp(` 001 ${nick} `));
  }

  /** Sends PING and waits for its PONG: the connection is open and reading. */
  async ping(token: string): Promise<WsMessage> {
    this.ws.send(`PING ${token}`);
    return this.waitFor(new RegExp(` PONG \\S+ :?${token}$`));
  }

  isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

test('web.ircPaths defaults to /irc and /, and takes only paths', () => {
  assert.deepEqual(parseConfig({}).web.ircPaths, ['/irc', '/']);
  assert.deepEqual(parseConfig({ web: { ircPaths: ['/chat'] } }).web.ircPaths, ['/chat']);
  assert.throws(() => parseConfig({ web: { ircPaths: ['irc'] } }), /web\.ircPaths\.0: a path starting with \//);
  assert.throws(() => parseConfig({ web: { ircPaths: ['/irc?x=1'] } }), /web\.ircPaths\.0/);
  assert.throws(() => parseConfig({ web: { ircPaths: [] } }), /web\.ircPaths/);
});

test('a client registers and chats over / and over /irc; the page at / is still served', async () => {
  const tcp = await t.register('pathtcp');
  await joinRoom(tcp, 'pathtcp', '#paths');
  for (const [path, nick] of [['/', 'atroot'], ['/irc', 'atirc']] as const) {
    const web = await WsClient.open(`ws://${base}${path}`);
    assert.equal(web.ws.protocol, 'text.ircv3.net');
    await web.register(nick);
    web.ws.send('JOIN #paths');
    await web.waitFor(new RegExp(` 366 ${nick} #paths `));
    web.ws.send(`PRIVMSG #paths :hello from ${path} 你好`);
    const got = await tcp.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.source?.startsWith(`${nick}!`) === true);
    assert.equal(got.msg.params[1], `hello from ${path} 你好`);
    tcp.send(`PRIVMSG #paths :back to ${nick}`);
    await web.waitFor(new RegExp(`PRIVMSG #paths :back to ${nick}$`));
    web.ws.close();
  }
  const page = await fetch(`http://${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Parlor<\/title>/);
});

test('an upgrade on another path gets 404; the Origin check holds at / as at /irc', async () => {
  await assert.rejects(WsClient.open(`ws://${base}/nope`), /HTTP 404/);
  await assert.rejects(WsClient.open(`ws://${base}/irc/`), /HTTP 404/);
  await assert.rejects(WsClient.open(`ws://${base}/`, ['text.ircv3.net'], { Origin: 'https://evil.example' }), /HTTP 403/);
  const allowed = await WsClient.open(`ws://${base}/?client=kiwi`, ['text.ircv3.net'], { Origin: 'https://allowed.example' });
  assert.ok(allowed.isOpen());
  allowed.ws.close();
});

test('web.ircPaths moves the endpoint', async () => {
  const other = await startServer({ web: { enabled: true, port: 0, staticDir: STATIC, ircPaths: ['/chat'] } });
  try {
    const web = other.server.webAddress!;
    await assert.rejects(WsClient.open(`ws://${web.host}:${web.port}/`), /HTTP 404/);
    await assert.rejects(WsClient.open(`ws://${web.host}:${web.port}/irc`), /HTTP 404/);
    const c = await WsClient.open(`ws://${web.host}:${web.port}/chat`);
    await c.register('movedpath');
    c.ws.close();
  } finally {
    await other.close();
  }
});

test("the client's order of subprotocols wins: binary.ircv3.net first gets binary messages", async () => {
  const binary = await WsClient.open(`ws://${base}/irc`, ['binary.ircv3.net', 'text.ircv3.net']);
  assert.equal(binary.ws.protocol, 'binary.ircv3.net');
  await binary.register('binfirst');
  assert.equal((await binary.ping('bin1')).binary, true);
  assert.ok(binary.messages.every((m) => m.binary), 'every message of a binary.ircv3.net connection is binary');
  // A text frame is still read as a line on a binary connection.
  binary.ws.send('PING textonbinary', { binary: false });
  assert.equal((await binary.waitFor(/ PONG \S+ :?textonbinary$/)).binary, true);
  // The last words before a close are binary too.
  binary.ws.send('QUIT :bye');
  assert.equal((await binary.waitFor(/^ERROR /)).binary, true);

  const text = await WsClient.open(`ws://${base}/irc`, ['text.ircv3.net', 'binary.ircv3.net']);
  assert.equal(text.ws.protocol, 'text.ircv3.net');
  await text.register('textfirst');
  assert.equal((await text.ping('txt1')).binary, false);
  assert.ok(text.messages.every((m) => !m.binary));
  text.ws.close();

  // Unknown subprotocols are passed over, in order.
  const mixed = await WsClient.open(`ws://${base}/`, ['chat.example', 'binary.ircv3.net']);
  assert.equal(mixed.ws.protocol, 'binary.ircv3.net');
  mixed.ws.close();
});

test('a client that asks for no subprotocol is sent text and may send either kind', async () => {
  const c = await WsClient.open(`ws://${base}/`, []);
  assert.equal(c.ws.protocol, '');
  await c.register('noproto');
  assert.equal((await c.ping('plain')).binary, false);
  c.ws.send(Buffer.from('PING asbinary'), { binary: true });
  assert.equal((await c.waitFor(/ PONG \S+ :?asbinary$/)).binary, false);
  c.ws.close();
});

test('a binary message on a text connection is a line if it is UTF-8, else FAIL INVALID_UTF8; the connection stays', async () => {
  const c = await WsClient.open(`ws://${base}/irc`, ['text.ircv3.net']);
  await c.register('binontext');
  c.ws.send(Buffer.from('PING 二進制'), { binary: true });
  await c.waitFor(/ PONG \S+ :?二進制$/);
  c.ws.send(Buffer.from([0x50, 0x49, 0x4e, 0x47, 0x20, 0xff]), { binary: true });
  const fail = await c.waitFor(/ FAIL \* INVALID_UTF8 /);
  assert.match(fail.text, /^:\S+ FAIL \* INVALID_UTF8 :/);
  assert.equal(fail.binary, false, 'a text connection gets text, even in answer to a binary message');
  await c.ping('stillhere');
  assert.ok(c.isOpen());
  // One message of two lines: the good line is still read when the other is refused.
  c.ws.send(Buffer.concat([Buffer.from([0x58, 0xc3, 0x28]), Buffer.from('\r\nPING aftertheBad')]), { binary: true });
  await c.waitFor(/ FAIL \* INVALID_UTF8 /);
  await c.waitFor(/ PONG \S+ :?aftertheBad$/);
  c.ws.close();
});

test('a line that is not UTF-8 on a binary connection gets FAIL INVALID_UTF8 and the connection stays', async () => {
  const c = await WsClient.open(`ws://${base}/irc`, ['binary.ircv3.net']);
  await c.register('badonbin');
  c.ws.send(Buffer.from([0x50, 0x52, 0x49, 0x56, 0x4d, 0x53, 0x47, 0x20, 0x62, 0x20, 0x3a, 0xe9, 0x74, 0xe9]), { binary: true });
  const fail = await c.waitFor(/ FAIL \* INVALID_UTF8 /);
  assert.equal(fail.binary, true);
  await c.ping('binstill');
  assert.ok(c.isOpen());
  c.ws.close();
});
