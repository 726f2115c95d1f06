// What a user tester tripped over in the admin panel: a bad duration explained by its field (in
// Chinese), the broadcast box counting UTF-8 bytes, a phone-width page that fits its screen,
// and a server with no way in saying so before anyone tries. Skipped without Chromium or a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startServer } from '../helpers/server.ts';
import { browserFixture, browserSkip, webUrl } from '../helpers/browser.ts';

const skip = browserSkip;
const TOKEN = 'usability-token';

const web = browserFixture({ web: { adminToken: TOKEN } });

async function openAdmin(options: { locale: string; width: number }): Promise<Page> {
  const context = await web.browser.newContext({ locale: options.locale, viewport: { width: options.width, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${web.url}#admin`);
  await page.locator('#admin-token').fill(TOKEN);
  await page.locator('#admin-token').press('Enter');
  await page.locator('.admin-table').waitFor();
  return page;
}

test('a duration that does not read is explained next to its field, in Chinese, and nothing is sent', { skip }, async () => {
  const irc = await web.server.register('zhuser');
  const page = await openAdmin({ locale: 'zh-CN', width: 1200 });
  await page.getByRole('button', { name: '禁言 zhuser' }).click();
  const form = page.locator('form.admin-confirm');
  await form.locator('input[name=duration]').fill('90分钟');
  await page.getByRole('button', { name: '确认禁言' }).click();
  const problem = form.getByRole('alert');
  await problem.waitFor();
  assert.match((await problem.textContent()) ?? '', /^时长格式不对.*90分钟/);
  assert.equal(await form.locator('input[name=duration]').getAttribute('aria-invalid'), 'true');
  assert.equal(web.parlor.admin.list('mute').length, 0);
  // The placeholder fits its field.
  const fits = await form.locator('input[name=duration]').evaluate((el) => {
    const input = el as unknown as { scrollWidth: number; clientWidth: number; value: string; placeholder: string };
    input.value = input.placeholder;
    return input.scrollWidth <= input.clientWidth;
  });
  assert.ok(fits, 'the duration placeholder is cut off');
  await page.context().close();
  irc.close();
});

test('the broadcast box counts UTF-8 bytes and will not send over the limit', { skip }, async () => {
  const page = await openAdmin({ locale: 'zh-CN', width: 1200 });
  const box = page.locator('input[name=broadcast]');
  const send = page.getByRole('button', { name: '发送给所有人' });
  await box.fill('维'.repeat(133)); // 399 bytes
  assert.equal(await page.locator('#broadcast-bytes').textContent(), '剩余 1 字节');
  assert.equal(await send.isEnabled(), true);
  await box.fill('维'.repeat(134)); // 402 bytes: 134 characters, well under 400 of them
  assert.equal(await page.locator('#broadcast-bytes').textContent(), '超出 2 字节');
  assert.equal(await send.isEnabled(), false);
  await page.context().close();
});

test('on a 390px phone the panel fits the screen: users are cards with their actions in view, long audit entries wrap', { skip }, async () => {
  const irc = await web.server.register('phoneuser');
  await web.parlor.admin.broadcast(web.parlor.admin.consoleActor, `https://example.com/${'x'.repeat(200)}`);
  const page = await openAdmin({ locale: 'en', width: 390 });
  await page.getByRole('button', { name: 'Mute phoneuser' }).waitFor();
  assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 390);
  const mute = await page.getByRole('button', { name: 'Mute phoneuser' }).boundingBox();
  assert.ok(mute !== null && mute.x + mute.width <= 390, `Mute at ${JSON.stringify(mute)}`);
  // No empty notice line taking room under the header before anything is done.
  const notice = await page.locator('.admin-notice').boundingBox();
  assert.ok(notice !== null && notice.height === 0, `notice ${JSON.stringify(notice)}`);
  if (process.env.V3_SHOT) await page.screenshot({ path: process.env.V3_SHOT, fullPage: true });
  await page.context().close();
  irc.close();
});

test('with neither a token nor operators configured, the sign-in page says the panel is off before any attempt', { skip }, async () => {
  const off = await startServer({ web: { enabled: true, port: 0 } });
  const page = await web.newPage();
  await page.goto(`${webUrl(off)}#admin`);
  await page.getByRole('alert').filter({ hasText: 'The admin panel is off' }).waitFor();
  await page.close();
  await off.close();
});
