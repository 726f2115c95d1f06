// The web client's login, typing and paste features in a real browser (Debian's Chromium via
// playwright-core), against a Parlor serving the built client. Skipped without Chromium or a
// build. Desktop notifications are left out: headless Chromium does not show them reliably.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { browserSkip, CHROMIUM } from '../helpers/browser.ts';

const skip = browserSkip;

let t: TestServer;
let browser: Browser;
let url: string;

before(async () => {
  if (skip) return;
  t = await startServer({ web: { enabled: true, port: 0 }, accounts: { passwordCost: 4 } });
  url = `http://127.0.0.1:${t.server.webAddress!.port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
});

async function openForm(nick: string, password = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await page.goto(url);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByLabel('Password (account or server)').fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
  return page;
}

async function connect(nick: string, password = ''): Promise<Page> {
  const page = await openForm(nick, password);
  await page.locator('#message-input').waitFor();
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
}

/** /join, then wait until the room is listed: a line typed or a join seen before the JOIN comes back would land elsewhere. */
async function joinRoomOn(page: Page, room: string): Promise<void> {
  await say(page, `/join ${room}`);
  // Attached, not visible: on a phone the room list is folded away.
  await page.getByRole('navigation', { includeHidden: true }).getByText(room).waitFor({ state: 'attached' });
}

test('the connect form logs in to an account with SASL PLAIN, and shows a wrong password', { skip }, async () => {
  const reg = await t.connect();
  reg.send('NICK saslweb', 'USER saslweb 0 * :SASL web');
  await reg.waitFor('001');
  reg.send('REGISTER * * secretpass123');
  await reg.waitFor(/^\S+ REGISTER SUCCESS /);
  reg.send('QUIT');
  await reg.waitClose();

  const page = await connect('saslweb', 'secretpass123');
  await page.getByRole('navigation').getByText('Logged in as saslweb').waitFor();
  assert.equal(t.server.network.userByNick('saslweb')?.account, 'saslweb');
  await page.close();

  const wrong = await openForm('saslweb', 'not-the-password');
  const alert = wrong.getByRole('alert');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /Login failed/);
  assert.equal(await wrong.locator('#message-input').count(), 0);
  await wrong.close();
});

test('typing in a room shows on the other members’ pages', { skip }, async () => {
  const alice = await connect('webalice');
  const bob = await connect('webbob');
  await joinRoomOn(alice, '#lobby');
  await joinRoomOn(bob, '#lobby');
  await alice.getByRole('log').getByText('webbob').first().waitFor();
  await alice.locator('#message-input').pressSequentially('hello th');
  await bob.getByText('webalice is typing…').waitFor();
  // Sending the message clears it.
  await alice.locator('#message-input').press('Enter');
  await bob.getByRole('log').getByText('hello th').waitFor();
  await bob.getByText('webalice is typing…').waitFor({ state: 'detached' });
  await alice.close();
  await bob.close();
});

test('a paste of five lines asks first, then sends each line as a message', { skip }, async () => {
  const page = await connect('webpaster');
  await joinRoomOn(page, '#paste');
  const irc = await t.register('pastewatch');
  await joinRoom(irc, 'pastewatch', '#paste');
  await page.getByRole('log').getByText('pastewatch').first().waitFor();

  const lines = ['one', 'two', '', 'three', 'four', 'five'];
  // Runs in the page (the test's own tsconfig has no DOM types, hence the string).
  await page.evaluate(`{
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(lines.join('\n'))});
    document.getElementById('message-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }`);
  const guard = page.getByRole('alertdialog', { name: 'Send pasted lines' });
  await guard.getByText('Send 5 lines?').waitFor();
  await guard.getByRole('button', { name: 'Send' }).click();
  for (const text of ['one', 'two', 'three', 'four', 'five']) {
    const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#paste');
    assert.equal(got.msg.params[1], text);
    assert.equal(got.msg.source, 'webpaster!webpaster@127.0.0.1');
  }
  assert.equal(await guard.count(), 0);
  await page.close();
  irc.close();
});
