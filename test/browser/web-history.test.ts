// The web client's scrollback: older lines are fetched page by page (CHATHISTORY BEFORE by
// msgid) when the view reaches the top. Many lines share one millisecond here (the server's
// clock is held still), and the server gives fewer lines per answer than the client would
// like (history.maxQuery): every line must still come back, once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { ManualClock } from '../helpers/clock.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, say } from '../helpers/web-chat.ts';

const skip = browserSkip;

const clock = new ManualClock();
const web = browserFixture({ history: { maxQuery: 40 } }, { deps: { clock } });

const text = (n: number): string => `flood line ${String(n).padStart(3, '0')}`;

/** The message texts shown in the current buffer, top to bottom. */
function shownMessages(page: Page): Promise<string[]> {
  return page.locator('.messages .line-message .text').allTextContents();
}

test('scrolling to the top brings back every line of a busy millisecond, once and in order', { skip }, async () => {
  const poster = await web.server.register('poster');
  await joinRoom(poster, 'poster', '#flood');
  // 1–30 in one millisecond, 31–120 (more than a page) in the next, 121–150 in the one after.
  const groups: [number, number][] = [
    [1, 30],
    [31, 120],
    [121, 150],
  ];
  for (const [from, to] of groups) {
    for (let n = from; n <= to; n++) poster.send(`PRIVMSG #flood :${text(n)}`);
    await poster.sync();
    clock.advance(1);
  }

  const page = await connectWeb(web.browser, web.url, 'reader');
  await say(page, '/join #flood');
  await page.getByRole('log').getByText(text(150)).waitFor();

  const loadOlder = page.getByRole('button', { name: 'Load older messages' });
  for (let round = 0; round < 20 && (await loadOlder.count()) > 0; round++) {
    const before = (await shownMessages(page)).length;
    await page.evaluate(`{
      const pane = document.querySelector('.messages');
      pane.scrollTop = 0;
      pane.dispatchEvent(new Event('scroll'));
    }`);
    // More lines, or the end of history (the button goes).
    // (A function, not a string: the page's CSP forbids eval.)
    await page.waitForFunction((n: number) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): unknown } }).document;
      return doc.querySelectorAll('.messages .line-message').length > n || doc.querySelector('.load-older') === null;
    }, before);
  }
  assert.equal(await loadOlder.count(), 0, 'the end of history was reached');
  const expected = Array.from({ length: 150 }, (_, i) => text(i + 1));
  assert.deepEqual(await shownMessages(page), expected);
  await page.close();
  poster.send('QUIT');
  await poster.waitClose();
});
