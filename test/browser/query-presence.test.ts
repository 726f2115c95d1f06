// A private conversation in the web client says whether its person is online, away or offline
// (MONITOR with extended-monitor: no room shared), between two browser users and between a
// browser user and the terminal client's core. Skipped without Chromium or a build.
import { after, test } from 'node:test';
import type { IrcClient } from '../../src/clients/irc-client.ts';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, say } from '../helpers/web-chat.ts';
import { startClient, waitUntil } from '../clients/helpers.ts';

const skip = browserSkip;
const web = browserFixture();
const cores: IrcClient[] = [];
after(async () => {
  await Promise.all(cores.map((c) => c.quit()));
});

test('the query header shows the partner online, away, back and offline', { skip }, async () => {
  const a = await connectWeb(web.browser, web.url, 'pres-a');
  const b = await connectWeb(web.browser, web.url, 'pres-b');
  await say(a, '/query pres-b');
  const presence = a.locator('.topic-bar .presence');
  await a.getByRole('heading', { name: 'pres-b' }).waitFor();
  await presence.getByText('online').waitFor();

  await say(b, '/away lunch');
  await presence.getByText('away').waitFor();
  await say(b, '/away');
  await presence.getByText('online').waitFor();

  // The terminal client's core, in a query with the browser user, sees the same.
  const term = await startClient(web.server.port, 'pres-term');
  cores.push(term);
  term.input('/query pres-a');
  const query = term.model.find('pres-a')!;
  await waitUntil(term, () => query.presence === 'online', 'pres-a online for the terminal client');
  await say(a, '/away in a meeting');
  await waitUntil(term, () => query.presence === 'away', 'pres-a away for the terminal client');

  await b.close();
  await presence.getByText('offline').waitFor();
  await a.close();
});

test('a partner who is away already shows as away on opening the query (web and terminal partners)', { skip }, async () => {
  // A web partner, away before anyone opens a query with them.
  const b = await connectWeb(web.browser, web.url, 'pres-gone');
  await say(b, '/away 吃饭去了');
  await b.getByRole('log').getByText(/away/i).first().waitFor();
  // A terminal partner, away too.
  const term = await startClient(web.server.port, 'pres-tgone');
  cores.push(term);
  term.input('/away back soon');
  await waitUntil(term, () => term.model.server.lines.some((l) => l.text.includes('away')), 'the terminal partner away');

  const a = await connectWeb(web.browser, web.url, 'pres-opener');
  const presence = a.locator('.topic-bar .presence');
  await say(a, '/query pres-gone');
  await a.getByRole('heading', { name: 'pres-gone' }).waitFor();
  await presence.getByText('away').waitFor();
  await say(a, '/query pres-tgone');
  await a.getByRole('heading', { name: 'pres-tgone' }).waitFor();
  await presence.getByText('away').waitFor();
  await a.close();
  await b.close();
});
