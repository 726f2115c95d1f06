// A refused nick says why: NICKLEN counts UTF-8 bytes (30 bytes are 10 Chinese characters),
// and an rfc1459 server takes only ASCII nicks. Over IRC in the 432 text; at the nc prompt in
// the person's language, where under precis the prompt says that any script will do.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nickRefusal } from '../../src/server/nick-refusal.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const exactly = (text: string) => (r: { raw: string }) => r.raw === text;

describe('nickRefusal', () => {
  test('the reason for each refusal', () => {
    assert.equal(nickRefusal('张三', 30, 'precis'), undefined);
    assert.equal(nickRefusal('张'.repeat(10), 30, 'precis'), undefined);
    assert.equal(nickRefusal('张'.repeat(11), 30, 'precis'), 'too-long');
    assert.equal(nickRefusal('x'.repeat(31), 30, 'rfc1459'), 'too-long');
    assert.equal(nickRefusal('张三', 30, 'rfc1459'), 'ascii-only');
    // Long and invalid: the length is not what is wrong.
    assert.equal(nickRefusal(`9${'x'.repeat(40)}`, 30, 'rfc1459'), 'invalid');
    assert.equal(nickRefusal('bad nick', 30, 'precis'), 'invalid');
  });
});

describe('432 over IRC, precis', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { casemapping: 'precis' } });
  });
  after(() => t.close());

  test('eleven Chinese characters: too long, with the limit in bytes and in Chinese characters', async () => {
    const c = await t.connect();
    const nick = '张'.repeat(11);
    c.send(`NICK ${nick}`);
    assert.deepEqual((await c.waitFor('432')).msg.params, ['*', nick, 'Nickname too long: at most 30 bytes (10 Chinese characters)']);
    c.send('NICK :bad nick');
    assert.equal((await c.waitFor('432')).msg.params[2], 'Erroneous nickname');
    c.close();
  });
});

describe('the nc nickname prompt', () => {
  test('under precis it says any script works, and a long Chinese nick is told the limit (in Chinese after /lang zh, asked again)', async () => {
    const t = await startServer({ server: { casemapping: 'precis' }, plainText: { greetAfterMs: 20 } });
    try {
      const c = await t.connect();
      await c.waitFor(exactly('Choose a nickname (letters of any script, such as alice or 张三, digits and - _ [ ] { } | ^ `, not starting with a digit):'));
      c.send('/lang zh');
      await c.waitFor(exactly('*** 已切换为中文。(Type /lang en for English.)'));
      await c.waitFor(exactly('请取一个昵称（任何文字的字母都可以，如 张三 或 alice，也可用数字和 - _ [ ] { } | ^ `，不能以数字开头）：'));
      c.send('张'.repeat(11));
      await c.waitFor(exactly(`“${'张'.repeat(11)}”作为昵称太长了：最多 30 字节，也就是 10 个汉字。请换一个短一些的：`));
      c.send('坏 名字');
      await c.waitFor(exactly('“坏 名字”不能用作昵称，请换一个（任何文字的字母都可以，如 张三，也可用数字，不能以数字开头）：'));
      c.send('张三');
      await c.waitFor((r) => r.raw.includes('*** 你已进入 #lobby'));
    } finally {
      await t.close();
    }
  });

  test('under rfc1459 a Chinese nick is told the server takes only ASCII nicks', async () => {
    const t = await startServer({ plainText: { greetAfterMs: 20, language: 'zh-CN' } });
    try {
      const c = await t.connect();
      await c.waitFor(exactly('请取一个昵称（可用字母、数字和 - _ [ ] { } | ^ `，不能以数字开头）：'));
      c.send('张三');
      await c.waitFor(exactly('“张三”不能用作昵称：本服务器只接受 ASCII 昵称（英文字母、数字和 - _ [ ] { } | ^ `），不能用中文。请换一个：'));
      c.send('/lang en');
      await c.waitFor(exactly('Choose a nickname (letters, digits and - _ [ ] { } | ^ `, not starting with a digit):'));
    } finally {
      await t.close();
    }
  });
});
