// irssi as 张三 on a server with `casemapping: precis`: it registers under that nick, joins,
// is listed, and talks with a raw client in the room and privately. Skipped without irssi or tmux.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { Irssi, irssiMissing } from '../helpers/irssi.ts';

const MISSING = irssiMissing();
const STARTUP_MS = 15_000;

describe('irssi with a Chinese nick', { skip: MISSING ?? false }, () => {
  let srv: TestServer;
  let bob: RawClient;
  let irssi: Irssi;

  before(async () => {
    srv = await startServer({ server: { casemapping: 'precis' } });
    bob = await srv.register('bob');
    bob.send('JOIN #room');
    await bob.waitFor('366');
    irssi = Irssi.start({ port: srv.port, nick: '张三' });
    await irssi.expect(/End of \/MOTD command/, STARTUP_MS);
  });

  after(async () => {
    await irssi?.stop();
    await srv?.close();
  });

  test('张三 joins, is seen, and talks in the room and privately', async () => {
    irssi.type('/join #room');
    const joined = await bob.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source!.startsWith('张三!'));
    assert.equal(joined.msg.params[0], '#room');
    await irssi.expect(/#room: Total of 2 nicks/);
    bob.send('PRIVMSG #room :张三你好');
    await irssi.expect(/张三你好/);
    irssi.type('大家好');
    await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[1] === '大家好' && r.msg.source!.startsWith('张三!'));
    bob.send('PRIVMSG 张三 :a private word');
    await irssi.expect(/a private word/);
    irssi.type('/msg bob 回信');
    await bob.waitFor((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === 'bob' && r.msg.params[1] === '回信');
  });
});
