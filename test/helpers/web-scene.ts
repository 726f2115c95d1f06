// Staging the web client for the README's screenshots (test/browser/screenshots*.test.ts): a
// server on a staged clock, IRC people cast into rooms, a browser whose clock stands still,
// and the picture taken without a caret or hover left over from the script.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RawClient } from './raw-client.ts';
import { act, person, StagedClock } from './scene.ts';
import { startServer, type TestServer } from './server.ts';
import { say } from './web-chat.ts';

/** Where the pictures go: test-artifacts/, or $SCREENSHOTS_DIR (`npm run screenshots`: docs/screenshots). */
export const SCREENSHOTS_OUT = resolve(process.env.SCREENSHOTS_DIR ?? new URL('../../test-artifacts/', import.meta.url).pathname);
export const SCENE_ADMIN_TOKEN = 'screenshot-admin-token';
/** The scene's first minute: a weekday morning. */
export const SCENE_START = Date.UTC(2026, 5, 12, 8, 52);

export interface Stage {
  t: TestServer;
  clock: StagedClock;
  people: Map<string, RawClient>;
}

export async function stage(): Promise<Stage> {
  const clock = new StagedClock(SCENE_START);
  const t = await startServer(
    {
      server: { name: 'chat.example.org', casemapping: 'precis', motd: 'Welcome to Parlor. Be kind.' },
      web: { enabled: true, port: 0, adminToken: SCENE_ADMIN_TOKEN },
      // The room's recent lines come back to a browser through chathistory.
      history: { replayOnJoin: 0 },
    },
    { clock },
  );
  return { t, clock, people: new Map() };
}

export const sceneUrl = (s: Stage): string => `http://127.0.0.1:${s.t.server.webAddress!.port}/`;

/** Where each person connects from (all loopback): the admin panel lists the addresses. */
const ADDRESSES: Record<string, string> = { bob: '127.0.0.12', carol: '127.0.0.23', dima: '127.0.0.34', 李娜: '127.0.0.45' };

/**
 * Registers each [nick, user] (with `caps`, for those not yet cast) and joins them to `rooms`
 * in order (the first to join is an op).
 */
export async function cast(s: Stage, rooms: string[], ...who: [nick: string, user: string, caps?: string[]][]): Promise<void> {
  for (const [nick, user, caps] of who) {
    const c = s.people.get(nick) ?? (await person(s.t, nick, user, user, ADDRESSES[nick], caps));
    s.people.set(nick, c);
    for (const room of rooms) await act(c, `JOIN ${room}`);
  }
}

export function who(s: Stage, nick: string): RawClient {
  const c = s.people.get(nick);
  assert.ok(c, nick);
  return c;
}

export interface Look {
  width: number;
  height: number;
  colorScheme: 'light' | 'dark';
  locale: 'en-GB' | 'zh-CN';
}

/** A browser context with the look asked for, whose clock stands still at `minutes` into the scene. */
export async function browserAt(browser: Browser, look: Look, minutes: number): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: look.width, height: look.height },
    colorScheme: look.colorScheme,
    locale: look.locale,
    timezoneId: look.locale === 'zh-CN' ? 'Asia/Shanghai' : 'Europe/London',
    deviceScaleFactor: 1,
  });
  await context.clock.setFixedTime(new Date(SCENE_START + minutes * 60_000));
  return context;
}

/** Opens the chat and connects as `nick` with the page's own labels; waits to land in #lobby. */
export async function connect(context: BrowserContext, url: string, nick: string, labels: { nick: string; connect: string }): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel(labels.nick).fill(nick);
  await page.getByRole('button', { name: labels.connect }).click();
  await page.locator('#message-input').waitFor();
  await page.locator('.topic-bar .title', { hasText: '#lobby' }).waitFor();
  return page;
}

export const log = (page: Page) => page.getByRole('log');

/** A buffer of the conversation list, by its name (attached: on a phone the list is folded away). */
export const buffer = (page: Page, name: string) =>
  page.getByRole('navigation', { includeHidden: true }).locator('.buffer').filter({ has: page.locator('.buffer-name', { hasText: name }) });

/** Joins `room` from the page, then goes back (Alt+↑) to `back`, the conversation listed above it. */
export async function joinAndReturn(page: Page, room: string, back: string): Promise<void> {
  await say(page, `/join ${room}`);
  await buffer(page, room).and(page.locator('[aria-current="page"]')).waitFor({ state: 'attached' });
  await page.locator('#message-input').press('Alt+ArrowUp');
  await buffer(page, back).and(page.locator('[aria-current="page"]')).waitFor({ state: 'attached' });
}

/** Leaves the conversation in view for the one above and comes back: what was read is no longer marked new. */
async function markRead(page: Page): Promise<void> {
  const current = page.locator('.buffer[aria-current="page"] .buffer-name');
  const name = (await current.textContent()) ?? '';
  await page.locator('#message-input').press('Alt+ArrowUp');
  await current.filter({ hasNotText: name }).waitFor({ state: 'attached' });
  await page.locator('#message-input').press('Alt+ArrowDown');
  await current.filter({ hasText: name }).waitFor({ state: 'attached' });
}

/**
 * Takes the picture: first (unless `keepNew`, which leaves a "New messages" divider in view)
 * the conversation in view is read, so nothing in it is marked new.
 */
export async function shoot(page: Page, name: string, options: { keepNew?: boolean } = {}): Promise<void> {
  if (!options.keepNew) await markRead(page);
  // No blinking caret, no hover or focus ring left over from the script.
  await page.mouse.move(0, 0);
  await page.locator('#message-input').evaluate((e) => (e as unknown as { blur(): void }).blur());
  await page.screenshot({ path: `${SCREENSHOTS_OUT}/${name}`, type: 'png', caret: 'hide', animations: 'disabled' });
}
