// draft/read-marker between two browser pages logged in to one account: a message in a room
// neither has in view counts as unread on both; reading it on page A clears the count (room
// badge and page title) on page B. Skipped without Chromium or a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { addAccount } from '../helpers/accounts.ts';
import { browserFixture, browserSkip, untilInPage, type PageGlobals } from '../helpers/browser.ts';
import { joinRoomOn } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture();

async function loggedIn(nick: string, password: string): Promise<Page> {
  const page = await web.newPage({ viewport: { width: 1100, height: 720 } });
  await page.goto(web.url);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByLabel('Password (account or server)').fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#message-input').waitFor();
  await page.getByRole('navigation').getByText(`Logged in as ${nick}`).waitFor();
  return page;
}

const badgeOf = (page: Page, room: string) => page.locator('.sidebar .buffer').filter({ hasText: room }).locator('.badge');

test('reading a room on one page clears its unread count on the other page of the same account', { skip }, async () => {
  await addAccount(web.server, 'marker', 'pw-marker-1');
  const a = await loggedIn('marker', 'pw-marker-1');
  const b = await loggedIn('marker', 'pw-marker-1');
  for (const page of [a, b]) {
    await joinRoomOn(page, '#rm-news');
    await joinRoomOn(page, '#rm-here');
    await page.getByRole('heading', { name: '#rm-here' }).waitFor();
  }
  const bob = await web.server.register('rmbob');
  bob.send('JOIN #rm-news');
  await bob.waitFor('366');
  bob.send('PRIVMSG #rm-news :news for you');
  for (const page of [a, b]) {
    await badgeOf(page, '#rm-news').waitFor();
    assert.equal(await badgeOf(page, '#rm-news').textContent(), '1');
    await untilInPage(page, (title) => (globalThis as unknown as PageGlobals).document.title === title, '(1) Parlor');
  }

  await a.locator('.sidebar .buffer').filter({ hasText: '#rm-news' }).click();
  await a.getByRole('heading', { name: '#rm-news' }).waitFor();
  // Page B never looked at #rm-news, yet it is read: the marker came from page A.
  await badgeOf(b, '#rm-news').waitFor({ state: 'detached' });
  await untilInPage(b, (title) => (globalThis as unknown as PageGlobals).document.title === title, 'Parlor');
  const marker = await web.server.server.store.readMarker('marker', '#rm-news');
  assert.ok(marker !== undefined && marker > 0);

  // The "New messages" line follows the marker too. Page B has seen #rm-news; both move away.
  const open = (page: Page, room: string) => page.locator('.sidebar .buffer').filter({ hasText: room }).click();
  await open(b, '#rm-news');
  await b.getByRole('log').getByText('news for you').waitFor();
  await open(b, '#rm-here');
  await open(a, '#rm-here');
  await a.getByRole('heading', { name: '#rm-here' }).waitFor();
  await b.getByRole('heading', { name: '#rm-here' }).waitFor();
  bob.send('PRIVMSG #rm-news :more news');
  for (const page of [a, b]) await badgeOf(page, '#rm-news').waitFor();
  // Read on page A: page B, coming back, has no "New messages" line before what A read.
  await open(a, '#rm-news');
  await badgeOf(b, '#rm-news').waitFor({ state: 'detached' });
  await open(a, '#rm-here');
  await open(b, '#rm-news');
  await b.getByRole('log').getByText('more news').waitFor();
  assert.equal(await b.locator('.unread-divider').count(), 0);
  // Not read anywhere: the line is there as before.
  await open(b, '#rm-here');
  await b.getByRole('heading', { name: '#rm-here' }).waitFor();
  bob.send('PRIVMSG #rm-news :latest news');
  await badgeOf(b, '#rm-news').waitFor();
  await open(b, '#rm-news');
  await b.getByRole('log').getByText('latest news').waitFor();
  await b.locator('.unread-divider').waitFor();
  bob.close();
  await a.close();
  await b.close();
});
