// Two servers joined by one Bus behave as one network: the proof that no code reaches
// another session except through the Bus (the seam a Redis cluster will use).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessBus } from '../../src/cluster/in-process-bus.ts';
import type { NetworkEvent } from '../../src/network/events.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let a: TestServer;
let b: TestServer;

before(async () => {
  const bus = new InProcessBus<NetworkEvent>();
  a = await startServer({ server: { name: 'a.parlor' } }, { bus });
  b = await startServer({ server: { name: 'b.parlor' } }, { bus });
});

after(async () => {
  await a.close();
  await b.close();
});

test('users on two nodes share rooms, private messages, nicks and quits', async () => {
  const alice = await a.register('alice');
  const bob = await b.register('bob');

  // Nicks are network-wide.
  const dup = await b.connect();
  dup.send('NICK alice', 'USER x 0 * :x');
  await dup.waitFor('433');

  alice.send('JOIN #both');
  await alice.waitFor('366');
  bob.send('JOIN #both');
  const names = await bob.waitFor('353');
  assert.equal(names.msg.params.at(-1), '@alice bob');
  await alice.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source?.startsWith('bob!') === true);

  alice.send('PRIVMSG #both :hello across nodes 你好');
  assert.equal((await bob.waitFor('PRIVMSG')).msg.params[1], 'hello across nodes 你好');
  bob.send('PRIVMSG alice :private reply');
  const pm = await alice.waitFor('PRIVMSG');
  assert.deepEqual(pm.msg.params, ['alice', 'private reply']);

  bob.send('NICK robert');
  assert.equal((await alice.waitFor('NICK')).msg.params[0], 'robert');

  alice.send('WHOIS robert');
  assert.equal((await alice.waitFor('311')).msg.params[1], 'robert');

  bob.send('QUIT :gone');
  const quit = await alice.waitFor('QUIT');
  assert.equal(quit.msg.source?.split('!')[0], 'robert');
  assert.equal(quit.msg.params[0], 'Quit: gone');
});
