// IRCv3 WEBIRC (issue 15 item 15): a web gateway listed in proxy.webirc, with its password,
// begins a connection with WEBIRC and the connection becomes its user's: the address bans,
// limits, throttles and WHOIS see, the host of the user's mask. Anything else is refused with
// an ERROR and the connection closed. The gateway is a raw socket from 127.0.0.1; strangers
// connect from 127.0.0.2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsoleLine } from '../../src/admin/console-commands.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { isGatewayHostname, parseWebircOptions, parsePort } from '../../src/server/webirc-gateways.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { makeTestCert, type TestCert } from '../helpers/tls.ts';

const PASSWORD = 'gateway-secret';

async function gatewayConfig(): Promise<NonNullable<NonNullable<ConfigInput['proxy']>['webirc']>> {
  // A cheap hash: the tests check what is hashed, not how slowly.
  return [{ name: 'kiwi', password: await hashPassword(PASSWORD, 4), hosts: ['127.0.0.1/32'] }];
}

async function start(input: ConfigInput = {}): Promise<TestServer> {
  return startServer({
    ...input,
    connections: { exempt: [], throttleConnections: 0, ...input.connections },
    proxy: { webirc: await gatewayConfig(), ...input.proxy },
  });
}

async function register(c: RawClient, nick: string): Promise<string> {
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  const welcome = await c.waitFor('001');
  await c.waitFor((r) => r.msg.command === '376' || r.msg.command === '422');
  return welcome.msg.params.at(-1)!;
}

async function whoisHost(c: RawClient, nick: string): Promise<{ host: string; secure: boolean }> {
  const mark = c.received.length;
  c.send(`WHOIS ${nick}`);
  const host = (await c.waitFor('311')).msg.params[3]!;
  await c.waitFor('318');
  return { host, secure: c.since(mark).some((r) => r.msg.command === '671') };
}

function sessionOf(t: TestServer, nick: string) {
  return [...t.server.sessions].find((s) => s.user?.nick === nick);
}

/** The connection's last line, an ERROR, then its close. */
async function refused(c: RawClient, text: RegExp): Promise<void> {
  const error = await c.waitFor('ERROR');
  assert.match(error.raw, text);
  await c.waitClose();
}

describe('WEBIRC', () => {
  let t: TestServer;
  const connect = async (from = '127.0.0.1'): Promise<RawClient> => {
    const c = await RawClient.connectFrom(from, t.port);
    t.clients.push(c);
    return c;
  };
  before(async () => {
    t = await start({ connections: { perIp: 1 } });
  });
  after(async () => {
    await t.close();
  });

  test('from a listed gateway with its password: the user is the address and host it gives', async () => {
    const c = await connect();
    c.send(`WEBIRC ${PASSWORD} kiwi user-7.example.net 198.51.100.7 :remote-port=41234 local-port=6697`);
    const welcome = await register(c, 'webby');
    assert.match(welcome, /webby!webby@user-7\.example\.net$/);
    assert.deepEqual(await whoisHost(c, 'webby'), { host: 'user-7.example.net', secure: false });
    const session = sessionOf(t, 'webby')!;
    assert.equal(session.conn.remoteAddress, '198.51.100.7');
    assert.equal(session.conn.remotePort, 41234);
  });

  test('a host name that is an address or no host name at all gives way to the address', async () => {
    const asIp = await connect();
    asIp.send(`WEBIRC ${PASSWORD} kiwi 203.0.113.9 203.0.113.9`);
    assert.match(await register(asIp, 'plainip'), /plainip!plainip@203\.0\.113\.9$/);
    const garbage = await connect();
    garbage.send(`WEBIRC ${PASSWORD} kiwi bad_host!x@y 203.0.113.10`);
    assert.match(await register(garbage, 'garbled'), /garbled!garbled@203\.0\.113\.10$/);
    const v6 = await connect();
    // An IPv6 address beginning with a colon is sent with a 0 before it (the spec).
    v6.send(`WEBIRC ${PASSWORD} kiwi 0::1:2 0::1:2`);
    assert.match(await register(v6, 'sixer'), /sixer!sixer@0::1:2$/);
    assert.equal(sessionOf(t, 'sixer')!.conn.remoteAddress, '::1:2');
  });

  test('a proven password is not hashed again for the next connection', async () => {
    const before = t.server.hashing.started;
    const c = await connect();
    c.send(`WEBIRC ${PASSWORD} kiwi 203.0.113.11 203.0.113.11`);
    await register(c, 'cached');
    assert.equal(t.server.hashing.started, before);
  });

  test('a wrong password: ERROR and closed', async () => {
    const c = await connect();
    c.send('WEBIRC wrong kiwi host.example 198.51.100.8', 'NICK nope', 'USER nope 0 * :nope');
    await refused(c, /^ERROR :Closing Link: 127\.0\.0\.1 \(Invalid WebIRC password\)$/);
    assert.ok(!c.received.some((r) => r.msg.command === '001'));
  });

  test('from an address not listed: refused without a hash', async () => {
    const before = t.server.hashing.started;
    const c = await connect('127.0.0.2');
    c.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.8`, 'NICK stranger', 'USER s 0 * :s');
    await refused(c, /WEBIRC is not accepted from your address/);
    assert.equal(t.server.hashing.started, before);
  });

  test('a malformed IP address or too few parameters: refused', async () => {
    for (const ip of ['999.1.1.1', 'not-an-ip', '198.51.100.8/24', '1.2.3.4:80']) {
      const c = await connect();
      c.send(`WEBIRC ${PASSWORD} kiwi host.example ${ip}`);
      await refused(c, /Invalid IP address in WEBIRC/);
    }
    const short = await connect();
    short.send(`WEBIRC ${PASSWORD} kiwi host.example`);
    await refused(short, /Invalid WEBIRC command/);
  });

  test('only as the first command: later it closes the connection, after registration it is refused', async () => {
    const late = await connect();
    late.send('CAP LS 302', `WEBIRC ${PASSWORD} kiwi host.example 198.51.100.12`);
    await refused(late, /WEBIRC must be the first command/);
    const registered = await connect();
    await register(registered, 'already');
    registered.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.13`);
    await registered.waitFor('462');
    assert.equal(sessionOf(t, 'already')!.conn.remoteAddress, '127.0.0.1');
  });

  test("a ban on the user's address refuses the user, not the gateway", async () => {
    await runConsoleLine(t.server, 'ban 198.51.100.66 1h gateway abuse');
    const banned = await connect();
    banned.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.66`, 'NICK banned', 'USER b 0 * :b');
    await banned.waitFor('465');
    await refused(banned, /^ERROR :Closing Link: 198\.51\.100\.66 \(Banned: gateway abuse\)/);
    const other = await connect();
    other.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.67`);
    await register(other, 'unbanned');
    await runConsoleLine(t.server, 'unban 198.51.100.66');
  });

  test("per-address limits count the user's address, not the gateway's", async () => {
    // perIp 1, and the gateway has several connections open already: it is not limited itself.
    const first = await connect();
    first.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.50`);
    await register(first, 'onlyone');
    const second = await connect();
    second.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.50`, 'NICK second', 'USER s 0 * :s');
    await refused(second, /Too many connections from your address \(1 allowed\)/);
    const otherAddress = await connect();
    otherAddress.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.51`);
    await register(otherAddress, 'neighbour');
    // A direct client from the gateway's own address is still limited as usual.
    const direct = await connect('127.0.0.3');
    await register(direct, 'directone');
    const directAgain = await connect('127.0.0.3');
    await refused(directAgain, /Too many connections/);
  });
});

describe('WEBIRC: throttle, secure, none configured', () => {
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

  test("the connection throttle counts the user's address; the gateway is not throttled", async () => {
    const t = await start({ connections: { throttleConnections: 2, throttleWindowMs: 60_000 } });
    servers.push(t);
    for (const nick of ['quick1', 'quick2']) {
      const c = await RawClient.connectFrom('127.0.0.1', t.port);
      clients.push(c);
      c.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.70`);
      await register(c, nick);
    }
    const third = await RawClient.connectFrom('127.0.0.1', t.port);
    clients.push(third);
    third.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.70`);
    await refused(third, /too quickly/);
    // The gateway's fourth connection in the window, for another user, is welcome.
    const fourth = await RawClient.connectFrom('127.0.0.1', t.port);
    clients.push(fourth);
    fourth.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.71`);
    await register(fourth, 'quick3');
  });

  test('secure: only when the gateway says so and its own connection is TLS', async () => {
    const t = await start({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0 } });
    servers.push(t);
    const plain = await RawClient.connectFrom('127.0.0.1', t.port);
    clients.push(plain);
    plain.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.80 secure`);
    await register(plain, 'claims');
    assert.equal((await whoisHost(plain, 'claims')).secure, false);
    const tlsPort = t.server.tlsAddress!.port;
    const secured = await RawClient.connectTls(tlsPort, cert.cert);
    clients.push(secured);
    secured.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.81 :secure=whatever remote-port=5`);
    await register(secured, 'securely');
    assert.equal((await whoisHost(secured, 'securely')).secure, true);
    // TLS to the gateway's leg only: the user's own leg was not.
    const halfway = await RawClient.connectTls(tlsPort, cert.cert);
    clients.push(halfway);
    halfway.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.82`);
    await register(halfway, 'halfway');
    assert.equal((await whoisHost(halfway, 'halfway')).secure, false);
  });

  test('no gateways configured (the default): WEBIRC is refused', async () => {
    const t = await startServer({});
    servers.push(t);
    const c = await RawClient.connect(t.port);
    clients.push(c);
    c.send(`WEBIRC ${PASSWORD} kiwi host.example 198.51.100.90`);
    await refused(c, /WEBIRC is not accepted from your address/);
  });
});

describe('WEBIRC parameters', () => {
  test('host names', () => {
    for (const good of ['user-7.example.net', 'localhost', 'a.b', 'xn--fsq.example', '3com.com']) assert.equal(isGatewayHostname(good), true, good);
    for (const bad of ['', '1.2.3.4', '1.2.3', '::1', 'a..b', '-a.example', 'a-.example', 'bad_host', 'a b', 'é.example', 'x'.repeat(64), 'host.example.']) {
      assert.equal(isGatewayHostname(bad), false, bad);
    }
  });

  test('options and ports', () => {
    const options = parseWebircOptions('secure=x  local-port=6697 remote-port=21726 future');
    assert.deepEqual([...options], [['secure', 'x'], ['local-port', '6697'], ['remote-port', '21726'], ['future', '']]);
    assert.equal(parseWebircOptions(undefined).size, 0);
    assert.equal(parsePort('21726'), 21726);
    for (const bad of [undefined, '', '0', '65536', '-1', '12a', '123456', '1e3']) assert.equal(parsePort(bad), undefined, String(bad));
  });
});
