// Connection registration over real sockets: PASS, NICK, USER, the welcome burst (001–005,
// LUSERS, MOTD), the errors of each step, and nick changes afterwards.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const isNumeric = (code: string) => (r: Received) => r.msg.command === code;

describe('registration', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { network: 'TestNet', motd: 'Line one\nLine two' }, limits: { nickLength: 12 } });
  });
  after(() => t.close());

  test('NICK then USER gives the whole welcome burst', async () => {
    const c = await t.connect();
    c.send('NICK amy', 'USER amyuser 0 * :Amy Example');
    const welcome = await c.waitFor('001');
    assert.equal(welcome.msg.source, 'test.parlor');
    assert.equal(welcome.msg.params.length, 2);
    assert.equal(welcome.msg.params[0], 'amy');
    assert.match(welcome.msg.params[1]!, /TestNet/);
    assert.ok(welcome.msg.params[1]!.includes('amy!amyuser@127.0.0.1'), welcome.raw);

    const yourHost = await c.waitFor('002');
    assert.equal(yourHost.msg.params[0], 'amy');
    assert.match(yourHost.msg.params[1]!, /test\.parlor/);
    const created = await c.waitFor('003');
    assert.equal(created.msg.params[0], 'amy');

    const myInfo = await c.waitFor('004');
    const [client, server, version, userModes, chanModes] = myInfo.msg.params;
    assert.equal(client, 'amy');
    assert.equal(server, 'test.parlor');
    assert.ok(version && version.length > 0);
    for (const m of 'io') assert.ok(userModes!.includes(m), `user modes ${userModes}`);
    for (const m of 'biklmnst') assert.ok(chanModes!.includes(m), `channel modes ${chanModes}`);

    const tokens = new Map<string, string>();
    let isupport = await c.waitFor('005');
    for (let i = 0; i < 10 && isupport.msg.command === '005'; i++) {
      const p = isupport.msg.params;
      assert.equal(p[0], 'amy');
      assert.equal(p.at(-1), 'are supported by this server');
      assert.ok(p.length <= 15, 'at most 13 tokens per line');
      for (const tok of p.slice(1, -1)) {
        const eq = tok.indexOf('=');
        tokens.set(eq === -1 ? tok : tok.slice(0, eq), eq === -1 ? '' : tok.slice(eq + 1));
      }
      isupport = await c.waitFor(() => true);
    }
    assert.equal(tokens.get('CASEMAPPING'), 'rfc1459');
    assert.equal(tokens.get('CHANTYPES'), '#');
    assert.equal(tokens.get('PREFIX'), '(ov)@+');
    assert.equal(tokens.get('CHANMODES'), 'beI,k,l,imnst');
    assert.equal(tokens.get('NICKLEN'), '12');
    assert.equal(tokens.get('CHANNELLEN'), '64');
    assert.equal(tokens.get('TOPICLEN'), '390');
    assert.equal(tokens.get('NETWORK'), 'TestNet');

    // LUSERS follows ISUPPORT: the line after the last 005 is 251.
    assert.equal(isupport.msg.command, '251');
    assert.match(isupport.msg.params[1]!, /There are \d+ users and \d+ invisible on 1 servers/);
    assert.deepEqual((await c.waitFor('252')).msg.params.slice(1), ['0', 'operator(s) online']);
    assert.deepEqual((await c.waitFor('253')).msg.params.slice(2), ['unknown connection(s)']);
    assert.deepEqual((await c.waitFor('254')).msg.params.slice(2), ['channels formed']);
    assert.match((await c.waitFor('255')).msg.params[1]!, /I have \d+ clients and 1 servers/);
    const local = await c.waitFor('265');
    assert.match(local.msg.params[1]!, /^\d+$/);
    assert.match(local.msg.params[2]!, /^\d+$/);
    assert.ok(Number(local.msg.params[1]) >= 1);
    const global = await c.waitFor('266');
    assert.ok(Number(global.msg.params[1]) >= 1);

    const start = await c.waitFor('375');
    assert.deepEqual(start.msg.params.slice(0, 1), ['amy']);
    assert.match(start.msg.params[1]!, /test\.parlor/);
    assert.deepEqual((await c.waitFor('372')).msg.params, ['amy', '- Line one']);
    assert.deepEqual((await c.waitFor('372')).msg.params, ['amy', '- Line two']);
    assert.equal((await c.waitFor(() => true)).msg.command, '376');
    for (const r of c.received) assert.ok(Buffer.byteLength(r.raw) <= 510, `line too long: ${r.raw}`);
  });

  test('USER then NICK registers too', async () => {
    const c = await t.connect();
    c.send('USER bob 0 * :Bob', 'NICK bob');
    const welcome = await c.waitFor('001');
    assert.equal(welcome.msg.params[0], 'bob');
    assert.ok(welcome.msg.params[1]!.includes('bob!bob@127.0.0.1'));
    await c.waitFor('376');
  });

  test('commands before registration get 451, PING works, unknown commands 421', async () => {
    const c = await t.connect();
    c.send('JOIN #early');
    assert.deepEqual((await c.waitFor('451')).msg.params, ['*', 'You have not registered']);
    c.send('PING :hello there');
    const pong = await c.waitFor('PONG');
    assert.deepEqual(pong.msg.params, ['test.parlor', 'hello there']);
    c.send('FROBNICATE x');
    assert.deepEqual((await c.waitFor('421')).msg.params, ['*', 'FROBNICATE', 'Unknown command']);
    await c.sync();
    assert.equal(c.received.some((r) => r.msg.command === '001'), false);
  });

  test('NICK errors: 431, 432, 433 (case-insensitive, rfc1459)', async () => {
    await t.register('carol');
    await t.register('[dan]');
    const c = await t.connect();
    c.send('NICK');
    assert.deepEqual((await c.waitFor('431')).msg.params, ['*', 'No nickname given']);
    c.send('NICK :1abc');
    assert.deepEqual((await c.waitFor('432')).msg.params, ['*', '1abc', 'Erroneous nickname']);
    // Too long, or not ASCII on an rfc1459 server: the text says so.
    c.send('NICK :abcdefghijklm');
    assert.deepEqual((await c.waitFor('432')).msg.params, ['*', 'abcdefghijklm', 'Nickname too long: at most 12 characters']);
    c.send('NICK :张三');
    assert.deepEqual((await c.waitFor('432')).msg.params, ['*', '张三', 'Erroneous nickname: this server takes only ASCII nicknames (letters, digits and - _ [ ] { } | ^ `)']);
    // A nick with a space cannot be echoed as a middle parameter; the reply stays well-formed.
    for (const bad of ['a b', ':colon']) {
      c.send(`NICK :${bad}`);
      const reply = await c.waitFor('432');
      assert.equal(reply.msg.params.length, 3, reply.raw);
      assert.equal(reply.msg.params[2], 'Erroneous nickname');
    }
    c.send('NICK CAROL');
    assert.deepEqual((await c.waitFor('433')).msg.params, ['*', 'CAROL', 'Nickname is already in use']);
    c.send('NICK {DAN}');
    assert.deepEqual((await c.waitFor('433')).msg.params, ['*', '{DAN}', 'Nickname is already in use']);
    // A nick of exactly NICKLEN is fine, and registration goes on after the errors.
    c.send('NICK abcdefghijkl', 'USER x 0 * :X');
    assert.equal((await c.waitFor('001')).msg.params[0], 'abcdefghijkl');
  });

  test('USER with too few parameters gets 461', async () => {
    const c = await t.connect();
    c.send('USER onlyone 0 *');
    assert.deepEqual((await c.waitFor('461')).msg.params, ['*', 'USER', 'Not enough parameters']);
    c.send('NICK eve', 'USER eve 0 * :Eve');
    await c.waitFor('001');
  });

  test('USER and PASS after registration get 462', async () => {
    const c = await t.register('frank');
    c.send('USER again 0 * :Again');
    assert.deepEqual((await c.waitFor('462')).msg.params, ['frank', 'You may not reregister']);
    c.send('PASS secret');
    assert.deepEqual((await c.waitFor('462')).msg.params, ['frank', 'You may not reregister']);
  });

  test('a nick change is seen by the user and by others in a shared channel', async () => {
    const gina = await t.register('gina');
    const hal = await t.register('hal');
    gina.send('JOIN #nicks');
    await gina.waitFor('366');
    hal.send('JOIN #nicks');
    await hal.waitFor('366');
    await gina.waitFor('JOIN');

    gina.send('NICK Gwen');
    const own = await gina.waitFor('NICK');
    assert.match(own.msg.source!, /^gina!gina@127\.0\.0\.1$/);
    assert.deepEqual(own.msg.params, ['Gwen']);
    const seen = await hal.waitFor('NICK');
    assert.equal(seen.msg.source, 'gina!gina@127.0.0.1');
    assert.deepEqual(seen.msg.params, ['Gwen']);

    // A case variant of one's own nick is a change, not a collision.
    gina.send('NICK gwen');
    const variant = await gina.waitFor((r) => r.msg.command === 'NICK' || r.msg.command === '433');
    assert.equal(variant.msg.command, 'NICK');
    assert.equal(variant.msg.source, 'Gwen!gina@127.0.0.1');
    assert.deepEqual(variant.msg.params, ['gwen']);
    assert.deepEqual((await hal.waitFor('NICK')).msg.params, ['gwen']);

    // The old nick is free again; the new one is taken.
    const other = await t.register('gina');
    other.send('NICK GWEN');
    assert.deepEqual((await other.waitFor('433')).msg.params, ['gina', 'GWEN', 'Nickname is already in use']);
  });

  test('a registered user cannot take a nick in use', async () => {
    await t.register('ivan');
    const jill = await t.register('jill');
    jill.send('NICK IVAN');
    assert.deepEqual((await jill.waitFor('433')).msg.params, ['jill', 'IVAN', 'Nickname is already in use']);
    jill.send('NICK :9lives');
    assert.deepEqual((await jill.waitFor('432')).msg.params, ['jill', '9lives', 'Erroneous nickname']);
  });
});

describe('server information after registration', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('LUSERS counts users, channels and unknown connections', async () => {
    const a = await t.register('counta');
    await t.register('countb');
    await t.connect(); // unregistered
    a.send('JOIN #counted');
    await a.waitFor('366');
    a.send('LUSERS');
    assert.deepEqual((await a.waitFor('251')).msg.params, ['counta', 'There are 2 users and 0 invisible on 1 servers']);
    assert.deepEqual((await a.waitFor('252')).msg.params, ['counta', '0', 'operator(s) online']);
    assert.deepEqual((await a.waitFor('253')).msg.params, ['counta', '1', 'unknown connection(s)']);
    assert.deepEqual((await a.waitFor('254')).msg.params, ['counta', '1', 'channels formed']);
    assert.deepEqual((await a.waitFor('255')).msg.params, ['counta', 'I have 2 clients and 1 servers']);
    assert.deepEqual((await a.waitFor('265')).msg.params, ['counta', '2', '2', 'Current local users 2, max 2']);
    assert.deepEqual((await a.waitFor('266')).msg.params, ['counta', '2', '2', 'Current global users 2, max 2']);
  });

  test('MOTD, VERSION and TIME', async () => {
    const c = await t.register('infos');
    c.send('MOTD');
    await c.waitFor('375');
    assert.deepEqual((await c.waitFor('372')).msg.params, ['infos', '- Hello from the test server']);
    await c.waitFor('376');
    c.send('MOTD other.server');
    assert.deepEqual((await c.waitFor('402')).msg.params, ['infos', 'other.server', 'No such server']);

    c.send('VERSION');
    const version = await c.waitFor('351');
    assert.equal(version.msg.params[0], 'infos');
    assert.equal(version.msg.params[2], 'test.parlor');
    assert.equal(version.msg.params.length, 4);
    await c.waitFor('005');

    const before = Math.floor(Date.now() / 1000);
    c.send('TIME');
    const time = await c.waitFor('391');
    assert.equal(time.msg.params[0], 'infos');
    assert.equal(time.msg.params[1], 'test.parlor');
    assert.ok(Math.abs(Number(time.msg.params[2]) - before) <= 60);
  });
});

describe('MOTD sources', () => {
  let dir: string;
  let none: TestServer;
  let fromFile: TestServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parlor-motd-'));
    const file = join(dir, 'motd.txt');
    await writeFile(file, 'Welcome from a file\r\nSecond line\n');
    none = await startServer({ server: { motd: undefined } });
    fromFile = await startServer({ server: { motdFile: file, motd: 'inline text' } });
  });
  after(async () => {
    await none.close();
    await fromFile.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('no MOTD configured gives 422', async () => {
    const c = await none.connect();
    c.send('NICK kim', 'USER kim 0 * :Kim');
    await c.waitFor('266');
    const next = await c.waitFor((r) => r.msg.command === '375' || r.msg.command === '422');
    assert.deepEqual(next.msg.params, ['kim', 'MOTD File is missing']);
    c.send('MOTD');
    assert.deepEqual((await c.waitFor('422')).msg.params, ['kim', 'MOTD File is missing']);
  });

  test('the MOTD file wins over the inline text', async () => {
    const c = await fromFile.connect();
    c.send('NICK lee', 'USER lee 0 * :Lee');
    await c.waitFor('375');
    assert.deepEqual((await c.waitFor(isNumeric('372'))).msg.params, ['lee', '- Welcome from a file']);
    assert.deepEqual((await c.waitFor(() => true)).msg.params, ['lee', '- Second line']);
    assert.equal((await c.waitFor(() => true)).msg.command, '376');
  });
});

describe('PASS', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ server: { password: 's3cret' } });
  });
  after(() => t.close());

  test('the right password registers', async () => {
    const c = await t.connect();
    c.send('PASS s3cret', 'NICK mona', 'USER mona 0 * :Mona');
    assert.equal((await c.waitFor('001')).msg.params[0], 'mona');
  });

  test('a wrong password gets 464, ERROR and the connection closes', async () => {
    const c = await t.connect();
    c.send('PASS nope', 'NICK ned', 'USER ned 0 * :Ned');
    assert.deepEqual((await c.waitFor('464')).msg.params, ['ned', 'Password incorrect']);
    const error = await c.waitFor('ERROR');
    assert.match(error.msg.params[0]!, /^Closing Link: /);
    await c.waitClose();
    assert.equal(c.received.some((r) => r.msg.command === '001'), false);
  });

  test('a missing password gets 464, ERROR and the connection closes', async () => {
    const c = await t.connect();
    c.send('NICK olga', 'USER olga 0 * :Olga');
    assert.equal((await c.waitFor('464')).msg.params[1], 'Password incorrect');
    await c.waitFor('ERROR');
    await c.waitClose();
    assert.equal(c.received.some((r) => r.msg.command === '001'), false);
  });
});
