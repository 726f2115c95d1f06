// The web client's layout and keys in a real browser (Debian's Chromium via playwright-core):
// the nick column, the phone layout, IRC formatting, the unread divider and page title, the
// reconnecting banner, the theme toggle, the log as one tab stop, Alt+digit and Esc. Skipped
// without Chromium or a build, like web-client.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip, untilInPage, type PageGlobals } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture();

async function box(page: Page, selector: string, index = 0): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await page.locator(selector).nth(index).boundingBox();
  assert.ok(b, `${selector} #${index} has a box`);
  return b;
}

/** A computed style property of the locator's first element. */
function computed(locator: Locator, property: string): Promise<string> {
  // The page's own getComputedStyle: this file is compiled without the DOM's types.
  type Page = { getComputedStyle(e: unknown): Record<string, string> };
  return locator.first().evaluate((e, p) => (globalThis as unknown as Page).getComputedStyle(e)[p] ?? '', property);
}

/** The element that has the keyboard focus, described by its id, or else its role and class. */
function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => { const e = document.activeElement; return e.id || ((e.getAttribute('role') ?? e.tagName) + ' ' + e.className); })()`);
}

test('the nick column has one width so that text starts at one edge; on a phone the nick is above the text', { skip }, async () => {
  const short = await web.server.register('al');
  const long = await web.server.register('a_rather_long_nickname_here');
  await joinRoom(short, 'al', '#layout');
  await joinRoom(long, 'a_rather_long_nickname_here', '#layout');
  const page = await connectWeb(web.browser, web.url, 'layoutweb');
  await joinRoomOn(page, '#layout');
  short.send('PRIVMSG #layout :short nick, and a \x02bold\x02 word with \x0304red\x03 in it');
  long.send('PRIVMSG #layout :a long nick: its column is as wide as the short one’s, see https://example.com/');
  short.send('PRIVMSG #layout :\x01ACTION waves\x01');
  await page.getByRole('log').getByText('its column is as wide').waitFor();
  await page.getByRole('log').getByText('waves').waitFor();

  const lines = page.locator('.line-message');
  const count = await lines.count();
  assert.ok(count >= 2);
  const whos = await Promise.all(Array.from({ length: count }, (_, i) => box(page, '.line-message > .who', i)));
  const texts = await Promise.all(Array.from({ length: count }, (_, i) => box(page, '.line-message > .text', i)));
  for (const w of whos) assert.equal(Math.round(w.width), Math.round(whos[0]!.width));
  for (const tx of texts) assert.equal(Math.round(tx.x), Math.round(texts[0]!.x));
  // Quiet lines and actions start their text at the same edge too.
  assert.equal(Math.round((await box(page, '.line-join > .text')).x), Math.round(texts[0]!.x));
  assert.equal(Math.round((await box(page, '.line-action > .text')).x), Math.round(texts[0]!.x));
  await page.screenshot({ path: `${web.artifacts}web-layout-light.png` });
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await page.screenshot({ path: `${web.artifacts}web-layout-dark.png` });
  await page.close();

  const phone = await connectWeb(web.browser, web.url, 'layoutphone', { width: 390, height: 760 });
  await joinRoomOn(phone, '#layout');
  await phone.getByRole('log').getByText('its column is as wide').waitFor();
  const nick = await box(phone, '.line-message > .who');
  const text = await box(phone, '.line-message > .text');
  assert.ok(nick.y + nick.height <= text.y + 1, `nick ${JSON.stringify(nick)} above text ${JSON.stringify(text)}`);
  assert.ok(Math.abs(nick.x - text.x) < 2, 'nick and text start at one edge');
  await phone.screenshot({ path: `${web.artifacts}web-layout-phone.png` });
  await phone.close();
  short.close();
  long.close();
});

test('IRC bold, italic, underline and colours are rendered, not stripped', { skip }, async () => {
  const irc = await web.server.register('formatter');
  await joinRoom(irc, 'formatter', '#format');
  const page = await connectWeb(web.browser, web.url, 'formatweb');
  await joinRoomOn(page, '#format');
  irc.send('PRIVMSG #format :\x02bold\x02 \x1ditalic\x1d \x1funder\x1f \x1estruck\x1e \x0304red\x03 \x0301,08on yellow\x0f plain');
  const log = page.getByRole('log');
  await log.getByText('plain').waitFor();
  const style = (selector: string, property: string) => computed(log.locator(selector), property);
  assert.equal(await log.locator('.irc-b').first().textContent(), 'bold');
  assert.equal(await style('.irc-b', 'fontWeight'), '700');
  assert.equal(await style('.irc-i', 'fontStyle'), 'italic');
  assert.match(await style('.irc-u', 'textDecorationLine'), /underline/);
  assert.match(await style('.irc-s', 'textDecorationLine'), /line-through/);
  assert.equal(await log.locator('.irc-fg').first().textContent(), 'red');
  const red = await style('.irc-fg', 'color');
  assert.match(red, /^rgb\((\d+), (\d+), (\d+)\)$/);
  assert.notEqual(red, await style('.line-message > .text', 'color'));
  assert.equal(await computed(log.getByText('on yellow'), 'backgroundColor'), 'rgb(255, 255, 0)');
  // No control character reaches the page.
  const shown = (await log.locator('.line-message').last().textContent()) ?? '';
  assert.ok(![...shown].some((c) => c.charCodeAt(0) < 0x20), JSON.stringify(shown));
  await page.close();
  irc.close();
});

test('unread lines count in the page title, and a divider marks them on coming back; Alt+digit and Alt+arrows switch', { skip }, async () => {
  const talker = await web.server.register('talker');
  await joinRoom(talker, 'talker', '#first');
  const page = await connectWeb(web.browser, web.url, 'unreadweb');
  await joinRoomOn(page, '#first');
  await say(page, 'before leaving');
  await page.getByRole('log').getByText('before leaving').waitFor();
  await joinRoomOn(page, '#second');
  const nav = page.getByRole('navigation');
  await nav.getByRole('button', { name: '#second', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
  for (const n of [1, 2, 3]) talker.send(`PRIVMSG #first :unread number ${n}`);
  await untilInPage(page, (title) => (globalThis as unknown as PageGlobals).document.title === title, '(3) Parlor');

  // Alt+N: the Nth entry of the list (the server's is first; the server may have put us in a room).
  const names = await nav.locator('.buffer-name').allTextContents();
  const first = names.indexOf('#first') + 1;
  const second = names.indexOf('#second') + 1;
  assert.ok(first >= 2 && second === first + 1, names.join(' '));
  await page.locator('#message-input').press(`Alt+${first}`);
  await page.getByRole('log', { name: 'Messages in #first' }).waitFor();
  const divider = page.getByRole('log').getByRole('listitem').filter({ hasText: 'New messages' });
  await divider.waitFor();
  // The divider sits between what was seen and the first unread line.
  const order = await page.locator('.lines > li').allTextContents();
  const at = order.findIndex((text) => text.includes('New messages'));
  assert.ok(order[at - 1]!.includes('before leaving') || !order.slice(at).some((text) => text.includes('before leaving')));
  assert.ok(order[at + 1]!.includes('unread number 1'), order.join(' | '));
  await untilInPage(page, (title) => (globalThis as unknown as PageGlobals).document.title === title, 'Parlor');

  await page.locator('#message-input').press('Alt+ArrowDown');
  await page.getByRole('log', { name: 'Messages in #second' }).waitFor();
  await page.locator('#message-input').press('Alt+ArrowUp');
  await page.getByRole('log', { name: 'Messages in #first' }).waitFor();
  // Alt+arrows switch conversations; they do not bring back what was sent (↑ alone does).
  assert.equal(await page.locator('#message-input').inputValue(), '');
  // Seen now: no divider left on coming back with nothing new.
  await page.locator('#message-input').press(`Alt+${second}`);
  await page.getByRole('log', { name: 'Messages in #second' }).waitFor();
  await page.locator('#message-input').press(`Alt+${first}`);
  await page.getByRole('log', { name: 'Messages in #first' }).waitFor();
  assert.equal(await divider.count(), 0);
  await page.close();
  talker.close();
});

test('a banner shows while the connection is lost, and goes once it is back', { skip }, async () => {
  const page = await connectWeb(web.browser, web.url, 'bannerweb');
  await joinRoomOn(page, '#banner');
  const banner = page.getByText('Connection lost. Reconnecting…');
  assert.equal(await banner.count(), 0);
  const uid = web.parlor.network.userByNick('bannerweb')!.uid;
  web.parlor.local(uid)!.disconnect('Ping timeout');
  await banner.waitFor();
  await page.screenshot({ path: `${web.artifacts}web-reconnecting.png` });
  await banner.waitFor({ state: 'detached' });
  await page.getByRole('navigation').getByText('Connected as bannerweb').waitFor();
  await page.close();
});

test('the theme follows the system until toggled, and the choice is remembered', { skip }, async () => {
  const page = await web.newPage({ colorScheme: 'dark' });
  await page.goto(web.url);
  const theme = () => page.evaluate<string | null>(`document.documentElement.getAttribute('data-theme')`);
  assert.equal(await theme(), 'dark');
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await page.emulateMedia({ colorScheme: 'light' });
  await untilInPage(page, (theme) => (globalThis as unknown as PageGlobals).document.documentElement.dataset.theme === theme, 'light');
  await toggle.click();
  assert.equal(await theme(), 'dark');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await page.reload();
  assert.equal(await theme(), 'dark');
  // Chosen: the system's changes no longer move it.
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await theme(), 'dark');
  assert.equal(await computed(page.locator('html'), 'backgroundColor'), 'rgb(24, 24, 26)');
  await page.close();
});

test('the message log is one tab stop; Esc closes a drawer', { skip }, async () => {
  const irc = await web.server.register('tabber');
  await joinRoom(irc, 'tabber', '#tabs');
  const page = await connectWeb(web.browser, web.url, 'tabweb');
  await joinRoomOn(page, '#tabs');
  irc.send('PRIVMSG #tabs :a nick and a link https://example.com/ in the log');
  irc.send('PRIVMSG #tabs :and another line from the same nick');
  await page.getByRole('log').getByText('another line').waitFor();
  await page.locator('#message-input').focus();
  await page.keyboard.press('Shift+Tab');
  assert.match(await focused(page), /^log /);
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'message-input');
  // Inside the log, ← and → go through its nicks and links; Esc goes back to the log.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('ArrowLeft');
  assert.match(await focused(page), /nick/); // the newest line's nick
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate<string>(`document.activeElement.getAttribute('href')`), 'https://example.com/');
  await page.keyboard.press('Escape');
  assert.match(await focused(page), /^log /);
  await page.close();

  const phone = await connectWeb(web.browser, web.url, 'escweb', { width: 390, height: 760 });
  await phone.getByRole('button', { name: 'Show rooms' }).click();
  const rooms = phone.getByRole('navigation', { name: 'Rooms and conversations' });
  await rooms.waitFor();
  await phone.keyboard.press('Escape');
  await rooms.waitFor({ state: 'hidden' });
  await phone.close();
  irc.close();
});
