// The built web client under the web port's strict Content-Security-Policy, in a real browser
// (Debian's Chromium via playwright-core): the page loads, connects over its same-origin
// WebSocket and chats with no CSP violation, and no other page may frame it. Skipped without
// Chromium or a build; CI installs chromium and runs `npm run build` first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SECURITY_HEADERS } from '../../src/transport/http-guard.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { say } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture();

/** A page that records every CSP violation: the browser's console reports and the DOM events. */
async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await web.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    // Chromium also reports features a Permissions-Policy names that it does not know.
    if (/Content Security Policy|Refused to|Permissions-Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => violations.push(`page error: ${err.message}`));
  await page.exposeFunction('reportViolation', (what: string) => violations.push(`event: ${what}`));
  // Page code as text: this file is compiled without the DOM's types.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));`);
  return { page, violations };
}

async function connect(page: Page, nick: string): Promise<void> {
  const response = await page.goto(web.url);
  assert.equal(response?.headers()['content-security-policy'], SECURITY_HEADERS['Content-Security-Policy']);
  await page.getByLabel('Nickname').fill(nick);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.locator('#message-input').waitFor();
}

test('the web client loads, styles itself, connects and chats under the strict CSP with no violation or header warning', { skip }, async () => {
  const alice = await watchedPage();
  const bob = await watchedPage();
  await connect(alice.page, 'cspalice');
  await connect(bob.page, 'cspbob');
  // The stylesheet applied: a CSP blocking it would leave the body in the browser's default font.
  const styled = await alice.page.evaluate<string>('getComputedStyle(document.body).fontFamily');
  assert.notEqual(styled, 'Times New Roman');
  await say(alice.page, '/join #csp');
  await say(bob.page, '/join #csp');
  await alice.page.getByRole('log').getByText('cspbob').first().waitFor();
  await say(alice.page, 'hello under a strict policy 🔒');
  await bob.page.getByRole('log').getByText('hello under a strict policy 🔒').waitFor();
  await say(bob.page, 'and back 你好');
  await alice.page.getByRole('log').getByText('and back 你好').waitFor();
  assert.deepEqual([...alice.violations, ...bob.violations], []);
  await alice.page.close();
  await bob.page.close();
});

test('no page may frame the web client (frame-ancestors none, X-Frame-Options DENY)', { skip }, async () => {
  const page = await web.newPage();
  const refused = new Promise<string>((resolve) => {
    page.on('console', (m) => {
      if (/frame-ancestors|X-Frame-Options/.test(m.text())) resolve(m.text());
    });
  });
  await page.setContent(`<iframe src="${web.url}"></iframe>`);
  assert.match(await refused, /frame-ancestors 'none'|X-Frame-Options/);
  await page.close();
});
