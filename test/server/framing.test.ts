// Line framing and bad input over real sockets: length limits (417), invalid bytes (FAIL),
// odd line endings and chunking, garbage; the session always lives on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { linesSince } from '../helpers/irc.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { mulberry32, seedFromEnv } from '../helpers/seed.ts';

/** Writes and resolves once the bytes are handed to the kernel. */
function write(c: RawClient, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => c.socket.write(data, (err) => (err ? reject(err) : resolve())));
}

const fail = (code: string) => (r: Received) => r.msg.command === 'FAIL' && r.msg.params[1] === code;

/** Sends PING and checks its PONG: the session still works. */
async function assertAlive(c: RawClient, token = 'alive'): Promise<void> {
  c.send(`PING :${token}`);
  const pong = await c.waitFor('PONG');
  assert.deepEqual(pong.msg.params, ['test.parlor', token]);
}

describe('framing and bad input', () => {
  let t: TestServer;
  let c: RawClient;
  before(async () => {
    t = await startServer();
    c = await t.register('framer');
  });
  after(() => t.close());

  test('a body of 510 bytes is accepted, 511 gets 417 and the session lives', async () => {
    const ok = 'PING :' + 'a'.repeat(504);
    assert.equal(Buffer.byteLength(ok), 510);
    c.send(ok);
    // Answered; the PONG, whose source and server name come in front of the token, is cut to
    // fit 512 bytes itself.
    const pong = await c.waitFor('PONG');
    assert.ok(Buffer.byteLength(`${pong.raw}\r\n`) <= 512 && 'a'.repeat(504).startsWith(pong.msg.params[1]!), pong.raw);

    c.send('PRIVMSG framer :' + 'b'.repeat(495));
    const err = await c.waitFor((r) => r.msg.command === '417' || r.msg.command === 'PRIVMSG');
    assert.deepEqual(err.msg.params, ['framer', 'Input line was too long']);
    await assertAlive(c);
  });

  test('multi-byte characters count as bytes', async () => {
    // 253 two-byte characters + "PING :" = 512 bytes, though only 259 characters.
    c.send('PING :' + 'é'.repeat(253));
    await c.waitFor('417');
    await assertAlive(c);
  });

  test('tags up to 8191 bytes are accepted; longer gets 417', async () => {
    // Client tag data is held to 4094 bytes by default (labeled-refusals.test.ts); raised here
    // to the whole tag section, so that the section's own limit shows.
    const wide = await startServer({ limits: { clientTagBytes: 8189 } });
    try {
      const c = await wide.register('framer');
      // The tag section counts the leading '@' and the space after it.
      const tagValue = (total: number) => 'v'.repeat(total - '@+t= '.length);
      c.send(`@+t=${tagValue(8191)} PING :tagged`);
      assert.deepEqual((await c.waitFor((r) => r.msg.command === 'PONG' || r.msg.command === '417')).msg.params, [
        'test.parlor',
        'tagged',
      ]);
      c.send(`@+t=${tagValue(8192)} PING :toolong`);
      assert.deepEqual((await c.waitFor((r) => r.msg.command === 'PONG' || r.msg.command === '417')).msg.params, [
        'framer',
        'Input line was too long',
      ]);
      // Full tags plus a body over 510 bytes: the body is still too long.
      c.send(`@+t=${tagValue(8191)} PING :${'z'.repeat(505)}`);
      assert.equal((await c.waitFor((r) => r.msg.command === 'PONG' || r.msg.command === '417')).msg.command, '417');
      await assertAlive(c);
    } finally {
      await wide.close();
    }
  });

  test('a line far over the decoder limit gets one 417', async () => {
    const mark = c.received.length;
    await write(c, Buffer.alloc(20_000, 'q'));
    await write(c, '\r\n');
    const lines = await linesSince(c, mark);
    assert.deepEqual(
      lines.map((r) => r.msg.command),
      ['417'],
      'one 417, and the tail is not read as a command',
    );
    await assertAlive(c);
  });

  test('invalid UTF-8 gets FAIL INVALID_UTF8', async () => {
    c.writeRaw(Buffer.concat([Buffer.from('PRIVMSG framer :bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\r\n')]));
    const r = await c.waitFor('FAIL');
    assert.equal(r.msg.source, 'test.parlor');
    assert.deepEqual(r.msg.params.slice(0, 2), ['*', 'INVALID_UTF8']);
    assert.equal(r.msg.params.length, 3);
    await assertAlive(c);
  });

  test('a NUL byte gets FAIL INVALID_CHARACTERS', async () => {
    c.writeRaw(Buffer.from('PING :nul\0here\r\n'));
    assert.deepEqual((await c.waitFor('FAIL')).msg.params.slice(0, 2), ['*', 'INVALID_CHARACTERS']);
    await assertAlive(c);
  });

  test('a bare CR gets FAIL INVALID_CHARACTERS', async () => {
    c.writeRaw('PING :bare\rcr\r\n');
    assert.deepEqual((await c.waitFor('FAIL')).msg.params.slice(0, 2), ['*', 'INVALID_CHARACTERS']);
    await assertAlive(c);
  });

  test('a UTF-8 character split across two writes arrives intact', async () => {
    const sender = await t.register('splitter');
    const receiver = await t.register('receiver');
    const text = 'héllo € 🎉 wörld';
    const bytes = Buffer.from(`PRIVMSG receiver :${text}\r\n`);
    // Cut inside the four-byte emoji.
    const cut = bytes.indexOf(Buffer.from('🎉')) + 2;
    await write(sender, bytes.subarray(0, cut));
    await write(sender, bytes.subarray(cut));
    const msg = await receiver.waitFor('PRIVMSG');
    assert.equal(msg.msg.source, 'splitter!splitter@127.0.0.1');
    assert.deepEqual(msg.msg.params, ['receiver', text]);
    await sender.sync();
    assert.equal(sender.received.some((r) => r.msg.command === 'FAIL'), false);
  });

  test('bare LF line endings work', async () => {
    c.writeRaw('PING :lf-only\nPING :second\n');
    assert.equal((await c.waitFor('PONG')).msg.params[1], 'lf-only');
    assert.equal((await c.waitFor('PONG')).msg.params[1], 'second');
  });

  test('CR LF sent in many tiny chunks works', async () => {
    c.socket.setNoDelay(true);
    const line = Buffer.from('PING :tiny-chunks\r\nPING :next\r\n');
    for (let i = 0; i < line.length; i += 2) await write(c, line.subarray(i, i + 2));
    assert.equal((await c.waitFor('PONG')).msg.params[1], 'tiny-chunks');
    assert.equal((await c.waitFor('PONG')).msg.params[1], 'next');
  });

  test('empty lines are ignored', async () => {
    const mark = c.received.length;
    c.writeRaw('\r\n\n   \r\n');
    assert.deepEqual(await linesSince(c, mark), []);
  });

  test('a garbage line gets 421', async () => {
    c.send('!!!');
    assert.deepEqual((await c.waitFor('421')).msg.params, ['framer', '!!!', 'Unknown command']);
    await assertAlive(c);
  });

  test('errors before registration address the client as *', async () => {
    const u = await t.connect();
    u.send('PING :' + 'a'.repeat(505));
    assert.deepEqual((await u.waitFor('417')).msg.params, ['*', 'Input line was too long']);
    u.send('!!!');
    assert.deepEqual((await u.waitFor('421')).msg.params, ['*', '!!!', 'Unknown command']);
    u.writeRaw(Buffer.from([0x80, 0x0d, 0x0a]));
    await u.waitFor(fail('INVALID_UTF8'));
    u.send('NICK late', 'USER late 0 * :Late');
    await u.waitFor('001');
  });

  test('1000 lines of random bytes never break the server', async (ctx) => {
    const noisy = await t.register('noisy');
    // A seeded generator, so that a failure can be replayed.
    const seed = seedFromEnv(0x5eed);
    ctx.diagnostic(`seed ${seed} (PARLOR_SEED=${seed} replays it)`);
    const random = mulberry32(seed);
    for (let i = 0; i < 1000; i++) {
      const line = Buffer.alloc(1 + Math.floor(random() * 600));
      for (let j = 0; j < line.length; j++) {
        const b = Math.floor(random() * 256);
        line[j] = b === 0x0a ? 0x20 : b;
      }
      noisy.writeRaw(Buffer.concat([line, Buffer.from('\r\n')]));
      if (i % 100 === 99) await noisy.sync();
    }
    await assertAlive(noisy, 'after-noise');
    assert.equal(noisy.closed, false);
    // The server as a whole is fine too.
    await assertAlive(c, 'other-client');
    const fresh = await t.register('fresh');
    await assertAlive(fresh);
  });
});
