// A broadcast from the admins in the web client: an announcement in the conversation in view
// (and in every other one), set apart from the messages, its text readable (WCAG AA) in the
// light and the dark theme.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { browserSkip, CHROMIUM } from '../helpers/browser.ts';

const skip = browserSkip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let t: TestServer;
let browser: Browser;
let url: string;

before(async () => {
  if (skip) return;
  t = await startServer({ web: { enabled: true, port: 0 } });
  url = `http://127.0.0.1:${t.server.webAddress!.port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
});

async function connect(nick: string, colorScheme: 'light' | 'dark'): Promise<Page> {
  // bypassCSP: the page's CSP would refuse axe, which the test adds.
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 }, colorScheme, bypassCSP: true });
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
    await say(page, `/join #${scheme}`);
    await page.getByRole('navigation', { includeHidden: true }).getByText(`#${scheme}`).waitFor({ state: 'attached' });
    await say(page, 'hello room');
    await page.getByRole('log').getByText('hello room').waitFor();

    await t.server.admin.broadcast(t.server.admin.consoleActor, 'the server restarts at noon, see https://example.org/news');
    const note = page.getByRole('log').getByRole('note');
    await note.waitFor();
    const shown = (await note.innerText()).replace(/\s+/g, ' ');
    assert.match(shown, /broadcast/i);
    assert.match(shown, new RegExp(`from ${t.server.serverName.replace(/\./g, '\\.')}`));
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
