// LIST's search conditions, ISUPPORT ELIST=CMNTU (Modern IRC): member counts (U), creation
// time (C) and topic time (T) in minutes ago, name masks (M) and masks not to match (N),
// alone and together. Time is the test's: rooms are made and topics set at known minutes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../helpers/clock.ts';
import { joinAll, settle, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;

/** The rooms a LIST answers with (its 322s up to the 323), sorted. */
async function listed(c: RawClient, line: string): Promise<string[]> {
  c.send(line);
  const lines = await until(c, (r) => r.msg.command === '323' || r.msg.command === '407');
  return lines.filter((r) => r.msg.command === '322').map((r) => r.msg.params[1]!).sort();
}

describe('LIST with ELIST conditions', () => {
  let t: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  let lister: RawClient;

  before(async () => {
    const clock = new ManualClock();
    // No PINGs while the clock is moved by minutes.
    t = await startServer({ limits: { listMasks: 3, pingIntervalMs: 86_400_000 } }, { clock });
    alice = await t.register('alice');
    bob = await t.register('bob');
    lister = await t.register('lister');
    // Minute 0: #old, with a topic.
    await joinAll('#old', alice);
    alice.send('TOPIC #old :the first room');
    await alice.waitFor('TOPIC');
    clock.advance(3 * MINUTE);
    // Minute 3: #chan-new (two members, a topic) and #bare (no topic); and a secret room.
    await joinAll('#chan-new', alice, bob);
    alice.send('TOPIC #chan-new :the second room');
    await alice.waitFor('TOPIC');
    await joinAll('#bare', alice);
    await joinAll('#hidden-new', bob);
    bob.send('MODE #hidden-new +s');
    await bob.waitFor('MODE');
    await settle(alice, bob);
    // Now: minute 4.
    clock.advance(MINUTE);
  });
  after(() => t.close());

  test('ISUPPORT says ELIST=CMNTU', async () => {
    const c = await t.connect();
    c.send('NICK isup', 'USER isup 0 * :I');
    const lines = await until(c, (r) => r.msg.command === '376' || r.msg.command === '422');
    assert.ok(lines.some((r) => r.msg.command === '005' && r.msg.params.includes('ELIST=CMNTU')));
  });

  test('without conditions: every room the asker may see', async () => {
    assert.deepEqual(await listed(lister, 'LIST'), ['#bare', '#chan-new', '#old']);
    assert.deepEqual(await listed(bob, 'LIST'), ['#bare', '#chan-new', '#hidden-new', '#old']);
  });

  test('U: >n and <n (also written U>n, U<n) count members', async () => {
    assert.deepEqual(await listed(lister, 'LIST >1'), ['#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST <2'), ['#bare', '#old']);
    assert.deepEqual(await listed(lister, 'LIST >0,<100'), ['#bare', '#chan-new', '#old']);
    assert.deepEqual(await listed(lister, 'LIST U>1'), ['#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST <1'), []);
  });

  test('C: C>n made more than n minutes ago, C<n less than n minutes ago', async () => {
    assert.deepEqual(await listed(lister, 'LIST C>2'), ['#old']);
    assert.deepEqual(await listed(lister, 'LIST C<2'), ['#bare', '#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST C>0'), ['#bare', '#chan-new', '#old']);
    assert.deepEqual(await listed(lister, 'LIST C<0'), []);
    assert.deepEqual(await listed(lister, 'LIST C<10'), ['#bare', '#chan-new', '#old']);
  });

  test('T: the topic set more (T>n) or less (T<n) than n minutes ago; a room without a topic never matches', async () => {
    assert.deepEqual(await listed(lister, 'LIST T>2'), ['#old']);
    assert.deepEqual(await listed(lister, 'LIST T<2'), ['#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST T>0'), ['#chan-new', '#old']);
    assert.deepEqual(await listed(lister, 'LIST T<0'), []);
    assert.deepEqual(await listed(lister, 'LIST T<10'), ['#chan-new', '#old']);
  });

  test('M: names matching a mask (any of several); exact names too, case-insensitively', async () => {
    assert.deepEqual(await listed(lister, 'LIST *new'), ['#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST #*o*'), ['#old']);
    assert.deepEqual(await listed(lister, 'LIST *new,#b?re'), ['#bare', '#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST #OLD,*bare'), ['#bare', '#old']);
    assert.deepEqual(await listed(lister, 'LIST *nothing*'), []);
  });

  test('N: !mask leaves out the names matching it', async () => {
    assert.deepEqual(await listed(lister, 'LIST !*new'), ['#bare', '#old']);
    assert.deepEqual(await listed(lister, 'LIST !#*'), []);
    assert.deepEqual(await listed(lister, 'LIST !*nothing*'), ['#bare', '#chan-new', '#old']);
  });

  test('conditions together, in one parameter or two, must all hold', async () => {
    assert.deepEqual(await listed(lister, 'LIST *a*,C<2,!*bare'), ['#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST *a* T<10,<2'), []);
    assert.deepEqual(await listed(lister, 'LIST #*e* C<2,T<2,>1'), ['#chan-new']);
    assert.deepEqual(await listed(lister, 'LIST !#chan* C>0,<2'), ['#bare', '#old']);
  });

  test('a secret room is left out for who is not in it, whatever matches', async () => {
    assert.deepEqual(await listed(lister, 'LIST *new'), ['#chan-new']);
    assert.deepEqual(await listed(bob, 'LIST *new'), ['#chan-new', '#hidden-new']);
  });

  test('more masks than limits.listMasks: 407 naming the first past it, and no list', async () => {
    lister.send('LIST *a,*b,*c,!*d');
    const reply = await lister.waitFor((r) => ['407', '321', '322', '323'].includes(r.msg.command));
    assert.deepEqual(reply.msg.params, ['lister', '!*d', 'Too many masks']);
    // Conditions that are not masks do not count.
    assert.deepEqual(await listed(lister, 'LIST *w,*e,*d,>1,C>0,T>0'), ['#chan-new']);
  });
});
