// The web port against an attacker on raw sockets, while ordinary users chat: slow requests are
// dropped, web sockets count in the same connection limits as IRC ones (one address cannot lock
// anyone else out), oversized bodies get 413, malformed paths 400, and every answer carries the
// security headers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { SECURITY_HEADERS } from '../../src/transport/http-guard.ts';
import { checkingIntervalMs } from '../../src/transport/http.ts';
import { join as joinRoom } from '../helpers/irc.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const STATIC = mkdtempSync(join(tmpdir(), 'parlor-web-port-'));
writeFileSync(join(STATIC, 'index.html'), '<!doctype html><title>Parlor</title>');

/** What one raw HTTP socket received, and how it ended. */
interface RawOutcome {
  text: string;
  error: string | undefined;
}

/** A raw socket to the web port from `localAddress`: everything received, and its close. */
class RawHttp {
  text = '';
  error: string | undefined;
  readonly closed: Promise<RawOutcome>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => (this.text += chunk.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (this.error ??= err.code));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve({ text: this.text, error: this.error })));
  }

  static open(port: number, localAddress = '127.0.0.1'): Promise<RawHttp> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawHttp(socket)));
      socket.once('error', reject);
    });
  }

  /** Waits for the socket to close, failing after `timeoutMs`. */
  async waitClose(timeoutMs: number, what: string): Promise<RawOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Sends one raw request with Connection: close and returns all that came back. */
async function rawRequest(port: number, request: string | Buffer, localAddress?: string): Promise<RawOutcome> {
  const c = await RawHttp.open(port, localAddress);
  c.socket.write(request);
  return c.waitClose(10_000, 'a request with Connection: close');
}

function status(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

function headerOf(text: string, name: string): string | undefined {
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

const servers: TestServer[] = [];
after(async () => {
  for (const t of servers) await t.close();
});

async function webServer(input: ConfigInput): Promise<{ t: TestServer; webPort: number }> {
  const t = await startServer({ ...input, web: { enabled: true, port: 0, staticDir: STATIC, ...input.web } });
  servers.push(t);
  return { t, webPort: t.server.webAddress!.port };
}

/** Two ordinary users in #lobby, from 127.0.0.3: every attack runs while they talk. */
async function chatters(t: TestServer): Promise<{ say(text: string): Promise<void> }> {
  const register = async (nick: string): Promise<RawClient> => {
    const c = await RawClient.connect(t.port, '127.0.0.1', '127.0.0.3');
    t.clients.push(c);
    c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
    await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
    await joinRoom(c, nick, '#lobby');
    return c;
  };
  const alice = await register('alice');
  const bob = await register('bob');
  return {
    async say(text) {
      alice.send(`PRIVMSG #lobby :${text}`);
      await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
    },
  };
}

/** Registers on the IRC port from `localAddress`: the first reply that settles it. */
async function tryIrc(t: TestServer, nick: string, localAddress: string): Promise<'welcome' | string> {
  const c = await RawClient.connect(t.port, '127.0.0.1', localAddress);
  t.clients.push(c);
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  const r = await c.waitFor((r) => r.msg.command === '001' || r.msg.command === 'ERROR');
  return r.msg.command === '001' ? 'welcome' : r.msg.params[0]!;
}

test('slowloris: a request whose headers never finish, and a silent socket, get 408 and are closed after headersTimeoutMs', async () => {
  const { t, webPort } = await webServer({ web: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
  const chat = await chatters(t);
  const partial = await RawHttp.open(webPort);
  partial.socket.write('GET / HTTP/1.1\r\nHost: parlor\r\nX-Slow: ');
  const silent = await RawHttp.open(webPort);
  // A body that never comes: headers done, the request timeout applies.
  const slowBody = await RawHttp.open(webPort);
  slowBody.socket.write('POST /admin/api/broadcast HTTP/1.1\r\nHost: parlor\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te');
  await chat.say('still talking while three sockets hang');
  for (const [c, what] of [
    [partial, 'half a request head'],
    [silent, 'a silent socket'],
    [slowBody, 'a body that never finishes'],
  ] as const) {
    // Node's defaults would keep these for a minute or more.
    const outcome = await c.waitClose(5_000, what);
    assert.equal(status(outcome.text), 408, `${what}: ${outcome.text}`);
  }
  await chat.say('and after they are gone');
});

test('web sockets count per address: 120 idle sockets from one address get 16 places and 503s, other addresses chat and load pages', async () => {
  const { t, webPort } = await webServer({ connections: { exempt: [] } });
  const chat = await chatters(t);
  const attacker: RawHttp[] = [];
  for (let i = 0; i < 120; i++) attacker.push(await RawHttp.open(webPort, '127.0.0.1'));
  // The refused ones are answered and closed at once; the 16 admitted ones stay open (idle).
  const refused = attacker.slice(16);
  for (const c of refused) {
    const outcome = await c.waitClose(5_000, 'a socket over the per-address limit');
    assert.equal(status(outcome.text), 503, outcome.text);
    assert.match(outcome.text, /Too many connections from your address \(16 allowed\)/);
    assert.equal(headerOf(outcome.text, 'Retry-After'), '10');
  }
  assert.equal(attacker.slice(0, 16).filter((c) => c.text !== '').length, 0, 'the first 16 sockets were admitted');
  // The attacker's address is full on the IRC port too: it is the same limit.
  assert.match(await tryIrc(t, 'attacker', '127.0.0.1'), /Too many connections from your address/);
  // Everyone else is not locked out.
  await chat.say('the attack changes nothing for us');
  assert.equal(await tryIrc(t, 'carol', '127.0.0.2'), 'welcome');
  const page = await rawRequest(webPort, 'GET / HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n', '127.0.0.2');
  assert.equal(status(page.text), 200);
  // A closed socket gives its place back.
  const freed = attacker[0]!;
  freed.socket.destroy();
  await freed.closed;
  const next = await pollUntil(async () => {
    const r = await rawRequest(webPort, 'GET /health HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n', '127.0.0.1');
    return status(r.text) === 200 ? r : undefined;
  });
  assert.equal(status(next.text), 200);
  for (const c of attacker) c.socket.destroy();
});

test('web sockets count in the server total (connections.max), loopback exemption or not', async () => {
  const { t, webPort } = await webServer({ connections: { max: 6 } });
  const chat = await chatters(t);
  const held: RawHttp[] = [];
  for (let i = 0; i < 4; i++) held.push(await RawHttp.open(webPort));
  const over = await RawHttp.open(webPort);
  const outcome = await over.waitClose(5_000, 'a socket over the server total');
  assert.equal(status(outcome.text), 503);
  assert.match(outcome.text, /Server is full \(6 connections\)/);
  assert.match(await tryIrc(t, 'late', '127.0.0.2'), /Server is full/);
  await chat.say('the two of us still talk');
  for (const c of held) c.socket.destroy();
});

test('a WebSocket takes its HTTP socket place over: counted once, released when it closes', async () => {
  const { t, webPort } = await webServer({ connections: { exempt: [], perIp: 3 } });
  const chat = await chatters(t);
  const ws = new WebSocket(`ws://127.0.0.1:${webPort}/irc`, 'text.ircv3.net', { localAddress: '127.0.0.2' });
  const welcome = new Promise<void>((resolve) => ws.on('message', (d) => String(d).includes(' 001 ') && resolve()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send('NICK webby');
  ws.send('USER webby 0 * :webby');
  await welcome;
  // 1 of 3 places: two more sockets from the same address fit, a third does not.
  const a = await RawHttp.open(webPort, '127.0.0.2');
  const b = await RawHttp.open(webPort, '127.0.0.2');
  const c = await RawHttp.open(webPort, '127.0.0.2');
  assert.equal(status((await c.waitClose(5_000, 'the fourth socket')).text), 503);
  assert.equal(a.text + b.text, '');
  await chat.say('meanwhile');
  const closed = new Promise((resolve) => ws.once('close', resolve));
  ws.close();
  await closed;
  // Its place is free again once the server has seen the close.
  const next = await pollUntil(async () => {
    const r = await rawRequest(webPort, 'GET /health HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n', '127.0.0.2');
    return status(r.text) === 200 ? r : undefined;
  });
  assert.equal(status(next.text), 200);
  a.socket.destroy();
  b.socket.destroy();
});

test('page loads skip the connection throttle; a WebSocket pays it when it starts chatting', async () => {
  const { t, webPort } = await webServer({ connections: { exempt: [], throttleConnections: 2 } });
  for (let i = 0; i < 5; i++) {
    const page = await rawRequest(webPort, 'GET / HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n', '127.0.0.4');
    assert.equal(status(page.text), 200, `page load ${i + 1}`);
  }
  const firstLine = async (): Promise<string> => {
    const ws = new WebSocket(`ws://127.0.0.1:${webPort}/irc`, 'text.ircv3.net', { localAddress: '127.0.0.4' });
    const line = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('NICK throttled');
    ws.send('USER throttled 0 * :throttled');
    const first = await line;
    ws.terminate();
    return first;
  };
  assert.doesNotMatch(await firstLine(), /^ERROR/);
  assert.doesNotMatch(await firstLine(), /^ERROR/);
  assert.match(await firstLine(), /^ERROR :Too many connections from your address too quickly/);
  assert.equal(t.server.stats.refused.throttled, 1);
});

test('web.maxConnections caps the web port itself', async () => {
  const { webPort } = await webServer({ web: { maxConnections: 2 } });
  const held = [await RawHttp.open(webPort), await RawHttp.open(webPort)];
  const third = await RawHttp.open(webPort);
  const outcome = await third.waitClose(5_000, 'a socket over web.maxConnections');
  assert.equal(outcome.text, '');
  for (const c of held) c.socket.destroy();
});

test('an oversized body gets 413 with a JSON error, read in full and never reset; a body within the limit is read', async () => {
  const { t, webPort } = await webServer({ web: { adminToken: 'a-long-admin-token', maxBodyBytes: 2048 } });
  const chat = await chatters(t);
  const big = Buffer.alloc(100_000, 'a'); // over the 2 KiB limit, within the 128 KiB read and dropped
  const head = (extra: string): string =>
    `POST /admin/api/broadcast HTTP/1.1\r\nHost: parlor\r\nAuthorization: Bearer a-long-admin-token\r\nContent-Type: application/json\r\nConnection: close\r\n${extra}\r\n`;
  const declared = await rawRequest(webPort, Buffer.concat([Buffer.from(head(`Content-Length: ${big.length}\r\n`)), big]));
  const chunked = await rawRequest(webPort, Buffer.concat([Buffer.from(head('Transfer-Encoding: chunked\r\n')), Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]));
  for (const [outcome, how] of [
    [declared, 'Content-Length'],
    [chunked, 'chunked'],
  ] as const) {
    assert.equal(outcome.error, undefined, `${how}: the socket was reset`);
    assert.equal(status(outcome.text), 413, `${how}: ${outcome.text.slice(0, 200)}`);
    assert.equal(headerOf(outcome.text, 'Content-Type'), 'application/json');
    assert.match(outcome.text, /"code":"body-too-large"/);
  }
  // Far beyond what is worth reading (64 times the limit): cut off.
  const flood = await RawHttp.open(webPort);
  flood.socket.write(head(`Content-Length: ${10_000_000}\r\n`));
  for (let i = 0; i < 100 && !flood.socket.destroyed; i++) flood.socket.write(Buffer.alloc(100_000));
  await flood.waitClose(10_000, 'a 10 MB body');
  // Within the limit, the API reads the body and answers it.
  const text = 'within the limit';
  const body = JSON.stringify({ text });
  const ok = await rawRequest(webPort, `${head(`Content-Length: ${Buffer.byteLength(body)}\r\n`)}${body}`);
  assert.notEqual(status(ok.text), 413, ok.text);
  assert.ok(status(ok.text) < 500, ok.text);
  await chat.say('413s do not bother us');
});

test('malformed paths get 400 with a JSON error, never 500, and the server carries on', async () => {
  const { t, webPort } = await webServer({ web: { adminToken: 'a-long-admin-token' } });
  const chat = await chatters(t);
  for (const target of ['/%', '/%E0%A4%A', '/%zz', '/..%2f..%2fetc%2fpasswd', '/assets/%2e%2e/%2e%2e/secret', '/a%00b', '/a%5c..%5c..%5cwin.ini', '/admin/api/%', 'http://evil.example/']) {
    const outcome = await rawRequest(webPort, `GET ${target} HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n`);
    assert.equal(status(outcome.text), 400, `${target}: ${outcome.text.slice(0, 120)}`);
    assert.match(outcome.text, /"code":"bad-url"/, target);
  }
  // A request line the HTTP parser refuses, and an oversized head.
  assert.equal(status((await rawRequest(webPort, 'GET / HTTP/1.1\r\nHost: parlor\r\nBad Header\r\n\r\n')).text), 400);
  assert.equal(status((await rawRequest(webPort, `GET / HTTP/1.1\r\nHost: parlor\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`)).text), 431);
  const health = await rawRequest(webPort, 'GET /health HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n');
  assert.equal(status(health.text), 200);
  await chat.say('bad paths hurt nobody');
});

test('every answer carries the security headers: page, static 404, health, API, errors', async () => {
  const { webPort } = await webServer({ web: { adminToken: 'a-long-admin-token' } });
  const csp = SECURITY_HEADERS['Content-Security-Policy']!;
  for (const directive of ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "connect-src 'self'"]) {
    assert.ok(csp.includes(directive), directive);
  }
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
  for (const target of ['/', '/index.html', '/missing.js', '/health', '/admin/api/state', '/%']) {
    const outcome = await rawRequest(webPort, `GET ${target} HTTP/1.1\r\nHost: parlor\r\nConnection: close\r\n\r\n`);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      assert.equal(headerOf(outcome.text, name), value, `${target}: ${name}`);
    }
    assert.equal(headerOf(outcome.text, 'X-Frame-Options'), 'DENY');
    assert.equal(headerOf(outcome.text, 'Referrer-Policy'), 'no-referrer');
    assert.match(headerOf(outcome.text, 'Permissions-Policy') ?? '', /camera=\(\), microphone=\(\), geolocation=\(\)/);
  }
});

test('the web port limits have tested defaults, and headersTimeoutMs may not exceed requestTimeoutMs', () => {
  const web = parseConfig({}).web;
  assert.deepEqual(
    { maxConnections: web.maxConnections, headersTimeoutMs: web.headersTimeoutMs, requestTimeoutMs: web.requestTimeoutMs, keepAliveTimeoutMs: web.keepAliveTimeoutMs, maxHeaderBytes: web.maxHeaderBytes, maxBodyBytes: web.maxBodyBytes },
    { maxConnections: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxHeaderBytes: 16_384, maxBodyBytes: 16_384 },
  );
  assert.throws(() => parseConfig({ web: { headersTimeoutMs: 40_000, requestTimeoutMs: 30_000 } }), /headersTimeoutMs may not exceed/);
});

test('the default headersTimeoutMs holds: 10 s, looked at every second (Node alone looks every 30 s)', () => {
  // The slowloris test above proves on a real server that the configured timeout and this
  // checking interval are what Node applies (300 ms, looked at every 75 ms); with the defaults
  // the same code gives 10 s and 1 s, so a slowloris socket goes after 10–11 s, not Node's 40.
  const web = parseConfig({}).web;
  assert.equal(web.headersTimeoutMs, 10_000);
  assert.equal(checkingIntervalMs(web), 1_000);
  assert.equal(checkingIntervalMs({ ...web, headersTimeoutMs: 300 }), 75);
  for (const headersTimeoutMs of [1, 200, 4_000, 10_000, 300_000]) {
    const interval = checkingIntervalMs({ ...web, headersTimeoutMs });
    assert.ok(interval >= 50 && interval <= Math.max(50, headersTimeoutMs / 4) && interval <= 1_000, `${headersTimeoutMs} ms → every ${interval} ms`);
  }
});

/** The server sees a client's close a moment later: asks again until `attempt` answers, bounded. */
async function pollUntil<T>(attempt: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`no success after ${tries} attempts in ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
