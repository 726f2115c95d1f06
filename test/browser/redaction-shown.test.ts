// Deleting messages in the web client (Chromium), continued: after deleting a line from the
// keyboard, focus stays in the message log (the button goes with the line's text) so that ←/→
// go on from there, and a line a room operator deleted says who did and why, in English and in
// Chinese (消息已被 … 删除：…); the page with deleted lines has no WCAG AA violation.
import { createRequire } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { is } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture();
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

async function violations(page: Page): Promise<string> {
  if (!(await page.evaluate<boolean>(`typeof window.axe === 'object'`))) await page.evaluate(AXE_SOURCE);
  return page.evaluate<string>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join('; ')).join('\\n'))`);
}

test('deleted from the keyboard: focus stays in the log; a room operator’s deletion says who and why, in English and Chinese', { skip }, async () => {
  // The operator is a plain IRC client that founds the room and sees msgids.
  const op = await web.server.register('modraw', ['message-tags', 'draft/message-redaction']);
  op.send('JOIN #shown');
  await op.waitFor(is('366', 'modraw', '#shown'));
  const alice = await connectWeb(web.browser, web.url, 'alicer', { bypassCSP: true });
  await joinRoomOn(alice, '#shown');
  const context = await web.browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 720 } });
  const reader = await context.newPage();
  await reader.goto(web.url);
  await reader.getByLabel('昵称').fill('readerzh');
  await reader.getByRole('button', { name: '连接' }).click();
  await reader.locator('#message-input').waitFor();
  await joinRoomOn(reader, '#shown');
  await alice.getByRole('log').getByText('readerzh').first().waitFor();

  await say(alice, 'mine to delete');
  await say(alice, 'spam from alice');
  const spam = await op.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'spam from alice');
  const log = alice.getByRole('log');
  await log.locator('.line').filter({ hasText: 'mine to delete' }).getByRole('button').waitFor({ state: 'attached' });

  // ← from the log reaches the newest button (the spam line's), ← again the one before.
  await log.focus();
  await alice.keyboard.press('ArrowLeft');
  await alice.keyboard.press('ArrowLeft');
  assert.equal(await alice.evaluate<string>(`document.activeElement.closest('.line').textContent`).then((t) => t.includes('mine to delete')), true);
  await alice.keyboard.press('Enter');
  await log.locator('.line .redacted').waitFor();
  assert.equal(await alice.evaluate<string | null>(`document.activeElement.getAttribute('role')`), 'log', 'focus is on the log, not lost');
  await alice.keyboard.press('ArrowLeft');
  assert.equal(await alice.evaluate<string>(`document.activeElement.closest('.line').textContent`).then((t) => t.includes('spam from alice')), true, '← goes on from the log');

  // The room's operator deletes alice's other line, with a reason.
  op.send(`REDACT #shown ${spam.msg.tags.msgid} :\x02off topic\x02`);
  const byOp = log.locator('.line .redacted').filter({ hasText: 'modraw' });
  await byOp.waitFor();
  assert.equal(await byOp.textContent(), 'message deleted by modraw: off topic');
  const zh = reader.getByRole('log').locator('.line .redacted').filter({ hasText: 'modraw' });
  await zh.waitFor();
  assert.equal(await zh.textContent(), '消息已被 modraw 删除：off topic');
  assert.equal(await reader.getByRole('log').locator('.line .redacted').filter({ hasNotText: 'modraw' }).textContent(), '消息已删除');
  assert.equal(await violations(alice), '', 'deleted lines and the delete buttons pass axe');
  await alice.close();
  await context.close();
  op.close();
});
