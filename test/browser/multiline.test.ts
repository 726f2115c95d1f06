// IRCv3 multiline in the web client (Chromium against the built client): a pasted block of
// five lines, sent with "Send as one message", shows on another web page as ONE message with
// five lines (and is read back whole from history after a reload), while an IRC client without
// the capability gets five PRIVMSGs; "Send as N lines" still sends them one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture();

async function paste(page: Page, text: string): Promise<void> {
  // Runs in the page (the test's own tsconfig has no DOM types, hence the string).
  await page.evaluate(`{
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(text)});
    document.getElementById('message-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }`);
}

test('a pasted block sent as one message: one message of five lines on the other page, five PRIVMSGs for a client without multiline', { skip }, async () => {
  const alice = await connectWeb(web.browser, web.url, 'mlalice');
  const bob = await connectWeb(web.browser, web.url, 'mlbob');
  await joinRoomOn(alice, '#ml');
  await joinRoomOn(bob, '#ml');
  const irc = await web.server.register('mlwatch');
  await joinRoom(irc, 'mlwatch', '#ml');
  await alice.getByRole('log').getByText('mlwatch').first().waitFor();

  const lines = ['first line', 'second: 你好，世界', 'third', 'fourth', 'fifth'];
  await paste(alice, lines.join('\n'));
  const guard = alice.getByRole('alertdialog', { name: 'Send pasted lines' });
  await guard.getByText('Send 5 lines?').waitFor();
  await guard.getByRole('button', { name: 'Send as 5 lines' }).waitFor();
  await guard.getByRole('button', { name: 'Send as one message' }).click();

  for (const text of lines) {
    const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#ml');
    assert.equal(got.msg.params[1], text);
    assert.equal(got.msg.source, 'mlalice!mlalice@127.0.0.1');
  }

  // One message: one list item holding the five lines, shown on five lines.
  const log = bob.getByRole('log');
  const item = log.locator('li.line-message', { hasText: 'first line' });
  await item.waitFor();
  assert.equal(await log.locator('li.line-message', { hasText: 'fifth' }).count(), 1);
  const shown = await item.locator('.text').innerText();
  assert.equal(shown.trim(), lines.join('\n'));
  const box = await item.boundingBox();
  const oneLine = await log.locator('li.line').first().boundingBox();
  assert.ok(box && oneLine && box.height >= 4 * oneLine.height, `five lines tall: ${box?.height} vs ${oneLine?.height}`);
  // The sender sees its own message (the echo) as one too.
  await alice.getByRole('log').locator('li.line-message', { hasText: 'fifth' }).waitFor();
  assert.equal(await alice.getByRole('log').locator('li.line-message', { hasText: 'first line' }).count(), 1);

  // From history (chathistory, the batch nested in its batch): still one message.
  await bob.reload();
  await bob.getByLabel('Nickname').fill('mlbob2');
  await bob.getByRole('button', { name: 'Connect' }).click();
  await bob.locator('#message-input').waitFor();
  await joinRoomOn(bob, '#ml');
  const again = bob.getByRole('log').locator('li.line-message', { hasText: 'first line' });
  await again.waitFor();
  assert.equal((await again.locator('.text').innerText()).trim(), lines.join('\n'));

  // "Send as 5 lines" still sends five messages.
  await paste(alice, ['a1', 'a2', 'a3', 'a4', 'a5'].join('\n'));
  await guard.getByRole('button', { name: 'Send as 5 lines' }).click();
  await bob.getByRole('log').locator('li.line-message', { hasText: 'a5' }).waitFor();
  assert.equal(await bob.getByRole('log').locator('li.line-message', { hasText: /^.*a[1-5]$/ }).count(), 5);
  await alice.close();
  await bob.close();
  irc.close();
});
