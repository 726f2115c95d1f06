// A muted web user: typing notifications are not refused out loud (their answers, labeled with
// labeled-response, are never shown, and after a refusal none go to that room), so each message
// they try to send gives one error line, which says until when they are muted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.ts';
import { browserSkip, CHROMIUM } from '../helpers/browser.ts';

const skip = browserSkip;

let t: TestServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  t = await startServer({ web: { enabled: true, port: 0 } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
});

async function connect(nick: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await page.goto(`http://127.0.0.1:${t.server.webAddress!.port}/`);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#message-input').waitFor();
  return page;
}

/** Types like a person (each key an input event, so typing notifications go out), then sends. */
async function typeAndSend(page: Page, text: string): Promise<void> {
  await page.locator('#message-input').pressSequentially(text);
  await page.locator('#message-input').press('Enter');
}

/** A round trip through the server after everything sent before: /names answers in the log. */
async function settled(page: Page, round: number): Promise<void> {
  await page.locator('#message-input').fill('/names #lobby');
  await page.locator('#message-input').press('Enter');
  await page.getByRole('log').getByText(/^#lobby: \d+ (person|people)/).nth(round).waitFor();
}

test('a muted web user sees one error line per message, saying until when', { skip }, async () => {
  const page = await connect('mutee');
  await page.getByRole('log').getByText('Welcome to').waitFor();
  await t.server.admin.mute(t.server.admin.consoleActor, 'mutee', 600_000, 'calm down');
  const errors = page.getByRole('log').locator('.line-error');

  await typeAndSend(page, 'can anyone hear me');
  await settled(page, 0);
  assert.equal(await errors.count(), 1, (await errors.allTextContents()).join('\n'));
  assert.match((await errors.first().textContent()) ?? '', /you are muted until \d{4}-\d\d-\d\d \d\d:\d\d UTC: calm down/);

  await typeAndSend(page, 'hello?');
  await settled(page, 1);
  assert.equal(await errors.count(), 2, (await errors.allTextContents()).join('\n'));
  await page.close();
});
