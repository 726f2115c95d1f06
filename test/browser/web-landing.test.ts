// Arriving in the web client: the user lands in the server's default room (plainText.defaultRoom,
// read from /client-settings.json) with one friendly line, and the raw welcome burst (server
// details, user counts, MOTD) is folded away in the server view. IRC clients are not moved.
// A landing room that refuses them (ban, +i…) leaves them greeted in the server view instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { join } from '../helpers/irc.ts';
import { browserFixture, browserSkip, webUrl } from '../helpers/browser.ts';
import { connectWeb, say } from '../helpers/web-chat.ts';

const skip = browserSkip;

const web = browserFixture({ plainText: { defaultRoom: '#welcome' } });

const connect = (s: TestServer, nick: string) => connectWeb(web.browser, webUrl(s), nick);

test('a web user lands in the default room with one welcome line; the raw welcome is folded away', { skip }, async () => {
  const page = await connect(web.server, 'lander');
  const log = page.getByRole('log');
  await log.getByText('Welcome to').waitFor();
  assert.match((await page.locator('[aria-current="page"]').textContent()) ?? '', /^#welcome/);
  assert.match((await log.getByText('Welcome to').textContent()) ?? '', /lander!.*You are in #welcome/);
  assert.equal(await log.getByText('Welcome to').count(), 1, 'one welcome line');
  assert.ok(web.parlor.network.channel('#welcome')?.members.has(web.parlor.network.userByNick('lander')!));

  // The server view: the burst is there, folded.
  await page.locator('.buffer-server').click();
  const details = page.locator('.server-details');
  await details.getByText(/Server details/).waitFor();
  const rawLine = page.getByText(/^There are \d+ users/);
  assert.equal(await rawLine.isVisible(), false, 'user counts folded away');
  await details.locator('summary').click();
  await rawLine.waitFor();
  await page.close();
});

test('a user who asks for a room before landing is not taken to the default room as well', { skip }, async () => {
  const page = await web.newPage({ viewport: { width: 1100, height: 720 } });
  // The settings are held back until the user has joined a room of their own.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/client-settings.json', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(web.url);
  await page.getByLabel('Nickname').fill('chooser');
  await page.getByRole('button', { name: 'Connect' }).click();
  await say(page, '/join #mine');
  await page.getByRole('navigation').getByText('#mine').waitFor();
  release();
  await page.locator('.buffer-server').click();
  await page.getByRole('log').getByText('Welcome to').waitFor();
  // A second room: once it is listed, any landing JOIN sent before it has been answered too.
  await say(page, '/join #mine2');
  await page.getByRole('navigation').getByText('#mine2').waitFor();
  const joined = [...web.parlor.network.userByNick('chooser')!.joined].map((c) => c.name).sort();
  assert.deepEqual(joined, ['#mine', '#mine2']);
  assert.equal(await page.getByRole('navigation').getByText('#welcome').count(), 0);
  await page.close();
});

test('without a default room the user stays in the server view, greeted there; IRC clients are not moved', { skip }, async () => {
  const bare = await startServer({ web: { enabled: true, port: 0 }, plainText: { defaultRoom: '' } });
  try {
    const settings = (await (await fetch(`${webUrl(bare)}client-settings.json`)).json()) as unknown;
    assert.deepEqual(settings, { defaultRoom: '', unicodeNicks: false });
    const page = await connect(bare, 'roamer');
    await page.getByRole('log').getByText('Welcome to').waitFor();
    assert.equal(await page.locator('.buffer.current').getAttribute('class').then((c) => c?.includes('buffer-server')), true);
    assert.equal(await page.locator('.buffer-room').count(), 0);
    await page.close();

    const irc = await web.server.register('ircuser');
    await irc.sync();
    assert.equal(web.parlor.network.userByNick('ircuser')!.joined.size, 0);
    irc.send('QUIT');
    await irc.waitClose();
  } finally {
    await bare.close();
  }
});

test('a landing room that refuses the user (banned): its reason, then the greeting in the server view', { skip }, async () => {
  const guarded = await startServer({ web: { enabled: true, port: 0 }, plainText: { defaultRoom: '#guarded' } });
  try {
    const keeper = await guarded.register('keeper');
    await join(keeper, 'keeper', '#guarded');
    keeper.send('MODE #guarded +b refused!*@*');
    await keeper.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+b');
    const page = await connect(guarded, 'refused');
    const log = page.getByRole('log');
    await log.getByText('did not let you in').waitFor();
    const texts = await log.locator('.line').allTextContents();
    const refusal = texts.findIndex((line) => /#guarded: Cannot join channel \(\+b\)/.test(line));
    const greeting = texts.findIndex((line) => /Welcome to .*refused!.*#guarded did not let you in/.test(line));
    assert.ok(refusal >= 0, `the server's reason is shown: ${texts.join(' | ')}`);
    assert.ok(greeting > refusal, 'the greeting follows the reason');
    assert.equal(await log.getByText('Welcome to').count(), 1, 'one welcome line');
    assert.equal(await page.locator('.buffer.current').getAttribute('class').then((c) => c?.includes('buffer-server')), true);
    assert.equal(await page.getByRole('navigation').getByText('#guarded').count(), 0);
    await page.close();
    keeper.close();
  } finally {
    await guarded.close();
  }
});
