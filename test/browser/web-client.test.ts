// The web client in a real browser: Debian's Chromium driven by playwright-core against a
// Parlor serving the built client (dist/web) on its web port. Skipped without Chromium or a
// build; CI installs chromium and runs `npm run build` first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { browserSkip, CHROMIUM } from '../helpers/browser.ts';

const skip = browserSkip;
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let t: TestServer;
let browser: Browser;
let url: string;

before(async () => {
  if (skip) return;
  t = await startServer({ web: { enabled: true, port: 0 } });
  url = `http://127.0.0.1:${t.server.webAddress!.port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
});

async function connect(nick: string, width = 1100): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 720 } });
  await page.goto(url);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#message-input').waitFor();
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
}

/** /join, then wait until the room is listed: a line typed before the JOIN comes back would go to the server buffer. */
async function joinRoomOn(page: Page, room: string): Promise<void> {
  await say(page, `/join ${room}`);
  // Attached, not visible: on a phone the room list is folded away.
  await page.getByRole('navigation', { includeHidden: true }).getByText(room).waitFor({ state: 'attached' });
}

test('two browser users chat in a room and privately; a TCP IRC client sees them and is seen', { skip }, async () => {
  const alice = await connect('webalice');
  const bob = await connect('webbob');
  await say(alice, '/join #lobby');
  await say(bob, '/join #lobby');
  await alice.getByRole('log').getByText('webbob').first().waitFor();
  await say(alice, 'hello bob, 你好 🎉');
  await bob.getByRole('log').getByText('hello bob, 你好 🎉').waitFor();

  const irc = await t.register('ircuser');
  await joinRoom(irc, 'ircuser', '#lobby');
  await say(bob, 'hi from the browser');
  const got = await irc.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'hi from the browser');
  assert.equal(got.msg.source, 'webbob!webbob@127.0.0.1');
  irc.send('PRIVMSG #lobby :hi from irssi land 👋');
  await alice.getByRole('log').getByText('hi from irssi land 👋').waitFor();

  await say(alice, '/msg webbob a private word');
  await bob.getByRole('navigation').getByText('webalice').click();
  await bob.getByRole('log').getByText('a private word').waitFor();
  await alice.screenshot({ path: `${ARTIFACTS}web-room.png` });
  await bob.screenshot({ path: `${ARTIFACTS}web-private.png` });
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
  await dave.screenshot({ path: `${ARTIFACTS}web-phone.png` });
  await dave.close();
});

test('the room list shows rooms with member counts and topics, and a click joins', { skip }, async () => {
  const owner = await t.register('listowner');
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
