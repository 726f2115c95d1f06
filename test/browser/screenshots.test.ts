// Screenshots of the web client and the admin panel for the README, taken from a staged chat:
// real IRC people in #lobby (a topic, English and Chinese, a mention, a /me, IRC colours), a
// broadcast, an unread room and a private chat. The server's clock reads only the times the
// script sets and the browser's clock is fixed, so each run draws the same pictures.
// Written to test-artifacts/, or to $SCREENSHOTS_DIR (`npm run screenshots`: docs/screenshots).
// Skipped without Chromium or a build, like web-client.test.ts.
import { before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserSkip, chromiumFixture } from '../helpers/browser.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { act, does, says } from '../helpers/scene.ts';
import { say } from '../helpers/web-chat.ts';
import {
  browserAt as browserWith,
  buffer,
  cast,
  connect,
  joinAndReturn,
  log,
  SCENE_ADMIN_TOKEN as TOKEN,
  SCENE_START as START,
  SCREENSHOTS_OUT as OUT,
  shoot,
  stage,
  who,
  type Look,
  type Stage,
} from '../helpers/web-scene.ts';

const skip = browserSkip;
const HOUR = 3_600_000;

const chromium = chromiumFixture(['--font-render-hinting=none']);
const browserAt = (look: Look, minutes: number) => browserWith(chromium.browser, look, minutes);

before(() => {
  if (skip) return;
  mkdirSync(OUT, { recursive: true });
});

/** The English scene, up to the moment of the picture; returns alice's page. */
async function englishScene(s: Stage, look: Look): Promise<Page> {
  const { t, clock } = s;
  const url = `http://127.0.0.1:${t.server.webAddress!.port}/`;
  await cast(s, ['#lobby'], ['bob', 'bob'], ['carol', 'carol'], ['dima', 'dima'], ['李娜', 'lina']);
  await cast(s, ['#dev'], ['carol', 'carol']);
  const [bob, carol, dima, lina] = ['bob', 'carol', 'dima', '李娜'].map((n) => who(s, n)) as [RawClient, RawClient, RawClient, RawClient];
  await act(bob, 'TOPIC #lobby :Welcome to Parlor 👋 Be kind. Release notes: https://example.org/parlor/0.1');
  clock.at(1);
  await says(bob, '#lobby', 'morning all ☕');
  clock.at(2.3);
  await says(carol, '#lobby', 'morning! \x02v0.1\x02 is out: Chinese nicks, a new web client, proxy support');
  clock.at(3.1);
  await says(lina, '#lobby', '大家早上好！中文昵称终于可以用了 🎉');
  clock.at(3.8);
  await says(dima, '#lobby', '李娜 nice, and it shows fine in irssi too');
  clock.at(4.2);
  await says(carol, '#lobby', 'the admin panel has a chart now, and it speaks Chinese too');
  clock.at(4.6);
  await says(bob, '#lobby', 'let’s try the proxy setup after lunch');
  clock.at(5.1);
  await says(lina, '#lobby', 'good idea 👍 I’ll bring the nginx config');

  clock.at(6);
  const context = await browserAt(look, 6);
  const page = await connect(context, url, 'alice', { nick: 'Nickname', connect: 'Connect' });
  await log(page).getByText('bring the nginx config').waitFor();
  await joinAndReturn(page, '#dev', '#lobby');

  clock.at(6.5);
  await says(bob, '#lobby', 'alice welcome back! did the upgrade go smoothly?');
  await page.locator('li.line.mention', { hasText: 'upgrade go smoothly' }).waitFor();
  clock.at(7.2);
  await say(page, 'yes: a backup first, then two minutes. 谢谢 bob!');
  await log(page).getByText('a backup first').waitFor();
  clock.at(7.8);
  await does(dima, '#lobby', 'puts the kettle on');
  clock.at(8.4);
  await says(carol, '#lobby', 'CI: \x0303✔ 412 passed\x03, \x0304✘ 0 failed\x03. \x02Ready to ship.\x02');
  await log(page).getByText('Ready to ship.').waitFor();
  clock.at(9);
  t.server.admin.broadcast(t.server.admin.consoleActor, 'Maintenance tonight at 22:00: a short restart, your rooms come back by themselves.');
  await log(page).getByRole('note').waitFor();
  clock.at(9.5);
  await says(carol, '#dev', 'pushed the fix for the resize bug');
  await says(carol, '#dev', 'can someone review it?');
  clock.at(10);
  await says(bob, 'alice', 'got a minute after lunch? about the proxy');
  await buffer(page, '#dev').locator('.badge', { hasText: '2' }).waitFor({ state: 'attached' });
  await buffer(page, 'bob').locator('.badge', { hasText: '1' }).waitFor({ state: 'attached' });
  return page;
}

/** What every English picture must show: the scene's parts, in the room in view. */
async function assertEnglishScene(page: Page): Promise<void> {
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await log(page).getByText('中文昵称终于可以用了').waitFor();
  await log(page).getByText('puts the kettle on').waitFor();
  assert.match((await log(page).getByRole('note').innerText()).replace(/\s+/g, ' '), /Maintenance tonight/);
  assert.equal(await page.locator('.irc-fg').count() >= 2, true, 'IRC colours are drawn');
  await page.getByText('Release notes').first().waitFor({ state: 'attached' });
}

const DESKTOP = { width: 1280, height: 800, locale: 'en-GB' } as const;

for (const [name, look] of [
  ['web-desktop-light.png', { ...DESKTOP, colorScheme: 'light' }],
  ['web-desktop-dark.png', { ...DESKTOP, colorScheme: 'dark' }],
  ['web-phone.png', { width: 390, height: 844, locale: 'en-GB', colorScheme: 'light' }],
] as const) {
  test(`screenshot ${name}: #lobby with English and Chinese, a mention, a broadcast, unread counts`, { skip }, async () => {
    const s = await stage();
    try {
      const page = await englishScene(s, look);
      await assertEnglishScene(page);
      if (look.width < 600) {
        // On a phone the nick sits above its text.
        const line = page.locator('li.line-message', { hasText: 'kettle' }).or(page.locator('li.line-message', { hasText: 'upgrade go smoothly' })).first();
        const nick = await line.locator('.who').boundingBox();
        const text = await line.locator('.text').boundingBox();
        assert.ok(nick && text && nick.y + nick.height <= text.y + 1, 'nick above text');
      }
      await shoot(page, name);
      await page.context().close();
    } finally {
      await s.t.close();
    }
  });
}

test('screenshot web-zh-CN.png: a Chinese conversation with Chinese nicks, in the Chinese client', { skip }, async () => {
  const s = await stage();
  const { t, clock } = s;
  try {
    const url = `http://127.0.0.1:${t.server.webAddress!.port}/`;
    await cast(s, ['#lobby'], ['老张', 'laozhang'], ['林静', 'linjing'], ['李雷', 'lilei'], ['tom', 'tom']);
    await cast(s, ['#开发'], ['李雷', 'lilei']);
    const [laozhang, linjing, lilei, tom] = ['老张', '林静', '李雷', 'tom'].map((n) => who(s, n)) as [RawClient, RawClient, RawClient, RawClient];
    await act(laozhang, 'TOPIC #lobby :欢迎来到 Parlor 茶馆 🍵 请文明聊天');
    clock.at(0.6);
    await says(laozhang, '#lobby', '早上好各位 ☕');
    clock.at(1.4);
    await says(linjing, '#lobby', '早！新版本支持中文昵称了，\x02太方便了\x02');
    clock.at(2.1);
    await says(lilei, '#lobby', '我在 irssi 里看中文也没有乱码 👍');
    clock.at(2.5);
    await says(linjing, '#lobby', '一行太长也没关系，会自动分成几条发出去');
    clock.at(3.2);
    await says(tom, '#lobby', 'morning! 你们好 👋');
    clock.at(3.9);
    await says(laozhang, '#lobby', 'tom 早！今天下午一起试试代理的配置？');
    clock.at(4.4);
    await says(tom, '#lobby', '好的 👍 after lunch');

    clock.at(6);
    const context = await browserAt({ width: 1280, height: 800, colorScheme: 'light', locale: 'zh-CN' }, 6);
    const page = await connect(context, url, '小美', { nick: '昵称', connect: '连接' });
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    await log(page).getByText('after lunch').waitFor();
    await joinAndReturn(page, '#开发', '#lobby');

    clock.at(6.5);
    await says(laozhang, '#lobby', '小美，欢迎回来！升级顺利吗？');
    await page.locator('li.line.mention', { hasText: '升级顺利吗' }).waitFor();
    clock.at(7.1);
    await say(page, '很顺利，先备份了一下，两分钟就好了。');
    await log(page).getByText('两分钟就好了').waitFor();
    clock.at(7.9);
    await does(lilei, '#lobby', '泡了一壶茶');
    clock.at(8.5);
    await says(linjing, '#lobby', '测试结果：\x0303通过 412 个\x03，\x0304失败 0 个\x03');
    await log(page).getByText('失败 0 个').waitFor();
    clock.at(9);
    t.server.admin.broadcast(t.server.admin.consoleActor, '今晚 22:00 维护，服务器会短暂重启，房间会自动恢复。');
    await log(page).getByRole('note').waitFor();
    clock.at(9.4);
    await says(lilei, '#开发', '终端窗口缩放的问题修好了');
    await says(lilei, '#开发', '谁来帮忙看一下？');
    clock.at(10);
    await says(linjing, '小美', '午饭后有空吗？聊聊代理的配置');
    await buffer(page, '#开发').locator('.badge', { hasText: '2' }).waitFor({ state: 'attached' });
    await buffer(page, '林静').locator('.badge', { hasText: '1' }).waitFor({ state: 'attached' });
    await log(page).getByText('泡了一壶茶').waitFor();
    // A /me is in italics, but Chinese glyphs (their fonts have no italic) are not slanted by force.
    assert.equal(await page.evaluate(`getComputedStyle(document.querySelector('.line-action .text')).fontSynthesisStyle`), 'none');
    assert.doesNotMatch(await page.getByRole('navigation').innerText(), /Connected as/);
    await shoot(page, 'web-zh-CN.png');
    await context.close();
  } finally {
    await t.close();
  }
});

interface AdminWords {
  locale: Look['locale'];
  spam: string;
  flooding: string;
  coolDown: string;
  broadcast: string;
}

const ADMIN_EN: AdminWords = {
  locale: 'en-GB',
  spam: 'link spam',
  flooding: 'flooding #lobby',
  coolDown: 'cool down for a while',
  broadcast: 'Maintenance tonight at 22:00: a short restart.',
};

const ADMIN_ZH: AdminWords = {
  locale: 'zh-CN',
  spam: '发广告链接',
  flooding: '在 #lobby 刷屏',
  coolDown: '先冷静一下',
  broadcast: '今晚 22:00 维护，服务器会短暂重启。',
};

/** The panel's poll interval (web/src/admin/AdminPanel.tsx) and the chart's span. */
const POLL_MS = 2000;
/** Polls watched: the chart's five minutes. */
const WATCHED_POLLS = 150;

/** The page's globals this file uses: it is compiled without the DOM's types. */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

/**
 * The panel open from minute 40 while the server is busy: people arrive, talk at a varying
 * rate, two bans, a mute and a broadcast. The browser's clock is paused and moved one poll at
 * a time with the server's, so the chart fills the same way on every run.
 */
async function adminScene(s: Stage, words: AdminWords): Promise<Page> {
  const { t, clock } = s;
  const url = `http://127.0.0.1:${t.server.webAddress!.port}/`;
  await cast(s, ['#lobby'], ['bob', 'bob'], ['carol', 'carol']);
  await cast(s, ['#dev'], ['carol', 'carol']);
  const opened = START + 40 * 60_000;
  clock.at(40);
  const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: words.locale, timezoneId: 'Europe/London', colorScheme: 'light' });
  // The page's time stands still and moves only when told, the same steps on every run:
  // 100 ms after loading and after signing in (effects wait for a frame), then one poll at a time.
  await context.clock.install({ time: opened - 1000 });
  await context.clock.pauseAt(opened);
  const page = await context.newPage();
  await page.goto(`${url}#admin`);
  await context.clock.runFor(100);
  await page.locator('#admin-token').fill(TOKEN);
  await page.locator('#admin-token').press('Enter');
  await context.clock.runFor(100);
  await page.getByRole('row').filter({ hasText: 'carol' }).waitFor();
  // The first poll ran at opened + 100 and answered at opened + 200: the next is due a poll later.
  let pageTime = opened + 200;
  const uptime = page.locator('.admin-stats dd').first();
  /** Moves the server's clock and the page's one poll on, and waits until the poll's answer is shown. */
  const nextPoll = async (): Promise<void> => {
    pageTime += POLL_MS;
    clock.at((pageTime - START) / 60_000);
    const before = await uptime.textContent();
    await context.clock.runFor(POLL_MS);
    await page.waitForFunction(([selector, text]) => (globalThis as unknown as PageGlobals).document.querySelector(selector!)?.textContent !== text, ['.admin-stats dd', before] as const);
  };
  const admin = t.server.admin;
  const actor = admin.consoleActor;
  for (let poll = 1; poll <= WATCHED_POLLS; poll++) {
    const at = pageTime + POLL_MS;
    clock.at((at - START) / 60_000);
    if (poll === 20) await cast(s, ['#lobby', '#dev'], ['dima', 'dima']);
    if (poll === 45) await cast(s, ['#lobby'], ['李娜', 'lina']);
    if (poll === 70) {
      const chat = await browserAt({ ...DESKTOP, colorScheme: 'light' }, (at - START) / 60_000);
      await connect(chat, url, 'alice', { nick: 'Nickname', connect: 'Connect' });
    }
    if (poll === 96) admin.ban(actor, '*!*@203.0.113.7', 24 * HOUR, words.spam);
    if (poll === 104) admin.ban(actor, 'floodbot!*@*', undefined, words.flooding);
    if (poll === 118) admin.mute(actor, 'grumpy!*@*', 2 * HOUR, words.coolDown);
    if (poll === 140) admin.broadcast(actor, words.broadcast);
    // A rate that rises and falls, busiest in the middle: the chart's second line.
    const talkers = [...s.people.values()];
    const lines = Math.max(0, Math.round(2 + 2 * Math.sin(poll / 7) + (poll > 60 && poll < 90 ? 5 : 0)));
    for (let n = 0; n < lines; n++) await says(talkers[(poll + n) % talkers.length]!, '#lobby', `line ${poll}.${n}`);
    await nextPoll();
  }
  return page;
}

test('screenshot admin-panel.png: the admin panel signed in, with users and bans', { skip }, async () => {
  const s = await stage();
  try {
    const page = await adminScene(s, ADMIN_EN);
    const users = page.getByRole('region', { name: 'Users' });
    for (const nick of ['alice', 'bob', 'carol', 'dima', '李娜']) await users.getByRole('row').filter({ hasText: nick }).first().waitFor();
    const bans = page.getByRole('region', { name: 'Bans and mutes' });
    await bans.getByText('203.0.113.7').waitFor();
    await bans.getByText('grumpy!*@*').waitFor();
    await page.getByRole('region', { name: 'Audit log' }).getByText(/broadcast/i).first().waitFor();
    // The buttons' cell stays a table cell, inside the row's borders.
    assert.equal(await page.evaluate(`getComputedStyle(document.querySelector('td.admin-actions')).display`), 'table-cell');
    await page.screenshot({ path: `${OUT}/admin-panel.png`, type: 'png', fullPage: true, animations: 'disabled' });
    await page.context().close();
  } finally {
    await s.t.close();
  }
});

test('screenshot admin-panel-zh-CN.png: the admin panel in Chinese, once it is translated', { skip }, async (tc: TestContext) => {
  const s = await stage();
  try {
    const page = await adminScene(s, ADMIN_ZH);
    const headings = (await page.locator('.admin-section h2').allInnerTexts()).join(' ');
    if (!/[\u4e00-\u9fff]/u.test(headings)) {
      tc.skip(`the admin panel is not translated yet (its headings: ${headings})`);
      return;
    }
    await page.getByRole('row').filter({ hasText: '李娜' }).waitFor();
    await page.screenshot({ path: `${OUT}/admin-panel-zh-CN.png`, type: 'png', fullPage: true, animations: 'disabled' });
  } finally {
    await s.t.close();
  }
});
