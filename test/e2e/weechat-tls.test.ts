// Interoperability over TLS with WeeChat: a real weechat-headless connects to Parlor's TLS
// listener and verifies its certificate, chats with a raw client, and is shown secure (671).
// Then STS: Parlor advertises its policy to WeeChat on the plain port. WeeChat 3.8 does not
// implement STS (it lists the policy and stays in plain text; weechat/weechat issue #1087), so
// the test documents that and then follows the advertised policy by hand, proving the port it
// names takes a verified TLS connection that carries the persistence policy.
// Skipped when weechat-headless is not installed.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { makeIssuedCert, makeTestCert, type TestCert } from '../helpers/tls.ts';
import { WeeChat, weechatVersion } from '../helpers/weechat.ts';
import { WAIT_MS } from '../helpers/wait.ts';

const VERSION = weechatVersion();
const ROOM = '#parlor';
const SERVER_BUFFER = 'irc.server.parlor';
// Starting WeeChat (config files, plugins) can be slow on a loaded machine.
const STARTUP_MS = 20_000;
// The server option that turns TLS on was "ssl" before WeeChat 4.
const TLS_OPTION = Number(VERSION?.split('.')[0] ?? 0) >= 4 ? 'tls' : 'ssl';
// What WeeChat prints when it receives CAP LS: the server's capabilities, values included.
const CAP_LS_LINE = /client capability, server supports: (.*)$/;

const skip = VERSION ? false : 'weechat-headless is not installed (apt-get install weechat-headless)';

/** Waits on the raw client, adding WeeChat's logs to the failure message. */
async function expectLine(raw: RawClient, wee: WeeChat, matcher: (r: Received) => boolean, timeoutMs = WAIT_MS): Promise<Received> {
  try {
    return await raw.waitFor(matcher, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${wee.diagnostics()}`, { cause: err });
  }
}

const from = (nick: string, command: string) => (r: Received) => r.msg.command === command && (r.msg.source ?? '').startsWith(`${nick}!`);

/** Whether WHOIS from `raw` says `nick` is on a secure connection (671). */
async function isSecure(raw: RawClient, nick: string): Promise<boolean> {
  raw.drain();
  const mark = raw.received.length;
  raw.send(`WHOIS ${nick}`);
  await raw.waitFor((r) => r.msg.command === '318' && r.msg.params[1] === nick);
  const reply = raw.since(mark);
  assert.ok(reply.some((r) => r.msg.command === '311'), `WHOIS ${nick} found no such user:\n${reply.map((r) => r.raw).join('\n')}`);
  return reply.some((r) => r.msg.command === '671' && r.msg.params[1] === nick);
}

describe('WeeChat over TLS', { skip }, () => {
  let cert: TestCert;
  let srv: TestServer;
  let raw: RawClient;
  let wee: WeeChat;
  const weeSays = from('weetls', 'PRIVMSG');

  before(async () => {
    // Self-signed, as `parlor gen-cert` makes: WeeChat trusts it as its own authority.
    cert = await makeTestCert();
    srv = await startServer({ tls: { cert: cert.certFile, key: cert.keyFile, port: 0 } });
    raw = await srv.register('rawbie');
    raw.send(`JOIN ${ROOM}`);
    await raw.waitFor('366');
    wee = WeeChat.start({ port: srv.server.tlsAddress!.port, tls: true, caFile: cert.certFile, nick: 'weetls', autojoin: ROOM, version: VERSION! });
  });

  after(async () => {
    await wee?.stop();
    await srv?.close();
    cert?.remove();
  });

  test('WeeChat verifies the certificate, registers over TLS and joins; WHOIS shows it secure (671)', async () => {
    await wee.waitForLog(/gnutls: peer's certificate is trusted/, STARTUP_MS);
    const join = await expectLine(raw, wee, from('weetls', 'JOIN'), STARTUP_MS);
    assert.equal(join.msg.params[0], ROOM);
    assert.equal(await isSecure(raw, 'weetls'), true);
    // A self-signed certificate: no STS policy by default (tls.sts: auto).
    const caps = (await wee.waitForLog(CAP_LS_LINE)).match(CAP_LS_LINE)![1]!.split(' ');
    assert.ok(caps.includes('sasl=PLAIN,SCRAM-SHA-256'), `WeeChat logged the values of CAP LS 302: ${caps.join(' ')}`);
    assert.equal(caps.filter((c) => c.startsWith('sts')).length, 0, caps.join(' '));
  });

  test('room messages both ways over TLS, Chinese and emoji intact', async () => {
    // Lines printed in a Parlor buffer that start with "echo: " are answered in that buffer
    // with the sender and the text as WeeChat decoded them.
    wee.command(SERVER_BUFFER, '/trigger add parlorecho print "irc.parlor.*" "${tg_message_nocolor} =~ ^echo: " "" "/msg * weechat got <${tg_tag_nick}> ${tg_message_nocolor}"');
    // The fifo is read in order: once this arrives, the trigger exists.
    wee.command(SERVER_BUFFER, `/msg ${ROOM} 加密的问候 from WeeChat 🔒🎉`);
    const hello = await expectLine(raw, wee, weeSays);
    assert.deepEqual(hello.msg.params, [ROOM, '加密的问候 from WeeChat 🔒🎉']);

    const text = 'echo: 大家好 over TLS 🐈‍⬛ ça va';
    raw.send(`PRIVMSG ${ROOM} :${text}`);
    const reply = await expectLine(raw, wee, weeSays);
    assert.deepEqual(reply.msg.params, [ROOM, `weechat got <rawbie> ${text}`]);
  });

  test('without the certificate to trust, WeeChat refuses the connection (its check is real)', async () => {
    // No CA file: only the system's authorities, which never signed the test certificate.
    const doubter = WeeChat.start({ port: srv.server.tlsAddress!.port, tls: true, nick: 'doubter', autojoin: ROOM, version: VERSION! });
    try {
      await doubter.waitForLog(/gnutls: peer's certificate is NOT trusted/, STARTUP_MS);
      await doubter.waitForLog(/irc: TLS handshake failed/);
    } finally {
      await doubter.stop();
    }
    raw.drain();
    raw.send('WHOIS doubter');
    const reply = await raw.waitFor((r) => r.msg.command === '401' || r.msg.command === '311');
    assert.equal(reply.msg.command, '401', 'the refused client never became a user');
  });
});

describe('WeeChat and STS', { skip }, () => {
  let issued: Awaited<ReturnType<typeof makeIssuedCert>>;
  let srv: TestServer;
  let raw: RawClient;
  let wee: WeeChat;
  let advertisedPort: number;

  before(async () => {
    // Issued by an authority: STS is advertised by default (tls.sts: auto).
    issued = await makeIssuedCert();
    const caFile = join(dirname(issued.certFile), 'ca.pem');
    writeFileSync(caFile, issued.ca);
    srv = await startServer({ tls: { cert: issued.certFile, key: issued.keyFile, port: 0 } });
    raw = await srv.register('rawbie');
    raw.send(`JOIN ${ROOM}`);
    await raw.waitFor('366');
    // Configured for the plain port, without TLS, as a user with an old bookmark would be.
    wee = WeeChat.start({ port: srv.port, caFile, nick: 'weests', autojoin: ROOM, version: VERSION! });
  });

  after(async () => {
    await wee?.stop();
    await srv?.close();
    issued?.remove();
  });

  test('on the plain port WeeChat receives the upgrade policy naming the TLS port', async () => {
    const caps = (await wee.waitForLog(CAP_LS_LINE, STARTUP_MS)).match(CAP_LS_LINE)![1]!.split(' ');
    const sts = caps.filter((c) => c === 'sts' || c.startsWith('sts='));
    assert.deepEqual(sts, [`sts=port=${srv.server.tlsAddress!.port}`]);
    advertisedPort = Number(sts[0]!.slice('sts=port='.length));
  });

  test(`WeeChat ${VERSION} does not follow it: it registers in plain text (no STS support in WeeChat)`, async () => {
    const join = await expectLine(raw, wee, from('weests', 'JOIN'), STARTUP_MS);
    assert.equal(join.msg.params[0], ROOM);
    assert.equal(
      await isSecure(raw, 'weests'),
      false,
      'WeeChat upgraded by itself: this version implements STS, so this test should now check the automatic upgrade',
    );
  });

  test('following the policy as the spec says, WeeChat reconnects to the advertised port with verified TLS, gets the persistence policy and is secure', async () => {
    // What an STS client does by itself: close, then reconnect securely on the stated port.
    wee.command(SERVER_BUFFER, `/set irc.server.parlor.addresses 127.0.0.1/${advertisedPort}`);
    wee.command(SERVER_BUFFER, `/set irc.server.parlor.${TLS_OPTION} on`);
    wee.command(SERVER_BUFFER, '/reconnect');
    await expectLine(raw, wee, from('weests', 'QUIT'));
    await wee.waitForLog(/gnutls: peer's certificate is trusted/);
    const rejoin = await expectLine(raw, wee, from('weests', 'JOIN'), STARTUP_MS);
    assert.equal(rejoin.msg.params[0], ROOM);
    // The second CAP LS, on the TLS connection: the persistence policy, and no upgrade any more.
    const caps = (await wee.waitForLog(CAP_LS_LINE, 5000, 2)).match(CAP_LS_LINE)![1]!.split(' ');
    assert.deepEqual(
      caps.filter((c) => c === 'sts' || c.startsWith('sts=')),
      ['sts=duration=2592000'],
    );
    assert.equal(await isSecure(raw, 'weests'), true);
  });
});
