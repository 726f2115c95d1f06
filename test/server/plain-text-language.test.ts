// Plain-text mode in Chinese: the server's plainText.language for the greeting, and /lang per
// connection (at the nickname prompt too), over real sockets; the other connections keep theirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { plainHelp, PlainTextView } from '../../src/server/plain-text.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const exactly = (text: string) => (r: { raw: string }) => r.raw === text;
const timed = (text: string) => (r: { raw: string }) => /^\[\d{2}:\d{2}:\d{2}\] /.test(r.raw) && r.raw.slice(11) === text;

describe('plain text: language', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ plainText: { greetAfterMs: 20 } });
  });
  after(() => t.close());

  test('without a setting the greeting is English and offers Chinese; /lang zh switches one connection', async () => {
    const c = await t.connect();
    await c.waitFor(exactly('Welcome to Parlor (test.parlor), a chat server.'));
    await c.waitFor(exactly('中文用户请输入 /lang zh'));
    await c.waitFor((r) => r.raw.startsWith('Choose a nickname'));
    c.send('/lang zh');
    await c.waitFor(exactly('*** 已切换为中文。(Type /lang en for English.)'));
    c.send('bad nick!');
    await c.waitFor(exactly('“bad nick!”不能用作昵称，请换一个（字母和数字，不能以数字开头）：'));
    c.send('xiaoming');
    await c.waitFor(timed('*** 你已进入 #lobby。直接输入文字即可聊天，输入 /help 查看命令。'));
    await c.waitFor((r) => r.raw.includes('*** #lobby 里有：'));

    // Someone else at nc, still in English, sees the Chinese speaker's doings in English.
    const other = await t.connect();
    other.send('laowang');
    await other.waitFor(timed('*** You joined #lobby. Type to talk; /help for commands.'));
    await c.waitFor(timed('--> laowang 进入了 #lobby'));
    other.send('/part #lobby');
    await c.waitFor(timed('<-- laowang 离开了 #lobby'));
    await other.waitFor(timed('<-- You left #lobby'));

    c.send('/help');
    for (const line of plainHelp(createTranslator('zh-CN'))) await c.waitFor(exactly(line));
    c.send('/frobnicate');
    await c.waitFor(exactly('没有 /frobnicate 这个命令。输入 /help 查看命令列表。'));
    c.send('/lang klingon');
    await c.waitFor(exactly('用法：/lang en 或 /lang zh'));
    c.send('/lang en');
    await c.waitFor(exactly('*** Language: English. (/lang zh 切换为中文)'));
    c.send('/frobnicate');
    await c.waitFor(exactly('Unknown command /frobnicate. Type /help for the list.'));
  });

  test('a taken nickname is refused in the reader’s language', async () => {
    await t.register('zhanyong');
    const c = await t.connect();
    await c.waitFor((r) => r.raw.startsWith('Choose a nickname'));
    c.send('/lang zh-CN');
    await c.waitFor(exactly('*** 已切换为中文。(Type /lang en for English.)'));
    c.send('zhanyong');
    await c.waitFor(timed('!!! 昵称 zhanyong 已被占用，请换一个'));
  });
});

describe('plain text: plainText.language', () => {
  test('zh-CN greets in Chinese and offers English', async () => {
    const t = await startServer({ plainText: { greetAfterMs: 20, language: 'zh-CN' } });
    try {
      const c = await t.connect();
      await c.waitFor(exactly('欢迎来到 Parlor（test.parlor）聊天服务器。'));
      await c.waitFor(exactly('Type /lang en for English.'));
      await c.waitFor(exactly('请取一个昵称（可用字母、数字和 - _ [ ] { } | ^ `，不能以数字开头）：'));
      c.send('xiaohong');
      await c.waitFor(timed('*** 你已进入 #lobby。直接输入文字即可聊天，输入 /help 查看命令。'));
    } finally {
      await t.close();
    }
  });
});

describe('PlainTextView in Chinese', () => {
  const NOW = new Date(2026, 0, 2, 3, 4, 5).getTime();
  const view = (): PlainTextView => {
    const v = new PlainTextView('#lobby', createTranslator('zh-CN'));
    v.render(':pal!pal@h JOIN #lobby', 'pal', NOW);
    return v;
  };
  const cases: [string, string][] = [
    [':bob!b@h PRIVMSG pal :hi', '[03:04:05] （私聊）*bob* hi'],
    [':bob!b@h KICK #lobby pal :spam', '[03:04:05] <-- 你被 bob 踢出了 #lobby（spam）'],
    [':bob!b@h QUIT', '[03:04:05] <-- bob 下线了'],
    [':bob!b@h NICK robert', '[03:04:05] --- bob 改名为 robert'],
    [':srv 353 pal = #lobby :@pal bob', '[03:04:05] *** #lobby 里有：@pal、bob'],
    [':srv 322 pal #tea 3 :oolong', '  #tea（3 人）：oolong'],
    [':op!o@h PRIVMSG $* :restart at noon', '[03:04:05] *** 全服广播（op）：restart at noon'],
  ];
  for (const [wire, shown] of cases) {
    test(wire, () => assert.equal(view().render(wire, 'pal', NOW), shown));
  }
});
