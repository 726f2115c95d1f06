// MARKREAD with exactly the time kept (or an older one) moves nothing: the spec has the server
// ignore it, so it is answered to its sender with the kept time, and nothing goes to the log
// (no readmarker.set, no MARKREAD for the account's other connections).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { settle } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CAP = 'draft/read-marker';
const T1 = '2024-03-01T10:00:00.000Z';
const T0 = '2024-03-01T09:00:00.000Z';

let t: TestServer;
before(async () => {
  t = await startServer();
  await addAccount(t, 'alice', 'pw-alice-1');
});
after(() => t.close());

test('a MARKREAD that does not move the marker commits no event and reaches no other connection', async () => {
  const committed: number[] = [];
  const unsubscribe = t.server.bus.subscribe((entry) => {
    if (entry.event.type === 'readmarker.set') committed.push(entry.event.time);
  });
  const phone = await loginUser(t, 'alice1', 'alice', 'pw-alice-1', [CAP]);
  const laptop = await loginUser(t, 'alice2', 'alice', 'pw-alice-1', [CAP]);
  await settle(phone, laptop);

  phone.send(`MARKREAD #room timestamp=${T1}`);
  assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
  assert.deepEqual((await laptop.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
  assert.deepEqual(committed, [Date.parse(T1)]);

  // The same time again, from either connection, and an older one: answered, nothing more.
  for (const [c, time] of [[phone, T1], [laptop, T1], [laptop, T0]] as const) {
    c.send(`MARKREAD #room timestamp=${time}`);
    assert.deepEqual((await c.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
  }
  await phone.sync();
  await laptop.sync();
  assert.equal(phone.drain().filter((r) => r.msg.command === 'MARKREAD').length, 0);
  assert.equal(laptop.drain().filter((r) => r.msg.command === 'MARKREAD').length, 0);
  assert.deepEqual(committed, [Date.parse(T1)]);
  unsubscribe();
  phone.close();
  laptop.close();
});
