// MODE over real sockets: channel modes (status o/v, flags imnst, k, l, the ban list) and
// user modes (i, w), with the numerics Modern IRC gives them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { is, join, mask, until } from '../helpers/irc.ts';
import type { RawClient } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** Registers each nick and joins it to `channel`, the first one creating it (and so op). */
async function room(t: TestServer, channel: string, ...nicks: string[]): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (const nick of nicks) {
    const c = await t.register(nick);
    await join(c, nick, channel);
    clients.push(c);
  }
  // Everyone has seen every JOIN before the test goes on.
  for (let i = 0; i < clients.length; i++) {
    for (const nick of nicks.slice(i + 1)) await clients[i]!.waitFor((r) => r.msg.command === 'JOIN' && r.msg.source === mask(nick));
  }
  return clients;
}

/** Sends MODE and returns the echoed MODE parameters. */
async function mode(c: RawClient, line: string): Promise<string[]> {
  c.send(`MODE ${line}`);
  return (await c.waitFor('MODE')).msg.params;
}

/** 324 for the channel: [modes, ...args]. */
async function modeIs(c: RawClient, channel: string): Promise<string[]> {
  c.send(`MODE ${channel}`);
  return (await c.waitFor('324')).msg.params.slice(2);
}

async function names(c: RawClient, channel: string): Promise<string[]> {
  c.send(`NAMES ${channel}`);
  const lines = await until(c, is('366'));
  return lines.filter((r) => r.msg.command === '353').flatMap((r) => r.msg.params[3]!.split(' '));
}

/** Asserts that nothing but the sync PONG arrived. */
async function nothingMore(c: RawClient): Promise<void> {
  await c.sync();
  assert.deepEqual(c.drain().filter((r) => r.msg.command !== 'PONG').map((r) => r.raw), []);
}

describe('channel modes', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('MODE #room gives 324 (+nt by default) and 329', async () => {
    const [a] = await room(t, '#mq', 'mq_alice');
    a!.send('MODE #mq');
    assert.deepEqual((await a!.waitFor('324')).msg.params, ['mq_alice', '#mq', '+nt']);
    const created = await a!.waitFor('329');
    assert.deepEqual(created.msg.params.slice(0, 2), ['mq_alice', '#mq']);
    assert.ok(Math.abs(Number(created.msg.params[2]) - Date.now() / 1000) < 60, created.raw);
    a!.send('MODE #nosuchmode');
    assert.deepEqual((await a!.waitFor('403')).msg.params, ['mq_alice', '#nosuchmode', 'No such channel']);
  });

  test('+o -o +v -v by an op reach everyone; non-ops, strangers and ghosts are refused', async () => {
    const [a, b, c] = await room(t, '#ov', 'ov_alice', 'ov_bob', 'ov_carol');
    for (const change of ['+o', '-o', '+v', '-v']) {
      a!.send(`MODE #ov ${change} ov_bob`);
      for (const cl of [a!, b!, c!]) {
        const r = await cl.waitFor('MODE');
        assert.equal(r.msg.source, mask('ov_alice'));
        assert.deepEqual(r.msg.params, ['#ov', change, 'ov_bob']);
      }
      if (change === '+o') assert.ok((await names(c!, '#ov')).includes('@ov_bob'));
      if (change === '+v') assert.ok((await names(c!, '#ov')).includes('+ov_bob'));
    }
    assert.deepEqual((await names(c!, '#ov')).sort(), ['@ov_alice', 'ov_bob', 'ov_carol']);

    c!.send('MODE #ov +o ov_carol');
    assert.deepEqual((await c!.waitFor('482')).msg.params, ['ov_carol', '#ov', "You're not channel operator"]);
    await t.register('ov_dave');
    a!.send('MODE #ov +o ov_dave');
    assert.deepEqual((await a!.waitFor('441')).msg.params, ['ov_alice', 'ov_dave', '#ov', "They aren't on that channel"]);
    a!.send('MODE #ov +v ov_ghost');
    assert.deepEqual((await a!.waitFor('401')).msg.params, ['ov_alice', 'ov_ghost', 'No such nick/channel']);
    for (const cl of [b!, c!]) await nothingMore(cl);
  });

  test('flags +i +m +n +s +t are set and unset', async () => {
    const [a, b] = await room(t, '#fl', 'fl_alice', 'fl_bob');
    assert.deepEqual(await mode(a!, '#fl +ims'), ['#fl', '+ims']);
    assert.deepEqual((await b!.waitFor('MODE')).msg.params, ['#fl', '+ims']);
    assert.deepEqual(await modeIs(b!, '#fl'), ['+imnst']);
    assert.deepEqual(await mode(a!, '#fl -imnst'), ['#fl', '-imnst']);
    assert.deepEqual(await modeIs(a!, '#fl'), ['+']);
    assert.deepEqual(await mode(a!, '#fl +nt'), ['#fl', '+nt']);
    b!.send('MODE #fl +m');
    assert.deepEqual((await b!.waitFor('482')).msg.params, ['fl_bob', '#fl', "You're not channel operator"]);
  });

  test('+m silences the unvoiced; -n lets outsiders speak', async () => {
    const [a, b, c] = await room(t, '#mod', 'md_alice', 'md_bob', 'md_carol');
    await mode(a!, '#mod +mv md_carol');
    b!.send('PRIVMSG #mod :may I?');
    const refused = await b!.waitFor('404');
    assert.deepEqual(refused.msg.params.slice(0, 2), ['md_bob', '#mod']);
    c!.send('PRIVMSG #mod :voiced');
    assert.deepEqual((await a!.waitFor('PRIVMSG')).msg.params, ['#mod', 'voiced']);
    assert.deepEqual((await b!.waitFor('PRIVMSG')).msg.params, ['#mod', 'voiced']);
    a!.send('PRIVMSG #mod :op speaks');
    assert.deepEqual((await b!.waitFor('PRIVMSG')).msg.params, ['#mod', 'op speaks']);
    await mode(a!, '#mod -m');

    const out = await t.register('md_out');
    out.send('PRIVMSG #mod :from outside');
    assert.deepEqual((await out.waitFor('404')).msg.params.slice(0, 2), ['md_out', '#mod']);
    await mode(a!, '#mod -n');
    out.send('PRIVMSG #mod :from outside');
    const heard = await b!.waitFor('PRIVMSG');
    assert.equal(heard.msg.source, mask('md_out'));
    assert.deepEqual(heard.msg.params, ['#mod', 'from outside']);
  });

  test('+k sets a key shown to members, -k removes it', async () => {
    const [a, b] = await room(t, '#key', 'ky_alice', 'ky_bob');
    assert.deepEqual(await mode(a!, '#key +k s3cret'), ['#key', '+k', 's3cret']);
    assert.deepEqual((await b!.waitFor('MODE')).msg.params, ['#key', '+k', 's3cret']);
    assert.deepEqual(await modeIs(b!, '#key'), ['+ntk', 's3cret']);
    const out = await t.register('ky_out');
    const hidden = await modeIs(out, '#key');
    assert.equal(hidden[0], '+ntk');
    assert.notEqual(hidden[1], 's3cret', 'the key is not shown to non-members');
    const removed = await mode(a!, '#key -k s3cret');
    assert.deepEqual(removed.slice(0, 2), ['#key', '-k']);
    assert.deepEqual(await modeIs(a!, '#key'), ['+nt']);
  });

  test('+l sets a limit, a non-number gets 696, unknown letters get 472', async () => {
    const [a] = await room(t, '#lim', 'lm_alice');
    assert.deepEqual(await mode(a!, '#lim +l 2'), ['#lim', '+l', '2']);
    assert.deepEqual(await modeIs(a!, '#lim'), ['+ntl', '2']);
    a!.send('MODE #lim +l many');
    assert.deepEqual((await a!.waitFor('696')).msg.params, ['lm_alice', '#lim', 'l', 'many', 'Invalid limit']);
    assert.deepEqual(await mode(a!, '#lim -l'), ['#lim', '-l']);
    a!.send('MODE #lim +z');
    assert.deepEqual((await a!.waitFor('472')).msg.params, ['lm_alice', 'z', 'is unknown mode char to me']);
    await nothingMore(a!);
  });

  test('+b adds a normalized mask, lists it with 367/368, keeps the banned out; -b lifts it', async () => {
    const [a, b] = await room(t, '#ban', 'bn_alice', 'bn_bob');
    assert.deepEqual(await mode(a!, '#ban +b bn_bob'), ['#ban', '+b', 'bn_bob!*@*']);
    assert.deepEqual((await b!.waitFor('MODE')).msg.params, ['#ban', '+b', 'bn_bob!*@*']);
    for (const query of ['#ban +b', '#ban b']) {
      b!.send(`MODE ${query}`);
      const entry = await b!.waitFor('367');
      assert.deepEqual(entry.msg.params.slice(0, 4), ['bn_bob', '#ban', 'bn_bob!*@*', mask('bn_alice')]);
      assert.ok(Math.abs(Number(entry.msg.params[4]) - Date.now() / 1000) < 60, entry.raw);
      assert.deepEqual((await b!.waitFor((r) => ['367', '368'].includes(r.msg.command))).msg.params, ['bn_bob', '#ban', 'End of channel ban list']);
    }

    b!.send('PRIVMSG #ban :hello?');
    assert.deepEqual((await b!.waitFor('404')).msg.params.slice(0, 2), ['bn_bob', '#ban']);
    b!.send('PART #ban', 'JOIN #ban');
    assert.deepEqual((await b!.waitFor('474')).msg.params, ['bn_bob', '#ban', 'Cannot join channel (+b)']);

    assert.deepEqual(await mode(a!, '#ban -b bn_bob'), ['#ban', '-b', 'bn_bob!*@*']);
    a!.send('MODE #ban b');
    assert.deepEqual((await a!.waitFor((r) => ['367', '368'].includes(r.msg.command))).msg.command, '368');
    b!.send('JOIN #ban');
    await b!.waitFor(is('366', 'bn_bob', '#ban'));
  });

  test('several changes in one command give one MODE line', async () => {
    const [a, b] = await room(t, '#multi', 'mu_alice', 'mu_bob');
    await mode(a!, '#multi -nt+l 5');
    await b!.waitFor('MODE');
    assert.deepEqual(await mode(a!, '#multi +ntk-l key'), ['#multi', '+ntk-l', 'key']);
    const seen = await b!.waitFor('MODE');
    assert.deepEqual(seen.msg.params, ['#multi', '+ntk-l', 'key']);
    await nothingMore(b!);
    assert.deepEqual(await modeIs(a!, '#multi'), ['+ntk', 'key']);
  });

  test('a change that changes nothing sends nothing', async () => {
    const [a, b] = await room(t, '#noop', 'no_alice', 'no_bob');
    a!.send('MODE #noop +o no_alice', 'MODE #noop +nt', 'MODE #noop -v no_bob', 'MODE #noop -k', 'MODE #noop -l');
    await nothingMore(a!);
    await nothingMore(b!);
    // Letters apply in order: what a later letter undoes in the same command is no change.
    a!.send('MODE #noop +m-m', 'MODE #noop +v-v no_bob no_bob', 'MODE #noop +k-k key');
    await nothingMore(a!);
    await nothingMore(b!);
    assert.deepEqual(await modeIs(b!, '#noop'), ['+nt']);
    assert.deepEqual(await mode(a!, '#noop +v-v+v no_bob no_bob no_bob'), ['#noop', '+v', 'no_bob']);
    assert.deepEqual((await b!.waitFor('MODE')).msg.params, ['#noop', '+v', 'no_bob']);
  });

  test('invisible users are hidden from NAMES and WHO for those who share no room', async () => {
    const [a, shy] = await room(t, '#inv', 'iv_alice', 'iv_shy');
    await mode(shy!, 'iv_shy +i');
    const out = await t.register('iv_out');
    assert.deepEqual(await names(out, '#inv'), ['@iv_alice']);
    assert.deepEqual((await names(a!, '#inv')).sort(), ['@iv_alice', 'iv_shy']);
    for (const query of ['#inv', '*']) {
      out.send(`WHO ${query}`);
      const lines = await until(out, is('315'));
      assert.equal(lines.some((r) => r.msg.command === '352' && r.msg.params[5] === 'iv_shy'), false, query);
    }
    a!.send('WHO #inv');
    const lines = await until(a!, is('315'));
    assert.ok(lines.some((r) => r.msg.command === '352' && r.msg.params[5] === 'iv_shy'));
  });
});

describe('ban list limit', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ limits: { bansPerChannel: 2 } });
  });
  after(() => t.close());

  test('bans beyond MAXLIST get 478', async () => {
    const [a] = await room(t, '#full', 'fu_alice');
    a!.send('MODE #full +bbb one two three');
    // Refusals come as the modes are read; the MODE line with what took effect, after.
    assert.deepEqual((await a!.waitFor('478')).msg.params, ['fu_alice', '#full', 'b', 'Channel ban list is full']);
    assert.deepEqual((await a!.waitFor('MODE')).msg.params, ['#full', '+bb', 'one!*@*', 'two!*@*']);
    a!.send('MODE #full +b four');
    assert.deepEqual((await a!.waitFor('478')).msg.params, ['fu_alice', '#full', 'b', 'Channel ban list is full']);
    a!.send('MODE #full b');
    const list = (await until(a!, is('368'))).filter((r) => r.msg.command === '367').map((r) => r.msg.params[2]);
    assert.deepEqual(list, ['one!*@*', 'two!*@*']);
  });
});

describe('user modes', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('MODE nick shows, sets and refuses user modes', async () => {
    const a = await t.register('um_alice');
    await t.register('um_bob');
    a.send('MODE um_alice');
    assert.deepEqual((await a.waitFor('221')).msg.params, ['um_alice', '+']);
    a.send('MODE um_alice +i');
    const echo = await a.waitFor('MODE');
    assert.deepEqual(echo.msg.params, ['um_alice', '+i']);
    a.send('MODE um_alice');
    assert.deepEqual((await a.waitFor('221')).msg.params, ['um_alice', '+i']);

    a.send('MODE um_bob +i');
    assert.deepEqual((await a.waitFor('502')).msg.params.slice(0, 1), ['um_alice']);
    a.send('MODE um_alice +o'); // operator status comes only from OPER
    await nothingMore(a);
    a.send('MODE um_alice +Z');
    assert.deepEqual((await a.waitFor('501')).msg.params, ['um_alice', 'Unknown MODE flag']);
    a.send('MODE um_alice -i');
    assert.deepEqual((await a.waitFor('MODE')).msg.params, ['um_alice', '-i']);
    a.send('MODE um_alice');
    assert.deepEqual((await a.waitFor('221')).msg.params, ['um_alice', '+']);
  });
});
