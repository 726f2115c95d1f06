// The admin pseudo-user is a service, not a person: reachable by name (PRIVMSG, WHOIS, an
// exact WHO, ISON, USERHOST, MONITOR) but left out of WHO masks and of the user counts; and
// admin.pseudoUser: false removes it altogether (401, the nick free, the console kicking as
// the server). Real sockets throughout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/server/config.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SERVER = 'test.parlor';
const ADMIN_MASK = `admin!admin@${SERVER}`;

/** Sends `lines` and returns every reply up to and including the first `end` numeric. */
async function replies(c: RawClient, end: string, ...lines: string[]): Promise<Received[]> {
  const mark = c.received.length;
  c.send(...lines);
  const last = await c.waitFor(end);
  return c.received.slice(mark, c.received.indexOf(last) + 1);
}

const whoNicks = (rs: Received[]): string[] => rs.filter((r) => r.msg.command === '352').map((r) => r.msg.params[5]!);

test('admin.pseudoUser defaults to true', () => {
  assert.equal(parseConfig({}).admin.pseudoUser, true);
  assert.equal(parseConfig({ admin: { pseudoUser: false } }).admin.pseudoUser, false);
  assert.throws(() => parseConfig({ admin: { pseudoUser: 'no' } }), /admin\.pseudoUser/);
});

describe('the admin pseudo-user as a service (the default)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('WHO * and WHO 0 list people only; WHO masks leave admin out', async () => {
    const asker = await t.register('sv_asker');
    for (const mask of ['*', '0', 'a*', '*min', `*${SERVER}*`, '*Server administrator*']) {
      const nicks = whoNicks(await replies(asker, '315', `WHO ${mask}`));
      assert.ok(!nicks.includes('admin'), `WHO ${mask}: ${nicks.join(' ')}`);
    }
    assert.ok(whoNicks(await replies(asker, '315', 'WHO *')).includes('sv_asker'));
    asker.close();
  });

  test('WHO admin (the exact nick) still answers, as ergo answers WHO NickServ', async () => {
    const asker = await t.register('sv_exact');
    const rs = await replies(asker, '315', 'WHO admin');
    assert.deepEqual(
      rs.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['352', 'sv_exact', '*', 'admin', SERVER, SERVER, 'admin', 'H', '0 Server administrator: messages to this nick reach the console'],
        ['315', 'sv_exact', 'admin', 'End of WHO list'],
      ],
    );
    asker.close();
  });

  test('WHOIS admin says it is a network service (313)', async () => {
    const asker = await t.register('sv_whois');
    const rs = await replies(asker, '318', 'WHOIS admin');
    assert.deepEqual(
      rs.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['311', 'sv_whois', 'admin', 'admin', SERVER, '*', 'Server administrator: messages to this nick reach the console'],
        ['312', 'sv_whois', 'admin', SERVER, 'Parlor'],
        ['313', 'sv_whois', 'admin', 'is a Network Service'],
        ['318', 'sv_whois', 'admin', 'End of /WHOIS list'],
      ],
    );
    asker.close();
  });

  test('LUSERS counts people, not the service', async () => {
    // A server of its own, so that no other test's client comes or goes meanwhile.
    const own = await startServer();
    try {
      const a = await own.register('sv_count');
      const rs = await replies(a, '266', 'LUSERS');
      const byNumeric = new Map(rs.map((r) => [r.msg.command, r.msg.params]));
      assert.deepEqual(byNumeric.get('251'), ['sv_count', 'There are 1 users and 0 invisible on 1 servers']);
      assert.deepEqual(byNumeric.get('255'), ['sv_count', 'I have 1 clients and 1 servers']);
      assert.deepEqual(byNumeric.get('266'), ['sv_count', '1', '1', 'Current global users 1, max 1']);
    } finally {
      await own.close();
    }
  });

  test('admin stays reachable: ISON, USERHOST, MONITOR, PRIVMSG; the nick stays reserved', async () => {
    const c = await t.register('sv_reach');
    assert.deepEqual((await replies(c, '303', 'ISON admin sv_reach')).at(-1)!.msg.params, ['sv_reach', 'admin sv_reach']);
    assert.deepEqual((await replies(c, '302', 'USERHOST admin')).at(-1)!.msg.params, ['sv_reach', `admin=+admin@${SERVER}`]);
    assert.deepEqual((await replies(c, '730', 'MONITOR + admin')).at(-1)!.msg.params, ['sv_reach', ADMIN_MASK]);
    const inbox: string[] = [];
    const listener = (m: { from: string; text: string }): void => void inbox.push(`${m.from}: ${m.text}`);
    t.server.adminInbox.add(listener);
    try {
      c.send('PRIVMSG admin :hello there');
      await c.sync();
      assert.deepEqual(inbox, ['sv_reach: hello there']);
    } finally {
      t.server.adminInbox.delete(listener);
    }
    assert.deepEqual((await replies(c, '433', 'NICK admin')).at(-1)!.msg.params, ['sv_reach', 'admin', 'Nickname is already in use']);
    c.close();
  });
});

describe('admin.pseudoUser: false', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ admin: { pseudoUser: false } });
  });
  after(() => t.close());

  test('no such user: PRIVMSG, WHOIS and exact WHO find nobody; ISON and MONITOR say so', async () => {
    const c = await t.register('off_asker');
    assert.deepEqual((await replies(c, '401', 'PRIVMSG admin :anyone?')).at(-1)!.msg.params, ['off_asker', 'admin', 'No such nick/channel']);
    const whois = await replies(c, '318', 'WHOIS admin');
    assert.deepEqual(whois.map((r) => r.msg.command), ['401', '318']);
    assert.deepEqual(whoNicks(await replies(c, '315', 'WHO admin')), []);
    assert.deepEqual((await replies(c, '303', 'ISON admin')).at(-1)!.msg.params, ['off_asker', '']);
    assert.deepEqual((await replies(c, '731', 'MONITOR + admin')).at(-1)!.msg.params, ['off_asker', 'admin']);
    c.close();
  });

  test('the nick is free for a person to take', async () => {
    const c = await t.register('off_taker');
    const mark = c.received.length;
    c.send('NICK admin');
    assert.equal((await c.waitFor('NICK')).raw, ':off_taker!off_taker@127.0.0.1 NICK admin');
    assert.ok(!c.since(mark).some((r) => r.msg.command === '433'));
    c.close();
  });

  test('the console kicks as the server, cannot say, and kills in the server name', async () => {
    const victim = await t.register('off_victim');
    const witness = await t.register('off_witness');
    for (const c of [victim, witness]) {
      c.send('JOIN #offroom');
      await c.waitFor('366');
    }
    await witness.sync();
    const admin = t.server.admin;
    const actor = admin.consoleActor;
    assert.deepEqual(admin.kickFromRoom(actor, '#offroom', 'off_victim', 'out you go'), { room: '#offroom', nick: 'off_victim' });
    for (const c of [witness, victim]) assert.equal((await c.waitFor('KICK')).raw, `:${SERVER} KICK #offroom off_victim :out you go`);
    assert.throws(() => admin.say(actor, '#offroom', 'hello'), /There is no admin nick to speak as/);
    admin.kill(actor, 'off_victim', 'bye');
    assert.equal((await victim.waitFor('KILL')).raw, `:${SERVER} KILL off_victim :Killed (${SERVER} (bye))`);
    witness.close();
  });
});
