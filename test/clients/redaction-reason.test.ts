// `/delete [n] [reason]` in the client core (`parlor chat`): a first word of digits is n,
// anything else is the reason, which goes in the REDACT on one line and reaches the others
// ("message deleted: wrong room"); the help says so in both catalogues.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInput } from '../../src/clients/commands.ts';
import { ChatModel } from '../../src/clients/model.ts';
import { redactLine } from '../../src/clients/redaction.ts';
import { createTranslator } from '../../src/i18n/i18n.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startClient, waitForLine, waitUntil } from './helpers.ts';

describe('/delete with a reason', () => {
  let t: TestServer;
  after(() => t?.close());

  test('n and the reason are read from what follows /delete', () => {
    const ctx = { target: '#r' };
    assert.deepEqual(parseInput('/delete', ctx), [{ type: 'delete', target: '#r', back: 1 }]);
    assert.deepEqual(parseInput('/delete 3', ctx), [{ type: 'delete', target: '#r', back: 3 }]);
    assert.deepEqual(parseInput('/delete spam, sorry', ctx), [{ type: 'delete', target: '#r', back: 1, reason: 'spam, sorry' }]);
    assert.deepEqual(parseInput('/delete 2 wrong room', ctx), [{ type: 'delete', target: '#r', back: 2, reason: 'wrong room' }]);
    assert.deepEqual(parseInput('/redact 2nd try', ctx), [{ type: 'delete', target: '#r', back: 1, reason: '2nd try' }]);
    const [zero] = parseInput('/delete 0 why', ctx);
    assert.equal(zero?.type, 'note');
    assert.match(zero.type === 'note' ? zero.text : '', /\/delete \[<n>\] \[<reason>\]/);
    assert.match(createTranslator('en').t('client.command.delete'), /reason/);
    assert.match(createTranslator('zh-CN').t('client.command.delete'), /原因/);
  });

  test('the REDACT line: the reason on one line after a colon, none when blank', () => {
    const buffer = new ChatModel('Parlor').ensure('#r');
    const line = { id: 1, time: new Date(), kind: 'message' as const, from: 'me', text: 'x', msgid: 'abc' };
    assert.equal(redactLine(buffer, line), 'REDACT #r abc');
    assert.equal(redactLine(buffer, line, '  '), 'REDACT #r abc');
    assert.equal(redactLine(buffer, line, 'two\r\nlines'), 'REDACT #r abc :two lines');
  });

  test('terminal ↔ terminal: /delete 2 wrong room deletes the second last line; the other shows the reason', async () => {
    t = await startServer();
    const alice = await startClient(t.port, 'alice');
    const bob = await startClient(t.port, 'bob');
    for (const c of [alice, bob]) {
      c.input('/join #r');
      await waitUntil(c, () => c.model.find('#r')?.joined, 'joined #r');
    }
    alice.model.select(alice.model.find('#r')!.key);
    alice.input('meant for another room');
    alice.input('this one stays');
    const first = await waitForLine(bob, ({ line }) => line.text === 'meant for another room');
    const second = await waitForLine(bob, ({ line }) => line.text === 'this one stays');
    await waitForLine(alice, ({ line }) => line.text === 'this one stays' && line.self === true && line.msgid !== undefined);
    alice.input('/delete 2 wrong room');
    await waitUntil(bob, () => first.line.redacted, 'bob to see the first line deleted');
    assert.equal(first.line.redactReason, 'wrong room');
    assert.equal(first.line.redactedBy, undefined, 'deleted by its sender');
    assert.equal(second.line.redacted, undefined);
    for (const c of [alice, bob]) await c.quit();
  });
});
