// The web client logs in with SASL SCRAM-SHA-256 (WebCrypto in Chromium) when the server
// offers it, seen in the WebSocket frames it sends; an account from before SCRAM is logged in
// with PLAIN after SCRAM's 904, and uses SCRAM from then on. The SCRAM-logged-in web user is
// seen logged in by a plain IRC client and by the terminal client's core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { addAccount } from '../helpers/accounts.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { eventually } from '../server/scram-exchange.ts';
import { startClient, waitUntil } from '../clients/helpers.ts';

const skip = browserSkip;
const web = browserFixture({ accounts: { passwordCost: 4 } });

/** Connects the web client with an account password; resolves with the page and the lines it sent over its WebSocket. */
async function webLogin(nick: string, password: string): Promise<{ page: Page; sent: string[] }> {
  const page = await web.newPage({ viewport: { width: 1100, height: 720 } });
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))));
  await page.goto(web.url);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByLabel('Password (account or server)').fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('navigation').getByText(`Logged in as ${nick}`).waitFor();
  return { page, sent };
}

const mechanisms = (sent: string[]): string[] => sent.filter((l) => /^AUTHENTICATE (PLAIN|SCRAM-SHA-256)$/.test(l.trim())).map((l) => l.trim());

test('the web client logs in with SCRAM-SHA-256; IRC and terminal users see the account', { skip }, async () => {
  const reg = await web.server.register('scramweb', ['draft/account-registration']);
  reg.send('REGISTER * * :web scram password');
  await reg.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
  reg.send('QUIT');
  await reg.waitClose();

  const { page, sent } = await webLogin('scramweb', 'web scram password');
  assert.deepEqual(mechanisms(sent), ['AUTHENTICATE SCRAM-SHA-256']);
  assert.equal(web.parlor.network.userByNick('scramweb')?.account, 'scramweb');

  // A plain IRC client (no capabilities) and the terminal client's core see who it is.
  const irc = await web.server.register('plainirc');
  irc.send('WHOIS scramweb');
  assert.equal((await irc.waitFor('330')).msg.params[2], 'scramweb');
  const terminal = await startClient(web.server.port, 'termuser');
  terminal.send('WHOIS scramweb');
  await waitUntil(terminal, () => terminal.model.buffers.some((b) => b.lines.some((l) => l.text.includes('scramweb') && l.text.includes('logged in'))), 'WHOIS shown');
  await terminal.quit();
  await page.close();
});

test('an account from before SCRAM: the web client falls back to PLAIN once, then uses SCRAM', { skip }, async () => {
  await addAccount(web.server, 'oldweb', 'an old password');
  const first = await webLogin('oldweb', 'an old password');
  assert.deepEqual(mechanisms(first.sent), ['AUTHENTICATE SCRAM-SHA-256', 'AUTHENTICATE PLAIN']);
  await first.page.close();
  await eventually(async () => (await web.parlor.store.getAccount('oldweb'))?.scram !== undefined, 'the verifier saved');
  const second = await webLogin('oldweb', 'an old password');
  assert.deepEqual(mechanisms(second.sent), ['AUTHENTICATE SCRAM-SHA-256']);
  await second.page.close();
});
