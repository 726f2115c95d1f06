// Deleting messages in the client core (src/clients/redaction.ts), as `parlor chat` uses it:
// against a real Parlor, `/delete` removes the user's last message for another terminal client
// (the line reads "<nick> message deleted", in Chinese "消息已删除") while a plain IRC client
// without the capability sees nothing; against a scripted server, a REDACT for an unknown
// msgid is ignored, a private one finds the sender's query, and `/delete` says why it cannot.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcSession } from '../../src/clients/irc-session.ts';
import { lineText, plainLine } from '../../src/clients/format.ts';
import { lineSegments } from '../../src/clients/terminal/message-rows.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { FakeServer } from './fake-server.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from './helpers.ts';

describe('deleting messages in the client core', () => {
  let t: TestServer;
  after(() => t?.close());

  test('terminal ↔ terminal: /delete removes the last own message for both; a client without the capability sees nothing', async () => {
    t = await startServer();
    const plain = await t.register('plain');
    plain.send('JOIN #r');
    await plain.waitFor('366');
    const alice = await startClient(t.port, 'alice');
    const bob = await startClient(t.port, 'bob');
    assert.ok(alice.caps.has('draft/message-redaction'), 'the core asks for the capability');
    for (const c of [alice, bob]) {
      c.input('/join #r');
      await waitUntil(c, () => c.model.find('#r')?.joined, 'joined #r');
    }
    alice.model.select(alice.model.find('#r')!.key);
    alice.input('first, stays');
    alice.input('second, oops');
    const seen = await waitForLine(bob, ({ line }) => line.text === 'second, oops');
    // The echo gives alice's own line its msgid.
    await waitForLine(alice, ({ line }) => line.text === 'second, oops' && line.self === true && line.msgid !== undefined);
    await plain.waitFor((r) => r.msg.params[1] === 'second, oops');
    const mark = plain.received.length;
    alice.input('/delete');
    await waitUntil(bob, () => seen.line.redacted, 'bob to see the line deleted');
    const own = alice.model.find('#r')!.lines.find((l) => l.msgid === seen.line.msgid)!;
    await waitUntil(alice, () => own.redacted, "alice's own line deleted");
    assert.equal(seen.line.text, '');
    assert.ok(plainLine(seen.buffer, seen.line).endsWith('#r <alice> message deleted'));
    const segments = lineSegments(seen.line);
    assert.equal(segments.map((s) => s.text).join(''), '<alice> message deleted');
    assert.equal(segments.at(-1)!.dim, true);
    assert.equal(lineText(seen.line, { t: createTranslator('zh-CN').t, dateLocale: 'zh-CN' }).text, '消息已删除');
    assert.ok(bob.model.find('#r')!.lines.some((l) => l.text === 'first, stays' && !l.redacted));
    await plain.sync();
    assert.deepEqual(plain.since(mark).filter((r) => r.msg.command === 'REDACT'), []);
    // Again: the first one goes; then there is nothing left to delete.
    alice.input('/delete');
    for (const c of [alice, bob]) await waitUntil(c, () => c.model.find('#r')!.lines.filter((l) => l.redacted).length === 2, 'both deleted');
    const before = lastLineId(alice);
    alice.input('/delete');
    const note = await waitForLine(alice, ({ line }) => line.kind === 'error', before);
    assert.equal(note.line.text, 'You have no message here that could be deleted.');
    for (const c of [alice, bob]) await c.quit();
  });

  test('scripted server: an unknown msgid is ignored, a private REDACT finds the query, /delete without the capability says so', async () => {
    const script = new FakeServer();
    const s = new IrcSession({ connect: script.connect, serverName: 'Parlor', address: 'test', nick: 'me', reconnect: false });
    s.start();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    script.say(':srv CAP * LS :message-tags server-time');
    script.say(':srv CAP me ACK :message-tags server-time');
    script.say(':srv 001 me :Welcome', ':srv 422 me :No MOTD');
    script.say('@msgid=p1 :bob!b@h PRIVMSG me :psst');
    const query = s.model.find('bob')!;
    const version = s.model.version;
    script.say(':bob!b@h REDACT me nope :whatever');
    assert.equal(s.model.version, version, 'nothing changed');
    script.say(':bob!b@h REDACT me p1');
    assert.equal(query.lines.find((l) => l.msgid === 'p1')?.redacted, true);
    s.input('/delete', { target: 'bob', chanTypes: '#' });
    assert.equal(s.model.current.lines.at(-1)?.text, 'This server cannot delete messages.');
    await s.quit();
  });
});
