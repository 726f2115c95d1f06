// A broadcast from the admins in the web client: an announcement in the conversation in view
// (and in every other one), set apart from the messages, its text readable (WCAG AA) in the
// light and the dark theme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const web = browserFixture();

// bypassCSP: the page's CSP would refuse axe, which the test adds.
const connect = (nick: string, colorScheme: 'light' | 'dark') => connectWeb(web.browser, web.url, nick, { colorScheme, bypassCSP: true });

/** axe's WCAG 2.1 A/AA violations (colour contrast, list structure…) inside `selector`. */
async function wcagViolations(page: Page, selector: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (sel) => {
    // This file is compiled without the DOM's types: the page's globals are described here.
    const axe = (globalThis as unknown as { axe: { run(context: string, options: object): Promise<{ violations: { id: string; nodes: { html: string; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(sel, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html} ${n.failureSummary ?? ''}`));
  }, selector);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`a broadcast shows as an announcement in the conversation in view and in the others (${scheme} theme)`, { skip }, async () => {
    const page = await connect(`web${scheme}`, scheme);
    await joinRoomOn(page, `#${scheme}`);
    await say(page, 'hello room');
    await page.getByRole('log').getByText('hello room').waitFor();

    await web.parlor.admin.broadcast(web.parlor.admin.consoleActor, 'the server restarts at noon, see https://example.org/news');
    const note = page.getByRole('log').getByRole('note');
    await note.waitFor();
    const shown = (await note.innerText()).replace(/\s+/g, ' ');
    assert.match(shown, /broadcast/i);
    assert.match(shown, new RegExp(`from ${web.parlor.serverName.replace(/\./g, '\\.')}`));
    assert.match(shown, /the server restarts at noon, see https:\/\/example\.org\/news/);
    // Set apart: a background of its own, unlike a message's.
    const background = (el: unknown): string =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;
    const [noteBackground, messageBackground] = await Promise.all([
      note.evaluate(background),
      page.getByRole('log').locator('li', { hasText: 'hello room' }).evaluate(background),
    ]);
    assert.notEqual(noteBackground, messageBackground);
    // Readable, and still a list of lines (the note is inside its list item, not one itself).
    assert.deepEqual(await wcagViolations(page, '.messages'), []);

    // The server conversation has it too.
    await page.getByRole('navigation', { includeHidden: true }).getByText(/^Parlor|test\.parlor/).first().click();
    await page.getByRole('log').getByRole('note').getByText('the server restarts at noon', { exact: false }).waitFor();
    await page.close();
  });
}
