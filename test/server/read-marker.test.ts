// IRCv3 draft/read-marker on one node: MARKREAD get and set, forward only, every connection
// of the account told, JOIN reporting the room's marker before its end of NAMES, the spec's
// FAILs, a user without an account (this connection only) and a client without the cap.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addAccount, loginUser } from '../helpers/accounts.ts';
import { is, settle } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { parseMarkReadTime } from '../../src/server/commands/markread.ts';

const CAP = 'draft/read-marker';
const T1 = '2024-03-01T10:00:00.000Z';
const T2 = '2024-03-01T10:05:00.123Z';
const T0 = '2024-03-01T09:00:00.000Z';

describe('MARKREAD (draft/read-marker)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
    await addAccount(t, 'alice', 'pw-alice-1');
  });
  after(() => t.close());

  test('the capability is offered', async () => {
    const c = await t.connect();
    c.send('CAP LS 302');
    const ls = await c.waitFor((r) => r.msg.command === 'CAP' && r.msg.params[1] === 'LS');
    assert.ok(ls.msg.params.at(-1)!.split(' ').includes(CAP));
    c.close();
  });

  test('set moves forward only, answers the stored time, and reaches the other connections of the account that have the cap', async () => {
    const phone = await loginUser(t, 'alice1', 'alice', 'pw-alice-1', [CAP]);
    const laptop = await loginUser(t, 'alice2', 'alice', 'pw-alice-1', [CAP]);
    const plain = await loginUser(t, 'alice3', 'alice', 'pw-alice-1');
    const stranger = await t.register('mallory', [CAP]);
    await settle(phone, laptop, plain, stranger);

    phone.send('MARKREAD #Room');
    assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['#Room', '*']);

    phone.send(`MARKREAD #room timestamp=${T1}`);
    assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
    assert.deepEqual((await laptop.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);

    // Older: ignored, answered with the stored time, nobody else told.
    phone.send(`MARKREAD #room timestamp=${T0}`);
    assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
    laptop.send(`MARKREAD #ROOM timestamp=${T2}`);
    assert.deepEqual((await laptop.waitFor('MARKREAD')).msg.params, ['#ROOM', `timestamp=${T2}`]);
    // The next the phone hears is the laptop's, not an echo of its own refused one.
    assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['#ROOM', `timestamp=${T2}`]);

    // A private conversation is named by the nick.
    laptop.send(`MARKREAD bob timestamp=${T1}`);
    await laptop.waitFor('MARKREAD');
    assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['bob', `timestamp=${T1}`]);
    phone.send('MARKREAD BOB');
    assert.deepEqual((await phone.waitFor('MARKREAD')).msg.params, ['BOB', `timestamp=${T1}`]);

    // Without the cap, or another account: nothing.
    await settle(plain, stranger);
    assert.equal(plain.drain().filter((r) => r.msg.command === 'MARKREAD').length, 0);
    assert.equal(stranger.drain().filter((r) => r.msg.command === 'MARKREAD').length, 0);
    // A client without the cap may still ask (the spec only says what the server sends unasked).
    plain.send('MARKREAD #room');
    assert.deepEqual((await plain.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T2}`]);
    for (const c of [phone, laptop, plain, stranger]) c.close();
  });

  test('JOIN sends the room marker after the JOIN and before its end of NAMES; again after reconnecting', async () => {
    const first = await loginUser(t, 'alice4', 'alice', 'pw-alice-1', [CAP]);
    first.send('JOIN #fresh');
    const lines = [];
    for (;;) {
      const r = await first.waitFor(() => true);
      lines.push(r);
      if (r.msg.command === '366') break;
    }
    const order = lines.map((r) => r.msg.command).filter((c) => ['JOIN', 'MARKREAD', '353', '366'].includes(c));
    assert.deepEqual(order, ['JOIN', 'MARKREAD', '353', '366']);
    assert.deepEqual(lines.find((r) => r.msg.command === 'MARKREAD')!.msg.params, ['#fresh', '*']);
    first.send(`MARKREAD #fresh timestamp=${T1}`);
    await first.waitFor('MARKREAD');
    first.close();
    await first.waitClose();

    const again = await loginUser(t, 'alice4', 'alice', 'pw-alice-1', [CAP]);
    again.send('JOIN #fresh');
    assert.deepEqual((await again.waitFor('MARKREAD')).msg.params, ['#fresh', `timestamp=${T1}`]);
    await again.waitFor(is('366', 'alice4', '#fresh'));

    // Without the cap, JOIN says nothing of markers.
    const plain = await loginUser(t, 'alice5', 'alice', 'pw-alice-1');
    plain.send('JOIN #fresh');
    await plain.waitFor(is('366', 'alice5', '#fresh'));
    await settle(plain);
    assert.ok(!plain.received.some((r) => r.msg.command === 'MARKREAD'));
    again.close();
    plain.close();
  });

  test('a time in the future is clamped to now', async () => {
    const c = await loginUser(t, 'alice6', 'alice', 'pw-alice-1', [CAP]);
    const before = Date.now();
    c.send('MARKREAD #future timestamp=2999-01-01T00:00:00.000Z');
    const answer = (await c.waitFor('MARKREAD')).msg.params[1]!;
    const time = Date.parse(answer.slice('timestamp='.length));
    assert.ok(time >= before && time <= Date.now(), answer);
    c.close();
  });

  test('errors: missing parameters, invalid target, invalid timestamp', async () => {
    const c = await loginUser(t, 'alice7', 'alice', 'pw-alice-1', [CAP]);
    c.send('MARKREAD');
    assert.deepEqual((await c.waitFor('FAIL')).msg.params, ['MARKREAD', 'NEED_MORE_PARAMS', 'Missing parameters']);
    c.send('MARKREAD :not a nick');
    assert.deepEqual((await c.waitFor('FAIL')).msg.params.slice(0, 3), ['MARKREAD', 'INVALID_PARAMS', 'not_a_nick']);
    for (const bad of ['*', 'timestamp=*', 'timestamp=2024-02-30T00:00:00.000Z', 'timestamp=2024-03-01T10:00:00Z', 'timestamp=yesterday', T1]) {
      c.send(`MARKREAD #room ${bad}`);
      assert.deepEqual((await c.waitFor('FAIL')).msg.params.slice(0, 3), ['MARKREAD', 'INVALID_PARAMS', bad]);
    }
    c.close();
  });

  test("a private marker belongs to the other side's account: it follows their nick change and never passes to whoever takes the nick", async () => {
    await addAccount(t, 'bobby', 'pw-bobby-1');
    const alice = await loginUser(t, 'alice8', 'alice', 'pw-alice-1', [CAP]);
    const bob = await loginUser(t, 'robert', 'bobby', 'pw-bobby-1');
    alice.send(`MARKREAD robert timestamp=${T1}`);
    assert.deepEqual((await alice.waitFor('MARKREAD')).msg.params, ['robert', `timestamp=${T1}`]);
    // The same conversation under bob's account name, and under his next nick.
    alice.send('MARKREAD bobby');
    assert.deepEqual((await alice.waitFor('MARKREAD')).msg.params, ['bobby', `timestamp=${T1}`]);
    bob.send('NICK bob_away');
    await bob.waitFor('NICK');
    alice.send('MARKREAD bob_away');
    assert.deepEqual((await alice.waitFor('MARKREAD')).msg.params, ['bob_away', `timestamp=${T1}`]);
    bob.close();
    await bob.waitClose();
    // Someone else on the nick robert is another conversation: no marker of bob's.
    const eve = await t.register('robert');
    alice.send('MARKREAD robert');
    assert.deepEqual((await alice.waitFor('MARKREAD')).msg.params, ['robert', '*']);
    alice.send(`MARKREAD robert timestamp=${T0}`);
    assert.deepEqual((await alice.waitFor('MARKREAD')).msg.params, ['robert', `timestamp=${T0}`]);
    alice.send('MARKREAD bobby');
    assert.deepEqual((await alice.waitFor('MARKREAD')).msg.params, ['bobby', `timestamp=${T1}`]);
    alice.close();
    eve.close();
  });

  test("a secret room's spelling is not told to who is not in it", async () => {
    const owner = await t.register('keeper');
    owner.send('JOIN #HushHush', 'MODE #HushHush +s');
    await owner.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+s');
    const outsider = await loginUser(t, 'alice9', 'alice', 'pw-alice-1', [CAP]);
    outsider.send('MARKREAD #hushhush');
    assert.deepEqual((await outsider.waitFor('MARKREAD')).msg.params, ['#hushhush', '*']);
    owner.send('MODE #HushHush -s');
    await owner.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '-s');
    outsider.send('MARKREAD #hushhush');
    assert.deepEqual((await outsider.waitFor('MARKREAD')).msg.params, ['#HushHush', '*']);
    owner.close();
    outsider.close();
  });

  test('without an account the marker lasts as long as the connection', async () => {
    const guest = await t.register('guest1', [CAP]);
    guest.send(`MARKREAD #room timestamp=${T1}`);
    assert.deepEqual((await guest.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
    guest.send(`MARKREAD #room timestamp=${T0}`);
    assert.deepEqual((await guest.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
    guest.send('JOIN #room');
    assert.deepEqual((await guest.waitFor('MARKREAD')).msg.params, ['#room', `timestamp=${T1}`]);
    const other: RawClient = await t.register('guest2', [CAP]);
    other.send('MARKREAD #room');
    assert.deepEqual((await other.waitFor('MARKREAD')).msg.params, ['#room', '*']);
    // Nor do they reach the account alice's markers.
    assert.equal(await t.server.store.readMarker('alice', 'guest1'), undefined);
    guest.close();
    other.close();
  });
});

test('parseMarkReadTime takes server-time exactly', () => {
  assert.equal(parseMarkReadTime(`timestamp=${T1}`), Date.parse(T1));
  assert.equal(parseMarkReadTime('timestamp=2024-02-29T23:59:59.999Z'), Date.parse('2024-02-29T23:59:59.999Z'));
  for (const bad of ['*', 'timestamp=*', T1, 'timestamp=2023-02-29T00:00:00.000Z', 'timestamp=2024-03-01T10:00:00.000+01:00', 'timestamp= 2024-03-01T10:00:00.000Z']) {
    assert.equal(parseMarkReadTime(bad), undefined, bad);
  }
});
