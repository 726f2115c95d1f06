// Lines refused before any command runs, over real sockets (issue 13, items 1–3): any word
// parses as a command and an unknown one gets 421 with its real name; every reply to a
// labelled line carries the label (421, parse errors, FAIL for bad bytes, 417), read from the
// refused line's tag section; client tag data over 4,094 bytes gets 417 and is not relayed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, linesSince } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const LABEL_CAPS = ['labeled-response', 'batch', 'message-tags'];

/** Sends PING and checks its PONG: the session still works. */
async function assertAlive(c: RawClient, token = 'alive'): Promise<void> {
  c.send(`PING :${token}`);
  const pong = await c.waitFor('PONG');
  assert.deepEqual(pong.msg.params, ['test.parlor', token]);
}

/** The one reply to what was just sent (everything before it handled), as the client got it. */
async function onlyReply(c: RawClient, send: () => void): Promise<Received> {
  const mark = c.received.length;
  send();
  const lines = await linesSince(c, mark);
  assert.equal(lines.length, 1, lines.map((r) => r.raw).join('\n'));
  return lines[0]!;
}

const lineWith = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('unknown commands and refused lines carry the label', () => {
  let t: TestServer;
  let c: RawClient;
  let plain: RawClient;
  before(async () => {
    t = await startServer();
    c = await t.register('lab', LABEL_CAPS);
    plain = await t.register('nolab', ['message-tags']);
  });
  after(() => t.close());

  test('@label=deadbeef NONEXISTENT_COMMAND gets 421 with the command and the label', async () => {
    const r = await onlyReply(c, () => c.send('@label=deadbeef NONEXISTENT_COMMAND'));
    assert.equal(r.msg.command, '421');
    assert.equal(r.msg.tags.label, 'deadbeef');
    assert.deepEqual(r.msg.params, ['lab', 'NONEXISTENT_COMMAND', 'Unknown command']);
  });

  test('FOO_BAR, lower case and with a label, is upper-cased in its 421', async () => {
    const r = await onlyReply(c, () => c.send('@label=fb foo_bar x y'));
    assert.equal(r.msg.tags.label, 'fb');
    assert.deepEqual(r.msg.params, ['lab', 'FOO_BAR', 'Unknown command']);
    const unlabelled = await onlyReply(c, () => c.send('FOO_BAR'));
    assert.deepEqual(unlabelled.msg.params, ['lab', 'FOO_BAR', 'Unknown command']);
    assert.equal(unlabelled.msg.tags.label, undefined);
  });

  test('a long command is shown cut to 32 characters', async () => {
    const r = await onlyReply(c, () => c.send(`@label=long ${'Ж'.repeat(100)}`));
    assert.equal(r.msg.tags.label, 'long');
    assert.deepEqual(r.msg.params, ['lab', 'Ж'.repeat(32), 'Unknown command']);
  });

  test('a word the parser refuses (digits that are no numeric) gets 421 with the word and the label', async () => {
    const r = await onlyReply(c, () => c.send('@label=n1 0001 x'));
    assert.equal(r.msg.command, '421');
    assert.equal(r.msg.tags.label, 'n1');
    assert.deepEqual(r.msg.params, ['lab', '0001', 'Unknown command']);
  });

  test('a parse error (bad tag key, no command) gets FAIL with the label', async () => {
    const badTag = await onlyReply(c, () => c.send('@bad_key=1;label=p1 PING x'));
    assert.equal(badTag.msg.command, 'FAIL');
    assert.equal(badTag.msg.tags.label, 'p1');
    assert.deepEqual(badTag.msg.params.slice(0, 2), ['*', 'INVALID_MESSAGE']);
    const noCommand = await onlyReply(c, () => c.send('@label=p2;a=1'));
    assert.equal(noCommand.msg.command, 'FAIL');
    assert.equal(noCommand.msg.tags.label, 'p2');
  });

  test('invalid UTF-8 gets FAIL * INVALID_UTF8 with the label', async () => {
    const r = await onlyReply(c, () => c.writeRaw(lineWith('@label=u1 PRIVMSG lab :bad ', [0xff, 0xfe, 0xc3], '\r\n')));
    assert.equal(r.msg.command, 'FAIL');
    assert.equal(r.msg.tags.label, 'u1');
    assert.deepEqual(r.msg.params.slice(0, 2), ['*', 'INVALID_UTF8']);
    await assertAlive(c);
  });

  test('a NUL byte and a bare CR get FAIL INVALID_CHARACTERS with the label', async () => {
    const nul = await onlyReply(c, () => c.writeRaw(lineWith('@label=z1 PING :a', [0], 'b\r\n')));
    assert.equal(nul.msg.tags.label, 'z1');
    assert.deepEqual(nul.msg.params.slice(0, 2), ['*', 'INVALID_CHARACTERS']);
    const cr = await onlyReply(c, () => c.writeRaw('@label=z2 PING :a\rb\r\n'));
    assert.equal(cr.msg.tags.label, 'z2');
    assert.deepEqual(cr.msg.params.slice(0, 2), ['*', 'INVALID_CHARACTERS']);
  });

  test('417 for a body over 510 bytes and for a line over the decoder limit, with the label', async () => {
    const body = await onlyReply(c, () => c.send(`@label=b1 PRIVMSG lab :${'x'.repeat(600)}`));
    assert.equal(body.msg.command, '417');
    assert.equal(body.msg.tags.label, 'b1');
    assert.deepEqual(body.msg.params, ['lab', 'Input line was too long']);
    const huge = await onlyReply(c, () => c.send(`@label=b2 PRIVMSG lab :${'y'.repeat(20_000)}`));
    assert.equal(huge.msg.command, '417');
    assert.equal(huge.msg.tags.label, 'b2');
    await assertAlive(c);
  });

  test('a label over 64 bytes (labeled-response) is not recovered from a refused line', async () => {
    const r = await onlyReply(c, () => c.send(`@label=${'q'.repeat(65)} 0001`));
    assert.equal(r.msg.command, '421');
    assert.equal(r.msg.tags.label, undefined);
  });

  test('an empty or over-long label on a command that runs is no label either: no empty label tag comes back', async () => {
    for (const tags of ['label=', 'label', `label=${'q'.repeat(65)}`]) {
      for (const command of ['NONEXISTENT', 'TIME']) {
        const r = await onlyReply(c, () => c.send(`@${tags} ${command}`));
        assert.ok(!('label' in r.msg.tags), `@${tags} ${command} → ${r.raw}`);
        assert.ok(!r.raw.startsWith('@label'), r.raw);
      }
    }
  });

  test('without labeled-response the same refusals carry no label', async () => {
    const unknown = await onlyReply(plain, () => plain.send('@label=deadbeef NONEXISTENT_COMMAND'));
    assert.deepEqual(unknown.msg.params, ['nolab', 'NONEXISTENT_COMMAND', 'Unknown command']);
    assert.equal(unknown.msg.tags.label, undefined);
    const bytes = await onlyReply(plain, () => plain.writeRaw(lineWith('@label=u1 PING :', [0xff], '\r\n')));
    assert.deepEqual(bytes.msg.params.slice(0, 2), ['*', 'INVALID_UTF8']);
    assert.equal(bytes.msg.tags.label, undefined);
  });
});

describe('client tag data is held to 4,094 bytes (IRCv3 message-tags)', () => {
  let t: TestServer;
  let sender: RawClient;
  let receiver: RawClient;
  before(async () => {
    t = await startServer();
    sender = await t.register('tagger', LABEL_CAPS);
    receiver = await t.register('reader', ['message-tags']);
    await joinAll('#tags', sender, receiver);
  });
  after(() => t.close());

  /** Client tags (`label` first when given) whose tag data, between '@' and the space, is `bytes` long. */
  const tagsOf = (bytes: number, label?: string): string => {
    const head = label === undefined ? '+big=' : `label=${label};+big=`;
    return head + 'v'.repeat(bytes - head.length);
  };

  test('4,094 bytes are accepted and relayed', async () => {
    const tags = tagsOf(4094);
    assert.equal(Buffer.byteLength(tags), 4094);
    const mark = receiver.received.length;
    sender.send(`@${tags} PRIVMSG #tags :fits`);
    const got = await receiver.waitFor('PRIVMSG');
    assert.equal(got.msg.params[1], 'fits');
    assert.equal(got.msg.tags['+big'], 'v'.repeat(4094 - '+big='.length));
    assert.equal(receiver.since(mark).length, 1);
    await sender.sync();
    assert.ok(!sender.drain().some((r) => r.msg.command === '417'));
  });

  test('4,095 bytes get 417 (labelled), are not relayed, and the client stays connected', async () => {
    const tags = tagsOf(4095, 'big1');
    assert.equal(Buffer.byteLength(tags), 4095);
    const receiverMark = receiver.received.length;
    const r = await onlyReply(sender, () => sender.send(`@${tags} PRIVMSG #tags :too much`));
    assert.equal(r.msg.command, '417');
    assert.equal(r.msg.tags.label, 'big1');
    assert.deepEqual(r.msg.params, ['tagger', 'Input line was too long']);
    assert.deepEqual(await linesSince(receiver, receiverMark), [], 'nothing relayed');
    await assertAlive(sender);
    // The same without a label: 417 all the same.
    const unlabelled = await onlyReply(sender, () => sender.send(`@${tagsOf(4095)} TAGMSG #tags`));
    assert.equal(unlabelled.msg.command, '417');
    assert.deepEqual(await linesSince(receiver, receiverMark), []);
  });

  test('the limit is limits.clientTagBytes, checked however long lineBytes allows a line to be', async () => {
    const small = await startServer({ limits: { clientTagBytes: 1000, lineBytes: 16_384 } });
    try {
      const c = await small.register('small', LABEL_CAPS);
      const fits = await onlyReply(c, () => c.send(`@${tagsOf(1000, 's1')} PING :ok`));
      assert.equal(fits.msg.command, 'PONG');
      const over = await onlyReply(c, () => c.send(`@${tagsOf(1001, 's2')} PING :no`));
      assert.equal(over.msg.command, '417');
      assert.equal(over.msg.tags.label, 's2');
    } finally {
      await small.close();
    }
  });
});
