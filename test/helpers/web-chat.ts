// Driving the built web client in Chromium: connect with a nick, say a line, join a room, sign
// in to the admin panel.
import type { Browser, Page } from 'playwright-core';

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** Lets a test add a script (axe) that the page's CSP would refuse. */
  bypassCSP?: boolean;
}

export async function connectWeb(browser: Browser, url: string, nick: string, options: PageOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1100, height: options.height ?? 720 }, colorScheme: options.colorScheme ?? 'light', bypassCSP: options.bypassCSP });
  await page.goto(url);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#message-input').waitFor();
  await registered(page);
  return page;
}

/**
 * Until the page is registered, not only showing the input line (which comes first): a command
 * typed before is held back until then, and its answer may land in a buffer the page has left.
 */
export async function registered(page: Page): Promise<void> {
  await page.locator('.sidebar .status-registered').waitFor({ state: 'attached' });
}

export async function say(page: Page, text: string): Promise<void> {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
}

/** /join, then wait until the room is listed (attached: on a phone the list is folded away). */
export async function joinRoomOn(page: Page, room: string): Promise<void> {
  await say(page, `/join ${room}`);
  await page.getByRole('navigation', { includeHidden: true }).getByText(room).waitFor({ state: 'attached' });
}

/** On the admin panel's sign-in form (/#admin, in English): the token, then Sign in. */
export async function signInAdmin(page: Page, token: string): Promise<void> {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
