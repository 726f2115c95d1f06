// Unread lines elsewhere on a phone: with the room list closed, the ☰ button carries a badge
// counting them (red when one mentions the user), and each room's badge counts unread lines as
// the page title does, not only its mentions. Skipped without Chromium or a build.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { browserSkip, CHROMIUM } from '../helpers/browser.ts';

const skip = browserSkip;

let t: TestServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  t = await startServer({ web: { enabled: true, port: 0 } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
});

test('on a phone the ☰ button shows unread lines in other rooms; room badges count unread, marked when mentioned', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
  await page.goto(`http://127.0.0.1:${t.server.webAddress!.port}/`);
  await page.getByLabel('Nickname').fill('phoneamy');
  await page.getByRole('button', { name: 'Connect' }).click();
  const input = page.locator('#message-input');
  for (const room of ['#quiet', '#here']) {
    await input.fill(`/join ${room}`);
    await input.press('Enter');
    await page.getByRole('heading', { name: room }).waitFor();
  }
  const bob = await t.register('phonebob');
  bob.send('JOIN #quiet');
  await bob.waitFor((r) => r.msg.command === 'JOIN');
  bob.send('PRIVMSG #quiet :anyone there?', 'PRIVMSG #quiet :phoneamy: hello you');
  const menu = page.locator('.rooms-button');
  const badge = menu.locator('.badge');
  await page.waitForFunction(`document.querySelector('.rooms-button .badge')?.textContent === '2'`);
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
