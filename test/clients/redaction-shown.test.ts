// What a deleted message shows, and deleting a multi-line one (IRCv3 message-redaction with
// multiline): the spec asks clients to keep deletions accountable, so a line deleted by someone
// other than its sender says who (a room operator), and any reason given, in English and in
// Chinese, without IRC formatting; a multi-line message is one msgid, so deleting it removes the
// whole message in the client core, from history, and (by the msgid on its first line) for a
// client without multiline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcSession } from '../../src/clients/irc-session.ts';
import { lineText } from '../../src/clients/format.ts';
import { lineSegments } from '../../src/clients/terminal/message-rows.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { joinAll, until } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { FakeServer } from './fake-server.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from './helpers.ts';

const zh = { t: createTranslator('zh-CN').t, dateLocale: 'zh-CN' };

describe('a deleted line says who deleted it and why', () => {
  test('scripted server: by a room operator with a reason, by the sender with one, by the sender without; formatting dropped', async () => {
    const script = new FakeServer();
    const s = new IrcSession({ connect: script.connect, serverName: 'Parlor', address: 'test', nick: 'me', reconnect: false });
    s.start();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    script.say(':srv CAP * LS :message-tags server-time draft/message-redaction');
    script.say(':srv CAP me ACK :message-tags server-time draft/message-redaction');
    script.say(':srv 001 me :Welcome', ':srv 422 me :No MOTD');
    script.say(':me!m@h JOIN #r');
    script.say('@msgid=a1 :bob!b@h PRIVMSG #r :buy watches', '@msgid=a2 :bob!b@h PRIVMSG #r :tpyo', '@msgid=a3 :bob!b@h PRIVMSG #r :oops');
    const lines = s.model.find('#r')!.lines;
    const line = (id: string) => lines.find((l) => l.msgid === id)!;

    script.say(':op!o@h REDACT #r a1 :\x02spam\x02 \x0304again');
    assert.equal(line('a1').redactedBy, 'op');
    assert.equal(lineText(line('a1')).text, 'message deleted by op: spam again');
    assert.equal(lineText(line('a1'), zh).text, '消息已被 op 删除：spam again');
    assert.equal(lineSegments(line('a1')).map((seg) => seg.text).join(''), '<bob> message deleted by op: spam again');

    script.say(':BOB!b@h REDACT #r a2 :typo');
    assert.equal(line('a2').redactedBy, undefined, 'the sender, whatever the case of the nick');
    assert.equal(lineText(line('a2')).text, 'message deleted: typo');
    assert.equal(lineText(line('a2'), zh).text, '消息已删除：typo');

    script.say(':bob!b@h REDACT #r a3 :   ');
    assert.equal(lineText(line('a3')).text, 'message deleted', 'a blank reason is no reason');
    await s.quit();
  });
});

describe('deleting a multi-line message', () => {
  let t: TestServer;
  const store = new MemoryStore();
  before(async () => {
    t = await startServer({}, { store });
  });
  after(() => t.close());

  test('the sender deletes a multi-line message: gone whole in the other core and in history; a client without multiline gets the msgid of its first line', async () => {
    const alice = await startClient(t.port, 'alice');
    const bob = await startClient(t.port, 'bob');
    const raw = await t.register('raw', ['message-tags', 'draft/message-redaction', 'batch', 'draft/chathistory']);
    for (const c of [alice, bob]) {
      c.input('/join #mlr');
      await waitUntil(c, () => c.model.find('#mlr')?.joined, 'joined #mlr');
    }
    await joinAll('#mlr', raw);
    await waitUntil(alice, () => alice.model.find('#mlr')?.members.has('raw'), 'raw seen by alice');
    const text = 'line one\nline two\nline three';
    const mark = lastLineId(bob);
    alice.model.select('#mlr');
    alice.say('#mlr', text);
    const seen = await waitForLine(bob, (x) => x.buffer.name === '#mlr' && x.line.kind === 'message', mark);
    assert.equal(seen.line.text, text);
    const first = await raw.waitFor('PRIVMSG');
    assert.equal(first.msg.tags.msgid, seen.line.msgid, 'the msgid on the first fallback line');
    await waitForLine(alice, (x) => x.line.self === true && x.line.msgid === seen.line.msgid);

    alice.input('/delete');
    await waitUntil(bob, () => seen.line.redacted, 'bob to see it deleted');
    assert.equal(lineText(seen.line).text, 'message deleted');
    const redact = await raw.waitFor('REDACT');
    assert.deepEqual(redact.msg.params, ['#mlr', seen.line.msgid]);

    await store.flush();
    raw.send('CHATHISTORY LATEST #mlr * 10');
    const open = await raw.waitFor((r) => r.msg.command === 'BATCH' && r.msg.params[1] === 'chathistory');
    const rest = await until(raw, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${open.msg.params[0]!.slice(1)}`);
    assert.deepEqual(rest.filter((r) => r.msg.command === 'PRIVMSG'), [], 'history no longer has any of its lines');
    for (const c of [alice, bob]) await c.quit();
  });
});
