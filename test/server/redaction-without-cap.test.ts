// A client that deletes its message WITHOUT having negotiated draft/message-redaction is not
// sent the REDACT back (the spec: never forwarded to those without the capability); it gets
// what any command with no reply gets: nothing, or an ACK when it labelled the line. The
// others in the room with the capability are told as usual.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { is, joinAll, settle } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

describe('REDACT from a client without the capability', () => {
  let t: TestServer;
  after(() => t?.close());

  test('the deletion is done and the others told, but the deleter is sent no REDACT; a labelled one gets an ACK', async () => {
    t = await startServer();
    const blind = await t.register('blind', ['echo-message', 'message-tags', 'batch', 'labeled-response']);
    const watcher = await t.register('watcher', ['draft/message-redaction', 'message-tags']);
    await joinAll('#nocap', blind, watcher);
    const msgids: string[] = [];
    for (const text of ['first slip', 'second slip']) {
      blind.send(`PRIVMSG #nocap :${text}`);
      const echo = await blind.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === text);
      msgids.push(echo.msg.tags['msgid']!);
      await watcher.waitFor(is('PRIVMSG', '#nocap', text));
    }
    await settle(blind, watcher);

    blind.send(`REDACT #nocap ${msgids[0]} :typo`);
    await watcher.waitFor(is('REDACT', '#nocap', msgids[0]!, 'typo'));
    blind.send(`@label=del2 REDACT #nocap ${msgids[1]}`);
    const ack = await blind.waitFor(is('ACK'));
    assert.equal(ack.msg.tags['label'], 'del2');
    await watcher.waitFor(is('REDACT', '#nocap', msgids[1]!));
    await blind.sync();
    assert.deepEqual(
      blind.drain().filter((r) => r.msg.command === 'REDACT'),
      [],
      'no REDACT to the deleter without the capability',
    );
    for (const c of [blind, watcher]) c.close();
  });
});
