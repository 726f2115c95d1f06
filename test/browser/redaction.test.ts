// Deleting messages in the web client (Chromium), IRCv3 draft/message-redaction: a web user
// deletes their own line from its Delete button, reached from the keyboard, and another web
// user sees "message deleted" in its place (消息已删除 in Chinese) while a plain IRC client
// without the capability is sent nothing; a room operator may delete anyone's line, a member
// only their own; a line `parlor chat` deletes with /delete reads "message deleted" on the web.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { is } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';
import { startClient, waitForLine, waitUntil } from '../clients/helpers.ts';

const skip = browserSkip;
const web = browserFixture();

test('web ↔ web: the sender deletes their line with the keyboard; the other page shows "message deleted"; a client without the cap hears nothing', { skip }, async () => {
  const plain = await web.server.register('plainirc');
  plain.send('JOIN #lobby');
  await plain.waitFor(is('366', 'plainirc', '#lobby'));
  const alice = await connectWeb(web.browser, web.url, 'alicew');
  const bob = await connectWeb(web.browser, web.url, 'bobw');
  await alice.getByRole('log').getByText('bobw joined').waitFor();
  await say(alice, 'this stays');
  await say(alice, 'oops, wrong window');
  const bobsLine = bob.getByRole('log').locator('.line').filter({ hasText: 'oops, wrong window' });
  await bobsLine.waitFor();
  await plain.waitFor((r) => r.msg.params[1] === 'oops, wrong window');
  const mark = plain.received.length;
  // Bob may not delete alice's line: no button for him.
  assert.equal(await bobsLine.locator('.delete-line').count(), 0);

  const own = alice.getByRole('log').locator('.line').filter({ hasText: 'oops, wrong window' });
  const button = own.getByRole('button', { name: 'Delete this message from alicew' });
  // From the keyboard: the log is one tab stop, ← from it reaches the newest button.
  await alice.getByRole('log').focus();
  await alice.keyboard.press('ArrowLeft');
  assert.equal(await alice.evaluate<string>(`document.activeElement.getAttribute('aria-label')`), 'Delete this message from alicew');
  assert.equal(await button.count(), 1);
  await alice.keyboard.press('Enter');

  const deleted = bob.getByRole('log').locator('.line .redacted');
  await deleted.waitFor();
  assert.equal(await deleted.textContent(), 'message deleted');
  assert.equal(await bob.getByRole('log').getByText('oops, wrong window').count(), 0);
  assert.equal(await bob.getByRole('log').getByText('this stays').count(), 1);
  await alice.getByRole('log').locator('.line .redacted').waitFor();
  assert.equal(await own.count(), 0);
  await plain.sync();
  assert.deepEqual(plain.since(mark).filter((r) => r.msg.command === 'REDACT'), []);
  await alice.close();
  await bob.close();
  plain.close();
});

test('a room operator deletes anyone’s line; the member sees it deleted', { skip }, async () => {
  const op = await connectWeb(web.browser, web.url, 'opw');
  await joinRoomOn(op, '#mods');
  const member = await connectWeb(web.browser, web.url, 'memberw');
  await joinRoomOn(member, '#mods');
  await say(member, 'buy cheap watches');
  const line = op.getByRole('log').locator('.line').filter({ hasText: 'buy cheap watches' });
  await line.waitFor();
  await line.hover();
  await line.getByRole('button', { name: 'Delete this message from memberw' }).click();
  // Someone else's line: confirmed first (redaction-confirm.test.ts), here without a reason.
  await op.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await member.getByRole('log').locator('.line .redacted').waitFor();
  assert.equal(await member.getByRole('log').getByText('buy cheap watches').count(), 0);
  const audit = web.parlor.audit.recent().filter((e) => e.action === 'redact');
  assert.equal(audit.at(-1)?.actor, 'room-operator:opw');
  await op.close();
  await member.close();
});

test('web ↔ terminal: /delete in parlor chat; the web page shows "message deleted", in Chinese 消息已删除', { skip }, async () => {
  // A reader in Chinese.
  const context = await web.browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  await page.goto(web.url);
  await page.getByLabel('昵称').fill('webwatch');
  await page.getByRole('button', { name: '连接' }).click();
  await page.locator('#message-input').waitFor();
  const term = await startClient(web.server.port, 'termuser');
  term.input('/join #lobby');
  await waitUntil(term, () => term.model.find('#lobby')?.joined, 'termuser to join');
  term.model.select(term.model.find('#lobby')!.key);
  term.input('from the terminal');
  await waitForLine(term, ({ line }) => line.self === true && line.text === 'from the terminal' && line.msgid !== undefined);
  await page.getByRole('log').getByText('from the terminal').waitFor();
  term.input('/delete');
  const deleted = page.getByRole('log').locator('.line .redacted');
  await deleted.waitFor();
  assert.equal(await deleted.textContent(), '消息已删除');
  assert.equal(await page.getByRole('log').getByText('from the terminal').count(), 0);
  // The web user deletes their own line; the terminal shows it deleted.
  await say(page, 'from the web');
  const fromWeb = await waitForLine(term, ({ line }) => line.text === 'from the web');
  const line = page.getByRole('log').locator('.line').filter({ hasText: 'from the web' });
  await line.hover();
  await line.getByRole('button', { name: '删除 webwatch 的这条消息' }).click();
  await waitUntil(term, () => fromWeb.line.redacted, 'the terminal to see it deleted');
  await term.quit();
  await context.close();
});
