// MODE +k with a key no one could give in a JOIN, over real sockets: refused with
// `696 <nick> <#room> k * :<reason>` (ERR_INVALIDMODEPARAM, Modern IRC), the key neither set
// nor rewritten nor echoed; a good key still works and still opens the room.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, linesSince } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

describe('channel key validation', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  const bad: [string, string, string][] = [
    // [what, the MODE line's key part, reason]
    ['empty', ':', 'A channel key cannot be empty'],
    ['only spaces', ':   ', 'A channel key cannot be empty'],
    ['a space inside', ':open sesame', 'A channel key cannot hold spaces, commas or control characters'],
    ['a comma', 'a,b', 'A channel key cannot hold spaces, commas or control characters'],
    ['a tab', ':a\tb', 'A channel key cannot hold spaces, commas or control characters'],
    ['a control character', ':a\x02b', 'A channel key cannot hold spaces, commas or control characters'],
    ["':' first", '::secret', "A channel key cannot start with ':'"],
  ];

  for (const [what, keyPart, reason] of bad) {
    test(`a key with ${what} gets 696 with '*', is not set and not shown`, async () => {
      const nick = `kv${bad.findIndex((b) => b[0] === what)}`;
      const room = `#${nick}`;
      const op = await t.register(nick);
      await join(op, nick, room);
      const mark = op.received.length;
      op.send(`MODE ${room} +k ${keyPart}`);
      const seen = await linesSince(op, mark);
      assert.deepEqual(
        seen.map((r) => [r.msg.command, ...r.msg.params]),
        [['696', nick, room, 'k', '*', reason]],
      );
      assert.equal(t.server.network.channel(room)!.key, undefined);
      op.send(`MODE ${room}`);
      assert.deepEqual((await op.waitFor('324')).msg.params.slice(2), ['+nt']);
      op.close();
    });
  }

  test('a refused key beside good modes: the rest applies', async () => {
    const op = await t.register('kv_mixed');
    await join(op, 'kv_mixed', '#kvmixed');
    const mark = op.received.length;
    op.send('MODE #kvmixed +mk :a b');
    const seen = await linesSince(op, mark);
    assert.deepEqual(
      seen.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['696', 'kv_mixed', '#kvmixed', 'k', '*', 'A channel key cannot hold spaces, commas or control characters'],
        ['MODE', '#kvmixed', '+m'],
      ],
    );
    op.close();
  });

  test('a good key (UTF-8 and punctuation) is set as given and opens the room', async () => {
    const op = await t.register('kv_good');
    await join(op, 'kv_good', '#kvgood');
    op.send('MODE #kvgood +k s3s@me:你好');
    assert.deepEqual((await op.waitFor('MODE')).msg.params, ['#kvgood', '+k', 's3s@me:你好']);
    const guest = await t.register('kv_guest');
    guest.send('JOIN #kvgood wrong');
    assert.equal((await guest.waitFor('475')).msg.params[1], '#kvgood');
    guest.send('JOIN #kvgood s3s@me:你好');
    await guest.waitFor((r) => r.msg.command === '366' && r.msg.params[1] === '#kvgood');
    op.close();
    guest.close();
  });

  test('MODE +k without a key is still 461', async () => {
    const op = await t.register('kv_none');
    await join(op, 'kv_none', '#kvnone');
    op.send('MODE #kvnone +k');
    assert.deepEqual((await op.waitFor('461')).msg.params, ['kv_none', 'MODE', 'Not enough parameters']);
    op.close();
  });
});
