// Ban and invite exceptions in the web client: a +e or +I set by a web user, and one set by a
// plain IRC client, show in the room as sentences (in English and in Chinese), and /except
// lists the entries in words.
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { join } from '../helpers/irc.ts';
import { joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture();

async function connect(nick: string, locale = 'en-GB'): Promise<Page> {
  const page = await web.newPage({ viewport: { width: 1100, height: 720 }, locale });
  await page.goto(web.url);
  await page.locator('#nick').fill(nick);
  await page.locator('.connect-form button[type=submit]').click();
  await page.locator('#message-input').waitFor();
  return page;
}

test('+e and +I read as sentences for web users in both languages; /except lists them', { skip }, async () => {
  const alice = await connect('ex_alice');
  await joinRoomOn(alice, '#bx');
  const zhang = await connect('ex_zhang', 'zh-CN');
  await joinRoomOn(zhang, '#bx');
  await alice.getByRole('log').getByText('ex_zhang joined').waitFor();

  // Set by the web user (the room's operator, having made it).
  await say(alice, '/except $a:bob');
  await alice.getByRole('log').getByText("ex_alice exempts anyone logged in as bob from the room's bans").waitFor();
  await zhang.getByRole('log').getByText('ex_alice 将以 bob 身份登录的用户设为封禁例外').waitFor();

  // Set by a plain IRC client that knows nothing of the web client.
  const irc = await web.server.register('ex_irc');
  await join(irc, 'ex_irc', '#bx');
  await say(alice, '/op ex_irc');
  await irc.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+o');
  irc.send('MODE #bx +I *!*@guests.example');
  await alice.getByRole('log').getByText('ex_irc lets *!*@guests.example join without an invitation').waitFor();
  await zhang.getByRole('log').getByText('ex_irc 允许匹配 *!*@guests.example 的用户无需邀请即可加入').waitFor();

  await say(alice, '/except');
  await alice.getByRole('log').getByText(/^#bx exempts anyone logged in as bob from its bans \(set by ex_alice, /).waitFor();
  await alice.getByRole('log').getByText('#bx: 1 ban exception').waitFor();
  await alice.close();
  await zhang.close();
});
