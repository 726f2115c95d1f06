// The TLS listener, HTTPS/WSS on the web port, certificate reload and STS, over real sockets.
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConfigError, parseConfig } from '../../src/server/config.ts';
import { createServer } from '../../src/server/server.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { makeIssuedCert, makeTestCert, type TestCert } from '../helpers/tls.ts';

async function registerTls(t: TestServer, cert: TestCert, nick: string, caps: string[] = []): Promise<RawClient> {
  const c = await RawClient.connectTls(t.server.tlsAddress!.port, cert.cert);
  t.clients.push(c);
  if (caps.length > 0) c.send('CAP LS 302', `CAP REQ :${caps.join(' ')}`, 'CAP END');
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
  await c.waitFor('376');
  return c;
}

function peerFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ca }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

function capLs(c: RawClient): Promise<string> {
  c.send('CAP LS 302');
  return c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS').then((r) => r.msg.params.at(-1)!);
}

describe('TLS listener', () => {
  let cert: TestCert;
  let t: TestServer;

  before(async () => {
    cert = await makeTestCert();
    t = await startServer({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0 } }, { reloadConfig: async () => t.server.config });
  });
  after(async () => {
    await t.close();
    cert.remove();
  });

  test('a TLS client and a plain client chat; WHOIS tells who is secure (671)', async () => {
    const secure = await registerTls(t, cert, 'sec');
    const plain = await t.register('plain');
    secure.send('JOIN #tls');
    await secure.waitFor('366');
    plain.send('JOIN #tls');
    await secure.waitFor('JOIN');
    plain.send('PRIVMSG #tls :你好 over plain 🙂');
    const got = await secure.waitFor('PRIVMSG');
    assert.deepEqual(got.msg.params, ['#tls', '你好 over plain 🙂']);
    secure.send('PRIVMSG plain :and back over TLS 🔒');
    assert.equal((await plain.waitFor('PRIVMSG')).msg.params[1], 'and back over TLS 🔒');

    plain.send('WHOIS sec');
    assert.match((await plain.waitFor('671')).raw, /is using a secure connection/);
    plain.send('WHOIS plain');
    await plain.waitFor('318');
    assert.equal(plain.received.filter((r) => r.msg.command === '671').length, 1, 'the plain user is not secure');
  });

  test('plain text sent to the TLS port closes that socket only', async () => {
    const raw = net.connect({ port: t.server.tlsAddress!.port, host: '127.0.0.1' });
    raw.on('error', () => {});
    raw.write('NICK oops\r\nUSER oops 0 * :oops\r\n');
    await new Promise<void>((resolve) => raw.once('close', () => resolve()));
    const ok = await registerTls(t, cert, 'after');
    ok.send('PING :still');
    await ok.waitFor('PONG');
  });

  test('a self-signed certificate is not advertised with STS by default (auto)', async () => {
    const plain = await t.connect();
    assert.doesNotMatch(await capLs(plain), /\bsts/);
    const secure = await RawClient.connectTls(t.server.tlsAddress!.port, cert.cert);
    t.clients.push(secure);
    assert.doesNotMatch(await capLs(secure), /\bsts/);
  });

  test('reload picks up a renewed certificate for new connections; open ones stay', async () => {
    const before = await registerTls(t, cert, 'stayer');
    assert.equal(await peerFingerprint(t.server.tlsAddress!.port, cert.cert), cert.fingerprint256);
    const renewed = await cert.renew();
    const notes = await t.server.reload();
    assert.ok(notes.includes('TLS certificate reloaded'), notes.join('; '));
    assert.equal(await peerFingerprint(t.server.tlsAddress!.port, cert.cert), renewed);
    before.send('PING :alive');
    await before.waitFor('PONG');
    assert.equal(before.closed, false);
  });
});

describe('STS', () => {
  let cert: TestCert;
  let t: TestServer;

  before(async () => {
    cert = await makeTestCert();
    t = await startServer({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0, sts: true, stsDurationSeconds: 86_400 }, web: { enabled: true, port: 0 } });
  });
  after(async () => {
    await t.close();
    cert.remove();
  });

  test('plain connections are told the TLS port, TLS ones the duration; nobody may REQ it', async () => {
    const plain = await t.connect();
    const ls = await capLs(plain);
    assert.match(ls, new RegExp(`(^| )sts=port=${t.server.tlsAddress!.port}( |$)`));
    const secure = await RawClient.connectTls(t.server.tlsAddress!.port, cert.cert);
    t.clients.push(secure);
    assert.match(await capLs(secure), /(^| )sts=duration=86400( |$)/);
    plain.send('CAP REQ :sts');
    await plain.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'NAK');
  });

  test('auto advertises STS with a certificate an authority issued', async () => {
    const issued = await makeIssuedCert();
    const auto = await startServer({ tls: { cert: issued.certFile, key: issued.keyFile, port: 0 } });
    try {
      const plain = await auto.connect();
      assert.match(await capLs(plain), new RegExp(`(^| )sts=port=${auto.server.tlsAddress!.port}( |$)`));
      const secure = await RawClient.connectTls(auto.server.tlsAddress!.port, issued.ca);
      auto.clients.push(secure);
      assert.match(await capLs(secure), /(^| )sts=duration=2592000( |$)/);
    } finally {
      await auto.close();
      issued.remove();
    }
  });

  test('WebSocket clients are not pointed at the raw TLS port', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.server.webAddress!.port}/irc`, 'text.ircv3.net');
    const ls = new Promise<string>((resolve) => ws.on('message', (data) => / CAP \* LS /.test(String(data)) && resolve(String(data))));
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.send('CAP LS 302');
    const line = await ls;
    assert.match(line, /server-time/);
    assert.doesNotMatch(line, /\bsts/);
    ws.close();
  });

  test('CAP LS without 302 carries no STS (a policy needs its value)', async () => {
    const old = await t.connect();
    old.send('CAP LS');
    const ls = await old.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS');
    assert.doesNotMatch(ls.msg.params.at(-1)!, /\bsts\b/);
  });
});

describe('HTTPS and WSS on the web port', () => {
  let cert: TestCert;
  let t: TestServer;

  before(async () => {
    cert = await makeTestCert();
    t = await startServer({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0, web: true }, web: { enabled: true, port: 0 } });
  });
  after(async () => {
    await t.close();
    cert.remove();
  });

  test('GET /health over HTTPS', async () => {
    const web = t.server.webAddress!;
    assert.equal(web.secure, true);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: web.port, path: '/health', ca: cert.cert }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.equal(JSON.parse(body).status, 'ok');
  });

  test('IRC over WSS: registers, is secure, chats with a TCP user', async () => {
    const web = t.server.webAddress!;
    const ws = new WebSocket(`wss://127.0.0.1:${web.port}/irc`, 'text.ircv3.net', { ca: cert.cert });
    const lines: string[] = [];
    const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
    ws.on('message', (data) => {
      const line = String(data);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.re.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    });
    const next = (re: RegExp): Promise<string> => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        setTimeout(() => reject(new Error(`no ${re} over WSS; got:\n${lines.join('\n')}`)), 5000).unref();
      });
    };
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.send('NICK wssuser');
    ws.send('USER wssuser 0 * :WSS');
    await next(/ 376 /);
    const tcp = await t.register('tcpuser');
    tcp.send('WHOIS wssuser');
    await tcp.waitFor('671');
    tcp.send('PRIVMSG wssuser :hello over wss 🌐');
    assert.match(await next(/PRIVMSG wssuser :hello over wss 🌐/), /^:tcpuser!/);
    ws.close();
  });
});

test('a connection that never starts its TLS handshake is dropped after tls.handshakeTimeoutMs', async () => {
  const cert = await makeTestCert();
  const t = await startServer({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0, handshakeTimeoutMs: 200 } });
  try {
    const silent = net.connect({ port: t.server.tlsAddress!.port, host: '127.0.0.1' });
    silent.on('error', () => {});
    const started = Date.now();
    await new Promise<void>((resolve) => silent.once('close', () => resolve()));
    assert.ok(Date.now() - started < 8_000, 'closed by the 200 ms handshake timeout, not the default 10 s one nor a later one');
    assert.equal(t.server.sessions.size, 0, 'it never became a session');
  } finally {
    await t.close();
    cert.remove();
  }
});

describe('TLS configuration errors', () => {
  test('cert without key is refused by the config', () => {
    assert.throws(() => parseConfig({ tls: { cert: 'x.pem' } }), /tls\.cert and tls\.key go together/);
    assert.throws(() => parseConfig({ tls: { web: true } }), /tls\.web needs/);
  });

  test('a missing file or a key of another certificate stops listen() with a ConfigError', async () => {
    const a = await makeTestCert();
    const b = await makeTestCert();
    try {
      for (const [certFile, keyFile, reason] of [
        [a.certFile, `${a.dir}/missing.pem`, /ENOENT/],
        [a.certFile, b.keyFile, /does not belong to the certificate/],
      ] as const) {
        const server = createServer({ config: parseConfig({ server: { port: 0 }, web: { enabled: false }, admin: { auditLog: null }, tls: { cert: certFile, key: keyFile, port: 0 } }) });
        await assert.rejects(server.listen(), (err: Error) => err instanceof ConfigError && reason.test(err.message));
        await server.close();
      }
    } finally {
      a.remove();
      b.remove();
    }
  });

  test('a reload with a broken certificate keeps the old one and the old config', async () => {
    const cert = await makeTestCert();
    const t = await startServer({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0 } }, {
      reloadConfig: async () => parseConfig({ ...t.server.config, tls: { ...t.server.config.tls, key: `${cert.dir}/gone.pem` } }),
    });
    try {
      await assert.rejects(t.server.reload(), /Cannot use the TLS certificate/);
      assert.equal(t.server.config.tls.key, cert.keyFile);
      assert.equal(await peerFingerprint(t.server.tlsAddress!.port, cert.cert), cert.fingerprint256);
    } finally {
      await t.close();
      cert.remove();
    }
  });
});
