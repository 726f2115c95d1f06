// A message to oneself, over real sockets (issue 13, item 4). With echo-message it arrives
// twice, as the specs say: the echo (the reply to the sender, labelled with labeled-response)
// and the delivery to the recipient, who is the sender (never labelled). Without echo-message
// it arrives once, as the delivery. Private history keeps it once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { linesSince, mask, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** The line without its tag section. */
const body = (r: Received): string => (r.raw.startsWith('@') ? r.raw.slice(r.raw.indexOf(' ') + 1) : r.raw);

/** Everything the client is sent for `line` (handled before the sync PONG). */
async function repliesTo(c: RawClient, line: string): Promise<Received[]> {
  const mark = c.received.length;
  c.send(line);
  return linesSince(c, mark);
}

describe('a message to oneself', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('echo-message + labeled-response: the labelled echo and the unlabelled delivery, one msgid', async () => {
    const me = await t.register('selfie', ['echo-message', 'labeled-response', 'batch', 'message-tags']);
    for (const [command, line] of [
      ['PRIVMSG', `:${mask('selfie')} PRIVMSG selfie :note to self`],
      ['NOTICE', `:${mask('selfie')} NOTICE selfie :note to self`],
    ] as const) {
      const got = await repliesTo(me, `@label=s-${command} ${command} selfie :note to self`);
      assert.deepEqual(got.map(body), [line, line], got.map((r) => r.raw).join('\n'));
      const labelled = got.filter((r) => r.msg.tags.label !== undefined);
      assert.equal(labelled.length, 1, 'the echo alone carries the label');
      assert.equal(labelled[0]!.msg.tags.label, `s-${command}`);
      assert.equal(got[0]!.msg.tags.msgid, got[1]!.msg.tags.msgid);
      assert.ok(got[0]!.msg.tags.msgid);
    }
    const tagmsg = await repliesTo(me, '@label=s-tag;+typing=active TAGMSG selfie');
    assert.deepEqual(tagmsg.map(body), [`:${mask('selfie')} TAGMSG selfie`, `:${mask('selfie')} TAGMSG selfie`]);
    assert.deepEqual(tagmsg.map((r) => r.msg.tags.label).filter((l) => l !== undefined), ['s-tag']);
    for (const r of tagmsg) assert.equal(r.msg.tags['+typing'], 'active');
  });

  test('echo-message without labels: twice, alike', async () => {
    const me = await t.register('echoer', ['echo-message', 'message-tags']);
    const got = await repliesTo(me, 'PRIVMSG echoer :twice over');
    assert.deepEqual(got.map(body), [`:${mask('echoer')} PRIVMSG echoer :twice over`, `:${mask('echoer')} PRIVMSG echoer :twice over`]);
  });

  test('without echo-message: once, the delivery (a label gets it, as the only reply)', async () => {
    const me = await t.register('plainself', ['labeled-response', 'batch']);
    const got = await repliesTo(me, 'PRIVMSG plainself :just once');
    assert.deepEqual(got.map((r) => r.raw), [`:${mask('plainself')} PRIVMSG plainself :just once`]);
    // The delivery is no response: the label goes on an ACK instead.
    const labelled = await repliesTo(me, '@label=p1 PRIVMSG plainself :once more');
    assert.deepEqual(labelled.map(body), [`:${mask('plainself')} PRIVMSG plainself :once more`, ':test.parlor ACK']);
    assert.equal(labelled[0]!.msg.tags.label, undefined);
    assert.equal(labelled[1]!.msg.tags.label, 'p1');
  });
});

describe('private history keeps a message to oneself once', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ history: { enabled: true } });
    await addAccount(t, 'diarist', 'pass phrase one');
  });
  after(() => t.close());

  test('CHATHISTORY LATEST on one\'s own nick', async () => {
    const caps = ['batch', 'draft/chathistory', 'echo-message', 'labeled-response', 'message-tags', 'server-time'];
    const me = await loginUser(t, 'diarist', 'diarist', 'pass phrase one', caps);
    const sent = await repliesTo(me, '@label=d1 PRIVMSG diarist :dear diary');
    assert.equal(sent.filter((r) => r.msg.command === 'PRIVMSG').length, 2);
    me.send('CHATHISTORY LATEST diarist * 100');
    const open = await me.waitFor('BATCH');
    const lines = (await until(me, (r) => r.msg.command === 'BATCH')).slice(0, -1);
    assert.equal(open.msg.params[1], 'chathistory');
    assert.deepEqual(
      lines.map((r) => r.msg.params[1]),
      ['dear diary'],
      lines.map((r) => r.raw).join('\n'),
    );
    assert.equal(lines[0]!.msg.tags.msgid, sent[0]!.msg.tags.msgid);
  });
});
