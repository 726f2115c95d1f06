// Behind a reverse proxy (issue 15 item 15): from a trusted proxy's address, the PROXY
// protocol header (IRC ports, TLS included) and X-Forwarded-For (web port) give the client's
// real address, which bans, per-address limits, WHOIS and the admin list then see. From any
// other address such a header is never honoured. The "proxy" here is a raw socket from
// 127.0.0.1; untrusted clients connect from 127.0.0.2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { PROXY_V2_SIGNATURE } from '../../src/transport/proxy-protocol.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { makeTestCert, type TestCert } from '../helpers/tls.ts';

function v1(address: string, port = 40000): string {
  return `PROXY TCP4 ${address} 127.0.0.1 ${port} 6666\r\n`;
}

function v2Local(): Buffer {
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
}

function v2Inet(address: string, port = 40000): Buffer {
  const block = Buffer.alloc(12);
  block.set(address.split('.').map(Number), 0);
  block.set([127, 0, 0, 1], 4);
  block.writeUInt16BE(port, 8);
  block.writeUInt16BE(6666, 10);
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 12]), block]);
}

async function register(c: RawClient, nick: string): Promise<void> {
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
}

/** The host WHOIS shows for `nick`, asked by the client itself. */
async function whoisHost(c: RawClient, nick: string): Promise<string> {
  c.send(`WHOIS ${nick}`);
  return (await c.waitFor('311')).msg.params[3]!;
}

function addressOf(t: TestServer, nick: string): string | undefined {
  return [...t.server.sessions].find((s) => s.user?.nick === nick)?.conn.remoteAddress;
}

async function start(input: ConfigInput): Promise<TestServer> {
  return startServer({ ...input, connections: { exempt: [], throttleConnections: 0, ...input.connections }, proxy: { trusted: ['127.0.0.1'], ...input.proxy } });
}

describe('PROXY protocol on the IRC port', () => {
  let t: TestServer;
  const clients: RawClient[] = [];
  const connect = async (from: string, first?: string | Buffer): Promise<RawClient> => {
    const c = await RawClient.connectFrom(from, t.port);
    clients.push(c);
    if (first !== undefined) c.writeRaw(first);
    return c;
  };
  before(async () => {
    t = await start({ connections: { perIp: 2 }, proxy: { headerTimeoutMs: 300 } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await t.close();
  });

  test('v1 from the trusted proxy: the client is the address it names, in WHOIS and the session', async () => {
    const c = await connect('127.0.0.1', v1('198.51.100.7'));
    await register(c, 'viaone');
    assert.equal(await whoisHost(c, 'viaone'), '198.51.100.7');
    assert.equal(addressOf(t, 'viaone'), '198.51.100.7');
  });

  test('v2, its header and the first line in separate writes', async () => {
    const c = await connect('127.0.0.1');
    const header = v2Inet('198.51.100.20', 41000);
    c.writeRaw(header.subarray(0, 5));
    c.writeRaw(header.subarray(5));
    await register(c, 'viatwo');
    assert.equal(addressOf(t, 'viatwo'), '198.51.100.20');
    assert.equal([...t.server.sessions].find((s) => s.user?.nick === 'viatwo')?.conn.remotePort, 41000);
  });

  test('v2 LOCAL (a health check): the proxy\'s own connection', async () => {
    const c = await connect('127.0.0.1', v2Local());
    await register(c, 'healthy');
    assert.equal(addressOf(t, 'healthy'), '127.0.0.1');
  });

  test('from an untrusted address a PROXY line is never honoured: it is just a line', async () => {
    // As a first line it is no IRC: a person at nc, asked for a nickname.
    const first = await connect('127.0.0.2', v1('203.0.113.65'));
    await first.waitFor(/cannot be a nickname/);
    // After NICK, an unknown command.
    const c = await connect('127.0.0.2', 'NICK spoofer\r\n' + v1('203.0.113.66'));
    await c.waitFor((r) => r.msg.command === '451' || r.msg.command === '421');
    await register(c, 'spoofer');
    assert.equal(addressOf(t, 'spoofer'), '127.0.0.2');
    assert.equal(await whoisHost(c, 'spoofer'), '127.0.0.2');
  });

  test('the trusted proxy must send a header: without one, or with garbage, or silent, it is told why and closed', async () => {
    // Only the ERROR line comes back: the IRC lines sent are never read as such.
    const onlyRefusal = (c: RawClient): void => {
      assert.deepEqual(c.received.map((r) => r.msg.command), ['ERROR']);
      assert.match(c.received[0]!.raw, /^ERROR :Closing Link: 127\.0\.0\.1 \(expected a PROXY protocol header from a trusted proxy \(proxy\.protocol: required\)/);
    };
    const plain = await connect('127.0.0.1', 'NICK nohead\r\nUSER a 0 * :a\r\n');
    await plain.waitClose();
    onlyRefusal(plain);
    const garbage = await connect('127.0.0.1', 'PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n');
    await garbage.waitClose();
    onlyRefusal(garbage);
    const silent = await connect('127.0.0.1');
    await silent.waitClose(5000);
    onlyRefusal(silent);
  });

  test('a ban on the real address refuses only that client; per-address limits count real addresses', async () => {
    await runConsoleLine(t.server, 'ban 198.51.100.99 1h proxied abuse');
    const banned = await connect('127.0.0.1', v1('198.51.100.99'));
    await banned.waitFor('465');
    await banned.waitClose();
    const other = await connect('127.0.0.1', v1('198.51.100.98'));
    await register(other, 'notbanned');
    await runConsoleLine(t.server, 'unban 198.51.100.99');
    // perIp 2: a third connection from one real address is refused; a fourth address is not.
    for (const nick of ['same1', 'same2']) await register(await connect('127.0.0.1', v1('198.51.100.50')), nick);
    const third = await connect('127.0.0.1', v1('198.51.100.50'));
    await third.waitFor((r) => r.msg.command === 'ERROR' && /Too many connections/.test(r.raw));
    await register(await connect('127.0.0.1', v1('198.51.100.51')), 'another');
  });
});

describe('PROXY protocol: optional, TLS, off', () => {
  let cert: TestCert;
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  before(async () => {
    cert = await makeTestCert();
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
    cert.remove();
  });

  test('optional: the trusted proxy may connect without a header (its own connection) or with one', async () => {
    const t = await start({ proxy: { protocol: 'optional', headerTimeoutMs: 300 } });
    servers.push(t);
    const direct = await RawClient.connectFrom('127.0.0.1', t.port);
    clients.push(direct);
    await register(direct, 'directly');
    assert.equal(addressOf(t, 'directly'), '127.0.0.1');
    const proxied = await RawClient.connectFrom('127.0.0.1', t.port);
    clients.push(proxied);
    proxied.writeRaw(v1('192.0.2.44'));
    await register(proxied, 'proxied');
    assert.equal(addressOf(t, 'proxied'), '192.0.2.44');
  });

  test('off: a PROXY line from the trusted address is just a line', async () => {
    const t = await start({ proxy: { protocol: 'off' } });
    servers.push(t);
    const c = await RawClient.connectFrom('127.0.0.1', t.port);
    clients.push(c);
    c.writeRaw('NICK offline\r\n' + v1('192.0.2.45'));
    await c.waitFor((r) => r.msg.command === '451' || r.msg.command === '421');
    await register(c, 'offline');
    assert.equal(addressOf(t, 'offline'), '127.0.0.1');
  });

  test('TLS: the header comes before the handshake', async () => {
    const t = await start({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0 } });
    servers.push(t);
    const port = t.server.tlsAddress!.port;
    /** TLS from `localAddress`, after `preamble` in plain text. */
    const tlsFrom = async (localAddress: string, preamble?: string): Promise<tls.TLSSocket> => {
      const raw = net.connect({ port, host: '127.0.0.1', localAddress });
      await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
      if (preamble !== undefined) raw.write(preamble);
      const secure = tls.connect({ socket: raw, ca: cert.cert, servername: 'localhost' });
      await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
      return secure;
    };
    const c = RawClient.over(await tlsFrom('127.0.0.1', v1('192.0.2.46')));
    clients.push(c);
    await register(c, 'secured');
    assert.equal(addressOf(t, 'secured'), '192.0.2.46');
    assert.equal([...t.server.sessions].find((s) => s.user?.nick === 'secured')?.conn.secure, true);
    // A client straight to the TLS port from an untrusted address needs no header.
    const direct = RawClient.over(await tlsFrom('127.0.0.2'));
    clients.push(direct);
    await register(direct, 'straight');
    assert.equal(addressOf(t, 'straight'), '127.0.0.2');
    // From the trusted address, TLS without a header first is refused.
    await assert.rejects(tlsFrom('127.0.0.1'));
  });
});

describe('X-Forwarded-For on the web port', () => {
  let t: TestServer;
  let webPort: number;
  const sockets: WebSocket[] = [];
  before(async () => {
    t = await start({ web: { enabled: true, port: 0 }, connections: { perIp: 1 } });
    webPort = t.server.webAddress!.port;
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await t.close();
  });

  /** A WebSocket that registers `nick`; resolves with every line it got once registered, or when closed. */
  function webClient(nick: string, localAddress: string, forwardedFor?: string): Promise<string[]> {
    const ws = new WebSocket(`ws://127.0.0.1:${webPort}/irc`, 'text.ircv3.net', {
      localAddress,
      ...(forwardedFor !== undefined && { headers: { 'X-Forwarded-For': forwardedFor } }),
    });
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

  test('from the trusted proxy, the rightmost untrusted hop is the client; from anyone else, the header is ignored', async () => {
    await webClient('webproxied', '127.0.0.1', '6.6.6.6, 198.51.100.70');
    assert.equal(addressOf(t, 'webproxied'), '198.51.100.70');
    await webClient('webspoof', '127.0.0.2', '198.51.100.71');
    assert.equal(addressOf(t, 'webspoof'), '127.0.0.2');
  });

  test('per-address limits and bans apply to the forwarded address, not to the proxy', async () => {
    await webClient('webfirst', '127.0.0.1', '198.51.100.72');
    // perIp 1: the same client again is refused, another client through the same proxy is not.
    const refused = await webClient('websecond', '127.0.0.1', '198.51.100.72');
    assert.ok(refused.some((l) => /^ERROR :Too many connections/.test(l)), refused.join('\n'));
    await webClient('webthird', '127.0.0.1', '198.51.100.73');
    assert.equal(addressOf(t, 'webthird'), '198.51.100.73');
    await runConsoleLine(t.server, 'ban 198.51.100.74 1h web abuse');
    const banned = await webClient('webbanned', '127.0.0.1', '198.51.100.74');
    assert.ok(banned.some((l) => / 465 /.test(l)), banned.join('\n'));
  });
});
