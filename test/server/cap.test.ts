// IRCv3 capability negotiation over real sockets: CAP LS/REQ/LIST/END, registration held
// until CAP END, server-time and labeled-response.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPABILITIES } from '../../src/protocol/caps.ts';
import { ISO_MS, linesSince } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const capReply = (sub: string) => (r: Received) => r.msg.command === 'CAP' && r.msg.params[1] === sub;

async function capList(c: RawClient): Promise<string[]> {
  c.send('CAP LIST');
  const r = await c.waitFor(capReply('LIST'));
  return r.msg.params.at(-1)!.split(' ').filter((x) => x !== '');
}

describe('CAP negotiation', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
  });
  after(() => t.close());

  test('CAP LS 302 lists every capability', async () => {
    const c = await t.connect();
    c.send('CAP LS 302');
    const ls = await c.waitFor(capReply('LS'));
    assert.equal(ls.msg.source, 'test.parlor');
    assert.equal(ls.msg.params[0], '*');
    assert.equal(ls.msg.params.length, 3, 'all capabilities fit on one line');
    const offered = ls.msg.params[2]!.split(' ').map((c) => c.split('=')[0]);
    // sts is offered only where TLS is configured (test/server/tls.test.ts).
    assert.deepEqual([...offered].sort(), CAPABILITIES.filter((c) => c !== 'sts').sort());
  });

  test('registration waits for CAP END', async () => {
    const c = await t.connect();
    c.send('CAP LS 302', 'NICK capper', 'USER capper 0 * :Capper');
    await c.waitFor(capReply('LS'));
    await c.sync();
    assert.equal(c.received.some((r) => r.msg.command === '001'), false);
    c.send('CAP REQ :server-time');
    const ack = await c.waitFor(capReply('ACK'));
    assert.deepEqual(ack.msg.params, ['capper', 'ACK', 'server-time']);
    await c.sync();
    assert.equal(c.received.some((r) => r.msg.command === '001'), false);
    c.send('CAP END');
    const welcome = await c.waitFor('001');
    assert.equal(welcome.msg.params[0], 'capper');
    assert.match(welcome.msg.tags.time ?? '', ISO_MS);
  });

  test('CAP REQ without CAP LS also holds registration', async () => {
    const c = await t.connect();
    c.send('CAP REQ :multi-prefix', 'NICK reqonly', 'USER reqonly 0 * :R');
    await c.waitFor(capReply('ACK'));
    await c.sync();
    assert.equal(c.received.some((r) => r.msg.command === '001'), false);
    c.send('CAP END');
    await c.waitFor('001');
  });

  test('REQ of known caps is ACKed; unknown ones are NAKed and nothing changes', async () => {
    const c = await t.connect();
    c.send('CAP LS 302');
    await c.waitFor(capReply('LS'));
    c.send('CAP REQ :multi-prefix userhost-in-names');
    const ack = await c.waitFor(capReply('ACK'));
    assert.deepEqual(ack.msg.params, ['*', 'ACK', 'multi-prefix userhost-in-names']);

    c.send('CAP REQ :echo-message no-such-cap');
    const nak = await c.waitFor((r) => r.msg.command === 'CAP' && (r.msg.params[1] === 'NAK' || r.msg.params[1] === 'ACK'));
    assert.deepEqual(nak.msg.params, ['*', 'NAK', 'echo-message no-such-cap']);
    const enabled = await capList(c);
    assert.ok(enabled.includes('multi-prefix'));
    assert.ok(enabled.includes('userhost-in-names'));
    assert.equal(enabled.includes('echo-message'), false, 'a NAKed request enables nothing');
    assert.equal(enabled.includes('no-such-cap'), false);
  });

  test('CAP REQ :-cap turns a capability off', async () => {
    const c = await t.connect();
    c.send('CAP REQ :server-time batch');
    await c.waitFor(capReply('ACK'));
    assert.deepEqual((await capList(c)).sort(), ['batch', 'server-time']);
    c.send('CAP REQ :-server-time');
    assert.deepEqual((await c.waitFor(capReply('ACK'))).msg.params, ['*', 'ACK', '-server-time']);
    assert.deepEqual(await capList(c), ['batch']);
    c.send('CAP END', 'NICK untimed', 'USER untimed 0 * :U');
    const welcome = await c.waitFor('001');
    assert.equal(welcome.msg.tags.time, undefined);
  });

  test('an invalid subcommand gets 410', async () => {
    const c = await t.connect();
    c.send('CAP FOO');
    assert.deepEqual((await c.waitFor('410')).msg.params, ['*', 'FOO', 'Invalid CAP command']);
    const r = await t.register('cap410');
    r.send('CAP BAR baz');
    assert.deepEqual((await r.waitFor('410')).msg.params, ['cap410', 'BAR', 'Invalid CAP command']);
  });

  test('CAP after registration works and server-time tags later messages', async () => {
    const late = await t.register('late');
    const talker = await t.register('talker');
    late.send('CAP LS 302');
    const ls = await late.waitFor(capReply('LS'));
    assert.equal(ls.msg.params[0], 'late');
    late.send('CAP REQ server-time');
    assert.deepEqual((await late.waitFor(capReply('ACK'))).msg.params, ['late', 'ACK', 'server-time']);
    // No second welcome: CAP END after registration is ignored.
    const mark = late.received.length;
    late.send('CAP END');
    assert.deepEqual(await linesSince(late, mark), []);

    const before = Date.now();
    talker.send('PRIVMSG late :what time is it');
    const msg = await late.waitFor('PRIVMSG');
    assert.equal(msg.msg.source, 'talker!talker@127.0.0.1');
    const time = msg.msg.tags.time;
    assert.match(time ?? '', ISO_MS);
    const ms = Date.parse(time!);
    assert.ok(Math.abs(ms - before) < 60_000, `time ${time} is close to now`);
    // The sender did not ask for server-time and gets plain lines.
    talker.send('PING :plain');
    assert.equal((await talker.waitFor('PONG')).raw.startsWith('@'), false);
  });
});

describe('labeled-response', () => {
  let t: TestServer;
  let c: RawClient;
  before(async () => {
    t = await startServer({ server: { motd: 'one\ntwo\nthree' } });
    c = await t.register('labels', ['labeled-response', 'batch']);
  });
  after(() => t.close());

  test('a labeled PING gets a labeled PONG', async () => {
    c.send('@label=p1 PING :tok');
    const pong = await c.waitFor('PONG');
    assert.equal(pong.msg.tags.label, 'p1');
    assert.deepEqual(pong.msg.params, ['test.parlor', 'tok']);
  });

  test('a command without a reply gets a labeled ACK', async () => {
    c.send('@label=quiet PONG :whatever');
    const ack = await c.waitFor('ACK');
    assert.equal(ack.msg.tags.label, 'quiet');
    assert.equal(ack.msg.source, 'test.parlor');
    assert.deepEqual(ack.msg.params, []);
  });

  test('several replies come in a labeled-response batch', async () => {
    c.send('@label=abc MOTD');
    const start = await c.waitFor('BATCH');
    assert.equal(start.msg.tags.label, 'abc');
    const [ref, type] = start.msg.params;
    assert.match(ref!, /^\+\S+$/);
    assert.equal(type, 'labeled-response');
    const id = ref!.slice(1);
    const inside: Received[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await c.waitFor(() => true);
      if (r.msg.command === 'BATCH') {
        assert.deepEqual(r.msg.params, [`-${id}`]);
        break;
      }
      inside.push(r);
    }
    assert.deepEqual(
      inside.map((r) => r.msg.command),
      ['375', '372', '372', '372', '376'],
    );
    for (const r of inside) {
      assert.equal(r.msg.tags.batch, id);
      assert.equal(r.msg.tags.label, undefined, 'only the BATCH start carries the label');
    }
  });

  test('an error reply is labeled too', async () => {
    c.send('@label=e1 NOSUCHCOMMAND');
    const err = await c.waitFor('421');
    assert.equal(err.msg.tags.label, 'e1');
    assert.deepEqual(err.msg.params, ['labels', 'NOSUCHCOMMAND', 'Unknown command']);
  });

  test('without labeled-response, a label is ignored', async () => {
    const plain = await t.register('nolabels');
    plain.send('@label=x PING :tok');
    const pong = await plain.waitFor('PONG');
    assert.equal(pong.msg.tags.label, undefined);
  });
});
