// PRIVMSG and NOTICE over real sockets: to rooms, to people, to several targets, UTF-8 text,
// every error numeric (and NOTICE's silence), RPL_AWAY, STATUSMSG and messages to oneself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { duringRaw, joinAll, mask, settle } from '../helpers/irc.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TARGETS_PER_MESSAGE = 3;

describe('PRIVMSG and NOTICE', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { targetsPerMessage: TARGETS_PER_MESSAGE } });
  });
  after(() => t.close());

  test('a room message reaches every member but the sender, exactly', async () => {
    const [ann, ben, cat, out] = await Promise.all(['ann', 'ben', 'cat', 'out'].map((n) => t.register(n)));
    await joinAll('#room', ann!, ben!, cat!);
    const [a, b, c, o] = await duringRaw(ann!, [ann!, ben!, cat!, out!], () => ann!.send('PRIVMSG #room :hello everyone'));
    const line = `:${mask('ann')} PRIVMSG #room :hello everyone`;
    assert.deepEqual(b, [line]);
    assert.deepEqual(c, [line]);
    assert.deepEqual(a, [], 'no copy to the sender without echo-message');
    assert.deepEqual(o, [], 'nothing to a non-member');

    const [a2, b2, c2] = await duringRaw(ben!, [ann!, ben!, cat!], () => ben!.send('NOTICE #room :a notice'));
    assert.deepEqual(a2, [`:${mask('ben')} NOTICE #room :a notice`]);
    assert.deepEqual(c2, [`:${mask('ben')} NOTICE #room :a notice`]);
    assert.deepEqual(b2, []);
  });

  test('private messages go both ways', async () => {
    const amy = await t.register('amy');
    const bo = await t.register('bo');
    amy.send('PRIVMSG bo :hi bo, how are you?');
    assert.equal((await bo.waitFor('PRIVMSG')).raw, `:${mask('amy')} PRIVMSG bo :hi bo, how are you?`);
    bo.send('PRIVMSG amy :fine, thanks');
    assert.equal((await amy.waitFor('PRIVMSG')).raw, `:${mask('bo')} PRIVMSG amy :fine, thanks`);
    bo.send('NOTICE amy :a private notice');
    assert.equal((await amy.waitFor('NOTICE')).raw, `:${mask('bo')} NOTICE amy :a private notice`);
    // The nick is matched case-insensitively.
    amy.send('PRIVMSG BO :loud');
    const loud = await bo.waitFor('PRIVMSG');
    assert.equal(loud.msg.source, mask('amy'));
    assert.equal(loud.msg.params[1], 'loud');
  });

  test('one PRIVMSG to a room and a nick reaches both', async () => {
    const [al, bob, cy] = await Promise.all(['al', 'bob', 'cy'].map((n) => t.register(n)));
    await joinAll('#a', al!, cy!);
    const [a, b, c] = await duringRaw(al!, [al!, bob!, cy!], () => al!.send('PRIVMSG #a,bob :hi both'));
    assert.deepEqual(a, []);
    assert.deepEqual(b, [`:${mask('al')} PRIVMSG bob :hi both`]);
    assert.deepEqual(c, [`:${mask('al')} PRIVMSG #a :hi both`]);
  });

  test('Chinese and emoji text arrives byte-exact, in rooms and in private', async () => {
    const [zh, em] = await Promise.all(['zh', 'em'].map((n) => t.register(n)));
    await joinAll('#utf8', zh!, em!);
    const text = '你好，世界 😀👍🏽';
    const expectedRoom = Buffer.from(`:${mask('zh')} PRIVMSG #utf8 :${text}`, 'utf8');
    zh!.writeRaw(Buffer.from(`PRIVMSG #utf8 :${text}\r\n`, 'utf8'));
    const room = await em!.waitFor('PRIVMSG');
    assert.deepEqual(Buffer.from(room.raw, 'utf8'), expectedRoom);
    assert.equal(room.msg.params[1], text);

    em!.writeRaw(Buffer.from(`NOTICE zh :${text} — ok\r\n`, 'utf8'));
    const priv = await zh!.waitFor('NOTICE');
    assert.deepEqual(Buffer.from(priv.raw, 'utf8'), Buffer.from(`:${mask('em')} NOTICE zh :${text} — ok`, 'utf8'));
  });

  test('PRIVMSG errors: 411, 412, 401, 403, 404, 407', async () => {
    const [err, dst, own] = await Promise.all(['err', 'dst', 'own'].map((n) => t.register(n)));
    await joinAll('#closed', own!, dst!);

    err!.send('PRIVMSG');
    assert.deepEqual((await err!.waitFor('411')).msg.params, ['err', 'No recipient given (PRIVMSG)']);
    err!.send('PRIVMSG dst');
    assert.deepEqual((await err!.waitFor('412')).msg.params, ['err', 'No text to send']);
    err!.send('PRIVMSG dst :');
    assert.deepEqual((await err!.waitFor('412')).msg.params, ['err', 'No text to send']);
    err!.send('PRIVMSG nobody :hello?');
    assert.deepEqual((await err!.waitFor('401')).msg.params.slice(0, 2), ['err', 'nobody']);
    err!.send('PRIVMSG #nowhere :hello?');
    assert.deepEqual((await err!.waitFor('403')).msg.params.slice(0, 2), ['err', '#nowhere']);

    // Rooms are +n from the start: outsiders cannot speak in them.
    const [e, d, o] = await duringRaw(err!, [err!, dst!, own!], () => err!.send('PRIVMSG #closed :let me in'));
    assert.equal(e.length, 1, e.join('\n'));
    assert.match(e[0]!, /^:test\.parlor 404 err #closed :/);
    assert.deepEqual(d, []);
    assert.deepEqual(o, []);

    // Too many targets: the whole command is refused, nobody gets anything.
    const [e2, d2] = await duringRaw(err!, [err!, dst!], () => err!.send('PRIVMSG dst,own,#closed,err :spam'));
    assert.equal(e2.length, 1, e2.join('\n'));
    assert.match(e2[0]!, /^:test\.parlor 407 err \S+ :/);
    assert.deepEqual(d2, []);

    // A bad target does not stop the good ones.
    const [e3, d3] = await duringRaw(err!, [err!, dst!], () => err!.send('PRIVMSG nobody,dst :still here'));
    assert.equal(e3.length, 1, e3.join('\n'));
    assert.match(e3[0]!, /^:test\.parlor 401 err nobody :/);
    assert.deepEqual(d3, [`:${mask('err')} PRIVMSG dst :still here`]);
  });

  test('NOTICE never draws an error reply', async () => {
    const [ntc, mem] = await Promise.all(['ntc', 'mem'].map((n) => t.register(n)));
    await joinAll('#ntc', mem!);
    const [n, m] = await duringRaw(ntc!, [ntc!, mem!], () =>
      ntc!.send(
        'NOTICE',
        'NOTICE mem',
        'NOTICE mem :',
        'NOTICE nobody :x',
        'NOTICE #nowhere :x',
        'NOTICE #ntc :not a member',
        'NOTICE mem,ntc,nobody,#ntc :too many',
      ),
    );
    assert.deepEqual(n, []);
    assert.deepEqual(m, []);
  });

  test('PRIVMSG to an away user answers RPL_AWAY; NOTICE does not', async () => {
    const [snd, afk] = await Promise.all(['snd', 'afk'].map((n) => t.register(n)));
    afk!.send('AWAY :out for lunch');
    await afk!.waitFor('306');
    snd!.send('PRIVMSG afk :are you there?');
    assert.deepEqual((await snd!.waitFor('301')).msg.params, ['snd', 'afk', 'out for lunch']);
    assert.equal((await afk!.waitFor('PRIVMSG')).raw, `:${mask('snd')} PRIVMSG afk :are you there?`);

    const [s] = await duringRaw(snd!, [snd!], () => snd!.send('NOTICE afk :just so you know'));
    assert.deepEqual(s, []);
    afk!.send('AWAY');
    await afk!.waitFor('305');
    const [s2] = await duringRaw(snd!, [snd!], () => snd!.send('PRIVMSG afk :back?'));
    assert.deepEqual(s2, []);
  });

  test('STATUSMSG: @#room reaches only operators, +#room voiced members and operators', async () => {
    const [op, vo, pl, pl2] = await Promise.all(['op', 'vo', 'pl', 'pl2'].map((n) => t.register(n)));
    await joinAll('#status', op!, vo!, pl!, pl2!);
    op!.send('MODE #status +v vo');
    await vo!.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[2] === 'vo');
    const all = [op!, vo!, pl!, pl2!];
    await settle(...all);

    const [o, v, p, p2] = await duringRaw(pl!, all, () => pl!.send('PRIVMSG @#status :ops only'));
    assert.deepEqual(o, [`:${mask('pl')} PRIVMSG @#status :ops only`]);
    assert.deepEqual(v, []);
    assert.deepEqual(p, []);
    assert.deepEqual(p2, []);

    const [o2, v2, pp, pp2] = await duringRaw(pl!, all, () => pl!.send('NOTICE +#status :voice and up'));
    assert.deepEqual(o2, [`:${mask('pl')} NOTICE +#status :voice and up`]);
    assert.deepEqual(v2, [`:${mask('pl')} NOTICE +#status :voice and up`]);
    assert.deepEqual(pp, []);
    assert.deepEqual(pp2, []);

    // Outsiders may not use the prefix to get past +n.
    const stranger = await t.register('stranger');
    const [s, o3] = await duringRaw(stranger, [stranger, op!], () => stranger.send('PRIVMSG @#status :hi ops'));
    assert.equal(s.length, 1, s.join('\n'));
    assert.match(s[0]!, / 404 stranger /);
    assert.deepEqual(o3, []);
  });

  test('a message to oneself comes back once', async () => {
    const me = await t.register('me');
    const [m] = await duringRaw(me, [me], () => me.send('PRIVMSG me :note to self', 'NOTICE ME :another one'));
    assert.deepEqual(m, [`:${mask('me')} PRIVMSG me :note to self`, `:${mask('me')} NOTICE me :another one`]);
  });

  test('a moderated room (+m) refuses members without voice with 404', async () => {
    const [mo, mu] = await Promise.all(['mo', 'mu'].map((n) => t.register(n)));
    await joinAll('#quiet', mo!, mu!);
    mo!.send('MODE #quiet +m');
    await mu!.waitFor((r) => r.msg.command === 'MODE' && r.msg.params[1] === '+m');
    await settle(mo!, mu!);
    const [u, o] = await duringRaw(mu!, [mu!, mo!], () => mu!.send('PRIVMSG #quiet :can I speak?'));
    assert.equal(u.length, 1, u.join('\n'));
    assert.match(u[0]!, /^:test\.parlor 404 mu #quiet :/);
    assert.deepEqual(o, []);
  });
});
