// IRCv3 multiline against a careless or hostile client, over real sockets: a line of a batch
// that the server cannot read (over 512 bytes, not UTF-8) fails the whole batch rather than
// delivering it with a line missing; a refused batch draws one FAIL however many lines follow;
// and a batch to `@#room` (STATUSMSG) reaches the room's operators only, kept out of history.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { is, joinAll, settle, until } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ML_CAPS = ['batch', 'draft/multiline', 'message-tags', 'echo-message', 'labeled-response', 'server-time'];

/** What `c` is sent in answer to `lines`, up to the PONG of a PING sent after them. */
async function answers(c: RawClient, ...lines: string[]): Promise<Received[]> {
  const token = `end${Math.random().toString(36).slice(2)}`;
  c.send(...lines, `PING ${token}`);
  const got = await until(c, (r) => r.msg.command === 'PONG' && r.msg.params.at(-1) === token);
  return got.slice(0, -1);
}

const fails = (rs: Received[]): string[][] => rs.filter((r) => r.msg.command === 'FAIL').map((r) => r.msg.params);

describe('draft/multiline: lost lines and refused batches', () => {
  let t: TestServer;
  const store = new MemoryStore();
  before(async () => {
    t = await startServer({ limits: { multilineMaxBytes: 4096, multilineMaxLines: 24 } }, { store });
  });
  after(() => t.close());

  test('a line over 512 bytes inside a batch: 417, then the batch fails; nothing is delivered, and the next batch goes', async () => {
    const ada = await t.register('ada', ML_CAPS);
    const bea = await t.register('bea', ['batch', 'draft/multiline']);
    const cal = await t.register('cal');
    await joinAll('#lost', ada, bea, cal);
    const long = 'x'.repeat(600);
    const got = await answers(ada, '@label=L7 BATCH +t1 draft/multiline #lost', '@batch=t1 PRIVMSG #lost :first', `@batch=t1 PRIVMSG #lost :${long}`, '@batch=t1 PRIVMSG #lost :third', 'BATCH -t1');
    assert.deepEqual(
      got.map((r) => r.msg.command),
      ['417', 'FAIL'],
      got.map((r) => r.raw).join('\n'),
    );
    const fail = got[1]!;
    assert.deepEqual(fail.msg.params.slice(0, 2), ['BATCH', 'MULTILINE_INVALID']);
    assert.equal(fail.msg.tags.label, 'L7', "the FAIL carries the batch's label");
    await bea.sync();
    await cal.sync();
    assert.deepEqual([...bea.drain(), ...cal.drain()].map((r) => r.raw), [], 'no message with a line missing');

    ada.send('BATCH +t2 draft/multiline #lost', '@batch=t2 PRIVMSG #lost :one', '@batch=t2 PRIVMSG #lost :two', 'BATCH -t2');
    const open = await bea.waitFor(is('BATCH'));
    assert.equal(open.msg.params[1], 'draft/multiline');
    await settle(ada, bea, cal);
  });

  test('a line that is not UTF-8 inside a batch fails it too', async () => {
    const dan = await t.register('dan', ML_CAPS);
    const eli = await t.register('eli', ['batch', 'draft/multiline']);
    await joinAll('#utf', dan, eli);
    dan.send('BATCH +u1 draft/multiline #utf', '@batch=u1 PRIVMSG #utf :good');
    dan.writeRaw(Buffer.concat([Buffer.from('@batch=u1 PRIVMSG #utf :bad '), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n')]));
    const got = await answers(dan, '@batch=u1 PRIVMSG #utf :after', 'BATCH -u1');
    assert.deepEqual(fails(got).map((p) => p.slice(0, 2)), [['*', 'INVALID_UTF8'], ['BATCH', 'MULTILINE_INVALID']]);
    await eli.sync();
    assert.deepEqual(eli.drain().map((r) => r.raw), []);
  });

  test('a refused opening (several targets, nested) draws one FAIL: its lines and its end are dropped quietly', async () => {
    const fox = await t.register('fox', ML_CAPS);
    const gil = await t.register('gil', ['batch', 'draft/multiline']);
    await joinAll('#one', fox, gil);
    const lines = (ref: string, target: string): string[] => [`BATCH +${ref} draft/multiline ${target}`, ...['a', 'b', 'c'].map((l) => `@batch=${ref} PRIVMSG ${target} :${l}`), `BATCH -${ref}`];
    assert.deepEqual(fails(await answers(fox, ...lines('r1', '#one,gil'))).map((p) => p[1]), ['MULTILINE_INVALID_TARGET']);
    assert.deepEqual(fails(await answers(fox, ...lines('r2', '$*'))).map((p) => p[1]), ['MULTILINE_INVALID_TARGET']);
    assert.deepEqual(fails(await answers(fox, ...lines('r3', '#one').map((l) => l.replace('draft/multiline', 'example/other')))).map((p) => p[1]), ['MULTILINE_INVALID']);
    // Nested: the second opening is refused, the first given up; the second's lines draw nothing more.
    const nested = await answers(fox, 'BATCH +n1 draft/multiline #one', '@batch=n1 PRIVMSG #one :x', ...lines('n2', '#one'));
    assert.deepEqual(fails(nested).map((p) => p[1]), ['MULTILINE_INVALID']);
    await gil.sync();
    assert.deepEqual(gil.drain().map((r) => r.raw), [], 'nothing of a refused batch is delivered');
    // And then a good batch goes.
    fox.send(...lines('ok', '#one'));
    const open = await gil.waitFor(is('BATCH'));
    assert.equal(open.msg.params[1], 'draft/multiline');
    await settle(fox, gil);
  });

  test('a batch to @#room (STATUSMSG) reaches the operators only, and history does not keep it', async () => {
    const hal = await t.register('hal', ML_CAPS); // founder: operator
    const ida = await t.register('ida', ['batch', 'draft/multiline', 'multi-prefix']);
    const jon = await t.register('jon', ['batch', 'draft/multiline']);
    const kip = await t.register('kip'); // an operator without multiline: the lines
    await joinAll('#ops', hal, ida, jon, kip);
    hal.send('MODE #ops +oo ida kip');
    await jon.waitFor((r) => r.msg.command === 'MODE' && r.msg.params.includes('kip'));
    await settle(hal, ida, jon, kip);
    hal.send('BATCH +s1 draft/multiline @#ops', '@batch=s1 PRIVMSG @#ops :ops only', '@batch=s1 PRIVMSG @#ops :second line', 'BATCH -s1');
    const open = await ida.waitFor(is('BATCH'));
    assert.deepEqual(open.msg.params.slice(1), ['draft/multiline', '@#ops']);
    const echo = await hal.waitFor(is('BATCH'));
    assert.deepEqual(echo.msg.params.slice(1), ['draft/multiline', '@#ops']);
    const k1 = await kip.waitFor('PRIVMSG');
    const k2 = await kip.waitFor('PRIVMSG');
    assert.deepEqual([k1.msg.params, k2.msg.params], [['@#ops', 'ops only'], ['@#ops', 'second line']]);
    await jon.sync();
    assert.deepEqual(jon.drain().map((r) => r.raw), [], 'a member without +o hears nothing');
    await store.flush();
    assert.deepEqual((await store.latest('#ops', 10)).map((m) => m.text), []);
    await settle(hal, ida, kip);
  });
});

describe('draft/multiline and flood control', () => {
  test('a whole batch sent at once is charged, not held back: it passes a small receive queue; the failed batch\'s lines are held back as any', async () => {
    // 24 lines of 150 bytes would not fit a 2 KiB receive queue if each waited for a token
    // (registering and joining leave a few of the 15).
    const t = await startServer({ flood: { burst: 15, commandsPerSecond: 4, recvQueueBytes: 2048, exemptOpers: true } });
    try {
      const a = await t.register('a', ML_CAPS);
      const b = await t.register('b', ['batch', 'draft/multiline']);
      await joinAll('#f', a, b);
      const lines = Array.from({ length: 24 }, (_, i) => `line ${String(i + 1).padStart(2, '0')} ${'.'.repeat(140)}`);
      a.send('BATCH +f1 draft/multiline #f', ...lines.map((l) => `@batch=f1 PRIVMSG #f :${l}`), 'BATCH -f1');
      const open = await b.waitFor(is('BATCH'));
      const ref = open.msg.params[0]!.slice(1);
      const rest = await until(b, (r) => r.msg.command === 'BATCH' && r.msg.params[0] === `-${ref}`);
      assert.deepEqual(rest.slice(0, -1).map((r) => r.msg.params[1]), lines);
      assert.equal(a.closed, false);

      // Lines that name a failed batch take tokens like any line: a flood of them is a flood.
      const c = await t.register('c', ML_CAPS);
      c.send('BATCH +x1 draft/multiline #nowhere,#else', ...Array.from({ length: 40 }, () => `@batch=x1 PRIVMSG #f :${'y'.repeat(100)}`));
      await c.waitFor((r) => r.msg.command === 'ERROR' && /Excess Flood/.test(r.raw));
    } finally {
      await t.close();
    }
  });
});
