// IRCv3 multiline between Parlor's own clients (the shared core, as `parlor chat` runs it)
// and a plain IRC client, over real sockets: the core asks for draft/multiline, sends a
// multi-line input as one batch (long lines cut into concat lines), shows a received batch as
// ONE line with its line breaks, and a chathistory batch holding a multiline batch too; the
// terminal lays each line of it out on rows of its own; a client without the capability gets
// the lines; without the capability on the server, the core sends the lines one by one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineRows } from '../../src/clients/terminal/message-rows.ts';
import { MultilineAssembler, multilineBatch } from '../../src/clients/multiline.ts';
import { parseLine } from '../../src/protocol/message.ts';
import { joinAll, mask } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { lastLineId, startClient, waitForLine, waitUntil } from '../clients/helpers.ts';

describe('multi-line messages between the client core and others', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('a typed block goes as one batch; the other core shows one line with its breaks; a plain client gets the lines', async () => {
    const alice = await startClient(t.port, 'alice');
    const bob = await startClient(t.port, 'bob');
    assert.ok(alice.caps.has('draft/multiline'), 'the core asks for the capability');
    const plain = await t.register('plain');
    alice.input('/join #ml');
    bob.input('/join #ml');
    await waitUntil(bob, () => bob.model.find('#ml')?.joined, 'bob in #ml');
    await joinAll('#ml', plain);
    await waitUntil(alice, () => alice.model.find('#ml')?.members.has('plain'), 'plain seen by alice');

    // A long Chinese paragraph (more than a line's bytes) and a blank line between.
    const paragraph = '这是一段很长的中文段落，用来检查多行消息。'.repeat(12);
    const text = `first line\n\n${paragraph}\nlast`;
    const mark = lastLineId(bob);
    alice.model.select('#ml');
    alice.say('#ml', text);
    const seen = await waitForLine(bob, (s) => s.buffer.name === '#ml' && s.line.kind === 'message', mark);
    assert.equal(seen.line.text, text);
    assert.equal(seen.line.from, 'alice');
    // The echo shows it once, whole, on alice's side too.
    const echo = await waitForLine(alice, (s) => s.buffer.name === '#ml' && s.line.self === true && s.line.kind === 'message');
    assert.equal(echo.line.text, text);

    const got = [];
    for (let i = 0; i < 4; i++) got.push(await plain.waitFor('PRIVMSG'));
    assert.equal(got[0]!.msg.params[1], 'first line');
    assert.equal(got[1]!.msg.params[1]! + got[2]!.msg.params[1]!, paragraph, 'the paragraph in two lines, nothing lost');
    assert.equal(got[3]!.msg.params[1], 'last');
    assert.ok(got.every((r) => r.msg.source === mask('alice')));

    // The terminal: each line on rows of its own, the paragraph wrapped; the blank line kept.
    const rows = lineRows(seen.line, 40).map((row) => row.map((s) => s.text).join(''));
    assert.match(rows[0]!, /<alice> first line$/);
    assert.equal(rows[1]!.trim(), '');
    assert.ok(rows[2]!.includes('这是一段'), rows[2]);
    assert.ok(rows.length > 5, 'the paragraph wraps');
    assert.match(rows.at(-1)!, /^ +last$/);
    await alice.quit('done');
    await bob.quit('done');
    plain.close();
  });

  test('a batch from a plain IRC client shows in the core as one line, with its msgid', async () => {
    const carol = await startClient(t.port, 'carol', { caps: ['draft/chathistory'] });
    const raw = await t.register('rawml', ['batch', 'draft/multiline', 'message-tags']);
    carol.input('/join #hist');
    await waitUntil(carol, () => carol.model.find('#hist')?.joined, 'carol in #hist');
    await joinAll('#hist', raw);
    const mark = lastLineId(carol);
    raw.send('BATCH +z draft/multiline #hist', '@batch=z PRIVMSG #hist :one', '@batch=z PRIVMSG #hist :two', 'BATCH -z');
    const seen = await waitForLine(carol, (s) => s.line.kind === 'message' && s.buffer.name === '#hist', mark);
    assert.equal(seen.line.text, 'one\ntwo');
    assert.ok(seen.line.msgid);
    await carol.quit('done');
  });
});

describe('the core without multiline on the server, and its batch assembly', () => {
  test('without draft/multiline offered, a block goes line by line, blank lines left out', async () => {
    const t = await startServer();
    try {
      const plain = await t.register('watch');
      const dave = await startClient(t.port, 'dave');
      // Turn the capability off as a server without it would be.
      dave.send('CAP REQ :-draft/multiline');
      // The reply to a later command comes after the ACK.
      const mark = lastLineId(dave);
      dave.input('/whois dave');
      await waitForLine(dave, (s) => s.line.text.includes('End of'), mark);
      assert.ok(!dave.caps.has('draft/multiline'));
      dave.say('watch', 'a\n\nb');
      assert.equal((await plain.waitFor('PRIVMSG')).msg.params[1], 'a');
      assert.equal((await plain.waitFor('PRIVMSG')).msg.params[1], 'b');
      await dave.quit('done');
    } finally {
      await t.close();
    }
  });

  test('the assembler hands on one message with the opening line\'s tags, concat lines joined; the batch builder keeps to the limits', () => {
    const a = new MultilineAssembler();
    const lines = ['@msgid=m1;batch=outer :n!u@h BATCH +r draft/multiline #c', '@batch=r :n!u@h PRIVMSG #c :how is ', '@batch=r;draft/multiline-concat :n!u@h PRIVMSG #c :everyone?', '@batch=r :n!u@h PRIVMSG #c :', ':n!u@h BATCH -r'];
    const out = lines.map((l) => a.take(parseLine(l)));
    assert.deepEqual(out.slice(0, 4), [undefined, undefined, undefined, undefined]);
    assert.deepEqual(out[4], { tags: { msgid: 'm1', batch: 'outer' }, source: 'n!u@h', command: 'PRIVMSG', params: ['#c', 'how is everyone?\n'] });
    assert.equal(a.take(parseLine('@batch=other PRIVMSG #c :x'))?.params[1], 'x', 'other batches pass through');
    assert.deepEqual(multilineBatch('PRIVMSG', '#c', ['a', 'b'], 'max-bytes=4096,max-lines=24', 400, 'q'), ['BATCH +q draft/multiline #c', '@batch=q PRIVMSG #c :a', '@batch=q PRIVMSG #c :b', 'BATCH -q']);
    assert.equal(multilineBatch('PRIVMSG', '#c', ['a', 'b', 'c'], 'max-bytes=4096,max-lines=2', 400, 'q'), undefined);
    assert.equal(multilineBatch('PRIVMSG', '#c', ['abc', 'de'], 'max-bytes=5', 400, 'q'), undefined);
    assert.equal(multilineBatch('PRIVMSG', '#c', ['a', 'b'], undefined, 400, 'q'), undefined);
  });
});
