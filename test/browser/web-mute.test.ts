// A muted web user: typing notifications are not refused out loud (their answers, labeled with
// labeled-response, are never shown, and after a refusal none go to that room), so each message
// they try to send gives one error line, which says until when they are muted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserFixture, browserSkip, untilInPage, type PageGlobals } from '../helpers/browser.ts';
import { say } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture();

async function connect(nick: string, context: { locale?: string; timezoneId?: string } = {}): Promise<Page> {
  const page = await web.newPage({ viewport: { width: 1100, height: 720 }, ...context });
  await page.goto(web.url);
  await page.locator('#nick').fill(nick);
  await page.locator('.connect-form button[type=submit]').click();
  await page.locator('#message-input').waitFor();
  return page;
}

/** Types like a person (each key an input event, so typing notifications go out), then sends. */
async function typeAndSend(page: Page, text: string): Promise<void> {
  await page.locator('#message-input').pressSequentially(text);
  await page.locator('#message-input').press('Enter');
}

/** Waits until the input line holds `text` (a refused message given back). */
async function inputHolds(page: Page, text: string): Promise<void> {
  await untilInPage(page, (wanted) => (globalThis as unknown as PageGlobals).document.querySelector('#message-input')?.value === wanted, text);
}

/** A round trip through the server after everything sent before: /names answers in the log. */
async function settled(page: Page, round: number): Promise<void> {
  await say(page, '/names #lobby');
  await page.getByRole('log').getByText(/^#lobby: \d+ (person|people)/).nth(round).waitFor();
}

test('a muted web user sees one error line per message, saying until when', { skip }, async () => {
  const page = await connect('mutee');
  await page.getByRole('log').getByText('Welcome to').waitFor();
  await web.parlor.admin.mute(web.parlor.admin.consoleActor, 'mutee', 600_000, 'calm down');
  const errors = page.getByRole('log').locator('.line-error');

  await typeAndSend(page, 'can anyone hear me');
  await errors.first().waitFor();
  // What they typed is given back, not lost.
  await inputHolds(page, 'can anyone hear me');
  await page.locator('#message-input').fill('');
  await settled(page, 0);
  assert.equal(await errors.count(), 1, (await errors.allTextContents()).join('\n'));
  // In the page's language and local time, not the server's English and UTC.
  assert.match((await errors.first().textContent()) ?? '', /You are muted until (.+ )?\d\d:\d\d \(reason: calm down\)/);

  await typeAndSend(page, 'hello?');
  // Given back too; cleared before /names is typed, or the two would race in the input line
  // (a fill selects the text, then types: a give-back between the two appends to it).
  await errors.nth(1).waitFor();
  await inputHolds(page, 'hello?');
  await page.locator('#message-input').fill('');
  await settled(page, 1);
  assert.equal(await errors.count(), 2, (await errors.allTextContents()).join('\n'));
  await page.close();
});

test('a muted Chinese user sees, in the room, one Chinese line with their local time, and keeps what they typed', { skip }, async () => {
  const page = await connect('zhmutee', { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await say(page, '/join #lobby');
  await page.getByRole('navigation').getByText('#lobby').waitFor();
  const muted = Date.now();
  await web.parlor.admin.mute(web.parlor.admin.consoleActor, 'zhmutee', 3_600_000, '冷静一下');
  await typeAndSend(page, '大家好');
  const line = page.getByRole('log').locator('.line-error').filter({ hasText: '你已被禁言' });
  await line.waitFor();
  // The end, rounded up to the minute, as a clock in Shanghai (the date too when it is another day there).
  const shanghai = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  const ends = [muted, Date.now()].map((at) => shanghai(Math.ceil((at + 3_600_000) / 60_000) * 60_000));
  const text = (await line.textContent()) ?? '';
  assert.ok(ends.some((end) => new RegExp(`你已被禁言，到 (\\S+ )?${end} 为止（原因：冷静一下）`).test(text)), text);
  assert.doesNotMatch(text, /UTC|Cannot send/);
  assert.equal(await page.locator('#message-input').inputValue(), '大家好');
  await page.close();
});
