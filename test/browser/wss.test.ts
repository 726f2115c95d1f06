// The web client over HTTPS and WSS: a Parlor with a (self-signed) certificate on its web port,
// Debian's Chromium told to accept it, chatting with an IRC client on the TLS port.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { makeTestCert, type TestCert } from '../helpers/tls.ts';
import { browserSkip, CHROMIUM } from '../helpers/browser.ts';

const skip = browserSkip;

let t: TestServer;
let cert: TestCert;
let browser: Browser;

before(async () => {
  if (skip) return;
  cert = await makeTestCert();
  t = await startServer({ web: { enabled: true, port: 0 }, tls: { cert: cert.certFile, key: cert.keyFile, port: 0, web: true } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
  cert.remove();
});

test('a browser on https:// chats over wss:// with a TLS IRC client', { skip }, async () => {
  const url = `https://127.0.0.1:${t.server.webAddress!.port}/`;
  // The certificate is self-signed: this browser profile is told to accept it.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(url);
  await page.getByLabel('Nickname').fill('wssweb');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#message-input').fill('/join #tls');
  await page.locator('#message-input').press('Enter');

  const irc = await RawClient.connectTls(t.server.tlsAddress!.port, cert.cert);
  t.clients.push(irc);
  irc.send('NICK tlsirc', 'USER tlsirc 0 * :tlsirc');
  await irc.waitFor('001');
  await joinRoom(irc, 'tlsirc', '#tls');
  irc.send('WHOIS wssweb');
  await irc.waitFor('671');
  irc.send('PRIVMSG #tls :secure hello 安全 🔐');
  await page.getByRole('log').getByText('secure hello 安全 🔐').waitFor();
  await page.locator('#message-input').fill('and back over wss');
  await page.locator('#message-input').press('Enter');
  const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'and back over wss');
  assert.match(got.msg.source ?? '', /^wssweb!/);
  assert.deepEqual(sockets, [`wss://127.0.0.1:${t.server.webAddress!.port}/irc`]);
  await context.close();
});
