// Rooms over real sockets: JOIN, PART, TOPIC, NAMES, LIST, INVITE and KICK, with the
// numerics and parameters Modern IRC gives them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { is, join, mask, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** NAMES for one channel: the 353 lines and the names they hold. */
async function names(c: RawClient, nick: string, channel: string): Promise<{ lines: Received[]; nicks: string[] }> {
  c.send(`NAMES ${channel}`);
  const lines = (await until(c, is('366', nick, channel))).filter((r) => r.msg.command === '353');
  return { lines, nicks: lines.flatMap((r) => r.msg.params[3]!.split(' ')) };
}

/** LIST: the 322 lines by channel name. */
async function list(c: RawClient, ...params: string[]): Promise<Map<string, string[]>> {
  c.send(['LIST', ...params].join(' '));
  const lines = await until(c, is('323'));
  assert.deepEqual(lines[0]!.msg.params.slice(1), ['Channel', 'Users  Name']);
  assert.deepEqual(lines.at(-1)!.msg.params.slice(1), ['End of /LIST']);
  return new Map(lines.filter((r) => r.msg.command === '322').map((r) => [r.msg.params[1]!, r.msg.params.slice(2)]));
}

async function mode(c: RawClient, line: string): Promise<void> {
  c.send(`MODE ${line}`);
  await c.waitFor('MODE');
}

describe('channels', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('JOIN creates the room with its creator as op, keeping the name as typed', async () => {
    const a = await t.register('jn_alice');
    a.send('JOIN #Create');
    const echo = await a.waitFor('JOIN');
    assert.equal(echo.msg.source, mask('jn_alice'));
    assert.deepEqual(echo.msg.params, ['#Create']);
    const burst = await until(a, is('366'));
    assert.deepEqual(burst.map((r) => r.msg.command), ['353', '366'], 'no topic yet, so no 332');
    assert.deepEqual(burst[0]!.msg.params, ['jn_alice', '=', '#Create', '@jn_alice']);
    assert.deepEqual(burst[1]!.msg.params, ['jn_alice', '#Create', 'End of /NAMES list']);

    const b = await t.register('jn_bob');
    b.send('JOIN #cREATE');
    const bobEcho = await b.waitFor('JOIN');
    assert.deepEqual(bobEcho.msg.params, ['#Create'], 'matched case-insensitively, shown as created');
    const seen = await a.waitFor('JOIN');
    assert.equal(seen.msg.source, mask('jn_bob'));
    assert.deepEqual(seen.msg.params, ['#Create']);
    const n = await b.waitFor('353');
    assert.deepEqual(n.msg.params.slice(0, 3), ['jn_bob', '=', '#Create']);
    assert.deepEqual(n.msg.params[3]!.split(' ').sort(), ['@jn_alice', 'jn_bob']);
    await b.waitFor(is('366', 'jn_bob', '#Create'));

    b.send('JOIN #create'); // already there: nothing at all
    await b.sync();
    assert.deepEqual(b.drain().filter((r) => r.msg.command !== 'PONG'), []);
  });

  test('JOIN sends 332 and 333 when the room has a topic', async () => {
    const a = await t.register('jt_alice');
    await join(a, 'jt_alice', '#jtopic');
    a.send('TOPIC #jtopic :Welcome all');
    await a.waitFor('TOPIC');
    const b = await t.register('jt_bob');
    b.send('JOIN #jtopic');
    const burst = await until(b, is('366'));
    assert.deepEqual(burst.map((r) => r.msg.command), ['JOIN', '332', '333', '353', '366']);
    assert.deepEqual(burst[1]!.msg.params, ['jt_bob', '#jtopic', 'Welcome all']);
    assert.deepEqual(burst[2]!.msg.params.slice(0, 3), ['jt_bob', '#jtopic', mask('jt_alice')]);
    assert.ok(Math.abs(Number(burst[2]!.msg.params[3]) - Date.now() / 1000) < 60, burst[2]!.raw);
  });

  test('JOIN several rooms at once, with keys', async () => {
    const a = await t.register('jk_alice');
    a.send('JOIN #jk1,#jk2');
    for (const ch of ['#jk1', '#jk2']) {
      assert.deepEqual((await a.waitFor('JOIN')).msg.params, [ch]);
      await a.waitFor(is('366', 'jk_alice', ch));
    }
    await mode(a, '#jk1 +k one');
    await mode(a, '#jk2 +k two');
    const b = await t.register('jk_bob');
    b.send('JOIN #jk1,#jk2 one,two');
    await b.waitFor(is('366', 'jk_bob', '#jk1'));
    await b.waitFor(is('366', 'jk_bob', '#jk2'));
    const c = await t.register('jk_carol');
    c.send('JOIN #jk1,#jk2 one,wrong');
    await c.waitFor(is('366', 'jk_carol', '#jk1'));
    assert.deepEqual((await c.waitFor('475')).msg.params, ['jk_carol', '#jk2', 'Cannot join channel (+k)']);
  });

  test('JOIN 0 parts every room and the others see the PARTs', async () => {
    const a = await t.register('j0_alice');
    const b = await t.register('j0_bob');
    for (const ch of ['#j0a', '#j0b']) {
      await join(a, 'j0_alice', ch);
      await join(b, 'j0_bob', ch);
    }
    b.send('JOIN 0');
    for (const ch of ['#j0a', '#j0b']) {
      assert.deepEqual((await b.waitFor('PART')).msg.params, [ch]);
      const seen = await a.waitFor('PART');
      assert.equal(seen.msg.source, mask('j0_bob'));
      assert.deepEqual(seen.msg.params, [ch]);
    }
    assert.deepEqual((await names(a, 'j0_alice', '#j0a')).nicks, ['@j0_alice']);
  });

  test('invalid room names get 476 ERR_BADCHANMASK', async () => {
    const a = await t.register('bad_alice');
    const bad = ['foo', '#a\x07b', '#a:b', '#' + 'x'.repeat(64), '#'];
    for (const name of bad) {
      a.send(`JOIN ${name}`);
      assert.deepEqual((await a.waitFor('476')).msg.params, ['bad_alice', name, 'Bad Channel Mask']);
    }
    a.send('JOIN #okname,bare');
    assert.deepEqual((await a.waitFor('JOIN')).msg.params, ['#okname']);
    assert.deepEqual((await a.waitFor('476')).msg.params, ['bad_alice', 'bare', 'Bad Channel Mask']);
    const longest = '#' + 'y'.repeat(63); // exactly CHANNELLEN (64) is fine
    a.send(`JOIN ${longest}`);
    assert.deepEqual((await a.waitFor('JOIN')).msg.params, [longest]);
  });

  test('a name with a space still gets a well-formed 476', async () => {
    // It can only arrive as a trailing parameter; the reply must stay one line of three
    // parameters, <client> <channel> :Bad Channel Mask.
    const a = await t.register('sp_alice');
    a.send('JOIN :#has space');
    const r = await a.waitFor('476');
    assert.equal(r.msg.params.length, 3, r.raw);
    assert.equal(r.msg.params[0], 'sp_alice');
    assert.equal(r.msg.params[2], 'Bad Channel Mask');
  });

  test('+k, +l, +i and +b refuse JOIN; an invite gets past +i and +b', async () => {
    const op = await t.register('gate_op');
    await join(op, 'gate_op', '#gate');
    const x = await t.register('gate_x');
    await mode(op, '#gate +k sesame');
    x.send('JOIN #gate');
    assert.deepEqual((await x.waitFor('475')).msg.params, ['gate_x', '#gate', 'Cannot join channel (+k)']);
    x.send('JOIN #gate wrong');
    assert.deepEqual((await x.waitFor('475')).msg.params, ['gate_x', '#gate', 'Cannot join channel (+k)']);
    x.send('JOIN #gate sesame');
    await x.waitFor(is('366', 'gate_x', '#gate'));

    const y = await t.register('gate_y');
    await mode(op, '#gate -k+l sesame 2');
    y.send('JOIN #gate');
    assert.deepEqual((await y.waitFor('471')).msg.params, ['gate_y', '#gate', 'Cannot join channel (+l)']);

    await mode(op, '#gate -l+i');
    y.send('JOIN #gate');
    assert.deepEqual((await y.waitFor('473')).msg.params, ['gate_y', '#gate', 'Cannot join channel (+i)']);
    op.send('INVITE gate_y #gate');
    await y.waitFor('INVITE');
    await join(y, 'gate_y', '#gate');

    const z = await t.register('gate_z');
    await mode(op, '#gate -i+b gate_z');
    z.send('JOIN #gate');
    assert.deepEqual((await z.waitFor('474')).msg.params, ['gate_z', '#gate', 'Cannot join channel (+b)']);
    op.send('INVITE gate_z #gate');
    await z.waitFor('INVITE');
    await join(z, 'gate_z', '#gate');
  });

  test('PART, with and without a reason, and its errors', async () => {
    const a = await t.register('pt_alice');
    const b = await t.register('pt_bob');
    await join(a, 'pt_alice', '#part');
    await join(b, 'pt_bob', '#part');
    b.send('PART #part :gone fishing');
    assert.deepEqual((await b.waitFor('PART')).msg.params, ['#part', 'gone fishing']);
    const seen = await a.waitFor('PART');
    assert.equal(seen.msg.source, mask('pt_bob'));
    assert.deepEqual(seen.msg.params, ['#part', 'gone fishing']);
    await join(b, 'pt_bob', '#part');
    b.send('PART #part');
    assert.deepEqual((await a.waitFor('PART')).msg.params, ['#part']);
    b.send('PART #part');
    assert.deepEqual((await b.waitFor('442')).msg.params, ['pt_bob', '#part', "You're not on that channel"]);
    b.send('PART #nosuchroom');
    assert.deepEqual((await b.waitFor('403')).msg.params, ['pt_bob', '#nosuchroom', 'No such channel']);
  });

  test('an emptied room disappears: LIST drops it, the next joiner is op', async () => {
    const a = await t.register('em_alice');
    await join(a, 'em_alice', '#empty');
    assert.ok((await list(a, '#empty')).has('#empty'));
    a.send('PART #empty');
    await a.waitFor('PART');
    assert.equal((await list(a, '#empty')).size, 0);
    const b = await t.register('em_bob');
    await join(b, 'em_bob', '#EMPTY');
    assert.deepEqual((await names(b, 'em_bob', '#EMPTY')).nicks, ['@em_bob']);
  });

  test('TOPIC: query, set, +t, -t and non-members', async () => {
    const a = await t.register('tp_alice');
    const b = await t.register('tp_bob');
    const c = await t.register('tp_carol');
    await join(a, 'tp_alice', '#topic');
    await join(b, 'tp_bob', '#topic');
    a.send('TOPIC #topic');
    assert.deepEqual((await a.waitFor('331')).msg.params, ['tp_alice', '#topic', 'No topic is set']);

    a.send('TOPIC #topic :Hello world');
    for (const cl of [a, b]) {
      const r = await cl.waitFor('TOPIC');
      assert.equal(r.msg.source, mask('tp_alice'));
      assert.deepEqual(r.msg.params, ['#topic', 'Hello world']);
    }
    b.send('TOPIC #topic');
    assert.deepEqual((await b.waitFor('332')).msg.params, ['tp_bob', '#topic', 'Hello world']);
    const who = await b.waitFor('333');
    assert.deepEqual(who.msg.params.slice(0, 3), ['tp_bob', '#topic', mask('tp_alice')]);
    assert.match(who.msg.params[3]!, /^\d+$/);
    assert.ok(Math.abs(Number(who.msg.params[3]) - Date.now() / 1000) < 60);

    b.send('TOPIC #topic :mine now'); // +t is on by default
    assert.deepEqual((await b.waitFor('482')).msg.params, ['tp_bob', '#topic', "You're not channel operator"]);
    await mode(a, '#topic -t');
    await b.waitFor('MODE');
    b.send('TOPIC #topic :mine now');
    assert.deepEqual((await a.waitFor('TOPIC')).msg.params, ['#topic', 'mine now']);
    assert.deepEqual((await b.waitFor('TOPIC')).msg.params, ['#topic', 'mine now']);

    c.send('TOPIC #topic :outsider');
    assert.deepEqual((await c.waitFor('442')).msg.params, ['tp_carol', '#topic', "You're not on that channel"]);
    c.send('TOPIC #topic'); // a public room's topic may be read from outside
    assert.deepEqual((await c.waitFor('332')).msg.params, ['tp_carol', '#topic', 'mine now']);

    a.send('TOPIC #topic :');
    assert.deepEqual((await b.waitFor('TOPIC')).msg.params, ['#topic', '']);
    b.send('TOPIC #topic');
    assert.equal((await b.waitFor((r) => ['331', '332'].includes(r.msg.command))).msg.command, '331');
  });

  test('NAMES: prefixes, multi-prefix, userhost-in-names, unknown and secret rooms', async () => {
    const a = await t.register('nm_alice');
    const b = await t.register('nm_bob');
    await join(a, 'nm_alice', '#names');
    await join(b, 'nm_bob', '#names');
    await mode(a, '#names +ov nm_bob nm_bob');
    assert.deepEqual((await names(a, 'nm_alice', '#names')).nicks, ['@nm_alice', '@nm_bob']);
    const multi = await t.register('nm_multi', ['multi-prefix']);
    assert.deepEqual((await names(multi, 'nm_multi', '#names')).nicks, ['@nm_alice', '@+nm_bob']);
    const full = await t.register('nm_full', ['userhost-in-names']);
    const fullNames = await names(full, 'nm_full', '#names');
    assert.deepEqual(fullNames.nicks, ['@' + mask('nm_alice'), '@' + mask('nm_bob')]);
    assert.deepEqual(fullNames.lines[0]!.msg.params.slice(0, 3), ['nm_full', '=', '#names']);

    a.send('NAMES #nowhere');
    assert.deepEqual((await a.waitFor((r) => ['353', '366'].includes(r.msg.command))).msg.params, ['nm_alice', '#nowhere', 'End of /NAMES list']);

    await mode(a, '#names +s');
    const secret = await names(a, 'nm_alice', '#names');
    assert.equal(secret.lines[0]!.msg.params[1], '@', 'secret rooms use the @ symbol');
    assert.deepEqual((await names(multi, 'nm_multi', '#names')).lines, [], 'hidden from non-members');
  });

  test('a long member list is split over several 353 lines, each within 512 bytes', async () => {
    const channel = '#' + 'L'.repeat(63);
    const viewerNick = 'v'.repeat(30);
    const viewer = await t.register(viewerNick, ['userhost-in-names']);
    await join(viewer, viewerNick, channel);
    const nicks = Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(2, '0')}${'x'.repeat(16)}`);
    for (const nick of nicks) await join(await t.register(nick), nick, channel);
    const plain = await t.register('n'.repeat(30));
    await join(plain, 'n'.repeat(30), channel);
    for (const [c, nick] of [[viewer, viewerNick], [plain, 'n'.repeat(30)]] as const) {
      const { lines, nicks: got } = await names(c, nick, channel);
      assert.ok(lines.length > 1, 'split over several lines');
      for (const l of lines) assert.ok(Buffer.byteLength(l.raw) + 2 <= 512, `${Buffer.byteLength(l.raw)} bytes: ${l.raw}`);
      const bare = got.map((n) => n.replace(/^[@+]/, '').split('!')[0]);
      assert.deepEqual(bare.sort(), [...nicks, viewerNick, 'n'.repeat(30)].sort());
    }
  });

  test('LIST shows count and topic, hides secret rooms, filters by users and names', async () => {
    const a = await t.register('ls_alice');
    const b = await t.register('ls_bob');
    const c = await t.register('ls_carol');
    await join(a, 'ls_alice', '#ls1');
    for (const [cl, nick] of [[a, 'ls_alice'], [b, 'ls_bob']] as const) await join(cl, nick, '#ls2');
    for (const [cl, nick] of [[a, 'ls_alice'], [b, 'ls_bob'], [c, 'ls_carol']] as const) await join(cl, nick, '#ls3');
    a.send('TOPIC #ls2 :two of us');
    await a.waitFor('TOPIC');
    const all = await list(a);
    assert.deepEqual(all.get('#ls1'), ['1', '']);
    assert.deepEqual(all.get('#ls2'), ['2', 'two of us']);
    assert.deepEqual(all.get('#ls3'), ['3', '']);

    const more = await list(a, '>1');
    assert.deepEqual(['#ls1', '#ls2', '#ls3'].map((ch) => more.has(ch)), [false, true, true]);
    const fewer = await list(a, '<3');
    assert.deepEqual(['#ls1', '#ls2', '#ls3'].map((ch) => fewer.has(ch)), [true, true, false]);
    assert.deepEqual([...(await list(a, '#LS1,#ls3')).keys()].sort(), ['#ls1', '#ls3']);

    await mode(a, '#ls1 +s');
    const d = await t.register('ls_dave');
    assert.equal((await list(d)).has('#ls1'), false);
    assert.equal((await list(d, '#ls1')).size, 0);
    assert.deepEqual((await list(a, '#ls1')).get('#ls1'), ['1', '']);
  });

  test('INVITE: 341, the invitation, and its errors', async () => {
    const a = await t.register('iv_alice');
    const b = await t.register('iv_bob');
    const c = await t.register('iv_carol');
    await join(a, 'iv_alice', '#inv');
    await join(c, 'iv_carol', '#inv');
    await mode(a, '#inv +i');
    a.send('INVITE iv_bob #inv');
    assert.deepEqual((await a.waitFor('341')).msg.params, ['iv_alice', 'iv_bob', '#inv']);
    const inv = await b.waitFor('INVITE');
    assert.equal(inv.msg.source, mask('iv_alice'));
    assert.deepEqual(inv.msg.params, ['iv_bob', '#inv']);
    await join(b, 'iv_bob', '#inv');

    a.send('INVITE iv_carol #inv');
    assert.deepEqual((await a.waitFor('443')).msg.params, ['iv_alice', 'iv_carol', '#inv', 'is already on channel']);
    const d = await t.register('iv_dave');
    d.send('INVITE iv_alice #inv');
    assert.deepEqual((await d.waitFor('442')).msg.params, ['iv_dave', '#inv', "You're not on that channel"]);
    c.send('INVITE iv_dave #inv');
    assert.deepEqual((await c.waitFor('482')).msg.params, ['iv_carol', '#inv', "You're not channel operator"]);
    a.send('INVITE iv_ghost #inv');
    assert.deepEqual((await a.waitFor('401')).msg.params, ['iv_alice', 'iv_ghost', 'No such nick/channel']);
  });

  test('invite-notify: other operators with the capability see the INVITE', async () => {
    const a = await t.register('in_alice');
    const watcher = await t.register('in_watch', ['invite-notify']);
    const plainOp = await t.register('in_plain');
    const member = await t.register('in_member', ['invite-notify']);
    for (const [cl, nick] of [[a, 'in_alice'], [watcher, 'in_watch'], [plainOp, 'in_plain'], [member, 'in_member']] as const) {
      await join(cl, nick, '#notify');
    }
    await mode(a, '#notify +oo in_watch in_plain');
    const target = await t.register('in_target');
    a.send('INVITE in_target #notify');
    await target.waitFor('INVITE');
    const seen = await watcher.waitFor('INVITE');
    assert.equal(seen.msg.source, mask('in_alice'));
    assert.deepEqual(seen.msg.params, ['in_target', '#notify']);
    for (const cl of [plainOp, member]) {
      await cl.sync();
      assert.equal(cl.drain().some((r) => r.msg.command === 'INVITE'), false);
    }
  });

  test('KICK: everyone sees it, default reason, errors, and the target may rejoin', async () => {
    const a = await t.register('kk_alice');
    const b = await t.register('kk_bob');
    const c = await t.register('kk_carol');
    for (const [cl, nick] of [[a, 'kk_alice'], [b, 'kk_bob'], [c, 'kk_carol']] as const) await join(cl, nick, '#kick');
    a.send('KICK #kick kk_bob :behave');
    for (const cl of [a, b, c]) {
      const k = await cl.waitFor('KICK');
      assert.equal(k.msg.source, mask('kk_alice'));
      assert.deepEqual(k.msg.params, ['#kick', 'kk_bob', 'behave']);
    }
    assert.deepEqual((await names(c, 'kk_carol', '#kick')).nicks.sort(), ['@kk_alice', 'kk_carol']);
    await join(b, 'kk_bob', '#kick');
    a.send('KICK #kick kk_bob');
    assert.deepEqual((await b.waitFor('KICK')).msg.params, ['#kick', 'kk_bob', 'kk_alice']);

    c.send('KICK #kick kk_alice');
    assert.deepEqual((await c.waitFor('482')).msg.params, ['kk_carol', '#kick', "You're not channel operator"]);
    a.send('KICK #kick kk_bob');
    assert.deepEqual((await a.waitFor('441')).msg.params, ['kk_alice', 'kk_bob', '#kick', "They aren't on that channel"]);
    a.send('KICK #nokick kk_bob');
    assert.deepEqual((await a.waitFor('403')).msg.params, ['kk_alice', '#nokick', 'No such channel']);
    b.send('KICK #kick kk_carol');
    assert.deepEqual((await b.waitFor('442')).msg.params, ['kk_bob', '#kick', "You're not on that channel"]);
  });
});

describe('channels with small limits', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { channelsPerUser: 2, topicLength: 10 } });
  });
  after(() => t.close());

  test('joining more rooms than CHANLIMIT gets 405', async () => {
    const a = await t.register('many');
    a.send('JOIN #m1,#m2,#m3');
    await a.waitFor(is('366', 'many', '#m2'));
    assert.deepEqual((await a.waitFor('405')).msg.params, ['many', '#m3', 'You have joined too many channels']);
    a.send('PART #m1', 'JOIN #m3');
    await a.waitFor(is('366', 'many', '#m3'));
  });

  test('a topic is cut at TOPICLEN, never inside a character', async () => {
    const a = await t.register('short');
    await join(a, 'short', '#short');
    a.send('TOPIC #short :0123456789abcdef');
    assert.deepEqual((await a.waitFor('TOPIC')).msg.params, ['#short', '0123456789']);
    a.send('TOPIC #short :012345678\u{1F600}');
    assert.deepEqual((await a.waitFor('TOPIC')).msg.params, ['#short', '012345678']);
  });
});
