// Web sockets give their place in the connection limits back on every path: aborted at any
// stage of a request or a WebSocket handshake, refused at the upgrade (wrong path, foreign
// Origin, an Upgrade that is not WebSocket), or left unread by a client that stops reading an
// answer. Each socket here stays open on the client's side unless the test says otherwise:
// only the server closing it can free its place.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseConfig, type ConfigInput } from '../../src/server/config.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const STATIC = mkdtempSync(join(tmpdir(), 'parlor-web-slots-'));
writeFileSync(join(STATIC, 'index.html'), '<!doctype html><title>Parlor</title>');
/** Larger than the loopback socket buffers on both sides: a client that does not read stalls its answer. */
const BIG_BYTES = 48 * 1024 * 1024;
writeFileSync(join(STATIC, 'big.bin'), Buffer.alloc(BIG_BYTES, 0x61));

const servers: TestServer[] = [];
after(async () => {
  for (const t of servers) await t.close();
  rmSync(STATIC, { recursive: true, force: true });
});

async function webServer(input: ConfigInput): Promise<{ t: TestServer; webPort: number }> {
  const t = await startServer({ ...input, connections: { exempt: [], perIp: 60, ...input.connections }, web: { enabled: true, port: 0, staticDir: STATIC, ...input.web } });
  servers.push(t);
  return { t, webPort: t.server.webAddress!.port };
}

/**
 * A raw socket that never closes by itself (not even its own side when the server's FIN
 * comes): only the server closing it can free its place, and the server's count says so.
 */
function openSocket(port: number): Promise<{ socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket }));
    socket.once('error', reject);
  });
}

/** Waits for `what` to settle on the server, which sees a close a moment after the client. */
async function eventually(check: () => boolean, what: () => string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still ${what()} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Web sockets holding a place, and the gate's count for 127.0.0.1: both must come back to 0. */
function placesHeld(t: TestServer): { webSlots: number; sessions: number } {
  return { webSlots: t.server.webSlots.count, sessions: t.server.sessions.size };
}

async function withinMs<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: parlor\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

test('sockets refused at the upgrade (unknown path, foreign Origin, an Upgrade that is not WebSocket) are closed by the server, their places given back', async () => {
  const { t, webPort } = await webServer({});
  const refusals = [upgrade('/nope'), upgrade('/irc', 'Origin: http://evil.example\r\n'), 'GET / HTTP/1.1\r\nHost: parlor\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n'];
  const sockets: { socket: net.Socket }[] = [];
  for (let i = 0; i < 30; i++) {
    const s = await openSocket(webPort);
    s.socket.write(refusals[i % refusals.length]!);
    sockets.push(s);
  }
  // The client never closes its side: the server must, or the 30 places stay taken for good.
  await eventually(
    () => t.server.webSlots.count === 0,
    () => `${t.server.webSlots.count} web sockets holding a place`,
  );
  assert.deepEqual(placesHeld(t), { webSlots: 0, sessions: 0 });
  for (const s of sockets) s.socket.destroy();
});

test('a client that stops reading an answer is closed after web.idleTimeoutMs, its place given back; a quiet chat WebSocket stays', async () => {
  const { t, webPort } = await webServer({ web: { idleTimeoutMs: 400 } });
  // A chat WebSocket, registered and then silent for longer than the idle timeout.
  const ws = new WebSocket(`ws://127.0.0.1:${webPort}/irc`, 'text.ircv3.net');
  const welcome = new Promise<void>((resolve) => ws.on('message', (d) => / (376|422) /.test(String(d)) && resolve()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send('NICK quiet');
  ws.send('USER quiet 0 * :quiet');
  await welcome;
  const reader = await openSocket(webPort);
  reader.socket.write('GET /big.bin HTTP/1.1\r\nHost: parlor\r\n\r\n');
  reader.socket.pause();
  const opened = Date.now();
  await eventually(
    () => t.server.webSlots.count === 0,
    () => `${t.server.webSlots.count} web sockets holding a place`,
    10_000,
  );
  const lasted = Date.now() - opened;
  // Not before the answer stalled: the timeout counts from the last progress.
  assert.ok(lasted >= 400, `closed after ${lasted} ms`);
  reader.socket.destroy();
  // The chat connection was quiet for longer than the idle timeout, and still chats.
  assert.equal(ws.readyState, WebSocket.OPEN);
  const pong = new Promise<void>((resolve) => ws.on('message', (d) => String(d).includes('PONG') && String(d).includes('still-here') && resolve()));
  ws.send('PING still-here');
  await withinMs(pong, 5_000, 'the quiet WebSocket to answer');
  assert.deepEqual(placesHeld(t), { webSlots: 0, sessions: 1 });
  ws.terminate();
});

test('sockets aborted at every stage (before a byte, mid-head, mid-body, before the answer, mid-handshake, after the handshake) all give their places back', async () => {
  const { t, webPort } = await webServer({ web: { adminToken: 'a-long-admin-token' } });
  const stages: ((s: net.Socket) => Promise<void>)[] = [
    async () => {},
    async (s) => void s.write('GET / HTTP/1.1\r\nHo'),
    async (s) => void s.write(`POST /admin/api/broadcast HTTP/1.1\r\nHost: parlor\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${'a'.repeat(5_000)}`),
    async (s) => void s.write('GET /big.bin HTTP/1.1\r\nHost: parlor\r\n\r\n'),
    async (s) => void s.write(upgrade('/irc', 'Sec-WebSocket-Protocol: text.ircv3.net\r\n')),
    async (s) => {
      s.write(upgrade('/irc', 'Sec-WebSocket-Protocol: text.ircv3.net\r\n'));
      await new Promise((resolve) => s.once('data', resolve));
    },
  ];
  for (let round = 0; round < 10; round++) {
    for (const stage of stages) {
      const s = await openSocket(webPort);
      await stage(s.socket);
      s.socket.destroy();
    }
  }
  await eventually(
    () => t.server.webSlots.count === 0 && t.server.sessions.size === 0,
    () => JSON.stringify(placesHeld(t)),
  );
  // The address holds no place either: a full quota of sockets still fits.
  const fresh: net.Socket[] = [];
  for (let i = 0; i < 60; i++) fresh.push((await openSocket(webPort)).socket);
  await eventually(
    () => t.server.webSlots.count === 60,
    () => `${t.server.webSlots.count} of 60 fresh sockets admitted`,
  );
  for (const s of fresh) s.destroy();
});

test('web.idleTimeoutMs has a tested default', () => {
  assert.equal(parseConfig({}).web.idleTimeoutMs, 30_000);
});
