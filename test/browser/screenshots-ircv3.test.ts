// Screenshots of issue 16's IRCv3 features for the README, in English and in Chinese: one room
// of the web client with a bot (IRCv3 bot mode: +B, its badge on its line and in the member
// list), a pasted three-line block sent as one message (draft/multiline), a spam line a room
// operator deleted with a reason (draft/message-redaction), and the "New messages" divider
// where the user comes back to the room. Staged like screenshots.test.ts: the server's clock
// reads only the times the script sets and the browser's clock is fixed.
// Written to test-artifacts/, or to $SCREENSHOTS_DIR (`npm run screenshots`: docs/screenshots).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserSkip, chromiumFixture } from '../helpers/browser.ts';
import { is } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { act, says } from '../helpers/scene.ts';
import { browserAt, buffer, cast, connect, joinAndReturn, log, sceneUrl, SCREENSHOTS_OUT, shoot, stage, who, type Look } from '../helpers/web-scene.ts';

const skip = browserSkip;
const chromium = chromiumFixture(['--font-render-hinting=none']);

before(() => {
  if (skip) return;
  mkdirSync(SCREENSHOTS_OUT, { recursive: true });
});

/** What the people in the room are called and say, in one language. */
interface Script {
  picture: string;
  look: Look;
  labels: { nick: string; connect: string };
  /** The web user (the reader), the room's operator, two regulars, the bot, the spammer. */
  nicks: { me: string; op: string; friend: string; asker: string; bot: string; spammer: string };
  /** The users' user names (ASCII), by the same keys. */
  users: { op: string; friend: string; asker: string; bot: string; spammer: string };
  sideRoom: string;
  topic: string;
  before: [who: 'op' | 'friend' | 'asker', text: string][];
  question: string;
  pasted: string[];
  thanks: string;
  spam: string;
  spamReason: string;
  sideLine: string;
  botLine: string;
  after: [who: 'op' | 'friend' | 'asker', text: string][];
  /** How the page reads the deletion, the bot badge and the divider. */
  shown: { deleted: string; badge: string; divider: string };
}

const ENGLISH: Script = {
  picture: 'web-ircv3.png',
  look: { width: 1280, height: 800, colorScheme: 'light', locale: 'en-GB' },
  labels: { nick: 'Nickname', connect: 'Connect' },
  nicks: { me: 'alice', op: 'bob', friend: 'carol', asker: 'dima', bot: 'deploybot', spammer: 'bestdeals' },
  users: { op: 'bob', friend: 'carol', asker: 'dima', bot: 'deploy', spammer: 'deals' },
  sideRoom: '#dev',
  topic: 'Release day: v0.2 ships this morning 🚀 Checklist: https://example.org/parlor/release',
  before: [
    ['op', 'morning all ☕ release at 10:00'],
    ['friend', 'morning! CI is green, the changelog is in the topic'],
    ['asker', 'I’ll upgrade the second node once it’s out'],
  ],
  question: 'alice, what were the upgrade steps again?',
  pasted: ['1. back up data/ (one SQLite file)', '2. npm ci && npm run build', '3. systemctl restart parlor, then watch the log'],
  thanks: 'perfect, thanks 👍 pinned in the wiki',
  spam: 'CHEAP FOLLOWERS 1000 for $1 → http://spam.example/deal',
  spamReason: 'spam',
  sideLine: 'alice, the resize fix is merged',
  botLine: '✔ v0.2 deployed to chat.example.org in 48 s, all checks passed',
  after: [
    ['friend', 'that was quick 🎉'],
    ['op', 'thanks everyone, the release notes are up'],
    ['asker', 'upgraded my node too, no problems'],
  ],
  shown: { deleted: 'message deleted by bob: spam', badge: 'bot', divider: 'New messages' },
};

const CHINESE: Script = {
  picture: 'web-ircv3-zh-CN.png',
  look: { width: 1280, height: 800, colorScheme: 'light', locale: 'zh-CN' },
  labels: { nick: '昵称', connect: '连接' },
  nicks: { me: '小美', op: '老张', friend: '林静', asker: '李雷', bot: '部署助手', spammer: '特价代购' },
  users: { op: 'laozhang', friend: 'linjing', asker: 'lilei', bot: 'deploy', spammer: 'daigou' },
  sideRoom: '#开发',
  topic: '今天发布 v0.2 🚀 发布清单：https://example.org/parlor/release',
  before: [
    ['op', '早上好各位 ☕ 十点发布'],
    ['friend', '早！CI 全部通过，更新说明在频道主题里'],
    ['asker', '发布以后我来升级第二个节点'],
  ],
  question: '小美，升级的步骤是什么来着？',
  pasted: ['1. 先备份 data/ 目录（就一个 SQLite 文件）', '2. npm ci && npm run build', '3. systemctl restart parlor，然后看一下日志'],
  thanks: '太好了，谢谢 👍 我贴到 wiki 上了',
  spam: '低价代购名牌包包，加微信领优惠 👉 http://spam.example/deal',
  spamReason: '广告',
  sideLine: '小美，窗口缩放的修复已经合并了',
  botLine: '✔ v0.2 已部署到 chat.example.org，用时 48 秒，检查全部通过',
  after: [
    ['friend', '这么快 🎉 辛苦了'],
    ['op', '谢谢大家，发布说明也更新好了'],
    ['asker', '我这边的节点也升级好了，没问题'],
  ],
  shown: { deleted: '消息已被 老张 删除：广告', badge: '机器人', divider: '以下是新消息' },
};

/** A pasted block in the message input, as the browser's clipboard gives it (the test has no DOM types). */
async function paste(page: Page, text: string): Promise<void> {
  await page.evaluate(`{
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(text)});
    document.getElementById('message-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }`);
}

/** The current conversation's name in the list. */
const current = (page: Page) => page.locator('.buffer[aria-current="page"] .buffer-name');

for (const script of [ENGLISH, CHINESE]) {
  test(`screenshot ${script.picture}: a bot with its badge, a multi-line message, a deleted message, the New messages divider`, { skip }, async () => {
    const s = await stage();
    const { clock } = s;
    const { nicks, users } = script;
    try {
      // The operator founds the room and sees message ids (to delete by); the bot is +B before it joins.
      await cast(s, ['#lobby'], [nicks.op, users.op, ['message-tags', 'draft/message-redaction']], [nicks.friend, users.friend], [nicks.asker, users.asker]);
      await cast(s, [], [nicks.bot, users.bot]);
      const bot = who(s, nicks.bot);
      bot.send(`MODE ${nicks.bot} +B`);
      await bot.waitFor(is('MODE', nicks.bot, '+B'));
      await act(bot, 'JOIN #lobby');
      await cast(s, ['#lobby'], [nicks.spammer, users.spammer]);
      await cast(s, [script.sideRoom], [nicks.asker, users.asker]);
      const people: Record<'op' | 'friend' | 'asker', RawClient> = { op: who(s, nicks.op), friend: who(s, nicks.friend), asker: who(s, nicks.asker) };
      await act(people.op, `TOPIC #lobby :${script.topic}`);
      let minute = 1;
      for (const [speaker, text] of script.before) {
        clock.at(minute);
        await says(people[speaker], '#lobby', text);
        minute += 1.2;
      }

      clock.at(4);
      // The page's own lines (its welcome) carry the time it connected.
      const context = await browserAt(chromium.browser, script.look, 4);
      const page = await connect(context, sceneUrl(s), nicks.me, script.labels);
      await log(page).getByText(script.before.at(-1)![1]).waitFor();
      await joinAndReturn(page, script.sideRoom, '#lobby');

      clock.at(4.6);
      await says(people.asker, '#lobby', script.question);
      await page.locator('li.line.mention', { hasText: script.question }).waitFor();
      clock.at(5.3);
      await paste(page, script.pasted.join('\n'));
      // The guard's first button sends the block as one message (draft/multiline).
      await page.locator('.paste-guard button').first().click();
      const block = log(page).locator('li.line-message.self', { hasText: script.pasted[2]! });
      await block.waitFor();
      // One message of three lines (then the line's Delete button, offered on one's own lines).
      const shown = await block.locator('.text').innerText();
      assert.ok(shown.startsWith(script.pasted.join('\n')), JSON.stringify(shown));
      clock.at(6.1);
      await says(people.asker, '#lobby', script.thanks);

      clock.at(6.8);
      const op = people.op;
      await says(who(s, nicks.spammer), '#lobby', script.spam);
      const spam = await op.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === script.spam);
      clock.at(7.0);
      await act(op, `REDACT #lobby ${spam.msg.tags.msgid} :${script.spamReason}`);
      await log(page).locator('.line .redacted', { hasText: script.shown.deleted }).waitFor();

      // Away in the side room for a while: the bot and the others go on in #lobby.
      await page.locator('#message-input').press('Alt+ArrowDown');
      await current(page).filter({ hasText: script.sideRoom }).waitFor({ state: 'attached' });
      clock.at(8.2);
      await says(people.asker, script.sideRoom, script.sideLine);
      await log(page).getByText(script.sideLine).waitFor();
      clock.at(9.5);
      await says(bot, '#lobby', script.botLine);
      minute = 9.9;
      for (const [speaker, text] of script.after) {
        clock.at(minute);
        await says(people[speaker], '#lobby', text);
        minute += 0.6;
      }
      await buffer(page, '#lobby').locator('.badge', { hasText: String(1 + script.after.length) }).waitFor({ state: 'attached' });
      await page.locator('#message-input').press('Alt+ArrowUp');
      await current(page).filter({ hasText: '#lobby' }).waitFor({ state: 'attached' });

      // What the picture must show.
      const botLine = log(page).locator('li.line-message', { hasText: script.botLine });
      await botLine.locator('.bot-badge', { hasText: script.shown.badge }).waitFor();
      const members = page.getByRole('complementary').locator('li').filter({ hasText: nicks.bot });
      await members.locator('.bot-badge').waitFor();
      const divider = log(page).locator('.unread-divider');
      assert.equal(await divider.innerText(), script.shown.divider);
      // The divider stands right before the bot's line, the first one said while away.
      assert.equal(await page.locator('.unread-divider + li').innerText().then((t) => t.includes(script.botLine)), true, 'the divider comes before the bot');
      assert.equal(await log(page).getByText(script.spam).count(), 0, 'the spam is gone');
      // Chinese glyphs (their fonts have no italic) are not slanted by force in the deleted line.
      assert.equal(await page.evaluate(`getComputedStyle(document.querySelector('.line .redacted')).fontSynthesisStyle`), 'none');
      await shoot(page, script.picture, { keepNew: true });
      await context.close();
    } finally {
      await s.t.close();
    }
  });
}
