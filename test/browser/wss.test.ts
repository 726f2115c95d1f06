// The web client over HTTPS and WSS: a Parlor with a (self-signed) certificate on its web port,
// Debian's Chromium told to accept it, chatting with an IRC client on the TLS port.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join as joinRoom } from '../helpers/irc.ts';
import { RawClient } from '../helpers/raw-client.ts';
import { makeTestCert, type TestCert } from '../helpers/tls.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { registered, say } from '../helpers/web-chat.ts';
import type { Page } from 'playwright-core';

const skip = browserSkip;

let cert: TestCert | undefined;

const web = browserFixture(
  async () => {
    // Made here, in the fixture's before hook: node:test (20) starts top-level before hooks
    // without waiting for the ones before them. Not made at all when the tests are skipped.
    cert = await makeTestCert();
    return { tls: { cert: cert.certFile, key: cert.keyFile, port: 0, web: true } };
  },
  { https: true },
);

after(() => cert?.remove());

test('a browser on https:// chats over wss:// with a TLS IRC client', { skip }, async () => {
  // The certificate is self-signed: this browser profile is told to accept it.
  const context = await web.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  // CI once found the input line gone after a fill (not reproduced here): say what the page shows.
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  try {
    await chatOverWss(page);
  } catch (err) {
    const shown = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(unreadable)');
    throw new Error(`${String(err)}\nWebSockets: ${sockets.join(', ')}\nPage errors: ${pageErrors.join(' | ') || 'none'}\nThe page shows:\n${shown.slice(0, 2000)}`, { cause: err });
  }
  assert.deepEqual(sockets, [`wss://127.0.0.1:${web.parlor.webAddress!.port}/irc`]);
  await context.close();
});

async function chatOverWss(page: Page): Promise<void> {
  await page.goto(web.url);
  await page.getByLabel('Nickname').fill('wssweb');
  await page.getByRole('button', { name: 'Connect' }).click();
  await registered(page);
  await say(page, '/join #tls');

  const irc = await RawClient.connectTls(web.parlor.tlsAddress!.port, cert!.cert);
  web.server.clients.push(irc);
  irc.send('NICK tlsirc', 'USER tlsirc 0 * :tlsirc');
  await irc.waitFor('001');
  await joinRoom(irc, 'tlsirc', '#tls');
  irc.send('WHOIS wssweb');
  await irc.waitFor('671');
  irc.send('PRIVMSG #tls :secure hello 安全 🔐');
  await page.getByRole('log').getByText('secure hello 安全 🔐').waitFor();
  await say(page, 'and back over wss');
  const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'and back over wss');
  assert.match(got.msg.source ?? '', /^wssweb!/);
}
