// The web client's login, typing and paste features in a real browser (Debian's Chromium via
// playwright-core), against a Parlor serving the built client. Skipped without Chromium or a
// build. Desktop notifications are left out: headless Chromium does not show them reliably.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { joinRoomOn } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture({ accounts: { passwordCost: 4 } });

async function openForm(nick: string, password = ''): Promise<Page> {
  const page = await web.newPage({ viewport: { width: 1100, height: 720 } });
  await page.goto(web.url);
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

test('the connect form logs in to an account with SASL PLAIN, and shows a wrong password', { skip }, async () => {
  const reg = await web.server.connect();
  reg.send('NICK saslweb', 'USER saslweb 0 * :SASL web');
  await reg.waitFor('001');
  reg.send('REGISTER * * secretpass123');
  await reg.waitFor(/^\S+ REGISTER SUCCESS /);
  reg.send('QUIT');
  await reg.waitClose();

  const page = await connect('saslweb', 'secretpass123');
  await page.getByRole('navigation').getByText('Logged in as saslweb').waitFor();
  assert.equal(web.parlor.network.userByNick('saslweb')?.account, 'saslweb');
  await page.close();

  const wrong = await openForm('saslweb', 'not-the-password');
  const alert = wrong.getByRole('alert');
  await alert.waitFor();
  // Plain words, not the server's "SASL authentication failed".
  assert.match((await alert.textContent()) ?? '', /Login failed: wrong account name or password/);
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
  const irc = await web.server.register('pastewatch');
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
  await guard.getByRole('button', { name: 'Send as 5 lines' }).click();
  for (const text of ['one', 'two', 'three', 'four', 'five']) {
    const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#paste');
    assert.equal(got.msg.params[1], text);
    assert.equal(got.msg.source, 'webpaster!webpaster@127.0.0.1');
  }
  assert.equal(await guard.count(), 0);
  await page.close();
  irc.close();
});
