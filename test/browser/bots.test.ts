// IRCv3 bot-mode in the web client (Chromium): a plain IRC bot with +B in the room has a "bot"
// badge in the member list (learned from the WHO the client sends on joining) and on what it
// says; a web user who sets +B is a bot to another web user, and so is `parlor chat --bot`
// (its client core); the badge reads 机器人 in Chinese;
// and the badge keeps WCAG AA (axe) in both themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { is } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, say } from '../helpers/web-chat.ts';
import { startClient, waitUntil } from '../clients/helpers.ts';

const skip = browserSkip;
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

const web = browserFixture();

async function ircBot(nick: string, room: string) {
  const bot = await web.server.register(nick);
  bot.send(`MODE ${nick} +B`);
  await bot.waitFor(is('MODE', nick, '+B'));
  bot.send(`JOIN ${room}`);
  await bot.waitFor(is('366', nick, room));
  return bot;
}

async function axeViolations(page: Page): Promise<string> {
  if (!(await page.evaluate<boolean>(`typeof window.axe === 'object'`))) await page.evaluate(AXE_SOURCE);
  return page.evaluate<string>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join('; ')).join('\\n'))`);
}

test('an IRC bot with +B has a bot badge in the member list and on its messages; people do not', { skip }, async () => {
  const bot = await ircBot('helperbot', '#lobby');
  const person = await web.server.register('person');
  person.send('JOIN #lobby');
  await person.waitFor(is('366', 'person', '#lobby'));
  const page = await connectWeb(web.browser, web.url, 'webreader');
  await page.getByRole('navigation').getByText('#lobby').waitFor();

  // Quiet so far: known from the WHO on joining.
  const members = page.getByRole('complementary', { name: /Members of #lobby/ });
  const botEntry = members.locator('li').filter({ hasText: 'helperbot' });
  await botEntry.locator('.bot-badge').waitFor();
  assert.equal(await botEntry.locator('.bot-badge').textContent(), 'bot');
  assert.equal(await botEntry.locator('.bot-badge').getAttribute('title'), 'helperbot is a bot');
  assert.equal(await members.locator('li').filter({ hasText: 'person' }).locator('.bot-badge').count(), 0);
  // The client's own WHO is not shown.
  assert.equal(await page.getByRole('log').getByText('End of WHO').count(), 0);

  bot.send('PRIVMSG #lobby :I answer questions');
  person.send('PRIVMSG #lobby :I am a person');
  const botLine = page.getByRole('log').locator('.line').filter({ hasText: 'I answer questions' });
  await botLine.waitFor();
  assert.equal(await botLine.locator('.bot-badge').textContent(), 'bot');
  // Read in order: the nick, the badge, the text.
  assert.match((await botLine.locator('.text').textContent()) ?? '', /^bot I answer questions$/);
  const personLine = page.getByRole('log').locator('.line').filter({ hasText: 'I am a person' });
  await personLine.waitFor();
  assert.equal(await personLine.locator('.bot-badge').count(), 0);

  bot.send('PRIVMSG #lobby :\x01ACTION waves\x01');
  const action = page.getByRole('log').locator('.line-action').filter({ hasText: 'waves' });
  await action.waitFor();
  assert.match((await action.locator('.text').textContent()) ?? '', /^helperbot bot waves$/);

  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    assert.equal(await axeViolations(page), '', `the bot badge, ${theme} theme`);
  }
  await page.close();
  bot.close();
  person.close();
});

test('a web user who sets +B is a bot to another web user', { skip }, async () => {
  const botPage = await connectWeb(web.browser, web.url, 'webbot');
  const reader = await connectWeb(web.browser, web.url, 'webhuman');
  await reader.getByRole('navigation').getByText('#lobby').waitFor();
  await botPage.getByRole('navigation').getByText('#lobby').waitFor();
  // The server reads the connection's lines in order: the message comes after the mode.
  await say(botPage, '/quote MODE webbot +B');
  await say(botPage, 'beep boop from the web');
  const line = reader.getByRole('log').locator('.line').filter({ hasText: 'beep boop from the web' });
  await line.waitFor();
  assert.equal(await line.locator('.bot-badge').count(), 1);
  // The tag on the bot's message told the reader's member list too.
  await reader.getByRole('complementary', { name: /Members of #lobby/ }).locator('li').filter({ hasText: 'webbot' }).locator('.bot-badge').waitFor();
  // The bot sees its own line badged (its echo carries the tag).
  await botPage.getByRole('log').locator('.line.self').filter({ hasText: 'beep boop from the web' }).locator('.bot-badge').waitFor();
  await botPage.close();
  await reader.close();
});

test('a terminal client started with the bot option is a bot to a web user', { skip }, async () => {
  const page = await connectWeb(web.browser, web.url, 'webwatch');
  await page.getByRole('navigation').getByText('#lobby').waitFor();
  const bot = await startClient(web.server.port, 'termbot', { bot: true });
  try {
    bot.input('/join #lobby');
    await waitUntil(bot, () => bot.model.find('#lobby')?.joined, 'termbot to be in #lobby');
    bot.input('/msg #lobby from the terminal');
    const line = page.getByRole('log').locator('.line').filter({ hasText: 'from the terminal' });
    await line.waitFor();
    assert.equal(await line.locator('.bot-badge').count(), 1);
    await page.getByRole('complementary', { name: /Members of #lobby/ }).locator('li').filter({ hasText: 'termbot' }).locator('.bot-badge').waitFor();
  } finally {
    await bot.quit();
    await page.close();
  }
});

test('in Chinese the badge reads 机器人', { skip }, async () => {
  const bot = await ircBot('zhbot', '#lobby');
  const page = await web.newPage({ viewport: { width: 1100, height: 720 }, locale: 'zh-CN' });
  await page.goto(web.url);
  await page.locator('#nick').fill('zhreader');
  await page.locator('.connect-form button[type=submit]').click();
  await page.locator('#message-input').waitFor();
  bot.send('PRIVMSG #lobby :你好，我是机器人');
  const line = page.getByRole('log').locator('.line').filter({ hasText: '你好，我是机器人' });
  await line.waitFor();
  assert.equal(await line.locator('.bot-badge').textContent(), '机器人');
  assert.equal(await line.locator('.bot-badge').getAttribute('title'), 'zhbot 是机器人');
  await page.close();
  bot.close();
});
