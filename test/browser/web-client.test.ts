// The web client in a real browser: Debian's Chromium driven by playwright-core against a
// Parlor serving the built client (dist/web) on its web port. Skipped without Chromium or a
// build; CI installs chromium and runs `npm run build` first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture();

const connect = (nick: string, width = 1100) => connectWeb(web.browser, web.url, nick, { width });

test('two browser users chat in a room and privately; a TCP IRC client sees them and is seen', { skip }, async () => {
  const alice = await connect('webalice');
  const bob = await connect('webbob');
  await say(alice, '/join #lobby');
  await say(bob, '/join #lobby');
  await alice.getByRole('log').getByText('webbob').first().waitFor();
  await say(alice, 'hello bob, 你好 🎉');
  await bob.getByRole('log').getByText('hello bob, 你好 🎉').waitFor();

  const irc = await web.server.register('ircuser');
  await joinRoom(irc, 'ircuser', '#lobby');
  await say(bob, 'hi from the browser');
  const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'hi from the browser');
  assert.equal(got.msg.source, 'webbob!webbob@127.0.0.1');
  irc.send('PRIVMSG #lobby :hi from irssi land 👋');
  await alice.getByRole('log').getByText('hi from irssi land 👋').waitFor();

  await say(alice, '/msg webbob a private word');
  await bob.getByRole('navigation').getByText('webalice').click();
  await bob.getByRole('log').getByText('a private word').waitFor();
  await alice.screenshot({ path: `${web.artifacts}web-room.png` });
  await bob.screenshot({ path: `${web.artifacts}web-private.png` });
  await alice.close();
  await bob.close();
  irc.close();
});

test('a reload keeps the conversation through history', { skip }, async () => {
  const carol = await connect('webcarol');
  await joinRoomOn(carol, '#kept');
  await say(carol, 'remember me 记住');
  await carol.getByRole('log').getByText('remember me 记住').waitFor();
  await carol.reload();
  await carol.getByLabel('Nickname').fill('webcarol');
  await carol.getByRole('button', { name: 'Connect' }).click();
  await carol.locator('#message-input').waitFor();
  await say(carol, '/join #kept');
  await carol.getByRole('log').getByText('remember me 记住').waitFor();
  await carol.close();
});

test('the phone-sized layout works', { skip }, async () => {
  const dave = await connect('webdave', 390);
  await joinRoomOn(dave, '#lobby');
  await say(dave, 'from a phone');
  await dave.getByRole('log').getByText('from a phone').waitFor();
  await dave.screenshot({ path: `${web.artifacts}web-phone.png` });
  await dave.close();
});

test('the room list shows rooms with member counts and topics, and a click joins', { skip }, async () => {
  const owner = await web.server.register('listowner');
  await joinRoom(owner, 'listowner', '#listed');
  owner.send('TOPIC #listed :a topic 话题');
  await owner.waitFor('TOPIC');
  const erin = await connect('weberin');
  await erin.getByRole('button', { name: 'Browse rooms' }).click();
  const entry = erin.getByRole('region', { name: 'All rooms' }).getByRole('button', { name: /#listed/ });
  await entry.getByText('a topic 话题').waitFor();
  await entry.click();
  await owner.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('weberin!') === true);
  await erin.close();
  owner.close();
});
