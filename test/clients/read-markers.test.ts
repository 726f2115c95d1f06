// draft/read-marker in the shared client core (src/clients/read-markers.ts), against a scripted
// server: the cap is asked for, a MARKREAD from the server recounts a buffer's unread and
// mention counts (forward only), lines at or before the marker are not news, and the client
// says what the user read — the current buffer's newest line, only while `reading` — and asks
// for the markers of private buffers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcSession } from '../../src/clients/irc-session.ts';
import { FakeServer } from './fake-server.ts';

const iso = (s: number): string => new Date(Date.UTC(2024, 2, 1, 10, 0, s)).toISOString();

async function registered(offer: string, readMarkerIntervalMs = 0): Promise<{ s: IrcSession; script: FakeServer }> {
  const script = new FakeServer();
  const s = new IrcSession({ connect: script.connect, serverName: 'Parlor', address: 'test', nick: 'me', reconnect: false, readMarkerIntervalMs });
  s.start();
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  script.say(`:srv CAP * LS :${offer}`);
  const req = script.take().find((l) => l.startsWith('CAP REQ'))!;
  script.say(`:srv CAP me ACK :${req.slice('CAP REQ :'.length)}`);
  script.say(':srv 001 me :Welcome');
  script.take();
  return { s, script };
}

const msg = (room: string, from: string, second: number, text: string): string => `@time=${iso(second)};msgid=m${second} :${from}!u@h PRIVMSG ${room} :${text}`;

describe('read markers in the client core', () => {
  test('the server’s MARKREAD recounts unread and mentions, forward only', async () => {
    const { s, script } = await registered('server-time message-tags draft/read-marker');
    assert.ok(s.caps.has('draft/read-marker'));
    script.say(':me!u@h JOIN #a', `:srv MARKREAD #a *`, ':me!u@h JOIN #b', `:srv MARKREAD #b timestamp=${iso(0)}`);
    s.select('#a');
    script.take();
    script.say(msg('#b', 'bob', 1, 'one'), msg('#b', 'bob', 2, 'hey me'), msg('#b', 'bob', 3, 'three'));
    const b = s.model.find('#b')!;
    assert.deepEqual([b.unread, b.mentions], [3, 1]);
    script.say(`:srv MARKREAD #b timestamp=${iso(1)}`);
    assert.deepEqual([b.unread, b.mentions], [2, 1]);
    script.say(`:srv MARKREAD #b timestamp=${iso(0)}`);
    assert.deepEqual([b.unread, b.mentions], [2, 1]);
    script.say(`:srv MARKREAD #B timestamp=${iso(2)}`);
    assert.deepEqual([b.unread, b.mentions], [1, 0]);
    // A line from before the marker (history arriving late) is not news.
    script.say(msg('#b', 'bob', 2, 'late'));
    assert.equal(b.unread, 1);
    script.say(`:srv MARKREAD #b timestamp=${iso(3)}`);
    assert.deepEqual([b.unread, b.mentions], [0, 0]);
    // Reading elsewhere sends nothing from here: #b is not in view.
    assert.deepEqual(script.take(), []);
    await s.quit();
  });

  test('the buffer in view is marked read at its newest line, only while reading; private buffers ask for theirs', async () => {
    const { s, script } = await registered('server-time message-tags draft/read-marker');
    script.say(':me!u@h JOIN #a', `:srv MARKREAD #a *`, ':me!u@h JOIN #b', `:srv MARKREAD #b *`);
    s.select('#a');
    script.take();
    script.say(msg('#a', 'bob', 5, 'hello'));
    assert.deepEqual(script.take(), [`MARKREAD #a timestamp=${iso(5)}`]);
    // Its answer changes nothing more; nothing is sent twice.
    script.say(`:srv MARKREAD #a timestamp=${iso(5)}`);
    assert.deepEqual(script.take(), []);
    // The page is hidden: what arrives is not read.
    s.reading = false;
    script.say(msg('#a', 'bob', 6, 'unseen'));
    assert.deepEqual(script.take(), []);
    s.reading = true;
    s.markRead();
    assert.deepEqual(script.take(), [`MARKREAD #a timestamp=${iso(6)}`]);
    // Coming to #b reads it.
    script.say(msg('#b', 'bob', 7, 'over here'));
    assert.deepEqual(script.take(), []);
    s.select('#b');
    assert.deepEqual(script.take(), [`MARKREAD #b timestamp=${iso(7)}`]);
    // A private message opens a buffer: its marker is asked for, once.
    script.say(msg('me', 'carol', 8, 'psst'));
    assert.deepEqual(script.take(), ['MARKREAD carol']);
    script.say(`:srv MARKREAD carol timestamp=${iso(8)}`);
    assert.equal(s.model.find('carol')!.unread, 0);
    script.say(msg('me', 'carol', 9, 'again'));
    assert.deepEqual(script.take(), []);
    assert.equal(s.model.find('carol')!.unread, 1);
    await s.quit();
  });

  test('a busy room in view sends one marker at once, then the newest once the interval has passed', async () => {
    const { s, script } = await registered('server-time message-tags draft/read-marker', 200);
    script.say(':me!u@h JOIN #busy', `:srv MARKREAD #busy *`);
    script.take();
    script.say(msg('#busy', 'bob', 1, 'one'));
    assert.deepEqual(script.take(), [`MARKREAD #busy timestamp=${iso(1)}`]);
    const sentAt = Date.now();
    script.say(msg('#busy', 'bob', 2, 'two'), msg('#busy', 'bob', 3, 'three'));
    assert.deepEqual(script.take(), []);
    while (script.sent.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(Date.now() - sentAt >= 150);
    assert.deepEqual(script.take(), [`MARKREAD #busy timestamp=${iso(3)}`]);
    await s.quit();
  });

  test('without the capability nothing is sent', async () => {
    const { s, script } = await registered('server-time message-tags');
    script.say(':me!u@h JOIN #a');
    script.say(msg('#a', 'bob', 5, 'hello'), msg('me', 'carol', 6, 'psst'));
    assert.deepEqual(script.take(), []);
    await s.quit();
  });
});
