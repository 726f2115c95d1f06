// Looking people up over real sockets: AWAY, WHO (and WHOX), WHOIS, WHOWAS, ISON, USERHOST,
// and nick changes and quits reaching each room neighbour exactly once. The server runs on
// a clock the test moves, so that WHOIS idle and signon times are exact.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, type Clock } from '../../src/server/clock.ts';
import { during, joinAll } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const HOST = '127.0.0.1';
const SERVER = 'test.parlor';
const HOUR = 3_600_000;

let nowMs = Date.UTC(2024, 4, 6, 7, 8, 9, 123);
const clock: Clock = { now: () => nowMs, setTimeout: systemClock.setTimeout, setInterval: systemClock.setInterval };

/** Sends `lines` and returns every reply up to and including the first `end` numeric. */
async function replies(c: RawClient, end: string, ...lines: string[]): Promise<Received[]> {
  const mark = c.received.length;
  c.send(...lines);
  const last = await c.waitFor(end);
  return c.received.slice(mark, c.received.indexOf(last) + 1);
}

const numerics = (rs: Received[]): string[] => rs.map((r) => r.msg.command);

describe('user queries', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer(
      { limits: { registrationTimeoutMs: HOUR, pingIntervalMs: HOUR, pingTimeoutMs: HOUR } },
      { clock },
    );
  });
  after(() => t.close());

  test('AWAY: 306 when set, 305 when unset; WHOIS 301, USERHOST -, WHO G', async () => {
    const aw = await t.register('aw');
    const q = await t.register('q');
    aw.send('AWAY :back in five');
    assert.deepEqual((await aw.waitFor('306')).msg.params, ['aw', 'You have been marked as being away']);

    const whois = await replies(q, '318', 'WHOIS aw');
    assert.deepEqual(whois.find((r) => r.msg.command === '301')?.msg.params, ['q', 'aw', 'back in five']);
    q.send('USERHOST aw');
    assert.deepEqual((await q.waitFor('302')).msg.params, ['q', `aw=-aw@${HOST}`]);
    q.send('WHO aw');
    assert.equal((await q.waitFor('352')).msg.params[6], 'G');

    aw.send('AWAY');
    assert.deepEqual((await aw.waitFor('305')).msg.params, ['aw', 'You are no longer marked as being away']);
    q.send('USERHOST aw');
    assert.deepEqual((await q.waitFor('302')).msg.params, ['q', `aw=+aw@${HOST}`]);
    assert.ok(!numerics(await replies(q, '318', 'WHOIS aw')).includes('301'));
  });

  test('WHO #room: one 352 per member, then 315 with the mask', async () => {
    const wa = await t.register('wa');
    const wb = await t.register('wb');
    await joinAll('#who', wa, wb);
    wb.send('AWAY :away for a bit');
    await wb.waitFor('306');
    const rs = await replies(wa, '315', 'WHO #who');
    assert.deepEqual(
      rs.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['352', 'wa', '#who', 'wa', HOST, SERVER, 'wa', 'H@', '0 wa Test'],
        ['352', 'wa', '#who', 'wb', HOST, SERVER, 'wb', 'G', '0 wb Test'],
        ['315', 'wa', '#who', 'End of WHO list'],
      ],
    );
  });

  test('WHO nick, WHO *, WHO 0 and WHO with wildcards', async () => {
    const alice = await t.register('alice');
    const malik = await t.register('malik');
    const zed = await t.register('zed');
    const one = await replies(zed, '315', 'WHO alice');
    assert.deepEqual(
      one.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['352', 'zed', '*', 'alice', HOST, SERVER, 'alice', 'H', '0 alice Test'],
        ['315', 'zed', 'alice', 'End of WHO list'],
      ],
    );
    for (const mask of ['*', '0']) {
      const all = await replies(zed, '315', `WHO ${mask}`);
      const nicks = all.filter((r) => r.msg.command === '352').map((r) => r.msg.params[5]);
      for (const n of ['alice', 'malik', 'zed']) assert.ok(nicks.includes(n), `WHO ${mask}: ${nicks.join(' ')}`);
      assert.deepEqual(all.at(-1)!.msg.params, ['zed', mask, 'End of WHO list']);
    }
    const wild = await replies(zed, '315', 'WHO *ali*');
    assert.deepEqual(
      wild.filter((r) => r.msg.command === '352').map((r) => r.msg.params[5]).sort(),
      ['alice', 'malik'],
    );
    assert.deepEqual(wild.at(-1)!.msg.params, ['zed', '*ali*', 'End of WHO list']);
    alice.close();
    malik.close();
  });

  test('WHOX: 354 with the requested fields in t,c,u,i,h,s,n,f,d,l,a,o,r order and the token', async () => {
    const xa = await t.register('xa');
    const xb = await t.register('xb');
    await joinAll('#whox', xa, xb);
    const rs = await replies(xb, '315', 'WHO #whox %tcnuhraf,42');
    assert.deepEqual(
      rs.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['354', 'xb', '42', '#whox', 'xa', HOST, 'xa', 'H@', '0', 'xa Test'],
        ['354', 'xb', '42', '#whox', 'xb', HOST, 'xb', 'H', '0', 'xb Test'],
        ['315', 'xb', '#whox', 'End of WHO list'],
      ],
    );
    const few = await replies(xb, '315', 'WHO xa %ns');
    assert.deepEqual(few[0]!.msg.params, ['xb', SERVER, 'xa']);
  });

  test('invisible users are hidden from WHO by strangers, not from room neighbours', async () => {
    const inv = await t.register('ghost');
    const friend = await t.register('friend');
    const stranger = await t.register('stranger');
    await joinAll('#haunt', inv, friend);
    inv.send('MODE ghost +i');
    await inv.waitFor('MODE');
    const listed = async (c: RawClient, mask: string): Promise<string[]> =>
      (await replies(c, '315', `WHO ${mask}`)).filter((r) => r.msg.command === '352').map((r) => r.msg.params[5]!);
    assert.deepEqual(await listed(stranger, '#haunt'), ['friend']);
    assert.ok(!(await listed(stranger, '*')).includes('ghost'));
    assert.deepEqual(await listed(stranger, 'gh*'), []);
    assert.deepEqual(await listed(friend, '#haunt'), ['ghost', 'friend']);
    assert.ok((await listed(friend, '*')).includes('ghost'));
  });

  test('WHOIS: 311, 319 with prefixes, 312, 317 with exact idle and signon, 318', async () => {
    const signon = nowMs;
    const wi = await t.register('wi');
    const asker = await t.register('asker');
    await joinAll('#one', wi);
    await joinAll('#two', asker, wi);
    nowMs += 42_000;
    const rs = await replies(asker, '318', 'WHOIS wi');
    assert.deepEqual(
      rs.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['311', 'asker', 'wi', 'wi', HOST, '*', 'wi Test'],
        ['319', 'asker', 'wi', '@#one #two'],
        ['312', 'asker', 'wi', SERVER, 'Parlor'],
        ['317', 'asker', 'wi', '42', String(Math.floor(signon / 1000)), 'seconds idle, signon time'],
        ['318', 'asker', 'wi', 'End of /WHOIS list'],
      ],
    );
    // Speaking resets the idle time; the server-name form gives the same answer.
    wi.send('PRIVMSG #two :here now');
    await asker.waitFor('PRIVMSG');
    nowMs += 3_000;
    const again = await replies(asker, '318', `WHOIS ${SERVER} WI`);
    assert.deepEqual(again.find((r) => r.msg.command === '317')!.msg.params.slice(1, 3), ['wi', '3']);
  });

  test('WHOIS errors: 401 then 318 for an unknown nick, 431 without one', async () => {
    const c = await t.register('who3');
    const rs = await replies(c, '318', 'WHOIS nobody');
    assert.deepEqual(
      rs.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['401', 'who3', 'nobody', 'No such nick/channel'],
        ['318', 'who3', 'nobody', 'End of /WHOIS list'],
      ],
    );
    c.send('WHOIS');
    assert.deepEqual((await c.waitFor('431')).msg.params, ['who3', 'No nickname given']);
  });

  test('WHOWAS after a quit and after a nick change; 406 for an unknown nick', async () => {
    const asker = await t.register('histq');
    const gone = await t.register('gone');
    await joinAll('#hist', asker, gone);
    gone.send('QUIT :bye');
    await asker.waitFor('QUIT');
    const rs = await replies(asker, '369', 'WHOWAS gone');
    assert.deepEqual(numerics(rs), ['314', '312', '369']);
    assert.deepEqual(rs[0]!.msg.params, ['histq', 'gone', 'gone', HOST, '*', 'gone Test']);
    assert.deepEqual(rs[1]!.msg.params.slice(0, 3), ['histq', 'gone', SERVER]);
    assert.deepEqual(rs[2]!.msg.params, ['histq', 'gone', 'End of WHOWAS']);

    const renamer = await t.register('oldname');
    renamer.send('NICK newname');
    await renamer.waitFor('NICK');
    const rn = await replies(asker, '369', 'WHOWAS oldname');
    assert.deepEqual(numerics(rn), ['314', '312', '369']);
    assert.deepEqual(rn[0]!.msg.params, ['histq', 'oldname', 'oldname', HOST, '*', 'oldname Test']);

    const none = await replies(asker, '369', 'WHOWAS neverhere');
    assert.deepEqual(
      none.map((r) => [r.msg.command, ...r.msg.params]),
      [
        ['406', 'histq', 'neverhere', 'There was no such nickname'],
        ['369', 'histq', 'neverhere', 'End of WHOWAS'],
      ],
    );
  });

  test('ISON and USERHOST', async () => {
    const c = await t.register('isq');
    await t.register('Bobby');
    c.send('ISON isq bobby nobody');
    assert.deepEqual((await c.waitFor('303')).msg.params, ['isq', 'isq Bobby']);
    c.send('ISON :nobody BOBBY');
    assert.deepEqual((await c.waitFor('303')).msg.params, ['isq', 'Bobby']);
    c.send('USERHOST bobby isq nobody');
    assert.deepEqual((await c.waitFor('302')).msg.params, ['isq', `Bobby=+Bobby@${HOST} isq=+isq@${HOST}`]);
  });

  test('nick changes and quits reach each neighbour once, and nobody else', async () => {
    const [ch, both, one, none] = await Promise.all(['changer', 'both', 'one', 'none'].map((n) => t.register(n)));
    await joinAll('#n1', ch!, both!, one!);
    await joinAll('#n2', ch!, both!);
    await joinAll('#n3', none!);
    const all = [ch!, both!, one!, none!];
    const nick = await during(ch!, all, () => ch!.send('NICK changed'));
    const line = `:changer!changer@${HOST} NICK changed`;
    assert.deepEqual(nick.map((rs) => rs.map((r) => r.raw)), [[line], [line], [line], []]);

    // The quitter cannot sync: wait for the QUIT to reach one neighbour, then sync the rest.
    const others = all.slice(1);
    const marks = others.map((c) => c.received.length);
    ch!.send('QUIT :see you');
    await both!.waitFor('QUIT');
    for (const c of others) await c.sync();
    const quit = others.map((c, i) => c.since(marks[i]!).map((r) => r.raw));
    const bye = `:changed!changer@${HOST} QUIT :Quit: see you`;
    assert.deepEqual(quit, [[bye], [bye], []]);
  });
});
