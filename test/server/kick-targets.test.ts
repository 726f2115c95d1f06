// KICK with several targets over real sockets: one room and many users, rooms and users
// paired (RFC 2812), many rooms and one user (as ergo allows); one KICK line per target, a
// refusal per room or per user, and 461 when the counts cannot be paired.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, linesSince } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const kicks = (rs: Received[]): string[][] => rs.filter((r) => r.msg.command === 'KICK').map((r) => [r.msg.source ?? '', ...r.msg.params]);
const numerics = (rs: Received[]): string[][] => rs.filter((r) => /^\d{3}$/.test(r.msg.command)).map((r) => [r.msg.command, ...r.msg.params]);

describe('KICK targets', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  /** Registers `nicks` and has each join every room of `rooms` (the first nick joins first: operator). */
  async function seat(rooms: string[], ...nicks: string[]): Promise<RawClient[]> {
    const clients: RawClient[] = [];
    for (const n of nicks) clients.push(await t.register(n));
    for (const room of rooms) await joinAll(room, ...clients);
    return clients;
  }

  test('KICK #a,#b alice,bob: each room loses its own user, one KICK line each', async () => {
    const [op, alice, bob] = await seat(['#pa', '#pb'], 'p_op', 'p_alice', 'p_bob');
    const mark = op!.received.length;
    op!.send('KICK #pa,#pb p_alice,p_bob :pairs');
    const seen = await linesSince(op!, mark);
    assert.deepEqual(kicks(seen), [
      ['p_op!p_op@127.0.0.1', '#pa', 'p_alice', 'pairs'],
      ['p_op!p_op@127.0.0.1', '#pb', 'p_bob', 'pairs'],
    ]);
    assert.deepEqual(numerics(seen), []);
    // alice is still in #pb, bob still in #pa.
    assert.deepEqual(t.server.network.channel('#pa')!.members.size, 2);
    assert.ok([...t.server.network.channel('#pb')!.members.keys()].some((u) => u.nick === 'p_alice'));
    assert.ok([...t.server.network.channel('#pa')!.members.keys()].some((u) => u.nick === 'p_bob'));
    assert.deepEqual(kicks(await linesSince(alice!, 0)).map((k) => k.slice(1, 3)), [['#pa', 'p_alice'], ['#pb', 'p_bob']]);
    assert.deepEqual(kicks(await linesSince(bob!, 0)).map((k) => k.slice(1, 3)), [['#pa', 'p_alice'], ['#pb', 'p_bob']]);
  });

  test('KICK #room alice,bob (one room, many users) still works', async () => {
    const [op] = await seat(['#one'], 'o_op', 'o_alice', 'o_bob');
    const mark = op!.received.length;
    op!.send('KICK #one o_alice,o_bob');
    const seen = await linesSince(op!, mark);
    assert.deepEqual(kicks(seen).map((k) => k.slice(1)), [
      ['#one', 'o_alice', 'o_op'],
      ['#one', 'o_bob', 'o_op'],
    ]);
  });

  test('KICK #a,#b alice (many rooms, one user), as ergo allows', async () => {
    const [op] = await seat(['#ma', '#mb'], 'm_op', 'm_alice');
    const mark = op!.received.length;
    op!.send('KICK #ma,#mb m_alice :gone');
    assert.deepEqual(kicks(await linesSince(op!, mark)).map((k) => k.slice(1)), [
      ['#ma', 'm_alice', 'gone'],
      ['#mb', 'm_alice', 'gone'],
    ]);
  });

  test('2 rooms and 3 users cannot be paired: 461, nobody kicked', async () => {
    const [op] = await seat(['#xa', '#xb'], 'x_op', 'x_a', 'x_b', 'x_c');
    const mark = op!.received.length;
    op!.send('KICK #xa,#xb x_a,x_b,x_c');
    const seen = await linesSince(op!, mark);
    assert.deepEqual(numerics(seen), [['461', 'x_op', 'KICK', 'Not enough parameters']]);
    assert.deepEqual(kicks(seen), []);
    assert.equal(t.server.network.channel('#xa')!.members.size, 4);
  });

  test('refusals are per pair: 403 for a missing room, 482 once per room, 441 for a non-member', async () => {
    const [op, other] = await seat(['#ra'], 'r_op', 'r_other');
    await seat(['#rb'], 'r_owner', 'r_x', 'r_y');
    await joinAll('#rb', other!);
    const mark = other!.received.length;
    // r_other is no operator of #rb (one 482 for both of its targets), and #nope does not exist.
    other!.send('KICK #rb,#nope,#rb r_x,r_y,r_y');
    const seen = await linesSince(other!, mark);
    assert.deepEqual(numerics(seen), [
      ['482', 'r_other', '#rb', "You're not channel operator"],
      ['403', 'r_other', '#nope', 'No such channel'],
    ]);
    const mark2 = op!.received.length;
    op!.send('KICK #ra,#ra r_nobody,r_other');
    const seen2 = await linesSince(op!, mark2);
    assert.deepEqual(numerics(seen2), [['441', 'r_op', 'r_nobody', '#ra', "They aren't on that channel"]]);
    assert.deepEqual(kicks(seen2).map((k) => k.slice(1, 3)), [['#ra', 'r_other']]);
  });

  test('ISUPPORT keeps TARGMAX KICK: (no fixed limit)', async () => {
    const c = await t.register('tm_user');
    const token = c.received.flatMap((r) => (r.msg.command === '005' ? r.msg.params : [])).find((p) => p.startsWith('TARGMAX='));
    assert.ok(token?.split('=')[1]!.split(',').includes('KICK:'), token);
  });
});
