// SASL over real sockets: how long a response may be. One AUTHENTICATE parameter over 400
// bytes is 905 (ERR_SASLTOOLONG); a response longer in all than accounts.saslMaxResponseBytes,
// in chunks of 400, is a failed authentication, 904 (IRCv3 SASL 3.1, as ergo answers). Either
// way the exchange starts over from the mechanism.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { addAccount, TEST_PASSWORD_COST } from '../helpers/accounts.ts';
import type { RawClient, Received } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const plain = (account: string, password: string): string => Buffer.from(`\0${account}\0${password}`, 'utf8').toString('base64');
const capAck = (r: Received): boolean => r.msg.command === 'CAP' && r.msg.params[1] === 'ACK';

/** Connects with CAP LS 302 and sasl, NICK and USER sent; registration held. */
async function connectSasl(t: TestServer, nick: string): Promise<RawClient> {
  const c = await t.connect();
  c.send('CAP LS 302', `NICK ${nick}`, `USER ${nick} 0 * :${nick} Test`, 'CAP REQ sasl');
  await c.waitFor(capAck);
  return c;
}

async function numeric(c: RawClient, code: string): Promise<string[]> {
  return (await c.waitFor(code)).msg.params;
}

describe('SASL response length', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST } }, { store: new MemoryStore() });
    await addAccount(t, 'sasha', 'sasha password');
  });
  after(() => t.close());

  test('one parameter of 401 bytes: 905', async () => {
    const c = await connectSasl(t, 'longone');
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    c.send(`AUTHENTICATE ${'A'.repeat(401)}`);
    assert.deepEqual(await numeric(c, '905'), ['longone', 'SASL message too long']);
    // Counted in bytes: 201 characters, 402 bytes.
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor((r) => r.raw === 'AUTHENTICATE +');
    c.send(`AUTHENTICATE ${'é'.repeat(201)}`);
    assert.deepEqual(await numeric(c, '905'), ['longone', 'SASL message too long']);
  });

  test('SASL response over accounts.saslMaxResponseBytes (1600 by default): 904 (not 905), and the exchange starts over', async () => {
    assert.equal(t.server.config.accounts.saslMaxResponseBytes, 1600);
    const c = await connectSasl(t, 'flooder');
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor('AUTHENTICATE');
    const mark = c.received.length;
    const chunk = 'A'.repeat(400);
    // 1,000 chunks, 25 at a time: more at once would overflow flood.recvQueueBytes (16 KiB).
    for (let sent = 0; sent < 1000; sent += 25) {
      c.send(...Array.from({ length: 25 }, () => `AUTHENTICATE ${chunk}`));
      await c.sync();
    }
    const errors = c.since(mark).filter((r) => /^90\d$/.test(r.msg.command));
    assert.deepEqual(errors[0]?.msg.params, ['flooder', 'SASL authentication failed: response too long']);
    assert.ok(!errors.some((r) => r.msg.command === '905'), 'no 905: no parameter was over 400 bytes');
    // Reset: the client may try again from the mechanism.
    c.send('AUTHENTICATE PLAIN');
    await c.waitFor((r) => r.raw === 'AUTHENTICATE +');
    c.send(`AUTHENTICATE ${plain('sasha', 'sasha password')}`);
    await c.waitFor('903');

    // Exactly 1600 bytes (four full chunks, then +) is taken; 1604 is not.
    const exact = 'e'.repeat(1200 - '\0biggie\0'.length);
    await addAccount(t, 'biggie', exact);
    const payload = plain('biggie', exact);
    assert.equal(payload.length, 1600);
    const chunks = (p: string): string[] => Array.from({ length: Math.ceil(p.length / 400) }, (_, i) => `AUTHENTICATE ${p.slice(i * 400, i * 400 + 400)}`);
    const d = await connectSasl(t, 'biggie');
    d.send('AUTHENTICATE PLAIN', ...chunks(payload), 'AUTHENTICATE +');
    assert.equal((await d.waitFor('900')).msg.params[2], 'biggie');
    const e = await connectSasl(t, 'bigger');
    e.send('AUTHENTICATE PLAIN', ...chunks(plain('biggie', `${exact}ee`)));
    assert.deepEqual(await numeric(e, '904'), ['bigger', 'SASL authentication failed: response too long']);
    await e.sync();
    assert.ok(!e.received.some((r) => r.msg.command === '905' || r.msg.command === '900'));
  });

  test('accounts.saslMaxResponseBytes lowered to 400: a second chunk is too long (904)', async () => {
    const small = await startServer({ accounts: { passwordCost: TEST_PASSWORD_COST, saslMaxResponseBytes: 400 } }, { store: new MemoryStore() });
    try {
      const c = await connectSasl(small, 'smally');
      c.send('AUTHENTICATE PLAIN', `AUTHENTICATE ${'A'.repeat(400)}`);
      await c.sync();
      assert.ok(!c.drain().some((r) => /^90\d$/.test(r.msg.command)), '400 bytes fit');
      c.send('AUTHENTICATE AAAA');
      assert.deepEqual(await numeric(c, '904'), ['smally', 'SASL authentication failed: response too long']);
    } finally {
      await small.close();
    }
  });
});
