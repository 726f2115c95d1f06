// Accessibility of the web client, checked by axe-core in a real browser (Debian's Chromium via
// playwright-core): the connect form, a busy chat (nicks of many colours, IRC colours, a
// mention, badges, the unread divider, the phone drawers) and the admin panel, in the light and
// the dark theme, at desktop and phone widths. WCAG 2.1 A and AA, colour contrast included.
// Skipped without Chromium or a build, like web-client.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { join as joinRoom } from '../helpers/irc.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say, signInAdmin } from '../helpers/web-chat.ts';

const skip = browserSkip;
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const TOKEN = 'a11y-token';
const THEMES = ['light', 'dark'] as const;
const WIDTHS = [
  { name: 'desktop', width: 1100, height: 720 },
  { name: 'phone', width: 390, height: 760 },
];

const web = browserFixture({ web: { adminToken: TOKEN } });

/** axe's WCAG 2.1 A/AA violations on the page as it stands, one line each ('' when none). */
async function violations(page: Page): Promise<string> {
  // Through the DevTools protocol, which the page's CSP does not govern (no inline script tag).
  if (!(await page.evaluate<boolean>(`typeof window.axe === 'object'`))) await page.evaluate(AXE_SOURCE);
  return page.evaluate<string>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ') + ' ' + (n.any[0] ? n.any[0].message : '')).join('; ')).join('\\n'))`);
}

async function check(page: Page, what: string): Promise<void> {
  assert.equal(await violations(page), '', what);
}

test('the connect form has no WCAG AA violation, light and dark, desktop and phone', { skip }, async () => {
  for (const colorScheme of THEMES) {
    for (const size of WIDTHS) {
      const page = await web.newPage({ viewport: size, colorScheme });
      await page.goto(web.url);
      await page.getByLabel('Nickname').waitFor();
      await check(page, `connect form, ${colorScheme}, ${size.name}`);
      // A nick that is not valid shows a hint; the button is disabled.
      await page.getByLabel('Nickname').fill('9bad');
      await page.getByText(/not starting with a digit/).waitFor();
      await check(page, `connect form with a hint, ${colorScheme}, ${size.name}`);
      await page.getByLabel('Nickname').fill('fine');
      await page.getByRole('button', { name: 'Connect' }).and(page.locator(':enabled')).waitFor();
      await check(page, `connect form ready, ${colorScheme}, ${size.name}`);
      await page.close();
    }
  }
});

test('a busy chat has no WCAG AA violation, light and dark, desktop and phone with its drawers', { skip }, async () => {
  // Many nicks, so many hues; IRC colours and backgrounds; a mention; a notice; unread counts.
  const talkers = await Promise.all(['amber', 'bruno', 'chidi', 'dana', 'eiko', 'farid', 'gwen', 'hugo'].map((n) => web.server.register(n)));
  for (const [i, c] of talkers.entries()) await joinRoom(c, ['amber', 'bruno', 'chidi', 'dana', 'eiko', 'farid', 'gwen', 'hugo'][i]!, '#busy');
  for (const colorScheme of THEMES) {
    for (const size of WIDTHS) {
      const me = `a11y${colorScheme}${size.name}`.slice(0, 20);
      const page = await connectWeb(web.browser, web.url, me, { ...size, colorScheme });
      await joinRoomOn(page, '#busy');
      await joinRoomOn(page, '#quiet');
      const lines = [
        `PRIVMSG #busy :hello ${me}, this mentions you`,
        'PRIVMSG #busy :\x02bold\x02 \x1ditalic\x1d \x0302blue\x03 \x0308yellow\x03 \x0315grey\x03 \x0300white\x03 \x0301,01spoiler\x03 \x0300,04white on red\x0f \x16reversed\x16 \x04ffff88pale\x03 https://example.com/',
        'NOTICE #busy :a notice to the room',
        'PRIVMSG #busy :\x01ACTION dances\x01',
      ];
      for (const [i, c] of talkers.entries()) c.send(lines[i % lines.length]!);
      await page.getByRole('navigation', { includeHidden: true }).getByRole('button', { name: /#busy \(2 mentions, 8 unread\)/, includeHidden: true }).waitFor({ state: 'attached' });
      if (size.name === 'phone') await page.getByRole('button', { name: 'Show rooms' }).click();
      await page.getByRole('navigation').getByText('#busy').click();
      await page.getByRole('log', { name: 'Messages in #busy' }).getByText('dances').first().waitFor();
      await page.getByRole('log').getByRole('listitem').filter({ hasText: 'New messages' }).waitFor();
      await say(page, `my own line, ${me}`);
      await page.getByRole('log').getByText(`my own line, ${me}`).waitFor();
      await check(page, `chat, ${colorScheme}, ${size.name}`);
      await page.screenshot({ path: `${web.artifacts}a11y-chat-${colorScheme}-${size.name}.png` });
      if (size.name === 'phone') {
        await page.getByRole('button', { name: 'Show rooms' }).click();
        await page.getByRole('navigation').waitFor();
        await check(page, `rooms drawer, ${colorScheme}`);
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: /Show members/ }).click();
        await page.getByRole('complementary').waitFor();
        await check(page, `members drawer, ${colorScheme}`);
      }
      await page.close();
    }
  }
  for (const c of talkers) c.close();
});

test('the admin panel has no WCAG AA violation, light and dark, desktop and phone', { skip }, async () => {
  const irc = await web.server.register('adminseen');
  await joinRoom(irc, 'adminseen', '#admin-a11y');
  for (const colorScheme of THEMES) {
    for (const size of WIDTHS) {
      const page = await web.newPage({ viewport: size, colorScheme });
      await page.goto(`${web.url}#admin`);
      await page.getByLabel('Admin token').waitFor();
      await check(page, `admin sign-in, ${colorScheme}, ${size.name}`);
      await signInAdmin(page, TOKEN);
      await page.getByRole('row').filter({ hasText: 'adminseen' }).waitFor();
      await check(page, `admin panel, ${colorScheme}, ${size.name}`);
      if (size.name === 'desktop') await page.screenshot({ path: `${web.artifacts}a11y-admin-${colorScheme}.png` });
      await page.close();
    }
  }
  irc.close();
});
