// USER with an empty realname (or one of spaces only) over real sockets: 461 and the client
// stays unregistered, free to send USER again (Modern IRC: servers SHOULD refuse it), rather
// than the username being used silently. The plain-text mode, which writes its own USER
// line, still registers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { linesSince } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

describe('USER realname', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  async function whoisRealname(asker: RawClient, nick: string): Promise<string> {
    asker.send(`WHOIS ${nick}`);
    return (await asker.waitFor((r) => r.msg.command === '311' && r.msg.params[1] === nick)).msg.params[5]!;
  }

  for (const [what, nick, realname] of [
    ['empty', 'rn_empty', ''],
    ['only spaces', 'rn_spaces', '   '],
  ] as const) {
    test(`a realname ${what}: 461 USER, not registered, and USER may be sent again`, async () => {
      const c = await t.connect();
      const mark = c.received.length;
      c.send(`NICK ${nick}`, `USER ${nick} 0 * :${realname}`);
      const seen = await linesSince(c, mark);
      assert.deepEqual(
        seen.map((r) => [r.msg.command, ...r.msg.params]),
        [['461', nick, 'USER', 'Not enough parameters']],
      );
      c.send('PRIVMSG someone :hi');
      await c.waitFor('451');
      // The refused USER did not count: a good one now completes registration.
      c.send(`USER ${nick} 0 * :A Real Name`);
      await c.waitFor('001');
      const asker = await t.register(`${nick}_q`);
      assert.equal(await whoisRealname(asker, nick), 'A Real Name');
      c.close();
      asker.close();
    });
  }

  test('a realname with spaces around words is kept as given', async () => {
    const c = await t.connect();
    c.send('NICK rn_pad', 'USER rn_pad 0 * :  Padded Name ');
    await c.waitFor('001');
    const asker = await t.register('rn_askpad');
    assert.equal(await whoisRealname(asker, 'rn_pad'), '  Padded Name ');
    c.close();
    asker.close();
  });

  test('plain-text mode still registers (its USER line has a realname)', async () => {
    const c = await t.connect();
    c.send('rn_plain');
    await c.waitFor(/^\[\d{2}:\d{2}:\d{2}\] \*\*\* In #lobby: /);
    const asker = await t.register('rn_askplain');
    assert.equal(await whoisRealname(asker, 'rn_plain'), 'plain-text user');
    c.close();
    asker.close();
  });
});
