// The last English on a Chinese page: the admin panel (/#admin) in zh-CN with its own language
// picker, the desktop notifications' titles, and the nickname hint, which follows whether the
// server takes Unicode nicks (client-settings.json). Screenshots: test-artifacts/admin-zh-CN*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip, webUrl } from '../helpers/browser.ts';
import { startServer } from '../helpers/server.ts';
import { say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const TOKEN = 'zh-token';

const web = browserFixture({ web: { adminToken: TOKEN } });

test('a zh-CN browser gets the admin panel in Chinese; its picker switches to English and is remembered', { skip }, async () => {
  const irc = await web.server.register('xiaoming');
  await joinRoom(irc, 'xiaoming', '#茶馆');
  const other = await web.server.register('laowang');
  await joinRoom(other, 'laowang', '#茶馆');
  const context = await web.browser.newContext({ locale: 'zh-CN', viewport: { width: 1200, height: 860 }, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(`${web.url}#admin`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await page.getByRole('heading', { name: 'Parlor 管理后台' }).waitFor();
  await page.getByLabel('IRC 管理员名称').waitFor();
  await page.getByLabel('管理令牌').fill(TOKEN);
  await page.getByRole('button', { name: '登录', exact: true }).click();

  const users = page.getByRole('region', { name: '在线用户' });
  await users.getByRole('heading', { name: /在线用户（\d+）/ }).waitFor();
  await page.getByRole('region', { name: '服务器' }).getByText('运行时间').waitFor();
  await page.getByRole('columnheader', { name: '连接方式' }).waitFor();
  await users.getByRole('row').filter({ hasText: 'xiaoming' }).getByText('#茶馆').waitFor();

  await page.getByRole('button', { name: '封禁 xiaoming' }).click();
  const confirm = page.getByRole('form', { name: '封禁 xiaoming' });
  await confirm.getByLabel('原因').fill('刷屏');
  const duration = confirm.getByLabel('时长');
  assert.match((await duration.getAttribute('placeholder')) ?? '', /90m、1h30m、2d；留空则永久/);
  await duration.fill('1h30m');
  await page.screenshot({ path: `${web.artifacts}admin-zh-CN-confirm.png` });
  await confirm.getByRole('button', { name: '确认封禁' }).click();
  await page.getByRole('status').getByText('已封禁 xiaoming。').waitFor();
  const bans = page.getByRole('region', { name: '封禁和禁言' });
  // 1 h 30 min ban: "…刷屏（由 admin 设置，剩余 1 小时 29 分）".
  await bans.getByText(/刷屏（由 .+ 设置，剩余 1 小时 (29|30) 分）/).waitFor();
  await bans.getByRole('button', { name: '解除封禁' }).waitFor();
  await page.getByRole('region', { name: '操作日志' }).getByText('封禁', { exact: false }).first().waitFor();
  await page.screenshot({ path: `${web.artifacts}admin-zh-CN.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${web.artifacts}admin-zh-CN-dark.png`, fullPage: true });

  // The picker in the header: English now, and on the next visit too.
  await page.locator('.admin-header').getByLabel('语言').selectOption('en');
  await page.getByRole('region', { name: 'Users' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByRole('region', { name: 'Bans and mutes' }).getByText(/by .+, 1h (29|30)m left/).waitFor();
  await page.getByRole('button', { name: 'Unban' }).click();
  await page.getByRole('status').getByText(/^Unbanned /).waitFor();

  const again = await context.newPage();
  await again.goto(`${web.url}#admin`);
  await again.getByLabel('Admin token').waitFor();
  assert.equal(await again.locator('html').getAttribute('lang'), 'en');
  await context.close();
  irc.close();
  other.close();
});

test('desktop notifications are titled in the page language, their text without IRC formatting codes', { skip }, async () => {
  const context = await web.browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 720 } });
  // A stand-in for the browser's notifications, and a page that counts as hidden (a background tab).
  // (Plain script text: a transpiled function would carry the test runner's helpers along.)
  await context.addInitScript(`
    window.shownNotifications = [];
    function RecordingNotification(title, options) {
      window.shownNotifications.push({ title, body: options.body });
      this.close = () => {};
    }
    RecordingNotification.permission = 'granted';
    RecordingNotification.requestPermission = () => Promise.resolve('granted');
    Object.defineProperty(window, 'Notification', { value: RecordingNotification });
    Object.defineProperty(document, 'hidden', { get: () => true });
  `);
  const page = await context.newPage();
  await page.goto(web.url);
  await page.getByLabel('昵称').fill('xiaomei');
  await page.getByRole('button', { name: '连接' }).click();
  await say(page, '/join #书房');
  await page.getByRole('navigation').getByText('#书房').waitFor();

  const irc = await web.server.register('laozhang');
  await joinRoom(irc, 'laozhang', '#书房');
  irc.send('PRIVMSG xiaomei :在吗？');
  irc.send('PRIVMSG #书房 :xiaomei 你好');
  // Bold, colours (number and hex), reverse, reset: the body is the words alone.
  irc.send('PRIVMSG xiaomei :\x02快\x02来\x0304,01看\x03 \x04ff8800这个\x16!\x0f');
  const shown = async () => page.evaluate(() => (globalThis as unknown as { shownNotifications: { title: string; body: string }[] }).shownNotifications);
  await page.waitForFunction(() => (globalThis as unknown as { shownNotifications: unknown[] }).shownNotifications.length >= 3);
  assert.deepEqual(await shown(), [
    { title: 'laozhang（私信）', body: '在吗？' },
    { title: 'laozhang 在 #书房', body: 'xiaomei 你好' },
    { title: 'laozhang（私信）', body: '快来看 这个!' },
  ]);
  await context.close();
  irc.close();
});

test('the nickname hint says what the server takes: ASCII here, any script under precis', { skip }, async () => {
  const settings = (await (await fetch(`${web.url}client-settings.json`)).json()) as { unicodeNicks?: unknown };
  assert.equal(settings.unicodeNicks, false);
  const context = await web.browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(web.url);
  await page.getByLabel('昵称').fill('张三');
  await page.getByText('只能用英文字母 a–z').waitFor();
  assert.equal(await page.getByRole('button', { name: '连接' }).isDisabled(), true);

  const precis = await startServer({ server: { casemapping: 'precis' }, web: { enabled: true, port: 0 } });
  try {
    const precisUrl = webUrl(precis);
    assert.equal(((await (await fetch(`${precisUrl}client-settings.json`)).json()) as { unicodeNicks?: unknown }).unicodeNicks, true);
    await page.goto(precisUrl);
    await page.getByLabel('昵称').fill('9张三');
    await page.getByText('可以用任何语言的文字').waitFor();
    await page.getByLabel('昵称').fill('张三');
    await page.getByRole('button', { name: '连接' }).and(page.locator(':enabled')).waitFor();
    assert.equal(await page.locator('.hint', { hasText: '字母' }).count(), 0);
  } finally {
    await context.close();
    await precis.close();
  }
});
