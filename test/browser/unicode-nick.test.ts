// The web client as 张三, on a server with `casemapping: precis`: the form takes the nick, the
// room lists it, a line that names it counts as a mention, and an IRC client writes to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture({ server: { casemapping: 'precis' } });

test('张三 connects from a browser, is listed, mentioned and written to', { skip }, async () => {
  const page = await connectWeb(web.browser, web.url, '张三');
  await joinRoomOn(page, '#lobby');
  const bob = await web.server.register('bob');
  await joinRoom(bob, 'bob', '#lobby');
  bob.send('NAMES #lobby');
  const names = await bob.waitFor((r) => r.msg.command === '353');
  assert.ok(names.msg.params.at(-1)!.split(' ').includes('@张三'), names.raw);
  const members = page.getByRole('complementary', { includeHidden: true });
  await members.getByText('bob').first().waitFor({ state: 'attached' });
  await members.getByText('张三').first().waitFor({ state: 'attached' });

  bob.send('PRIVMSG #lobby :张三你好');
  const line = page.locator('li.line.mention', { hasText: '张三你好' });
  await line.waitFor();
  bob.send('PRIVMSG #lobby :张三丰 is someone else, but Chinese has no spaces: still a mention');
  await page.locator('li.line.mention', { hasText: '张三丰' }).waitFor();

  await say(page, '大家好');
  const said = await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === '大家好');
  assert.equal(said.msg.source!.split('!')[0], '张三');

  bob.send('PRIVMSG 张三 :a private word');
  await page.getByRole('navigation').getByText('bob').click();
  await page.getByRole('log').getByText('a private word').waitFor();
  await page.close();
  bob.close();
});
