// `/names` in the web client: the member lists asked for show in the conversation where the
// command was typed, one line per room (rooms the user is in included), not swallowed as a
// member-list refresh. Skipped without Chromium or a build.
import { test } from 'node:test';
import { browserFixture, browserSkip } from '../helpers/browser.ts';
import { connectWeb, joinRoomOn, say } from '../helpers/web-chat.ts';

const skip = browserSkip;
const web = browserFixture();

test('/names #a,#b typed in a third room lists both rooms there', { skip }, async () => {
  const alice = await connectWeb(web.browser, web.url, 'nw-alice');
  await joinRoomOn(alice, '#nwlobby');
  await joinRoomOn(alice, '#nwclub');
  const bob = await connectWeb(web.browser, web.url, 'nw-bob');
  await joinRoomOn(bob, '#nwlobby');
  await joinRoomOn(bob, '#nwclub');
  await joinRoomOn(bob, '#nwtclub');
  await bob.getByRole('heading', { name: '#nwtclub' }).waitFor();
  await say(bob, '/names #nwlobby,#nwclub');
  const log = bob.getByRole('log');
  await log.getByText('#nwlobby: 2 people: @nw-alice nw-bob').waitFor();
  await log.getByText('#nwclub: 2 people: @nw-alice nw-bob').waitFor();
  await say(bob, '/names #nwlobby');
  await log.getByText('#nwlobby: 2 people: @nw-alice nw-bob').nth(1).waitFor();
  await alice.close();
  await bob.close();
});
