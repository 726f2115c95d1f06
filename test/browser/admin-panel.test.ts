// The admin panel (/#admin) in a real browser against the admin API on the web port: a kick
// from the panel disconnects a browser user, whose page says why; a broadcast reaches IRC
// clients. Skipped without Chromium or a build, like web-client.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/server/passwords.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, say, signInAdmin } from '../helpers/web-chat.ts';

const skip = browserSkip;
const TOKEN = 'test-token';

const web = browserFixture(async () => ({ web: { adminToken: TOKEN }, opers: [{ name: 'root', password: await hashPassword('s3cret', 4) }] }));

async function openAdmin(): Promise<Page> {
  const page = await web.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${web.url}#admin`);
  await signInAdmin(page, TOKEN);
  await page.getByRole('region', { name: 'Users' }).waitFor();
  return page;
}

test('a wrong token is refused and the form says so', { skip }, async () => {
  const page = await web.newPage();
  await page.goto(`${web.url}#admin`);
  await signInAdmin(page, 'not-the-token');
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByLabel('Admin token').count(), 1);
  await page.close();
});

test('kicking a browser user from the panel shows them the reason', { skip }, async () => {
  const victim = await connectWeb(web.browser, web.url, 'victim');
  await say(victim, '/join #lobby');
  await victim.getByRole('navigation').getByText('#lobby').waitFor();

  const admin = await openAdmin();
  const row = admin.getByRole('row').filter({ hasText: 'victim' });
  await row.getByText('#lobby').waitFor();
  assert.match(await row.textContent() ?? '', /websocket/);
  await admin.getByRole('button', { name: 'Kick victim' }).click();
  await admin.getByLabel('Reason').fill('bye now');
  await admin.getByRole('button', { name: 'Confirm kick' }).click();

  const alert = victim.getByRole('alert');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /bye now/);
  // The kicked user is gone from the table at the next poll, and the kill is in the audit log.
  await row.waitFor({ state: 'detached' });
  await victim.screenshot({ path: `${web.artifacts}web-admin-kicked.png` });
  await victim.close();
  await admin.close();
});

test('a broadcast from the panel reaches IRC clients as NOTICE $*', { skip }, async () => {
  const irc = await web.server.register('listener');
  const admin = await openAdmin();
  await admin.getByRole('row').filter({ hasText: 'listener' }).waitFor();
  await admin.getByLabel('Broadcast text').fill('maintenance at noon');
  await admin.getByRole('button', { name: 'Send to all' }).click();
  const got = await irc.waitFor((r) => r.msg.command === 'NOTICE' && r.msg.params[1]?.includes('maintenance at noon') === true);
  assert.equal(got.msg.params[0], '$*');
  await admin.getByRole('region', { name: 'Audit log' }).getByText(/broadcast/i).first().waitFor();
  await admin.screenshot({ path: `${web.artifacts}web-admin.png`, fullPage: true });
  await admin.close();
  irc.close();
});

test('an IRC operator opens the panel with the OPER name and password', { skip }, async () => {
  const page = await web.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${web.url}#admin`);
  await page.getByLabel('IRC operator name').fill('root');
  await page.getByLabel('Operator password').fill('wrong');
  await page.getByRole('button', { name: 'Log in as operator' }).click();
  await page.getByRole('alert').getByText('Wrong operator name or password').waitFor();
  await page.getByLabel('Operator password').fill('s3cret');
  await page.getByRole('button', { name: 'Log in as operator' }).click();
  await page.getByRole('region', { name: 'Users' }).waitFor();
  assert.ok(web.parlor.audit.recent().some((e) => e.actor === 'oper:root (web)' && e.action === 'panel login'));
  await page.close();
});
