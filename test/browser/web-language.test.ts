// The web client in Simplified Chinese: a browser whose language is zh-CN gets Chinese labels,
// client lines and a zh-CN day label, with <html lang="zh-CN">; the language picker switches
// to English and the choice is remembered. Screenshot: test-artifacts/web-zh-CN.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDay } from '../../src/i18n/dates.ts';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { say } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture();

test('a zh-CN browser gets the Chinese client; the picker switches to English and is remembered', { skip }, async () => {
  const context = await web.browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  await page.goto(web.url);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.getByLabel('昵称').fill('xiaomei');
  await page.getByRole('button', { name: '连接' }).click();
  await page.locator('#message-input').waitFor();
  await page.getByText('已连接，昵称 xiaomei').waitFor();

  const irc = await web.server.register('laozhang');
  await joinRoom(irc, 'laozhang', '#茶馆');
  irc.send('TOPIC #茶馆 :喝茶聊天 🍵');
  await say(page, '/join #茶馆');
  const log = page.getByRole('log');
  await log.getByText('你进入了 #茶馆').waitFor();
  await page.getByText('2 位成员').waitFor();
  // The day separator is written the Chinese way: 2026年1月1日周四.
  const today = formatDay(new Date(), 'zh-CN');
  await log.locator('.day').filter({ hasText: today }).first().waitFor();
  irc.send('PRIVMSG #茶馆 :你好，欢迎！');
  await log.getByText('你好，欢迎！').waitFor();
  irc.send('PART #茶馆 :回头见');
  await log.getByText('laozhang 离开了（回头见）').waitFor();
  await page.screenshot({ path: `${web.artifacts}web-zh-CN.png` });

  // The picker: English now, and on the next visit, whatever the browser says.
  await page.getByRole('navigation').getByLabel('语言').selectOption('en');
  await page.getByText('Connected as xiaomei').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByText('1 member').waitFor();
  irc.send('JOIN #茶馆');
  await log.getByText('laozhang joined').waitFor();
  await log.locator('.day').filter({ hasText: formatDay(new Date(), 'en') }).first().waitFor();

  const again = await context.newPage();
  await again.goto(web.url);
  await again.getByLabel('Nickname').waitFor();
  assert.equal(await again.locator('html').getAttribute('lang'), 'en');
  await context.close();
});

test('an English browser gets English, and can pick Chinese before connecting', { skip }, async () => {
  const context = await web.browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(web.url);
  await page.getByLabel('Nickname').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByLabel('昵称').waitFor();
  await page.getByRole('button', { name: '连接' }).waitFor();
  await context.close();
});
