// Unread lines elsewhere on a phone: with the room list closed, the ☰ button carries a badge
// counting them (red when one mentions the user), and each room's badge counts unread lines as
// the page title does, not only its mentions. Skipped without Chromium or a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserFixture, browserSkip, untilInPage, type PageGlobals } from '../helpers/browser.ts';
import { connectWeb, say } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture();

test('on a phone the ☰ button shows unread lines in other rooms; room badges count unread, marked when mentioned', { skip }, async () => {
  const page = await connectWeb(web.browser, web.url, 'phoneamy', { width: 390, height: 800 });
  for (const room of ['#quiet', '#here']) {
    await say(page, `/join ${room}`);
    await page.getByRole('heading', { name: room }).waitFor();
  }
  const bob = await web.server.register('phonebob');
  bob.send('JOIN #quiet');
  await bob.waitFor((r) => r.msg.command === 'JOIN');
  bob.send('PRIVMSG #quiet :anyone there?', 'PRIVMSG #quiet :phoneamy: hello you');
  const menu = page.locator('.rooms-button');
  const badge = menu.locator('.badge');
  await untilInPage(page, (selector) => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent === '2', '.rooms-button .badge');
  assert.equal(await badge.getAttribute('class'), 'badge mention');
  assert.match((await menu.getAttribute('aria-label')) ?? '', /Show rooms \(1 mention, 2 unread\)/);
  assert.match(await page.title(), /^\(2\) /);
  // The room's own badge says the same as the title: 2, marked as including a mention.
  // (The room list is a closed drawer here: found in the page, not by role.)
  const room = page.locator('.sidebar .buffer').filter({ hasText: '#quiet' });
  assert.equal(await room.locator('.badge').textContent(), '2');
  assert.equal(await room.locator('.badge').getAttribute('class'), 'badge mention');
  bob.close();
  await page.close();
});
