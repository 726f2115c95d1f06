// A message to `@#room` reaches the room's operators only, so the room's history, which every
// member reads with CHATHISTORY, must not keep it. Over real sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAPS = ['batch', 'draft/chathistory', 'echo-message', 'message-tags', 'server-time'];
let t: TestServer;
before(async () => {
  t = await startServer();
});
after(() => t.close());

test('a message to @#room is not kept in the room history members read', async () => {
  const op = await t.register('opnick', CAPS);
  op.send('JOIN #ops-only');
  await op.waitFor('366');
  const member = await t.register('member', CAPS);
  member.send('JOIN #ops-only');
  await member.waitFor('366');
  op.send('PRIVMSG @#ops-only :for operators only', 'PRIVMSG #ops-only :for everyone');
  await member.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'for everyone');
  await op.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === 'for everyone');
  member.send('CHATHISTORY LATEST #ops-only * 10');
  const open = await member.waitFor('BATCH');
  const lines = await until(member, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${open.msg.params[0]!.slice(1)}`);
  const texts = lines.filter((r) => r.msg.command === 'PRIVMSG').map((r) => r.msg.params[1]);
  assert.deepEqual(texts, ['for everyone']);
  assert.ok(!member.received.some((r) => r.msg.params[1] === 'for operators only'), 'the member never saw the operators-only line');
});
