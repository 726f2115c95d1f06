// Issue 16's features between Parlor users on TWO nodes of one network, in Chromium: web page A
// on node a, web page B and the terminal client's core on node b, one shared in-process log and
// store. Deleting a message, read markers of one account (both logins SCRAM), a pasted block sent
// as one message, a bot's badge, a ban exception, and a query partner's presence all cross the
// log. Skipped without Chromium or a build (npm run build:web).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import type { ConfigInput } from '../../src/server/config.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { browserSkip, chromiumFixture, webUrl } from '../helpers/browser.ts';
import { is, join } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';
import { startClient, waitForLine, waitUntil } from '../clients/helpers.ts';

const skip = browserSkip;
const chromium = chromiumFixture();
let a: TestServer;
let b: TestServer;
const cores: IrcClient[] = [];

before(async () => {
  if (skip) return;
  const bus = new InProcessBus<NetworkEvent>();
  const store = new MemoryStore();
  const node = (name: string): Promise<TestServer> => {
    const input: ConfigInput = { server: { name: `${name}.parlor` }, accounts: { passwordCost: 4 }, web: { enabled: true, port: 0 } };
    return startServer(input, { bus, nodeId: name, store });
  };
  a = await node('a');
  b = await node('b');
});

after(async () => {
  await Promise.all(cores.map((c) => c.quit()));
  await b?.close();
  await a?.close();
});

/** A web page connected as `nick` to node `t` (made sure of: the network says which node it is on). */
async function webOn(t: TestServer, nick: string): Promise<Page> {
  const page = await connectWeb(chromium.browser, webUrl(t), nick);
  // The input shows before registration ends, so wait until the node itself has applied its own
  // user's arrival (the other node's view may lag behind it).
  const arrived = (): boolean => t.server.network.userByNick(nick) !== undefined;
  for (let tries = 0; tries < 1000 && !arrived(); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(t.server.network.userByNick(nick)?.nodeId, t === a ? 'a' : 'b');
  return page;
}

/** The terminal client's core on node `t`, in `room`. */
async function terminalIn(t: TestServer, nick: string, room: string): Promise<IrcClient> {
  const core = await startClient(t.port, nick);
  cores.push(core);
  core.input(`/join ${room}`);
  await waitUntil(core, () => core.model.find(room)?.joined, `${nick} in ${room}`);
  return core;
}

const lineOf = (page: Page, text: string) => page.getByRole('log').locator('.line').filter({ hasText: text });
/** Resolves when `page`'s member list of `room` (in view) lists `nick`. */
const member = (page: Page, room: string, nick: string) =>
  page.getByRole('complementary', { name: `Members of ${room}` }).locator('li').filter({ hasText: nick }).first().waitFor();

test('A on node a deletes its message: B on node b and the terminal show "message deleted"', { skip }, async () => {
  const pageA = await webOn(a, 'xr_a');
  const pageB = await webOn(b, 'xr_b');
  await joinRoomOn(pageA, '#xr');
  await joinRoomOn(pageB, '#xr');
  const term = await terminalIn(b, 'xr_term', '#xr');
  await member(pageA, '#xr', 'xr_term');

  await say(pageA, 'sent to the wrong room');
  const own = lineOf(pageA, 'sent to the wrong room');
  await own.waitFor();
  await lineOf(pageB, 'sent to the wrong room').waitFor();
  const seen = await waitForLine(term, ({ buffer, line }) => buffer.name === '#xr' && line.text === 'sent to the wrong room');

  await own.hover();
  await own.getByRole('button', { name: 'Delete this message from xr_a' }).click();
  const deleted = pageB.getByRole('log').locator('.line .redacted');
  await deleted.waitFor();
  assert.equal(await deleted.textContent(), 'message deleted');
  assert.equal(await lineOf(pageB, 'sent to the wrong room').count(), 0);
  await waitUntil(term, () => seen.line.redacted, 'the terminal to see it deleted');
  await pageA.close();
  await pageB.close();
});

test('one account on both nodes, both SCRAM: reading on A (node a) clears the unread count on B (node b)', { skip }, async () => {
  // An account made with REGISTER has its SCRAM verifier from the start.
  const reg = await a.register('xm_reg', ['draft/account-registration']);
  reg.send('REGISTER * * :across the nodes');
  await reg.waitFor((r) => r.msg.command === 'REGISTER' && r.msg.params[0] === 'SUCCESS');
  reg.send('QUIT');
  await reg.waitClose();

  const login = async (t: TestServer, nick: string): Promise<{ page: Page; sent: string[] }> => {
    const page = await chromium.browser.newPage({ viewport: { width: 1100, height: 720 } });
    const sent: string[] = [];
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload).trim())));
    await page.goto(webUrl(t));
    await page.getByLabel('Nickname').fill(nick);
    await page.getByLabel('Password (account or server)').fill('across the nodes');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('navigation').getByText('Logged in as xm_reg').waitFor();
    return { page, sent };
  };
  const onA = await login(a, 'xm_reg');
  const onB = await login(b, 'xm_reg');
  // Asked of node b: its own user's arrival came after a's in the log, so it has applied both.
  const nodesOfAccount = [...b.server.network.users.values()].filter((u) => u.account === 'xm_reg').map((u) => u.nodeId);
  assert.deepEqual(nodesOfAccount.sort(), ['a', 'b']);
  for (const { sent } of [onA, onB]) assert.deepEqual(sent.filter((l) => /^AUTHENTICATE (PLAIN|SCRAM-SHA-256)$/.test(l)), ['AUTHENTICATE SCRAM-SHA-256']);

  const badge = (page: Page) => page.locator('.sidebar .buffer').filter({ hasText: '#xm-news' }).locator('.badge');
  for (const { page } of [onA, onB]) {
    await joinRoomOn(page, '#xm-news');
    await joinRoomOn(page, '#xm-here');
    await page.getByRole('heading', { name: '#xm-here' }).waitFor();
  }
  // The terminal client's core on node b, logged in to the same account.
  const term = await startClient(b.port, 'xm_term', { sasl: { account: 'xm_reg', password: 'across the nodes' } });
  cores.push(term);
  for (const room of ['#xm-news', '#xm-here']) {
    term.input(`/join ${room}`);
    await waitUntil(term, () => term.model.find(room)?.joined, `the terminal in ${room}`);
  }
  term.select(term.model.find('#xm-here')!.key);
  const speaker = await b.register('xm_speaker');
  await join(speaker, 'xm_speaker', '#xm-news');
  speaker.send('PRIVMSG #xm-news :news from node b');
  for (const { page } of [onA, onB]) {
    await badge(page).waitFor();
    assert.equal(await badge(page).textContent(), '1');
  }
  const termNews = term.model.find('#xm-news')!;
  await waitUntil(term, () => termNews.unread === 1, 'one unread in the terminal');
  await onA.page.locator('.sidebar .buffer').filter({ hasText: '#xm-news' }).click();
  await onA.page.getByRole('log').getByText('news from node b').waitFor();
  await badge(onB.page).waitFor({ state: 'detached' });
  await waitUntil(term, () => termNews.unread === 0, 'the terminal to count it read');
  speaker.close();
  await onA.page.close();
  await onB.page.close();
});

test('A pastes a 3-line block, sent as one message: one 3-line message on B and in the terminal', { skip }, async () => {
  const pageA = await webOn(a, 'xl_a');
  const pageB = await webOn(b, 'xl_b');
  await joinRoomOn(pageA, '#xl');
  await joinRoomOn(pageB, '#xl');
  const term = await terminalIn(b, 'xl_term', '#xl');
  await member(pageA, '#xl', 'xl_term');

  const lines = ['one: 你好', 'two', 'three'];
  await pageA.evaluate(`{
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(lines.join('\n'))});
    document.getElementById('message-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }`);
  await pageA.getByRole('alertdialog', { name: 'Send pasted lines' }).getByRole('button', { name: 'Send as one message' }).click();

  const item = pageB.getByRole('log').locator('li.line-message', { hasText: 'one: 你好' });
  await item.waitFor();
  assert.equal((await item.locator('.text').innerText()).trim(), lines.join('\n'));
  assert.equal(await pageB.getByRole('log').locator('li.line-message', { hasText: 'three' }).count(), 1);
  const seen = await waitForLine(term, ({ buffer, line }) => buffer.name === '#xl' && line.kind === 'message' && line.from === 'xl_a');
  assert.equal(seen.line.text, lines.join('\n'));
  await pageA.close();
  await pageB.close();
});

test('a bot (+B) on node a speaks: B on node b and the terminal show it as a bot', { skip }, async () => {
  const bot = await a.register('xb_bot');
  bot.send('MODE xb_bot +B');
  await bot.waitFor(is('MODE', 'xb_bot', '+B'));
  const pageB = await webOn(b, 'xb_b');
  await joinRoomOn(pageB, '#xb');
  const term = await terminalIn(b, 'xb_term', '#xb');
  await join(bot, 'xb_bot', '#xb');
  await member(pageB, '#xb', 'xb_bot');

  bot.send('PRIVMSG #xb :beep from node a');
  const line = lineOf(pageB, 'beep from node a');
  await line.waitFor();
  assert.equal(await line.locator('.bot-badge').textContent(), 'bot');
  await pageB.getByRole('complementary', { name: /Members of #xb/ }).locator('li').filter({ hasText: 'xb_bot' }).locator('.bot-badge').waitFor();
  const seen = await waitForLine(term, ({ line }) => line.text === 'beep from node a');
  assert.equal(seen.line.bot, true);
  bot.close();
  await pageB.close();
});

test('a room op on node a sets +e for an account: a banned user on node b logged in to it can join; B reads the mode in words', { skip }, async () => {
  const pageA = await webOn(a, 'xe_op');
  await joinRoomOn(pageA, '#xe');
  const pageB = await webOn(b, 'xe_b');
  await joinRoomOn(pageB, '#xe');
  await member(pageA, '#xe', 'xe_b');
  await addAccount(b, 'xe_friend', 'pw-friend-1');

  await say(pageA, '/ban *!*@127.0.0.1');
  await pageB.getByRole('log').getByText('xe_op bans *!*@127.0.0.1', { exact: true }).waitFor();
  // Banned and not exempt: refused.
  const stranger = await b.register('xe_stranger');
  stranger.send('JOIN #xe');
  await stranger.waitFor(is('474', 'xe_stranger', '#xe'));

  await say(pageA, '/except $a:xe_friend');
  await pageB.getByRole('log').getByText("xe_op exempts anyone logged in as xe_friend from the room's bans").waitFor();
  const friend = await loginUser(b, 'xe_friend', 'xe_friend', 'pw-friend-1');
  await join(friend, 'xe_friend', '#xe');
  await pageB.getByRole('log').getByText('xe_friend joined').waitFor();
  stranger.close();
  friend.close();
  await pageA.close();
  await pageB.close();
});

test('B on node b in a private chat with a user on node a who sets AWAY: the header says away', { skip }, async () => {
  const far = await a.register('xq_far');
  const pageB = await webOn(b, 'xq_b');
  await say(pageB, '/query xq_far');
  await pageB.getByRole('heading', { name: 'xq_far' }).waitFor();
  const presence = pageB.locator('.topic-bar .presence');
  await presence.getByText('online').waitFor();
  far.send('AWAY :at lunch');
  await far.waitFor('306');
  await presence.getByText('away').waitFor();
  far.send('AWAY');
  await presence.getByText('online').waitFor();
  far.close();
  await presence.getByText('offline').waitFor();
  await pageB.close();
});
